import { expect, expectNoAxeViolations, signIn, test } from './fixtures.ts';
import { messageSender } from './messaging-support.ts';
import { Conversation } from './pages/conversation.ts';
import { clickAndLoad } from './pages/common.ts';
import { applicationUrls } from '../src/applications/urls.ts';
import { conversationPageSize } from '../src/messaging/service.ts';

/**
 * A long conversation opens at its latest messages; "Show earlier messages" is a plain link (no JavaScript needed)
 * that goes back a page at a time, keeping each page oldest first. Every page is scanned with axe at the desktop's
 * width and at 390px (the fixture's scan does both).
 */
const total = conversationPageSize + 5;

for (const javaScriptEnabled of [false, true]) {
  test.describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test('a long conversation shows its latest messages, and earlier ones a link away', async ({ page, scene, db }) => {
      // 55 messages sent first, then axe scans of a 50-message page at two widths, several times: over a minute when
      // the machine is shared (it failed the 60 s timeout in a CI run alongside the benchmark).
      test.slow();
      const { staff, jobseeker, application } = await scene('submitted');
      const send = messageSender(db);
      for (let i = 1; i <= total; i++) await send(application.id, i % 2 === 1 ? staff : jobseeker, `Message ${i}`);

      await signIn(page, staff.email);
      await page.goto(applicationUrls.staffApplication(application.id));
      await expectNoAxeViolations(page);
      const conversation = new Conversation(page);
      await expect(conversation.messages).toHaveCount(conversationPageSize);
      await expect(conversation.messages.first()).toContainText('Message 6');
      await expect(conversation.messages.last()).toContainText(`Message ${total}`);
      await expect(conversation.section).toContainText(
        `Showing the latest ${conversationPageSize} of ${total} messages`,
      );

      await clickAndLoad(conversation.section.getByRole('link', { name: 'Show earlier messages' }));
      await expect(page).toHaveURL(/\?before=[0-9a-f-]{36}#messages$/);
      await expectNoAxeViolations(page);
      await expect(conversation.messages).toHaveCount(5);
      await expect(conversation.messages.first()).toContainText('Message 1');
      await expect(conversation.messages.last()).toContainText('Message 5');
      await expect(conversation.section.getByRole('link', { name: 'Show earlier messages' })).toHaveCount(0);

      await clickAndLoad(conversation.section.getByRole('link', { name: 'Show the latest messages' }));
      await expectNoAxeViolations(page);
      await expect(conversation.messages.last()).toContainText(`Message ${total}`);
    });
  });
}
