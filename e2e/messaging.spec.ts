import { minimalPdf } from '../test/support/sample-files.ts';
import { expect, expectNoAxeViolations, signInTo, signOut, test } from './fixtures.ts';
import { withdrawApplication } from './messaging-support.ts';
import { successBanner } from './pages/common.ts';
import { Conversation, toolbarButtonNames } from './pages/conversation.ts';
import { JobseekerApplicationPage } from './pages/jobseeker-application-page.ts';
import { StaffApplicationPage } from './pages/staff-application-page.ts';

/**
 * Messaging between hiring staff and a jobseeker about one application: the rich-text editor (and the plain
 * textarea without JavaScript), read state, and what the messaging policy shows each side at each status.
 */

// Two people, each signing in, make a dozen page loads and scans: more than the default allows on a busy machine.
test.describe.configure({ timeout: 120_000 });

const staffApplicationPath = (applicationId: string): string => `/staff/applications/${applicationId}`;
const jobseekerApplicationPath = (applicationId: string): string => `/applications/${applicationId}`;
const staffLabel = 'Send a message to the applicant';
const directions = 'https://www.example.com/directions';

test('staff send a formatted message with a PDF; the jobseeker reads it and replies', async ({ page, scene }) => {
  const { staff, jobseeker, application } = await scene('submitted');
  const conversation = new Conversation(page);
  const pdf = { name: 'interview-details.pdf', mimeType: 'application/pdf', buffer: minimalPdf() };

  await signInTo(page, staffApplicationPath(application.id), staff.email);
  await expect(conversation.noMessages).toBeVisible();

  await conversation.messageBox(staffLabel).click();
  await conversation.type('Dear Sam,\nWe would like to invite you to interview. ');
  await conversation.toolbarButton('Bold').click();
  await conversation.type('Please bring');
  await conversation.toolbarButton('Bold').click();
  await conversation.type(':\n');
  await conversation.toolbarButton('Bullets').click();
  await conversation.type('your passport\nyour certificates\n\n');
  await conversation.type('Directions are on our website');
  await conversation.selectBack('our website'.length);
  await conversation.linkSelectionTo(directions);
  await expect(conversation.editor.getByRole('link', { name: 'our website' })).toHaveAttribute('href', directions);
  await conversation.attach(pdf);
  await conversation.send();
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Your message has been sent');
  await expect(conversation.messages).toHaveCount(1);
  // The sender's own messages say "You"; the applicant sees the staff member's name (below).
  await expect(conversation.message('Dear Sam')).toContainText('You');

  await signOut(page);
  const applicationPage = new JobseekerApplicationPage(page);
  await signInTo(page, jobseekerApplicationPath(application.id), jobseeker.email);
  await expect(conversation.unreadSummary).toHaveText('1 unread message');
  const message = conversation.message('Dear Sam');
  await expect(conversation.unreadMarkOf(message)).toBeVisible();
  const body = conversation.bodyOf(message);
  await expect(body.locator('strong')).toHaveText('Please bring');
  await expect(body.getByRole('list')).toHaveCount(1);
  await expect(body.locator('ul > li')).toHaveText(['your passport', 'your certificates']);
  const link = body.getByRole('link', { name: 'our website' });
  await expect(link).toHaveAttribute('href', directions);
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  const attachment = conversation.attachmentLink(message, pdf.name);
  await expect(attachment).toHaveAttribute('href', /^\/attachments\/[0-9a-f-]{36}$/);
  const download = await page.request.get((await attachment.getAttribute('href')) ?? '');
  expect(download.status()).toBe(200);
  expect(download.headers()['content-type']).toBe('application/pdf');
  expect(await download.body()).toEqual(pdf.buffer);

  // Opening the page read the message: after a reload it is no longer marked.
  await page.reload();
  await expectNoAxeViolations(page);
  await expect(conversation.unreadMarkOf(message)).toHaveCount(0);
  await expect(conversation.unreadSummary).toHaveCount(0);

  await conversation.messageBox('Reply').click();
  await conversation.type('Thank you, I will be there.');
  await conversation.send();
  await expectNoAxeViolations(page);
  await expect(applicationPage.successBanner).toContainText('Your message has been sent');
  await expect(conversation.messages).toHaveCount(2);
  const reply = conversation.messages.nth(1);
  await expect(conversation.bodyOf(reply)).toHaveText('Thank you, I will be there.');
  await expect(reply).toContainText('You');
});

test('a jobseeker invited to interview starts the conversation; staff see it unread', async ({ page, scene }) => {
  const { staff, jobseeker, application } = await scene('interviewing');
  const conversation = new Conversation(page);

  await signInTo(page, jobseekerApplicationPath(application.id), jobseeker.email);
  await expect(conversation.noMessages).toBeVisible();
  await conversation.messageBox('Send a message').click();
  await conversation.type('Is there parking at the school?');
  await conversation.send();
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Your message has been sent');
  await expect(conversation.messages).toHaveCount(1);
  await expect(conversation.message('Is there parking at the school?')).toContainText('You');

  await signOut(page);
  await signInTo(page, staffApplicationPath(application.id), staff.email);
  await expect(conversation.unreadSummary).toHaveText('1 unread message');
  const message = conversation.message('Is there parking at the school?');
  await expect(conversation.unreadMarkOf(message)).toBeVisible();
  await expect(message).toContainText(`${jobseeker.fullName} (applicant)`);
});

test('an applicant who is not progressing can read messages but not reply', async ({ page, scene }) => {
  const { staff, jobseeker, application } = await scene('not_progressing');
  const conversation = new Conversation(page);

  // Staff are warned, and can still write.
  await signInTo(page, staffApplicationPath(application.id), staff.email);
  await expect(conversation.warning).toContainText(
    'The applicant cannot reply because their application is not progressing.',
  );
  await conversation.messageBox(staffLabel).click();
  await conversation.type('Thank you for your interest. We will keep your details on file.');
  await conversation.send();
  await expectNoAxeViolations(page);
  await expect(successBanner(page)).toContainText('Your message has been sent');

  await signOut(page);
  await signInTo(page, jobseekerApplicationPath(application.id), jobseeker.email);
  await expect(conversation.message('We will keep your details on file.')).toBeVisible();
  await expect(conversation.notAllowed).toHaveText(
    'You cannot reply because your application is not progressing. You can still read the messages from the school here, and find other jobs in Find a job.',
  );
  await expect(conversation.form).toHaveCount(0);
  await expect(conversation.section.getByRole('textbox')).toHaveCount(0);
  await expect(conversation.editor).toHaveCount(0);
  await expect(conversation.textarea).toHaveCount(0);
  await expect(conversation.sendButton).toHaveCount(0);
});

test('on a withdrawn application staff see the history but cannot write', async ({ page, scene, db }) => {
  const { staff, jobseeker, application } = await scene('submitted');
  const conversation = new Conversation(page);

  await signInTo(page, staffApplicationPath(application.id), staff.email);
  await conversation.messageBox(staffLabel).click();
  await conversation.type('Could you tell us your notice period?');
  await conversation.send();
  await expectNoAxeViolations(page);

  await withdrawApplication(db, application.id, jobseeker.id);
  await page.reload();
  await expectNoAxeViolations(page);
  await expect(new StaffApplicationPage(page).status).toHaveText('Status: Withdrawn');
  await expect(conversation.message('Could you tell us your notice period?')).toBeVisible();
  await expect(conversation.notAllowed).toHaveText(
    'You cannot send a message because the applicant withdrew their application. The conversation stays here as a record.',
  );
  await expect(conversation.form).toHaveCount(0);
  await expect(conversation.section.getByRole('textbox')).toHaveCount(0);
  await expect(conversation.sendButton).toHaveCount(0);
});

test('the rich-text editor is accessible: labelled, real buttons, big enough, and usable by keyboard', async ({
  page,
  scene,
}) => {
  const { staff, application } = await scene('submitted');
  const conversation = new Conversation(page);
  await signInTo(page, staffApplicationPath(application.id), staff.email);

  // The editor replaced the textarea, and takes its label as its accessible name.
  await expect(conversation.textarea).toHaveCount(0);
  const editor = conversation.messageBox(staffLabel);
  await expect(editor).toHaveAttribute('contenteditable', /^(true|)$/);
  await expect(conversation.editor).toHaveAccessibleName(staffLabel);

  for (const name of toolbarButtonNames) {
    const button = conversation.toolbarButton(name);
    await expect(button, `${name} is a real button`).toHaveJSProperty('tagName', 'BUTTON');
    await expect(button).toHaveAttribute('type', 'button');
    const box = await button.boundingBox();
    expect(box, `${name} is on the page`).not.toBeNull();
    expect(box?.width, `${name} is at least 24 CSS pixels wide`).toBeGreaterThanOrEqual(24);
    expect(box?.height, `${name} is at least 24 CSS pixels high`).toBeGreaterThanOrEqual(24);
  }
  const bold = conversation.toolbarButton('Bold');
  await expect(bold).toHaveAttribute('aria-pressed', 'false');

  // Shift+Tab from the editor walks back through the toolbar to Bold; Tab walks forward again, button by button.
  await editor.click();
  await conversation.type('Dear Sam, ');
  for (let i = 0; i < toolbarButtonNames.length; i += 1) await page.keyboard.press('Shift+Tab');
  await expect(bold).toBeFocused();
  for (const name of toolbarButtonNames.slice(1)) {
    await page.keyboard.press('Tab');
    await expect(conversation.toolbarButton(name)).toBeFocused();
  }
  await page.keyboard.press('Tab');
  await expect(editor).toBeFocused();

  // Enter on Bold turns bold on and puts the cursor back in the editor, where typing goes on in bold.
  for (let i = 0; i < toolbarButtonNames.length; i += 1) await page.keyboard.press('Shift+Tab');
  await expect(bold).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(editor).toBeFocused();
  await expect(bold).toHaveAttribute('aria-pressed', 'true');
  await conversation.type('welcome');
  await expect(editor.locator('strong')).toHaveText('welcome');

  // Space on Bold turns it off again.
  for (let i = 0; i < toolbarButtonNames.length; i += 1) await page.keyboard.press('Shift+Tab');
  await expect(bold).toBeFocused();
  await page.keyboard.press('Space');
  await expect(editor).toBeFocused();
  await expect(bold).toHaveAttribute('aria-pressed', 'false');
  await conversation.type(' to the school');

  // Ctrl+B in the editor does the same.
  await page.keyboard.press('Control+b');
  await expect(bold).toHaveAttribute('aria-pressed', 'true');
  await conversation.type(' today');
  await page.keyboard.press('Control+b');
  await expect(bold).toHaveAttribute('aria-pressed', 'false');
  await expect(editor.locator('strong')).toHaveText(['welcome', 'today']);

  // The arrow keys move along the toolbar too.
  await page.keyboard.press('Shift+Tab');
  await expect(conversation.toolbarButton('Link')).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(conversation.toolbarButton('Numbers')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(bold).toBeFocused();

  // The Link button opens the web address dialog by keyboard; a wrong address is explained, not just coloured.
  await page.keyboard.press('ArrowLeft');
  const linkButton = conversation.toolbarButton('Link');
  await expect(linkButton).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Enter');
  await expect(linkButton).toHaveAttribute('aria-expanded', 'true');
  await expect(conversation.webAddress).toBeFocused();
  await page.keyboard.type('not a web address');
  await page.keyboard.press('Enter');
  await expect(conversation.webAddress).toBeFocused();
  await expect(conversation.webAddress).toHaveAccessibleDescription(
    'For example, https://www.example.com Error: Enter a web address in the correct format, like https://www.example.com',
  );
  await expectNoAxeViolations(page);
  await conversation.webAddress.fill(directions);
  await page.keyboard.press('Enter');
  await expect(editor).toBeFocused();
  await expect(linkButton).toHaveAttribute('aria-expanded', 'false');
  await expect(editor.getByRole('link', { name: directions })).toHaveAttribute('href', directions);

  await conversation.send();
  await expectNoAxeViolations(page);
  const body = conversation.bodyOf(conversation.message('Dear Sam'));
  await expect(body.locator('strong')).toHaveText(['welcome', 'today']);
  await expect(body.getByRole('link', { name: directions })).toHaveAttribute('href', directions);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('staff send a plain-text message that the jobseeker sees formatted', async ({ page, scene }) => {
    const { staff, jobseeker, application } = await scene('submitted');
    const conversation = new Conversation(page);

    await signInTo(page, staffApplicationPath(application.id), staff.email);
    await expect(conversation.editor).toHaveCount(0);
    await expect(conversation.toolbar).toHaveCount(0);
    await conversation
      .messageBox(staffLabel)
      .fill(
        `Dear Sam,\n\nWe would like to invite you to interview. Please bring:\n- your passport\n- your certificates\n\nDirections: ${directions}`,
      );
    await conversation.send();
    await expectNoAxeViolations(page);
    await expect(successBanner(page)).toContainText('Your message has been sent');

    await signOut(page);
    await signInTo(page, jobseekerApplicationPath(application.id), jobseeker.email);
    const body = conversation.bodyOf(conversation.message('Dear Sam'));
    await expect(body.locator('p')).toHaveText([
      'Dear Sam,',
      'We would like to invite you to interview. Please bring:',
      `Directions: ${directions}`,
    ]);
    await expect(body.locator('ul > li')).toHaveText(['your passport', 'your certificates']);
    const link = body.getByRole('link', { name: directions });
    await expect(link).toHaveAttribute('href', directions);
    await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    await expect(conversation.messageBox('Reply')).toHaveJSProperty('tagName', 'TEXTAREA');
  });
});
