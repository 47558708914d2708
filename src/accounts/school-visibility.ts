/**
 * Which schools a member of staff can see: those they belong to, and every school in a group (trust or local
 * authority) they belong to. One rule, asked by every query that shows staff anything, as a SQL fragment so that
 * visibility is decided by the database in the same query. Pure: it builds SQL, it runs none.
 */
import { sql, type Expression, type SqlBool } from 'kysely';

export function schoolsVisibleToStaff(staffUserId: string) {
  return sql<string>`(
    select m.organisation_id from staff_memberships m where m.user_id = ${staffUserId}
    union
    select g.school_id from staff_memberships m join school_group_members g on g.group_id = m.organisation_id
    where m.user_id = ${staffUserId}
  )`;
}

export function schoolIsVisibleToStaff(schoolColumn: string, staffUserId: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(schoolColumn)} in ${schoolsVisibleToStaff(staffUserId)}`;
}
