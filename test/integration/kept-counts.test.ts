import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createStaff,
  createTrustWithSchools,
  createVacancy,
  type TestUser,
} from '../support/factories.ts';
import { sendAs, signedInAs } from '../support/conversations.ts';
import { signedInClient } from '../support/http.ts';
import { assertKeptCountsAgree } from '../support/kept-counts.ts';
import { minimalPdf } from '../support/sample-files.ts';
import { parseSearch } from '../../src/dashboard/search.ts';
import type { DashboardSort, DashboardTab } from '../../src/dashboard/repository.ts';

/**
 * The dashboard's counts kept on write (issue 17, migrations/0017-kept-counts.ts): after every kind of change,
 * sequential and concurrent, the kept counts equal the counts worked out from scratch, and the dashboard's pages
 * (which take their totals and the unread/read split from them) list exactly what a full sort of every visible
 * conversation lists.
 */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

interface Truth {
  id: string;
  /** Microseconds, as PostgreSQL orders them (a Date keeps milliseconds only). */
  lastMessageMicros: string;
  unread: number;
  archived: boolean;
}

/** Every conversation the person can see, with unread and archived worked out from scratch. */
async function truth(user: TestUser, schoolIds: string[]): Promise<Truth[]> {
  const result = await sql<Truth>`
    select c.id, (extract(epoch from c.last_message_at) * 1000000)::bigint::text as "lastMessageMicros",
           greatest(c.jobseeker_message_count - coalesce(s.seen_count, 0), 0)::int as unread,
           (s.archived_at is not null
            and (c.last_jobseeker_message_at is null or c.last_jobseeker_message_at <= s.archived_at)) as archived
    from conversations c
    left join conversation_person_states s on s.conversation_id = c.id and s.user_id = ${user.id}
    where c.school_id = any(${schoolIds}::uuid[])
  `.execute(db);
  return result.rows;
}

const compare = <T extends string | bigint>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

function expectedOrder(rows: Truth[], sort: DashboardSort): string[] {
  const newestFirst = (a: Truth, b: Truth) =>
    compare(BigInt(b.lastMessageMicros), BigInt(a.lastMessageMicros)) || compare(b.id, a.id);
  const sorted = [...rows].sort((a, b) => {
    if (sort === 'oldest') return -newestFirst(a, b);
    if (sort === 'unread' && a.unread > 0 !== b.unread > 0) return a.unread > 0 ? -1 : 1;
    return newestFirst(a, b);
  });
  return sorted.map((row) => row.id);
}

/** The counts and every page of every tab, order and "unread only" agree with a full sort of the truth. */
async function assertDashboardAgrees(user: TestUser, schoolIds: string[]) {
  await assertKeptCountsAgree(db, schoolIds);
  const rows = await truth(user, schoolIds);
  const signedIn = await signedInAs(container, user);
  const inbox = rows.filter((row) => !row.archived);
  const archived = rows.filter((row) => row.archived);
  const expectedCounts = {
    inbox: inbox.length,
    archived: archived.length,
    unreadConversations: inbox.filter((row) => row.unread > 0).length,
  };
  assert.equal(
    await container.dashboard.unreadConversationCount(signedIn),
    expectedCounts.unreadConversations,
    'navigation count',
  );
  for (const tab of ['inbox', 'archived'] as DashboardTab[]) {
    for (const sort of ['unread', 'newest', 'oldest'] as DashboardSort[]) {
      for (const show of ['all', 'unread'] as const) {
        const listed = (tab === 'inbox' ? inbox : archived).filter((row) => show === 'all' || row.unread > 0);
        const expected = expectedOrder(listed, sort);
        const seen: string[] = [];
        for (let page = 1; page <= Math.max(1, Math.ceil(expected.length / 20)); page += 1) {
          const result = await container.dashboard.staffDashboard(
            signedIn,
            { tab, sort, search: null, page, filters: { schoolId: null, vacancyId: null, status: null, show } },
            { allowRedirect: false },
          );
          assert.ok(result.outcome === 'page', `${tab} ${sort} ${show}: page ${page} exists`);
          assert.deepEqual(result.counts, expectedCounts, `${tab} ${sort} ${show}: counts`);
          assert.equal(result.total, expected.length, `${tab} ${sort} ${show}: total`);
          seen.push(...result.rows.map((row) => row.conversationId));
          for (const row of result.rows) {
            const known = rows.find((candidate) => candidate.id === row.conversationId);
            assert.equal(row.unreadCount, known?.unread, `${tab} ${sort} ${show}: unread of a row`);
          }
        }
        assert.deepEqual(seen, expected, `${tab} ${sort} ${show}: pages`);
      }
    }
  }
}

async function conversationIdOf(applicationId: string): Promise<string> {
  const row = await db
    .selectFrom('conversations')
    .select('id')
    .where('application_id', '=', applicationId)
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('counts kept on write', () => {
  test('agree with counts from scratch through sending, reading, archiving, marking unread, at once and in turn', async () => {
    const { trust, schools } = await createTrustWithSchools(db, 2);
    const schoolIds = schools.map((school) => school.id);
    const trustStaff = await createStaff(db, [trust.id], 'Tara Trust');
    const schoolStaff = await createStaff(db, [schoolIds[0] ?? ''], 'Sol School');
    const applications: { id: string; jobseeker: TestUser; schoolIndex: number }[] = [];
    for (const [schoolIndex, schoolId] of schoolIds.entries()) {
      const vacancy = await createVacancy(db, schoolId, { createdBy: schoolStaff.id });
      for (let i = 0; i < (schoolIndex === 0 ? 14 : 11); i += 1) {
        const jobseeker = await createJobseeker(db, `Applicant ${schoolIndex}-${i}`);
        const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'submitted' });
        applications.push({ id: application.id, jobseeker, schoolIndex });
      }
    }
    const trustSignedIn = await signedInAs(container, trustStaff);
    const trustClient = await signedInClient(app, trustStaff.email);
    const schoolClient = await signedInClient(app, schoolStaff.email);

    // Staff write first: conversations with nothing from the applicants, so nothing unread.
    for (const application of applications) await sendAs(container, application.id, trustStaff, 'Hello');
    await assertDashboardAgrees(trustStaff, schoolIds);

    // Applicants reply to most; two reply twice.
    const replied = applications.slice(0, 18);
    for (const application of replied) await sendAs(container, application.id, application.jobseeker, 'Thank you');
    for (const application of replied.slice(0, 2))
      await sendAs(container, application.id, application.jobseeker, 'Also');
    await assertDashboardAgrees(trustStaff, schoolIds);
    await assertDashboardAgrees(schoolStaff, [schoolIds[0] ?? '']);

    // The trust member reads six, archives four (read, unread, and never replied to), marks one read one unread.
    for (const application of replied.slice(0, 6)) {
      assert.equal((await trustClient.get(`/staff/applications/${application.id}`)).statusCode, 200);
    }
    const toArchive = await Promise.all(
      [replied[0], replied[10], replied[11], applications[20]].map((application) =>
        conversationIdOf(application?.id ?? ''),
      ),
    );
    assert.deepEqual(await container.dashboard.archive(trustSignedIn, toArchive, true), {
      outcome: 'done',
      count: 4,
    });
    assert.ok(await container.dashboard.markUnread(trustSignedIn, await conversationIdOf(replied[1]?.id ?? '')));
    await assertDashboardAgrees(trustStaff, schoolIds);

    // A reply to an archived conversation brings it back, unread; staff writing to one does not.
    await sendAs(container, replied[10]?.id ?? '', replied[10]?.jobseeker as TestUser, 'Any news?');
    await sendAs(container, replied[0]?.id ?? '', schoolStaff, 'We will be in touch');
    await assertDashboardAgrees(trustStaff, schoolIds);

    // Unarchiving, and the other member's reading, which changes nothing for the trust member.
    assert.deepEqual(await container.dashboard.archive(trustSignedIn, [toArchive[3] ?? ''], false), {
      outcome: 'done',
      count: 1,
    });
    for (const application of replied.slice(3, 9)) await schoolClient.get(`/staff/applications/${application.id}`);
    await assertDashboardAgrees(trustStaff, schoolIds);
    await assertDashboardAgrees(schoolStaff, [schoolIds[0] ?? '']);

    // At once: applicants reply while both members open the same conversations, and the trust member archives.
    await Promise.all(
      replied
        .slice(2, 12)
        .flatMap((application, index) => [
          sendAs(container, application.id, application.jobseeker, `At once ${index}`),
          trustClient.get(`/staff/applications/${application.id}`),
          schoolClient.get(`/staff/applications/${application.id}`),
          ...(index % 3 === 0
            ? [conversationIdOf(application.id).then((id) => container.dashboard.archive(trustSignedIn, [id], true))]
            : []),
        ]),
    );
    await assertDashboardAgrees(trustStaff, schoolIds);
    await assertDashboardAgrees(schoolStaff, [schoolIds[0] ?? '']);

    // The trust member reads all but a few: the unread part is a few among many (gathered and sorted, not walked to),
    // as the read part was above while most were unread.
    for (const application of replied.slice(0, 16)) await trustClient.get(`/staff/applications/${application.id}`);
    await assertDashboardAgrees(trustStaff, schoolIds);

    // A search: the conversations with the applicant's "Thank you", in every order, page by page, counted exactly.
    const thanked = new Set(await Promise.all(replied.map((application) => conversationIdOf(application.id))));
    const rows = (await truth(trustStaff, schoolIds)).filter((row) => thanked.has(row.id) && !row.archived);
    for (const sort of ['unread', 'newest', 'oldest'] as DashboardSort[]) {
      const expected = expectedOrder(rows, sort);
      const seen: string[] = [];
      for (let page = 1; page <= Math.ceil(expected.length / 20); page += 1) {
        const result = await container.dashboard.staffDashboard(
          trustSignedIn,
          { tab: 'inbox', sort, search: parseSearch('thank'), page },
          { allowRedirect: false },
        );
        assert.ok(result.outcome === 'page');
        assert.equal(result.total, expected.length);
        seen.push(...result.rows.map((row) => row.conversationId));
      }
      assert.deepEqual(seen, expected, `search, ${sort}`);
    }
  });

  test('each conversation counts its attachments as they are sent and deleted, and the dashboard marks it', async () => {
    const { trust, schools } = await createTrustWithSchools(db, 1);
    const schoolId = schools[0]?.id ?? '';
    const staff = await createStaff(db, [trust.id], 'Tara Trust');
    const vacancy = await createVacancy(db, schoolId, { createdBy: staff.id });
    const jobseeker = await createJobseeker(db, 'Fay Files');
    const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'shortlisted' });
    const sendFiles = async (names: string[]) => {
      const sent = await container.messaging.sendMessage({
        applicationId: application.id,
        sender: await signedInAs(container, staff),
        formKey: randomUUID(),
        body: { format: 'text', body: 'The files' },
        files: names.map((fileName) => ({ fileName, data: minimalPdf(), truncated: false })),
      });
      assert.equal(sent.outcome, 'sent');
    };
    await sendFiles([]);
    const listed = async () => {
      const result = await container.dashboard.staffDashboard(
        await signedInAs(container, staff),
        { tab: 'inbox', sort: 'newest', search: null, page: 1 },
        { allowRedirect: false },
      );
      assert.ok(result.outcome === 'page');
      return result.rows.map((row) => row.hasAttachments);
    };
    assert.deepEqual(await listed(), [false]);
    await sendFiles(['one.pdf', 'two.pdf']);
    await sendFiles(['three.pdf']);
    await assertKeptCountsAgree(db, [schoolId]);
    const conversationId = await conversationIdOf(application.id);
    const kept = async () =>
      (
        await db
          .selectFrom('conversations')
          .select('attachment_count')
          .where('id', '=', conversationId)
          .executeTakeFirstOrThrow()
      ).attachment_count;
    assert.equal(await kept(), 3);
    assert.deepEqual(await listed(), [true]);
    // Deleted as retention and erasure delete them: the count follows.
    await sql`delete from message_attachments f using messages m
              where m.id = f.message_id and m.conversation_id = ${conversationId}`.execute(db);
    assert.equal(await kept(), 0);
    await assertKeptCountsAgree(db, [schoolId]);
    assert.deepEqual(await listed(), [false]);
  });
});
