import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import type { AccountTokenPurpose, OrganisationKind, StaffRole, UserKind } from '../platform/database-schema.ts';
import { normaliseEmailAddress } from './email-address.ts';

export interface UserRecord {
  id: string;
  kind: UserKind;
  email: string;
  fullName: string;
  passwordHash: string;
  closedAt: Date | null;
  emailVerifiedAt: Date | null;
}

export interface OrganisationSummary {
  id: string;
  name: string;
  kind: OrganisationKind;
}

export async function findUserByEmail(db: DbExecutor, email: string): Promise<UserRecord | undefined> {
  return db
    .selectFrom('users')
    .select([
      'id',
      'kind',
      'email',
      'full_name as fullName',
      'password_hash as passwordHash',
      'closed_at as closedAt',
      'email_verified_at as emailVerifiedAt',
    ])
    .where('email', '=', normaliseEmailAddress(email))
    .executeTakeFirst();
}

export async function findUserById(db: DbExecutor, id: string): Promise<UserRecord | undefined> {
  return db
    .selectFrom('users')
    .select([
      'id',
      'kind',
      'email',
      'full_name as fullName',
      'password_hash as passwordHash',
      'closed_at as closedAt',
      'email_verified_at as emailVerifiedAt',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
}

export interface SignedInUserRow {
  id: string;
  kind: UserKind;
  email: string;
  fullName: string;
  closedAt: Date | null;
  emailVerifiedAt: Date | null;
  /** A member of staff's organisations, alphabetical (none for a jobseeker). */
  organisationNames: string[];
}

/** The signed-in person as every request needs them, with their organisations' names, in one query. */
export async function findSignedInUserRow(db: DbExecutor, id: string): Promise<SignedInUserRow | undefined> {
  const result = await sql<SignedInUserRow>`
    select u.id, u.kind, u.email, u.full_name as "fullName", u.closed_at as "closedAt",
           u.email_verified_at as "emailVerifiedAt",
           array(select o.name from staff_memberships m join organisations o on o.id = m.organisation_id
                 where m.user_id = u.id and u.kind = 'staff' order by o.name) as "organisationNames"
    from users u where u.id = ${id}
  `.execute(db);
  return result.rows[0];
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

export async function addStaffMembership(
  db: DbExecutor,
  userId: string,
  organisationId: string,
  role: StaffRole = 'member',
): Promise<void> {
  await db
    .insertInto('staff_memberships')
    .values({ user_id: userId, organisation_id: organisationId, role })
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

// Account links (src/accounts/account-tokens.ts): only each token's SHA-256 is stored.

export interface AccountTokenRecord {
  id: string;
  purpose: AccountTokenPurpose;
  userId: string | null;
  email: string;
  organisationId: string | null;
  role: StaffRole | null;
  createdBy: string | null;
  expiresAt: Date;
  usedAt: Date | null;
  supersededAt: Date | null;
}

const tokenColumns = [
  'id',
  'purpose',
  'user_id as userId',
  'email',
  'organisation_id as organisationId',
  'role',
  'created_by as createdBy',
  'expires_at as expiresAt',
  'used_at as usedAt',
  'superseded_at as supersededAt',
] as const;

/**
 * Stores a new token, superseding the unused ones it replaces: the same purpose for the same account, or for an
 * invitation the same address to the same organisation.
 */
export async function insertAccountToken(
  db: DbExecutor,
  token: {
    id: string;
    tokenHash: Buffer;
    purpose: AccountTokenPurpose;
    userId: string | null;
    email: string;
    organisationId?: string;
    role?: StaffRole;
    createdBy?: string;
    expiresAt: Date;
  },
): Promise<void> {
  let older = db
    .updateTable('account_tokens')
    .set({ superseded_at: sql<Date>`now()` })
    .where('purpose', '=', token.purpose)
    .where('used_at', 'is', null)
    .where('superseded_at', 'is', null);
  older =
    token.purpose === 'invitation'
      ? older.where('organisation_id', '=', token.organisationId ?? null).where('email', '=', token.email)
      : older.where('user_id', '=', token.userId);
  await older.execute();
  await db
    .insertInto('account_tokens')
    .values({
      id: token.id,
      token_hash: token.tokenHash,
      purpose: token.purpose,
      user_id: token.userId,
      email: normaliseEmailAddress(token.email),
      organisation_id: token.organisationId ?? null,
      role: token.role ?? null,
      created_by: token.createdBy ?? null,
      expires_at: token.expiresAt,
    })
    .execute();
}

export async function findAccountTokenByHash(
  db: DbExecutor,
  tokenHash: Buffer,
  options: { lock?: boolean } = {},
): Promise<AccountTokenRecord | undefined> {
  const query = db.selectFrom('account_tokens').select(tokenColumns).where('token_hash', '=', tokenHash);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function findAccountTokenById(db: DbExecutor, id: string): Promise<AccountTokenRecord | undefined> {
  return db.selectFrom('account_tokens').select(tokenColumns).where('id', '=', id).executeTakeFirst();
}

export async function markAccountTokenUsed(db: DbExecutor, id: string): Promise<void> {
  await db
    .updateTable('account_tokens')
    .set({ used_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

/** Every unused link of this purpose for this account stops working (a successful reset ends the others). */
export async function supersedeAccountTokens(
  db: DbExecutor,
  userId: string,
  purpose: AccountTokenPurpose,
): Promise<void> {
  await db
    .updateTable('account_tokens')
    .set({ superseded_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute();
}

export async function setPasswordHash(db: DbExecutor, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

export async function markEmailVerified(db: DbExecutor, userId: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ email_verified_at: sql<Date>`coalesce(email_verified_at, now())` })
    .where('id', '=', userId)
    .execute();
}

/** Signs an account out everywhere: its sessions (src/web/session-store.ts) are rows holding its id. */
export async function deleteSessionsOf(db: DbExecutor, userId: string): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where(sql<string>`data->>'userId'`, '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A jobseeker who signed up and has not confirmed their address yet. */
export async function insertUnverifiedJobseeker(
  db: DbExecutor,
  user: { email: string; fullName: string; passwordHash: string },
): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({
      kind: 'jobseeker',
      email: normaliseEmailAddress(user.email),
      full_name: user.fullName,
      password_hash: user.passwordHash,
      email_verified_at: null,
    })
    .onConflict((c) => c.column('email').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? '';
}

export async function findOrganisationName(db: DbExecutor, organisationId: string): Promise<string | undefined> {
  const row = await db.selectFrom('organisations').select('name').where('id', '=', organisationId).executeTakeFirst();
  return row?.name;
}
