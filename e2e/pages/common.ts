import type { Locator, Page } from '@playwright/test';

/** Parts of the layout that every page shares. */
export function serviceNavigationLink(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name, exact: true });
}

/** The green success banner the service shows after a change ("flash"). */
export function successBanner(page: Page): Locator {
  return page.getByRole('alert', { name: 'Success' });
}

export function errorSummary(page: Page): Locator {
  return page.locator('.govuk-error-summary');
}

/** The status tag at the top of an application page. */
export function statusLine(page: Page): Locator {
  return page.locator('p').filter({ hasText: /^\s*Status:/ });
}

/** One entry of an application's history, found by its heading ("New to Shortlisted"). */
export function timelineEntry(page: Page, heading: string): Locator {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });
}

/** Clicks a link or a form's button and waits until the page it leads to has loaded. */
export async function clickAndLoad(target: Locator): Promise<void> {
  await Promise.all([target.page().waitForEvent('load'), target.click()]);
}
