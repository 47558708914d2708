import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isolatedDatabase, testApp, testContainer } from '../support/context.ts';
import { TestClient } from '../support/http.ts';
import { findAll, textOf, textsOf } from '../support/html.ts';
import { loadDemoDataOnFirstStart } from '../../src/demo/seed.ts';
import { loadDemoConversations } from '../../src/demo/conversations.ts';
import { demoPassword, demoStaff } from '../../src/demo/accounts.ts';

/**
 * A living demo (issue 11, point 11): on first start every demo member of staff has conversations, and what the
 * demo did was done by the real services (counts, notifications, read states, archiving), with coherent histories.
 */
const databaseUrl = await isolatedDatabase('demo');
const container = testContainer({ databaseUrl });
const app = await testApp(container);
const demo = await loadDemoDataOnFirstStart(container.db);
assert.ok(demo, 'the demo loads on a fresh database');
await loadDemoConversations(container, demo);

async function signIn(email: string): Promise<TestClient> {
  const client = new TestClient(app);
  await client.signIn(email, demoPassword);
  return client;
}

test('the demo loads once: a second start finds it loaded', async () => {
  assert.equal(await loadDemoDataOnFirstStart(container.db), null);
});

test('every demo member of staff opens an inbox with conversations, some unread', async () => {
  for (const staff of demoStaff) {
    const client = await signIn(staff.email);
    const page = await client.get('/staff/messages');
    assert.equal(page.statusCode, 200);
    const rows = findAll(page.body, 'td[data-label="Candidate"]');
    assert.ok(rows.length > 0, `${staff.email} has an empty inbox`);
    assert.ok(
      rows.some((row) => textOf(row).includes('unread')),
      `${staff.email} has nothing unread`,
    );
  }
});

test('conversations in several states: archived, read, formatted, with a link and a file, a long one', async () => {
  const amara = await signIn('amara.okafor@oakfield-primary.example');
  const archived = await amara.get('/staff/messages?tab=archived');
  assert.deepEqual(textsOf(archived.body, 'td[data-label="Candidate"] a'), ['Mohammed Khan']);
  const inbox = await amara.get('/staff/messages');
  const olivia = findAll(inbox.body, 'tr').find((row) => textOf(row).includes('Olivia Brown'));
  assert.ok(olivia);
  assert.doesNotMatch(textOf(olivia), /unread/, 'Amara has read Olivia’s conversation');
  assert.match(textOf(olivia), /Has attachments/);
  const link = findAll(olivia, 'a')[0]?.attribs.href ?? '';
  const conversation = await amara.get(link.replace(/#.*$/, ''));
  assert.ok(findAll(conversation.body, '.parley-message').length >= 8);
  assert.ok(findAll(conversation.body, '.parley-message__body a[href^="https://"]').length >= 1);
  assert.ok(findAll(conversation.body, '.parley-message__body ul li').length >= 2);
  assert.deepEqual(textsOf(conversation.body, '.parley-message__attachments a'), ['Interview timetable.pdf']);
});

test('jobseekers have unread messages and in-service notifications; a not-progressing one cannot reply', async () => {
  const sam = await signIn('submitted@jobseeker.example');
  const messages = await sam.get('/messages');
  assert.match(textOf(findAll(messages.body, '.parley-result')[0]!), /1 unread/);
  const notifications = await sam.get('/notifications');
  assert.ok(findAll(notifications.body, 'li').some((item) => textOf(item).includes('Oakfield Primary School')));
  const ethan = await signIn('not-progressing@jobseeker.example');
  const list = await ethan.get('/messages');
  const url = findAll(list.body, '.parley-result a')[0]?.attribs.href ?? '';
  const page = await ethan.get(url.replace(/#.*$/, ''));
  assert.match(textOf(findAll(page.body, '#messaging-not-allowed')[0]!), /not progressing/);
});

test('histories name each school’s own staff, at the times the application records', async () => {
  const david = await signIn('david.price@riverside.example');
  const vacancies = await david.get('/staff/vacancies');
  assert.equal(vacancies.statusCode, 200);
  const rows = await container.db
    .selectFrom('application_status_changes as c')
    .innerJoin('applications as a', 'a.id', 'c.application_id')
    .innerJoin('vacancies as v', 'v.id', 'a.vacancy_id')
    .innerJoin('users as u', 'u.id', 'c.actor_user_id')
    .leftJoin('staff_memberships as m', 'm.user_id', 'u.id')
    .select([
      'v.school_id as schoolId',
      'u.kind',
      'm.organisation_id as organisationId',
      'c.to_status',
      'c.changed_at',
      'a.submitted_at',
    ])
    .execute();
  const groups = await container.db.selectFrom('school_group_members').select(['group_id', 'school_id']).execute();
  for (const row of rows) {
    if (row.kind === 'staff') {
      const own =
        row.organisationId === row.schoolId ||
        groups.some((g) => g.group_id === row.organisationId && g.school_id === row.schoolId);
      assert.ok(own, 'a status change by staff of another school');
    }
    if (row.to_status === 'submitted') assert.equal(row.changed_at.getTime(), row.submitted_at?.getTime());
  }
});
