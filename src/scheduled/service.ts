/**
 * Messages sent later: a message (single, or one of a bulk message's) kept until its time, shown to its sender as
 * scheduled with edit and cancel, then sent by a worker through the same path as any message. At that moment the
 * policy is asked again; a message that may no longer go is not sent, and the sender is told in the service.
 *
 * Exactly once: the worker claims the message under a row lock and sends it (or records why not) in the same
 * transaction, so a second worker waits and then finds it done, and a worker killed mid-way leaves it waiting for the
 * job's retry. Editing the time queues a new job; a job that comes before its message's time does nothing.
 */
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db, DbTransaction } from '../platform/db.ts';
import type { StoredFileJson } from '../platform/database-schema.ts';
import { queueDefinitions, type JobQueue } from '../platform/queue.ts';
import type { ApplicationRecord } from '../applications/repository.ts';
import type { ApplicationsService } from '../applications/service.ts';
import type { MessagingService, UploadedFile } from '../messaging/service.ts';
import { decideSend } from '../messaging/policy.ts';
import { messageBodyToKeep, prepareMessageBody, htmlToTypedText } from '../messaging/rich-text.ts';
import { applicationUrls } from '../applications/urls.ts';
import {
  cancelWaiting,
  findScheduledByFormKey,
  findScheduledForSender,
  findSender,
  insertScheduledMessage,
  listWaitingForApplication,
  lockScheduled,
  recordScheduledOutcome,
  updateWaiting,
} from './repository.ts';
import { decideSendLater, sendLaterFields, type SendLaterField, type SendLaterInput } from './rules.ts';

export type ScheduleFieldError = { field: 'body' | 'attachments' | SendLaterField; text: string };

export type ScheduleResult =
  | { outcome: 'scheduled'; scheduledId: string; sendAt: Date }
  | { outcome: 'duplicate'; scheduledId: string }
  | { outcome: 'not-found' }
  | { outcome: 'denied'; reason: string }
  | { outcome: 'invalid'; errors: ScheduleFieldError[]; refusedFiles: string[]; acceptedFiles: string[] };

export type EditResult =
  | { outcome: 'saved'; applicationId: string }
  | { outcome: 'not-found' }
  | { outcome: 'gone'; applicationId: string }
  | { outcome: 'invalid'; errors: ScheduleFieldError[] };

export type ScheduledSendOutcome = 'sent' | 'not-sent' | 'already-done' | 'not-yet';

export type NoticeWriter = (
  trx: DbTransaction,
  notice: { userId: string; applicationId: string; text: string; link: string },
) => Promise<void>;

export function createScheduledMessagesService(deps: {
  db: Db;
  queue: JobQueue;
  clock: Clock;
  applications: ApplicationsService;
  messaging: MessagingService;
  notify: NoticeWriter;
}) {
  const { db, queue, clock, applications, messaging } = deps;

  /** Keeps a message for later inside the caller's transaction, with the job that sends it at its time. */
  async function scheduleInTransaction(
    trx: DbTransaction,
    input: {
      applicationId: string;
      senderUserId: string;
      batchId: string | null;
      html: string;
      sendAt: Date;
      attachments: StoredFileJson[];
      formKey: string;
    },
  ): Promise<string | undefined> {
    const scheduledId = await insertScheduledMessage(trx, { ...input, bodyHtml: input.html });
    if (scheduledId) await enqueue(trx, scheduledId, input.sendAt);
    return scheduledId;
  }

  async function enqueue(trx: DbTransaction, scheduledId: string, sendAt: Date): Promise<void> {
    await queue.sendInTransaction(trx, queueDefinitions.scheduledMessage.name, { scheduledId }, { startAfter: sendAt });
  }

  function checkBody(body: { format: 'html' | 'text'; body: string }) {
    const prepared = prepareMessageBody(body);
    return prepared;
  }

  return {
    scheduleInTransaction,

    /** "Send later" on the message form (staff): checked as a send would be, then kept with its files. */
    async scheduleMessage(input: {
      applicationId: string;
      sender: SignedInUser;
      formKey: string;
      body: { format: 'html' | 'text'; body: string };
      files: UploadedFile[];
      when: SendLaterInput;
    }): Promise<ScheduleResult> {
      if (input.sender.kind !== 'staff') return { outcome: 'not-found' };
      const application = await applications.findForStaff(input.applicationId, input.sender.id);
      if (!application) return { outcome: 'not-found' };
      const errors: ScheduleFieldError[] = [];
      const prepared = checkBody(input.body);
      if (!prepared.ok) errors.push({ field: 'body', text: prepared.error });
      const when = decideSendLater(input.when, clock.now());
      if (!when.ok) errors.push(...when.errors);
      const files = await messaging.checkFiles(input.files);
      for (const text of files.errors) errors.push({ field: 'attachments', text });
      if (errors.length > 0 || !prepared.ok || !when.ok) {
        return { outcome: 'invalid', errors, refusedFiles: files.refusedFiles, acceptedFiles: files.acceptedFiles };
      }
      const earlier = await findScheduledByFormKey(db, input.sender.id, input.formKey);
      if (earlier) return { outcome: 'duplicate', scheduledId: earlier.id };
      const decision = decideSend({ actor: 'staff', status: application.status, conversationHasMessages: true });
      if (!decision.allowed) return { outcome: 'denied', reason: decision.reason };

      const stored = await messaging.storeFiles(input.files);
      if (!stored.ok) {
        return {
          outcome: 'invalid',
          errors: stored.errors.map((text) => ({ field: 'attachments', text })),
          refusedFiles: stored.refusedFiles,
          acceptedFiles: stored.acceptedFiles,
        };
      }
      const keys = stored.stored.map((file) => file.storageKey);
      try {
        const result = await db.transaction().execute(async (trx): Promise<ScheduleResult> => {
          const locked = await applications.lock(trx, application.id);
          if (!locked) return { outcome: 'not-found' };
          const now = decideSend({ actor: 'staff', status: locked.status, conversationHasMessages: true });
          if (!now.allowed) return { outcome: 'denied', reason: now.reason };
          const scheduledId = await scheduleInTransaction(trx, {
            applicationId: application.id,
            senderUserId: input.sender.id,
            batchId: null,
            html: prepared.html,
            sendAt: when.sendAt,
            attachments: stored.stored,
            formKey: input.formKey,
          });
          if (!scheduledId) {
            const duplicate = await findScheduledByFormKey(trx, input.sender.id, input.formKey);
            return duplicate ? { outcome: 'duplicate', scheduledId: duplicate.id } : { outcome: 'not-found' };
          }
          return { outcome: 'scheduled', scheduledId, sendAt: when.sendAt };
        });
        if (result.outcome !== 'scheduled') await messaging.removeStoredFiles(keys);
        return result;
      } catch (error) {
        await messaging.removeStoredFiles(keys);
        throw error;
      }
    },

    /** The sender's messages about this application still waiting to go, for the sender's side of the thread. */
    async waitingFor(viewer: SignedInUser, applicationId: string) {
      if (viewer.kind !== 'staff') return [];
      return listWaitingForApplication(db, applicationId, viewer.id);
    },

    /** A waiting message as its edit form shows it; undefined if it is not this person's. */
    async editForm(viewer: SignedInUser, scheduledId: string) {
      const message = await findScheduledForSender(db, scheduledId, viewer.id);
      if (!message) return undefined;
      const application = await applications.findForStaff(message.applicationId, viewer.id);
      if (!application) return undefined;
      return {
        message,
        application,
        body: htmlToTypedText(message.bodyHtml),
        html: message.bodyHtml,
        when: sendLaterFields(message.sendAt),
      };
    },

    /** Changes the text and time of a message that has not gone yet. */
    async edit(
      viewer: SignedInUser,
      scheduledId: string,
      input: { body: { format: 'html' | 'text'; body: string }; when: SendLaterInput },
    ): Promise<EditResult> {
      const message = await findScheduledForSender(db, scheduledId, viewer.id);
      if (!message || !(await applications.findForStaff(message.applicationId, viewer.id)))
        return { outcome: 'not-found' };
      if (message.state !== 'scheduled') return { outcome: 'gone', applicationId: message.applicationId };
      const errors: ScheduleFieldError[] = [];
      const prepared = checkBody(input.body);
      if (!prepared.ok) errors.push({ field: 'body', text: prepared.error });
      const when = decideSendLater(input.when, clock.now());
      if (!when.ok) errors.push(...when.errors);
      if (errors.length > 0 || !prepared.ok || !when.ok) return { outcome: 'invalid', errors };
      const saved = await db.transaction().execute(async (trx) => {
        const locked = await lockScheduled(trx, scheduledId);
        if (locked?.state !== 'scheduled') return false;
        const updated = await updateWaiting(trx, scheduledId, viewer.id, {
          bodyHtml: prepared.html,
          sendAt: when.sendAt,
        });
        if (updated && locked.sendAt.getTime() !== when.sendAt.getTime()) await enqueue(trx, scheduledId, when.sendAt);
        return updated;
      });
      return saved
        ? { outcome: 'saved', applicationId: message.applicationId }
        : { outcome: 'gone', applicationId: message.applicationId };
    },

    /** Cancels a message that has not gone yet. Its own files are removed; a bulk message's shared files stay. */
    async cancel(
      viewer: SignedInUser,
      scheduledId: string,
    ): Promise<{ outcome: 'cancelled' | 'gone'; applicationId: string } | { outcome: 'not-found' }> {
      const message = await findScheduledForSender(db, scheduledId, viewer.id);
      if (!message || !(await applications.findForStaff(message.applicationId, viewer.id)))
        return { outcome: 'not-found' };
      const cancelled = await db.transaction().execute(async (trx) => {
        const locked = await lockScheduled(trx, scheduledId);
        if (locked?.state !== 'scheduled') return undefined;
        return cancelWaiting(trx, scheduledId, viewer.id);
      });
      if (!cancelled) return { outcome: 'gone', applicationId: message.applicationId };
      if (!cancelled.batchId) await messaging.removeStoredFiles(cancelled.attachments.map((file) => file.storageKey));
      return { outcome: 'cancelled', applicationId: message.applicationId };
    },

    /**
     * The worker's send: claims the message under its row lock, asks the policy again, and sends it or records why
     * not (telling the sender), all in one transaction.
     */
    async sendScheduled(scheduledId: string): Promise<ScheduledSendOutcome> {
      return db.transaction().execute(async (trx): Promise<ScheduledSendOutcome> => {
        const message = await lockScheduled(trx, scheduledId);
        if (message?.state !== 'scheduled') return 'already-done';
        if (message.sendAt.getTime() > clock.now().getTime() + 1000) return 'not-yet';
        const sender = await findSender(trx, message.senderUserId);
        const application: ApplicationRecord | undefined = sender
          ? await applications.findForStaff(message.applicationId, sender.id)
          : undefined;
        const notSent = async (reason: string) => {
          await recordScheduledOutcome(trx, scheduledId, { state: 'not_sent', reason, messageId: null });
          if (sender && application) {
            await deps.notify(trx, {
              userId: sender.id,
              applicationId: application.id,
              text: `Your message to ${application.candidateName} about ${application.vacancyTitle} was not sent: ${reason}`,
              link: applicationUrls.staffApplication(application.id),
            });
          }
          return 'not-sent' as const;
        };
        if (!sender || !application) return notSent('you can no longer see this application');
        const prepared = prepareMessageBody({ format: 'html', body: message.bodyHtml });
        if (!prepared.ok) return notSent(prepared.error);
        const result = await messaging.deliverInTransaction(trx, {
          application,
          sender,
          formKey: message.id,
          html: prepared.html,
          text: prepared.text,
          attachments: message.attachments,
        });
        if (result.outcome === 'sent' || result.outcome === 'duplicate') {
          await recordScheduledOutcome(trx, scheduledId, { state: 'sent', reason: null, messageId: result.messageId });
          return 'sent';
        }
        // The refusal's first sentence says why; the rest (what to do next on the page) does not fit a notification.
        if (result.outcome === 'denied')
          return notSent(lowerFirst(result.reason.split(/(?<=\.) /)[0] ?? '').replace(/\.$/, ''));
        return notSent('you can no longer see this application');
      });
    },

    /** What a refused edit form keeps of what was typed. */
    bodyToKeep: (body: { format: 'html' | 'text'; body: string }) => messageBodyToKeep(body, 'editable'),
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export type ScheduledMessagesService = ReturnType<typeof createScheduledMessagesService>;
