import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import type { VacancyStatus } from '../platform/database-schema.ts';
import { schoolIsVisibleToStaff } from '../accounts/school-visibility.ts';

export interface VacancyRecord {
  id: string;
  title: string;
  description: string;
  closingDate: string;
  status: VacancyStatus;
  schoolId: string;
  schoolName: string;
  closingTime: string | null;
  contract: string;
  hours: string;
}

function vacancyQuery(db: DbExecutor) {
  return db
    .selectFrom('vacancies as v')
    .innerJoin('organisations as s', 's.id', 'v.school_id')
    .select([
      'v.id',
      'v.title',
      'v.description',
      'v.closing_date as closingDate',
      'v.status',
      's.id as schoolId',
      's.name as schoolName',
      'v.closing_time as closingTime',
      'v.contract',
      'v.hours',
    ]);
}

export async function listPublishedVacancies(db: DbExecutor): Promise<VacancyRecord[]> {
  return vacancyQuery(db)
    .where('v.status', '=', 'published')
    .orderBy('v.closing_date')
    .orderBy('v.title')
    .orderBy('v.id')
    .execute();
}

export async function findPublishedVacancy(db: DbExecutor, vacancyId: string): Promise<VacancyRecord | undefined> {
  return vacancyQuery(db).where('v.id', '=', vacancyId).where('v.status', '=', 'published').executeTakeFirst();
}

/** A job advert anyone may see: published, or closed (it says so); never a draft. */
export async function findAdvertisedVacancy(db: DbExecutor, vacancyId: string): Promise<VacancyRecord | undefined> {
  return vacancyQuery(db)
    .where('v.id', '=', vacancyId)
    .where('v.status', 'in', ['published', 'closed'])
    .executeTakeFirst();
}

export async function findVacancy(db: DbExecutor, vacancyId: string): Promise<VacancyRecord | undefined> {
  return vacancyQuery(db).where('v.id', '=', vacancyId).executeTakeFirst();
}

export interface StaffVacancyRow extends VacancyRecord {
  receivedCount: number;
  newCount: number;
}

export async function listVacanciesForStaff(db: DbExecutor, staffUserId: string): Promise<StaffVacancyRow[]> {
  return vacancyQuery(db)
    .select((eb) => [
      eb
        .selectFrom('applications as a')
        .select(eb.fn.countAll<number>().as('c'))
        .whereRef('a.vacancy_id', '=', 'v.id')
        .where('a.status', '<>', 'draft')
        .as('receivedCount'),
      eb
        .selectFrom('applications as a')
        .select(eb.fn.countAll<number>().as('c'))
        .whereRef('a.vacancy_id', '=', 'v.id')
        .where('a.status', '=', 'submitted')
        .as('newCount'),
    ])
    .where(schoolIsVisibleToStaff('v.school_id', staffUserId))
    .orderBy('s.name')
    .orderBy('v.closing_date')
    .orderBy('v.id')
    .$castTo<StaffVacancyRow>()
    .execute();
}

export async function findVacancyForStaff(
  db: DbExecutor,
  vacancyId: string,
  staffUserId: string,
): Promise<VacancyRecord | undefined> {
  return vacancyQuery(db)
    .where('v.id', '=', vacancyId)
    .where(schoolIsVisibleToStaff('v.school_id', staffUserId))
    .executeTakeFirst();
}

export async function insertVacancy(
  db: DbExecutor,
  vacancy: {
    schoolId: string;
    title: string;
    description: string;
    closingDate: string;
    status: VacancyStatus;
    createdBy: string | null;
    closingTime?: string | null;
    contract?: string;
    hours?: string;
  },
): Promise<string> {
  const row = await db
    .insertInto('vacancies')
    .values({
      school_id: vacancy.schoolId,
      title: vacancy.title,
      description: vacancy.description,
      closing_date: vacancy.closingDate,
      status: vacancy.status,
      created_by: vacancy.createdBy,
      closing_time: vacancy.closingTime ?? null,
      contract: vacancy.contract ?? '',
      hours: vacancy.hours ?? '',
      published_at: vacancy.status === 'draft' ? null : sql<Date>`now()`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The vacancy, locked for the rest of the transaction, if this member of staff can see it. */
export async function lockVacancyForStaff(
  db: DbExecutor,
  vacancyId: string,
  staffUserId: string,
): Promise<VacancyRecord | undefined> {
  return vacancyQuery(db)
    .where('v.id', '=', vacancyId)
    .where(schoolIsVisibleToStaff('v.school_id', staffUserId))
    .forUpdate('v')
    .executeTakeFirst();
}

/** The schools a member of staff may advertise for: those they see (their own, and their trust's). */
export async function listSchoolsForStaff(
  db: DbExecutor,
  staffUserId: string,
): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('organisations as o')
    .select(['o.id', 'o.name'])
    .where('o.kind', '=', 'school')
    .where(schoolIsVisibleToStaff('o.id', staffUserId))
    .orderBy('o.name')
    .orderBy('o.id')
    .execute();
}

export async function updateVacancy(
  db: DbExecutor,
  vacancyId: string,
  fields: {
    schoolId: string;
    title: string;
    description: string;
    closingDate: string;
    closingTime: string;
    contract: string;
    hours: string;
  },
): Promise<void> {
  await db
    .updateTable('vacancies')
    .set({
      school_id: fields.schoolId,
      title: fields.title,
      description: fields.description,
      closing_date: fields.closingDate,
      closing_time: fields.closingTime,
      contract: fields.contract,
      hours: fields.hours,
    })
    .where('id', '=', vacancyId)
    .execute();
}

export async function setVacancyStatus(
  db: DbExecutor,
  vacancyId: string,
  status: 'published' | 'closed',
): Promise<void> {
  await db
    .updateTable('vacancies')
    .set(status === 'published' ? { status, published_at: sql<Date>`now()` } : { status, closed_at: sql<Date>`now()` })
    .where('id', '=', vacancyId)
    .execute();
}
