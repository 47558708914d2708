import { randomUUID } from 'node:crypto';
import { expect, expectNoAxeViolations, signIn, test } from './fixtures.ts';
import { SignInPage } from './pages/sign-in-page.ts';

test('an application that does not exist is a GOV.UK 404 page', async ({ page, scene }) => {
  const { jobseeker } = await scene();
  await signIn(page, jobseeker.email);

  const response = await page.goto(`/applications/${randomUUID()}`);
  await expectNoAxeViolations(page);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await expect(page).toHaveTitle('Page not found – Parley');
});

test('a wrong password gets the generic sign-in error', async ({ page, scene }) => {
  const { staff } = await scene();
  const signInPage = new SignInPage(page);
  await signInPage.goto();
  await expectNoAxeViolations(page);

  await signInPage.signIn(staff.email, 'not-the-password');
  await expectNoAxeViolations(page);
  await expect(page).toHaveTitle('Error: Sign in – Parley');
  await expect(signInPage.errorSummary).toContainText('There is a problem');
  await expect(
    signInPage.errorSummary.getByRole('link', { name: 'Enter a correct email address and password' }),
  ).toHaveAttribute('href', '#email');
  await expect(signInPage.email).toHaveValue(staff.email);
  await expect(signInPage.password).toHaveValue('');
});
