import { expect, expectNoAxeViolations, signInTo, test } from './fixtures.ts';
import { clickAndLoad } from './pages/common.ts';
import { Conversation } from './pages/conversation.ts';
import { applicationUrls } from '../src/applications/urls.ts';
import { messagingUrls } from '../src/messaging/urls.ts';

/**
 * The message form's rough edges found by trying it as a new user would (issue 11): the toolbar's buttons say what
 * they are called, the error summary leads to the editor, a file too big is refused before it is uploaded, sign-in
 * says why it was asked for, and the pages are Parley's own (no GOV.UK typeface).
 */

test.describe.configure({ timeout: 120_000 });

test('the toolbar buttons show their names, and "Enter a message" leads to the editor', async ({ page, scene }) => {
  const { staff, application } = await scene('submitted');
  const conversation = new Conversation(page);
  await signInTo(page, applicationUrls.staffApplication(application.id), staff.email);
  // WCAG 2.5.3 Label in Name: what a person sees on the button is (in) its accessible name.
  for (const name of ['Bold', 'Italic'] as const) {
    await expect(conversation.toolbarButton(name)).toHaveText(name);
  }
  await clickAndLoad(conversation.sendButton);
  await expectNoAxeViolations(page);
  const errorLink = page.locator('.govuk-error-summary').getByRole('link', { name: 'Enter a message' });
  await errorLink.click();
  await expect(conversation.editor).toBeFocused();
  // Reloading the address a refused send leaves is the conversation again, not "Page not found".
  await page.goto(messagingUrls.staffMessages(application.id));
  await expect(page).toHaveURL(new RegExp(`${applicationUrls.staffApplication(application.id)}#messages$`));
  await expectNoAxeViolations(page);
});

test('a file over the size limit is refused in the browser, before it is uploaded', async ({ page, scene }) => {
  const { staff, application } = await scene('submitted');
  const conversation = new Conversation(page);
  await signInTo(page, applicationUrls.staffApplication(application.id), staff.email);
  await conversation.messageBox('Send a message to the applicant').click();
  await conversation.type('Here is the pack');
  let uploads = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST') uploads += 1;
  });
  await conversation.attach({
    name: 'huge.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.alloc(11 * 1024 * 1024, 0x25),
  });
  await conversation.sendButton.click();
  await expect(page.getByText('huge.pdf: The selected file must be smaller than 10MB')).toBeVisible();
  await expect(conversation.attachments).toBeFocused();
  expect(uploads, 'nothing was sent to the server').toBe(0);
  await expectNoAxeViolations(page);
});

test('Parley uses a system typeface, not the GOV.UK one', async ({ page }) => {
  await page.goto('/jobs');
  await expectNoAxeViolations(page);
  // The Design System sets the typeface on its own classes (headings, body text), not on <body>.
  const fontFamily = await page
    .getByRole('heading', { level: 1 })
    .evaluate((heading) => getComputedStyle(heading).fontFamily);
  expect(fontFamily).not.toContain('GDS Transport');
  expect(fontFamily).toContain('arial');
  await expect(page.locator('.govuk-header, .govuk-footer__crown')).toHaveCount(0);
});
