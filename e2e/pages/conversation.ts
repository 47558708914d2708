import type { Locator, Page } from '@playwright/test';
import { clickAndLoad } from './common.ts';

/** A file to attach, built in the test (Playwright's setInputFiles payload). */
export interface FilePayload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** The buttons of the rich-text editor's toolbar, by their accessible names. */
export const toolbarButtonNames = ['Bold', 'Italic', 'Bullets', 'Numbers', 'Link'] as const;
export type ToolbarButtonName = (typeof toolbarButtonNames)[number];

/**
 * The "Messages" section of an application page, the same for hiring staff and the jobseeker: the messages, the
 * unread marks, and the form to send one. With JavaScript the message box is the rich-text editor (Trix, with our
 * toolbar); without, it is a plain textarea. Both are found by their label, as people find them.
 */
export class Conversation {
  readonly page: Page;
  readonly section: Locator;
  /** Each message, oldest first (not the lists inside message bodies). */
  readonly messages: Locator;
  readonly noMessages: Locator;
  /** "1 unread message", above the list. */
  readonly unreadSummary: Locator;
  /** Why this person cannot send a message here. */
  readonly notAllowed: Locator;
  /** The warning shown above the form (staff on an application that is not progressing). */
  readonly warning: Locator;
  readonly form: Locator;
  readonly attachments: Locator;
  readonly sendButton: Locator;
  /** The rich-text editor's element, whatever its label. */
  readonly editor: Locator;
  readonly textarea: Locator;
  readonly toolbar: Locator;
  readonly webAddress: Locator;
  readonly addLinkButton: Locator;

  constructor(page: Page) {
    this.page = page;
    this.section = page.getByRole('region', { name: 'Messages' });
    this.messages = this.section.getByRole('list', { name: 'Messages, oldest first' }).locator(':scope > li');
    this.noMessages = this.section.getByText('There are no messages yet.');
    this.unreadSummary = this.section.getByText(/^\d+ unread messages?$/);
    this.notAllowed = this.section.locator('#messaging-not-allowed');
    this.warning = this.section.locator('.govuk-warning-text');
    this.form = this.section.locator('form[data-parley-message-form]');
    this.attachments = this.section.getByLabel('Attach files (optional)');
    this.sendButton = this.section.getByRole('button', { name: 'Send message' });
    this.editor = this.section.locator('trix-editor');
    this.textarea = this.section.locator('textarea');
    this.toolbar = this.section.getByRole('toolbar', { name: 'Formatting' });
    this.webAddress = this.section.getByRole('textbox', { name: 'Web address' });
    this.addLinkButton = this.section.getByRole('button', { name: 'Add link' });
  }

  /** The message box by its label ("Reply", "Send a message", "Send a message to the applicant"): editor or textarea. */
  messageBox(label: string): Locator {
    return this.section.getByRole('textbox', { name: label, exact: true });
  }

  toolbarButton(name: ToolbarButtonName): Locator {
    return this.toolbar.getByRole('button', { name, exact: true });
  }

  /** One message, found by words in it. */
  message(text: string | RegExp): Locator {
    return this.messages.filter({ hasText: text });
  }

  /** The words the sender wrote (the sanitised HTML), without the sender line and attachments. */
  bodyOf(message: Locator): Locator {
    return message.locator('.parley-message__body');
  }

  /** The "Unread" tag; its visually hidden text makes it "Unread message" for screen readers. */
  unreadMarkOf(message: Locator): Locator {
    return message.getByText('Unread message', { exact: true });
  }

  attachmentLink(message: Locator, fileName: string): Locator {
    return message.getByRole('list', { name: 'Attachments' }).getByRole('link', { name: fileName, exact: true });
  }

  /**
   * Types where the focus is (click the editor first), then lets the editor catch up: Trix records typing in the
   * next animation frame, and a person is never faster than that, but a test's next key press can be.
   */
  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text);
    await this.nextFrames();
  }

  /** Waits until the browser has drawn two more frames. */
  async nextFrames(): Promise<void> {
    await this.page.evaluate(
      () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
    );
  }

  /** Selects the last `length` characters before the cursor, as Shift+Left does. */
  async selectBack(length: number): Promise<void> {
    for (let i = 0; i < length; i += 1) await this.page.keyboard.press('Shift+ArrowLeft');
  }

  /** Makes the selected words a link through the toolbar's "Link" button and its web address dialog. */
  async linkSelectionTo(address: string): Promise<void> {
    await this.toolbarButton('Link').click();
    await this.webAddress.fill(address);
    await this.addLinkButton.click();
  }

  async attach(...files: FilePayload[]): Promise<void> {
    await this.attachments.setInputFiles(files);
  }

  async send(): Promise<void> {
    await clickAndLoad(this.sendButton);
  }
}
