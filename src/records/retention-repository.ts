import { sql } from 'kysely';
import { schoolIsVisibleToStaff } from '../accounts/school-visibility.ts';
import type { DbExecutor } from '../platform/db.ts';
import { defaultRetention, type RetentionPeriods } from './rules.ts';

/** The date from which an application may be deleted, in SQL (the same rule as rules.ts deletionDate). */
function deletesOnSql() {
  return sql<string>`(v.closing_date + make_interval(months => case when a.status in ('offered', 'declined')
      then coalesce(r.months_offered, ${defaultRetention.monthsOffered}::int)
      else coalesce(r.months_not_offered, ${defaultRetention.monthsNotOffered}::int) end))::date`;
}

export async function findRetentionPeriods(db: DbExecutor, organisationId: string): Promise<RetentionPeriods> {
  const row = await db
    .selectFrom('retention_settings')
    .select(['months_not_offered as monthsNotOffered', 'months_offered as monthsOffered'])
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return row ?? defaultRetention;
}

export async function saveRetentionPeriods(
  db: DbExecutor,
  organisationId: string,
  periods: RetentionPeriods,
  userId: string,
): Promise<void> {
  const values = {
    months_not_offered: periods.monthsNotOffered,
    months_offered: periods.monthsOffered,
    updated_by: userId,
  };
  await db
    .insertInto('retention_settings')
    .values({ organisation_id: organisationId, ...values })
    .onConflict((c) => c.column('organisation_id').doUpdateSet({ ...values, updated_at: sql<Date>`now()` }))
    .execute();
}

/** The schools this member of staff can see, with their retention periods (null: the defaults). */
export async function listSchoolsWithRetention(db: DbExecutor, staffUserId: string) {
  return db
    .selectFrom('organisations as o')
    .leftJoin('retention_settings as r', 'r.organisation_id', 'o.id')
    .select([
      'o.id',
      'o.name',
      'r.months_not_offered as monthsNotOffered',
      'r.months_offered as monthsOffered',
      'r.updated_at as updatedAt',
    ])
    .where('o.kind', '=', 'school')
    .where(schoolIsVisibleToStaff('o.id', staffUserId))
    .orderBy('o.name')
    .execute();
}

export interface HoldRecord {
  reason: string;
  placedAt: Date;
  placedByName: string;
}

/** Places the hold; false if there already is one. */
export async function insertHold(
  db: DbExecutor,
  hold: { applicationId: string; reason: string; placedBy: string },
): Promise<boolean> {
  const row = await db
    .insertInto('retention_holds')
    .values({ application_id: hold.applicationId, reason: hold.reason, placed_by: hold.placedBy })
    .onConflict((c) => c.column('application_id').doNothing())
    .returning('application_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteHold(db: DbExecutor, applicationId: string): Promise<string | undefined> {
  const row = await db
    .deleteFrom('retention_holds')
    .where('application_id', '=', applicationId)
    .returning('reason')
    .executeTakeFirst();
  return row?.reason;
}

/** What decides when one application is deleted. */
/**
 * What the application page shows of an application's retention, in one query: its closing date and deletion date,
 * its school's retention periods (the defaults when it has not set them) and its hold, if any.
 */
export async function findApplicationRetention(
  db: DbExecutor,
  applicationId: string,
): Promise<{ closingDate: string; deletesOn: string; periods: RetentionPeriods; hold: HoldRecord | null } | undefined> {
  const result = await sql<{
    closingDate: string;
    deletesOn: string;
    monthsNotOffered: number;
    monthsOffered: number;
    holdReason: string | null;
    holdPlacedAt: Date | null;
    holdPlacedByName: string | null;
  }>`
    select v.closing_date as "closingDate", ${deletesOnSql()} as "deletesOn",
           coalesce(r.months_not_offered, ${defaultRetention.monthsNotOffered}::int) as "monthsNotOffered",
           coalesce(r.months_offered, ${defaultRetention.monthsOffered}::int) as "monthsOffered",
           h.reason as "holdReason", h.placed_at as "holdPlacedAt", u.full_name as "holdPlacedByName"
    from applications a join vacancies v on v.id = a.vacancy_id
    left join retention_settings r on r.organisation_id = v.school_id
    left join retention_holds h on h.application_id = a.id
    left join users u on u.id = h.placed_by
    where a.id = ${applicationId}
  `.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    closingDate: row.closingDate,
    deletesOn: row.deletesOn,
    periods: { monthsNotOffered: row.monthsNotOffered, monthsOffered: row.monthsOffered },
    hold:
      row.holdReason !== null && row.holdPlacedAt !== null && row.holdPlacedByName !== null
        ? { reason: row.holdReason, placedAt: row.holdPlacedAt, placedByName: row.holdPlacedByName }
        : null,
  };
}

// The daily run ------------------------------------------------------------------------------------------------------

/**
 * Locks up to `limit` applications whose deletion date has come and that are not on hold. Rows another run holds
 * are skipped (two workers never delete the same application).
 */
export async function lockExpiredBatch(
  db: DbExecutor,
  today: string,
  limit: number,
): Promise<{ applicationId: string; schoolId: string }[]> {
  const result = await sql<{ applicationId: string; schoolId: string }>`
    select a.id as "applicationId", v.school_id as "schoolId"
    from applications a
    join vacancies v on v.id = a.vacancy_id
    left join retention_settings r on r.organisation_id = v.school_id
    where ${deletesOnSql()} <= ${today}::date
      and not exists (select 1 from retention_holds h where h.application_id = a.id)
    order by v.closing_date, a.id
    limit ${limit}
    for update of a skip locked
  `.execute(db);
  return result.rows;
}

export interface DeletedCounts {
  applications: number;
  messages: number;
  notes: number;
  attachments: number;
}

/** What will be deleted with these applications, per school: counts only. */
export async function countContent(db: DbExecutor, applicationIds: string[]): Promise<Map<string, DeletedCounts>> {
  const result = await sql<DeletedCounts & { schoolId: string }>`
    select v.school_id as "schoolId", count(*)::int as applications,
           coalesce(sum((select count(*) from messages m join conversations c on c.id = m.conversation_id where c.application_id = a.id)), 0)::int as messages,
           coalesce(sum((select count(*) from application_notes n where n.application_id = a.id)), 0)::int as notes,
           coalesce(sum((select count(*) from message_attachments f join messages m on m.id = f.message_id
                          join conversations c on c.id = m.conversation_id where c.application_id = a.id)), 0)::int as attachments
    from applications a join vacancies v on v.id = a.vacancy_id
    where a.id = any(${applicationIds}::uuid[])
    group by v.school_id
  `.execute(db);
  return new Map(result.rows.map(({ schoolId, ...counts }) => [schoolId, counts]));
}

/**
 * Records the stored files of these applications' attachments (sent, and waiting in messages sent later) as to be
 * deleted, before their rows go. A bulk message's applicants share one stored file (src/bulk): a file another
 * application still uses, or a batch still sending, is left until the last of them goes.
 */
export async function recordPendingFiles(db: DbExecutor, applicationIds: string[], runDate: string): Promise<number> {
  const result = await sql`
    insert into retention_pending_files (storage_key, run_date, organisation_id)
    select distinct k.storage_key, ${runDate}::date, k.school_id
    from (
      select f.storage_key, c.school_id
      from message_attachments f join messages m on m.id = f.message_id join conversations c on c.id = m.conversation_id
      where c.application_id = any(${applicationIds}::uuid[])
      union
      select file->>'storageKey', v.school_id
      from scheduled_messages s join applications a on a.id = s.application_id join vacancies v on v.id = a.vacancy_id
      cross join lateral jsonb_array_elements(s.attachments) as file
      where s.application_id = any(${applicationIds}::uuid[])
    ) k
    where not exists (
        select 1 from message_attachments o join messages om on om.id = o.message_id
        join conversations oc on oc.id = om.conversation_id
        where o.storage_key = k.storage_key and oc.application_id <> all(${applicationIds}::uuid[]))
      and not exists (
        select 1 from scheduled_messages os
        where os.application_id <> all(${applicationIds}::uuid[]) and os.state = 'scheduled'
          and os.attachments @> jsonb_build_array(jsonb_build_object('storageKey', k.storage_key)))
      and not exists (
        select 1 from bulk_attachments b join bulk_batches bb on bb.id = b.batch_id
        where b.storage_key = k.storage_key and bb.state <> 'done')
    on conflict (storage_key) do nothing
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Deletes the applications and everything that hangs off them, in one statement per table. */
export async function deleteApplicationRows(db: DbExecutor, applicationIds: string[]): Promise<void> {
  const ids = sql`${applicationIds}::uuid[]`;
  const conversations = sql`(select id from conversations where application_id = any(${ids}))`;
  const messages = sql`(select id from messages where conversation_id in ${conversations})`;
  const notes = sql`(select id from application_notes where application_id = any(${ids}))`;
  const statements = [
    sql`delete from notifications where application_id = any(${ids})`,
    sql`delete from inbound_replies where reply_address_id in (select id from reply_addresses where application_id = any(${ids})) or message_id in ${messages}`,
    sql`delete from reply_addresses where application_id = any(${ids})`,
    sql`update email_deliveries set application_id = null where application_id = any(${ids})`,
    sql`delete from application_follows where application_id = any(${ids})`,
    sql`delete from conversation_person_states where conversation_id in ${conversations}`,
    // Messages sent later and bulk batches' lines about these applicants (src/scheduled, src/bulk).
    sql`delete from scheduled_messages where application_id = any(${ids})`,
    sql`delete from bulk_recipients where application_id = any(${ids})`,
    sql`delete from message_attachments where message_id in ${messages}`,
    sql`update conversations set last_message_id = null where application_id = any(${ids})`,
    sql`delete from messages where conversation_id in ${conversations}`,
    sql`delete from conversations where application_id = any(${ids})`,
    sql`delete from application_note_mentions where note_id in ${notes}`,
    sql`delete from application_note_versions where note_id in ${notes}`,
    sql`delete from application_notes where application_id = any(${ids})`,
    sql`delete from application_status_changes where application_id = any(${ids})`,
    sql`delete from retention_warnings where application_id = any(${ids})`,
    sql`delete from applications where id = any(${ids})`,
  ];
  for (const statement of statements) await statement.execute(db);
}

export async function addToDeletionRecord(
  db: DbExecutor,
  runDate: string,
  organisationId: string,
  counts: DeletedCounts,
): Promise<void> {
  await sql`
    insert into retention_deletions (run_date, organisation_id, applications, messages, notes, attachments)
    values (${runDate}::date, ${organisationId}, ${counts.applications}, ${counts.messages}, ${counts.notes}, ${counts.attachments})
    on conflict (run_date, organisation_id) do update set
      applications = retention_deletions.applications + excluded.applications,
      messages = retention_deletions.messages + excluded.messages,
      notes = retention_deletions.notes + excluded.notes,
      attachments = retention_deletions.attachments + excluded.attachments,
      updated_at = now()
  `.execute(db);
}

export async function listPendingFiles(
  db: DbExecutor,
  limit: number,
): Promise<{ storageKey: string; runDate: string; organisationId: string }[]> {
  return db
    .selectFrom('retention_pending_files')
    .select(['storage_key as storageKey', 'run_date as runDate', 'organisation_id as organisationId'])
    .orderBy('recorded_at')
    .orderBy('storage_key')
    .limit(limit)
    .execute();
}

/** The file is gone: its pending row goes and the run's record counts it, once. */
export async function completePendingFile(
  db: DbExecutor,
  file: { storageKey: string; runDate: string; organisationId: string },
): Promise<void> {
  const removed = await db
    .deleteFrom('retention_pending_files')
    .where('storage_key', '=', file.storageKey)
    .returning('storage_key')
    .executeTakeFirst();
  if (!removed) return;
  await sql`
    insert into retention_deletions (run_date, organisation_id, files_deleted) values (${file.runDate}::date, ${file.organisationId}, 1)
    on conflict (run_date, organisation_id) do update set files_deleted = retention_deletions.files_deleted + 1, updated_at = now()
  `.execute(db);
}

/** Applications whose deletion is a week away or less, not on hold, whose staff have not been told yet. */
export async function listDueWarnings(
  db: DbExecutor,
  today: string,
  warningDays: number,
  limit: number,
): Promise<{ applicationId: string; deletesOn: string; candidateName: string; vacancyTitle: string }[]> {
  const result = await sql<{ applicationId: string; deletesOn: string; candidateName: string; vacancyTitle: string }>`
    select * from (
      select a.id as "applicationId", ${deletesOnSql()} as "deletesOn", a.candidate_name as "candidateName",
             v.title as "vacancyTitle"
      from applications a
      join vacancies v on v.id = a.vacancy_id
      left join retention_settings r on r.organisation_id = v.school_id
      where a.status <> 'draft'
        and v.closing_date <= ${today}::date
        and not exists (select 1 from retention_holds h where h.application_id = a.id)
    ) due
    where due."deletesOn" > ${today}::date
      and due."deletesOn" <= ${today}::date + ${warningDays}::int
      and not exists (select 1 from retention_warnings w where w.application_id = due."applicationId" and w.deletes_on = due."deletesOn")
    order by due."deletesOn", due."applicationId"
    limit ${limit}
  `.execute(db);
  return result.rows;
}

export async function recordWarning(db: DbExecutor, applicationId: string, deletesOn: string): Promise<boolean> {
  const row = await db
    .insertInto('retention_warnings')
    .values({ application_id: applicationId, deletes_on: deletesOn })
    .onConflict((c) => c.columns(['application_id', 'deletes_on']).doNothing())
    .returning('application_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function listDeletionRecords(db: DbExecutor, organisationIds: string[]) {
  if (organisationIds.length === 0) return [];
  return db
    .selectFrom('retention_deletions')
    .selectAll()
    .where('organisation_id', 'in', organisationIds)
    .orderBy('run_date', 'desc')
    .limit(50)
    .execute();
}
