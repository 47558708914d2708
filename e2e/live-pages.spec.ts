import path from 'node:path';
import type { Page } from '@playwright/test';
import { startParley, type ParleyProcess } from '../test/support/processes.ts';
import { expect, expectNoAxeViolations, signIn, test } from './fixtures.ts';
import { clickAndLoad } from './pages/common.ts';
import { messagesNavigationCount } from './pages/dashboard.ts';

/**
 * Live pages across two web processes: staff use the server Playwright started (web, worker and receiver in one
 * process); the jobseeker uses a second web process (`node src/main.ts --web`) on the same database. A message sent
 * on one appears on the other's open page without a reload, and the staff dashboard offers "New messages – refresh"
 * while the navigation's count goes up. Every page is scanned, with what the live updates added to it.
 */
let secondWeb: ParleyProcess;

test.beforeAll(async () => {
  const databaseUrl = process.env.DATABASE_URL;
  const data = process.env.PARLEY_E2E_DATA;
  if (!databaseUrl || !data) throw new Error('run the browser tests with `npm run test:e2e`');
  secondWeb = await startParley({
    mode: 'web',
    env: {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      LOAD_DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      FILE_STORAGE_DIR: path.join(data, 'files'),
      MAIL_DIR: path.join(data, 'mail'),
    },
  });
});

test.afterAll(async () => {
  await secondWeb.stop();
});

/** Marks the document, so that a test can tell the page was not loaded again. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => document.documentElement.setAttribute('data-test-not-reloaded', ''));
}

test('a message sent on one web process appears on the other side’s open page without a reload', async ({
  page,
  browser,
  scene,
}) => {
  // Two browsers, two servers and sixteen scans (each at two widths): under a busy machine's load each scan can take
  // ten seconds, more than test.slow() allows.
  test.setTimeout(360_000);
  const { staff, jobseeker, application } = await scene('interviewing');
  const question = `Could you come in on Monday? ${Date.now()}`;
  const answer = `Monday suits me ${Date.now()}`;

  const jobseekerContext = await browser.newContext({ baseURL: secondWeb.url });
  const theirs = await jobseekerContext.newPage();
  try {
    await signIn(theirs, jobseeker.email);
    await theirs.goto(`/applications/${application.id}`);
    await expectNoAxeViolations(theirs);
    const theirMessages = theirs.getByRole('region', { name: 'Messages' });
    await expect(theirMessages.getByText('There are no messages yet.')).toBeVisible();
    await markDocument(theirs);

    await signIn(page, staff.email);
    await page.goto(`/staff/applications/${application.id}`);
    await expectNoAxeViolations(page);
    const ourMessages = page.getByRole('region', { name: 'Messages' });
    await ourMessages.getByRole('textbox', { name: 'Send a message to the applicant', exact: true }).fill(question);
    await clickAndLoad(ourMessages.getByRole('button', { name: 'Send message' }));
    await expectNoAxeViolations(page);

    // On the other process, the jobseeker's open page shows it, without a reload, and says so politely.
    const arrived = theirMessages.getByRole('listitem').filter({ hasText: question });
    await expect(arrived).toBeVisible({ timeout: 15_000 });
    await expect(arrived).toContainText('Amara Okafor');
    await expect(theirs.locator('html[data-test-not-reloaded]')).toHaveCount(1);
    await expect(theirs.locator('[aria-live="polite"][data-parley-live-announcer]')).toHaveText(
      /^New message from Amara Okafor/,
    );
    await expect(theirMessages.getByText('There are no messages yet.')).toHaveCount(0);
    await expectNoAxeViolations(theirs);

    // Jobseekers may reply once staff have written: the page, loaded again, offers the form.
    await theirs.reload();
    await expectNoAxeViolations(theirs);

    // Staff wait on their dashboard; the jobseeker replies on the other process.
    await page.goto('/staff/messages');
    await expectNoAxeViolations(page);
    await expect(messagesNavigationCount(page)).toHaveCount(0);
    await markDocument(page);
    await theirMessages.getByRole('textbox', { name: 'Reply', exact: true }).fill(answer);
    await clickAndLoad(theirMessages.getByRole('button', { name: 'Send message' }));
    await expectNoAxeViolations(theirs);

    const notice = page.getByRole('region', { name: 'Important' });
    await expect(notice).toContainText('New messages – refresh', { timeout: 15_000 });
    await expect(messagesNavigationCount(page)).toHaveText('1 unread conversation');
    await expect(page.locator('html[data-test-not-reloaded]')).toHaveCount(1);
    await expectNoAxeViolations(page);
    await clickAndLoad(notice.getByRole('link', { name: 'refresh' }));
    await expectNoAxeViolations(page);
    await expect(page.getByRole('region', { name: 'Important' })).toHaveCount(0);
    await expect(page.getByText('Sam Taylor').first()).toBeVisible();

    // Staff open the conversation: the reply is there, and the next one arrives live on staff's page too.
    await page.goto(`/staff/applications/${application.id}`);
    await expectNoAxeViolations(page);
    await expect(ourMessages.getByRole('listitem').filter({ hasText: answer })).toBeVisible();
    await markDocument(page);
    const more = `And I can bring my certificates ${Date.now()}`;
    await theirMessages.getByRole('textbox', { name: 'Reply', exact: true }).fill(more);
    await clickAndLoad(theirMessages.getByRole('button', { name: 'Send message' }));
    await expectNoAxeViolations(theirs);
    await expect(ourMessages.getByRole('listitem').filter({ hasText: more })).toBeVisible({ timeout: 15_000 });
    await expect(page.locator('html[data-test-not-reloaded]')).toHaveCount(1);
    await expectNoAxeViolations(page);
  } finally {
    await jobseekerContext.close();
  }
});
