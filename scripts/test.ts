/**
 * `npm test`: every test. Unit and integration tests run with node's test runner against a real PostgreSQL (an
 * embedded server in its own folder unless DATABASE_URL is set); browser tests run with Playwright in Debian's
 * Chromium against a real server process.
 *
 *   npm test                    all three layers
 *   npm run test:unit           unit tests only (no database)
 *   npm run test:integration    unit + integration tests
 *   npm run test:e2e            browser tests only
 */
import { spawn } from 'node:child_process';
import { glob } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../src/config.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/platform/embedded-postgres.ts';
import { createDatabase, migrateToLatest } from '../src/platform/db.ts';
import { freePort } from '../test/support/ports.ts';
import { chromiumPath, clamdPath, ensureTools } from './test-prerequisites.ts';

const argv = process.argv.slice(2);
const only = argv.find((a) => ['--unit', '--integration', '--e2e'].includes(a));
const runUnit = !only || only === '--unit' || only === '--integration';
const runIntegration = !only || only === '--integration';
const runBrowser = !only || only === '--e2e';
// Any other arguments name test files (or parts of their paths) to run on their own, for example
// `npm run test:integration -- test/integration/messaging.test.ts` or `npm run test:e2e -- e2e/dashboard.spec.ts`.
const filters = argv.filter((a) => !a.startsWith('--'));

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

/** Makes an empty, migrated database for one layer of tests on the given server. */
async function freshDatabase(serverUrl: string, name: string): Promise<string> {
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
  const { db } = createDatabase(url.toString(), 2);
  await migrateToLatest(db);
  await db.destroy();
  return url.toString();
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env }, cwd: projectRoot });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  // On a fresh Debian machine, as root, this installs Chromium and ClamAV; otherwise it says how.
  const problem = await ensureTools({ browser: runBrowser, clamd: runIntegration });
  if (problem) fail(problem);

  let embedded: EmbeddedDatabase | undefined;
  let serverUrl = process.env.DATABASE_URL;
  const needsDatabase = runIntegration || runBrowser;
  if (needsDatabase && !serverUrl) {
    embedded = await startEmbeddedPostgres({
      projectRoot,
      dataDir: path.join(projectRoot, '.data'),
      port: await freePort(),
      clusterName: 'test-postgres',
    });
    serverUrl = embedded.connectionString('postgres');
    process.stdout.write(`Tests use an embedded PostgreSQL in ${embedded.dataDir}\n`);
  } else if (needsDatabase) {
    process.stdout.write('Tests use the PostgreSQL server at DATABASE_URL\n');
  }

  let exitCode = 0;
  try {
    if (runUnit) {
      const files = [];
      for await (const file of glob(
        runIntegration ? 'test/{unit,integration}/**/*.test.ts' : 'test/unit/**/*.test.ts',
        { cwd: projectRoot },
      )) {
        if (filters.length === 0 || filters.some((filter) => file.includes(filter))) files.push(file);
      }
      files.sort();
      const env: NodeJS.ProcessEnv = { NODE_ENV: 'test', LOG_LEVEL: 'silent' };
      if (runIntegration && serverUrl) env.DATABASE_URL = await freshDatabase(serverUrl, 'parley_test_integration');
      exitCode ||= await run(
        process.execPath,
        ['--test', '--test-reporter=spec', '--test-timeout=120000', ...files],
        env,
      );
    }
    if (runBrowser && serverUrl) {
      const databaseUrl = await freshDatabase(serverUrl, 'parley_test_browser');
      exitCode ||= await run(
        process.execPath,
        [path.join(projectRoot, 'node_modules/@playwright/test/cli.js'), 'test', ...filters],
        {
          NODE_ENV: 'test',
          DATABASE_URL: databaseUrl,
          CHROMIUM_PATH: chromiumPath,
          CLAMD_PATH: clamdPath,
        },
      );
    }
  } finally {
    await embedded?.stop();
  }
  process.exit(exitCode);
}

if (import.meta.main) {
  main().catch((error: unknown) =>
    fail(`The tests could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  );
}
