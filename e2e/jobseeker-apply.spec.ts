import { expect, expectNoAxeViolations, signIn, test } from './fixtures.ts';
import { ApplyPage } from './pages/apply-page.ts';
import { clickAndLoad, serviceNavigationLink } from './pages/common.ts';
import { JobPage } from './pages/job-page.ts';
import { JobseekerApplicationPage, JobseekerApplicationsPage } from './pages/jobseeker-application-page.ts';
import { WithdrawPage } from './pages/withdraw-page.ts';

test('a jobseeker saves a draft, submits it later, then withdraws it', async ({ page, scene }) => {
  // Eleven pages, each scanned with axe at two widths: it reached the 60 s timeout on a shared 2-CPU machine.
  test.slow();
  const { vacancy, jobseeker } = await scene();
  const jobPage = new JobPage(page);
  const applyPage = new ApplyPage(page);
  const applicationPage = new JobseekerApplicationPage(page);
  const statement = 'I have taught maths for six years.\nI run the chess club.';

  await signIn(page, jobseeker.email);
  await clickAndLoad(serviceNavigationLink(page, 'Find a job'));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: vacancy.title }));
  await expectNoAxeViolations(page);
  await clickAndLoad(jobPage.applyButton);
  await expectNoAxeViolations(page);
  await expect(applyPage.fullName).toHaveValue(jobseeker.fullName);
  await expect(applyPage.email).toHaveValue(jobseeker.email);

  await applyPage.personalStatement.fill(statement);
  await applyPage.saveDraft();
  await expectNoAxeViolations(page);
  await expect(applicationPage.successBanner).toContainText('Your draft has been saved');
  await expect(applicationPage.status).toHaveText('Status: Draft');

  // Later: back to the job, where the draft waits.
  await clickAndLoad(serviceNavigationLink(page, 'Find a job'));
  await expectNoAxeViolations(page);
  await clickAndLoad(page.getByRole('link', { name: vacancy.title }));
  await expectNoAxeViolations(page);
  await expect(page.getByText('You have a draft application for this job.')).toBeVisible();
  await clickAndLoad(jobPage.continueButton);
  await expectNoAxeViolations(page);
  await expect(applyPage.personalStatement).toHaveValue(statement);
  await applyPage.submit();
  await expectNoAxeViolations(page);
  await expect(applicationPage.successBanner).toContainText('Your application has been submitted');

  await clickAndLoad(serviceNavigationLink(page, 'Your applications'));
  await expectNoAxeViolations(page);
  const row = new JobseekerApplicationsPage(page).row(vacancy.title);
  await expect(row).toContainText('Submitted');

  await clickAndLoad(row.getByRole('link', { name: vacancy.title }));
  await expectNoAxeViolations(page);
  await clickAndLoad(applicationPage.withdrawButton);
  await expectNoAxeViolations(page);
  await new WithdrawPage(page).answer('yes');
  await expectNoAxeViolations(page);
  await expect(applicationPage.successBanner).toContainText('Your application has been withdrawn');
  await expect(applicationPage.status).toHaveText('Status: Withdrawn');
  await expect(applicationPage.withdrawButton).toHaveCount(0);
  await expect(applicationPage.timelineEntry('Submitted to Withdrawn')).toContainText(`By ${jobseeker.fullName}`);
  await expect(applicationPage.timelineEntry('Draft to Submitted')).toContainText(`By ${jobseeker.fullName}`);
});

test('submitting without a personal statement shows the error summary and keeps what was typed', async ({
  page,
  scene,
}) => {
  const { vacancy, jobseeker } = await scene();
  const applyPage = new ApplyPage(page);
  await signIn(page, jobseeker.email);
  await applyPage.goto(vacancy.id);
  await expectNoAxeViolations(page);

  await applyPage.fullName.fill('Samantha Taylor');
  await applyPage.submit();
  await expectNoAxeViolations(page);
  await expect(page).toHaveTitle(`Error: Apply for ${vacancy.title} – Parley`);
  await expect(applyPage.errorSummary).toContainText('There is a problem');
  const link = applyPage.errorSummary.getByRole('link', { name: 'Enter your personal statement' });
  await expect(link).toHaveAttribute('href', '#personalStatement');
  await expect(applyPage.fullName).toHaveValue('Samantha Taylor');
  await expect(applyPage.email).toHaveValue(jobseeker.email);

  await link.click();
  await expect(applyPage.personalStatement).toBeFocused();
});
