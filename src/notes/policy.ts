/**
 * Staff notes' rules. Pure: no I/O, `now` passed in.
 *
 * A note can be changed by its author for 15 minutes after it was written, and by nobody after that; nobody can
 * delete a note (retention deletes it with its application).
 */
export const noteEditWindowMinutes = 15;

export type NoteEditDecision = { allowed: true; until: Date } | { allowed: false; reason: string };

export function decideNoteEdit(
  note: { authorUserId: string; createdAt: Date },
  editorUserId: string,
  now: Date,
): NoteEditDecision {
  if (note.authorUserId !== editorUserId) {
    return { allowed: false, reason: 'Only the person who wrote a note can change it.' };
  }
  const until = new Date(note.createdAt.getTime() + noteEditWindowMinutes * 60_000);
  if (now.getTime() >= until.getTime()) {
    return {
      allowed: false,
      reason: `Notes can only be changed for ${noteEditWindowMinutes} minutes after they are written. This note can no longer be changed.`,
    };
  }
  return { allowed: true, until };
}

export type MentionDecision =
  { allowed: true; userIds: string[] } | { allowed: false; refused: { userId: string; name: string | null }[] };

/**
 * Who a note may mention: only colleagues who can see the application. `requested` are the ids chosen on the form
 * (duplicates and the author are dropped); `names` gives the names of staff accounts we know, for the refusal.
 */
export function decideMentions(
  requested: readonly string[],
  authorUserId: string,
  canSee: ReadonlySet<string>,
  names: ReadonlyMap<string, string>,
): MentionDecision {
  const unique = [...new Set(requested)].filter((id) => id !== authorUserId);
  const refused = unique.filter((id) => !canSee.has(id)).map((userId) => ({ userId, name: names.get(userId) ?? null }));
  if (refused.length > 0) return { allowed: false, refused };
  return { allowed: true, userIds: unique };
}

/** The GOV.UK error message for mentions that were refused. */
export function mentionRefusalText(refused: readonly { name: string | null }[]): string {
  const named = refused.map((r) => r.name).filter((name): name is string => name !== null);
  if (named.length === 0) return 'Select colleagues from the list of people who can see this application';
  const who = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named.at(-1) ?? ''}`;
  return `You cannot mention ${who ?? ''}: they cannot see this application`;
}
