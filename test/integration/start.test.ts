import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { projectRoot } from '../../src/config.ts';
import { embeddedPostgresHome } from '../../src/platform/embedded-postgres.ts';
import { freePort } from '../support/ports.ts';
import { exited, startParley, type ParleyProcess } from '../support/processes.ts';

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

async function startService(): Promise<ParleyProcess> {
  return startParley({
    env: {
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(databasePort),
      LOG_LEVEL: 'info',
    },
  });
}

describe('npm start', () => {
  test('first start: embedded database, migrations, demo data, ready, sign-in page; SIGTERM stops cleanly', async () => {
    const service = await startService();
    const signIn = await fetch(`${service.url}/sign-in`);
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
    const jobs = await (await fetch(`${service.url}/jobs`)).text();
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
    assert.equal((await fetch(`${service.url}/ready`)).status, 200);
    service.child.kill('SIGTERM');
    assert.equal(await exited(service.child), 0, service.output());
  });
});
