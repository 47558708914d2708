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
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
