import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { projectRoot } from '../../src/config.ts';
import { embeddedPostgresHome } from '../../src/platform/embedded-postgres.ts';
import { freePort } from '../support/ports.ts';

/**
 * Starts Parley exactly as `npm start` does (node src/main.ts, embedded PostgreSQL, development mode) in a fresh
 * data folder: first start, a restart, and a start after a crash that left the database server running.
 */
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-start-'));
const databasePort = await freePort();
after(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.rm(embeddedPostgresHome(projectRoot, dataDir), { recursive: true, force: true });
});

async function startService(): Promise<{ child: ChildProcess; port: number; readyMs: number; output: () => string }> {
  const port = await freePort();
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(databasePort),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (let waited = 0; waited < 90_000; waited += 100) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/ready`);
      if (response.ok) return { child, port, readyMs: Math.round(performance.now() - startedAt), output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the service did not become ready in 90 s:\n${output}`);
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

describe('npm start', () => {
  test('first start: embedded database, migrations, demo data, ready, sign-in page; SIGTERM stops cleanly', async () => {
    const service = await startService();
    const signIn = await fetch(`http://127.0.0.1:${service.port}/sign-in`);
    assert.equal(signIn.status, 200);
    const html = await signIn.text();
    assert.match(html, /Sign in/);
    assert.match(html, /amara\.okafor@oakfield-primary\.example/, 'development lists the demo accounts');
    assert.match(service.output(), /demo data loaded/);
    service.child.kill('SIGTERM');
    assert.equal(await exited(service.child), 0, service.output());
    assert.match(service.output(), /"msg":"stopped"/);
    process.stdout.write(`# first start ready in ${service.readyMs} ms\n`);
  });

  test('second start keeps the data and does not load the demo data again', async () => {
    const service = await startService();
    assert.ok(!service.output().includes('demo data loaded'));
    const jobs = await (await fetch(`http://127.0.0.1:${service.port}/jobs`)).text();
    assert.equal(jobs.match(/Year 3 class teacher/g)?.length, 1, 'the demo vacancies are there once');
    service.child.kill('SIGTERM');
    assert.equal(await exited(service.child), 0, service.output());
    process.stdout.write(`# second start ready in ${service.readyMs} ms\n`);
  });

  test('a crashed run (killed, its database server left running) does not stop the next start', async () => {
    const crashed = await startService();
    crashed.child.kill('SIGKILL');
    await exited(crashed.child);
    const service = await startService();
    assert.equal((await fetch(`http://127.0.0.1:${service.port}/ready`)).status, 200);
    service.child.kill('SIGTERM');
    assert.equal(await exited(service.child), 0, service.output());
  });
});
