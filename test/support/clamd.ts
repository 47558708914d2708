// Starts a real clamd (Debian package clamav-daemon) for integration tests, with a throwaway
// configuration and a one-signature database built here that detects the EICAR test file.
// No freshclam, no network: the official databases are never needed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { createClamdScanner } from '../../src/platform/malware-scanner.ts';

export const clamdPath = '/usr/sbin/clamd';

/** The name our database gives EICAR; clamd reports it with ".UNOFFICIAL" appended. */
export const eicarSignatureName = 'Eicar-Test-Signature';

/**
 * The 68-byte EICAR anti-virus test file, assembled at run time so that the repository never
 * holds it as one string (which would trip scanners looking at the source tree).
 */
export function eicarTestFile(): Buffer {
  const parts = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-', 'ANTIVIRUS-TEST-FILE!$H+H*'];
  return Buffer.from(parts.join(''), 'latin1');
}

export type RunningClamd = {
  host: string;
  port: number;
  socketPath: string;
  /** How long clamd took to answer PING after being started. */
  startedInMs: number;
  stop(): Promise<void>;
};

export type ClamdOptions = {
  /** clamd's StreamMaxLength (e.g. "1M"); INSTREAM data beyond it is refused. Default "25M". */
  streamMaxLength?: string;
  /** How long to wait for clamd to answer PING. Default 60 s. */
  startTimeoutMs?: number;
};

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

export async function startClamd(options: ClamdOptions = {}): Promise<RunningClamd> {
  if (!existsSync(clamdPath)) {
    throw new Error('clamd not found: install it with apt-get install -y clamav-daemon');
  }
  const host = '127.0.0.1';
  const port = await freePort();
  const directory = await mkdtemp(path.join(tmpdir(), 'parley-clamd-'));
  const databaseDirectory = path.join(directory, 'db');
  const socketPath = path.join(directory, 'clamd.sock');
  const logFile = path.join(directory, 'clamd.log');
  await mkdir(databaseDirectory);

  // An extended ("body") signature: name:target type (0 = any file):offset (* = anywhere):hex.
  // It matches EICAR inside any file, including inside archives that clamd unpacks.
  const eicarHex = eicarTestFile().toString('hex');
  await writeFile(path.join(databaseDirectory, 'parley-test.ndb'), `${eicarSignatureName}:0:*:${eicarHex}\n`);

  const configFile = path.join(directory, 'clamd.conf');
  await writeFile(
    configFile,
    [
      'Foreground yes',
      `TCPSocket ${port}`,
      `TCPAddr ${host}`,
      `LocalSocket ${socketPath}`,
      `DatabaseDirectory ${databaseDirectory}`,
      `LogFile ${logFile}`,
      `PidFile ${path.join(directory, 'clamd.pid')}`,
      `TemporaryDirectory ${directory}`,
      `StreamMaxLength ${options.streamMaxLength ?? '25M'}`,
      // Without a "User" line clamd keeps the user it was started as (root in CI is fine).
      '',
    ].join('\n'),
  );

  const started = Date.now();
  const child = spawn(clamdPath, ['--config-file', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const state = { exited: false };
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      state.exited = true;
      resolve();
    });
    child.once('error', (error) => {
      output += `\n${error.message}`;
      state.exited = true;
      resolve();
    });
  });
  // If the test process ends without stop(), do not leave clamd behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (!state.exited) {
      child.kill('SIGTERM');
      const timer = new AbortController();
      const timedOut = await Promise.race([exit.then(() => false), sleep(10_000, true, { signal: timer.signal })]);
      timer.abort();
      if (timedOut) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    await rm(directory, { recursive: true, force: true });
  };

  const scanner = createClamdScanner({ host, port }, 1_000);
  const deadline = started + (options.startTimeoutMs ?? 60_000);
  while (!(await scanner.ping())) {
    if (state.exited || Date.now() > deadline) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      await stop();
      throw new Error(
        `clamd ${state.exited ? 'exited' : 'did not answer PING in time'}.\n--- output ---\n${output}\n--- log ---\n${log}`,
      );
    }
    await sleep(100);
  }

  return { host, port, socketPath, startedInMs: Date.now() - started, stop };
}
