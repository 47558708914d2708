import type { Page } from '@playwright/test';
import { clickAndLoad } from './common.ts';

/** The confirmation step before an application is withdrawn. */
export class WithdrawPage {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  async answer(choice: 'yes' | 'no'): Promise<void> {
    const label = choice === 'yes' ? 'Yes, withdraw my application' : 'No, keep my application';
    await this.page.getByRole('radio', { name: label }).check();
    await clickAndLoad(this.page.getByRole('button', { name: 'Continue' }));
  }
}
