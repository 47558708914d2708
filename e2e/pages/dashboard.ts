import type { Locator, Page } from '@playwright/test';
import { clickAndLoad, errorSummary, successBanner } from './common.ts';
import { dashboardUrls } from '../../src/dashboard/urls.ts';

/**
 * "Messages" in the service navigation. With unread conversations its name gains the count, read out in words
 * ("Messages 2 unread conversations"), so it is found by how the name starts.
 */
export function messagesNavigationLink(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Messages\b/ });
}

/** The count by "Messages" in the navigation: the number and its hidden words. */
export function messagesNavigationCount(page: Page): Locator {
  return messagesNavigationLink(page).locator('.parley-nav-count');
}

/** The hiring staff's messages dashboard: Inbox and Archived, search, sort, and archiving with checkboxes. */
export class StaffDashboardPage {
  readonly page: Page;
  readonly heading: Locator;
  readonly searchBox: Locator;
  readonly searchButton: Locator;
  readonly sortSelect: Locator;
  readonly sortButton: Locator;
  /** "1 result for ‘mathem’ in Inbox." */
  readonly searchSummary: Locator;
  readonly clearSearchLink: Locator;
  readonly table: Locator;
  /** The rows of the table, one per conversation, in the order shown. */
  readonly rows: Locator;
  readonly archiveSelectedButton: Locator;
  readonly moveToInboxButton: Locator;
  readonly successBanner: Locator;
  readonly errorSummary: Locator;
  readonly noResults: Locator;

  constructor(page: Page) {
    this.page = page;
    this.heading = page.getByRole('heading', { level: 1 });
    this.searchBox = page.getByRole('search').getByRole('searchbox');
    this.searchButton = page.getByRole('search').getByRole('button', { name: 'Search', exact: true });
    this.sortSelect = page.getByLabel('Sort by');
    this.sortButton = page.getByRole('button', { name: 'Sort', exact: true });
    this.searchSummary = page.locator('#search-summary');
    this.clearSearchLink = page.getByRole('link', { name: 'Clear search' });
    this.table = page.getByRole('table', { name: /^Conversations/ });
    this.rows = this.table.locator('tbody').getByRole('row');
    this.archiveSelectedButton = page.getByRole('button', { name: 'Archive selected' });
    this.moveToInboxButton = page.getByRole('button', { name: 'Move to inbox' });
    this.successBanner = successBanner(page);
    this.errorSummary = errorSummary(page);
    this.noResults = page.getByRole('heading', { name: 'No conversations match your search' });
  }

  async goto(query = ''): Promise<void> {
    await this.page.goto(`${dashboardUrls.staffDashboard()}${query}`);
  }

  /** "Inbox" or "Archived", with its count: "Inbox (3)". */
  tab(name: 'Inbox' | 'Archived'): Locator {
    return this.page
      .getByRole('navigation', { name: 'Message folders' })
      .getByRole('link', { name: new RegExp(`^${name} \\(\\d+\\)$`) });
  }

  async openTab(name: 'Inbox' | 'Archived'): Promise<void> {
    await clickAndLoad(this.tab(name));
  }

  /** The row of the conversation with one candidate. */
  row(candidateName: string): Locator {
    return this.rows.filter({ has: this.page.getByRole('link', { name: candidateName, exact: true }) });
  }

  /** The red tag on a row: "2 unread" on screen, "2 unread messages" to a screen reader. */
  unreadTag(candidateName: string): Locator {
    return this.row(candidateName).getByText(/^\d+ unread messages?$/);
  }

  /** The candidates' names, in the order the rows are shown. */
  async candidateNames(): Promise<string[]> {
    return (await this.rows.locator('td:nth-child(2) a').allTextContents()).map((name) => name.trim());
  }

  checkbox(candidateName: string): Locator {
    return this.page.getByRole('checkbox', { name: `Select conversation with ${candidateName}`, exact: true });
  }

  async search(text: string): Promise<void> {
    await this.searchBox.fill(text);
    await clickAndLoad(this.searchButton);
  }

  async sortBy(label: 'Unread first' | 'Newest first' | 'Oldest first'): Promise<void> {
    await this.sortSelect.selectOption({ label });
    await clickAndLoad(this.sortButton);
  }

  /** Ticks the conversations with these candidates and presses "Archive selected". */
  async archive(...candidateNames: string[]): Promise<void> {
    for (const name of candidateNames) await this.checkbox(name).check();
    await clickAndLoad(this.archiveSelectedButton);
  }

  /** In Archived: ticks these conversations and presses "Move to inbox". */
  async moveToInbox(...candidateNames: string[]): Promise<void> {
    for (const name of candidateNames) await this.checkbox(name).check();
    await clickAndLoad(this.moveToInboxButton);
  }

  async openConversation(candidateName: string): Promise<void> {
    await clickAndLoad(this.row(candidateName).getByRole('link', { name: candidateName, exact: true }));
  }
}

/** A jobseeker's messages page: one entry per application with a conversation, unread first. */
export class JobseekerMessagesPage {
  readonly page: Page;
  readonly heading: Locator;
  /** The entries, in the order shown. */
  readonly entries: Locator;
  readonly noMessages: Locator;

  constructor(page: Page) {
    this.page = page;
    this.heading = page.getByRole('heading', { level: 1 });
    this.entries = page.locator('main .parley-result-list > li');
    this.noMessages = page.getByText('You have no messages yet.');
  }

  async goto(): Promise<void> {
    await this.page.goto(dashboardUrls.jobseekerMessages());
  }

  /** The entry for one job, found by its title. */
  entry(vacancyTitle: string): Locator {
    return this.entries.filter({ has: this.page.getByRole('link', { name: vacancyTitle, exact: true }) });
  }

  unreadTag(vacancyTitle: string): Locator {
    return this.entry(vacancyTitle).getByText(/^\d+ unread messages?$/);
  }

  /** The job titles, in the order shown. */
  async vacancyTitles(): Promise<string[]> {
    return (await this.entries.getByRole('heading').getByRole('link').allTextContents()).map((title) => title.trim());
  }

  async open(vacancyTitle: string): Promise<void> {
    await clickAndLoad(this.entry(vacancyTitle).getByRole('link', { name: vacancyTitle, exact: true }));
  }
}
