import { expect, expectNoAxeViolations, signIn, test } from './fixtures.ts';
import { clickAndLoad, serviceNavigationLink } from './pages/common.ts';
import { StaffApplicationPage } from './pages/staff-application-page.ts';

test('hiring staff shortlist a new application and see the change in its history', async ({ page, scene }) => {
  const { school, staff, vacancy, jobseeker, application } = await scene('submitted');

  await signIn(page, staff.email);
  await clickAndLoad(serviceNavigationLink(page, 'Vacancies'));
  await expectNoAxeViolations(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vacancies');

  await clickAndLoad(page.getByRole('link', { name: vacancy.title }));
  await expectNoAxeViolations(page);
  await expect(page.getByRole('link', { name: 'Submitted (1)' })).toHaveAttribute('aria-current', 'page');

  await clickAndLoad(page.getByRole('link', { name: jobseeker.fullName }));
  await expectNoAxeViolations(page);
  await expect(page).toHaveURL(`/staff/applications/${application.id}`);
  const applicationPage = new StaffApplicationPage(page);
  await expect(applicationPage.status).toHaveText('Status: Submitted');

  await applicationPage.changeStatusTo('Shortlisted');
  await expectNoAxeViolations(page);
  await expect(applicationPage.successBanner).toContainText('Status changed to ‘Shortlisted’');
  await expect(applicationPage.status).toHaveText('Status: Shortlisted');
  await expect(applicationPage.timelineEntry('Submitted to Shortlisted')).toContainText(
    `By ${staff.fullName}, ${school.name}`,
  );
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the status form still works', async ({ page, scene }) => {
    const { school, staff, application } = await scene('submitted');
    await signIn(page, staff.email);
    const applicationPage = new StaffApplicationPage(page);
    await applicationPage.goto(application.id);
    await expectNoAxeViolations(page);
    // govuk-frontend's inline script marks the body when JavaScript runs; here it must not have.
    await expect(page.locator('body')).not.toHaveClass(/js-enabled/);

    await applicationPage.changeStatusTo('Shortlisted');
    await expectNoAxeViolations(page);
    await expect(applicationPage.successBanner).toContainText('Status changed to ‘Shortlisted’');
    await expect(applicationPage.timelineEntry('Submitted to Shortlisted')).toContainText(
      `By ${staff.fullName}, ${school.name}`,
    );
  });
});
