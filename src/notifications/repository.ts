import type { ApplicationStatus } from '../applications/status.ts';
import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import type { EmailKind, MessageEmails } from '../platform/database-schema.ts';

/**
 * A first daily email covers the week before it; after that, each email covers what came since the previous one,
 * looking back at most a month (a person whose emails were off for longer starts afresh).
 */
const firstDailyLookBack = sql`interval '7 days'`;
const longestDailyLookBack = sql`interval '31 days'`;

export interface NotificationRecord {
  id: string;
  text: string;
  link: string;
  createdAt: Date;
  readAt: Date | null;
}

export async function insertNotifications(
  db: DbExecutor,
  rows: { userId: string; applicationId: string; messageId: string; text: string; link: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('notifications')
    .values(
      rows.map((r) => ({
        user_id: r.userId,
        application_id: r.applicationId,
        message_id: r.messageId,
        text: r.text,
        link: r.link,
      })),
    )
    .execute();
}

/**
 * A new message's notification for each person: the person's unread notification about the same application's
 * messages is brought up to date (one more message, the newest time), or a new one is made. Inside the send
 * transaction, which holds the application's lock, so two sends cannot both make one.
 */
export async function notifyOfMessage(
  db: DbExecutor,
  rows: {
    userId: string;
    applicationId: string;
    messageId: string;
    text: (messageCount: number) => string;
    link: string;
  }[],
): Promise<void> {
  for (const row of rows) {
    const existing = await db
      .selectFrom('notifications')
      .select(['id', 'message_count'])
      .where('user_id', '=', row.userId)
      .where('application_id', '=', row.applicationId)
      .where('read_at', 'is', null)
      .where('message_id', 'is not', null)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (existing) {
      const count = existing.message_count + 1;
      await sql`
        update notifications
        set message_count = ${count}, message_id = ${row.messageId}, text = ${row.text(count)}, created_at = now()
        where id = ${existing.id}
      `.execute(db);
    } else {
      await insertNotifications(db, [{ ...row, text: row.text(1) }]);
    }
  }
}

export async function listNotifications(
  db: DbExecutor,
  userId: string,
  limit: number,
  offset: number,
): Promise<NotificationRecord[]> {
  return db
    .selectFrom('notifications')
    .select(['id', 'text', 'link', 'created_at as createdAt', 'read_at as readAt'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countNotifications(db: DbExecutor, userId: string): Promise<{ total: number; unread: number }> {
  const row = await db
    .selectFrom('notifications')
    .select([
      (eb) => eb.fn.countAll<number>().as('total'),
      (eb) => eb.fn.countAll<number>().filterWhere('read_at', 'is', null).as('unread'),
    ])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return { total: row?.total ?? 0, unread: row?.unread ?? 0 };
}

export async function countUnreadNotifications(db: DbExecutor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('unread'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return row?.unread ?? 0;
}

/** Marks one of this person's notifications read and returns where it leads; undefined if it is not theirs. */
export async function markNotificationRead(
  db: DbExecutor,
  userId: string,
  notificationId: string,
): Promise<string | undefined> {
  const row = await db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where('id', '=', notificationId)
    .where('user_id', '=', userId)
    .returning('link')
    .executeTakeFirst();
  return row?.link;
}

export async function markAllNotificationsRead(db: DbExecutor, userId: string): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Reading the conversation reads its notifications too. */
export async function markApplicationNotificationsRead(
  db: DbExecutor,
  userId: string,
  applicationId: string,
): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('application_id', '=', applicationId)
    .where('read_at', 'is', null)
    .execute();
}

export async function setFollowing(
  db: DbExecutor,
  applicationId: string,
  userId: string,
  following: boolean,
): Promise<void> {
  await db
    .insertInto('application_follows')
    .values({ application_id: applicationId, user_id: userId, following })
    .onConflict((c) =>
      c.columns(['application_id', 'user_id']).doUpdateSet({ following, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

export async function isFollowing(db: DbExecutor, applicationId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('application_followers')
    .select('user_id')
    .where('application_id', '=', applicationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Staff who hear about a jobseeker's messages in this application (followers with access, or the school's staff). */
export async function listWatchers(db: DbExecutor, applicationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('application_watchers')
    .select('user_id')
    .where('application_id', '=', applicationId)
    .execute();
  return rows.map((row) => row.user_id);
}

export async function findEmailSetting(db: DbExecutor, userId: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('email_notifications').where('id', '=', userId).executeTakeFirst();
  return row?.email_notifications ?? false;
}

export async function setEmailSetting(db: DbExecutor, userId: string, enabled: boolean): Promise<void> {
  await db.updateTable('users').set({ email_notifications: enabled }).where('id', '=', userId).execute();
}

// The email ledger -------------------------------------------------------------------------------------------------

export interface LedgerClaim {
  id: string;
  attempts: number;
  /**
   * The entry's status before this claim: null for a new entry; 'sending' when the previous attempt was cut off
   * (its worker died) and 'retrying' when it failed, either of which may have handed the email over already.
   */
  previousStatus: 'sending' | 'retrying' | null;
}

/** What a ledger entry records about the email it stands for; the key is unique per email. */
export interface LedgerEntry {
  key: string;
  kind: EmailKind;
  /** null for an email to an address with no account (a refused reply from a stranger). */
  recipientUserId: string | null;
  applicationId?: string;
  upToPosition?: number;
  windowEnd?: Date;
}

/**
 * Claims the email with this key for this job. The first job to claim it owns it; the same job may claim it again
 * on a retry (pg-boss runs one attempt of a job at a time, so an earlier attempt of the same job is over). Any other
 * job, and any claim of an email already sent or given up, gets nothing.
 */
export async function claimEmail(
  db: DbExecutor,
  claim: LedgerEntry & { jobId: string },
): Promise<LedgerClaim | undefined> {
  const result = await sql<LedgerClaim>`
    with previous as (select status from email_deliveries where key = ${claim.key}),
    claimed as (
      insert into email_deliveries (key, kind, recipient_user_id, application_id, up_to_position, window_end, status, job_id)
      values (${claim.key}, ${claim.kind}, ${claim.recipientUserId}, ${claim.applicationId ?? null}, ${claim.upToPosition ?? null},
              ${claim.windowEnd ?? null}, 'sending', ${claim.jobId})
      on conflict (key) do update set status = 'sending', attempts = email_deliveries.attempts + 1, claimed_at = now()
        where email_deliveries.job_id = excluded.job_id and email_deliveries.status in ('sending', 'retrying')
      returning id, attempts
    )
    select claimed.id, claimed.attempts, previous.status as "previousStatus" from claimed left join previous on true
  `.execute(db);
  return result.rows[0];
}

export async function markEmailSent(db: DbExecutor, ledgerId: string, providerReference: string | null): Promise<void> {
  await db
    .updateTable('email_deliveries')
    .set({ status: 'sent', sent_at: sql<Date>`now()`, provider_reference: providerReference, last_error: null })
    .where('id', '=', ledgerId)
    .execute();
}

/** Records a failed attempt; never over an email already recorded as sent (by a later attempt that found it). */
export async function markEmailFailed(db: DbExecutor, ledgerId: string, error: string, final: boolean): Promise<void> {
  await db
    .updateTable('email_deliveries')
    .set({ status: final ? 'failed' : 'retrying', last_error: error.slice(0, 1000) })
    .where('id', '=', ledgerId)
    .where('status', '=', 'sending')
    .execute();
}

// What the emails say ----------------------------------------------------------------------------------------------

export interface JobseekerEmailFacts {
  applicationId: string;
  jobseekerId: string;
  email: string;
  emailNotifications: boolean;
  closed: boolean;
  status: ApplicationStatus;
  vacancyTitle: string;
  schoolName: string;
  /** Staff messages newer than both what the jobseeker has seen and what an earlier email covered. */
  newMessages: number;
  newestPosition: number;
}

/**
 * `jobId` is the job asking: its own unfinished claim (an earlier attempt that failed or was cut off) is what it is
 * about to retry, so it does not count as covered; other jobs' claims and sent emails do.
 */
export async function findJobseekerEmailFacts(
  db: DbExecutor,
  applicationId: string,
  jobId: string,
): Promise<JobseekerEmailFacts | undefined> {
  const result = await sql<JobseekerEmailFacts>`
    select a.id as "applicationId", u.id as "jobseekerId", u.email, u.email_notifications as "emailNotifications",
           (u.closed_at is not null) as closed, a.status, v.title as "vacancyTitle", o.name as "schoolName",
           greatest(c.staff_message_count - greatest(coalesce(s.seen_count, 0), coalesce(e.emailed, 0)), 0)::int as "newMessages",
           c.staff_message_count as "newestPosition"
    from applications a
    join users u on u.id = a.jobseeker_id
    join vacancies v on v.id = a.vacancy_id
    join organisations o on o.id = v.school_id
    join conversations c on c.application_id = a.id
    left join conversation_person_states s on s.conversation_id = c.id and s.user_id = a.jobseeker_id
    left join lateral (
      select max(d.up_to_position) as emailed from email_deliveries d
      where d.kind = 'jobseeker_messages' and d.application_id = a.id
        and (d.status = 'sent' or (d.status in ('sending', 'retrying') and d.job_id <> ${jobId}))
    ) e on true
    where a.id = ${applicationId} and a.status <> 'draft'
  `.execute(db);
  return result.rows[0];
}

export interface DailyConversationLine {
  applicationId: string;
  candidateName: string;
  vacancyTitle: string;
  schoolName: string;
  newMessages: number;
}

/** The moment up to which this person's last daily email counted messages (null before their first). */
export async function findPreviousDailyWindowEnd(db: DbExecutor, userId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('email_deliveries')
    .select((eb) => eb.fn.max('window_end').as('windowEnd'))
    .where('recipient_user_id', '=', userId)
    .where('kind', '=', 'staff_daily')
    .where('status', '=', 'sent')
    .executeTakeFirst();
  return row?.windowEnd ?? null;
}

/**
 * The conversations for one person's daily email: jobseeker messages received in the window, in applications they
 * hear about (checked again now: access and open account), that they have not read.
 */
export async function listDailyLines(
  db: DbExecutor,
  userId: string,
  since: Date | null,
  until: Date,
): Promise<DailyConversationLine[]> {
  const result = await sql<DailyConversationLine>`
    select a.id as "applicationId", a.candidate_name as "candidateName", v.title as "vacancyTitle", o.name as "schoolName",
           count(*)::int as "newMessages"
    from messages m
    join conversations c on c.id = m.conversation_id
    join applications a on a.id = c.application_id
    join vacancies v on v.id = a.vacancy_id
    join organisations o on o.id = v.school_id
    join application_watchers w on w.application_id = a.id and w.user_id = ${userId}
    left join conversation_person_states s on s.conversation_id = c.id and s.user_id = ${userId}
    where m.sender_kind = 'jobseeker'
      and m.sent_at <= ${until}
      and m.sent_at > greatest(coalesce(${since}::timestamptz, ${until}::timestamptz - ${firstDailyLookBack}), ${until}::timestamptz - ${longestDailyLookBack})
      and m.side_position > coalesce(s.seen_count, 0)
    group by a.id, a.candidate_name, v.title, o.name, c.last_message_at
    order by c.last_message_at desc, a.id
  `.execute(db);
  return result.rows;
}

/** Everyone who may have something in a daily email up to `until`: a superset, each person's job checks again. */
export async function listDailyRecipients(db: DbExecutor, until: Date): Promise<string[]> {
  const result = await sql<{ userId: string }>`
    with previous as (
      select recipient_user_id, max(window_end) as since from email_deliveries
      where kind = 'staff_daily' and status = 'sent' group by recipient_user_id
    )
    select distinct w.user_id as "userId"
    from messages m
    join conversations c on c.id = m.conversation_id
    join application_watchers w on w.application_id = c.application_id
    join users u on u.id = w.user_id and u.email_notifications and u.closed_at is null and u.message_emails <> 'each'
    left join previous p on p.recipient_user_id = w.user_id
    left join conversation_person_states s on s.conversation_id = c.id and s.user_id = w.user_id
    where m.sender_kind = 'jobseeker'
      and m.sent_at <= ${until}
      and m.sent_at > ${until}::timestamptz - ${longestDailyLookBack}
      and m.sent_at > coalesce(p.since, ${until}::timestamptz - ${firstDailyLookBack})
      and m.side_position > coalesce(s.seen_count, 0)
    union
    -- Mentions in staff notes (src/notes) not yet read.
    select distinct n.user_id as "userId"
    from notifications n
    join users u on u.id = n.user_id and u.email_notifications and u.closed_at is null and u.message_emails <> 'each'
    left join previous p on p.recipient_user_id = n.user_id
    where n.note_id is not null and n.read_at is null
      and n.created_at <= ${until}
      and n.created_at > ${until}::timestamptz - ${longestDailyLookBack}
      and n.created_at > coalesce(p.since, ${until}::timestamptz - ${firstDailyLookBack})
  `.execute(db);
  return result.rows.map((row) => row.userId);
}

/** Unread mentions of this person in staff notes, made in the daily email's window. */
export async function listDailyMentions(
  db: DbExecutor,
  userId: string,
  since: Date | null,
  until: Date,
): Promise<{ text: string; link: string }[]> {
  const result = await sql<{ text: string; link: string }>`
    select n.text, n.link from notifications n
    where n.user_id = ${userId} and n.note_id is not null and n.read_at is null
      and n.created_at <= ${until}
      and n.created_at > greatest(coalesce(${since}::timestamptz, ${until}::timestamptz - ${firstDailyLookBack}), ${until}::timestamptz - ${longestDailyLookBack})
    order by n.created_at, n.id
  `.execute(db);
  return result.rows;
}

/** Records the day's run; true for the one process that recorded it first. */
export async function recordDailyRun(db: DbExecutor, runDate: string, cutoff: Date): Promise<boolean> {
  const result = await db
    .insertInto('daily_email_runs')
    .values({ run_date: runDate, cutoff })
    .onConflict((c) => c.column('run_date').doNothing())
    .returning('run_date')
    .executeTakeFirst();
  return result !== undefined;
}

export async function findRecipient(
  db: DbExecutor,
  userId: string,
): Promise<
  | { email: string; fullName: string; emailNotifications: boolean; messageEmails: MessageEmails; closed: boolean }
  | undefined
> {
  return db
    .selectFrom('users')
    .select([
      'email',
      'full_name as fullName',
      'email_notifications as emailNotifications',
      'message_emails as messageEmails',
      sql<boolean>`closed_at is not null`.as('closed'),
    ])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** An in-service notice that is not about a message (a message sent later that could not go). */
export async function insertNotice(
  db: DbExecutor,
  notice: { userId: string; applicationId: string; text: string; link: string },
): Promise<void> {
  await db
    .insertInto('notifications')
    .values({ user_id: notice.userId, application_id: notice.applicationId, text: notice.text, link: notice.link })
    .execute();
}

/** A mention in a staff note: one unread notification per person mentioned (src/notes). */
export async function insertNoteNotifications(
  db: DbExecutor,
  rows: { userId: string; applicationId: string; noteId: string; text: string; link: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('notifications')
    .values(
      rows.map((r) => ({
        user_id: r.userId,
        application_id: r.applicationId,
        note_id: r.noteId,
        text: r.text,
        link: r.link,
      })),
    )
    .execute();
}

/** Notifications that stand for no message or note (a deletion warning from src/records). */
export async function insertPlainNotifications(
  db: DbExecutor,
  rows: { userId: string; applicationId: string; text: string; link: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('notifications')
    .values(rows.map((r) => ({ user_id: r.userId, application_id: r.applicationId, text: r.text, link: r.link })))
    .execute();
}
