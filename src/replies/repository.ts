import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import type { InboundRepliesTable, MessageEmails } from '../platform/database-schema.ts';

export interface ReplyAddressRecord {
  id: string;
  userId: string;
  applicationId: string;
  revokedAt: Date | null;
}

export async function insertReplyAddress(
  db: DbExecutor,
  address: { tokenHash: Buffer; userId: string; applicationId: string },
): Promise<void> {
  await db
    .insertInto('reply_addresses')
    .values({ token_hash: address.tokenHash, user_id: address.userId, application_id: address.applicationId })
    .execute();
}

export async function findReplyAddress(db: DbExecutor, tokenHash: Buffer): Promise<ReplyAddressRecord | undefined> {
  return db
    .selectFrom('reply_addresses')
    .select(['id', 'user_id as userId', 'application_id as applicationId', 'revoked_at as revokedAt'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Revokes the addresses of an application: everyone's, or one person's. Returns how many were revoked. */
export async function revokeReplyAddresses(
  db: DbExecutor,
  applicationId: string,
  userId: string | null,
): Promise<number> {
  let query = db
    .updateTable('reply_addresses')
    .set({ revoked_at: sql<Date>`now()` })
    .where('application_id', '=', applicationId)
    .where('revoked_at', 'is', null);
  if (userId) query = query.where('user_id', '=', userId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function countRecentInbound(db: DbExecutor, replyAddressId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('inbound_replies')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('reply_address_id', '=', replyAddressId)
    .where('received_at', '>', since)
    .executeTakeFirstOrThrow();
  return row.count;
}

export async function recordInbound(
  db: DbExecutor,
  inbound: {
    replyAddressId: string | null;
    outcome: InboundRepliesTable['outcome'];
    refusal?: string;
    messageId?: string;
  },
): Promise<string> {
  const row = await db
    .insertInto('inbound_replies')
    .values({
      reply_address_id: inbound.replyAddressId,
      outcome: inbound.outcome,
      refusal: inbound.refusal ?? null,
      message_id: inbound.messageId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Staff who hear about this application's messages and asked for an email per message (emails on, account open). */
export async function listStaffWantingEachMessage(
  db: DbExecutor,
  applicationId: string,
  exceptUserId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('application_watchers as w')
    .innerJoin('users as u', 'u.id', 'w.user_id')
    .select('u.id')
    .where('w.application_id', '=', applicationId)
    .where('u.id', '<>', exceptUserId)
    .where('u.email_notifications', '=', true)
    .where('u.closed_at', 'is', null)
    .where('u.message_emails', 'in', ['each', 'both'])
    .execute();
  return rows.map((row) => row.id);
}

export interface StaffMessageEmailFacts {
  email: string;
  emailNotifications: boolean;
  messageEmails: MessageEmails;
  closed: boolean;
  watching: boolean;
  unread: boolean;
  applicationId: string;
  candidateName: string;
  vacancyTitle: string;
  schoolName: string;
}

/** What one staff member's email about one message needs, checked again when it is sent. */
export async function findStaffMessageEmailFacts(
  db: DbExecutor,
  messageId: string,
  userId: string,
): Promise<StaffMessageEmailFacts | undefined> {
  const result = await sql<StaffMessageEmailFacts>`
    select u.email, u.email_notifications as "emailNotifications", u.message_emails as "messageEmails",
           (u.closed_at is not null) as closed,
           exists (select 1 from application_watchers w where w.application_id = a.id and w.user_id = u.id) as watching,
           (m.side_position > coalesce(s.seen_count, 0)) as unread,
           a.id as "applicationId", a.candidate_name as "candidateName", v.title as "vacancyTitle", o.name as "schoolName"
    from messages m
    join conversations c on c.id = m.conversation_id
    join applications a on a.id = c.application_id
    join vacancies v on v.id = a.vacancy_id
    join organisations o on o.id = v.school_id
    join users u on u.id = ${userId}
    left join conversation_person_states s on s.conversation_id = c.id and s.user_id = u.id
    where m.id = ${messageId}
  `.execute(db);
  return result.rows[0];
}

export async function findMessageEmails(db: DbExecutor, userId: string): Promise<MessageEmails> {
  const row = await db.selectFrom('users').select('message_emails').where('id', '=', userId).executeTakeFirst();
  return row?.message_emails ?? 'daily';
}

export async function setMessageEmails(db: DbExecutor, userId: string, value: MessageEmails): Promise<void> {
  await db.updateTable('users').set({ message_emails: value }).where('id', '=', userId).execute();
}

/** Where a refused reply's answer may point: the application's page, for its own people. */
export async function describeApplicationForEmail(
  db: DbExecutor,
  applicationId: string,
): Promise<{ candidateName: string; vacancyTitle: string; schoolName: string } | undefined> {
  return db
    .selectFrom('applications as a')
    .innerJoin('vacancies as v', 'v.id', 'a.vacancy_id')
    .innerJoin('organisations as o', 'o.id', 'v.school_id')
    .select(['a.candidate_name as candidateName', 'v.title as vacancyTitle', 'o.name as schoolName'])
    .where('a.id', '=', applicationId)
    .executeTakeFirst();
}
