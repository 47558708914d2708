import { sql } from 'kysely';
import { schoolIsVisibleToStaff } from '../accounts/school-visibility.ts';
import type { DbExecutor } from '../platform/db.ts';
import type { ApplicationStatus } from './status.ts';

export interface ApplicationRecord {
  id: string;
  vacancyId: string;
  jobseekerId: string;
  status: ApplicationStatus;
  candidateName: string;
  contactEmail: string;
  personalStatement: string;
  submittedAt: Date | null;
  updatedAt: Date;
  vacancyTitle: string;
  schoolId: string;
  schoolName: string;
}

function applicationQuery(db: DbExecutor) {
  return db
    .selectFrom('applications as a')
    .innerJoin('vacancies as v', 'v.id', 'a.vacancy_id')
    .innerJoin('organisations as s', 's.id', 'v.school_id')
    .select([
      'a.id',
      'a.vacancy_id as vacancyId',
      'a.jobseeker_id as jobseekerId',
      'a.status',
      'a.candidate_name as candidateName',
      'a.contact_email as contactEmail',
      'a.personal_statement as personalStatement',
      'a.submitted_at as submittedAt',
      'a.updated_at as updatedAt',
      'v.title as vacancyTitle',
      's.id as schoolId',
      's.name as schoolName',
    ]);
}

/** An application a staff member may see: received (not a draft) and in one of their schools. */
export async function findApplicationForStaff(
  db: DbExecutor,
  applicationId: string,
  staffUserId: string,
): Promise<ApplicationRecord | undefined> {
  return applicationQuery(db)
    .where('a.id', '=', applicationId)
    .where('a.status', '<>', 'draft')
    .where(schoolIsVisibleToStaff('v.school_id', staffUserId))
    .executeTakeFirst();
}

export async function findApplicationForJobseeker(
  db: DbExecutor,
  applicationId: string,
  jobseekerId: string,
): Promise<ApplicationRecord | undefined> {
  return applicationQuery(db)
    .where('a.id', '=', applicationId)
    .where('a.jobseeker_id', '=', jobseekerId)
    .executeTakeFirst();
}

export async function findJobseekerApplicationForVacancy(
  db: DbExecutor,
  vacancyId: string,
  jobseekerId: string,
): Promise<ApplicationRecord | undefined> {
  return applicationQuery(db)
    .where('a.vacancy_id', '=', vacancyId)
    .where('a.jobseeker_id', '=', jobseekerId)
    .executeTakeFirst();
}

/** Locks the application row for the rest of the transaction, so status changes and sends queue behind each other. */
export async function lockApplication(
  db: DbExecutor,
  applicationId: string,
): Promise<{ status: ApplicationStatus } | undefined> {
  return db.selectFrom('applications').select('status').where('id', '=', applicationId).forUpdate().executeTakeFirst();
}

export async function listApplicationsForJobseeker(db: DbExecutor, jobseekerId: string): Promise<ApplicationRecord[]> {
  return applicationQuery(db)
    .where('a.jobseeker_id', '=', jobseekerId)
    .orderBy('a.updated_at', 'desc')
    .orderBy('a.id')
    .execute();
}

export async function listApplicationsForVacancy(
  db: DbExecutor,
  vacancyId: string,
  status: ApplicationStatus,
): Promise<ApplicationRecord[]> {
  return applicationQuery(db)
    .where('a.vacancy_id', '=', vacancyId)
    .where('a.status', '=', status)
    .orderBy('a.submitted_at', 'asc')
    .orderBy('a.id')
    .execute();
}

export async function countApplicationsByStatus(
  db: DbExecutor,
  vacancyId: string,
): Promise<Map<ApplicationStatus, number>> {
  const rows = await db
    .selectFrom('applications')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('vacancy_id', '=', vacancyId)
    .groupBy('status')
    .execute();
  return new Map(rows.map((row) => [row.status, row.count]));
}

export async function insertApplication(
  db: DbExecutor,
  application: {
    vacancyId: string;
    jobseekerId: string;
    candidateName: string;
    contactEmail: string;
    personalStatement: string;
  },
): Promise<string | undefined> {
  const row = await db
    .insertInto('applications')
    .values({
      vacancy_id: application.vacancyId,
      jobseeker_id: application.jobseekerId,
      status: 'draft',
      candidate_name: application.candidateName,
      contact_email: application.contactEmail,
      personal_statement: application.personalStatement,
    })
    .onConflict((c) => c.columns(['vacancy_id', 'jobseeker_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function updateDraft(
  db: DbExecutor,
  applicationId: string,
  fields: { candidateName: string; contactEmail: string; personalStatement: string },
): Promise<void> {
  await db
    .updateTable('applications')
    .set({
      candidate_name: fields.candidateName,
      contact_email: fields.contactEmail,
      personal_statement: fields.personalStatement,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', applicationId)
    .where('status', '=', 'draft')
    .execute();
}

export async function updateStatus(db: DbExecutor, applicationId: string, to: ApplicationStatus): Promise<void> {
  await db
    .updateTable('applications')
    .set({
      status: to,
      updated_at: sql<Date>`now()`,
      ...(to === 'submitted' ? { submitted_at: sql<Date>`now()` } : {}),
    })
    .where('id', '=', applicationId)
    .execute();
}

export async function insertStatusChange(
  db: DbExecutor,
  change: { applicationId: string; actorUserId: string; from: ApplicationStatus | null; to: ApplicationStatus },
): Promise<void> {
  await db
    .insertInto('application_status_changes')
    // clock_timestamp(), not now(): the time when the change is made (under the application's lock), not when the
    // transaction began, so the history orders a status change and a message the way they really happened.
    .values({
      application_id: change.applicationId,
      actor_user_id: change.actorUserId,
      from_status: change.from,
      to_status: change.to,
      changed_at: sql<Date>`clock_timestamp()`,
    })
    .execute();
}

export interface TimelineEntry {
  from: ApplicationStatus | null;
  to: ApplicationStatus;
  changedAt: Date;
  actorName: string;
  actorKind: 'staff' | 'jobseeker';
  actorOrganisations: string | null;
}

export async function listStatusChanges(db: DbExecutor, applicationId: string): Promise<TimelineEntry[]> {
  const result = await sql<TimelineEntry>`
    select c.from_status as "from", c.to_status as "to", c.changed_at as "changedAt",
           u.full_name as "actorName", u.kind as "actorKind",
           (select string_agg(o.name, ', ' order by o.name) from staff_memberships m
              join organisations o on o.id = m.organisation_id where m.user_id = u.id) as "actorOrganisations"
    from application_status_changes c join users u on u.id = c.actor_user_id
    where c.application_id = ${applicationId}
    order by c.changed_at desc, c.id desc
  `.execute(db);
  return result.rows;
}

/** The vacancy an application is made to, with what decides whether it is still open. Published vacancies only. */
export async function findPublishedVacancyForApplying(
  db: DbExecutor,
  vacancyId: string,
): Promise<{ id: string; status: string; closingDate: string; closingTime: string | null } | undefined> {
  return db
    .selectFrom('vacancies')
    .select(['id', 'status', 'closing_date as closingDate', 'closing_time as closingTime'])
    .where('id', '=', vacancyId)
    .where('status', '=', 'published')
    .executeTakeFirst();
}

/** Applications of one vacancy that a staff member may see, by id (a bulk message's ticked applicants). */
export async function listApplicationsForStaffByIds(
  db: DbExecutor,
  vacancyId: string,
  applicationIds: readonly string[],
  staffUserId: string,
): Promise<ApplicationRecord[]> {
  if (applicationIds.length === 0) return [];
  return applicationQuery(db)
    .where('a.id', 'in', applicationIds)
    .where('a.vacancy_id', '=', vacancyId)
    .where('a.status', '<>', 'draft')
    .where(schoolIsVisibleToStaff('v.school_id', staffUserId))
    .execute();
}
