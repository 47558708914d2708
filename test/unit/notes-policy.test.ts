import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideMentions, decideNoteEdit, mentionRefusalText } from '../../src/notes/policy.ts';

const written = new Date('2026-12-03T10:00:00Z');
const minutes = (n: number) => new Date(written.getTime() + n * 60_000);

test('a note can be changed by its author only, for 15 minutes', () => {
  const cases: [string, string, Date, boolean][] = [
    ['author, at once', 'author', minutes(0), true],
    ['author, after 14 minutes 59 seconds', 'author', new Date(minutes(15).getTime() - 1000), true],
    ['author, after exactly 15 minutes', 'author', minutes(15), false],
    ['author, the next day', 'author', minutes(24 * 60), false],
    ['a colleague, at once', 'colleague', minutes(1), false],
  ];
  for (const [name, editor, now, allowed] of cases) {
    assert.equal(decideNoteEdit({ authorUserId: 'author', createdAt: written }, editor, now).allowed, allowed, name);
  }
});

test('mentions: only colleagues who can see the application; duplicates and the author dropped', () => {
  const canSee = new Set(['a', 'b', 'author']);
  const names = new Map([
    ['a', 'Amara'],
    ['x', 'Xavier'],
    ['y', 'Yusuf'],
  ]);
  assert.deepEqual(decideMentions(['a', 'a', 'author', 'b'], 'author', canSee, names), {
    allowed: true,
    userIds: ['a', 'b'],
  });
  assert.deepEqual(decideMentions([], 'author', canSee, names), { allowed: true, userIds: [] });
  const refused = decideMentions(['a', 'x', 'y', 'zzz'], 'author', canSee, names);
  assert.equal(refused.allowed, false);
  assert.ok(!refused.allowed);
  assert.equal(
    mentionRefusalText(refused.refused),
    'You cannot mention Xavier and Yusuf: they cannot see this application',
  );
  assert.equal(
    mentionRefusalText([{ name: null }]),
    'Select colleagues from the list of people who can see this application',
  );
});
