import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createContainer, type Container } from '../../src/container.ts';
import { fixedClock, systemClock, type Clock } from '../../src/platform/clock.ts';
import { createApp } from '../../src/web/app.ts';
import { createDatabase, migrateToLatest } from '../../src/platform/db.ts';

/** The database the test runner prepared (fresh and migrated). Integration tests never run without one. */
export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error('DATABASE_URL is not set: run the integration tests with `npm test` or `npm run test:integration`');
  return url;
}

/**
 * A real container (real PostgreSQL) for one test file, closed when the file ends.
 * Pass a clock to control time.
 */
export function testContainer(
  options: { clock?: Clock; env?: Record<string, string>; databaseUrl?: string } = {},
): Container {
  const databaseUrl = options.databaseUrl ?? testDatabaseUrl();
  // Files (attachments, development emails) go to a folder of this test file's own, never to .data/.
  const files = mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  after(() => rm(files, { recursive: true, force: true }));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    FILE_STORAGE_DIR: path.join(files, 'attachments'),
    MAIL_DIR: path.join(files, 'mail'),
    ...options.env,
  });
  const container = createContainer({
    config,
    logger: pino({ level: 'silent' }),
    databaseUrl,
    clock: options.clock ?? systemClock,
  });
  after(() => container.close());
  return container;
}

export async function testApp(container: Container): Promise<FastifyInstance> {
  const app = await createApp(container.web);
  await app.ready();
  after(() => app.close());
  return app;
}

export { fixedClock };

/**
 * A database of its own on the test server, migrated, dropped when the file ends: for tests whose state is global
 * (the daily email run is one per date) or that start other processes.
 */
export async function isolatedDatabase(label: string): Promise<string> {
  const name = `parley_test_${label}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const { db } = createDatabase(url.toString(), 1);
  await migrateToLatest(db);
  await db.destroy();
  after(async () => {
    const cleanup = new pg.Client({ connectionString: testDatabaseUrl() });
    await cleanup.connect();
    await cleanup.query(`drop database if exists "${name}" with (force)`);
    await cleanup.end();
  });
  return url.toString();
}
