/**
 * Parley as production runs it: real child processes (`node src/main.ts --web`, `--worker`) with NODE_ENV=production,
 * their secrets, DATABASE_URL and SMTP to the benchmark's local sink. Logs go to files under .data/bench/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../src/config.ts';

export const benchLogFolder = path.join(projectRoot, '.data', 'bench');

export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

function environmentFor(settings: ParleyEnvironment): NodeJS.ProcessEnv {
  // Only what production would be given; nothing inherited from a developer's shell decides the figures.
  const parleyVariable =
    /^(DATABASE_|SMTP_|EMAIL_|NOTIFY_|CLAMD_|S3_|STORAGE_|TRUST_PROXY|FILE_STORAGE|LOG_LEVEL|LOAD_DEMO_DATA|SECURE_COOKIES|JOBSEEKER_EMAIL|PORT$|HOST$|BASE_URL)/;
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !parleyVariable.test(name)));
  return {
    ...env,
    NODE_ENV: 'production',
    SESSION_SECRET: settings.sessionSecret,
    BASE_URL: `http://127.0.0.1:${settings.port}`,
    DATABASE_URL: settings.databaseUrl,
    PORT: String(settings.port),
    HOST: '127.0.0.1',
    EMAIL_TRANSPORT: 'smtp',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(settings.smtpPort),
    // The sink speaks plain SMTP on the loopback interface; a real relay would be reached over TLS.
    SMTP_REQUIRE_TLS: 'false',
    FILE_STORAGE_DIR: path.join(benchLogFolder, 'files'),
    ...(settings.poolSize ? { DATABASE_POOL_SIZE: String(settings.poolSize) } : {}),
    ...settings.extraEnv,
  };
}

export interface ParleyProcess {
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Peak resident memory so far (VmHWM), in MB. */
  peakMemoryMb(): Promise<number>;
  stop(): Promise<void>;
}

export interface ParleyEnvironment {
  databaseUrl: string;
  port: number;
  smtpPort: number;
  sessionSecret: string;
  /** Write a V8 CPU profile of each process to .data/bench/profiles/ when it stops. */
  profile?: boolean;
  /** DATABASE_POOL_SIZE; Parley's default when absent. */
  poolSize?: number | null;
  /** Settings of one scenario (live pages' limits, the reply receiver's domain and port). */
  extraEnv?: Record<string, string>;
}

function startProcess(
  mode: '--web' | '--worker' | '--inbound',
  settings: ParleyEnvironment,
  name: string,
): ParleyProcess {
  fs.mkdirSync(benchLogFolder, { recursive: true });
  const logFile = path.join(benchLogFolder, `${name}.log`);
  const out = fs.openSync(logFile, 'w');
  const profiling = settings.profile
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${path.join(benchLogFolder, 'profiles')}`,
        `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`,
      ]
    : [];
  const child = spawn(process.execPath, [...profiling, path.join(projectRoot, 'src/main.ts'), mode], {
    cwd: projectRoot,
    env: environmentFor(settings),
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid,
    child,
    logFile,
    async peakMemoryMb() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kilobytes = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
      return kilobytes / 1024;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(30_000, true)]);
      if (timedOut) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** The web process, once /ready answers. */
export async function startWeb(settings: ParleyEnvironment, name = 'web'): Promise<ParleyProcess> {
  const web = startProcess('--web', settings, name);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (web.child.exitCode !== null)
      throw new Error(`the web process exited with ${web.child.exitCode}; see ${web.logFile}`);
    const ready = await fetch(`http://127.0.0.1:${settings.port}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return web;
    if (Date.now() > deadline) throw new Error(`the web process did not become ready; see ${web.logFile}`);
    await sleep(200);
  }
}

export function startWorkers(settings: ParleyEnvironment, count: number): ParleyProcess[] {
  return Array.from({ length: count }, (_, index) => startProcess('--worker', settings, `worker-${index + 1}`));
}

/** The receiver of replies by email (`npm run inbound`), once it logs that it listens. */
export async function startInbound(settings: ParleyEnvironment, name = 'inbound'): Promise<ParleyProcess> {
  const inbound = startProcess('--inbound', settings, name);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (inbound.child.exitCode !== null)
      throw new Error(`the reply receiver exited with ${inbound.child.exitCode}; see ${inbound.logFile}`);
    const log = await readFile(inbound.logFile, 'utf8').catch(() => '');
    if (log.includes('reply receiver listening')) return inbound;
    if (Date.now() > deadline) throw new Error(`the reply receiver did not start; see ${inbound.logFile}`);
    await sleep(200);
  }
}

/** Resident memory now (VmRSS), in MB. */
export async function residentMemoryMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}
