import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/**
 * The accessibility scan every journey runs after each navigation, and the record that proves it did: the `page`
 * fixture (fixtures.ts) fails a test that loaded a page without scanning it.
 */
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface PageRecord {
  javaScriptEnabled: boolean;
  loads: { url: string; scanned: boolean }[];
}
const records = new WeakMap<Page, PageRecord>();

export function recordPageLoads(page: Page, options: { javaScriptEnabled: boolean }): PageRecord['loads'] {
  const record: PageRecord = { javaScriptEnabled: options.javaScriptEnabled, loads: [] };
  records.set(page, record);
  page.on('load', () => record.loads.push({ url: page.url(), scanned: false }));
  return record.loads;
}

/** A phone's width (an iPhone 12 to 15's 390 CSS pixels): every page is scanned at it as well as at the desktop's. */
export const phoneViewport = { width: 390, height: 844 };

export async function expectNoAxeViolations(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  const record = records.get(page);
  const scan = () => (record?.javaScriptEnabled === false ? analyzeWithoutJavaScript(page) : analyze(page));
  const desktop = await scan();
  const desktopViewport = page.viewportSize();
  await page.setViewportSize(phoneViewport);
  try {
    const phone = await scan();
    const lastLoad = record?.loads.at(-1);
    if (lastLoad) lastLoad.scanned = true;
    const violations = [
      ...desktop.violations.map((violation) => ({ width: 'desktop', violation })),
      ...phone.violations.map((violation) => ({ width: 'phone (390px)', violation })),
    ].map(
      ({ width, violation }) =>
        `${width}: ${violation.id}: ${violation.help}\n    ${violation.nodes.map((node) => node.target.join(' ')).join('\n    ')}`,
    );
    expect(violations, `accessibility violations on ${page.url()}`).toEqual([]);
  } finally {
    if (desktopViewport) await page.setViewportSize(desktopViewport);
  }
}

/** Our pages have no frames, so axe's single-frame ("legacy") run sees everything, without opening a blank page per scan. */
function analyze(page: Page) {
  return new AxeBuilder({ page }).withTags(wcagTags).setLegacyMode().analyze();
}

/**
 * axe needs timers, which do not run in a page without JavaScript. So the page as loaded (its DOM, scripts removed)
 * is served again, at the same address and with the same styles, to a scratch page that runs axe.
 */
async function analyzeWithoutJavaScript(page: Page) {
  const url = page.url();
  const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
  const browser = page.context().browser();
  if (!browser) throw new Error('no browser to scan a page without JavaScript');
  const context = await browser.newContext({ javaScriptEnabled: true, viewport: page.viewportSize() });
  try {
    const scratch = await context.newPage();
    await scratch.route(
      (address) => address.href === url,
      (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: html }),
    );
    await scratch.goto(url);
    return await analyze(scratch);
  } finally {
    await context.close();
  }
}
