import type { Page } from '@playwright/test';
import type { Db } from '../src/platform/db.ts';
import { createApplication, createJobseeker } from '../test/support/factories.ts';
import { expect, expectNoAxeViolations, signIn, test } from './fixtures.ts';
import { clickAndLoad, errorSummary, serviceNavigationLink, successBanner } from './pages/common.ts';
import { vacancyUrls } from '../src/vacancies/urls.ts';
import { applicationUrls } from '../src/applications/urls.ts';

/**
 * Acting on many applicants at once (issue 14): a shared template, a bulk message with a status change, a bulk
 * message sent later, and changing and cancelling a message waiting to go. With JavaScript (the rich-text editor,
 * conditional reveals) and without (plain forms, "Use template" as a GET form). Every page is scanned by axe.
 */

test.describe.configure({ timeout: 420_000 });

/** A template shared with the school, written straight into the database (its own journey is tested above). */
async function createSharedTemplate(db: Db, authorId: string, organisationId: string, name: string, bodyHtml: string) {
  await db
    .insertInto('message_templates')
    .values({ author_user_id: authorId, organisation_id: organisationId, name, body_html: bodyHtml })
    .execute();
}

/** The date in the UK `days` from now, as the date fields take it. */
function ukDate(days: number) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'numeric',
    year: 'numeric',
  }).formatToParts(new Date(Date.now() + days * 86_400_000));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { day: part('day'), month: part('month'), year: part('year') };
}

/** Types into a message box, the rich-text editor or the plain text box alike. */
async function typeMessage(page: Page, label: string, text: string, javaScriptEnabled: boolean) {
  const box = page.getByRole('textbox', { name: label, exact: true });
  if (javaScriptEnabled) {
    await box.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(text);
  } else {
    await box.fill(text);
  }
}

async function fillSendLater(page: Page, days: number, time: string) {
  const date = ukDate(days);
  await page.getByRole('group', { name: 'Date to send later' }).getByLabel('Day').fill(date.day);
  await page.getByRole('group', { name: 'Date to send later' }).getByLabel('Month').fill(date.month);
  await page.getByRole('group', { name: 'Date to send later' }).getByLabel('Year').fill(date.year);
  await page.getByLabel('Time to send later (UK time)').fill(time);
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test('a template shared with the school, refused for a misspelt placeholder, then saved', async ({
      page,
      scene,
    }) => {
      const { school, staff } = await scene('submitted');

      await signIn(page, staff.email);

      // A template shared with the school, refused first for a misspelt placeholder.
      await clickAndLoad(serviceNavigationLink(page, 'Templates'));
      await expectNoAxeViolations(page);
      await clickAndLoad(page.getByRole('button', { name: 'Create a template' }));
      await expectNoAxeViolations(page);
      await expect(page.getByRole('complementary', { name: 'Placeholders you can use' })).toContainText(
        '((first name))',
      );
      await page.getByLabel('Name', { exact: true }).fill('Not progressing');
      await page.getByLabel(`Everyone at ${school.name}`).check();
      await typeMessage(page, 'Message', 'Dear ((frist name)), thank you for applying.', javaScriptEnabled);
      await clickAndLoad(page.getByRole('button', { name: 'Save template' }));
      await expectNoAxeViolations(page);
      await expect(errorSummary(page)).toContainText('((frist name)) is not a placeholder you can use');
      await typeMessage(page, 'Message', 'Dear ((first name)), thank you for applying.', javaScriptEnabled);
      await clickAndLoad(page.getByRole('button', { name: 'Save template' }));
      await expectNoAxeViolations(page);
      await expect(successBanner(page)).toContainText('Template saved');
      await expect(page.locator('#template-preview')).toContainText('Dear Sam, thank you for applying.');
    });

    test('a bulk message from a template, with a status change, previewed per applicant', async ({
      page,
      scene,
      db,
    }) => {
      const { school, staff, vacancy, jobseeker } = await scene('submitted');
      const priya = await createJobseeker(db, 'Priya Shah');
      await createApplication(db, { vacancyId: vacancy.id, jobseeker: priya, status: 'submitted' });

      await signIn(page, staff.email);
      await createSharedTemplate(
        db,
        staff.id,
        school.id,
        'Not progressing',
        '<p>Dear ((first name)), thank you for applying.</p>',
      );
      // Tick two applicants on the New tab; message them with the template and move them to Not progressing.
      await page.goto(vacancyUrls.staffVacancy(vacancy.id));
      await expectNoAxeViolations(page);
      await clickAndLoad(page.getByRole('button', { name: 'Message selected applicants' }));
      await expectNoAxeViolations(page);
      await expect(errorSummary(page)).toContainText('Select at least one applicant');
      await page.getByLabel(`Select ${jobseeker.fullName}`).check();
      await page.getByLabel('Select Priya Shah').check();
      await clickAndLoad(page.getByRole('button', { name: 'Message selected applicants' }));
      await expectNoAxeViolations(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Message 2 applicants');
      await page.getByLabel('Start from a template (optional)').selectOption({ label: 'Not progressing' });
      await clickAndLoad(page.getByRole('button', { name: 'Use template' }));
      await expectNoAxeViolations(page);
      await page.getByLabel('Move them to ‘Not progressing’').check();
      await clickAndLoad(page.getByRole('button', { name: 'Preview' }));
      await expectNoAxeViolations(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your message');
      await expect(page.locator('#preview-copy')).toHaveText('Dear Sam, thank you for applying.');
      await page.getByLabel('Show the copy for').selectOption({ label: 'Priya Shah' });
      await clickAndLoad(page.getByRole('button', { name: 'Show copy' }));
      await expectNoAxeViolations(page);
      await expect(page.locator('#preview-copy')).toHaveText('Dear Priya, thank you for applying.');
      await clickAndLoad(page.getByRole('button', { name: 'Send 2 messages' }));
      await expectNoAxeViolations(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Messages sent');
      await expect(page.locator('#sent li')).toHaveCount(2);
      await expect(page.locator('#sent')).toContainText('moved to ‘Not progressing’');
    });

    test('a bulk message sent later, then changed and cancelled on the applicant’s page', async ({ page, scene }) => {
      const { staff, vacancy, application } = await scene('submitted');
      await signIn(page, staff.email);
      await page.goto(vacancyUrls.staffVacancy(vacancy.id));
      await expectNoAxeViolations(page);
      // The one left on the New tab: "select all", a message for later.
      await clickAndLoad(page.getByRole('button', { name: 'Message all 1 on this tab' }));
      await expectNoAxeViolations(page);
      await typeMessage(page, 'Message', 'Hello ((first name)), a reminder about your interview.', javaScriptEnabled);
      await page.getByLabel('Later', { exact: true }).check();
      await fillSendLater(page, -1, '9am');
      await clickAndLoad(page.getByRole('button', { name: 'Preview' }));
      await expectNoAxeViolations(page);
      await expect(errorSummary(page)).toContainText('The time to send must be in the future');
      await typeMessage(page, 'Message', 'Hello ((first name)), a reminder about your interview.', javaScriptEnabled);
      await fillSendLater(page, 2, '9:30am');
      await clickAndLoad(page.getByRole('button', { name: 'Preview' }));
      await expectNoAxeViolations(page);
      await clickAndLoad(page.getByRole('button', { name: 'Schedule 1 message' }));
      await expectNoAxeViolations(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Messages scheduled');

      // The sender's side of Sam's thread shows it waiting, with change and cancel.
      await page.goto(applicationUrls.staffApplication(application.id));
      await expectNoAxeViolations(page);
      const waiting = page.locator('.parley-message--scheduled');
      await expect(waiting).toContainText('Hello Sam, a reminder about your interview.');
      await clickAndLoad(waiting.getByRole('link', { name: /^Change/ }));
      await expectNoAxeViolations(page);
      await typeMessage(page, 'Message', 'Hello Sam, see you on Thursday.', javaScriptEnabled);
      await page.getByLabel('Time to send (UK time)', { exact: true }).fill('10am');
      await clickAndLoad(page.getByRole('button', { name: 'Save changes' }));
      await expectNoAxeViolations(page);
      await expect(successBanner(page)).toContainText('Your scheduled message has been changed');
      await expect(waiting).toContainText('Hello Sam, see you on Thursday.');
      await clickAndLoad(waiting.getByRole('button', { name: /^Cancel the message/ }));
      await expectNoAxeViolations(page);
      await expect(successBanner(page)).toContainText('Your scheduled message has been cancelled');
      await expect(waiting).toHaveCount(0);
    });
  });
}
