import { expect, expectNoAxeViolations, signIn, signOut, test } from './fixtures.ts';
import { clickAndLoad, serviceNavigationLink } from './pages/common.ts';

/**
 * Staff send a message; the jobseeker sees the count in the header, opens the notification, lands on the
 * conversation and the count drops; the email (no message text in it) appears in the development mailbox.
 */
test('a message reaches the jobseeker as a notification and an email', async ({ page, scene }) => {
  // Two sign-ins, four pages scanned at two widths, and the development mailbox, which holds every email the whole
  // suite has sent by then (its scan alone takes 10–20 s late in a run on a busy two-core machine).
  test.slow();
  const { staff, jobseeker, application, school, vacancy } = await scene('submitted');
  const marker = `Quince-${Date.now()}`;

  await signIn(page, staff.email);
  await page.goto(`/staff/applications/${application.id}`);
  await expectNoAxeViolations(page);
  const messages = page.getByRole('region', { name: 'Messages' });
  await messages
    .getByRole('textbox', { name: 'Send a message to the applicant', exact: true })
    .fill(`Could you come in on Monday? ${marker}`);
  await clickAndLoad(messages.getByRole('button', { name: 'Send message' }));
  await expectNoAxeViolations(page);
  await expect(messages.getByText(marker)).toBeVisible();
  await signOut(page);

  await signIn(page, jobseeker.email);
  const notificationsLink = serviceNavigationLink(page, 'Notifications 1 unread notification');
  await expect(notificationsLink).toBeVisible();
  await clickAndLoad(notificationsLink);
  await expectNoAxeViolations(page);
  const notification = page.getByRole('link', { name: `${school.name} sent you a message about ${vacancy.title}` });
  await clickAndLoad(notification);
  await expectNoAxeViolations(page);
  await expect(page).toHaveURL(new RegExp(`/applications/${application.id}#messages$`));
  await expect(page.getByRole('region', { name: 'Messages' }).getByText(marker)).toBeVisible();
  await expect(serviceNavigationLink(page, 'Notifications')).toBeVisible();
  await expect(page.getByText('unread notification')).toHaveCount(0);

  // The email goes a second after the message (JOBSEEKER_EMAIL_DELAY_SECONDS in playwright.config.ts).
  const subject = `New message from ${school.name}`;
  await expect(async () => {
    const mailbox = await page.request.get('/dev/mail');
    expect(await mailbox.text()).toContain(subject);
  }).toPass({ timeout: 30_000 });
  await page.goto('/dev/mail');
  await expectNoAxeViolations(page);
  const email = page.locator('section').filter({ has: page.getByRole('heading', { name: subject }) });
  await expect(email.getByText(jobseeker.email)).toBeVisible();
  await expect(email.getByText(vacancy.title).first()).toBeVisible();
  await expect(email).not.toContainText(marker);
});
