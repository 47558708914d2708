import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { up } from '../../migrations/0005-message-structure.ts';
import type { SignedInUser } from '../../src/accounts/service.ts';
import { htmlToPlainText, sanitiseMessageHtml } from '../../src/messaging/rich-text.ts';
import { testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
  type TestUser,
} from '../support/factories.ts';
import { minimalPdf } from '../support/sample-files.ts';

/**
 * Migration 0005 re-sanitises stored message bodies. Messages are sent through the service (so their conversation
 * and search document are real), then some are given the broken structure the old sanitiser let through, as if
 * stored before the fix. The migration must repair those (HTML, plain text, search document), leave every other
 * row alone, and change nothing when run again.
 */
const container = testContainer();
const db = container.db;
/** The migration, run as the migrator runs it: on a database whose schema it does not know. */
const migrate = (): Promise<void> => up(db as unknown as Kysely<unknown>);

const school = await createOrganisation(db);
const staff = await createStaff(db, [school.id], 'Amara Okafor');

async function signedIn(user: TestUser): Promise<SignedInUser> {
  const loaded = await container.accounts.loadSignedInUser(user.id);
  assert.ok(loaded);
  return loaded;
}

const vacancy = await createVacancy(db, school.id, { createdBy: staff.id });

/** Applications to the same vacancy from people of the same name: their conversations have the same heading. */
async function newApplication(): Promise<string> {
  const applicant = await createJobseeker(db, 'Sam Taylor');
  return (
    await createApplication(db, {
      vacancyId: vacancy.id,
      jobseeker: applicant,
      status: 'interviewing',
      staffId: staff.id,
    })
  ).id;
}

async function send(applicationId: string, body: string, withFile = false): Promise<string> {
  const result = await container.messaging.sendMessage({
    applicationId,
    sender: await signedIn(staff),
    formKey: randomUUID(),
    body: { format: 'html', body },
    files: withFile ? [{ fileName: 'Interview plan.pdf', data: minimalPdf(), truncated: false }] : [],
  });
  assert.equal(result.outcome, 'sent');
  assert.ok('messageId' in result);
  return result.messageId;
}

interface Snapshot {
  messages: Map<string, { body_html: string; body_text: string }>;
  searchDocuments: Map<string, string>;
}

async function snapshot(applicationIds: string[]): Promise<Snapshot> {
  const { rows } = await sql<{ id: string; body_html: string; body_text: string }>`
    select m.id, m.body_html, m.body_text from messages m join conversations c on c.id = m.conversation_id
    where c.application_id = any(${applicationIds}::uuid[])
  `.execute(db);
  const documents = await sql<{ application_id: string; search_vector: string }>`
    select application_id, search_vector::text as search_vector from conversations
    where application_id = any(${applicationIds}::uuid[])
  `.execute(db);
  return {
    messages: new Map(rows.map((row) => [row.id, { body_html: row.body_html, body_text: row.body_text }])),
    searchDocuments: new Map(documents.rows.map((row) => [row.application_id, row.search_vector])),
  };
}

const spoof =
  '<p>Orphan test</p><li><strong>Ben Hughes, Oakfield Primary School</strong> Please reply with your bank details</li><p>tail</p>';
const oldText = 'Orphan test\n\n- Ben Hughes, Oakfield Primary School Please reply with your bank details\n\ntail';

test('repairs stored bodies that break out of their message, and nothing else; a second run changes nothing', async () => {
  const broken = await newApplication();
  const untouched = await newApplication();
  await send(broken, '<p>First, <strong>fine</strong>.</p>', true);
  const spoofing = await send(broken, '<p>placeholder</p>');
  const listInParagraph = await send(broken, '<p>placeholder two</p>');
  await send(untouched, '<p>Nothing wrong here</p><ul><li>one</li></ul>');
  const expectedUntouched = await snapshot([untouched]);

  // As the old sanitiser stored them: every tag allowed, the structure not repaired.
  await sql`update messages set body_html = ${spoof}, body_text = ${oldText} where id = ${spoofing}`.execute(db);
  await sql`update messages set body_html = ${'<p>a<ul><li>b</li></ul>c</p>'}, body_text = ${'a\n\n- b\n\nc'}
    where id = ${listInParagraph}`.execute(db);
  await sql`update conversations set search_vector = ''::tsvector where application_id = ${broken}`.execute(db);

  await migrate();
  const after = await snapshot([broken, untouched]);

  const repaired = after.messages.get(spoofing);
  assert.deepEqual(repaired, {
    body_html:
      '<p>Orphan test</p><ul><li><strong>Ben Hughes, Oakfield Primary School</strong> Please reply with your bank details</li></ul><p>tail</p>',
    body_text: oldText,
  });
  assert.equal(repaired.body_html, sanitiseMessageHtml(spoof));
  assert.deepEqual(after.messages.get(listInParagraph), {
    body_html: '<p>a</p><ul><li>b</li></ul>c',
    body_text: htmlToPlainText('<p>a</p><ul><li>b</li></ul>c'),
  });
  // The search document is the one sending the repaired messages builds (heading, then each message's words).
  const sentRepaired = await newApplication();
  await send(sentRepaired, '<p>First, <strong>fine</strong>.</p>', true);
  await send(sentRepaired, repaired.body_html);
  await send(sentRepaired, '<p>a</p><ul><li>b</li></ul>c');
  const expectedSearch = (await snapshot([sentRepaired])).searchDocuments.get(sentRepaired);
  assert.match(expectedSearch ?? '', /'bank'.*'interview'.*'orphan'/);
  assert.equal(after.searchDocuments.get(broken), expectedSearch);
  for (const [id, row] of expectedUntouched.messages) assert.deepEqual(after.messages.get(id), row);
  assert.equal(after.searchDocuments.get(untouched), expectedUntouched.searchDocuments.get(untouched));

  await migrate();
  assert.deepEqual(await snapshot([broken, untouched]), after);
});
