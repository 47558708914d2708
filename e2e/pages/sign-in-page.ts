import type { Locator, Page } from '@playwright/test';
import { clickAndLoad, errorSummary } from './common.ts';
import { accountUrls } from '../../src/accounts/urls.ts';

export class SignInPage {
  readonly page: Page;
  readonly email: Locator;
  readonly password: Locator;
  readonly errorSummary: Locator;

  constructor(page: Page) {
    this.page = page;
    this.email = page.getByLabel('Email address');
    this.password = page.getByLabel('Password');
    this.errorSummary = errorSummary(page);
  }

  async goto(): Promise<void> {
    await this.page.goto(accountUrls.signIn());
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.email.fill(email);
    await this.password.fill(password);
    await clickAndLoad(this.page.getByRole('button', { name: 'Sign in' }));
  }
}
