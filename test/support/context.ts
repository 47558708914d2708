import { after } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createContainer, type Container } from '../../src/container.ts';
import { fixedClock, systemClock, type Clock } from '../../src/platform/clock.ts';
import { createApp } from '../../src/web/app.ts';

/** The database the test runner prepared (fresh and migrated). Integration tests never run without one. */
export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the integration tests with `npm test` or `npm run test:integration`');
  return url;
}

/**
 * A real container (real PostgreSQL) for one test file, closed when the file ends.
 * Pass a clock to control time.
 */
export function testContainer(options: { clock?: Clock; env?: Record<string, string> } = {}): Container {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: testDatabaseUrl(), ...options.env });
  const container = createContainer({
    config,
    logger: pino({ level: 'silent' }),
    databaseUrl: testDatabaseUrl(),
    clock: options.clock ?? systemClock,
  });
  after(() => container.close());
  return container;
}

export async function testApp(container: Container): Promise<FastifyInstance> {
  const app = await createApp(container);
  await app.ready();
  after(() => app.close());
  return app;
}

export { fixedClock };
