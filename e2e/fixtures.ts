import { test as base, expect, type Page } from '@playwright/test';
import type { ApplicationStatus } from '../src/applications/status.ts';
import { createDatabase, type Db } from '../src/platform/db.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
  testPassword,
  type TestUser,
} from '../test/support/factories.ts';
import { expectNoAxeViolations, recordPageLoads } from './axe.ts';
import { SignInPage } from './pages/sign-in-page.ts';

/**
 * What every journey needs: its own data, made with the integration tests' factories in the database the server
 * uses; the real sign-in form; and an accessibility scan of every page it loads (enforced by the `page` fixture).
 */

/** A school with a hiring staff member and a published vacancy, and a jobseeker who may have applied. */
export interface Scene {
  school: { id: string; name: string };
  staff: TestUser;
  vacancy: { id: string; title: string };
  jobseeker: TestUser;
}

export interface SceneWithApplication extends Scene {
  application: { id: string };
}

export interface MakeScene {
  (): Promise<Scene>;
  /** With the jobseeker's application already at this status, and a history to match. */
  (applicationStatus: ApplicationStatus): Promise<SceneWithApplication>;
}

async function createScene(db: Db, applicationStatus?: ApplicationStatus): Promise<Scene | SceneWithApplication> {
  const school = await createOrganisation(db);
  const staff = await createStaff(db, [school.id], 'Amara Okafor');
  const vacancy = await createVacancy(db, school.id, { createdBy: staff.id });
  const jobseeker = await createJobseeker(db, 'Sam Taylor');
  const scene: Scene = { school, staff, vacancy, jobseeker };
  if (!applicationStatus) return scene;
  const application = await createApplication(db, {
    vacancyId: vacancy.id,
    jobseeker,
    status: applicationStatus,
    staffId: staff.id,
  });
  return { ...scene, application };
}

/** Signs in through the real form and lands on the account's home page; both pages are scanned. */
export async function signIn(page: Page, email: string, password = testPassword): Promise<void> {
  const signInPage = new SignInPage(page);
  await signInPage.goto();
  await expectNoAxeViolations(page);
  await signInPage.signIn(email, password);
  await expect(page, `signing in as ${email} failed`).not.toHaveURL(/\/sign-in/);
  await expectNoAxeViolations(page);
}

/**
 * Opens a page that needs signing in, as a link in an email would: the service asks to sign in first, then shows
 * the page. Both pages are scanned.
 */
export async function signInTo(page: Page, path: string, email: string, password = testPassword): Promise<void> {
  await page.goto(path);
  await expect(page, `${path} asks to sign in first`).toHaveURL(/\/sign-in\?returnTo=/);
  await expectNoAxeViolations(page);
  await new SignInPage(page).signIn(email, password);
  await expect(page, `signing in as ${email} leads back to ${path}`).toHaveURL(path);
  await expectNoAxeViolations(page);
}

/** Signs out with the header's button and lands on the sign-in page, which is scanned. */
export async function signOut(page: Page): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sign out' }).click()]);
  await expect(page).toHaveURL(/\/sign-in/);
  await expectNoAxeViolations(page);
}

/**
 * Records every Content Security Policy violation on the page, on every document it loads: the page's
 * `securitypolicyviolation` events (with JavaScript on), and the console messages Chromium writes for each violation
 * (which also come from pages without JavaScript). Our own pages cause none, so any is a failure: markup or a
 * script that the policy had to stop, which the page must not rely on.
 */
async function watchContentSecurityPolicy(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeBinding('parleyReportCspViolation', (_source, report: string) => {
    violations.push(report);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { parleyReportCspViolation: (report: string) => Promise<void> })
        .parleyReportCspViolation;
      const blocked = event.blockedURI || 'inline';
      void report(`${event.effectiveDirective} blocked ${blocked} on ${event.documentURI} ${event.sample}`.trim());
    });
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`console on ${page.url()}: ${message.text()}`);
  });
  return violations;
}

export const test = base.extend<{ scene: MakeScene }, { db: Db }>({
  db: [
    async ({}, use) => {
      const url = process.env.DATABASE_URL;
      if (!url) throw new Error('DATABASE_URL is not set: run the browser tests with `npm run test:e2e`');
      const { db } = createDatabase(url, 2);
      await use(db);
      await db.destroy();
    },
    { scope: 'worker' },
  ],

  scene: async ({ db }, use) => {
    await use(((applicationStatus?: ApplicationStatus) => createScene(db, applicationStatus)) as MakeScene);
  },

  page: async ({ page, javaScriptEnabled }, use, testInfo) => {
    // Without JavaScript each scan serves the page again to a scratch browser context (axe.ts): about 6 s per width
    // on a busy two-core machine, so such journeys get three times the time, as test.slow() would give them.
    if (!javaScriptEnabled) testInfo.setTimeout(testInfo.timeout * 3);
    const loads = recordPageLoads(page, { javaScriptEnabled });
    const cspViolations = await watchContentSecurityPolicy(page);
    await use(page);
    if (testInfo.errors.length) return; // already failed: do not bury the reason
    expect(
      cspViolations,
      'Content Security Policy violations: our pages must not need the policy to save them',
    ).toEqual([]);
    const unscanned = loads.filter((load) => !load.scanned).map((load) => load.url);
    expect(
      unscanned,
      'pages loaded without an accessibility scan: call expectNoAxeViolations(page) after each navigation',
    ).toEqual([]);
  },
});

export { expect, expectNoAxeViolations };
