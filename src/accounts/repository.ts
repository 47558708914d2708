import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import type { OrganisationKind, UserKind } from '../platform/database-schema.ts';
import { normaliseEmailAddress } from './email-address.ts';

export interface UserRecord {
  id: string;
  kind: UserKind;
  email: string;
  fullName: string;
  passwordHash: string;
  closedAt: Date | null;
}

export interface OrganisationSummary {
  id: string;
  name: string;
  kind: OrganisationKind;
}

export async function findUserByEmail(db: DbExecutor, email: string): Promise<UserRecord | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'kind', 'email', 'full_name as fullName', 'password_hash as passwordHash', 'closed_at as closedAt'])
    .where('email', '=', normaliseEmailAddress(email))
    .executeTakeFirst();
}

export async function findUserById(db: DbExecutor, id: string): Promise<UserRecord | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'kind', 'email', 'full_name as fullName', 'password_hash as passwordHash', 'closed_at as closedAt'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertUser(
  db: DbExecutor,
  user: { kind: UserKind; email: string; fullName: string; passwordHash: string },
): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({
      kind: user.kind,
      email: normaliseEmailAddress(user.email),
      full_name: user.fullName,
      password_hash: user.passwordHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertOrganisation(
  db: DbExecutor,
  organisation: { name: string; kind: OrganisationKind },
): Promise<string> {
  const row = await db.insertInto('organisations').values(organisation).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function findOrganisationByName(db: DbExecutor, name: string): Promise<OrganisationSummary | undefined> {
  return db.selectFrom('organisations').select(['id', 'name', 'kind']).where('name', '=', name).executeTakeFirst();
}

export async function addSchoolToGroup(db: DbExecutor, groupId: string, schoolId: string): Promise<void> {
  await db
    .insertInto('school_group_members')
    .values({ group_id: groupId, school_id: schoolId })
    .onConflict((c) => c.doNothing())
    .execute();
}

export async function addStaffMembership(db: DbExecutor, userId: string, organisationId: string): Promise<void> {
  await db
    .insertInto('staff_memberships')
    .values({ user_id: userId, organisation_id: organisationId })
    .onConflict((c) => c.doNothing())
    .execute();
}

/** The organisations a staff member belongs to directly, for the header and message signatures. */
export async function listStaffOrganisations(db: DbExecutor, userId: string): Promise<OrganisationSummary[]> {
  return db
    .selectFrom('staff_memberships as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['o.id', 'o.name', 'o.kind'])
    .where('m.user_id', '=', userId)
    .orderBy('o.name')
    .execute();
}

/** How many failed sign-ins were recorded for each key in the last few minutes. */
export async function countRecentFailedSignIns(
  db: DbExecutor,
  keys: string[],
  windowMinutes: number,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('sign_in_attempts')
    .select(['key', (eb) => eb.fn.countAll<number>().as('attempts')])
    .where('key', 'in', keys)
    .where('attempted_at', '>', sql<Date>`now() - make_interval(mins => ${windowMinutes})`)
    .groupBy('key')
    .execute();
  return new Map(rows.map((row) => [row.key, row.attempts]));
}

export async function recordFailedSignIn(db: DbExecutor, keys: string[]): Promise<void> {
  await db
    .insertInto('sign_in_attempts')
    .values(keys.map((key) => ({ key })))
    .execute();
}

export async function clearSignInAttempts(db: DbExecutor, key: string): Promise<void> {
  await db.deleteFrom('sign_in_attempts').where('key', '=', key).execute();
}

export async function deleteOldSignInAttempts(db: DbExecutor, olderThanMinutes: number): Promise<void> {
  await sql`delete from sign_in_attempts where attempted_at < now() - make_interval(mins => ${olderThanMinutes})`.execute(
    db,
  );
}
