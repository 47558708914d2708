import type { SignedInUser } from '../web/signed-in-user.ts';
import type { ApplicationRecord } from '../applications/repository.ts';
import type { ApplicationsService } from '../applications/service.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db, DbTransaction } from '../platform/db.ts';
import { prepareMessageBody } from '../messaging/rich-text.ts';
import { decideMentions, decideNoteEdit, mentionRefusalText } from './policy.ts';
import {
  authorOrganisationName,
  findNote,
  insertMentions,
  insertNote,
  listMentionedNames,
  listNotes,
  listNoteVersions,
  listStaffWhoCanSee,
  lockNote,
  replaceNoteBody,
  staffNames,
  type NoteRecord,
} from './repository.ts';
import { noteUrls } from './urls.ts';
import { isUuid } from '../platform/uuid.ts';

/** Told inside the transaction that adds a note mentioning colleagues (notifications: notify and follow). */
export type NoteMentionListener = (
  transaction: DbTransaction,
  event: {
    noteId: string;
    applicationId: string;
    authorUserId: string;
    authorName: string;
    mentionedUserIds: string[];
  },
) => Promise<void>;

export type NoteField = 'noteBody' | 'mentions';
export type NoteFieldError = { field: NoteField; text: string };

export type AddNoteResult =
  { outcome: 'added'; noteId: string } | { outcome: 'not-found' } | { outcome: 'invalid'; errors: NoteFieldError[] };

export type EditNoteResult =
  | { outcome: 'edited' }
  | { outcome: 'not-found' }
  | { outcome: 'not-allowed'; reason: string }
  | { outcome: 'invalid'; errors: NoteFieldError[] };

/** What the note form shows again after a refused POST: what was typed and chosen, and the errors. */
export interface NoteFormState {
  body: string;
  mentions: string[];
  errors: NoteFieldError[];
}

/** A note's body goes through the messages' sanitiser and limits, with the words a note needs. */
function prepareNoteBody(body: string): { ok: true; html: string; text: string } | { ok: false; error: string } {
  const prepared = prepareMessageBody({ format: 'text', body });
  if (prepared.ok) return prepared;
  return {
    ok: false,
    error: prepared.error === 'Enter a message' ? 'Enter a note' : 'Note must be 10,000 characters or fewer',
  };
}

/** A status change as the application page shows it in its history. */
export interface StatusTimelineEntry {
  fromLabel: string | null;
  toLabel: string;
  actor: string;
  changedAt: Date;
}

export function createNotesService(deps: {
  db: Db;
  clock: Clock;
  applications: ApplicationsService;
  onMention?: NoteMentionListener[];
}) {
  const { db, clock, applications } = deps;
  const listeners = deps.onMention ?? [];

  async function notesWithHistory(applicationId: string, viewerId: string) {
    const [notes, versions, mentions] = await Promise.all([
      listNotes(db, applicationId),
      listNoteVersions(db, applicationId),
      listMentionedNames(db, applicationId),
    ]);
    const now = clock.now();
    return notes.map((note) => {
      const edit = decideNoteEdit(note, viewerId, now);
      return {
        ...note,
        anchor: noteUrls.anchor(note.id),
        edited: note.editedAt !== null,
        versions: versions.filter((v) => v.noteId === note.id),
        mentioned: mentions.filter((m) => m.noteId === note.id).map((m) => m.fullName),
        editUrl: edit.allowed ? noteUrls.edit(note.applicationId, note.id) : null,
      };
    });
  }

  return {
    /** Colleagues the viewer may mention on this application: staff who can see it, not the viewer. */
    async colleagues(application: ApplicationRecord, viewer: SignedInUser) {
      return (await listStaffWhoCanSee(db, application.id)).filter((c) => c.id !== viewer.id);
    },

    async addNote(input: {
      applicationId: string;
      author: SignedInUser;
      body: string;
      mentions: string[];
    }): Promise<AddNoteResult> {
      if (input.author.kind !== 'staff') return { outcome: 'not-found' };
      const application = await applications.findForStaff(input.applicationId, input.author.id);
      if (!application) return { outcome: 'not-found' };
      const prepared = prepareNoteBody(input.body);
      return db.transaction().execute(async (trx): Promise<AddNoteResult> => {
        const locked = await applications.lock(trx, application.id);
        if (!locked) return { outcome: 'not-found' };
        const canSee = new Set((await listStaffWhoCanSee(trx, application.id)).map((c) => c.id));
        const validIds = input.mentions.filter((id) => isUuid(id)).map((id) => id.toLowerCase());
        const names = await staffNames(trx, validIds);
        const mentions = decideMentions(
          [...validIds, ...input.mentions.filter((id) => !isUuid(id))],
          input.author.id,
          canSee,
          names,
        );
        const errors: NoteFieldError[] = [];
        if (!prepared.ok) errors.push({ field: 'noteBody', text: prepared.error });
        if (!mentions.allowed) errors.push({ field: 'mentions', text: mentionRefusalText(mentions.refused) });
        if (errors.length > 0 || !prepared.ok || !mentions.allowed) return { outcome: 'invalid', errors };
        const organisation = await authorOrganisationName(trx, input.author.id, application.schoolId);
        const noteId = await insertNote(trx, {
          applicationId: application.id,
          authorUserId: input.author.id,
          authorDisplayName: [input.author.fullName, organisation].filter(Boolean).join(', '),
          bodyHtml: prepared.html,
          bodyText: prepared.text,
        });
        await insertMentions(trx, noteId, mentions.userIds);
        if (mentions.userIds.length > 0) {
          for (const listener of listeners) {
            await listener(trx, {
              noteId,
              applicationId: application.id,
              authorUserId: input.author.id,
              authorName: input.author.fullName,
              mentionedUserIds: mentions.userIds,
            });
          }
        }
        return { outcome: 'added', noteId };
      });
    },

    /** The note for its edit page: undefined when the viewer cannot see the application or the note. */
    async noteForEditing(viewer: SignedInUser, applicationId: string, noteId: string) {
      if (viewer.kind !== 'staff') return undefined;
      const application = await applications.findForStaff(applicationId, viewer.id);
      if (!application) return undefined;
      const note = await findNote(db, applicationId, noteId);
      if (!note) return undefined;
      return { application, note, decision: decideNoteEdit(note, viewer.id, clock.now()) };
    },

    async editNote(input: {
      applicationId: string;
      noteId: string;
      editor: SignedInUser;
      body: string;
    }): Promise<EditNoteResult> {
      if (input.editor.kind !== 'staff') return { outcome: 'not-found' };
      const application = await applications.findForStaff(input.applicationId, input.editor.id);
      if (!application) return { outcome: 'not-found' };
      return db.transaction().execute(async (trx): Promise<EditNoteResult> => {
        const note = await lockNote(trx, application.id, input.noteId);
        if (!note) return { outcome: 'not-found' };
        const decision = decideNoteEdit(note, input.editor.id, clock.now());
        if (!decision.allowed) return { outcome: 'not-allowed', reason: decision.reason };
        const prepared = prepareNoteBody(input.body);
        if (!prepared.ok) return { outcome: 'invalid', errors: [{ field: 'noteBody', text: prepared.error }] };
        if (prepared.html === note.bodyHtml) return { outcome: 'edited' };
        await replaceNoteBody(trx, note, { bodyHtml: prepared.html, bodyText: prepared.text });
        return { outcome: 'edited' };
      });
    },

    /**
     * The notes part of the staff application page: the notes (oldest first), the history with notes and status
     * changes together (newest first: the audit trail), the colleagues to mention and the form.
     */
    async applicationPageNotes(
      viewer: SignedInUser,
      application: ApplicationRecord,
      statusTimeline: readonly StatusTimelineEntry[],
      form: NoteFormState | undefined,
    ) {
      const [notes, colleagues] = await Promise.all([
        notesWithHistory(application.id, viewer.id),
        listStaffWhoCanSee(db, application.id),
      ]);
      const chosen = new Set(form?.mentions ?? []);
      const history = [
        ...notes.map((note) => ({ kind: 'note' as const, at: note.createdAt, note })),
        ...statusTimeline.map((change) => ({ kind: 'status' as const, at: change.changedAt, change })),
      ].sort((a, b) => b.at.getTime() - a.at.getTime());
      const errors = form?.errors ?? [];
      return {
        notes,
        history,
        action: noteUrls.add(application.id),
        colleagues: colleagues
          .filter((c) => c.id !== viewer.id)
          .map((c) => ({ value: c.id, text: c.fullName, checked: chosen.has(c.id) })),
        form: {
          body: form?.body ?? '',
          errorList: errors.map((e) => ({ text: e.text, href: `#${e.field}` })),
          byField: Object.fromEntries(errors.map((e) => [e.field, { text: e.text }])) as Partial<
            Record<NoteField, { text: string }>
          >,
        },
      };
    },

    /** Every note with its author and time, for a staff export (never a jobseeker's). */
    async notesForExport(application: ApplicationRecord): Promise<NoteRecord[]> {
      return listNotes(db, application.id);
    },
  };
}

export type NotesService = ReturnType<typeof createNotesService>;
