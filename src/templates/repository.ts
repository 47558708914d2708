import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';

export interface TemplateRecord {
  id: string;
  authorUserId: string;
  authorName: string;
  organisationId: string | null;
  organisationName: string | null;
  name: string;
  bodyHtml: string;
  updatedAt: Date;
}

/** A staff member's own personal templates and those shared with any organisation they belong to. */
function visibleTemplates(db: DbExecutor, staffUserId: string) {
  return db
    .selectFrom('message_templates as t')
    .innerJoin('users as u', 'u.id', 't.author_user_id')
    .leftJoin('organisations as o', 'o.id', 't.organisation_id')
    .select([
      't.id',
      't.author_user_id as authorUserId',
      'u.full_name as authorName',
      't.organisation_id as organisationId',
      'o.name as organisationName',
      't.name',
      't.body_html as bodyHtml',
      't.updated_at as updatedAt',
    ])
    .where((eb) =>
      eb.or([
        eb.and([eb('t.organisation_id', 'is', null), eb('t.author_user_id', '=', staffUserId)]),
        eb(
          't.organisation_id',
          'in',
          eb.selectFrom('staff_memberships as m').select('m.organisation_id').where('m.user_id', '=', staffUserId),
        ),
      ]),
    );
}

export async function listTemplatesForStaff(db: DbExecutor, staffUserId: string): Promise<TemplateRecord[]> {
  return visibleTemplates(db, staffUserId)
    .orderBy(sql`lower(t.name)`)
    .orderBy('t.id')
    .execute();
}

export async function findTemplateForStaff(
  db: DbExecutor,
  templateId: string,
  staffUserId: string,
): Promise<TemplateRecord | undefined> {
  return visibleTemplates(db, staffUserId).where('t.id', '=', templateId).executeTakeFirst();
}

export async function isMemberOf(db: DbExecutor, staffUserId: string, organisationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('staff_memberships')
    .select('user_id')
    .where('user_id', '=', staffUserId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertTemplate(
  db: DbExecutor,
  template: { authorUserId: string; organisationId: string | null; name: string; bodyHtml: string },
): Promise<string> {
  const row = await db
    .insertInto('message_templates')
    .values({
      author_user_id: template.authorUserId,
      organisation_id: template.organisationId,
      name: template.name,
      body_html: template.bodyHtml,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Changes a template its author wrote; false when there is no such template of theirs. */
export async function updateTemplate(
  db: DbExecutor,
  template: { id: string; authorUserId: string; organisationId: string | null; name: string; bodyHtml: string },
): Promise<boolean> {
  const result = await db
    .updateTable('message_templates')
    .set({
      organisation_id: template.organisationId,
      name: template.name,
      body_html: template.bodyHtml,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', template.id)
    .where('author_user_id', '=', template.authorUserId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteTemplate(db: DbExecutor, templateId: string, authorUserId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('message_templates')
    .where('id', '=', templateId)
    .where('author_user_id', '=', authorUserId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The organisations a staff member may share a template with: those they belong to directly. */
export async function listMemberships(db: DbExecutor, staffUserId: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('staff_memberships as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['o.id', 'o.name'])
    .where('m.user_id', '=', staffUserId)
    .orderBy('o.name')
    .execute();
}
