import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';

/** Everything Parley holds about one jobseeker, as plain rows: the account, applications, messages, notifications. */
export async function loadJobseekerData(db: DbExecutor, userId: string) {
  const account = await db
    .selectFrom('users')
    .select([
      'id',
      'full_name as fullName',
      'email',
      'email_notifications as emailNotifications',
      'created_at as createdAt',
    ])
    .where('id', '=', userId)
    .where('kind', '=', 'jobseeker')
    .executeTakeFirst();
  if (!account) return undefined;
  const applications = await db
    .selectFrom('applications as a')
    .innerJoin('vacancies as v', 'v.id', 'a.vacancy_id')
    .innerJoin('organisations as o', 'o.id', 'v.school_id')
    .select([
      'a.id',
      'v.title as vacancyTitle',
      'o.name as schoolName',
      'a.status',
      'a.candidate_name as candidateName',
      'a.contact_email as contactEmail',
      'a.personal_statement as personalStatement',
      'a.submitted_at as submittedAt',
      'a.created_at as createdAt',
      'a.updated_at as updatedAt',
    ])
    .where('a.jobseeker_id', '=', userId)
    .orderBy('a.created_at')
    .execute();
  const ids = applications.map((a) => a.id);
  const history =
    ids.length === 0
      ? []
      : await db
          .selectFrom('application_status_changes')
          .select([
            'application_id as applicationId',
            'from_status as from',
            'to_status as to',
            'changed_at as changedAt',
          ])
          .where('application_id', 'in', ids)
          .orderBy('changed_at')
          .execute();
  const messages =
    ids.length === 0
      ? []
      : (
          await sql<{
            applicationId: string;
            sender: string;
            senderKind: string;
            sentAt: Date;
            text: string;
            html: string;
            attachments: { fileName: string; sizeBytes: number; storageKey: string }[];
          }>`
            select c.application_id as "applicationId", m.sender_display_name as sender, m.sender_kind as "senderKind",
                   m.sent_at as "sentAt", m.body_text as text, m.body_html as html,
                   coalesce((select json_agg(json_build_object('fileName', f.file_name, 'sizeBytes', f.size_bytes,
                                                               'storageKey', f.storage_key) order by f.created_at, f.id)
                             from message_attachments f where f.message_id = m.id), '[]'::json) as attachments
            from messages m join conversations c on c.id = m.conversation_id
            where c.application_id = any(${ids}::uuid[])
            order by m.sent_at, m.id
          `.execute(db)
        ).rows;
  const notifications = await db
    .selectFrom('notifications')
    .select(['text', 'link', 'created_at as createdAt', 'read_at as readAt'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
  return { account, applications, history, messages, notifications };
}

/**
 * Closes a jobseeker's account and removes its contact details: what schools keep (their applications and the
 * conversations) stays, under the name the applicant gave, until its retention ends. Drafts, which no school has
 * seen, are deleted outright by the caller.
 */
export async function anonymiseJobseeker(db: DbExecutor, userId: string): Promise<void> {
  await db.updateTable('applications').set({ contact_email: '' }).where('jobseeker_id', '=', userId).execute();
  await sql`
    update users set email = 'deleted-' || id || '@deleted.invalid', full_name = 'Deleted account',
      password_hash = '!', email_notifications = false, closed_at = coalesce(closed_at, now())
    where id = ${userId} and kind = 'jobseeker'
  `.execute(db);
  await db.deleteFrom('notifications').where('user_id', '=', userId).execute();
  await db
    .updateTable('reply_addresses')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('user_id', '=', userId)
    .execute();
  await sql`delete from sessions where data ->> 'userId' = ${userId}`.execute(db);
}

export async function listDraftApplicationIds(db: DbExecutor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('applications')
    .select('id')
    .where('jobseeker_id', '=', userId)
    .where('status', '=', 'draft')
    .execute();
  return rows.map((r) => r.id);
}
