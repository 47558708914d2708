import type { Locator, Page } from '@playwright/test';
import { vacancyUrls } from '../../src/vacancies/urls.ts';

/** A job advert, as a jobseeker sees it. */
export class JobPage {
  readonly page: Page;
  readonly applyButton: Locator;
  readonly continueButton: Locator;

  constructor(page: Page) {
    this.page = page;
    this.applyButton = page.getByRole('button', { name: 'Apply for this job' });
    this.continueButton = page.getByRole('button', { name: 'Continue your application' });
  }

  async goto(vacancyId: string): Promise<void> {
    await this.page.goto(vacancyUrls.job(vacancyId));
  }
}
