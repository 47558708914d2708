import type { Locator, Page } from '@playwright/test';
import { clickAndLoad, errorSummary } from './common.ts';
import { vacancyUrls } from '../../src/vacancies/urls.ts';

/** The application form: save as a draft, or submit. */
export class ApplyPage {
  readonly page: Page;
  readonly fullName: Locator;
  readonly email: Locator;
  readonly personalStatement: Locator;
  readonly errorSummary: Locator;

  constructor(page: Page) {
    this.page = page;
    this.fullName = page.getByLabel('Full name');
    this.email = page.getByLabel('Email address');
    this.personalStatement = page.getByLabel('Personal statement');
    this.errorSummary = errorSummary(page);
  }

  async goto(vacancyId: string): Promise<void> {
    await this.page.goto(vacancyUrls.apply(vacancyId));
  }

  async saveDraft(): Promise<void> {
    await clickAndLoad(this.page.getByRole('button', { name: 'Save as draft' }));
  }

  async submit(): Promise<void> {
    await clickAndLoad(this.page.getByRole('button', { name: 'Submit application' }));
  }
}
