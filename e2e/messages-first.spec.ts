import type { Page } from '@playwright/test';
import {
  createApplication,
  createJobseeker,
  createStaff,
  createTrustWithSchools,
  createVacancy,
} from '../test/support/factories.ts';
import { phoneViewport } from './axe.ts';
import { expect, expectNoAxeViolations, signIn, signInTo, signOut, test } from './fixtures.ts';
import { messageSender } from './messaging-support.ts';
import { clickAndLoad, successBanner } from './pages/common.ts';
import { Conversation } from './pages/conversation.ts';

/**
 * Issue 11 in a browser at a phone's width: the conversation leads the applicant's page, the confirmation of a sent
 * message is where the person is, counts are in sight without opening the menu, tables fit the screen, and the
 * dashboard's filters, select all and undo work with and without JavaScript.
 */

async function fitsTheScreen(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${page.url()} is wider than the screen`).toBeLessThanOrEqual(0);
}

test.describe('on a phone', () => {
  test.use({ viewport: phoneViewport });

  test('the conversation comes first, the confirmation is in sight, and the applicant sees the count', async ({
    page,
    scene,
  }) => {
    const { staff, jobseeker, application } = await scene('interviewing');
    const conversation = new Conversation(page);
    await signInTo(page, `/staff/applications/${application.id}`, staff.email);
    const messagesTop = (await page.getByRole('heading', { name: 'Messages', level: 2 }).boundingBox())?.y ?? 0;
    const applicationTop = (await page.getByRole('heading', { name: 'Application', level: 2 }).boundingBox())?.y ?? 0;
    expect(messagesTop).toBeLessThan(applicationTop);
    await fitsTheScreen(page);

    await conversation.messageBox('Send a message to the applicant').click();
    await conversation.type('Please bring your lesson plan on Tuesday.');
    await conversation.send();
    await expectNoAxeViolations(page);
    await expect(successBanner(page)).toContainText('Your message has been sent');
    await expect(successBanner(page)).toBeInViewport();
    await expect(conversation.messages.first()).toContainText('You');
    await signOut(page);

    await signIn(page, jobseeker.email);
    // Without opening the menu: the count is above the page.
    await expect(page.getByRole('link', { name: 'Messages: 1 unread' })).toBeVisible();
    await clickAndLoad(page.getByRole('link', { name: 'Messages: 1 unread' }));
    await expectNoAxeViolations(page);
    await expect(page.getByText('Please bring your lesson plan on Tuesday.')).toBeVisible();
    await page.goto('/applications');
    await expectNoAxeViolations(page);
    await expect(page.getByRole('cell', { name: /1 unread/ })).toBeVisible();
    await fitsTheScreen(page);
  });
});

async function trustScene(db: Parameters<typeof messageSender>[0]) {
  const send = messageSender(db);
  const { trust, schools } = await createTrustWithSchools(db, 2);
  const staff = await createStaff(db, [trust.id], 'Claire Davies');
  const maths = await createVacancy(db, schools[0]!.id, { title: 'Teacher of mathematics' });
  const science = await createVacancy(db, schools[1]!.id, { title: 'Teacher of science' });
  const people = [
    { name: 'Wendy Waiting', vacancy: maths, staffFirst: false },
    { name: 'Andy Answered', vacancy: maths, staffFirst: true },
    { name: 'Sid Science', vacancy: science, staffFirst: true },
  ];
  for (const person of people) {
    const jobseeker = await createJobseeker(db, person.name);
    const application = await createApplication(db, {
      vacancyId: person.vacancy.id,
      jobseeker,
      status: 'interviewing',
    });
    if (person.staffFirst) await send(application.id, jobseeker, 'A question from me');
    if (person.staffFirst) await send(application.id, staff, 'An answer from the school');
    else await send(application.id, jobseeker, 'Still waiting for an answer');
  }
  return { staff, schools };
}

for (const javaScriptEnabled of [false, true]) {
  test.describe(`the dashboard's filters, select all and undo, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('filter, select all on the page, archive, undo', async ({ page, db }) => {
      // Eleven pages, each scanned with axe at two widths: over a minute on a shared machine.
      test.slow();
      const { staff, schools } = await trustScene(db);
      await signIn(page, staff.email);
      await page.goto('/staff/messages');
      await expectNoAxeViolations(page);
      const candidates = page.locator('td[data-label="Candidate"] a');
      await expect(candidates).toHaveCount(3);

      await page.getByText('Filter conversations').click();
      await page.getByLabel('Awaiting our reply').check();
      await clickAndLoad(page.getByRole('button', { name: 'Apply filters' }));
      await expectNoAxeViolations(page);
      await expect(candidates).toHaveText(['Wendy Waiting']);
      await clickAndLoad(page.getByRole('link', { name: 'Clear filters' }));
      await expectNoAxeViolations(page);
      // A trust member chooses the school, then one of its jobs.
      await page.getByText('Filter conversations').click();
      await page.getByLabel('School').selectOption({ label: schools[0]!.name });
      await clickAndLoad(page.getByRole('button', { name: 'Apply filters' }));
      await expectNoAxeViolations(page);
      await expect(candidates).toHaveCount(2);
      await page.getByLabel('Job').selectOption({ label: `Teacher of mathematics (${schools[0]!.name})` });
      await clickAndLoad(page.getByRole('button', { name: 'Apply filters' }));
      await expectNoAxeViolations(page);
      await expect(candidates).toHaveCount(2);

      const selectAll = page.getByRole('link', { name: 'Select all conversations on this page' });
      if (javaScriptEnabled) await selectAll.click();
      else {
        await clickAndLoad(selectAll);
        await expectNoAxeViolations(page);
      }
      await expect(page.locator('input[name="conversationIds"]:checked')).toHaveCount(2);
      await clickAndLoad(page.getByRole('button', { name: 'Archive selected' }));
      await expectNoAxeViolations(page);
      await expect(successBanner(page)).toContainText('2 conversations archived');
      await expect(candidates).toHaveCount(0);
      await clickAndLoad(page.getByRole('button', { name: /^Undo/ }));
      await expectNoAxeViolations(page);
      await expect(successBanner(page)).toContainText('2 conversations moved to your inbox');
      await expect(candidates).toHaveCount(2);
      await fitsTheScreen(page);
      await page.setViewportSize(phoneViewport);
      await fitsTheScreen(page);
    });
  });
}
