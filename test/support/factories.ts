import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/platform/db.ts';
import type { OrganisationKind } from '../../src/platform/database-schema.ts';
import type { ApplicationStatus } from '../../src/applications/status.ts';
import { hashPassword } from '../../src/accounts/password.ts';
import { addSchoolToGroup, addStaffMembership, insertOrganisation, insertUser } from '../../src/accounts/repository.ts';
import { insertVacancy } from '../../src/vacancies/repository.ts';

/**
 * Factories: each test makes its own organisations, people and applications with unique names, so tests never
 * depend on each other or on the demo data.
 */
export const testPassword = 'correct-horse-battery-staple';
let passwordHash: Promise<string> | undefined;
function testPasswordHash(): Promise<string> {
  passwordHash ??= hashPassword(testPassword);
  return passwordHash;
}

export function unique(label: string): string {
  return `${label} ${randomUUID().slice(0, 8)}`;
}

export async function createOrganisation(
  db: Db,
  kind: OrganisationKind = 'school',
  name = unique('School'),
): Promise<{ id: string; name: string }> {
  return { id: await insertOrganisation(db, { name, kind }), name };
}

export async function createTrustWithSchools(db: Db, schoolCount = 2) {
  const trust = await createOrganisation(db, 'multi_academy_trust', unique('Trust'));
  const schools = [];
  for (let i = 0; i < schoolCount; i += 1) {
    const school = await createOrganisation(db, 'school', unique(`School ${i + 1}`));
    await addSchoolToGroup(db, trust.id, school.id);
    schools.push(school);
  }
  return { trust, schools };
}

export interface TestUser {
  id: string;
  email: string;
  fullName: string;
  kind: 'staff' | 'jobseeker';
}

export async function createStaff(db: Db, organisationIds: string[], fullName = 'Test Staff'): Promise<TestUser> {
  const email = `staff-${randomUUID()}@school.example`;
  const id = await insertUser(db, { kind: 'staff', email, fullName, passwordHash: await testPasswordHash() });
  for (const organisationId of organisationIds) await addStaffMembership(db, id, organisationId);
  return { id, email, fullName, kind: 'staff' };
}

/** A member of staff who administers the given organisations (invites, roles, removals). */
export async function createAdministrator(
  db: Db,
  organisationIds: string[],
  fullName = 'Test Administrator',
): Promise<TestUser> {
  const email = `admin-${randomUUID()}@school.example`;
  const id = await insertUser(db, { kind: 'staff', email, fullName, passwordHash: await testPasswordHash() });
  for (const organisationId of organisationIds) await addStaffMembership(db, id, organisationId, 'admin');
  return { id, email, fullName, kind: 'staff' };
}

export async function createJobseeker(db: Db, fullName = 'Test Jobseeker'): Promise<TestUser> {
  const email = `jobseeker-${randomUUID()}@jobseeker.example`;
  const id = await insertUser(db, { kind: 'jobseeker', email, fullName, passwordHash: await testPasswordHash() });
  return { id, email, fullName, kind: 'jobseeker' };
}

export async function createVacancy(
  db: Db,
  schoolId: string,
  options: { title?: string; closingDate?: string; status?: 'published' | 'closed'; createdBy?: string } = {},
): Promise<{ id: string; title: string }> {
  const title = options.title ?? unique('Teacher');
  const id = await insertVacancy(db, {
    schoolId,
    title,
    description: 'A test vacancy',
    closingDate: options.closingDate ?? new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    status: options.status ?? 'published',
    createdBy: options.createdBy ?? null,
  });
  return { id, title };
}

/** An application already at a status, with a plausible history recorded by the given staff member. */
export async function createApplication(
  db: Db,
  options: { vacancyId: string; jobseeker: TestUser; status: ApplicationStatus; staffId?: string },
): Promise<{ id: string }> {
  const row = await db
    .insertInto('applications')
    .values({
      vacancy_id: options.vacancyId,
      jobseeker_id: options.jobseeker.id,
      status: options.status,
      candidate_name: options.jobseeker.fullName,
      contact_email: options.jobseeker.email,
      personal_statement: 'I would love to work at your school.',
      submitted_at: options.status === 'draft' ? null : new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (options.status !== 'draft') {
    await db
      .insertInto('application_status_changes')
      .values({
        application_id: row.id,
        actor_user_id: options.jobseeker.id,
        from_status: 'draft',
        to_status: 'submitted',
      })
      .execute();
    if (options.status !== 'submitted') {
      const actor = options.status === 'withdrawn' ? options.jobseeker.id : (options.staffId ?? options.jobseeker.id);
      await db
        .insertInto('application_status_changes')
        .values({ application_id: row.id, actor_user_id: actor, from_status: 'submitted', to_status: options.status })
        .execute();
    }
  }
  return row;
}

/** A school with a vacancy, a staff member and a jobseeker, ready for most tests. */
export async function createSchoolScene(db: Db, status: ApplicationStatus = 'submitted') {
  const school = await createOrganisation(db);
  const staff = await createStaff(db, [school.id], 'Amara Okafor');
  const vacancy = await createVacancy(db, school.id, { createdBy: staff.id });
  const jobseeker = await createJobseeker(db, 'Sam Taylor');
  const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status, staffId: staff.id });
  return { school, staff, vacancy, jobseeker, application };
}
