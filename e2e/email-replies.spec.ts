import type { Page } from '@playwright/test';
import { expect, expectNoAxeViolations, signIn, signOut, test } from './fixtures.ts';
import { clickAndLoad, successBanner } from './pages/common.ts';

/**
 * The whole loop of a reply by email, as the demo shows it: staff send a message, the jobseeker's email (at
 * /dev/mail) has a Reply-To address, "Reply to this email" sends a real SMTP email to the receiver, and the reply
 * lands in the conversation. Staff then see when the applicant first read their message. Every page is scanned at
 * desktop width and at 390 px.
 */
async function scanAtBothWidths(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoAxeViolations(page);
  if (desktop) await page.setViewportSize(desktop);
}

test('a reply to the email lands in the thread, and staff see when the applicant read their message', async ({
  page,
  scene,
}) => {
  test.slow(); // a long journey with three sign-ins and an email each way, on a busy machine
  const { staff, jobseeker, application, school } = await scene('interviewing');
  const question = `Could you come in on Monday? ${Date.now()}`;
  const answer = `Monday suits me, thank you ${Date.now()}`;

  await signIn(page, staff.email);
  await page.goto(`/staff/applications/${application.id}`);
  await expectNoAxeViolations(page);
  const messages = page.getByRole('region', { name: 'Messages' });
  await messages.getByRole('textbox', { name: 'Send a message to the applicant', exact: true }).fill(question);
  await clickAndLoad(messages.getByRole('button', { name: 'Send message' }));
  await expectNoAxeViolations(page);
  await expect(messages.getByText('Seen by the applicant')).toHaveCount(0);

  // The jobseeker's email, with its offer to reply by email.
  const subject = `New message from ${school.name}`;
  await expect(async () => {
    const mailbox = await page.request.get('/dev/mail');
    expect(await mailbox.text()).toContain(subject);
  }).toPass({ timeout: 30_000 });
  await page.goto('/dev/mail');
  await expectNoAxeViolations(page);
  const email = page.locator('section').filter({ has: page.getByRole('heading', { name: subject }) });
  await expect(email).toContainText('You can also reply to this email');
  await clickAndLoad(email.getByRole('link', { name: /Reply to this email/ }));
  await scanAtBothWidths(page);
  await clickAndLoad(page.getByRole('button', { name: 'Send reply' }));
  await expectNoAxeViolations(page);
  await expect(page.getByRole('link', { name: 'Enter your reply' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Your reply' }).fill(answer);
  await clickAndLoad(page.getByRole('button', { name: 'Send reply' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Your reply was sent to the receiver');

  // The reply is in the thread, from the applicant, without the quoted email.
  await page.goto(`/staff/applications/${application.id}`);
  await expectNoAxeViolations(page);
  const reply = messages.getByRole('listitem').filter({ hasText: answer });
  await expect(reply).toContainText('Sam Taylor');
  await expect(reply).not.toContainText('wrote:');
  // The applicant has not opened the page: nothing is seen yet.
  await expect(messages.getByText('Seen by the applicant')).toHaveCount(0);
  await signOut(page);

  await signIn(page, jobseeker.email);
  await page.goto(`/applications/${application.id}`);
  await scanAtBothWidths(page);
  await expect(page.getByText(/Seen by/)).toHaveCount(0);
  await signOut(page);

  await signIn(page, staff.email);
  await page.goto(`/staff/applications/${application.id}`);
  await scanAtBothWidths(page);
  const mine = messages.getByRole('listitem').filter({ hasText: question });
  await expect(mine.getByText(/^Seen by the applicant, \d{1,2} \w+ \d{4} at /)).toBeVisible();
  await expect(reply.getByText('Seen by')).toHaveCount(0);
});

test('staff choose an email for each new message', async ({ page, scene }) => {
  test.slow();
  const { staff } = await scene();
  await signIn(page, staff.email);
  await page.goto('/settings');
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: 'Choose how often we email you about applicants’ messages' }));
  await scanAtBothWidths(page);
  await expect(page.getByRole('radio', { name: 'A daily summary' })).toBeChecked();
  await page.getByRole('radio', { name: 'An email for each new message' }).check();
  await clickAndLoad(page.getByRole('button', { name: 'Save' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('You will get an email for each new message');
});
