import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import { schoolsVisibleToStaff } from '../accounts/school-visibility.ts';

/** The channel every web process LISTENs on (src/platform/pg-listener.ts). */
export const liveChannel = 'parley_live';

/**
 * What crosses processes when a message is sent: ids only, never its text. `at` is the message's sent_at in
 * milliseconds (rounded down), which streams use as their event id.
 */
export interface LiveMessageEvent {
  kind: 'message';
  at: number;
  messageId: string;
  applicationId: string;
  schoolId: string;
  jobseekerId: string;
  senderUserId: string;
}

/**
 * Queues the event on the transaction's own connection: PostgreSQL delivers it when (and only if) the transaction
 * commits. The message (written earlier in the same transaction) gives its time; the school and jobseeker come from
 * its application, in the same statement.
 */
export async function notifyMessageSent(
  trx: DbExecutor,
  event: { messageId: string; applicationId: string; senderUserId: string },
): Promise<void> {
  await sql`
    select pg_notify(${liveChannel}, json_build_object(
      'kind', 'message',
      'at', floor(extract(epoch from m.sent_at) * 1000)::bigint,
      'messageId', m.id,
      'applicationId', a.id,
      'schoolId', v.school_id,
      'jobseekerId', a.jobseeker_id,
      'senderUserId', m.sender_user_id
    )::text)
    from messages m
    join conversations c on c.id = m.conversation_id
    join applications a on a.id = c.application_id
    join vacancies v on v.id = a.vacancy_id
    where m.id = ${event.messageId} and a.id = ${event.applicationId}`.execute(trx);
}

/** The schools whose applications this member of staff may see (the same rule as every staff page). */
export async function visibleSchoolIds(db: DbExecutor, staffUserId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`select id from ${schoolsVisibleToStaff(staffUserId)} as visible(id)`.execute(
    db,
  );
  return result.rows.map((row) => row.id);
}

/**
 * The time (ms) of the newest message after `since` that someone else sent in what this stream covers: one
 * application, the jobseeker's applications, or the staff member's schools. null when there is none. It answers a
 * stream that reconnects: was anything missed?
 */
export async function newestMessageSince(
  db: DbExecutor,
  input: {
    since: Date;
    viewerUserId: string;
    applicationId: string | null;
    jobseekerId: string | null;
    schoolIds: string[] | null;
  },
): Promise<number | null> {
  const { since, viewerUserId, applicationId, jobseekerId, schoolIds } = input;
  if (schoolIds && schoolIds.length === 0) return null;
  const result = await sql<{ at: number | null }>`
    select floor(extract(epoch from max(m.sent_at)) * 1000)::bigint as at
    from messages m
    join conversations c on c.id = m.conversation_id
    join applications a on a.id = c.application_id
    join vacancies v on v.id = a.vacancy_id
    where m.sent_at > ${since}
      and m.sender_user_id <> ${viewerUserId}
      ${applicationId ? sql`and a.id = ${applicationId}` : sql``}
      ${jobseekerId ? sql`and a.jobseeker_id = ${jobseekerId}` : sql``}
      ${schoolIds ? sql`and v.school_id = any(${schoolIds}::uuid[])` : sql``}`.execute(db);
  return result.rows[0]?.at ?? null;
}

/** The database's clock, in milliseconds: events are stamped with it, so streams compare like with like. */
export async function databaseNow(db: DbExecutor): Promise<number> {
  const result = await sql<{
    now: number;
  }>`select floor(extract(epoch from clock_timestamp()) * 1000)::bigint as now`.execute(db);
  return result.rows[0]?.now ?? Date.now();
}

/** Which of these sessions still exist (not signed out, not expired). */
export async function liveSessionIds(db: DbExecutor, sessionIds: string[]): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('sessions')
    .select('id')
    .where('id', 'in', sessionIds)
    .where('expires_at', '>', new Date())
    .execute();
  return new Set(rows.map((row) => row.id));
}
