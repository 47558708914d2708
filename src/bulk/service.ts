/**
 * Bulk messages from a vacancy's applications list: tick applicants (or all on a status tab), write a message or pick
 * a template, optionally attach files and change their status, preview one applicant's copy, then send or schedule.
 *
 * - The batch's id is the idempotency key. Each recipient's row is claimed under a row lock inside the transaction
 *   that writes their message, so a double submit, a retry or two requests at once send each message once.
 * - Each applicant gets their own copy in their own conversation, through the messaging service's send path (policy,
 *   notifications, emails), inside a transaction of its own: status change, timeline entry and message commit
 *   together or not at all. Those who may not be messaged now are skipped, with the reason.
 * - Files are checked, scanned and stored once, and each message gets attachment rows pointing at them.
 */
import { createHash } from 'node:crypto';
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { Db } from '../platform/db.ts';
import type { ApplicationRecord } from '../applications/repository.ts';
import type { ApplicationsService } from '../applications/service.ts';
import { canMove, isApplicationStatus, statusLabel, type ApplicationStatus } from '../applications/status.ts';
import type { MessagingService, StoreFilesResult, UploadedFile } from '../messaging/service.ts';
import { decideSend } from '../messaging/policy.ts';
import { htmlToTypedText, prepareMessageBody } from '../messaging/rich-text.ts';
import type { TemplatesService } from '../templates/service.ts';
import { checkTemplateBody } from '../templates/service.ts';
import {
  fillPlaceholders,
  maximumBulkRecipients,
  missingValuesReason,
  type PlaceholderValues,
} from '../templates/rules.ts';
import type { ScheduledMessagesService } from '../scheduled/service.ts';
import { decideSendLater, type SendLaterInput } from '../scheduled/rules.ts';
import {
  finishBatch,
  findBatchForSender,
  insertBatch,
  listBatchAttachments,
  listRecipients,
  lockRecipient,
  recordRecipientOutcome,
  replaceBatchAttachments,
  saveComposition,
  startSending,
  type BatchRecord,
  type RecipientRecord,
} from './repository.ts';

export type StartBatchResult =
  { outcome: 'started'; batchId: string } | { outcome: 'not-found' } | { outcome: 'invalid'; error: string };

export interface ComposeInput {
  action: 'use-template' | 'preview';
  templateId: string;
  body: { format: 'html' | 'text'; body: string };
  toStatus: string;
  when: string;
  sendLater: SendLaterInput;
  files: UploadedFile[];
}

export type ComposeField = 'template' | 'body' | 'attachments' | 'toStatus' | 'when' | 'sendDate' | 'sendTime';
export type ComposeError = { field: ComposeField; text: string };

export type ComposeResult =
  | { outcome: 'not-found' }
  | { outcome: 'already-sent' }
  | { outcome: 'template'; templateId: string; body: string; html: string }
  | {
      outcome: 'invalid';
      errors: ComposeError[];
      clearTemplate: boolean;
      refusedFiles: string[];
      acceptedFiles: string[];
    }
  | { outcome: 'saved' };

export type SendBatchResult =
  { outcome: 'done' } | { outcome: 'not-found' } | { outcome: 'not-composed' } | { outcome: 'template-deleted' };

/** Thrown inside a recipient's transaction to undo what was written for them (a status change) and skip them. */
class RecipientSkipped extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** The message's one-time key for a recipient of a batch: the same on every retry of the batch. */
export function recipientFormKey(batchId: string, applicationId: string): string {
  const hex = createHash('sha256').update(`${batchId}:${applicationId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How many recipients' transactions run at once: enough to keep the database busy, few enough for the pool. */
const sendConcurrency = 4;

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failed) {
      const item = items[next];
      next += 1;
      try {
        if (item !== undefined) await work(item);
      } catch (error) {
        failed = true; // the others finish the recipient they are on, then stop
        throw error;
      }
    }
  });
  // Every runner has finished before this returns or throws: no transaction is left running behind the answer.
  const results = await Promise.allSettled(runners);
  const rejected = results.find((result) => result.status === 'rejected');
  if (rejected) throw rejected.reason;
}

export function createBulkMessagesService(deps: {
  db: Db;
  applications: ApplicationsService;
  messaging: MessagingService;
  templates: TemplatesService;
  scheduled: ScheduledMessagesService;
  clock: { now(): Date };
}) {
  const { db, applications, messaging, templates, scheduled, clock } = deps;

  function valuesFor(application: ApplicationRecord, sender: SignedInUser): PlaceholderValues {
    return {
      candidateName: application.candidateName,
      vacancyTitle: application.vacancyTitle,
      schoolName: application.schoolName,
      senderName: sender.fullName,
    };
  }

  async function loadBatch(user: SignedInUser, batchId: string): Promise<BatchRecord | undefined> {
    if (!uuidPattern.test(batchId)) return undefined;
    const batch = await findBatchForSender(db, batchId, user.id);
    if (!batch) return undefined;
    // The sender must still see the vacancy's school (a member of staff who moved on sees nothing of it).
    const recipients = await listRecipients(db, batch.id);
    const first = recipients[0];
    if (first && !(await applications.findForStaff(first.applicationId, user.id))) return undefined;
    return batch;
  }

  /** What one recipient's preview shows, and whether they could be sent to now. */
  function previewOf(
    batch: BatchRecord,
    recipient: RecipientRecord,
    application: ApplicationRecord | undefined,
    user: SignedInUser,
  ) {
    if (!application || batch.bodyHtml === null)
      return { html: null, problem: 'You can no longer see this application' };
    const filled = fillPlaceholders(batch.bodyHtml, valuesFor(application, user));
    if (!filled.ok) return { html: null, problem: missingValuesReason(filled.missing) };
    if (recipient.status !== batch.fromStatus)
      return {
        html: filled.html,
        problem: `Not sent: their application moved to ‘${statusLabel(recipient.status)}’ after you ticked it`,
      };
    const decision = decideSend({ actor: 'staff', status: recipient.status, conversationHasMessages: true });
    if (!decision.allowed) return { html: filled.html, problem: `Not sent: ${decision.reason}` };
    return { html: filled.html, problem: null };
  }

  return {
    /** Ticked applicants (or every applicant on the status tab) become a new batch to compose. */
    async startBatch(
      user: SignedInUser,
      input: { vacancyId: string; fromStatus: string; applicationIds: string[]; selectAll: boolean },
    ): Promise<StartBatchResult> {
      if (!isApplicationStatus(input.fromStatus) || input.fromStatus === 'draft') return { outcome: 'not-found' };
      const fromStatus = input.fromStatus;
      const ids = input.selectAll
        ? (await applications.listForVacancy(input.vacancyId, fromStatus)).map((application) => application.id)
        : [...new Set(input.applicationIds)];
      if (ids.some((id) => !uuidPattern.test(id))) return { outcome: 'not-found' };
      if (ids.length === 0) return { outcome: 'invalid', error: 'Select at least one applicant' };
      if (ids.length > maximumBulkRecipients) {
        return {
          outcome: 'invalid',
          error: `You can message up to ${maximumBulkRecipients} applicants at once. You selected ${ids.length}. Select fewer applicants`,
        };
      }
      const visible = await applications.listForStaffByIds(input.vacancyId, ids, user.id);
      if (visible.length !== ids.length) return { outcome: 'not-found' };
      const batchId = await db
        .transaction()
        .execute((trx) =>
          insertBatch(trx, { vacancyId: input.vacancyId, senderUserId: user.id, fromStatus, applicationIds: ids }),
        );
      return { outcome: 'started', batchId };
    },

    /** The compose page: who is ticked, the templates, the statuses they can move to, the files already attached. */
    async composePage(user: SignedInUser, batchId: string) {
      const batch = await loadBatch(user, batchId);
      if (!batch) return undefined;
      const [recipients, choices, attachments] = await Promise.all([
        listRecipients(db, batch.id),
        templates.list(user),
        listBatchAttachments(db, batch.id),
      ]);
      const moves = (['shortlisted', 'interviewing', 'offered', 'declined', 'not_progressing'] as const).filter((to) =>
        canMove(batch.fromStatus, to, 'staff'),
      );
      return {
        batch,
        recipients,
        templates: choices,
        moves,
        attachments,
        typedBody: batch.bodyHtml ? htmlToTypedText(batch.bodyHtml) : '',
      };
    },

    /** "Use template" (fills the form) or "Preview" (checks everything, stores the files, saves the batch). */
    async compose(user: SignedInUser, batchId: string, input: ComposeInput): Promise<ComposeResult> {
      const batch = await loadBatch(user, batchId);
      if (!batch) return { outcome: 'not-found' };
      if (batch.state !== 'draft') return { outcome: 'already-sent' };
      const invalid = (
        errors: ComposeError[],
        extra: { clearTemplate?: boolean; refusedFiles?: string[]; acceptedFiles?: string[] } = {},
      ): ComposeResult => ({
        outcome: 'invalid',
        errors,
        clearTemplate: extra.clearTemplate ?? false,
        refusedFiles: extra.refusedFiles ?? [],
        acceptedFiles: extra.acceptedFiles ?? [],
      });

      if (input.action === 'use-template') {
        const template = uuidPattern.test(input.templateId) ? await templates.find(user, input.templateId) : undefined;
        if (!template)
          return invalid([
            {
              field: 'template',
              text: input.templateId
                ? 'The template you picked no longer exists. Pick another template'
                : 'Select a template',
            },
          ]);
        return {
          outcome: 'template',
          templateId: template.id,
          body: htmlToTypedText(template.bodyHtml),
          html: template.bodyHtml,
        };
      }

      const errors: ComposeError[] = [];
      let clearTemplate = false;
      let template: { id: string; name: string } | null = null;
      if (input.templateId !== '') {
        const found = uuidPattern.test(input.templateId) ? await templates.find(user, input.templateId) : undefined;
        if (found) template = { id: found.id, name: found.name };
        else {
          clearTemplate = true;
          errors.push({
            field: 'template',
            text: 'The template you picked has been deleted. Check the message, then preview it again',
          });
        }
      }
      const body = checkTemplateBody(input.body);
      if (!body.ok) for (const text of body.errors) errors.push({ field: 'body', text });
      let toStatus: ApplicationStatus | null = null;
      if (input.toStatus !== '' && input.toStatus !== 'unchanged') {
        if (isApplicationStatus(input.toStatus) && canMove(batch.fromStatus, input.toStatus, 'staff'))
          toStatus = input.toStatus;
        else errors.push({ field: 'toStatus', text: 'Select a status from the list' });
      }
      let sendAt: Date | null = null;
      if (input.when === 'later') {
        const decided = decideSendLater(input.sendLater, clock.now());
        if (decided.ok) sendAt = decided.sendAt;
        else errors.push(...decided.errors);
        if (toStatus) {
          errors.push({
            field: 'when',
            text: 'A status change happens when you send. To send later, choose not to change the status',
          });
        }
      } else if (input.when !== 'now') {
        errors.push({ field: 'when', text: 'Select when to send the message' });
      }
      const files = await messaging.checkFiles(input.files);
      for (const text of files.errors) errors.push({ field: 'attachments', text });
      if (errors.length > 0 || !body.ok) {
        return invalid(errors, { clearTemplate, refusedFiles: files.refusedFiles, acceptedFiles: files.acceptedFiles });
      }
      const chosen = input.files.some((file) => file.fileName !== '');
      const stored: StoreFilesResult = chosen ? await messaging.storeFiles(input.files) : { ok: true, stored: [] };
      if (!stored.ok) {
        return invalid(
          stored.errors.map((text) => ({ field: 'attachments', text })),
          {
            refusedFiles: stored.refusedFiles,
            acceptedFiles: stored.acceptedFiles,
          },
        );
      }
      const newKeys = stored.stored.map((file) => file.storageKey);
      const saved = await db.transaction().execute(async (trx) => {
        const ok = await saveComposition(trx, batch.id, {
          bodyHtml: body.html,
          templateId: template?.id ?? null,
          templateName: template?.name ?? null,
          toStatus,
          sendAt,
        });
        if (!ok) return { ok: false, removed: [] as string[] };
        const removed = chosen ? await replaceBatchAttachments(trx, batch.id, stored.stored) : [];
        return { ok: true, removed };
      });
      await messaging.removeStoredFiles(saved.ok ? saved.removed : newKeys);
      return saved.ok ? { outcome: 'saved' } : { outcome: 'already-sent' };
    },

    /** The preview: one recipient's filled copy (the first, or the one asked for), and every recipient's prospects. */
    async previewPage(user: SignedInUser, batchId: string, applicationId?: string) {
      const batch = await loadBatch(user, batchId);
      if (!batch) return undefined;
      const recipients = await listRecipients(db, batch.id);
      const visible = new Map(
        (
          await applications.listForStaffByIds(
            batch.vacancyId,
            recipients.map((r) => r.applicationId),
            user.id,
          )
        ).map((a) => [a.id, a]),
      );
      const rows = recipients.map((recipient) => ({
        ...recipient,
        preview: previewOf(batch, recipient, visible.get(recipient.applicationId), user),
      }));
      const shown = rows.find((row) => row.applicationId === applicationId) ?? rows[0];
      return { batch, recipients: rows, shown, attachments: await listBatchAttachments(db, batch.id) };
    },

    /**
     * Sends (or schedules) the batch. Safe to call twice or at the same time: each recipient is decided once, under
     * the lock on their row. A template deleted since it was picked stops the send before anything is written.
     */
    async send(user: SignedInUser, batchId: string): Promise<SendBatchResult> {
      const batch = await loadBatch(user, batchId);
      if (!batch) return { outcome: 'not-found' };
      if (batch.bodyHtml === null) return { outcome: 'not-composed' };
      if (batch.state === 'done') return { outcome: 'done' };
      if (batch.state === 'draft' && batch.templateId && !(await templates.find(user, batch.templateId)))
        return { outcome: 'template-deleted' };
      const bodyHtml = batch.bodyHtml;
      if (!(await startSending(db, batch.id))) return { outcome: 'not-composed' };
      const recipients = (await listRecipients(db, batch.id)).filter((recipient) => recipient.outcome === 'pending');
      const visible = new Map(
        (
          await applications.listForStaffByIds(
            batch.vacancyId,
            recipients.map((r) => r.applicationId),
            user.id,
          )
        ).map((a) => [a.id, a]),
      );
      const attachments = await listBatchAttachments(db, batch.id);
      const sender = { id: user.id, kind: 'staff' as const, fullName: user.fullName };

      const skip = async (applicationId: string, reason: string) => {
        await db.transaction().execute(async (trx) => {
          const row = await lockRecipient(trx, batch.id, applicationId);
          if (row?.outcome === 'pending')
            await recordRecipientOutcome(trx, batch.id, applicationId, { outcome: 'skipped', reason, messageId: null });
        });
      };

      await inParallel(recipients, sendConcurrency, async (recipient) => {
        const applicationId = recipient.applicationId;
        try {
          await db.transaction().execute(async (trx) => {
            const row = await lockRecipient(trx, batch.id, applicationId);
            if (row?.outcome !== 'pending') return; // another request (a double submit) decided this one
            const application = visible.get(applicationId);
            if (!application) throw new RecipientSkipped('Not sent: you can no longer see this application');
            const filled = fillPlaceholders(bodyHtml, valuesFor(application, user));
            if (!filled.ok) throw new RecipientSkipped(missingValuesReason(filled.missing));
            const prepared = prepareMessageBody({ format: 'html', body: filled.html });
            if (!prepared.ok) throw new RecipientSkipped(`Not sent: ${prepared.error}`);
            const locked = await applications.lock(trx, applicationId);
            if (!locked) throw new RecipientSkipped('Not sent: you can no longer see this application');
            if (locked.status !== batch.fromStatus) {
              throw new RecipientSkipped(
                `Not sent: their application moved to ‘${statusLabel(locked.status)}’ after you ticked it`,
              );
            }
            const formKey = recipientFormKey(batch.id, applicationId);
            if (batch.sendAt) {
              const decision = decideSend({ actor: 'staff', status: locked.status, conversationHasMessages: true });
              if (!decision.allowed) throw new RecipientSkipped(`Not sent: ${decision.reason}`);
              await scheduled.scheduleInTransaction(trx, {
                applicationId,
                senderUserId: user.id,
                batchId: batch.id,
                html: prepared.html,
                sendAt: batch.sendAt,
                attachments,
                formKey,
              });
              await recordRecipientOutcome(trx, batch.id, applicationId, {
                outcome: 'scheduled',
                reason: null,
                messageId: null,
              });
              return;
            }
            if (batch.toStatus) {
              const change = await applications.changeStatusInTransaction(trx, {
                applicationId,
                actorUserId: user.id,
                actor: 'staff',
                expectedStatus: batch.fromStatus,
                to: batch.toStatus,
              });
              if (change.outcome === 'stale' || change.outcome === 'not-allowed')
                throw new RecipientSkipped(`Not sent: ${change.message}`);
              if (change.outcome === 'not-found')
                throw new RecipientSkipped('Not sent: you can no longer see this application');
            }
            const result = await messaging.deliverInTransaction(trx, {
              application,
              sender,
              formKey,
              html: prepared.html,
              text: prepared.text,
              attachments,
            });
            if (result.outcome === 'denied') throw new RecipientSkipped(`Not sent: ${result.reason}`);
            if (result.outcome === 'not-found')
              throw new RecipientSkipped('Not sent: you can no longer see this application');
            await recordRecipientOutcome(trx, batch.id, applicationId, {
              outcome: 'sent',
              reason: null,
              messageId: result.messageId,
            });
          });
        } catch (error) {
          if (!(error instanceof RecipientSkipped)) throw error;
          await skip(applicationId, error.reason);
        }
      });
      await finishBatch(db, batch.id);
      return { outcome: 'done' };
    },

    /** The result: per applicant, sent, scheduled or not sent (with why). */
    async resultPage(user: SignedInUser, batchId: string) {
      const batch = await loadBatch(user, batchId);
      if (!batch) return undefined;
      return { batch, recipients: await listRecipients(db, batch.id) };
    },
  };
}

export type BulkMessagesService = ReturnType<typeof createBulkMessagesService>;
