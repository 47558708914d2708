import type { Locator, Page } from '@playwright/test';
import { statusLine, successBanner, timelineEntry } from './common.ts';
import { applicationUrls } from '../../src/applications/urls.ts';

/** "Your applications", the list. */
export class JobseekerApplicationsPage {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  /** The row of the list for one job, found by its title. */
  row(vacancyTitle: string): Locator {
    return this.page.getByRole('row').filter({ has: this.page.getByRole('link', { name: vacancyTitle, exact: true }) });
  }
}

/** One of the jobseeker's own applications: status, details, withdraw button and history. */
export class JobseekerApplicationPage {
  readonly page: Page;
  readonly status: Locator;
  readonly successBanner: Locator;
  readonly continueButton: Locator;
  readonly withdrawButton: Locator;

  constructor(page: Page) {
    this.page = page;
    this.status = statusLine(page);
    this.successBanner = successBanner(page);
    this.continueButton = page.getByRole('button', { name: 'Continue your application' });
    this.withdrawButton = page.getByRole('button', { name: 'Withdraw your application' });
  }

  async goto(applicationId: string): Promise<void> {
    await this.page.goto(applicationUrls.jobseekerApplication(applicationId));
  }

  timelineEntry(heading: string): Locator {
    return timelineEntry(this.page, heading);
  }
}
