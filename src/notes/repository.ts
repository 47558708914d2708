import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';

export interface NoteRecord {
  id: string;
  applicationId: string;
  authorUserId: string;
  authorDisplayName: string;
  bodyHtml: string;
  bodyText: string;
  createdAt: Date;
  editedAt: Date | null;
}

export interface NoteVersionRecord {
  noteId: string;
  bodyHtml: string;
  bodyText: string;
  writtenAt: Date;
  replacedAt: Date;
}

export interface Colleague {
  id: string;
  fullName: string;
}

const noteColumns = [
  'id',
  'application_id as applicationId',
  'author_user_id as authorUserId',
  'author_display_name as authorDisplayName',
  'body_html as bodyHtml',
  'body_text as bodyText',
  'created_at as createdAt',
  'edited_at as editedAt',
] as const;

export async function insertNote(
  db: DbExecutor,
  note: { applicationId: string; authorUserId: string; authorDisplayName: string; bodyHtml: string; bodyText: string },
): Promise<string> {
  const row = await db
    .insertInto('application_notes')
    .values({
      application_id: note.applicationId,
      author_user_id: note.authorUserId,
      author_display_name: note.authorDisplayName,
      body_html: note.bodyHtml,
      body_text: note.bodyText,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertMentions(db: DbExecutor, noteId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .insertInto('application_note_mentions')
    .values(userIds.map((userId) => ({ note_id: noteId, user_id: userId })))
    .onConflict((c) => c.doNothing())
    .execute();
}

export async function listNotes(db: DbExecutor, applicationId: string): Promise<NoteRecord[]> {
  return db
    .selectFrom('application_notes')
    .select(noteColumns)
    .where('application_id', '=', applicationId)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

export async function listNoteVersions(db: DbExecutor, applicationId: string): Promise<NoteVersionRecord[]> {
  return db
    .selectFrom('application_note_versions as v')
    .innerJoin('application_notes as n', 'n.id', 'v.note_id')
    .select([
      'v.note_id as noteId',
      'v.body_html as bodyHtml',
      'v.body_text as bodyText',
      'v.written_at as writtenAt',
      'v.replaced_at as replacedAt',
    ])
    .where('n.application_id', '=', applicationId)
    .orderBy('v.replaced_at', 'asc')
    .execute();
}

export async function listMentionedNames(
  db: DbExecutor,
  applicationId: string,
): Promise<{ noteId: string; fullName: string }[]> {
  return db
    .selectFrom('application_note_mentions as m')
    .innerJoin('application_notes as n', 'n.id', 'm.note_id')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.note_id as noteId', 'u.full_name as fullName'])
    .where('n.application_id', '=', applicationId)
    .orderBy('u.full_name')
    .execute();
}

/** The note, locked for the rest of the transaction (an edit). */
export async function lockNote(db: DbExecutor, applicationId: string, noteId: string): Promise<NoteRecord | undefined> {
  return db
    .selectFrom('application_notes')
    .select(noteColumns)
    .where('id', '=', noteId)
    .where('application_id', '=', applicationId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findNote(db: DbExecutor, applicationId: string, noteId: string): Promise<NoteRecord | undefined> {
  return db
    .selectFrom('application_notes')
    .select(noteColumns)
    .where('id', '=', noteId)
    .where('application_id', '=', applicationId)
    .executeTakeFirst();
}

/** Keeps the note's current wording as a version, then replaces it. */
export async function replaceNoteBody(
  db: DbExecutor,
  note: NoteRecord,
  body: { bodyHtml: string; bodyText: string },
): Promise<void> {
  await db
    .insertInto('application_note_versions')
    .values({
      note_id: note.id,
      body_html: note.bodyHtml,
      body_text: note.bodyText,
      written_at: note.editedAt ?? note.createdAt,
    })
    .execute();
  await db
    .updateTable('application_notes')
    .set({ body_html: body.bodyHtml, body_text: body.bodyText, edited_at: sql<Date>`clock_timestamp()` })
    .where('id', '=', note.id)
    .execute();
}

/** Staff with open accounts who can see the application's school (directly or through its trust or authority). */
export async function listStaffWhoCanSee(db: DbExecutor, applicationId: string): Promise<Colleague[]> {
  // From the school's and its groups' memberships (their organisation index), not from every staff account.
  const result = await sql<Colleague>`
    with school as (
      select v.school_id as id from applications a join vacancies v on v.id = a.vacancy_id where a.id = ${applicationId}
    ), organisations as (
      select id from school
      union select g.group_id from school_group_members g where g.school_id = (select id from school)
    )
    select u.id, u.full_name as "fullName"
    from users u
    where u.kind = 'staff' and u.closed_at is null
      and u.id in (select m.user_id from staff_memberships m where m.organisation_id in (select id from organisations))
    order by u.full_name, u.id
  `.execute(db);
  return result.rows;
}

export async function staffNames(db: DbExecutor, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'full_name'])
    .where('id', 'in', [...userIds])
    .where('kind', '=', 'staff')
    .execute();
  return new Map(rows.map((row) => [row.id, row.full_name]));
}

/** The author's organisation for this school, for the note's signature (as messages are signed). */
export async function authorOrganisationName(db: DbExecutor, userId: string, schoolId: string): Promise<string | null> {
  const result = await sql<{ name: string }>`
    select o.name from staff_memberships m join organisations o on o.id = m.organisation_id
    where m.user_id = ${userId}
      and (m.organisation_id = ${schoolId}
           or m.organisation_id in (select g.group_id from school_group_members g where g.school_id = ${schoolId}))
    order by (m.organisation_id = ${schoolId}) desc, o.name
    limit 1
  `.execute(db);
  return result.rows[0]?.name ?? null;
}
