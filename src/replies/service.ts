import { createHash } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Logger } from 'pino';
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { StatusChangeListener } from '../applications/service.ts';
import type { MessageSentListener, MessagingService } from '../messaging/service.ts';
import type { NotificationsService } from '../notifications/service.ts';
import { messagingUrls } from '../messaging/urls.ts';
import { accountUrls } from '../accounts/urls.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db.ts';
import type { MessageEmails } from '../platform/database-schema.ts';
import { queueDefinitions, type JobQueue } from '../platform/queue.ts';
import { replyRefusedEmail, staffMessageEmail } from './emails.ts';
import { isAutomatic, sameAddress, type RefusalReason } from './inbound-rules.ts';
import { hashReplyToken, newReplyToken, replyAddress, tokenFromAddress } from './reply-address.ts';
import { replyTextOf } from './reply-text.ts';
import {
  countRecentInbound,
  findMessageEmails,
  findReplyAddress,
  findStaffMessageEmailFacts,
  insertReplyAddress,
  listStaffWantingEachMessage,
  recordInbound,
  revokeReplyAddresses,
  setMessageEmails,
  type ReplyAddressRecord,
} from './repository.ts';
import { replyUrls } from './urls.ts';

interface JobContext {
  id: string;
  retryCount: number;
  retryLimit: number;
}

/**
 * Reply-To addresses: minted for each email (a fresh random token each time, stored hashed), bound to one person
 * and one application. Built before the notifications service, which asks it for the jobseeker's emails.
 */
export function createReplyAddresses(deps: { db: Db; domain: string | null }) {
  const { db, domain } = deps;
  return {
    /** Whether emails may offer replying by email. */
    enabled: domain !== null,
    /** A new Reply-To address for this person about this application, or null when replies by email are off. */
    async forEmail(userId: string, applicationId: string): Promise<string | null> {
      if (!domain) return null;
      const token = newReplyToken();
      await insertReplyAddress(db, { tokenHash: hashReplyToken(token), userId, applicationId });
      return replyAddress(token, domain);
    },
    /** Revokes the addresses of an application, everyone's or one person's: replies to them are refused. */
    revoke: (applicationId: string, userId: string | null = null) => revokeReplyAddresses(db, applicationId, userId),
  };
}

export type ReplyAddresses = ReturnType<typeof createReplyAddresses>;

/**
 * Listeners inside the send and status-change transactions (built before messaging, which calls them): staff who
 * asked for an email per message get one queued; a withdrawn application takes its reply addresses with it.
 */
export function createReplyListeners(deps: { queue: JobQueue }) {
  const { queue } = deps;
  /** Inside the send transaction: an email per message for staff who asked for one. */
  const onMessageSent: MessageSentListener = async (trx, event) => {
    if (event.senderKind !== 'jobseeker') return;
    const recipients = await listStaffWantingEachMessage(trx, event.applicationId, event.senderUserId);
    if (recipients.length === 0) return;
    await queue.insertInTransaction(
      trx,
      queueDefinitions.staffMessageEmail.name,
      recipients.map((userId) => ({
        data: { userId, messageId: event.messageId },
        singletonKey: `${userId}:${event.messageId}`,
      })),
    );
  };

  /** A withdrawn application takes its reply addresses with it. */
  const onStatusChange: StatusChangeListener = async (trx, change) => {
    if (change.to === 'withdrawn') await revokeReplyAddresses(trx, change.applicationId, null);
  };

  return { onMessageSent, onStatusChange };
}

/** What the receiver answers: 250 for all but `rate-limited` (450, try later) and `not-ours` (550, no such mailbox). */
export type InboundOutcome = 'accepted' | 'duplicate' | 'ignored' | 'refused' | 'rate-limited' | 'not-ours';

export interface InboundEmail {
  /** The email as received (when `tooLarge`, only its beginning). */
  raw: Buffer;
  /** The envelope's MAIL FROM: '' for a bounce. */
  envelopeFrom: string;
  /** The RCPT TO address it was sent to. */
  recipient: string;
  /** Over the receiver's size limit: cut short, refused. */
  tooLarge: boolean;
}

interface RefusalJob {
  inboundId: string;
  to: string;
  reason: RefusalReason;
  details: string[];
  /** The token's owner, when the refusal goes to them (their conversation is linked). */
  owner: { userId: string; kind: SignedInUser['kind']; applicationId: string } | null;
}

function headerOf(parsed: ParsedMail): (name: string) => string | undefined {
  return (name) => {
    const line = parsed.headerLines.find((header) => header.key === name)?.line;
    return line === undefined ? undefined : line.slice(line.indexOf(':') + 1).trim();
  };
}

/** A form key for the reply: the same email delivered twice (a retrying server) becomes one message. */
function formKeyOf(addressId: string, parsed: ParsedMail, raw: Buffer): string {
  const identity = parsed.messageId ?? createHash('sha256').update(raw).digest('hex');
  const hex = createHash('sha256').update(`${addressId}:${identity}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function createRepliesService(deps: {
  db: Db;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  baseUrl: string;
  domain: string | null;
  perHour: number;
  addresses: ReplyAddresses;
  messaging: Pick<MessagingService, 'sendMessage'>;
  loadSignedInUser: (userId: string) => Promise<SignedInUser | undefined>;
  notifications: Pick<NotificationsService, 'sendOnce' | 'unsubscribeUrl'>;
}) {
  const { db, queue, clock, logger, baseUrl, addresses } = deps;

  function conversationUrl(kind: SignedInUser['kind'], applicationId: string): string {
    return `${baseUrl}${kind === 'staff' ? messagingUrls.staffConversation(applicationId) : messagingUrls.jobseekerConversation(applicationId)}`;
  }

  /** Records the refusal and queues its answer in one transaction; nothing is answered without a From address. */
  async function refuse(
    reason: RefusalReason,
    parsed: ParsedMail | null,
    address: ReplyAddressRecord | undefined,
    owner: SignedInUser | undefined,
    details: string[] = [],
  ): Promise<InboundOutcome> {
    const to = parsed?.from?.value[0]?.address;
    await db.transaction().execute(async (trx) => {
      const inboundId = await recordInbound(trx, {
        replyAddressId: address?.id ?? null,
        outcome: 'refused',
        refusal: reason,
      });
      if (!to) return;
      const job: RefusalJob = {
        inboundId,
        to,
        reason,
        details,
        owner:
          owner && address && sameAddress(to, owner.email)
            ? { userId: owner.id, kind: owner.kind, applicationId: address.applicationId }
            : null,
      };
      await queue.sendInTransaction(trx, queueDefinitions.replyRefusedEmail.name, job);
    });
    logger.info({ reason, replyAddress: address?.id ?? null }, 'reply by email refused');
    return 'refused';
  }

  async function receive(email: InboundEmail): Promise<InboundOutcome> {
    const token = deps.domain ? tokenFromAddress(email.recipient, deps.domain) : null;
    if (!token) return 'not-ours';
    // The address is looked up while the email is parsed (a database round trip alongside the CPU work).
    const [parsed, address] = await Promise.all([
      simpleParser(email.raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true }),
      findReplyAddress(db, hashReplyToken(token)),
    ]);
    const automatic = isAutomatic({
      envelopeFrom: email.envelopeFrom,
      header: headerOf(parsed),
      contentType: parsed.headerLines
        .find((h) => h.key === 'content-type')
        ?.line.slice(13)
        .trim(),
    });
    if (automatic) {
      // Never answered and never a message: an out-of-office or a bounce must not start a conversation of robots.
      await recordInbound(db, { replyAddressId: address?.id ?? null, outcome: 'ignored', refusal: 'automatic' });
      logger.info({ replyAddress: address?.id ?? null }, 'automatic email to a reply address ignored');
      return 'ignored';
    }
    if (!address) return refuse('unknown-address', parsed, undefined, undefined);

    const since = new Date(clock.now().getTime() - 60 * 60 * 1000);
    const [recent, owner] = await Promise.all([
      countRecentInbound(db, address.id, since),
      deps.loadSignedInUser(address.userId),
    ]);
    if (recent >= deps.perHour) {
      logger.warn({ replyAddress: address.id }, 'replies by email to one address over the hourly limit');
      return 'rate-limited';
    }

    const from = parsed.from?.value[0]?.address ?? '';
    if (owner && !sameAddress(from, owner.email)) return refuse('not-the-owner', parsed, address, owner);
    if (address.revokedAt) return refuse('revoked', parsed, address, owner);
    if (!owner) return refuse('no-access', parsed, address, owner);
    if (email.tooLarge) return refuse('too-large', parsed, address, owner);

    const files = parsed.attachments
      // Pictures inside the HTML (a signature's logo) are part of its layout, not files sent.
      .filter((attachment) => !attachment.related)
      .map((attachment) => ({
        fileName: attachment.filename ?? 'attachment',
        data: attachment.content,
        truncated: false,
      }));
    const result = await deps.messaging.sendMessage({
      applicationId: address.applicationId,
      sender: owner,
      formKey: formKeyOf(address.id, parsed, email.raw),
      body: { format: 'text', body: replyTextOf({ text: parsed.text, html: parsed.html }) },
      files,
    });
    switch (result.outcome) {
      case 'sent':
      case 'duplicate':
        await recordInbound(db, {
          replyAddressId: address.id,
          outcome: result.outcome === 'sent' ? 'accepted' : 'duplicate',
          messageId: result.messageId,
        });
        logger.info({ replyAddress: address.id, outcome: result.outcome }, 'reply by email received');
        return result.outcome === 'sent' ? 'accepted' : 'duplicate';
      case 'not-found':
        return refuse('no-access', parsed, address, owner);
      case 'denied':
        return refuse('not-allowed', parsed, address, owner, [result.reason]);
      case 'invalid':
        return refuse(
          'invalid',
          parsed,
          address,
          owner,
          result.errors.map((error) =>
            error.text === 'Enter a message'
              ? 'Your reply had no words of its own above the quoted email.'
              : error.text,
          ),
        );
    }
  }

  return {
    receive,
    revoke: addresses.revoke,

    /** One staff member's email about one new message: who may receive it, and whether it is still unread, now. */
    async sendStaffMessageEmail(input: { userId: string; messageId: string }, job: JobContext) {
      const facts = await findStaffMessageEmailFacts(db, input.messageId, input.userId);
      if (!facts || facts.closed || !facts.watching) return 'nothing-to-send';
      if (!facts.emailNotifications || facts.messageEmails === 'daily') return 'emails-off';
      if (!facts.unread) return 'nothing-to-send';
      return deps.notifications.sendOnce(
        {
          key: `staff_message:${input.userId}:${input.messageId}`,
          kind: 'staff_message',
          recipientUserId: input.userId,
          applicationId: facts.applicationId,
        },
        job,
        async (reference) =>
          staffMessageEmail({
            to: facts.email,
            candidateName: facts.candidateName,
            vacancyTitle: facts.vacancyTitle,
            schoolName: facts.schoolName,
            conversationUrl: conversationUrl('staff', facts.applicationId),
            settingsUrl: `${baseUrl}${replyUrls.messageEmailSettings()}`,
            unsubscribeUrl: deps.notifications.unsubscribeUrl(input.userId),
            replyTo: await addresses.forEmail(input.userId, facts.applicationId),
            reference,
          }),
      );
    },

    /** The answer to a refused reply, once. */
    async sendRefusal(refusal: RefusalJob, job: JobContext) {
      return deps.notifications.sendOnce(
        {
          key: `reply_refused:${refusal.inboundId}`,
          kind: 'reply_refused',
          recipientUserId: refusal.owner?.userId ?? null,
          ...(refusal.owner ? { applicationId: refusal.owner.applicationId } : {}),
        },
        job,
        (reference) =>
          Promise.resolve(
            replyRefusedEmail({
              to: refusal.to,
              reason: refusal.reason,
              details: refusal.details,
              conversationUrl: refusal.owner ? conversationUrl(refusal.owner.kind, refusal.owner.applicationId) : null,
              signInUrl: `${baseUrl}${accountUrls.signIn()}`,
              reference,
            }),
          ),
      );
    },

    messageEmails: (user: SignedInUser): Promise<MessageEmails> => findMessageEmails(db, user.id),
    setMessageEmails: (user: SignedInUser, value: MessageEmails) => setMessageEmails(db, user.id, value),
  };
}

export type RepliesService = ReturnType<typeof createRepliesService>;
export type { RefusalJob };
