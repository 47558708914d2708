/**
 * The soak (`npm run bench -- --soak`): two web and two worker processes, 200 concurrent signed-in visitors (staff
 * and jobseekers, spread over both web processes) reading their conversations and the dashboard and sending
 * messages, for 10 minutes by default (`--soak-seconds`). It reports errors (any answer but 200 or 303, any socket
 * error or timeout), each process's memory (resident set at the end of the warm-up, its peak, at the end) and the
 * open database connections (pg_stat_activity) at the start and the end. Localhost only, bounded by time.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import type pg from 'pg';
import { multipartBody } from './http.ts';
import { startWeb, startWorkers, type ParleyEnvironment, type ParleyProcess } from './processes.ts';
import { documentPath } from './report.ts';
import { createVisitors, visitorHeaders, type Visitor } from './sessions.ts';

export interface SoakSender {
  userId: string;
  applicationId: string;
  kind: 'staff' | 'jobseeker';
}

interface MemoryFigures {
  name: string;
  startMb: number;
  peakMb: number;
  endMb: number;
}

export interface SoakResult {
  seconds: number;
  warmUpSeconds: number;
  visitors: number;
  /** Answers to the measured period's requests (those still in flight when it ended are not counted). */
  requests: number;
  /** Sends answered 303 (sent). */
  sends: number;
  messagesWritten: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
  memory: MemoryFigures[];
  connections: { start: Record<string, number>; end: Record<string, number> };
}

async function residentMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function connectionsByApplication(client: pg.Client, database: string): Promise<Record<string, number>> {
  const { rows } = await client.query<{ application_name: string; count: number }>(
    `select application_name, count(*)::int as count from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()
     group by application_name order by application_name`,
    [database],
  );
  return Object.fromEntries(rows.map((row) => [row.application_name || '(none)', row.count]));
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Runs autocannon against one web process for `seconds`, recording every answer. */
function drive(
  url: string,
  connections: number,
  seconds: number,
  next: () => { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: Buffer },
  onResponse: (status: number, ms: number) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [{ setupRequest: (request) => ({ ...request, ...next() }) }],
      },
      (error, result) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(result.errors + result.timeouts);
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => onResponse(statusCode, responseTime));
  });
}

export async function runSoak(input: {
  client: pg.Client;
  database: string;
  settings: ParleyEnvironment;
  senders: SoakSender[];
  trustMemberId: string;
  visitors: number;
  seconds: number;
  log: (line: string) => void;
}): Promise<SoakResult> {
  const { client, settings, log } = input;
  const secondPort = settings.port + 1 === 65536 ? settings.port - 1 : settings.port + 1;
  const webs: ParleyProcess[] = [];
  const workers = startWorkers(settings, 2);
  try {
    webs.push(await startWeb(settings, 'soak-web-1'));
    webs.push(await startWeb({ ...settings, port: secondPort }, 'soak-web-2'));
    const urls = [`http://127.0.0.1:${settings.port}`, `http://127.0.0.1:${secondPort}`];
    const people = input.senders.slice(0, input.visitors - 1);
    const visitors = await createVisitors(client, urls[0] ?? '', settings.sessionSecret, [
      { id: input.trustMemberId, kind: 'staff' },
      ...people.map((p) => ({ id: p.userId, kind: p.kind })),
    ]);
    const applicationOf = new Map(people.map((p) => [p.userId, p.applicationId]));
    log(`  ${visitors.length} visitors signed in; two web processes, two workers`);

    // Each web process gets half the visitors; each request is the next visitor's next step: their conversation,
    // then (every fourth step) a message on it, or the dashboard for staff.
    const statuses: Record<string, number> = {};
    const latencies: number[] = [];
    let measuring = false;
    const plan = (share: Visitor[]) => {
      let turn = 0;
      return () => {
        const visitor = share[turn % share.length];
        const step = Math.floor(turn / share.length) % 4;
        turn += 1;
        if (!visitor) throw new Error('no visitors');
        const applicationId = applicationOf.get(visitor.userId);
        const base = visitor.kind === 'staff' ? '/staff/applications/' : '/applications/';
        if (!applicationId)
          return { method: 'GET' as const, path: '/staff/messages', headers: visitorHeaders(visitor) };
        if (step === 3) {
          const form = multipartBody({
            _csrf: visitor.csrfToken,
            formKey: randomUUID(),
            format: 'text',
            body: `Soak message ${turn}: thank you, see you on Monday at ten.`,
          });
          return {
            method: 'POST' as const,
            path: `${base}${applicationId}/messages`,
            headers: { ...visitorHeaders(visitor), 'content-type': form.contentType },
            body: form.body,
          };
        }
        if (step === 1 && visitor.kind === 'staff')
          return { method: 'GET' as const, path: '/staff/messages', headers: visitorHeaders(visitor) };
        return { method: 'GET' as const, path: `${base}${applicationId}`, headers: visitorHeaders(visitor) };
      };
    };
    const halves = [visitors.filter((_, i) => i % 2 === 0), visitors.filter((_, i) => i % 2 === 1)];
    const record = (status: number, ms: number) => {
      if (!measuring) return;
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
      latencies.push(ms);
    };

    const warmUpSeconds = Math.min(30, Math.max(5, Math.round(input.seconds / 10)));
    log(`  warm-up ${warmUpSeconds} s`);
    await Promise.all(
      urls.map((url, i) => drive(url, Math.ceil(visitors.length / 2), warmUpSeconds, plan(halves[i] ?? []), record)),
    );
    const processes = [...webs, ...workers];
    const names = ['web 1', 'web 2', 'worker 1', 'worker 2'];
    const memory: MemoryFigures[] = await Promise.all(
      processes.map(async (p, i) => {
        const mb = await residentMb(p.pid);
        return { name: names[i] ?? `process ${i}`, startMb: mb, peakMb: mb, endMb: mb };
      }),
    );
    const connectionsStart = await connectionsByApplication(client, input.database);
    const messagesBefore = Number(
      (await client.query<{ count: string }>('select count(*) from messages')).rows[0]?.count ?? 0,
    );
    log(`  soak ${input.seconds} s with ${visitors.length} concurrent visitors`);
    measuring = true;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        for (const [i, p] of processes.entries()) {
          const figures = memory[i];
          if (figures) figures.peakMb = Math.max(figures.peakMb, await residentMb(p.pid));
        }
      }
    })();
    const socketErrors = await Promise.all(
      urls.map((url, i) => drive(url, Math.ceil(visitors.length / 2), input.seconds, plan(halves[i] ?? []), record)),
    );
    measuring = false;
    sampling = false;
    await sampler;
    for (const [i, p] of processes.entries()) {
      const figures = memory[i];
      if (figures) {
        figures.endMb = await residentMb(p.pid);
        figures.peakMb = Math.max(figures.peakMb, figures.endMb);
      }
    }
    const connectionsEnd = await connectionsByApplication(client, input.database);
    const messagesAfter = Number(
      (await client.query<{ count: string }>('select count(*) from messages')).rows[0]?.count ?? 0,
    );
    const failed = socketErrors.reduce((a, b) => a + b, 0);
    if (failed) statuses['socket errors or timeouts'] = failed;
    const errors = Object.entries(statuses)
      .filter(([status]) => status !== '200' && status !== '303')
      .reduce((total, [, count]) => total + count, 0);
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return {
      seconds: input.seconds,
      warmUpSeconds,
      visitors: visitors.length,
      requests: latencies.length,
      sends: statuses['303'] ?? 0,
      messagesWritten: messagesAfter - messagesBefore,
      errors,
      statuses,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      memory,
      connections: { start: connectionsStart, end: connectionsEnd },
    };
  } finally {
    await Promise.all([...webs, ...workers].map((p) => p.stop()));
  }
}

export function soakLines(result: SoakResult): string[] {
  const connections = (counts: Record<string, number>) =>
    `${sum(counts)} (${Object.entries(counts)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')})`;
  return [
    `| figure | value |`,
    `| --- | --- |`,
    `| duration | ${result.seconds} s after a ${result.warmUpSeconds} s warm-up |`,
    `| concurrent visitors | ${result.visitors} (half on each web process) |`,
    `| requests | ${result.requests} (${(result.requests / result.seconds).toFixed(0)}/s), of which ${result.sends} sends answered 303 |`,
    `| messages written | ${result.messagesWritten} |`,
    `| errors | ${result.errors} (${Object.entries(result.statuses)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ')}) |`,
    `| latency p50 / p95 / p99 | ${result.p50.toFixed(0)} / ${result.p95.toFixed(0)} / ${result.p99.toFixed(0)} ms |`,
    ...result.memory.map(
      (m) =>
        `| memory of ${m.name} (RSS start / peak / end) | ${m.startMb.toFixed(0)} / ${m.peakMb.toFixed(0)} / ${m.endMb.toFixed(0)} MB |`,
    ),
    `| database connections at the start | ${connections(result.connections.start)} |`,
    `| database connections at the end | ${connections(result.connections.end)} |`,
  ];
}

const startMarker = '<!-- bench:soak:start -->';
const endMarker = '<!-- bench:soak:end -->';

/** Writes the soak's figures into docs/performance.md between their own markers (the rest is kept). */
export async function writeSoak(result: SoakResult, machine: string): Promise<void> {
  const block = [startMarker, `Measured ${machine}.`, '', ...soakLines(result), endMarker].join('\n');
  const existing = existsSync(documentPath) ? await readFile(documentPath, 'utf8') : '# Performance\n';
  const start = existing.indexOf(startMarker);
  const end = existing.indexOf(endMarker);
  const document =
    start !== -1 && end > start
      ? `${existing.slice(0, start)}${block}${existing.slice(end + endMarker.length)}`
      : `${existing.trimEnd()}\n\n## Soak\n\n${block}\n`;
  await writeFile(documentPath, document);
}
