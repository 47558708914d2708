/**
 * The staff daily email over the whole data set: worker processes (`node src/main.ts --worker`) start the day's run
 * themselves (startDailyRunIfDue at start-up), queue one job per recipient and send through SMTP to a sink in this
 * process. Timed from the run's transaction (daily_email_runs.created_at is its now()) to the last email accepted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { queueDefinitions } from '../src/platform/queue.ts';
import { cpuPer, type CpuMeter, type CpuSample } from './cpu.ts';
import { startWorkers, type ParleyEnvironment } from './processes.ts';

export interface SmtpSink {
  port: number;
  accepted: number;
  lastAcceptedAt: number;
  stop(): Promise<void>;
}

export async function startSmtpSink(port: number): Promise<SmtpSink> {
  const sink: SmtpSink = {
    port,
    accepted: 0,
    lastAcceptedAt: 0,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 100,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        sink.accepted += 1;
        sink.lastAcceptedAt = Date.now();
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return sink;
}

export interface DailyEmailResult {
  recipients: number;
  sent: number;
  nothingToSend: number;
  seconds: number;
  /** Time to queue the jobs (the run's transaction: listing recipients and inserting one job each). */
  queueingSeconds: number;
  emailsPerSecond: number;
  timedOut: boolean;
  workers: number;
  /** CPU ms per email sent: the workers, PostgreSQL, and this process (the SMTP sink). */
  cpu: CpuSample | null;
}

const dailyQueue = queueDefinitions.staffDailyEmail.name;

/** Forgets any earlier run, so that starting the workers starts today's run again over the same data. */
async function resetDailyRun(client: pg.Client): Promise<void> {
  await client.query(`delete from daily_email_runs`);
  await client.query(`delete from email_deliveries where kind = 'staff_daily'`);
  const boss = await client.query<{ exists: boolean }>(`select to_regclass('pgboss.job') is not null as exists`);
  if (boss.rows[0]?.exists) {
    // Earlier daily jobs, and the jobseeker emails queued by the sending benchmark, would compete for the workers.
    await client.query(`delete from pgboss.job where name in ($1, $2)`, [
      dailyQueue,
      queueDefinitions.jobseekerMessageEmail.name,
    ]);
  }
}

export async function measureDailyEmail(
  client: pg.Client,
  settings: ParleyEnvironment,
  sink: SmtpSink,
  workerCount: number,
  log: (line: string) => void,
  meter: CpuMeter | null = null,
  timeoutSeconds = 1200,
): Promise<DailyEmailResult> {
  await resetDailyRun(client);
  const acceptedBefore = sink.accepted;
  const workers = startWorkers(settings, workerCount);
  const cpu = () => meter?.sample(workers.map((worker) => worker.pid)) ?? null;
  let cpuBefore: CpuSample | null = null;
  try {
    const deadline = Date.now() + timeoutSeconds * 1000;
    let runStartedAt: number | null = null;
    let recipients = 0;
    let queuedAt: number | null = null;
    let lastReport = Date.now();
    for (;;) {
      for (const worker of workers) {
        if (worker.child.exitCode !== null)
          throw new Error(`a worker exited with ${worker.child.exitCode}; see ${worker.logFile}`);
      }
      if (runStartedAt === null) {
        const { rows } = await client.query<{ created_at: Date }>(`select created_at from daily_email_runs`);
        if (rows[0]) {
          runStartedAt = rows[0].created_at.getTime();
          cpuBefore = cpu();
        }
      }
      if (runStartedAt !== null) {
        const { rows } = await client.query<{ total: string; open: string }>(
          `select count(*) as total, count(*) filter (where state in ('created', 'retry', 'active')) as open from pgboss.job where name = $1`,
          [dailyQueue],
        );
        const total = Number(rows[0]?.total ?? 0);
        const open = Number(rows[0]?.open ?? 0);
        if (total > 0 && queuedAt === null) {
          recipients = total;
          queuedAt = Date.now();
        }
        if (total > 0 && open === 0) break;
        if (Date.now() - lastReport > 10_000) {
          log(
            `    daily email: ${total - open} of ${total} jobs done, ${sink.accepted - acceptedBefore} emails accepted`,
          );
          lastReport = Date.now();
        }
      }
      if (Date.now() > deadline) break;
      await sleep(250);
    }
    const timedOut = Date.now() > deadline;
    const cpuAfter = cpu();
    const { rows } = await client.query<{ sent: string; jobs: string; completed: string }>(
      `select (select count(*) from email_deliveries where kind = 'staff_daily' and status = 'sent') as sent,
              (select count(*) from pgboss.job where name = $1) as jobs,
              (select count(*) from pgboss.job where name = $1 and state = 'completed') as completed`,
      [dailyQueue],
    );
    const sent = Number(rows[0]?.sent ?? 0);
    const completed = Number(rows[0]?.completed ?? 0);
    const start = runStartedAt ?? Date.now();
    const end = timedOut ? Date.now() : Math.max(sink.lastAcceptedAt, start);
    const seconds = (end - start) / 1000;
    return {
      recipients: Number(rows[0]?.jobs ?? recipients),
      sent,
      nothingToSend: Math.max(0, completed - sent),
      seconds,
      queueingSeconds: queuedAt !== null ? (queuedAt - start) / 1000 : Number.NaN,
      emailsPerSecond: sent / Math.max(seconds, 0.001),
      timedOut,
      workers: workerCount,
      cpu: cpuBefore && cpuAfter ? cpuPer(cpuBefore, cpuAfter, sent) : null,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}
