import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { addSchoolToGroup } from '../../src/accounts/repository.ts';
import type { SignedInUser } from '../../src/accounts/service.ts';
import type { ApplicationStatus } from '../../src/applications/status.ts';
import type { UploadedFile } from '../../src/messaging/service.ts';
import { dashboardPageSize } from '../../src/dashboard/service.ts';
import { testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createTrustWithSchools,
  createVacancy,
  unique,
  type TestUser,
} from '../support/factories.ts';
import { signedInClient, type TestClient } from '../support/http.ts';
import { minimalPdf } from '../support/sample-files.ts';

/**
 * The messages dashboard on a real database: who sees which conversations, unread counts per person, the sort
 * orders and their paging, search, archiving, and the jobseeker's messages page. Every conversation is made by the
 * real messaging service, so the counters, read state and search document are the ones production keeps.
 */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

// ---------------------------------------------------------------------------------------------
// Making conversations

const signedInUsers = new Map<string, SignedInUser>();
async function asSignedIn(user: TestUser): Promise<SignedInUser> {
  let signedIn = signedInUsers.get(user.id);
  if (!signedIn) {
    signedIn = await container.accounts.loadSignedInUser(user.id);
    assert.ok(signedIn, `no such user ${user.email}`);
    signedInUsers.set(user.id, signedIn);
  }
  return signedIn;
}

async function send(applicationId: string, sender: TestUser, body: string, files: UploadedFile[] = []): Promise<void> {
  const result = await container.messaging.sendMessage({
    applicationId,
    sender: await asSignedIn(sender),
    formKey: randomUUID(),
    body: { format: 'text', body },
    files,
  });
  assert.equal(result.outcome, 'sent', `sending "${body}" as ${sender.fullName}: ${JSON.stringify(result)}`);
}

interface Thread {
  applicationId: string;
  conversationId: string;
  jobseeker: TestUser;
  vacancy: { id: string; title: string };
}

/**
 * An application at a school with a conversation: the staff member writes first (as they must), then the jobseeker
 * replies `replies` times, each reply unread for every staff member until they open it.
 */
async function thread(
  schoolId: string,
  staff: TestUser,
  options: {
    candidate?: string;
    title?: string;
    vacancyId?: string;
    replies?: number;
    status?: ApplicationStatus;
    staffText?: string;
    replyText?: string;
  } = {},
): Promise<Thread> {
  const vacancy = options.vacancyId
    ? { id: options.vacancyId, title: '' }
    : await createVacancy(db, schoolId, options.title ? { title: options.title } : {});
  const jobseeker = await createJobseeker(db, options.candidate ?? unique('Candidate'));
  const application = await createApplication(db, {
    vacancyId: vacancy.id,
    jobseeker,
    status: options.status ?? 'submitted',
    staffId: staff.id,
  });
  await send(application.id, staff, options.staffText ?? 'Thank you for your application.');
  for (let i = 0; i < (options.replies ?? 0); i += 1)
    await send(application.id, jobseeker, options.replyText ?? `Reply number ${i + 1}.`);
  const conversation = await db
    .selectFrom('conversations')
    .select('id')
    .where('application_id', '=', application.id)
    .executeTakeFirstOrThrow();
  return { applicationId: application.id, conversationId: conversation.id, jobseeker, vacancy };
}

async function schoolWithStaff(names: string[] = ['Amara Okafor']) {
  const school = await createOrganisation(db, 'school', unique('School'));
  const staff = [];
  for (const name of names) staff.push(await createStaff(db, [school.id], name));
  return { school, staff };
}

// ---------------------------------------------------------------------------------------------
// Reading pages

/** The conversations listed on a dashboard page, in order (the value of each row's checkbox). */
function rowIds(html: string): string[] {
  return [...html.matchAll(/name="conversationIds" type="checkbox" value="([^"]+)"/g)].map((match) => match[1]!);
}

/** The jobseeker's messages page: the applications whose conversations are listed, in order. */
function jobseekerRowApplicationIds(html: string): string[] {
  return [...html.matchAll(/href="\/applications\/([0-9a-f-]{36})#messages"/g)].map((match) => match[1]!);
}

/** The number by "Messages" in the service navigation (unread conversations), or 0 when none is shown. */
function navigationCount(html: string): number {
  const match = /class="parley-nav-count">(\d+)<span class="govuk-visually-hidden"> unread conversations?<\/span>/.exec(
    html,
  );
  return match ? Number(match[1]) : 0;
}

/** The red "n unread" tag on one row of the dashboard, or null when the row shows none. */
function rowUnreadTag(html: string, conversationId: string): string | null {
  const row = html.split('<tr class="govuk-table__row').find((part) => part.includes(`value="${conversationId}"`));
  assert.ok(row, `conversation ${conversationId} is not on the page`);
  const tag = /parley-unread-tag">(\d+ unread)<span class="govuk-visually-hidden"> (messages?)<\/span>/.exec(row);
  return tag ? `${tag[1]} ${tag[2]}` : null;
}

function dashboardPath(query: Record<string, string | number> = {}): string {
  const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)])).toString();
  return `/staff/messages${search ? `?${search}` : ''}`;
}

async function dashboardIds(client: TestClient, query: Record<string, string | number> = {}): Promise<string[]> {
  const response = await client.get(dashboardPath(query));
  assert.equal(response.statusCode, 200, `GET ${dashboardPath(query)}`);
  return rowIds(response.body);
}

function sorted(ids: string[]): string[] {
  return [...ids].sort();
}

async function personState(conversationId: string, userId: string) {
  return db
    .selectFrom('conversation_person_states')
    .select(['seen_count', 'archived_at'])
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------

describe('who sees which conversations', () => {
  test('school staff see their own school’s conversations; other schools’ staff and jobseekers do not', async () => {
    const { school, staff } = await schoolWithStaff();
    const [owner] = staff as [TestUser];
    const other = await schoolWithStaff();
    const [outsider] = other.staff as [TestUser];
    const mine = [await thread(school.id, owner), await thread(school.id, owner, { replies: 1 })];
    const theirs = await thread(other.school.id, outsider, { replies: 1 });

    const ownerClient = await signedInClient(app, owner.email);
    assert.deepEqual(sorted(await dashboardIds(ownerClient)), sorted(mine.map((t) => t.conversationId)));
    const outsiderClient = await signedInClient(app, outsider.email);
    assert.deepEqual(await dashboardIds(outsiderClient), [theirs.conversationId]);
    // Nor do they find them by searching for them.
    const page = await outsiderClient.get(dashboardPath({ q: mine[1]!.jobseeker.fullName }));
    assert.deepEqual(rowIds(page.body), []);

    const jobseekerClient = await signedInClient(app, mine[0]!.jobseeker.email);
    assert.equal((await jobseekerClient.get('/staff/messages')).statusCode, 404);
    const signedOut = await app.inject({ method: 'GET', url: '/staff/messages' });
    assert.equal(signedOut.statusCode, 303);
    assert.match(signedOut.headers.location ?? '', /^\/sign-in\?returnTo=/);
  });

  test('trust staff see every school of the trust once, also when they are a member of one of its schools', async () => {
    const { trust, schools } = await createTrustWithSchools(db, 2);
    const [first, second] = schools as [{ id: string; name: string }, { id: string; name: string }];
    const trustOnly = await createStaff(db, [trust.id], 'Claire Davies');
    const trustAndSchool = await createStaff(db, [trust.id, first.id], 'Dev Patel');
    const firstSchoolStaff = await createStaff(db, [first.id], 'Amara Okafor');
    const outside = await schoolWithStaff();
    const outsideThread = await thread(outside.school.id, outside.staff[0]!, { replies: 1 });

    const inFirst = [await thread(first.id, firstSchoolStaff, { replies: 1 }), await thread(first.id, trustOnly)];
    const inSecond = [await thread(second.id, trustOnly, { replies: 2 })];
    const everything = sorted([...inFirst, ...inSecond].map((t) => t.conversationId));

    for (const user of [trustOnly, trustAndSchool]) {
      const client = await signedInClient(app, user.email);
      const page = await client.get('/staff/messages');
      const ids = rowIds(page.body);
      assert.deepEqual(sorted(ids), everything, `${user.fullName} sees each of the trust's conversations exactly once`);
      assert.ok(!ids.includes(outsideThread.conversationId));
      assert.match(page.body, /Inbox <span class="parley-count">\(3\)<\/span>/);
      // Staff who see several schools are told which school each conversation is with.
      assert.ok(page.body.includes(`<span class="parley-preview">${first.name}</span>`));
      assert.ok(page.body.includes(`<span class="parley-preview">${second.name}</span>`));
      assert.equal(navigationCount(page.body), 2);

      const counts = await container.dashboard.staffDashboard(
        await asSignedIn(user),
        { tab: 'inbox', sort: 'unread', search: null, page: 1 },
        { allowRedirect: false },
      );
      assert.ok(counts.outcome === 'page');
      assert.deepEqual(counts.counts, { inbox: 3, archived: 0, unreadConversations: 2 });
      assert.equal(counts.total, 3);
    }

    const schoolClient = await signedInClient(app, firstSchoolStaff.email);
    assert.deepEqual(sorted(await dashboardIds(schoolClient)), sorted(inFirst.map((t) => t.conversationId)));
  });
});

describe('unread counts, per person', () => {
  test('the navigation counts conversations with unread jobseeker messages; opening one marks it read for that person only', async () => {
    const { school, staff } = await schoolWithStaff(['Amara Okafor', 'Ben Hughes']);
    const [amara, ben] = staff as [TestUser, TestUser];
    const twoUnread = await thread(school.id, amara, { replies: 2 });
    const oneUnread = await thread(school.id, amara, { replies: 1 });
    const noneUnread = await thread(school.id, amara);
    // Staff's own messages are never unread, for the sender or their colleagues.
    await send(noneUnread.applicationId, ben, 'A note from a colleague.');

    const amaraClient = await signedInClient(app, amara.email);
    const benClient = await signedInClient(app, ben.email);
    let page = await amaraClient.get('/staff/messages');
    assert.equal(navigationCount(page.body), 2);
    assert.match(
      page.body,
      /class="parley-nav-count">2<span class="govuk-visually-hidden"> unread conversations<\/span>/,
    );
    assert.equal(rowUnreadTag(page.body, twoUnread.conversationId), '2 unread messages');
    assert.equal(rowUnreadTag(page.body, oneUnread.conversationId), '1 unread message');
    assert.equal(rowUnreadTag(page.body, noneUnread.conversationId), null);

    // Back from a conversation must not show a kept copy with the old unread marks.
    assert.equal(page.headers['cache-control'], 'private, no-store');

    const opened = await amaraClient.get(`/staff/applications/${twoUnread.applicationId}`);
    assert.equal(opened.statusCode, 200);
    assert.match(opened.body, /id="unread-summary">2 unread messages</);
    // The count in the navigation of the page that opened it was worked out before it was marked read; the next page has it.
    page = await amaraClient.get('/staff/messages');
    assert.equal(navigationCount(page.body), 1);
    assert.equal(rowUnreadTag(page.body, twoUnread.conversationId), null);
    assert.equal(rowUnreadTag(page.body, oneUnread.conversationId), '1 unread message');
    assert.doesNotMatch(
      (await amaraClient.get(`/staff/applications/${twoUnread.applicationId}`)).body,
      /id="unread-summary"/,
    );

    page = await benClient.get('/staff/messages');
    assert.equal(navigationCount(page.body), 2, 'a colleague’s reading does not change Ben’s count');
    assert.equal(rowUnreadTag(page.body, twoUnread.conversationId), '2 unread messages');
    assert.equal(await container.dashboard.unreadConversationCount(await asSignedIn(ben)), 2);
    assert.equal(await container.dashboard.unreadConversationCount(await asSignedIn(amara)), 1);

    // A new reply makes it unread again, counting only what is new.
    await send(twoUnread.applicationId, twoUnread.jobseeker, 'One more thing.');
    page = await amaraClient.get('/staff/messages');
    assert.equal(navigationCount(page.body), 2);
    assert.equal(rowUnreadTag(page.body, twoUnread.conversationId), '1 unread message');
  });

  test('with nothing unread, the navigation shows no count', async () => {
    const { school, staff } = await schoolWithStaff();
    await thread(school.id, staff[0]!);
    const page = await (await signedInClient(app, staff[0]!.email)).get('/staff/messages');
    assert.equal(navigationCount(page.body), 0);
    assert.doesNotMatch(page.body, /parley-nav-count/);
  });

  test('mark as unread: the count comes back and the conversation shows its last message unread, for that person only', async () => {
    const { school, staff } = await schoolWithStaff(['Amara Okafor', 'Ben Hughes']);
    const [amara, ben] = staff as [TestUser, TestUser];
    const conversation = await thread(school.id, amara, { replies: 2 });
    const client = await signedInClient(app, amara.email);
    const benClient = await signedInClient(app, ben.email);
    await benClient.get(`/staff/applications/${conversation.applicationId}`);

    const opened = await client.get(`/staff/applications/${conversation.applicationId}`);
    assert.match(opened.body, /<button[^>]*>\s*Mark as unread\s*<\/button>/);
    assert.equal(navigationCount((await client.get('/staff/messages')).body), 0);

    await client.get(`/staff/applications/${conversation.applicationId}`);
    const marked = await client.post(`/staff/conversations/${conversation.conversationId}/unread`, {});
    assert.equal(marked.statusCode, 303);
    assert.equal(marked.headers.location, '/staff/messages');
    const page = await client.get('/staff/messages');
    assert.ok(page.body.includes('Conversation marked as unread'));
    assert.equal(navigationCount(page.body), 1);
    assert.equal(rowUnreadTag(page.body, conversation.conversationId), '1 unread message');
    const reopened = await client.get(`/staff/applications/${conversation.applicationId}`);
    assert.match(reopened.body, /id="unread-summary">1 unread message</);
    assert.equal(
      (reopened.body.match(/parley-message--unread/g) ?? []).length,
      1,
      'only the last message is unread again',
    );

    assert.equal(navigationCount((await benClient.get('/staff/messages')).body), 0, 'Ben has still read it');
    assert.equal((await personState(conversation.conversationId, ben.id))?.seen_count, 2);
  });

  test('marking as unread someone else’s or an unknown conversation is a 404', async () => {
    const mine = await schoolWithStaff();
    const other = await schoolWithStaff();
    const theirs = await thread(other.school.id, other.staff[0]!, { replies: 1 });
    await (await signedInClient(app, other.staff[0]!.email)).get(`/staff/applications/${theirs.applicationId}`);
    const client = await signedInClient(app, mine.staff[0]!.email);
    await client.get('/staff/messages');
    assert.equal((await client.post(`/staff/conversations/${theirs.conversationId}/unread`, {})).statusCode, 404);
    assert.equal((await client.post(`/staff/conversations/${randomUUID()}/unread`, {})).statusCode, 404);
    assert.equal((await client.post('/staff/conversations/not-an-id/unread', {})).statusCode, 404);
    assert.equal(await personState(theirs.conversationId, mine.staff[0]!.id), undefined);
    assert.equal((await personState(theirs.conversationId, other.staff[0]!.id))?.seen_count, 1);
  });
});

describe('sort orders', () => {
  test('unread first then newest; newest first; oldest first — chosen with the sort form, which keeps the choice', async () => {
    const { school, staff } = await schoolWithStaff();
    const [amara] = staff as [TestUser];
    // Sent one after another, so each conversation's last message is later than the one before.
    const oldestUnread = await thread(school.id, amara, { replies: 1 });
    const oldRead = await thread(school.id, amara);
    const newerUnread = await thread(school.id, amara, { replies: 1 });
    const newestRead = await thread(school.id, amara);
    const client = await signedInClient(app, amara.email);
    const ids = (threads: Thread[]) => threads.map((t) => t.conversationId);

    assert.deepEqual(
      await dashboardIds(client),
      ids([newerUnread, oldestUnread, newestRead, oldRead]),
      'unread first is the default',
    );
    assert.deepEqual(
      await dashboardIds(client, { sort: 'unread' }),
      ids([newerUnread, oldestUnread, newestRead, oldRead]),
    );
    assert.deepEqual(
      await dashboardIds(client, { sort: 'newest' }),
      ids([newestRead, newerUnread, oldRead, oldestUnread]),
    );
    assert.deepEqual(
      await dashboardIds(client, { sort: 'oldest' }),
      ids([oldestUnread, oldRead, newerUnread, newestRead]),
    );
    assert.deepEqual(
      await dashboardIds(client, { sort: 'nonsense' }),
      ids([newerUnread, oldestUnread, newestRead, oldRead]),
    );

    const page = await client.get(dashboardPath({ sort: 'oldest' }));
    assert.match(page.body, /<option value="oldest" selected>Oldest first<\/option>/);
    // Searching keeps the sort, and the links to the tabs keep it too.
    assert.match(page.body, /<input type="hidden" name="sort" value="oldest">/);
    assert.ok(page.body.includes('href="/staff/messages?tab=archived&amp;sort=oldest"'));

    // Reading the older unread conversation moves it down among the read ones in "unread first".
    await client.get(`/staff/applications/${oldestUnread.applicationId}`);
    assert.deepEqual(await dashboardIds(client), ids([newerUnread, newestRead, oldRead, oldestUnread]));
  });

  test('walking pages 1 to 3 of 45 conversations, many with the same last message time, lists each exactly once in every order', async () => {
    const { school, staff } = await schoolWithStaff();
    const [amara] = staff as [TestUser];
    const vacancy = await createVacancy(db, school.id);
    const threads: Thread[] = [];
    for (let i = 0; i < 45; i += 1)
      threads.push(await thread(school.id, amara, { vacancyId: vacancy.id, replies: i % 3 === 0 ? 1 : 0 }));
    const allIds = threads.map((t) => t.conversationId);

    // Messages sent by a test are microseconds apart, so ties in the sort key never happen by themselves. Two thirds of
    // the conversations are given one shared last message time (as a busy school might have, to the second), the rest
    // distinct times on either side of it, so that pages must be cut inside a run of equal times.
    const tie = new Date('2026-03-02T09:00:00Z');
    await db
      .updateTable('conversations')
      .set({ last_message_at: tie })
      .where(
        'id',
        'in',
        allIds.filter((_, i) => i % 3 !== 2),
      )
      .execute();
    for (const [i, id] of allIds.entries()) {
      if (i % 3 !== 2) continue;
      await db
        .updateTable('conversations')
        .set({ last_message_at: new Date(tie.getTime() + (i - 22) * 60_000) })
        .where('id', '=', id)
        .execute();
    }

    const rows = await db
      .selectFrom('conversations')
      .select(['id', 'last_message_at', 'jobseeker_message_count'])
      .where('id', 'in', allIds)
      .execute();
    const byNewest = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
      b.last_message_at.getTime() - a.last_message_at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    const expected = {
      newest: [...rows].sort(byNewest).map((row) => row.id),
      oldest: [...rows].sort((a, b) => byNewest(b, a)).map((row) => row.id),
      unread: [...rows]
        .sort((a, b) => Number(b.jobseeker_message_count > 0) - Number(a.jobseeker_message_count > 0) || byNewest(a, b))
        .map((row) => row.id),
    };

    const client = await signedInClient(app, amara.email);
    for (const sort of ['unread', 'newest', 'oldest'] as const) {
      const walked: string[] = [];
      for (const page of [1, 2, 3]) {
        const response = await client.get(dashboardPath({ sort, page }));
        const ids = rowIds(response.body);
        assert.equal(ids.length, page < 3 ? dashboardPageSize : 45 - 2 * dashboardPageSize, `${sort}, page ${page}`);
        const next =
          sort === 'unread' ? `/staff/messages?page=${page + 1}` : `/staff/messages?sort=${sort}&amp;page=${page + 1}`;
        if (page < 3)
          assert.ok(response.body.includes(`href="${next}"`), `${sort}, page ${page} links to the next page`);
        walked.push(...ids);
      }
      assert.equal(new Set(walked).size, 45, `${sort}: no conversation twice`);
      assert.deepEqual(sorted(walked), sorted(allIds), `${sort}: every conversation once`);
      assert.deepEqual(walked, expected[sort], `${sort}: in order, equal times broken by id`);
    }
  });

  test('a page past the last one goes to the last page (as after archiving everything on the last page)', async () => {
    const { school, staff } = await schoolWithStaff();
    const [amara] = staff as [TestUser];
    const vacancy = await createVacancy(db, school.id);
    const threads: Thread[] = [];
    for (let i = 0; i < dashboardPageSize + 1; i += 1)
      threads.push(await thread(school.id, amara, { vacancyId: vacancy.id }));
    const client = await signedInClient(app, amara.email);
    const lastPage = await client.get(dashboardPath({ sort: 'oldest', page: 2 }));
    const onLastPage = rowIds(lastPage.body);
    assert.deepEqual(onLastPage, [threads.at(-1)!.conversationId]);

    const archived = await client.post('/staff/messages/archive', {
      conversationIds: onLastPage,
      tab: 'inbox',
      sort: 'oldest',
      q: '',
      page: '2',
    });
    assert.equal(archived.statusCode, 303);
    assert.equal(archived.headers.location, '/staff/messages?sort=oldest&page=2');
    const pastTheEnd = await client.get(archived.headers.location);
    assert.equal(pastTheEnd.statusCode, 303);
    assert.equal(pastTheEnd.headers.location, '/staff/messages?sort=oldest');
    const firstPage = await client.get(pastTheEnd.headers.location);
    assert.equal(rowIds(firstPage.body).length, dashboardPageSize);
    assert.ok(
      firstPage.body.includes('1 conversation archived'),
      'the message about the archiving survives the extra step',
    );

    // The same for a search.
    const searched = await client.get(dashboardPath({ q: 'thank', page: 5 }));
    assert.equal(searched.statusCode, 303);
    assert.equal(searched.headers.location, '/staff/messages?q=thank');
  });
});

describe('search', () => {
  const word = unique('').trim().toLowerCase(); // keeps these tests' words apart from other files' data
  let client: TestClient;
  let trustStaff: TestUser;
  let schoolNames: [string, string];
  let zoeHartley: Thread;
  let zoeParkes: Thread;
  let priyaShah: Thread;
  let tomReed: Thread;

  before(async () => {
    const trust = await createOrganisation(db, 'multi_academy_trust', unique('Trust'));
    schoolNames = [`Riverside Academy ${word}`, `Hillview School ${word}`];
    const riverside = await createOrganisation(db, 'school', schoolNames[0]);
    const hillview = await createOrganisation(db, 'school', schoolNames[1]);
    await addSchoolToGroup(db, trust.id, riverside.id);
    await addSchoolToGroup(db, trust.id, hillview.id);
    trustStaff = await createStaff(db, [trust.id], 'Claire Davies');

    zoeHartley = await thread(riverside.id, trustStaff, {
      candidate: 'Zoë Hartley',
      title: `Teacher of Mathematics ${word}`,
      staffText: 'Can you come to an interview on Tuesday?',
      replies: 1,
      replyText: 'Yes, I am looking forward to it.',
    });
    zoeParkes = await thread(riverside.id, trustStaff, {
      candidate: 'Zoe Parkes',
      title: `Teaching Assistant ${word}`,
    });
    priyaShah = await thread(hillview.id, trustStaff, {
      candidate: 'Priya Shah',
      title: `Head of Science ${word}`,
      staffText: 'Please send a plan.',
    });
    await send(priyaShah.applicationId, priyaShah.jobseeker, 'Attached, as asked.', [
      { fileName: 'Lesson plan.pdf', data: minimalPdf(), truncated: false },
    ]);
    tomReed = await thread(hillview.id, trustStaff, { candidate: 'Tom Reed', title: `Caretaker ${word}` });
    client = await signedInClient(app, trustStaff.email);
  });

  async function search(q: string, tab?: 'archived'): Promise<string[]> {
    return sorted(await dashboardIds(client, { q, ...(tab ? { tab } : {}) }));
  }
  const ids = (...threads: Thread[]) => sorted(threads.map((t) => t.conversationId));

  test('by candidate name, job title and school name', async () => {
    assert.deepEqual(await search('Hartley'), ids(zoeHartley));
    assert.deepEqual(await search('Priya Shah'), ids(priyaShah));
    assert.deepEqual(await search('caretaker'), ids(tomReed));
    assert.deepEqual(await search('Head of Science'), ids(priyaShah));
    assert.deepEqual(await search('Riverside'), ids(zoeHartley, zoeParkes));
    assert.deepEqual(await search('hillview school'), ids(priyaShah, tomReed));
  });

  test('by words in the messages, from either side', async () => {
    assert.deepEqual(await search('Tuesday'), ids(zoeHartley));
    assert.deepEqual(await search('looking forward'), ids(zoeHartley));
    assert.deepEqual(await search('attached'), ids(priyaShah));
  });

  test('by the name of an attached file', async () => {
    assert.deepEqual(await search('Lesson plan'), ids(priyaShah));
    assert.deepEqual(await search('lesson'), ids(priyaShah));
  });

  test('by the whole name of an attached file, extension included', async () => {
    // PostgreSQL reads "plan.pdf" as one token; the messaging service adds its parts too.
    assert.deepEqual(await search('Lesson plan.pdf'), ids(priyaShah));
    assert.deepEqual(await search('pdf'), ids(priyaShah));
  });

  test('the last word may be half typed', async () => {
    assert.deepEqual(await search('mathem'), ids(zoeHartley));
    assert.deepEqual(await search('Zoë Hart'), ids(zoeHartley));
    assert.deepEqual(await search('ri'), ids(zoeHartley, zoeParkes), 'Riverside');
  });

  test('other forms of a word match ("interviews" finds "interview")', async () => {
    assert.deepEqual(await search('interviews'), ids(zoeHartley));
    assert.deepEqual(await search('interviewing'), ids(zoeHartley));
    assert.deepEqual(await search('looked forward'), ids(zoeHartley));
  });

  test('several words narrow the results', async () => {
    assert.deepEqual(await search('zoe'), ids(zoeHartley, zoeParkes));
    assert.deepEqual(await search('zoe mathematics'), ids(zoeHartley));
    assert.deepEqual(await search('zoe assistant'), ids(zoeParkes));
    assert.deepEqual(await search('zoe caretaker'), []);
  });

  test('accents are ignored both ways: "zoe" finds Zoë, "zoë" finds Zoe', async () => {
    assert.deepEqual(await search('zoe'), ids(zoeHartley, zoeParkes));
    assert.deepEqual(await search('ZOË'), ids(zoeHartley, zoeParkes));
    assert.deepEqual(await search('Zoë Parkes'), ids(zoeParkes));
    assert.deepEqual(await search('Zoe\u0308 Hartley'), ids(zoeHartley), 'an accent typed as a combining mark');
  });

  test('no result: the count and the GOV.UK empty state, with the search kept in the box', async () => {
    const page = await client.get(dashboardPath({ q: 'xylophone' }));
    assert.equal(page.statusCode, 200);
    assert.deepEqual(rowIds(page.body), []);
    assert.ok(page.body.includes('0 results for ‘xylophone’ in Inbox.'));
    assert.ok(page.body.includes('No conversations match your search'));
    assert.ok(page.body.includes('looking in archived conversations'));
    assert.match(
      page.body,
      /<input class="govuk-input govuk-!-width-full" id="q" name="q" type="search"[^>]* value="xylophone"/,
    );
    assert.ok(page.body.includes('href="/staff/messages">Clear search</a>'));
  });

  test('a blank search, or one with no letters or digits, lists everything', async () => {
    const everything = ids(zoeHartley, zoeParkes, priyaShah, tomReed);
    assert.deepEqual(await search(''), everything);
    assert.deepEqual(await search('   '), everything);
    assert.deepEqual(await search('&|!:*'), everything);
    const page = await client.get(dashboardPath({ q: '' }));
    assert.doesNotMatch(page.body, /id="search-summary"/);
  });

  test('what was searched for is shown back escaped', async () => {
    const page = await client.get(dashboardPath({ q: '<script>alert(1)</script> Hartley' }));
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('<script>alert(1)</script>'));
    assert.ok(page.body.includes('&lt;script&gt;alert(1)&lt;/script&gt; Hartley'));
  });

  test('a search in Archived looks only in Archived, and stays there', async () => {
    await client.get('/staff/messages');
    const archived = await client.post('/staff/messages/archive', {
      conversationIds: [zoeHartley.conversationId],
      tab: 'inbox',
      sort: 'unread',
      q: '',
      page: '1',
    });
    assert.equal(archived.statusCode, 303);
    try {
      assert.deepEqual(await search('zoe', 'archived'), ids(zoeHartley));
      assert.deepEqual(await search('zoe'), ids(zoeParkes));
      assert.deepEqual(await search('Parkes', 'archived'), []);
      const page = await client.get(dashboardPath({ tab: 'archived', q: 'zoe' }));
      assert.ok(page.body.includes('1 result for ‘zoe’ in Archived.'));
      assert.ok(page.body.includes('Search archived conversations'));
      // The search, sort, filter and archive forms all keep to the Archived tab.
      assert.equal((page.body.match(/<input type="hidden" name="tab" value="archived">/g) ?? []).length, 4);
      assert.ok(page.body.includes('href="/staff/messages?tab=archived">Clear search</a>'));
      const none = await client.get(dashboardPath({ tab: 'archived', q: 'Parkes' }));
      assert.ok(none.body.includes('0 results for ‘Parkes’ in Archived.'));
      assert.ok(none.body.includes('looking in your inbox'));
    } finally {
      await client.post('/staff/messages/archive', {
        conversationIds: [zoeHartley.conversationId],
        tab: 'archived',
        action: 'unarchive',
      });
    }
  });
});

describe('archiving', () => {
  test('archiving none is a 400 with the GOV.UK error, on the dashboard itself', async () => {
    const { school, staff } = await schoolWithStaff();
    const conversation = await thread(school.id, staff[0]!);
    const client = await signedInClient(app, staff[0]!.email);
    await client.get('/staff/messages');

    const response = await client.post('/staff/messages/archive', { tab: 'inbox', sort: 'newest', q: '', page: '1' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /<title[^>]*>Error: Messages – Parley<\/title>/);
    assert.ok(response.body.includes('There is a problem'));
    assert.ok(
      response.body.includes(
        `<a href="#select-${conversation.conversationId}">Select at least one conversation to archive</a>`,
      ),
      'the error leads to the first checkbox',
    );
    assert.match(
      response.body,
      /class="govuk-error-message"><span class="govuk-visually-hidden">Error:<\/span> Select at least one conversation to archive/,
    );
    assert.deepEqual(rowIds(response.body), [conversation.conversationId], 'the list is still there to choose from');
    assert.match(response.body, /<option value="newest" selected>/);

    await client.post('/staff/messages/archive', { conversationIds: [conversation.conversationId] });
    const unarchiveNone = await client.post('/staff/messages/archive', { tab: 'archived', action: 'unarchive' });
    assert.equal(unarchiveNone.statusCode, 400);
    assert.ok(unarchiveNone.body.includes('Select at least one conversation to move to your inbox'));
  });

  test('archive one and many, then move them back to the inbox; the counts follow', async () => {
    const { school, staff } = await schoolWithStaff(['Amara Okafor', 'Ben Hughes']);
    const [amara, ben] = staff as [TestUser, TestUser];
    const [a, b, c, d] = [
      await thread(school.id, amara),
      await thread(school.id, amara),
      await thread(school.id, amara),
      await thread(school.id, amara),
    ] as [Thread, Thread, Thread, Thread];
    const client = await signedInClient(app, amara.email);
    await client.get('/staff/messages');

    const one = await client.post('/staff/messages/archive', {
      conversationIds: a.conversationId,
      tab: 'inbox',
      sort: 'oldest',
      q: '',
      page: '1',
    });
    assert.equal(one.statusCode, 303);
    assert.equal(one.headers.location, '/staff/messages?sort=oldest');
    let page = await client.get(one.headers.location);
    assert.ok(page.body.includes('1 conversation archived'));
    assert.deepEqual(
      rowIds(page.body),
      [b, c, d].map((t) => t.conversationId),
    );
    assert.match(page.body, /Inbox <span class="parley-count">\(3\)<\/span>/);
    assert.match(page.body, /Archived <span class="parley-count">\(1\)<\/span>/);

    const many = await client.post('/staff/messages/archive', {
      conversationIds: [b.conversationId, c.conversationId, b.conversationId],
      tab: 'inbox',
      sort: 'oldest',
    });
    assert.equal(many.statusCode, 303);
    page = await client.get(many.headers.location!);
    assert.ok(page.body.includes('2 conversations archived'), 'a conversation chosen twice counts once');
    assert.deepEqual(rowIds(page.body), [d.conversationId]);
    assert.deepEqual(
      sorted(await dashboardIds(client, { tab: 'archived' })),
      sorted([a, b, c].map((t) => t.conversationId)),
    );

    // Archiving is each person's own: Ben's inbox is unchanged.
    const benClient = await signedInClient(app, ben.email);
    assert.equal((await dashboardIds(benClient)).length, 4);

    page = await client.get(dashboardPath({ tab: 'archived' }));
    assert.ok(page.body.includes('Move to inbox'));
    const back = await client.post('/staff/messages/archive', {
      conversationIds: [a.conversationId, c.conversationId],
      tab: 'archived',
      action: 'unarchive',
      sort: 'unread',
      q: '',
      page: '1',
    });
    assert.equal(back.statusCode, 303);
    assert.equal(back.headers.location, '/staff/messages?tab=archived');
    page = await client.get(back.headers.location);
    assert.ok(page.body.includes('2 conversations moved to your inbox'));
    assert.deepEqual(rowIds(page.body), [b.conversationId]);
    assert.deepEqual(sorted(await dashboardIds(client)), sorted([a, c, d].map((t) => t.conversationId)));
  });

  test('from the conversation: archive, then move to inbox', async () => {
    const { school, staff } = await schoolWithStaff();
    const conversation = await thread(school.id, staff[0]!, { replies: 1 });
    const client = await signedInClient(app, staff[0]!.email);
    let page = await client.get(`/staff/applications/${conversation.applicationId}`);
    assert.ok(page.body.includes(`action="/staff/conversations/${conversation.conversationId}/archive"`));
    const archived = await client.post(`/staff/conversations/${conversation.conversationId}/archive`, {});
    assert.equal(archived.statusCode, 303);
    assert.equal(archived.headers.location, '/staff/messages?tab=archived');
    page = await client.get(archived.headers.location);
    assert.ok(page.body.includes('Conversation archived'));
    assert.deepEqual(rowIds(page.body), [conversation.conversationId]);

    page = await client.get(`/staff/applications/${conversation.applicationId}`);
    assert.ok(page.body.includes(`action="/staff/conversations/${conversation.conversationId}/unarchive"`));
    assert.match(page.body, /<button[^>]*>\s*Move to inbox\s*<\/button>/);
    const unarchived = await client.post(`/staff/conversations/${conversation.conversationId}/unarchive`, {});
    assert.equal(unarchived.statusCode, 303);
    assert.equal(unarchived.headers.location, '/staff/messages');
    page = await client.get('/staff/messages');
    assert.ok(page.body.includes('Conversation moved to your inbox'));
    assert.deepEqual(rowIds(page.body), [conversation.conversationId]);
  });

  test('someone else’s or an unknown conversation is a 404, and nothing changes, not even the ones that were allowed', async () => {
    const mine = await schoolWithStaff();
    const other = await schoolWithStaff();
    const myConversation = await thread(mine.school.id, mine.staff[0]!);
    const theirConversation = await thread(other.school.id, other.staff[0]!);
    const client = await signedInClient(app, mine.staff[0]!.email);
    await client.get('/staff/messages');

    for (const conversationIds of [
      [myConversation.conversationId, theirConversation.conversationId],
      [randomUUID()],
      [myConversation.conversationId, 'not-an-id'],
      // Shaped like a UUID to a loose pattern, but not one PostgreSQL accepts: still a 404, not a database error.
      ['-'.repeat(36)],
      [myConversation.conversationId, 'abcdef0123456789abcdef0123456789abcd'],
    ]) {
      for (const action of ['archive', 'unarchive']) {
        const response = await client.post('/staff/messages/archive', { conversationIds, action });
        assert.equal(response.statusCode, 404, `${action} ${conversationIds.join(', ')}`);
      }
    }
    for (const action of ['archive', 'unarchive']) {
      assert.equal(
        (await client.post(`/staff/conversations/${theirConversation.conversationId}/${action}`, {})).statusCode,
        404,
      );
      assert.equal((await client.post(`/staff/conversations/${randomUUID()}/${action}`, {})).statusCode, 404);
    }
    assert.equal(await personState(myConversation.conversationId, mine.staff[0]!.id), undefined);
    assert.equal(await personState(theirConversation.conversationId, mine.staff[0]!.id), undefined);
    assert.deepEqual(await dashboardIds(client), [myConversation.conversationId]);

    // A jobseeker cannot use the staff actions at all.
    const jobseekerClient = await signedInClient(app, myConversation.jobseeker.email);
    await jobseekerClient.get('/messages');
    assert.equal(
      (await jobseekerClient.post('/staff/messages/archive', { conversationIds: [myConversation.conversationId] }))
        .statusCode,
      404,
    );
    assert.equal(
      (await jobseekerClient.post(`/staff/conversations/${myConversation.conversationId}/archive`, {})).statusCode,
      404,
    );
  });

  test('a jobseeker’s reply brings an archived conversation back to the inbox; a staff message does not', async () => {
    const { school, staff } = await schoolWithStaff(['Amara Okafor', 'Ben Hughes']);
    const [amara, ben] = staff as [TestUser, TestUser];
    const conversation = await thread(school.id, amara, { replies: 1 });
    const client = await signedInClient(app, amara.email);
    await client.get(`/staff/applications/${conversation.applicationId}`);
    await client.post('/staff/messages/archive', { conversationIds: [conversation.conversationId] });
    assert.deepEqual(await dashboardIds(client, { tab: 'archived' }), [conversation.conversationId]);

    await send(conversation.applicationId, amara, 'A message from the archiver.');
    await send(conversation.applicationId, ben, 'A message from a colleague.');
    assert.deepEqual(await dashboardIds(client), []);
    assert.deepEqual(await dashboardIds(client, { tab: 'archived' }), [conversation.conversationId]);

    await send(conversation.applicationId, conversation.jobseeker, 'Is there any news?');
    const page = await client.get('/staff/messages');
    assert.deepEqual(rowIds(page.body), [conversation.conversationId]);
    assert.equal(rowUnreadTag(page.body, conversation.conversationId), '1 unread message');
    assert.deepEqual(await dashboardIds(client, { tab: 'archived' }), []);
    assert.equal(await container.dashboard.isArchived(await asSignedIn(amara), conversation.conversationId), false);

    // Archived again, it stays archived until the next reply.
    await client.post('/staff/messages/archive', { conversationIds: [conversation.conversationId] });
    assert.deepEqual(await dashboardIds(client, { tab: 'archived' }), [conversation.conversationId]);
  });
});

describe('the jobseeker’s messages page', () => {
  test('lists only their own conversations, unread first then newest, with the count in the navigation', async () => {
    const { school, staff } = await schoolWithStaff();
    const [amara] = staff as [TestUser];
    const jobseeker = await createJobseeker(db, 'Sam Taylor');
    const someoneElse = await createJobseeker(db, 'Alex Morgan');
    const applications: { id: string }[] = [];
    for (const title of ['Teacher of English', 'Teacher of History', 'Teacher of Music', 'Teacher of Art']) {
      const vacancy = await createVacancy(db, school.id, { title: unique(title) });
      applications.push(
        await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'interviewing', staffId: amara.id }),
      );
    }
    const [olderUnread, oldRead, newestRead, noConversation] = applications as [
      { id: string },
      { id: string },
      { id: string },
      { id: string },
    ];
    const othersVacancy = await createVacancy(db, school.id);
    const others = await createApplication(db, {
      vacancyId: othersVacancy.id,
      jobseeker: someoneElse,
      status: 'interviewing',
      staffId: amara.id,
    });

    await send(olderUnread.id, amara, 'We would like to invite you to interview.');
    await send(oldRead.id, amara, 'Thank you for applying.');
    await send(newestRead.id, jobseeker, 'I have a question about the role.');
    await send(others.id, amara, 'Hello Alex.');

    const client = await signedInClient(app, jobseeker.email);
    await client.get(`/applications/${oldRead.id}`);
    const page = await client.get('/messages');
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['cache-control'], 'private, no-store');
    assert.deepEqual(jobseekerRowApplicationIds(page.body), [olderUnread.id, newestRead.id, oldRead.id]);
    assert.ok(!jobseekerRowApplicationIds(page.body).includes(noConversation.id));
    assert.ok(!page.body.includes('Hello Alex'));
    assert.equal(navigationCount(page.body), 1);
    assert.match(page.body, /href="\/messages"[^>]*>\s*(<strong[^>]*>)?Messages <span class="parley-nav-count">1</);
    assert.match(page.body, /1 unread<span class="govuk-visually-hidden"> message<\/span>/);
    assert.ok(page.body.includes(school.name));
    assert.ok(page.body.includes(`from ${amara.fullName}, ${school.name}`));

    const opened = await client.get(`/applications/${olderUnread.id}`);
    assert.equal(opened.statusCode, 200);
    const afterReading = await client.get('/messages');
    assert.equal(navigationCount(afterReading.body), 0);
    assert.deepEqual(jobseekerRowApplicationIds(afterReading.body), [newestRead.id, oldRead.id, olderUnread.id]);
    assert.equal(
      (await (await signedInClient(app, someoneElse.email)).get('/messages')).body.includes('I have a question'),
      false,
    );

    // Staff use their own dashboard.
    const staffClient = await signedInClient(app, amara.email);
    assert.equal((await staffClient.get('/messages')).statusCode, 404);
  });

  test('with no conversations, it says how they start', async () => {
    const jobseeker = await createJobseeker(db);
    const page = await (await signedInClient(app, jobseeker.email)).get('/messages');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('You have no messages yet.'));
  });
});
