/**
 * Load over HTTP with autocannon. Latencies are taken from every response (autocannon's own summary has no p95),
 * and a response with another status than the one expected counts as an error, like a socket error or timeout.
 */
import autocannon from 'autocannon';
import { cpuPer, type CpuSample } from './cpu.ts';
import { percentile } from './stats.ts';

export interface HttpResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** Responses by status, and errors by kind, for the report. */
  statuses: Record<string, number>;
  /** CPU ms per response, by process group (when measured). */
  cpu: CpuSample | null;
}

export interface HttpRun {
  url: string;
  connections: number;
  seconds: number;
  expectedStatus: number;
  /** Builds each request (a new one every time, so each can carry its own form key). */
  nextRequest: () => { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: Buffer | string };
}

function runOnce(run: HttpRun, record: boolean): Promise<HttpResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: run.url,
        connections: run.connections,
        duration: run.seconds,
        timeout: 30,
        requests: [
          {
            setupRequest: (request) => {
              const next = run.nextRequest();
              return { ...request, method: next.method, path: next.path, headers: next.headers, body: next.body };
            },
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const seconds = (performance.now() - started) / 1000;
        const failures = result.errors + result.timeouts;
        if (failures) statuses['socket errors or timeouts'] = failures;
        errors += failures;
        latencies.sort((a, b) => a - b);
        resolve({
          requests: latencies.length,
          seconds,
          perSecond: latencies.length / seconds,
          p50: percentile(latencies, 0.5),
          p95: percentile(latencies, 0.95),
          p99: percentile(latencies, 0.99),
          errors,
          statuses,
          cpu: null,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (!record) return;
      latencies.push(responseTime);
      statuses[String(statusCode)] = (statuses[String(statusCode)] ?? 0) + 1;
      if (statusCode !== run.expectedStatus) errors += 1;
    });
  });
}

/** A short warm-up (JIT, caches, connection pools), then the measured run. */
export async function measureHttp(run: HttpRun, warmUpSeconds = 3, cpu?: () => CpuSample): Promise<HttpResult> {
  await runOnce({ ...run, seconds: warmUpSeconds }, false);
  const before = cpu?.();
  const result = await runOnce(run, true);
  const after = cpu?.();
  return { ...result, cpu: before && after ? cpuPer(before, after, result.requests) : null };
}

/** Multipart form data, as a browser sends the message form. */
export function multipartBody(fields: Record<string, string>): { body: Buffer; contentType: string } {
  const boundary = `----parleybench${Math.random().toString(16).slice(2)}`;
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const empty = `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n`;
  return {
    body: Buffer.from(`${parts.join('')}${empty}--${boundary}--\r\n`),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
