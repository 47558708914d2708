import { decideSend } from '../messaging/policy.ts';
import type { Logger } from 'pino';
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { ApplicationRecord } from '../applications/repository.ts';
import type { StatusChangeListener } from '../applications/service.ts';
import type { MessageSentListener } from '../messaging/service.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db, DbTransaction } from '../platform/db.ts';
import type { EmailTransport, OutgoingEmail } from '../platform/mail.ts';
import type { EmailKind } from '../platform/database-schema.ts';
import { queueDefinitions, type JobQueue } from '../platform/queue.ts';
import { dashboardUrl } from '../dashboard/urls.ts';
import type { DeliveryCheckpoint } from '../platform/test-pauses.ts';
import { messagingUrls } from '../messaging/urls.ts';
import type { NoteMentionListener } from '../notes/service.ts';
import { noteUrls } from '../notes/urls.ts';
import { dueDailyRun } from './daily-schedule.ts';
import { createEmailDelivery, type DeliveryOutcome, type JobContext } from './email-delivery.ts';
import { jobseekerMessagesEmail, staffDailyEmail } from './emails.ts';
import {
  countNotifications,
  countUnreadNotifications,
  findEmailSetting,
  findJobseekerEmailFacts,
  findPreviousDailyWindowEnd,
  findRecipient,
  notifyOfMessage,
  isFollowing,
  listDailyLines,
  listDailyMentions,
  listDailyRecipients,
  listNotifications,
  listWatchers,
  markAllNotificationsRead,
  markApplicationNotificationsRead,
  insertNoteNotifications,
  insertPlainNotifications,
  markNotificationRead,
  recordDailyRun,
  setEmailSetting,
  setFollowing,
  insertNotice,
} from './repository.ts';
import { createUnsubscribeToken, readUnsubscribeToken } from './unsubscribe-token.ts';

export const notificationsPageSize = 20;

export type EmailJobOutcome = DeliveryOutcome | 'nothing-to-send' | 'emails-off';

/** Loads what a notification needs to say about an application (school, job, candidate). */
async function describeApplication(trx: DbTransaction, applicationId: string) {
  return trx
    .selectFrom('applications as a')
    .innerJoin('vacancies as v', 'v.id', 'a.vacancy_id')
    .innerJoin('organisations as o', 'o.id', 'v.school_id')
    .select([
      'a.id',
      'a.jobseeker_id as jobseekerId',
      'a.candidate_name as candidateName',
      'v.title as vacancyTitle',
      'o.name as schoolName',
    ])
    .where('a.id', '=', applicationId)
    .executeTakeFirstOrThrow();
}

export function createNotificationsService(deps: {
  db: Db;
  queue: JobQueue;
  transport: EmailTransport;
  clock: Clock;
  logger: Logger;
  baseUrl: string;
  secret: string;
  jobseekerEmailDelaySeconds: number;
  /** Test-only pauses while sending (EMAIL_TEST_PAUSES); none in production. */
  checkpoint?: DeliveryCheckpoint;
  /** A Reply-To address for this person about this application, or null when replies by email are off (src/replies). */
  replyAddress?: (userId: string, applicationId: string) => Promise<string | null>;
}) {
  const { db, queue, transport, clock, logger, baseUrl } = deps;
  const delivery = createEmailDelivery({ db, transport, logger, checkpoint: deps.checkpoint });

  const unsubscribeUrl = (userId: string) => `${baseUrl}/unsubscribe/${createUnsubscribeToken(deps.secret, userId)}`;

  /**
   * Inside the send transaction: in-service notifications for the other side, following for staff who write, and
   * the jobseeker's email queued to go after a short wait (one job per application at a time, so messages in that
   * window share one email).
   */
  const onMessageSent: MessageSentListener = async (trx, event) => {
    const application = await describeApplication(trx, event.applicationId);
    if (event.senderKind === 'staff') {
      await setFollowing(trx, event.applicationId, event.senderUserId, true);
      await notifyOfMessage(trx, [
        {
          userId: application.jobseekerId,
          applicationId: application.id,
          messageId: event.messageId,
          text: (count) =>
            `${application.schoolName} sent you ${count === 1 ? 'a message' : `${count} messages`} about ${application.vacancyTitle}`,
          link: messagingUrls.jobseekerConversation(application.id),
        },
      ]);
      await queue.sendInTransaction(
        trx,
        queueDefinitions.jobseekerMessageEmail.name,
        { applicationId: application.id },
        {
          startAfter: new Date(clock.now().getTime() + deps.jobseekerEmailDelaySeconds * 1000),
          singletonKey: application.id,
        },
      );
      return;
    }
    const watchers = await listWatchers(trx, event.applicationId);
    const verb = event.isFirstMessage ? 'sent a message' : 'replied';
    await notifyOfMessage(
      trx,
      watchers
        .filter((userId) => userId !== event.senderUserId)
        .map((userId) => ({
          userId,
          applicationId: application.id,
          messageId: event.messageId,
          text: (count) =>
            count === 1
              ? `${application.candidateName} ${verb} about ${application.vacancyTitle}`
              : `${application.candidateName} sent ${count} messages about ${application.vacancyTitle}`,
          link: messagingUrls.staffConversation(application.id),
        })),
    );
  };

  /** Staff who change an application's status follow it. */
  const onStatusChange: StatusChangeListener = async (trx, change) => {
    if (change.actor === 'staff') await setFollowing(trx, change.applicationId, change.actorUserId, true);
  };

  /** Colleagues mentioned in a staff note are told in service, and follow the application. */
  const onNoteMention: NoteMentionListener = async (trx, event) => {
    const application = await describeApplication(trx, event.applicationId);
    for (const userId of event.mentionedUserIds) await setFollowing(trx, event.applicationId, userId, true);
    await insertNoteNotifications(
      trx,
      event.mentionedUserIds.map((userId) => ({
        userId,
        applicationId: application.id,
        noteId: event.noteId,
        text: `${event.authorName} mentioned you in a note about ${application.candidateName}’s application for ${application.vacancyTitle}`,
        link: noteUrls.onApplication(application.id, event.noteId),
      })),
    );
  };

  return {
    onMessageSent,
    onStatusChange,
    onNoteMention,

    /** Tells the staff who hear about an application (followers who can see it, or its school's staff) in service. */
    async notifyWatchers(trx: DbTransaction, notice: { applicationId: string; text: string; link: string }) {
      const watchers = await listWatchers(trx, notice.applicationId);
      await insertPlainNotifications(
        trx,
        watchers.map((userId) => ({ userId, ...notice })),
      );
    },

    /** An in-service notice inside the caller's transaction (a message sent later that could not go). */
    notifyInTransaction: (
      trx: DbTransaction,
      notice: { userId: string; applicationId: string; text: string; link: string },
    ) => insertNotice(trx, notice),

    /**
     * Sends one email through the ledger, exactly once as far as its transport allows: every kind of email goes
     * this way (a queue job calls it with the email's ledger key and a function writing it).
     */
    deliverEmail: delivery.deliver,

    /** The jobseeker's email, a short while after staff messages: unread ones only, never their text. */
    async sendJobseekerEmail(applicationId: string, job: JobContext): Promise<EmailJobOutcome> {
      const facts = await findJobseekerEmailFacts(db, applicationId, job.id);
      if (!facts || facts.closed) return 'nothing-to-send';
      if (!facts.emailNotifications) return 'emails-off';
      if (facts.newMessages === 0) return 'nothing-to-send';
      const replyTo = (await deps.replyAddress?.(facts.jobseekerId, applicationId)) ?? null;
      return delivery.deliver(
        {
          key: `jobseeker_messages:${applicationId}:${facts.newestPosition}`,
          kind: 'jobseeker_messages',
          recipientUserId: facts.jobseekerId,
          applicationId,
          upToPosition: facts.newestPosition,
        },
        job,
        (reference) =>
          jobseekerMessagesEmail({
            to: facts.email,
            schoolName: facts.schoolName,
            vacancyTitle: facts.vacancyTitle,
            newMessages: facts.newMessages,
            canReply: decideSend({ actor: 'jobseeker', status: facts.status, conversationHasMessages: true }).allowed,
            conversationUrl: `${baseUrl}${messagingUrls.jobseekerMessages(applicationId)}`,
            unsubscribeUrl: unsubscribeUrl(facts.jobseekerId),
            reference,
            replyTo,
          }),
      );
    },

    /**
     * Claims the email with this key in the ledger and sends it once: other features' emails (src/replies) go the
     * same way as these. `build` gets the ledger id, which the email carries as its reference.
     */
    async sendOnce(
      claim: { key: string; kind: EmailKind; recipientUserId: string | null; applicationId?: string },
      job: JobContext,
      build: (reference: string) => Promise<OutgoingEmail>,
    ): Promise<DeliveryOutcome> {
      return delivery.deliver(claim, job, build);
    },

    /**
     * Starts the day's run if it is due and nobody has started it: one job per person who may have something to
     * read. Safe to call from every worker, at 07:00 and at start-up (which catches up a missed morning, once).
     */
    async startDailyRunIfDue(): Promise<{ started: boolean; runDate: string; recipients: number }> {
      const run = dueDailyRun(clock.now());
      return db.transaction().execute(async (trx) => {
        if (!(await recordDailyRun(trx, run.runDate, run.cutoff)))
          return { started: false, runDate: run.runDate, recipients: 0 };
        const recipients = await listDailyRecipients(trx, run.cutoff);
        // Thousands of jobs: inserted a thousand per statement, not one round trip each.
        await queue.insertInTransaction(
          trx,
          queueDefinitions.staffDailyEmail.name,
          recipients.map((userId) => ({
            data: { userId, runDate: run.runDate, cutoff: run.cutoff.toISOString() },
            singletonKey: `${userId}:${run.runDate}`,
          })),
        );
        logger.info({ runDate: run.runDate, recipients: recipients.length }, 'daily email run started');
        return { started: true, runDate: run.runDate, recipients: recipients.length };
      });
    },

    /** One person's daily email: who may receive, and what, is checked again now. */
    async sendStaffDailyEmail(
      input: { userId: string; runDate: string; cutoff: Date },
      job: JobContext,
    ): Promise<EmailJobOutcome> {
      const recipient = await findRecipient(db, input.userId);
      if (!recipient || recipient.closed) return 'nothing-to-send';
      if (!recipient.emailNotifications || recipient.messageEmails === 'each') return 'emails-off';
      const since = await findPreviousDailyWindowEnd(db, input.userId);
      if (since && since >= input.cutoff) return 'already-claimed';
      const lines = await listDailyLines(db, input.userId, since, input.cutoff);
      const mentions = await listDailyMentions(db, input.userId, since, input.cutoff);
      if (lines.length === 0 && mentions.length === 0) return 'nothing-to-send';
      return delivery.deliver(
        {
          key: `staff_daily:${input.userId}:${input.runDate}`,
          kind: 'staff_daily',
          recipientUserId: input.userId,
          windowEnd: input.cutoff,
        },
        job,
        (reference) =>
          staffDailyEmail({
            to: recipient.email,
            lines: lines.map((line) => ({
              ...line,
              url: `${baseUrl}${messagingUrls.staffMessages(line.applicationId)}`,
            })),
            dashboardUrl: `${baseUrl}${dashboardUrl()}`,
            unsubscribeUrl: unsubscribeUrl(input.userId),
            reference,
            mentions: mentions.map((m) => ({ text: m.text, url: `${baseUrl}${m.link}` })),
          }),
      );
    },

    // Pages -------------------------------------------------------------------------------------------------------

    async page(user: SignedInUser, page: number) {
      const [rows, counts] = await Promise.all([
        listNotifications(db, user.id, notificationsPageSize, (page - 1) * notificationsPageSize),
        countNotifications(db, user.id),
      ]);
      return { rows, ...counts };
    },
    unreadCount: (user: SignedInUser) => countUnreadNotifications(db, user.id),
    open: (user: SignedInUser, notificationId: string) => markNotificationRead(db, user.id, notificationId),
    markAllRead: (user: SignedInUser) => markAllNotificationsRead(db, user.id),
    conversationOpened: (user: SignedInUser, application: ApplicationRecord) =>
      markApplicationNotificationsRead(db, user.id, application.id),

    isFollowing: (user: SignedInUser, applicationId: string) => isFollowing(db, applicationId, user.id),
    setFollowing: (user: SignedInUser, applicationId: string, following: boolean) =>
      setFollowing(db, applicationId, user.id, following),

    emailsOn: (user: SignedInUser) => findEmailSetting(db, user.id),
    setEmails: (userId: string, enabled: boolean) => setEmailSetting(db, userId, enabled),

    /** The account an unsubscribe link is for, or null for a link that is not genuine. */
    unsubscribeAccount: (token: string) => readUnsubscribeToken(deps.secret, token),
    unsubscribeUrl,
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
