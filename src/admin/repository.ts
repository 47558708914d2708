import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import type { OrganisationReference } from './arguments.ts';
import type { OrganisationCandidate } from './organisation-match.ts';

/** The organisations an operator's reference could mean: the one with that id, or every one with that name. */
export async function findOrganisationCandidates(
  db: DbExecutor,
  reference: OrganisationReference,
): Promise<OrganisationCandidate[]> {
  const query = db.selectFrom('organisations').select(['id', 'name', 'kind']);
  if (reference.by === 'id') return query.where('id', '=', reference.id).execute();
  return query
    .where(sql<string>`lower(name)`, '=', reference.name.toLowerCase())
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function isSchoolInGroup(db: DbExecutor, groupId: string, schoolId: string): Promise<boolean> {
  const row = await db
    .selectFrom('school_group_members')
    .select('school_id')
    .where('group_id', '=', groupId)
    .where('school_id', '=', schoolId)
    .executeTakeFirst();
  return row !== undefined;
}
