import type { Locator, Page } from '@playwright/test';
import { clickAndLoad, statusLine, successBanner, timelineEntry } from './common.ts';
import { applicationUrls } from '../../src/applications/urls.ts';

/** What hiring staff see of one application: its details, the status form and the history. */
export class StaffApplicationPage {
  readonly page: Page;
  readonly status: Locator;
  readonly successBanner: Locator;

  constructor(page: Page) {
    this.page = page;
    this.status = statusLine(page);
    this.successBanner = successBanner(page);
  }

  async goto(applicationId: string): Promise<void> {
    await this.page.goto(applicationUrls.staffApplication(applicationId));
  }

  /** Chooses the new status by its label ("Shortlisted") and submits the form. */
  async changeStatusTo(label: string): Promise<void> {
    await this.page
      .getByRole('group', { name: 'Change status' })
      .getByRole('radio', { name: label, exact: true })
      .check();
    await clickAndLoad(this.page.getByRole('button', { name: 'Change status' }));
  }

  timelineEntry(heading: string): Locator {
    return timelineEntry(this.page, heading);
  }
}
