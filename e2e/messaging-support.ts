import { randomUUID } from 'node:crypto';
import { expect, type Page } from '@playwright/test';
import { createAccountsService } from '../src/accounts/service.ts';
import { createApplicationsService } from '../src/applications/service.ts';
import { loadConfig } from '../src/config.ts';
import { createMessagingService } from '../src/messaging/service.ts';
import { notScanning } from '../src/platform/malware-scanner.ts';
import { createFilesystemStorage } from '../src/platform/storage.ts';
import type { TestUser } from '../test/support/factories.ts';
import { systemClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db.ts';
import type { FilePayload } from './pages/conversation.ts';

/**
 * Set-up steps that are not what a journey is about, done the way production does them: status changes through the
 * applications service, and messages through the real send route (so the sanitiser, the policy and the CSRF check
 * all apply) without loading a page per message.
 */

/** The jobseeker withdraws their application, as the withdraw page would do it. */
export async function withdrawApplication(db: Db, applicationId: string, jobseekerId: string): Promise<void> {
  const applications = createApplicationsService({ db, clock: systemClock });
  const result = await applications.changeStatus({
    applicationId,
    actorUserId: jobseekerId,
    actor: 'jobseeker',
    expectedStatus: 'submitted',
    to: 'withdrawn',
  });
  expect(result.outcome, 'withdrawing the application').toBe('changed');
}

/**
 * Posts a message with the signed-in person's session and the CSRF token of the message form on the current page,
 * as the rich-text editor would (`format: html`) unless told otherwise. Returns the response status: 303 when sent.
 */
export async function postMessage(
  page: Page,
  body: string,
  options: { format?: 'html' | 'text'; file?: FilePayload } = {},
): Promise<number> {
  const form = page.locator('form[data-parley-message-form]');
  const action = await form.getAttribute('action');
  const csrfToken = await form.locator('input[name="_csrf"]').inputValue();
  if (!action) throw new Error('no message form on this page');
  const multipart: Record<string, string | FilePayload> = {
    _csrf: csrfToken,
    formKey: randomUUID(),
    format: options.format ?? 'html',
    body,
  };
  if (options.file) multipart.attachments = options.file;
  const response = await page.request.post(action, { multipart, maxRedirects: 0 });
  return response.status();
}

/**
 * Sends messages as the service does (policy, sanitiser, counters, read state and search document), in the test's
 * own process: setting up a journey's conversations through the message forms would mean a slow sign-in per person.
 * Notifications are not wired in: no journey here is about them. No files are sent, so none are stored.
 */
export function messageSender(db: Db) {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: process.env.DATABASE_URL });
  const accounts = createAccountsService({ db, signInAttemptsPer15Minutes: config.signInAttemptsPer15Minutes });
  const messaging = createMessagingService({
    db,
    applications: createApplicationsService({ db, clock: systemClock }),
    storage: createFilesystemStorage(config.attachments.storageDir),
    scanner: notScanning,
    limits: config.attachments,
  });
  return async function send(applicationId: string, sender: TestUser, body: string): Promise<void> {
    const user = await accounts.loadSignedInUser(sender.id);
    if (!user) throw new Error(`no user ${sender.email}`);
    const result = await messaging.sendMessage({
      applicationId,
      sender: user,
      formKey: randomUUID(),
      body: { format: 'text', body },
      files: [],
    });
    expect(result.outcome, `sending "${body}" as ${sender.fullName}`).toBe('sent');
  };
}
