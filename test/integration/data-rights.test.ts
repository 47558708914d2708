import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createSchoolScene,
  createVacancy,
  testPassword,
} from '../support/factories.ts';
import { signedInAs, sendAs } from '../support/conversations.ts';
import { TestClient, signedInClient } from '../support/http.ts';
import { errorSummary } from '../support/html.ts';
import { minimalPdf } from '../support/sample-files.ts';
import { readPdf } from '../support/pdf.ts';
import { unzip } from '../support/unzip.ts';

/** The jobseeker's own data (src/records): download everything as a zip, and delete the account. */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

function cookieHeader(client: TestClient): string {
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

describe('the jobseeker’s own data', () => {
  test('download: a zip of JSON, the conversation PDFs and attached files; never staff notes; in the audit log', async () => {
    const { staff, jobseeker, application } = await createSchoolScene(db);
    await sendAs(container, application.id, staff, 'Interview on Monday');
    const sent = await container.messaging.sendMessage({
      applicationId: application.id,
      sender: await signedInAs(container, jobseeker),
      formKey: randomUUID(),
      body: { format: 'text', body: 'Here is my certificate' },
      files: [{ fileName: 'Certificate.pdf', data: minimalPdf(), truncated: false }],
    });
    assert.equal(sent.outcome, 'sent');
    await container.notes.addNote({
      applicationId: application.id,
      author: await signedInAs(container, staff),
      body: 'Staff-only remark',
      mentions: [],
    });
    const client = await signedInClient(app, jobseeker.email);
    const page = (await client.get('/settings/your-data')).body;
    assert.match(page, /Download your data \(zip\)/);
    const response = await app.inject({
      method: 'GET',
      url: '/settings/your-data/download',
      headers: { cookie: cookieHeader(client) },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/zip');
    const entries = await unzip(response.rawPayload);
    const names = [...entries.keys()];
    for (const name of ['README.txt', 'account.json', 'applications.json', 'messages.json', 'notifications.json'])
      assert.ok(names.includes(name), name);
    const account = JSON.parse(entries.get('account.json')!.toString()) as { email: string };
    assert.equal(account.email, jobseeker.email);
    const applications = JSON.parse(entries.get('applications.json')!.toString()) as {
      id: string;
      history: unknown[];
    }[];
    assert.deepEqual(
      applications.map((a) => a.id),
      [application.id],
    );
    assert.ok(applications[0]!.history.length >= 1);
    const messages = JSON.parse(entries.get('messages.json')!.toString()) as { text: string }[];
    assert.deepEqual(
      messages.map((m) => m.text),
      ['Interview on Monday', 'Here is my certificate'],
    );
    const notifications = JSON.parse(entries.get('notifications.json')!.toString()) as { text: string }[];
    assert.ok(notifications.length >= 1);
    const pdfName = names.find((n) => n.startsWith('conversations/') && n.endsWith('.pdf'));
    assert.ok(pdfName);
    const pdfText = (await readPdf(entries.get(pdfName)!)).pages.join('\n');
    assert.ok(pdfText.includes('Interview on Monday'));
    assert.ok(!pdfText.includes('Staff-only remark'));
    for (const [name, data] of entries) assert.ok(!data.toString('latin1').includes('Staff-only remark'), name);
    const attachment = names.find((n) => n.startsWith('attachments/'));
    assert.equal(attachment, 'attachments/001 Certificate.pdf');
    assert.deepEqual(entries.get(attachment), minimalPdf());
    const audit = await db
      .selectFrom('audit_events')
      .select('action')
      .where('actor_user_id', '=', jobseeker.id)
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['personal_data_downloaded'],
    );

    // Staff cannot use the jobseeker's pages.
    const staffClient = await signedInClient(app, staff.email);
    assert.equal((await staffClient.get('/settings/your-data/download')).statusCode, 404);
  });

  test('delete: open applications withdrawn, drafts deleted, contact details removed; schools keep the rest', async () => {
    const { school, staff, jobseeker, application } = await createSchoolScene(db, 'shortlisted');
    await sendAs(container, application.id, staff, 'Please come for interview');
    const otherVacancy = await createVacancy(db, school.id);
    const draft = await createApplication(db, { vacancyId: otherVacancy.id, jobseeker, status: 'draft' });
    const thirdVacancy = await createVacancy(db, school.id);
    const closed = await createApplication(db, {
      vacancyId: thirdVacancy.id,
      jobseeker,
      status: 'not_progressing',
      staffId: staff.id,
    });
    const client = await signedInClient(app, jobseeker.email);
    await client.get('/settings/delete-account');
    const unanswered = await client.post('/settings/delete-account', {});
    assert.equal(unanswered.statusCode, 400);
    assert.deepEqual(errorSummary(unanswered.body), [
      { text: 'Select yes if you want to delete your account', href: '#confirm' },
    ]);
    const deleted = await client.post('/settings/delete-account', { confirm: 'yes' });
    assert.equal(deleted.statusCode, 303);
    assert.equal(deleted.headers.location, '/account-deleted');

    const rows = await db
      .selectFrom('applications')
      .select(['id', 'status', 'contact_email', 'candidate_name'])
      .where('jobseeker_id', '=', jobseeker.id)
      .orderBy('created_at')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.id, r.status, r.contact_email, r.candidate_name]),
      [
        [application.id, 'withdrawn', '', 'Sam Taylor'],
        [closed.id, 'not_progressing', '', 'Sam Taylor'],
      ],
    );
    assert.equal(
      rows.some((r) => r.id === draft.id),
      false,
      'the draft is gone',
    );
    const user = await db.selectFrom('users').selectAll().where('id', '=', jobseeker.id).executeTakeFirstOrThrow();
    assert.equal(user.email, `deleted-${jobseeker.id}@deleted.invalid`);
    assert.equal(user.full_name, 'Deleted account');
    assert.ok(user.closed_at);
    assert.equal(
      (await db.selectFrom('notifications').select('id').where('user_id', '=', jobseeker.id).execute()).length,
      0,
    );
    // Signed out, and cannot sign in again.
    assert.equal((await client.get('/applications')).statusCode, 303);
    const again = new TestClient(app);
    await again.get('/sign-in');
    const signIn = await again.post('/sign-in', { email: jobseeker.email, password: testPassword });
    assert.notEqual(signIn.statusCode, 303);
    // The school still sees the application and its conversation, withdrawn, without the email address.
    const staffPage = (await (await signedInClient(app, staff.email)).get(`/staff/applications/${application.id}`))
      .body;
    assert.match(staffPage, /Please come for interview/);
    assert.match(staffPage, /Withdrawn/);
    assert.doesNotMatch(staffPage, new RegExp(jobseeker.email));
    const audit = await db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('actor_user_id', '=', jobseeker.id)
      .execute();
    assert.deepEqual(
      audit.map((a) => [a.action, a.details]),
      [['account_deleted', { withdrawn: 1, draftsDeleted: 1 }]],
    );
  });

  test('a jobseeker who is not the one signed in cannot reach another’s data', async () => {
    const someone = await createJobseeker(db);
    const client = await signedInClient(app, someone.email);
    const response = await app.inject({
      method: 'GET',
      url: '/settings/your-data/download',
      headers: { cookie: cookieHeader(client) },
    });
    const entries = await unzip(response.rawPayload);
    const applications = JSON.parse(entries.get('applications.json')!.toString()) as unknown[];
    assert.deepEqual(applications, []);
    assert.deepEqual(JSON.parse(entries.get('messages.json')!.toString()) as unknown[], []);
  });
});
