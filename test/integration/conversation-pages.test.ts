import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { conversationPageSize } from '../../src/messaging/service.ts';
import { testApp, testContainer } from '../support/context.ts';
import { createSchoolScene } from '../support/factories.ts';
import { sendAs } from '../support/conversations.ts';
import { signedInClient } from '../support/http.ts';
import { findAll, findOne, textOf, type HtmlElement } from '../support/html.ts';

/**
 * A long conversation shows its latest page of messages, with "Show earlier messages" (a plain link with a keyset
 * cursor) leading back a page at a time; through the routes (fastify.inject) on a real PostgreSQL.
 */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

const total = conversationPageSize * 2 + 20;
let scene: Awaited<ReturnType<typeof createSchoolScene>>;
/** The conversation's message ids, oldest first; message i (1-based) says "Message i". */
let ids: string[];

before(async () => {
  scene = await createSchoolScene(db);
  for (let i = 1; i <= total; i++)
    await sendAs(container, scene.application.id, i % 2 === 1 ? scene.staff : scene.jobseeker, `Message ${i}`);
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select('m.id')
    .where('c.application_id', '=', scene.application.id)
    .orderBy('m.sent_at')
    .orderBy('m.id')
    .execute();
  ids = rows.map((row) => row.id);
  assert.equal(ids.length, total);
});

const staffUrl = () => `/staff/applications/${scene.application.id}`;
const jobseekerUrl = () => `/applications/${scene.application.id}`;

function shownBodies(html: string): string[] {
  return findAll(html, '.parley-message-list li.parley-message').map((item: HtmlElement) =>
    textOf(findOne(item, '.parley-message__body') ?? item),
  );
}

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `Message ${from + i}`);

function earlierLink(html: string): string | undefined {
  const link = findAll(html, '#messages a').find((a) => textOf(a) === 'Show earlier messages');
  return link?.attribs.href;
}

test('staff see the latest page, oldest first, and "Show earlier messages" goes back a page at a time', async () => {
  const client = await signedInClient(app, scene.staff.email);
  const latest = await client.get(staffUrl());
  assert.equal(latest.statusCode, 200);
  assert.deepEqual(shownBodies(latest.body), numbered(total - conversationPageSize + 1, total));
  // The summary counts the whole conversation, not the page: every applicant message is unread before this view.
  assert.match(textOf(findOne(latest.body, '.parley-conversation-summary')!), /Messages: 60 unread/);
  assert.match(textOf(findOne(latest.body, '#thread-page')!), /Showing the latest 50 of 120 messages/);
  const unreadShown = findAll(latest.body, '.parley-message-list .parley-message--unread').length;
  assert.equal(unreadShown, conversationPageSize / 2, 'the applicant messages on the page are marked unread');

  const firstCursor = ids[total - conversationPageSize]!;
  assert.equal(earlierLink(latest.body), `${staffUrl()}?before=${firstCursor}#messages`);

  const second = await client.get(`${staffUrl()}?before=${firstCursor}`);
  assert.equal(second.statusCode, 200);
  assert.deepEqual(
    shownBodies(second.body),
    numbered(total - 2 * conversationPageSize + 1, total - conversationPageSize),
  );
  // Opening the latest page marked everything read up to the newest message.
  assert.equal(findAll(second.body, '.parley-message--unread').length, 0);
  assert.match(textOf(findOne(second.body, '.parley-conversation-summary')!), /Messages: 120 messages, none unread/);
  const secondCursor = ids[total - 2 * conversationPageSize]!;
  assert.equal(earlierLink(second.body), `${staffUrl()}?before=${secondCursor}#messages`);
  // An earlier page does not listen for new messages: they would not belong on it.
  assert.equal(findOne(second.body, '[data-parley-live]'), undefined);

  const oldest = await client.get(earlierLink(second.body)!.replace('#messages', ''));
  assert.equal(oldest.statusCode, 200);
  assert.deepEqual(shownBodies(oldest.body), numbered(1, total - 2 * conversationPageSize));
  assert.equal(earlierLink(oldest.body), undefined, 'the first page has no earlier messages');
  const latestLink = findAll(oldest.body, '#messages a').find((a) => textOf(a) === 'Show the latest messages');
  assert.equal(latestLink?.attribs.href, `${staffUrl()}#messages`);

  // Before the oldest message there is nothing: an empty page, not an error.
  const none = await client.get(`${staffUrl()}?before=${ids[0]!}`);
  assert.equal(none.statusCode, 200);
  assert.deepEqual(shownBodies(none.body), []);
});

test('the jobseeker pages the same way, and opening the page marks every staff message seen', async () => {
  const client = await signedInClient(app, scene.jobseeker.email);
  const latest = await client.get(jobseekerUrl());
  assert.equal(latest.statusCode, 200);
  assert.deepEqual(shownBodies(latest.body), numbered(total - conversationPageSize + 1, total));
  const cursor = ids[total - conversationPageSize]!;
  assert.equal(earlierLink(latest.body), `${jobseekerUrl()}?before=${cursor}#messages`);
  const unseen = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('c.application_id', '=', scene.application.id)
    .where('m.sender_kind', '=', 'staff')
    .where('m.seen_by_recipient_at', 'is', null)
    .executeTakeFirstOrThrow();
  assert.equal(Number(unseen.count), 0, 'staff messages on earlier pages are seen too, as before pages existed');

  const earlier = await client.get(`${jobseekerUrl()}?before=${cursor}`);
  assert.equal(earlier.statusCode, 200);
  assert.deepEqual(
    shownBodies(earlier.body),
    numbered(total - 2 * conversationPageSize + 1, total - conversationPageSize),
  );
});

test("a cursor from someone else's conversation is not found, and no cursor value makes an error", async () => {
  const other = await createSchoolScene(db);
  await sendAs(container, other.application.id, other.staff, 'Elsewhere');
  const [elsewhere] = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select('m.id')
    .where('c.application_id', '=', other.application.id)
    .execute();
  assert.ok(elsewhere);
  const staff = await signedInClient(app, scene.staff.email);
  const notFound = await staff.get(`${staffUrl()}?before=${elsewhere.id}`);
  assert.equal(notFound.statusCode, 404);
  assert.doesNotMatch(notFound.body, /Elsewhere/);
  const jobseeker = await signedInClient(app, scene.jobseeker.email);
  assert.equal((await jobseeker.get(`${jobseekerUrl()}?before=${elsewhere.id}`)).statusCode, 404);

  for (const query of [
    'before=garbage',
    'before=1',
    `before=${ids[1]!}x`,
    `before=${ids[1]!}&before=${ids[2]!}`,
    'before=%27%3B%20drop%20table%20messages%3B--',
    `before=${'f'.repeat(5000)}`,
    'before=00000000-0000-0000-0000-000000000000',
  ]) {
    const response = await staff.get(`${staffUrl()}?${query}`);
    assert.equal(response.statusCode, 404, `?${query}`);
  }
  // An empty cursor, or a parameter of another name, is the latest page.
  for (const query of ['before=', 'before[]=x', 'after=x']) {
    const latest = await staff.get(`${staffUrl()}?${query}`);
    assert.equal(latest.statusCode, 200, `?${query}`);
    assert.deepEqual(shownBodies(latest.body), numbered(total - conversationPageSize + 1, total));
  }
});
