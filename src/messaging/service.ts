import { randomUUID } from 'node:crypto';
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { ApplicationRecord } from '../applications/repository.ts';
import type { ApplicationsService } from '../applications/service.ts';
import type { Db, DbTransaction } from '../platform/db.ts';
import type { FileStorage } from '../platform/storage.ts';
import { newFileKey } from '../platform/storage.ts';
import type { ConfiguredScanner } from '../platform/malware-scanner.ts';
import {
  attachmentErrorText,
  cleanFileName,
  fileErrorMessage,
  validateAttachments,
  type AttachmentInput,
  type AttachmentLimits,
} from './attachment-rules.ts';
import { decideSend, type DeniedCode, type MessagingActor, type MessagingDecision } from './policy.ts';
import {
  findAttachment,
  findConversationForApplication,
  findConversationForViewer,
  findMessageByFormKey,
  insertAttachments,
  insertMessage,
  listMessagePage,
  listMessages,
  lockOrCreateConversation,
  rewriteConversationHeadings,
  markSeenByRecipient,
  recordMessageOnConversation,
  setSeenCount,
  staffOrganisationNameForSchool,
  type MessageRecord,
} from './repository.ts';
import { prepareMessageBody } from './rich-text.ts';
import { searchableText } from './search-text.ts';

/** What happened, for listeners that queue side effects (notifications) inside the send transaction. */
export interface MessageSentEvent {
  messageId: string;
  conversationId: string;
  applicationId: string;
  senderUserId: string;
  senderKind: MessagingActor;
  isFirstMessage: boolean;
}
export type MessageSentListener = (transaction: DbTransaction, event: MessageSentEvent) => Promise<void>;

export interface UploadedFile extends AttachmentInput {
  /** The upload went past the size limit and was cut short. */
  truncated: boolean;
}

export interface SendMessageInput {
  applicationId: string;
  sender: SignedInUser;
  formKey: string;
  body: { format: 'html' | 'text'; body: string };
  files: UploadedFile[];
}

export type FieldError = { field: 'body' | 'attachments'; text: string };

export type SendMessageResult =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'duplicate'; messageId: string }
  | { outcome: 'not-found' }
  | { outcome: 'denied'; reason: string }
  | { outcome: 'invalid'; errors: FieldError[]; refusedFiles: string[]; acceptedFiles: string[] };

/** Who sends a message delivered in a caller's transaction (a bulk message, one sent later). */
export type MessageSender = Pick<SignedInUser, 'id' | 'kind' | 'fullName'>;

/** A file already scanned and stored, to be attached to a message. */
export interface StoredFile {
  storageKey: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  scanResult: 'clean' | 'not_scanned';
}

export interface DeliveryInput {
  application: ApplicationRecord;
  sender: MessageSender;
  formKey: string;
  /** Sanitised message HTML and its plain-text copy (prepareMessageBody). */
  html: string;
  text: string;
  attachments: StoredFile[];
}

export type DeliveryResult =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'duplicate'; messageId: string }
  | { outcome: 'not-found' }
  | { outcome: 'denied'; reason: string; code: DeniedCode };

export type StoreFilesResult =
  { ok: true; stored: StoredFile[] } | { ok: false; errors: string[]; refusedFiles: string[]; acceptedFiles: string[] };

export interface ConversationView {
  conversationId: string | null;
  /** The page of messages shown, oldest first: the latest page, the page before a cursor, or all of them. */
  messages: (MessageRecord & { unread: boolean; mine: boolean })[];
  /** Every message of the conversation, on any page. */
  messageCount: number;
  jobseekerMessageCount: number;
  unreadCount: number;
  /** The cursor of the page before this one (its oldest message), when there are earlier messages. */
  earlierBefore: string | null;
  /** The cursor this page was asked for: null for the latest page. */
  before: string | null;
  /** False when the cursor is not a message of this conversation. */
  cursorFound: boolean;
  decision: MessagingDecision;
}

/**
 * Messages on one page of a conversation. A page costs what its rows cost, however long the conversation grows; 50
 * is more than most conversations ever hold (one page, no link), about a term of a busy hiring conversation, and
 * keeps the page's HTML and rendering small (docs/decisions/0017-conversation-page.md).
 */
export const conversationPageSize = 50;

/** The words a message adds to its conversation's search document (search-text.ts, pure, shared with migrations). */
export { searchableText };

export function createMessagingService(deps: {
  db: Db;
  applications: ApplicationsService;
  storage: FileStorage;
  scanner: ConfiguredScanner;
  limits: AttachmentLimits;
  onMessageSent?: MessageSentListener[];
  /** Told when the file storage fails, so that operators hear of it (the person sees "try again"). */
  onStorageFailure?: (error: unknown) => void;
}) {
  const { db, applications, storage, scanner, limits } = deps;
  const onStorageFailure = deps.onStorageFailure ?? (() => undefined);
  const listeners = deps.onMessageSent ?? [];

  function findVisibleApplication(applicationId: string, user: SignedInUser): Promise<ApplicationRecord | undefined> {
    return user.kind === 'staff'
      ? applications.findForStaff(applicationId, user.id)
      : applications.findForJobseeker(applicationId, user.id);
  }

  /**
   * Scans and stores accepted files; any refusal means nothing is kept. `infected` lists the files that must be
   * replaced; the others (clean, or not scanned because the scanner failed) can be chosen again as they are.
   */
  async function storeAttachments(files: Awaited<ReturnType<typeof validateAttachments>>['accepted']) {
    const stored: {
      storageKey: string;
      fileName: string;
      contentType: string;
      sizeBytes: number;
      scanResult: 'clean' | 'not_scanned';
    }[] = [];
    const errors: string[] = [];
    const infected: typeof files = [];
    for (const file of files) {
      if (scanner) {
        const result = await scanner.scan(file.data);
        if (result.outcome === 'infected') {
          errors.push(fileErrorMessage(file.fileName, attachmentErrorText.virus));
          infected.push(file);
          continue;
        }
        if (result.outcome === 'unavailable') {
          errors.push(fileErrorMessage(file.fileName, attachmentErrorText.uploadFailed));
          continue;
        }
      }
      stored.push({
        storageKey: newFileKey(),
        fileName: file.fileName,
        contentType: file.mime,
        sizeBytes: file.size,
        scanResult: scanner ? 'clean' : 'not_scanned',
      });
    }
    if (errors.length > 0) return { stored: [], errors, infected };
    try {
      for (const [index, file] of stored.entries()) {
        const data = files[index]?.data;
        if (data) await storage.put(file.storageKey, data);
      }
    } catch (error) {
      // The storage refused (a full disk, a bucket out of reach): nothing of this message is kept, and the person is
      // asked to try again, as when the scanner is unavailable.
      await removeStored(stored.map((file) => file.storageKey));
      onStorageFailure(error);
      return {
        stored: [],
        errors: files.map((file) => fileErrorMessage(file.fileName, attachmentErrorText.uploadFailed)),
        infected,
      };
    }
    return { stored, errors, infected };
  }

  /**
   * The attachment rules on the chosen files: a file cut short at the size limit is too big; the rest are checked
   * whole (count, emptiness, type). Says which files must be chosen again and which replaced.
   */
  async function checkFiles(files: UploadedFile[]) {
    const chosen = files.filter((file) => file.fileName !== '');
    const tooMany = chosen.length > limits.maxFiles;
    const validation = await validateAttachments(tooMany ? chosen : chosen.filter((file) => !file.truncated), limits);
    const tooBig = tooMany ? [] : chosen.filter((file) => file.truncated).map((file) => cleanFileName(file.fileName));
    const errors = [
      ...tooBig.map((fileName) => fileErrorMessage(fileName, attachmentErrorText.tooBig(limits.maxBytes))),
      ...validation.errors.map((error) => error.message),
    ];
    const refused = new Set([
      ...tooBig,
      ...validation.errors.map((e) => e.fileName).filter((name): name is string => name !== null),
    ]);
    return {
      accepted: validation.accepted,
      errors,
      refusedFiles: [...refused],
      // With too many files none was checked: all of them (or fewer) must be chosen again.
      acceptedFiles: tooMany
        ? chosen.map((file) => cleanFileName(file.fileName))
        : validation.accepted.map((file) => file.fileName),
    };
  }

  /**
   * Delivers one message inside the caller's transaction: locks the application, asks the policy, writes the message,
   * its attachments (files already scanned and stored), the conversation's counters and the side effects' queue
   * entries. The single send, bulk messages and messages sent later all come this way.
   */
  async function deliverInTransaction(trx: DbTransaction, input: DeliveryInput): Promise<DeliveryResult> {
    const { application, sender } = input;
    const locked = await applications.lock(trx, application.id);
    if (!locked) return { outcome: 'not-found' };
    const duplicate = await findMessageByFormKey(trx, sender.id, input.formKey);
    if (duplicate) return { outcome: 'duplicate', messageId: duplicate.id };
    const existing = await findConversationForApplication(trx, application.id);
    const hasMessages = (existing?.jobseekerMessageCount ?? 0) + (existing?.staffMessageCount ?? 0) > 0;
    const decision = decideSend({ actor: sender.kind, status: locked.status, conversationHasMessages: hasMessages });
    if (!decision.allowed) return { outcome: 'denied', reason: decision.reason, code: decision.code };

    const conversation = await lockOrCreateConversation(trx, application);
    const messageId = randomUUID();
    const sidePosition = await recordMessageOnConversation(trx, conversation.id, {
      id: messageId,
      senderKind: sender.kind,
      searchText: searchableText([input.text, ...input.attachments.map((file) => file.fileName)]),
    });
    const senderDisplayName =
      sender.kind === 'staff'
        ? [sender.fullName, await staffOrganisationNameForSchool(trx, sender.id, application.schoolId)]
            .filter(Boolean)
            .join(', ')
        : application.candidateName;
    await insertMessage(trx, {
      id: messageId,
      conversationId: conversation.id,
      senderUserId: sender.id,
      senderKind: sender.kind,
      senderDisplayName,
      sidePosition,
      bodyHtml: input.html,
      bodyText: input.text,
      formKey: input.formKey,
    });
    await insertAttachments(trx, messageId, input.attachments);
    const event: MessageSentEvent = {
      messageId,
      conversationId: conversation.id,
      applicationId: application.id,
      senderUserId: sender.id,
      senderKind: sender.kind,
      isFirstMessage: !hasMessages,
    };
    for (const listener of listeners) await listener(trx, event);
    return { outcome: 'sent', messageId };
  }

  async function removeStored(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => storage.delete(key).catch(() => undefined)));
  }

  return {
    deliverInTransaction,

    /** The attachment rules alone, so that a form can report every error at once before any file is scanned. */
    checkFiles,

    /**
     * Checks, scans and stores files for messages that are not sent at once (a bulk message's files, shared by its
     * messages; a message sent later). Nothing is kept when any file is refused.
     */
    async storeFiles(files: UploadedFile[]): Promise<StoreFilesResult> {
      const checked = await checkFiles(files);
      if (checked.errors.length > 0) return { ok: false, ...checked };
      const { stored, errors, infected } = await storeAttachments(checked.accepted);
      if (errors.length > 0) {
        return {
          ok: false,
          errors,
          refusedFiles: infected.map((file) => file.fileName),
          acceptedFiles: checked.accepted.filter((file) => !infected.includes(file)).map((file) => file.fileName),
        };
      }
      return { ok: true, stored };
    },

    /** Removes stored files that no message will carry (a bulk message or a message sent later that was dropped). */
    removeStoredFiles: removeStored,

    /**
     * Told by the vacancies feature, inside its transaction, when a vacancy's job title or school changed: the
     * conversations' search documents follow (the dashboard's search finds the new title, not the old one).
     */
    async onVacancyChanged(trx: DbTransaction, change: { vacancyId: string; headingChanged: boolean }) {
      if (change.headingChanged) await rewriteConversationHeadings(trx, change.vacancyId);
    },

    /**
     * Sends a message. Order: who may see it -> the form (text and files) -> duplicate form -> malware scan and
     * storage -> one transaction that locks the application, asks the policy, writes the message, its attachments,
     * the conversation's counters and the side effects' queue entries. Files stored for a send that then fails
     * are removed again.
     */
    async sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
      const application = await findVisibleApplication(input.applicationId, input.sender);
      if (!application) return { outcome: 'not-found' };

      const errors: FieldError[] = [];
      const prepared = prepareMessageBody(input.body);
      if (!prepared.ok) errors.push({ field: 'body', text: prepared.error });

      const files = await checkFiles(input.files);
      for (const text of files.errors) errors.push({ field: 'attachments', text });
      if (errors.length > 0) {
        return {
          outcome: 'invalid',
          errors,
          refusedFiles: files.refusedFiles,
          acceptedFiles: files.acceptedFiles,
        };
      }
      const validation = { accepted: files.accepted };

      const earlier = await findMessageByFormKey(db, input.sender.id, input.formKey);
      if (earlier) return { outcome: 'duplicate', messageId: earlier.id };

      const { stored, errors: scanErrors, infected } = await storeAttachments(validation.accepted);
      if (scanErrors.length > 0) {
        return {
          outcome: 'invalid',
          errors: scanErrors.map((text) => ({ field: 'attachments', text })),
          refusedFiles: infected.map((file) => file.fileName),
          acceptedFiles: validation.accepted.filter((file) => !infected.includes(file)).map((file) => file.fileName),
        };
      }
      const storedKeys = stored.map((file) => file.storageKey);
      if (!prepared.ok) throw new Error('unreachable: the body was validated above');

      try {
        const result = await db.transaction().execute(async (trx): Promise<SendMessageResult> =>
          deliverInTransaction(trx, {
            application,
            sender: input.sender,
            formKey: input.formKey,
            html: prepared.html,
            text: prepared.text,
            attachments: stored,
          }),
        );
        if (result.outcome !== 'sent') await removeStored(storedKeys);
        return result;
      } catch (error) {
        await removeStored(storedKeys);
        throw error;
      }
    },

    /**
     * The conversation as this person sees it, with their unread messages marked; opening it marks them read
     * (for this person only). The same policy answer decides whether the page shows the form or why not.
     */
    async openConversation(
      application: ApplicationRecord,
      viewer: SignedInUser,
      options: {
        markRead: boolean;
        /** A page before this message (its id), rather than the latest page. */
        before?: string | null;
        /** Every message, for the conversation's PDF. */
        allMessages?: boolean;
      } = { markRead: true },
    ): Promise<ConversationView> {
      const before = options.before ?? null;
      const conversation = await findConversationForViewer(db, application.id, viewer.id);
      const hasMessages = conversation
        ? conversation.jobseekerMessageCount + conversation.staffMessageCount > 0
        : false;
      const decision = decideSend({
        actor: viewer.kind,
        status: application.status,
        conversationHasMessages: hasMessages,
      });
      if (!conversation) {
        return {
          conversationId: null,
          messages: [],
          messageCount: 0,
          jobseekerMessageCount: 0,
          unreadCount: 0,
          earlierBefore: null,
          before,
          cursorFound: before === null,
          decision,
        };
      }
      const otherSideCount =
        viewer.kind === 'staff' ? conversation.jobseekerMessageCount : conversation.staffMessageCount;
      const seen = conversation.seenCount;
      const page = options.allMessages
        ? { messages: await listMessages(db, conversation.id), hasEarlier: false, cursorFound: true }
        : await listMessagePage(db, conversation.id, { before, limit: conversationPageSize });
      const messages = page.messages.map((message) => {
        const fromOtherSide = message.senderKind !== viewer.kind;
        return {
          ...message,
          // Staff see when the applicant first read their messages; jobseekers are not shown staff's reads.
          seenByRecipientAt: viewer.kind === 'staff' && !fromOtherSide ? message.seenByRecipientAt : null,
          mine: message.senderUserId === viewer.id,
          unread: fromOtherSide && message.sidePosition > seen,
        };
      });
      // Opening any page marks everything seen up to the newest message, as opening the conversation always has.
      if (options.markRead && page.cursorFound && seen < otherSideCount) {
        await db.transaction().execute(async (trx) => {
          await setSeenCount(trx, conversation.id, viewer.id, otherSideCount);
          if (viewer.kind === 'jobseeker')
            await markSeenByRecipient(trx, conversation.id, 'staff', seen, otherSideCount);
        });
      }
      return {
        conversationId: conversation.id,
        messages,
        messageCount: conversation.jobseekerMessageCount + conversation.staffMessageCount,
        jobseekerMessageCount: conversation.jobseekerMessageCount,
        unreadCount: Math.max(0, otherSideCount - seen),
        earlierBefore: page.hasEarlier ? (messages[0]?.id ?? null) : null,
        before,
        cursorFound: page.cursorFound,
        decision,
      };
    },

    /** The file, if this person may see the application it belongs to. */
    async openAttachment(attachmentId: string, viewer: SignedInUser) {
      const attachment = await findAttachment(db, attachmentId);
      if (!attachment) return undefined;
      if (!(await findVisibleApplication(attachment.applicationId, viewer))) return undefined;
      const stream = await storage.getStream(attachment.storageKey);
      return stream ? { ...attachment, stream } : undefined;
    },
  };
}

export type MessagingService = ReturnType<typeof createMessagingService>;
