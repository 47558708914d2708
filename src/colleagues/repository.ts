import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import type { OrganisationKind, StaffRole } from '../platform/database-schema.ts';

export interface MembershipRecord {
  organisationId: string;
  organisationName: string;
  organisationKind: OrganisationKind;
  role: StaffRole;
}

/** The organisations a member of staff belongs to directly, with their role in each. */
export async function listMemberships(db: DbExecutor, userId: string): Promise<MembershipRecord[]> {
  return db
    .selectFrom('staff_memberships as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['o.id as organisationId', 'o.name as organisationName', 'o.kind as organisationKind', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('o.name')
    .execute();
}

export async function findMembership(
  db: DbExecutor,
  userId: string,
  organisationId: string,
): Promise<MembershipRecord | undefined> {
  return db
    .selectFrom('staff_memberships as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['o.id as organisationId', 'o.name as organisationName', 'o.kind as organisationKind', 'm.role'])
    .where('m.user_id', '=', userId)
    .where('m.organisation_id', '=', organisationId)
    .executeTakeFirst();
}

export interface ColleagueRecord {
  userId: string;
  fullName: string;
  email: string;
  role: StaffRole;
}

/** Everyone in the organisation; locked for the rest of the transaction when asked (changes count administrators). */
export async function listColleagues(
  db: DbExecutor,
  organisationId: string,
  options: { lock?: boolean } = {},
): Promise<ColleagueRecord[]> {
  const query = db
    .selectFrom('staff_memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id as userId', 'u.full_name as fullName', 'u.email', 'm.role'])
    .where('m.organisation_id', '=', organisationId)
    .orderBy('u.full_name')
    .orderBy('u.id');
  return (options.lock ? query.forUpdate('m') : query).execute();
}

export async function addMembership(
  db: DbExecutor,
  membership: { userId: string; organisationId: string; role: StaffRole },
): Promise<boolean> {
  const result = await db
    .insertInto('staff_memberships')
    .values({ user_id: membership.userId, organisation_id: membership.organisationId, role: membership.role })
    .onConflict((c) => c.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function setRole(db: DbExecutor, userId: string, organisationId: string, role: StaffRole): Promise<void> {
  await db
    .updateTable('staff_memberships')
    .set({ role })
    .where('user_id', '=', userId)
    .where('organisation_id', '=', organisationId)
    .execute();
}

export async function deleteMembership(db: DbExecutor, userId: string, organisationId: string): Promise<void> {
  await db
    .deleteFrom('staff_memberships')
    .where('user_id', '=', userId)
    .where('organisation_id', '=', organisationId)
    .execute();
}

export interface PendingInvitation {
  email: string;
  role: StaffRole;
  expiresAt: Date;
  invitedBy: string | null;
}

export async function listPendingInvitations(
  db: DbExecutor,
  organisationId: string,
  now: Date,
): Promise<PendingInvitation[]> {
  return db
    .selectFrom('account_tokens as t')
    .leftJoin('users as u', 'u.id', 't.created_by')
    .select(['t.email', sql<StaffRole>`t.role`.as('role'), 't.expires_at as expiresAt', 'u.full_name as invitedBy'])
    .where('t.purpose', '=', 'invitation')
    .where('t.organisation_id', '=', organisationId)
    .where('t.used_at', 'is', null)
    .where('t.superseded_at', 'is', null)
    .where('t.expires_at', '>', now)
    .orderBy('t.created_at', 'desc')
    .execute();
}

export interface AuditEventInput {
  organisationId: string;
  actorUserId: string | null;
  action: string;
  subjectUserId?: string | null;
  subjectEmail?: string | null;
  vacancyId?: string | null;
  detail?: string | null;
}

export async function recordAuditEvent(db: DbExecutor, event: AuditEventInput): Promise<void> {
  await db
    .insertInto('organisation_audit_events')
    .values({
      organisation_id: event.organisationId,
      actor_user_id: event.actorUserId,
      action: event.action,
      subject_user_id: event.subjectUserId ?? null,
      subject_email: event.subjectEmail ?? null,
      vacancy_id: event.vacancyId ?? null,
      detail: event.detail ?? null,
    })
    .execute();
}

export interface AuditEventRecord {
  id: string;
  action: string;
  actorName: string | null;
  subjectName: string | null;
  subjectEmail: string | null;
  detail: string | null;
  createdAt: Date;
}

export async function listAuditEvents(
  db: DbExecutor,
  organisationId: string,
  limit: number,
): Promise<AuditEventRecord[]> {
  return db
    .selectFrom('organisation_audit_events as e')
    .leftJoin('users as actor', 'actor.id', 'e.actor_user_id')
    .leftJoin('users as subject', 'subject.id', 'e.subject_user_id')
    .select([
      'e.id',
      'e.action',
      'actor.full_name as actorName',
      'subject.full_name as subjectName',
      'e.subject_email as subjectEmail',
      'e.detail',
      'e.created_at as createdAt',
    ])
    .where('e.organisation_id', '=', organisationId)
    .orderBy('e.created_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
}

export async function findUserForInvitation(
  db: DbExecutor,
  email: string,
): Promise<{ id: string; kind: 'staff' | 'jobseeker'; fullName: string; closedAt: Date | null } | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'kind', 'full_name as fullName', 'closed_at as closedAt'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function insertStaffUser(
  db: DbExecutor,
  user: { email: string; fullName: string; passwordHash: string },
): Promise<string | undefined> {
  const row = await db
    .insertInto('users')
    .values({ kind: 'staff', email: user.email, full_name: user.fullName, password_hash: user.passwordHash })
    .onConflict((c) => c.column('email').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function findOrganisation(
  db: DbExecutor,
  organisationId: string,
): Promise<{ id: string; name: string } | undefined> {
  return db.selectFrom('organisations').select(['id', 'name']).where('id', '=', organisationId).executeTakeFirst();
}
