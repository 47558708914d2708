import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import type { UserKind } from '../platform/database-schema.ts';

export interface ConversationRecord {
  id: string;
  applicationId: string;
  jobseekerMessageCount: number;
  staffMessageCount: number;
  lastMessageAt: Date;
}

export interface MessageAttachmentRecord {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  scanResult: 'clean' | 'not_scanned';
}

export interface MessageRecord {
  id: string;
  senderUserId: string;
  senderKind: UserKind;
  senderDisplayName: string;
  sidePosition: number;
  bodyHtml: string;
  sentAt: Date;
  /** When the other side's seen count first passed this message (shown to staff under their messages only). */
  seenByRecipientAt: Date | null;
  attachments: MessageAttachmentRecord[];
}

const conversationColumns = [
  'id',
  'application_id as applicationId',
  'jobseeker_message_count as jobseekerMessageCount',
  'staff_message_count as staffMessageCount',
  'last_message_at as lastMessageAt',
] as const;

export async function findConversationForApplication(
  db: DbExecutor,
  applicationId: string,
): Promise<ConversationRecord | undefined> {
  return db
    .selectFrom('conversations')
    .select(conversationColumns)
    .where('application_id', '=', applicationId)
    .executeTakeFirst();
}

/**
 * The conversation of an application, created if it has none, and locked for the rest of the transaction.
 * Two first messages at the same moment meet at the unique application_id: one creates, both then lock the same row.
 */
export async function lockOrCreateConversation(
  db: DbExecutor,
  application: { id: string; schoolId: string; candidateName: string; vacancyTitle: string; schoolName: string },
): Promise<ConversationRecord> {
  const applicationId = application.id;
  const heading = `${application.candidateName} ${application.vacancyTitle} ${application.schoolName}`;
  await db
    .insertInto('conversations')
    .values({
      application_id: applicationId,
      school_id: application.schoolId,
      last_message_at: sql<Date>`now()`,
      search_vector: sql<string>`setweight(to_tsvector('parley_search', ${heading}), 'A')`,
    })
    .onConflict((c) => c.column('application_id').doNothing())
    .execute();
  return db
    .selectFrom('conversations')
    .select(conversationColumns)
    .where('application_id', '=', applicationId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/**
 * A vacancy's job title or school changed: every conversation about it gets its new heading in its search document
 * (weight A), keeping the words of its messages (the other weights) as they were.
 */
export async function rewriteConversationHeadings(db: DbExecutor, vacancyId: string): Promise<void> {
  await sql`
    update conversations c
    set search_vector = setweight(to_tsvector('parley_search', a.candidate_name || ' ' || v.title || ' ' || o.name), 'A')
      || ts_filter(c.search_vector, '{b,c,d}')
    from applications a
    join vacancies v on v.id = a.vacancy_id
    join organisations o on o.id = v.school_id
    where a.id = c.application_id and v.id = ${vacancyId}
  `.execute(db);
}

/** The conversation of an application with this person's seen count of the other side's messages, in one query. */
export async function findConversationForViewer(
  db: DbExecutor,
  applicationId: string,
  userId: string,
): Promise<(ConversationRecord & { seenCount: number }) | undefined> {
  return db
    .selectFrom('conversations as c')
    .leftJoin('conversation_person_states as s', (join) =>
      join.onRef('s.conversation_id', '=', 'c.id').on('s.user_id', '=', userId),
    )
    .select([
      'c.id',
      'c.application_id as applicationId',
      'c.jobseeker_message_count as jobseekerMessageCount',
      'c.staff_message_count as staffMessageCount',
      'c.last_message_at as lastMessageAt',
      sql<number>`coalesce(s.seen_count, 0)`.as('seenCount'),
    ])
    .where('c.application_id', '=', applicationId)
    .executeTakeFirst();
}

const messageColumns = sql`m.id, m.sender_user_id as "senderUserId", m.sender_kind as "senderKind",
           m.sender_display_name as "senderDisplayName", m.side_position as "sidePosition",
           m.body_html as "bodyHtml", m.sent_at as "sentAt", m.seen_by_recipient_at as "seenByRecipientAt",
           coalesce(a.attachments, '[]'::json) as attachments`;

const attachmentsOfMessage = sql`left join lateral (
      select json_agg(json_build_object('id', a.id, 'fileName', a.file_name, 'contentType', a.content_type,
                                        'sizeBytes', a.size_bytes, 'scanResult', a.scan_result) order by a.created_at, a.id) as attachments
      from message_attachments a where a.message_id = m.id
    ) a on true`;

/** Every message with its attachments, oldest first, in one query (the conversation's PDF). */
export async function listMessages(db: DbExecutor, conversationId: string): Promise<MessageRecord[]> {
  const result = await sql<MessageRecord>`
    select ${messageColumns}
    from messages m
    ${attachmentsOfMessage}
    where m.conversation_id = ${conversationId}
    order by m.sent_at, m.id
  `.execute(db);
  return result.rows;
}

/**
 * One page of a conversation, oldest first: the newest `limit` messages, or the `limit` before the message `before`
 * (a keyset on the index's (sent_at, id), so every page costs the same however long the conversation is). Attachments
 * are read for the page's messages only. `hasEarlier` says whether older messages remain; `cursorFound` is false when
 * `before` is not a message of this conversation (the page is then empty).
 */
export async function listMessagePage(
  db: DbExecutor,
  conversationId: string,
  options: { before: string | null; limit: number },
): Promise<{ messages: MessageRecord[]; hasEarlier: boolean; cursorFound: boolean }> {
  const { before, limit } = options;
  const newer = before
    ? sql`and (m.sent_at, m.id) < (select b.sent_at, b.id from messages b
                                   where b.id = ${before} and b.conversation_id = ${conversationId})`
    : sql``;
  const result = await sql<MessageRecord>`
    select ${messageColumns}
    from (
      select m.* from messages m
      where m.conversation_id = ${conversationId} ${newer}
      order by m.sent_at desc, m.id desc
      limit ${limit + 1}
    ) m
    ${attachmentsOfMessage}
    order by m.sent_at, m.id
  `.execute(db);
  const rows = result.rows;
  const hasEarlier = rows.length > limit;
  const messages = hasEarlier ? rows.slice(1) : rows;
  if (!before || messages.length > 0) return { messages, hasEarlier, cursorFound: true };
  // An empty earlier page: the oldest message's own cursor, or one from elsewhere (a typed or stale address).
  const cursor = await db
    .selectFrom('messages')
    .select('id')
    .where('id', '=', before)
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return { messages, hasEarlier: false, cursorFound: cursor !== undefined };
}

export async function findMessageByFormKey(
  db: DbExecutor,
  senderUserId: string,
  formKey: string,
): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('messages')
    .select('id')
    .where('sender_user_id', '=', senderUserId)
    .where('form_key', '=', formKey)
    .executeTakeFirst();
}

/**
 * Counts the message on its side, moves the conversation's last-message fields and adds the message's words (and
 * attachment names) to the conversation's search document; returns the message's position on its side.
 */
export async function recordMessageOnConversation(
  db: DbExecutor,
  conversationId: string,
  message: { id: string; senderKind: UserKind; searchText: string },
): Promise<number> {
  const isJobseeker = message.senderKind === 'jobseeker';
  const row = await db
    .updateTable('conversations')
    .set((eb) => ({
      last_message_at: sql<Date>`clock_timestamp()`,
      last_message_id: message.id,
      search_vector: sql<string>`search_vector || to_tsvector('parley_search', ${message.searchText})`,
      ...(isJobseeker
        ? {
            jobseeker_message_count: eb('jobseeker_message_count', '+', 1),
            last_jobseeker_message_at: sql<Date>`clock_timestamp()`,
          }
        : { staff_message_count: eb('staff_message_count', '+', 1) }),
    }))
    .where('id', '=', conversationId)
    .returning(['jobseeker_message_count', 'staff_message_count'])
    .executeTakeFirstOrThrow();
  return isJobseeker ? row.jobseeker_message_count : row.staff_message_count;
}

export async function insertMessage(
  db: DbExecutor,
  message: {
    id: string;
    conversationId: string;
    senderUserId: string;
    senderKind: UserKind;
    senderDisplayName: string;
    sidePosition: number;
    bodyHtml: string;
    bodyText: string;
    formKey: string;
  },
): Promise<void> {
  await db
    .insertInto('messages')
    .values({
      id: message.id,
      conversation_id: message.conversationId,
      sender_user_id: message.senderUserId,
      sender_kind: message.senderKind,
      sender_display_name: message.senderDisplayName,
      side_position: message.sidePosition,
      body_html: message.bodyHtml,
      body_text: message.bodyText,
      form_key: message.formKey,
      sent_at: sql<Date>`clock_timestamp()`, // under the application's lock, like status changes
    })
    .execute();
}

export async function insertAttachments(
  db: DbExecutor,
  messageId: string,
  attachments: {
    storageKey: string;
    fileName: string;
    contentType: string;
    sizeBytes: number;
    scanResult: 'clean' | 'not_scanned';
  }[],
): Promise<void> {
  if (attachments.length === 0) return;
  await db
    .insertInto('message_attachments')
    .values(
      attachments.map((a) => ({
        message_id: messageId,
        storage_key: a.storageKey,
        file_name: a.fileName,
        content_type: a.contentType,
        size_bytes: a.sizeBytes,
        scan_result: a.scanResult,
      })),
    )
    .execute();
}

/** Records that this person has seen the other side's messages up to `seenCount`. */
export async function setSeenCount(
  db: DbExecutor,
  conversationId: string,
  userId: string,
  seenCount: number,
): Promise<void> {
  await db
    .insertInto('conversation_person_states')
    .values({ conversation_id: conversationId, user_id: userId, seen_count: seenCount })
    .onConflict((c) => c.columns(['conversation_id', 'user_id']).doUpdateSet({ seen_count: seenCount }))
    .execute();
}

/**
 * Stamps the first time the reader's seen count passed each of the other side's messages: those after `fromCount`
 * up to `toCount` not stamped before ("mark as unread" lowers the count; reading again keeps the first time).
 */
export async function markSeenByRecipient(
  db: DbExecutor,
  conversationId: string,
  senderKind: UserKind,
  fromCount: number,
  toCount: number,
): Promise<void> {
  await db
    .updateTable('messages')
    .set({ seen_by_recipient_at: sql<Date>`now()` })
    .where('conversation_id', '=', conversationId)
    .where('sender_kind', '=', senderKind)
    .where('side_position', '>', fromCount)
    .where('side_position', '<=', toCount)
    .where('seen_by_recipient_at', 'is', null)
    .execute();
}

/** The name of the organisation a staff member speaks for about a school: the school itself, else its group. */
export async function staffOrganisationNameForSchool(
  db: DbExecutor,
  staffUserId: string,
  schoolId: string,
): Promise<string | undefined> {
  const result = await sql<{ name: string }>`
    select o.name from staff_memberships m join organisations o on o.id = m.organisation_id
    where m.user_id = ${staffUserId}
      and (m.organisation_id = ${schoolId}
           or m.organisation_id in (select g.group_id from school_group_members g where g.school_id = ${schoolId}))
    order by (m.organisation_id = ${schoolId}) desc, o.name
    limit 1
  `.execute(db);
  return result.rows[0]?.name;
}

export interface AttachmentLocation {
  id: string;
  storageKey: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  applicationId: string;
}

export async function findAttachment(db: DbExecutor, attachmentId: string): Promise<AttachmentLocation | undefined> {
  return db
    .selectFrom('message_attachments as a')
    .innerJoin('messages as m', 'm.id', 'a.message_id')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select([
      'a.id',
      'a.storage_key as storageKey',
      'a.file_name as fileName',
      'a.content_type as contentType',
      'a.size_bytes as sizeBytes',
      'c.application_id as applicationId',
    ])
    .where('a.id', '=', attachmentId)
    .executeTakeFirst();
}
