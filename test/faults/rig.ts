/**
 * The fault suite's test rig: everything a fault test breaks, started by the test itself so that it can stop it.
 * Its own embedded PostgreSQL cluster (stopped and started again by the PostgreSQL test), an in-process SMTP server,
 * optionally a real clamd, and Parley as real processes (`node src/main.ts --web` / `--worker`), all on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { projectRoot } from '../../src/config.ts';
import { createDatabase, migrateToLatest, type Db } from '../../src/platform/db.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/platform/embedded-postgres.ts';
import { startClamd, type RunningClamd } from '../support/clamd.ts';
import { freePort } from '../support/ports.ts';
import { exited } from '../support/processes.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

/** A Parley process of the rig. */
export interface RigProcess {
  name: string;
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface Rig {
  databaseUrl: string;
  /** The test's own connection pool, for checking what was stored. */
  db: Db;
  smtp: TestSmtpServer;
  clamd: RunningClamd | null;
  /** Where the web processes keep attachments (unless a process is given its own). */
  filesDir: string;
  sessionSecret: string;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  startWeb(options?: { env?: Record<string, string>; wrap?: string[]; name?: string }): Promise<RigProcess>;
  startWorker(options?: { env?: Record<string, string> }): Promise<RigProcess>;
  close(): Promise<void>;
}

/** Polls `read` until it returns something other than undefined, or throws after the deadline. */
export async function waitFor<T>(
  what: string,
  read: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

async function recreateDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const { db } = createDatabase(url.toString(), 1);
  await migrateToLatest(db);
  await db.destroy();
  return url.toString();
}

export async function startRig(label: string, options: { clamd?: boolean } = {}): Promise<Rig> {
  const postgresOptions = {
    projectRoot,
    dataDir: path.join(projectRoot, '.data'),
    port: await freePort(),
    clusterName: `faults-postgres-${label}`,
  };
  let embedded: EmbeddedDatabase | undefined = await startEmbeddedPostgres(postgresOptions);
  const databaseUrl = await recreateDatabase(embedded.connectionString('postgres'), 'parley_faults');
  const { db } = createDatabase(databaseUrl, 4);
  const smtp = await startSmtpServer();
  const clamd = options.clamd ? await startClamd() : null;
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), `parley-faults-${label}-`));
  const filesDir = path.join(scratch, 'files');
  await fs.mkdir(filesDir);
  const sessionSecret = `faults-${label}-a-secret-shared-by-every-process-0123456789`;
  const processes: RigProcess[] = [];

  function environment(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      // The suite counts every stored file, message and email: the demo's (sent through the real services) would
      // be counted with the load's.
      LOAD_DEMO_DATA: 'false',
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
      SESSION_SECRET: sessionSecret,
      EMAIL_TRANSPORT: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_REQUIRE_TLS: 'false',
      JOBSEEKER_EMAIL_DELAY_SECONDS: '1',
      EMAIL_RETRY_DELAY_SECONDS: '1',
      FILE_STORAGE_DIR: filesDir,
      ...(clamd ? { CLAMD_HOST: clamd.host, CLAMD_PORT: String(clamd.port) } : {}),
      ...extra,
    };
  }

  async function start(
    mode: 'web' | 'worker',
    input: { env?: Record<string, string>; wrap?: string[]; name?: string },
  ): Promise<RigProcess> {
    const port = mode === 'web' ? await freePort() : 0;
    const name = input.name ?? `${mode}-${processes.length + 1}`;
    const nodeArguments = ['src/main.ts', `--${mode}`];
    const [command, ...args] = input.wrap
      ? [...input.wrap, process.execPath, ...nodeArguments]
      : [process.execPath, ...nodeArguments];
    const child = spawn(command ?? process.execPath, args, {
      cwd: projectRoot,
      env: environment({ PORT: String(port), ...input.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const url = `http://127.0.0.1:${port}`;
    const started: RigProcess = {
      name,
      child,
      port,
      url,
      output: () => output,
      async stop(signal: NodeJS.Signals = 'SIGTERM') {
        if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
        child.kill(signal);
        return exited(child);
      },
    };
    processes.push(started);
    // If the test process ends without close(), leave nothing running.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    await waitFor(
      `${name} to be ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
        if (mode === 'worker') return output.includes('Parley is ready') ? true : undefined;
        const ready = await fetch(`${url}/ready`).then(
          (response) => response.ok,
          () => false,
        );
        return ready ? true : undefined;
      },
      90_000,
    );
    return started;
  }

  return {
    databaseUrl,
    db,
    smtp,
    clamd,
    filesDir,
    sessionSecret,
    async stopPostgres() {
      await embedded?.stop();
      embedded = undefined;
    },
    async startPostgres() {
      embedded ??= await startEmbeddedPostgres(postgresOptions);
    },
    startWeb: (input = {}) => start('web', input),
    startWorker: (input = {}) => start('worker', input),
    async close() {
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      await db.destroy().catch(() => undefined);
      await smtp.stop();
      await clamd?.stop();
      await embedded?.stop();
      await fs.rm(scratch, { recursive: true, force: true });
    },
  };
}

/** Whether `unshare` and `mount` can give one process a small filesystem of its own. */
export function canMountPrivately(): boolean {
  return existsSync('/usr/bin/unshare') && existsSync('/usr/bin/mount');
}
