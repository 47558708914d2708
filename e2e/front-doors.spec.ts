import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, expectNoAxeViolations, signIn, signOut, test } from './fixtures.ts';
import { clickAndLoad, errorSummary, serviceNavigationLink, successBanner } from './pages/common.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { ApplyPage } from './pages/apply-page.ts';
import {
  createAdministrator,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
} from '../test/support/factories.ts';
import { ukDateString } from '../src/web/format.ts';

/**
 * The front doors, from a deployment with only its bootstrap administrator: the administrator invites a colleague,
 * who signs in and publishes a vacancy; a jobseeker signs up, confirms their address from the email, and applies;
 * staff message them; the jobseeker forgets their password and resets it. Every page is scanned by axe. The emails
 * are read where a developer reads them, at /dev/mail.
 */

/** The link to `path` in the newest email with this subject to this address, as /dev/mail shows it. */
async function linkFromEmail(page: Page, to: string, subject: string, path: string): Promise<string> {
  let link = '';
  await expect(async () => {
    const response = await page.request.get('/dev/mail');
    const html = await response.text();
    const sections = html.split('<section').filter((section) => section.includes(subject) && section.includes(to));
    const match = new RegExp(`https?://[^\\s<"]+(${path.replace(/[/?]/g, '\\$&')}[^\\s<"]*)`).exec(sections[0] ?? '');
    expect(match?.[1], `an email "${subject}" to ${to} with a ${path} link`).toBeTruthy();
    link = (match?.[1] ?? '').replace(/&amp;/g, '&');
  }).toPass({ timeout: 60_000 });
  await page.goto('/dev/mail');
  await expectNoAxeViolations(page);
  await expect(page.getByRole('heading', { name: subject }).first()).toBeVisible();
  return link;
}

test('a school runs itself: colleagues, vacancies, sign-up, applying, messaging and a password reset', async ({
  page,
  db,
}) => {
  // About forty pages, each scanned at two widths, and four password hashes: minutes on a busy two-core machine.
  test.setTimeout(1_200_000);
  const run = randomUUID().slice(0, 8);
  const school = await createOrganisation(db, 'school', `Elmwood Primary ${run}`);
  const admin = await createAdministrator(db, [school.id], 'Ada Bootstrap');
  const colleagueEmail = `colleague-${run}@elmwood.example`;
  const colleaguePassword = 'colleague password 123';
  const jobseekerEmail = `jobseeker-${run}@example.com`;
  const jobseekerPassword = 'jobseeker password 123';
  const newJobseekerPassword = 'a brand new password 456';
  const title = `Year 5 class teacher ${run}`;

  // The administrator invites a colleague.
  await signIn(page, admin.email);
  await clickAndLoad(serviceNavigationLink(page, 'Colleagues'));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: school.name }));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('button', { name: 'Invite a colleague' }));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('button', { name: 'Send invitation' }));
  await expectNoAxeViolations(page);
  await expect(errorSummary(page)).toContainText('Enter their email address');
  await page.getByLabel('Their work email address').fill(colleagueEmail);
  await page.getByLabel('No, a member').check();
  await clickAndLoad(page.getByRole('button', { name: 'Send invitation' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText(`We have sent an invitation to ${colleagueEmail}`);
  await signOut(page);

  // The colleague accepts the invitation from the email, and signs in.
  const invitation = await linkFromEmail(
    page,
    colleagueEmail,
    `You have been invited to join ${school.name} on Parley`,
    '/invitations/accept?token=',
  );
  await page.goto(invitation);
  await expectNoAxeViolations(page);
  await expect(page.getByRole('heading', { name: `Join ${school.name}` })).toBeVisible();
  await page.getByLabel('Full name').fill('Cal Colleague');
  await page.getByLabel('Password').fill(colleaguePassword);
  await clickAndLoad(page.getByRole('button', { name: 'Create account and join' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText(`You have joined ${school.name}`);
  await new SignInPage(page).signIn(colleagueEmail, colleaguePassword);
  await expect(page).toHaveURL(/\/staff\/vacancies$/);
  await expectNoAxeViolations(page);

  // The colleague creates a vacancy (a mistake first), then publishes it.
  await clickAndLoad(page.getByRole('button', { name: 'Create a vacancy' }));
  await expectNoAxeViolations(page);
  await page.getByLabel('Job title').fill(title);
  await clickAndLoad(page.getByRole('button', { name: 'Save as draft' }));
  await expectNoAxeViolations(page);
  await expect(errorSummary(page)).toContainText('Enter a description of the job');
  await expect(page.getByLabel('Job title')).toHaveValue(title);
  const [year, month, day] = ukDateString(new Date(Date.now() + 30 * 86_400_000)).split('-');
  await page.getByLabel('Description').fill('Teach a happy Year 5 class in a village school.');
  await page.getByLabel('Contract').fill('Permanent');
  await page.getByLabel('Hours').fill('Full time');
  await page.getByLabel('Day').fill(String(Number(day)));
  await page.getByLabel('Month').fill(String(Number(month)));
  await page.getByLabel('Year').fill(year ?? '');
  await page.getByLabel('Closing time').fill('5pm');
  await clickAndLoad(page.getByRole('button', { name: 'Save as draft' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Vacancy saved as a draft');
  await clickAndLoad(page.getByRole('button', { name: 'Publish vacancy' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Vacancy published');
  await signOut(page);

  // A jobseeker finds the job, creates an account, confirms the address and applies.
  await page.goto('/jobs');
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: title }));
  await expectNoAxeViolations(page);
  await expect(page.getByText('5pm (UK time)')).toBeVisible();
  await clickAndLoad(page.getByRole('link', { name: 'Create an account' }));
  await expectNoAxeViolations(page);
  await page.getByLabel('Full name').fill('Jess Jobseeker');
  await page.getByLabel('Email address').fill(jobseekerEmail);
  await page.getByLabel('Password').fill(jobseekerPassword);
  await clickAndLoad(page.getByRole('button', { name: 'Create account' }));
  await expectNoAxeViolations(page);
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  const confirmLink = await linkFromEmail(
    page,
    jobseekerEmail,
    'Confirm your email address for Parley',
    '/verify-email?token=',
  );
  await page.goto(confirmLink);
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('button', { name: 'Confirm email address' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Your email address is confirmed');
  await new SignInPage(page).signIn(jobseekerEmail, jobseekerPassword);
  await expectNoAxeViolations(page);
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await clickAndLoad(page.getByRole('button', { name: 'Apply for this job' }));
  await expectNoAxeViolations(page);
  const applyPage = new ApplyPage(page);
  await expect(applyPage.fullName).toHaveValue('Jess Jobseeker');
  await applyPage.personalStatement.fill('I have taught Year 5 for four years and love it.');
  await applyPage.submit();
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Your application has been submitted');
  await signOut(page);

  // Staff message the applicant.
  const marker = `Interview-${run}`;
  await signIn(page, colleagueEmail, colleaguePassword);
  await clickAndLoad(page.getByRole('link', { name: title }));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: 'Jess Jobseeker' }));
  await expectNoAxeViolations(page);
  const messages = page.getByRole('region', { name: 'Messages' });
  await messages
    .getByRole('textbox', { name: 'Send a message to the applicant', exact: true })
    .fill(`Could you come for an interview on Tuesday? ${marker}`);
  await clickAndLoad(messages.getByRole('button', { name: 'Send message' }));
  await expectNoAxeViolations(page);
  await expect(messages.getByText(marker)).toBeVisible();
  await signOut(page);

  // The jobseeker has forgotten their password, and resets it.
  const signInPage = new SignInPage(page);
  await signInPage.goto();
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: 'Forgotten your password?' }));
  await expectNoAxeViolations(page);
  await page.getByLabel('Email address').fill(jobseekerEmail);
  await clickAndLoad(page.getByRole('button', { name: 'Send the link' }));
  await expectNoAxeViolations(page);
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  const resetLink = await linkFromEmail(page, jobseekerEmail, 'Reset your Parley password', '/reset-password?token=');
  await page.goto(resetLink);
  await expectNoAxeViolations(page);
  await page.getByLabel('New password', { exact: true }).fill(newJobseekerPassword);
  await page.getByLabel('Confirm new password').fill('not the same');
  await clickAndLoad(page.getByRole('button', { name: 'Change password' }));
  await expectNoAxeViolations(page);
  await expect(errorSummary(page)).toContainText('Enter the same password in both boxes');
  await page.getByLabel('New password', { exact: true }).fill(newJobseekerPassword);
  await page.getByLabel('Confirm new password').fill(newJobseekerPassword);
  await clickAndLoad(page.getByRole('button', { name: 'Change password' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Your password has been changed');
  await signInPage.signIn(jobseekerEmail, newJobseekerPassword);
  await expectNoAxeViolations(page);
  await clickAndLoad(serviceNavigationLink(page, 'Messages 1 unread conversation'));
  await expectNoAxeViolations(page);
  await expect(page.getByText(title).first()).toBeVisible();

  // The used link now explains itself.
  await page.goto(resetLink);
  await expectNoAxeViolations(page);
  await expect(page.getByRole('heading', { name: 'This link has already been used' })).toBeVisible();
});

test("the administrators' and vacancies' other pages: roles, removal, the audit log, editing and closing", async ({
  page,
  db,
}) => {
  test.setTimeout(600_000);
  const run = randomUUID().slice(0, 8);
  const school = await createOrganisation(db, 'school', `Ashgrove School ${run}`);
  const admin = await createAdministrator(db, [school.id], 'Ash Admin');
  await createStaff(db, [school.id], 'Morgan Member');
  const vacancy = await createVacancy(db, school.id, { title: `Caretaker ${run}` });

  await signIn(page, admin.email);
  await page.goto(`/staff/organisations/${school.id}/colleagues`);
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: 'Change role of Morgan Member' }));
  await expectNoAxeViolations(page);
  await page.getByLabel('Yes, an administrator').check();
  await clickAndLoad(page.getByRole('button', { name: 'Save role' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Morgan Member is now an administrator');
  await clickAndLoad(page.getByRole('link', { name: 'Remove Morgan Member' }));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('button', { name: 'Remove colleague' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Morgan Member has been removed');
  await clickAndLoad(page.getByRole('link', { name: 'Audit log' }));
  await expectNoAxeViolations(page);
  await expect(page.getByText('Ash Admin removed Morgan Member')).toBeVisible();

  await page.goto(`/staff/vacancies/${vacancy.id}`);
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('button', { name: 'Edit vacancy' }));
  await expectNoAxeViolations(page);
  await page.getByLabel('Closing time').fill('teatime');
  await clickAndLoad(page.getByRole('button', { name: 'Save changes' }));
  await expectNoAxeViolations(page);
  await expect(errorSummary(page)).toContainText('Enter the closing time like 5pm, 9:30am or 17:00');
  await page.getByLabel('Job title').fill(`Site manager ${run}`);
  await page.getByLabel('Contract').fill('Permanent');
  await page.getByLabel('Hours').fill('Full time');
  await page.getByLabel('Closing time').fill('9:30am');
  await clickAndLoad(page.getByRole('button', { name: 'Save changes' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Your changes have been saved');
  await clickAndLoad(page.getByRole('button', { name: 'Close vacancy early' }));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('button', { name: 'Close vacancy' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Vacancy closed');
  await signOut(page);

  // A jobseeker who has not confirmed their address is asked to, before applying.
  const open = await createVacancy(db, school.id, { title: `Cook ${run}` });
  const unconfirmed = await createJobseeker(db, 'Una Unconfirmed');
  await db.updateTable('users').set({ email_verified_at: null }).where('id', '=', unconfirmed.id).execute();
  await signIn(page, unconfirmed.email);
  await page.goto(`/jobs/${open.id}`);
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('button', { name: 'Apply for this job' }));
  await expectNoAxeViolations(page);
  await expect(page.getByRole('heading', { name: 'Confirm your email address to apply' })).toBeVisible();
  await clickAndLoad(page.getByRole('button', { name: 'Send a new link' }));
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('We have sent a new link');
});
