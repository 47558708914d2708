import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testApp, testContainer } from '../support/context.ts';
import { createOrganisation, createSchoolScene, createStaff, createJobseeker } from '../support/factories.ts';
import { signedInClient } from '../support/http.ts';
import { sendAs } from '../support/conversations.ts';
import { readPdf } from '../support/pdf.ts';
import { findAll } from '../support/html.ts';

/** Conversation exports (src/records): who may download what, what the PDF holds, and the audit log. */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

async function exportsOf(applicationId: string) {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('action', '=', 'conversation_exported')
    .orderBy('occurred_at')
    .execute();
}

async function pdfText(body: Buffer | string): Promise<string> {
  return (await readPdf(Buffer.isBuffer(body) ? body : Buffer.from(body, 'binary'))).pages.join('\n');
}

describe('conversation export', () => {
  test('staff download the conversation as a PDF, with notes when they ask; the export is in the audit log', async () => {
    const { staff, jobseeker, application } = await createSchoolScene(db);
    await sendAs(container, application.id, staff, 'Please bring **your certificates**');
    await sendAs(container, application.id, jobseeker, 'I will, _thank you_');
    const client = await signedInClient(app, staff.email);
    const page = (await client.get(`/staff/applications/${application.id}`)).body;
    assert.equal(findAll(page, `form[action="/staff/applications/${application.id}/conversation.pdf"]`).length, 1);
    await client.post(`/staff/applications/${application.id}/notes`, { noteBody: 'Interview went well' });

    const plain = await client.app.inject({
      method: 'GET',
      url: `/staff/applications/${application.id}/conversation.pdf`,
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-type'], 'application/pdf');
    assert.match(
      String(plain.headers['content-disposition']),
      /^attachment; filename="Sam Taylor – .* – conversation\.pdf"|^attachment; filename="Sam Taylor _ /,
    );
    assert.equal(plain.headers['cache-control'], 'private, no-store');
    const text = await pdfText(plain.rawPayload);
    assert.ok(text.includes('Please bring your certificates'), text);
    assert.ok(text.includes('I will, thank you'));
    assert.ok(text.includes('Applicant: Sam Taylor'));
    assert.ok(text.includes('Exported by Amara Okafor on'));
    assert.ok(!text.includes('Interview went well'), 'no notes unless asked');

    const withNotes = await client.app.inject({
      method: 'GET',
      url: `/staff/applications/${application.id}/conversation.pdf?notes=yes`,
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    assert.equal(withNotes.statusCode, 200);
    const notesText = await pdfText(withNotes.rawPayload);
    assert.ok(notesText.includes('Staff notes (not shown to the applicant)'));
    assert.ok(notesText.includes('Interview went well'));

    const audit = await exportsOf(application.id);
    assert.deepEqual(
      audit.map((row) => [row.actor_user_id, row.details]),
      [
        [staff.id, { by: 'staff', includeNotes: false }],
        [staff.id, { by: 'staff', includeNotes: true }],
      ],
    );
  });

  test('the jobseeker downloads their own conversation, never with notes, even when they ask', async () => {
    const { staff, jobseeker, application } = await createSchoolScene(db);
    await sendAs(container, application.id, staff, 'Hello Sam');
    await container.notes.addNote({
      applicationId: application.id,
      author: (await container.accounts.loadSignedInUser(staff.id))!,
      body: 'Private staff opinion',
      mentions: [],
    });
    const client = await signedInClient(app, jobseeker.email);
    const page = (await client.get(`/applications/${application.id}`)).body;
    assert.equal(findAll(page, `form[action="/applications/${application.id}/conversation.pdf"]`).length, 1);
    const response = await client.app.inject({
      method: 'GET',
      url: `/applications/${application.id}/conversation.pdf?notes=yes`,
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    assert.equal(response.statusCode, 200);
    const text = await pdfText(response.rawPayload);
    assert.ok(text.includes('Hello Sam'));
    assert.ok(!text.includes('Private staff opinion'));
    assert.ok(!text.includes('Staff notes'));
    const audit = await exportsOf(application.id);
    assert.deepEqual(
      audit.map((row) => [row.actor_user_id, row.details]),
      [[jobseeker.id, { by: 'jobseeker', includeNotes: false }]],
    );
  });

  test('a conversation someone cannot see is a 404, and nothing is logged', async () => {
    const { application } = await createSchoolScene(db);
    const otherSchool = await createOrganisation(db);
    const stranger = await createStaff(db, [otherSchool.id]);
    const otherJobseeker = await createJobseeker(db);
    for (const [email, url] of [
      [stranger.email, `/staff/applications/${application.id}/conversation.pdf`],
      [otherJobseeker.email, `/applications/${application.id}/conversation.pdf`],
      [otherJobseeker.email, `/staff/applications/${application.id}/conversation.pdf`],
      [stranger.email, `/staff/applications/not-a-uuid/conversation.pdf`],
    ] as const) {
      const client = await signedInClient(app, email);
      const response = await client.get(url);
      assert.equal(response.statusCode, 404, `${url} for ${email}`);
    }
    assert.equal((await exportsOf(application.id)).length, 0);
  });
});
