import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { freePort } from './test/support/ports.ts';

/**
 * Browser journeys: Debian's Chromium against the real service, started as `npm start` starts it, on the database
 * that `npm run test:e2e` created for them. Tests make their own data (e2e/fixtures.ts).
 */
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  throw new Error('DATABASE_URL is not set: run the browser tests with `npm run test:e2e`, which prepares a database');
}

// Playwright loads this file again in every worker process; the port chosen by the first load reaches the workers
// through their inherited environment, so the server and every worker agree on it.
process.env.PARLEY_E2E_PORT ??= String(await freePort());
const port = Number(process.env.PARLEY_E2E_PORT);
// The receiver of replies by email (src/replies), which /dev/mail's "Reply to this email" sends to.
process.env.PARLEY_E2E_INBOUND_PORT ??= String(await freePort());
const baseURL = `http://127.0.0.1:${port}`;
// The server's files (attachments, and the emails the development transport writes) go to a fresh folder.
process.env.PARLEY_E2E_DATA ??= mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'));
export const e2eDataDir = process.env.PARLEY_E2E_DATA;

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  // Two workers beat one by about a fifth on a two-core machine (server, database and browsers share it).
  workers: 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  // A journey scans a dozen pages; on a small, busy machine that can take 20 s.
  timeout: 60_000,
  expect: { timeout: 5_000 },
  reporter: 'list',
  use: {
    baseURL,
    headless: true,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-background-networking',
            '--disable-gpu',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            '--disable-quic',
          ],
        },
      },
    },
  ],
  webServer: {
    command: `"${process.execPath}" src/main.ts`,
    url: `${baseURL}/ready`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    env: {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOAD_DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      FILE_STORAGE_DIR: path.join(e2eDataDir, 'files'),
      MAIL_DIR: path.join(e2eDataDir, 'mail'),
      // Jobseeker emails go a second after a message here (two minutes by default), so a journey can see one.
      JOBSEEKER_EMAIL_DELAY_SECONDS: '1',
      REPLY_EMAIL_DOMAIN: 'reply.parley.test',
      INBOUND_PORT: process.env.PARLEY_E2E_INBOUND_PORT,
    },
  },
});
