import { readFile } from 'node:fs/promises';
import { createStaff, createOrganisation } from '../test/support/factories.ts';
import { readPdf } from '../test/support/pdf.ts';
import { expect, expectNoAxeViolations, signIn, test } from './fixtures.ts';
import { clickAndLoad, errorSummary, serviceNavigationLink, successBanner } from './pages/common.ts';
import { StaffApplicationPage } from './pages/staff-application-page.ts';
import type { Page } from '@playwright/test';

/** Notes with mentions, the conversation PDF, holds, retention settings and the jobseeker's own data (src/notes, src/records). */

// Each journey scans a dozen pages at two widths: on a busy two-core machine that takes longer than the default.
test.beforeEach(() => {
  test.slow();
});

async function downloadedText(page: Page, click: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await download.path();
  return (await readPdf(await readFile(file))).pages.join('\n');
}

test('staff write a note mentioning a colleague, who is told', async ({ page, scene, db, browser }) => {
  const { school, staff, application } = await scene('submitted');
  const colleague = await createStaff(db, [school.id], 'Ben Hughes');

  await signIn(page, staff.email);
  const applicationPage = new StaffApplicationPage(page);
  await applicationPage.goto(application.id);
  await expectNoAxeViolations(page);

  // An empty note is refused, the chosen colleague stays chosen.
  await page.getByRole('checkbox', { name: 'Ben Hughes' }).check();
  await clickAndLoad(page.getByRole('button', { name: 'Add note' }));
  await expectNoAxeViolations(page);
  await expect(errorSummary(page)).toContainText('Enter a note');
  await expect(page.getByRole('checkbox', { name: 'Ben Hughes' })).toBeChecked();

  await page.getByLabel('Add a note').fill('Strong **phonics** answer, Ben please check references');
  await clickAndLoad(page.getByRole('button', { name: 'Add note' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Note added');
  const note = page.locator('.parley-note').first();
  await expect(note).toContainText('Note by Amara Okafor');
  await expect(note.locator('strong', { hasText: 'phonics' })).toBeVisible();
  await expect(note).toContainText('Mentioned: Ben Hughes');

  // Change it within 15 minutes: shown as edited.
  await clickAndLoad(note.getByRole('link', { name: /Change/ }));
  await expectNoAxeViolations(page);
  await page.getByLabel('Note').fill('Strong phonics answer. Ben, please check the references.');
  await clickAndLoad(page.getByRole('button', { name: 'Save note' }));
  await expectNoAxeViolations(page);
  await expect(page.locator('.parley-note').first()).toContainText('Edited');

  // The colleague is told, and follows the application.
  const context = await browser.newContext();
  const other = await context.newPage();
  await signIn(other, colleague.email);
  // The navigation link's name carries the count ("Notifications 1 unread notification").
  await clickAndLoad(other.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Notifications/ }));
  await expectNoAxeViolations(other);
  await clickAndLoad(other.getByRole('link', { name: /Amara Okafor mentioned you in a note/ }));
  await expectNoAxeViolations(other);
  await expect(other.getByText('You are following this application.')).toBeVisible();
  await context.close();
});

test('staff download the conversation with notes as a PDF, and place a hold', async ({ page, scene }) => {
  const { staff, application } = await scene('submitted');
  await signIn(page, staff.email);
  const applicationPage = new StaffApplicationPage(page);
  await applicationPage.goto(application.id);
  await expectNoAxeViolations(page);
  await page.getByLabel('Add a note').fill('Strong phonics answer. Ben, please check the references.');
  await clickAndLoad(page.getByRole('button', { name: 'Add note' }));
  await expectNoAxeViolations(page);

  // The PDF, with the notes.
  await page.getByRole('checkbox', { name: 'Include staff notes' }).check();
  const text = await downloadedText(page, () =>
    page.getByRole('button', { name: 'Download conversation (PDF)' }).click(),
  );
  expect(text).toContain('Applicant: Sam Taylor');
  expect(text).toContain('Ben, please check the references.');
  expect(text).toContain('Exported by Amara Okafor on');

  // Hold: refused without a reason, then placed.
  await clickAndLoad(page.getByRole('button', { name: 'Place a hold' }));
  await expectNoAxeViolations(page);
  await expect(errorSummary(page)).toContainText('Enter why this application must be kept');
  await page.getByLabel('Place a hold (the application will not be deleted)').fill('Complaint received');
  await clickAndLoad(page.getByRole('button', { name: 'Place a hold' }));
  await expectNoAxeViolations(page);
  await expect(page.locator('#records')).toContainText('This application is on hold and will not be deleted');
});

test('retention settings: every error at once, then saved', async ({ page, scene }) => {
  const { school, staff } = await scene('submitted');
  await signIn(page, staff.email);
  await clickAndLoad(serviceNavigationLink(page, 'Settings'));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: 'How long your schools keep applications' }));
  await expectNoAxeViolations(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Retention settings');
  await clickAndLoad(page.getByRole('link', { name: `Change retention for ${school.name}` }));
  await expectNoAxeViolations(page);
  await page.getByLabel('Applicants who were not offered the job').fill('six');
  await page.getByLabel('Applicants who were offered the job').fill('0');
  await clickAndLoad(page.getByRole('button', { name: 'Save retention settings' }));
  await expectNoAxeViolations(page);
  await expect(errorSummary(page).getByRole('link')).toHaveCount(2);
  await page.getByLabel('Applicants who were not offered the job').fill('4');
  await page.getByLabel('Applicants who were offered the job').fill('12');
  await clickAndLoad(page.getByRole('button', { name: 'Save retention settings' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Retention settings saved');
  await expect(page.getByRole('row', { name: new RegExp(school.name) })).toContainText('4 months');
});

test('the jobseeker downloads their conversation and sees what deleting their account does', async ({
  page,
  scene,
}) => {
  const { jobseeker, application } = await scene('shortlisted');
  await signIn(page, jobseeker.email);
  await page.goto(`/applications/${application.id}`);
  await expectNoAxeViolations(page);
  await expect(page.getByRole('checkbox', { name: 'Include staff notes' })).toHaveCount(0);
  const text = await downloadedText(page, () =>
    page.getByRole('button', { name: 'Download conversation (PDF)' }).click(),
  );
  expect(text).toContain('Conversation with Sam Taylor');
  expect(text).not.toContain('Staff notes');

  await clickAndLoad(serviceNavigationLink(page, 'Settings'));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: 'Download your data or delete your account' }));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: 'Delete your account' }));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('button', { name: 'Continue' }));
  await expectNoAxeViolations(page);
  await expect(errorSummary(page)).toContainText('Select yes if you want to delete your account');
  await page.getByRole('radio', { name: 'Yes, delete my account' }).check();
  await clickAndLoad(page.getByRole('button', { name: 'Continue' }));
  await expectNoAxeViolations(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account has been deleted');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('notes and mentions work as plain forms; a mention of someone who cannot see it is refused', async ({
    page,
    scene,
    db,
  }) => {
    const { school, staff, application } = await scene('submitted');
    await createStaff(db, [school.id], 'Ben Hughes');
    const elsewhere = await createOrganisation(db);
    const outsider = await createStaff(db, [elsewhere.id], 'Olive Outsider');
    await signIn(page, staff.email);
    await page.goto(`/staff/applications/${application.id}`);
    await expectNoAxeViolations(page);
    // A forged choice: the list only offers colleagues who can see the application.
    await page.getByRole('checkbox', { name: 'Ben Hughes' }).evaluate((box, id) => {
      (box as HTMLInputElement).value = id;
    }, outsider.id);
    await page.getByRole('checkbox', { name: 'Ben Hughes' }).check();
    await page.getByLabel('Add a note').fill('A note');
    await clickAndLoad(page.getByRole('button', { name: 'Add note' }));
    await expectNoAxeViolations(page);
    await expect(errorSummary(page)).toContainText(
      'You cannot mention Olive Outsider: they cannot see this application',
    );
    await expect(page.getByLabel('Add a note')).toHaveValue('A note');
    await page.getByRole('checkbox', { name: 'Ben Hughes' }).uncheck();
    await clickAndLoad(page.getByRole('button', { name: 'Add note' }));
    await expectNoAxeViolations(page);
    await expect(successBanner(page)).toContainText('Note added');
  });
});
