import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testApp, testContainer, fixedClock } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createSchoolScene,
  createStaff,
  createTrustWithSchools,
  createVacancy,
} from '../support/factories.ts';
import { signedInClient } from '../support/http.ts';
import { errorSummary, fieldValue, findAll, textsOf } from '../support/html.ts';
import { signedInAs, sendAs } from '../support/conversations.ts';
import { randomUUID } from 'node:crypto';
import { listStoredEmails } from '../../src/platform/mail.ts';
import { listDailyRecipients } from '../../src/notifications/repository.ts';

/**
 * Staff notes with mentions (src/notes): who may write, mention and change them, and that the applicant never sees
 * them, through the routes staff use (real PostgreSQL, fastify.inject).
 */
const clock = fixedClock(new Date());
const container = testContainer({ clock });
const app = await testApp(container);
const db = container.db;

async function sceneWithColleague() {
  const scene = await createSchoolScene(db);
  const colleague = await createStaff(db, [scene.school.id], 'Ben Hughes');
  return { ...scene, colleague };
}

async function notesOf(applicationId: string) {
  return db.selectFrom('application_notes').selectAll().where('application_id', '=', applicationId).execute();
}

describe('staff notes', () => {
  test('a member of staff adds a formatted note; it shows on the page and in the history with status changes', async () => {
    const { staff, application } = await sceneWithColleague();
    const client = await signedInClient(app, staff.email);
    await client.get(`/staff/applications/${application.id}`);
    const response = await client.post(`/staff/applications/${application.id}/notes`, {
      noteBody: 'Strong **phonics** answer\n\n- ask about _reading_ scheme',
    });
    assert.equal(response.statusCode, 303);
    const [note] = await notesOf(application.id);
    assert.ok(note);
    assert.equal(response.headers.location, `/staff/applications/${application.id}#note-${note.id}`);
    assert.match(note.body_html, /<strong>phonics<\/strong>/);
    assert.match(note.body_html, /<ul><li>ask about <em>reading<\/em> scheme<\/li><\/ul>/);
    const page = (await client.get(`/staff/applications/${application.id}`)).body;
    const history = textsOf(page, '.parley-notes__history li.parley-timeline__item');
    assert.equal(history.length, 2, 'the note and the submission, together');
    assert.match(history[0]!, /^Note by Amara Okafor, School .* Strong phonics answer/);
    assert.match(history[1]!, /^Draft to Submitted By Sam Taylor/);
    assert.equal(
      findAll(page, `#note-${note.id} a[href="/staff/applications/${application.id}/notes/${note.id}/edit"]`).length,
      1,
    );
  });

  test('an empty note and a forged mention are refused together, with what was typed kept and nothing saved', async () => {
    const { staff, application } = await sceneWithColleague();
    const outsiderSchool = await createOrganisation(db);
    const outsider = await createStaff(db, [outsiderSchool.id], 'Dan Outsider');
    const client = await signedInClient(app, staff.email);
    await client.get(`/staff/applications/${application.id}`);
    const empty = await client.post(`/staff/applications/${application.id}/notes`, {
      noteBody: '   ',
      mentions: [outsider.id],
    });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), [
      { text: 'Enter a note', href: '#noteBody' },
      { text: 'You cannot mention Dan Outsider: they cannot see this application', href: '#mentions' },
    ]);
    const kept = await client.post(`/staff/applications/${application.id}/notes`, {
      noteBody: 'Keep this text',
      mentions: ['not-a-uuid'],
    });
    assert.equal(kept.statusCode, 400);
    assert.equal(fieldValue(kept.body, 'noteBody'), 'Keep this text');
    assert.deepEqual(
      errorSummary(kept.body).map((e) => e.text),
      ['Select colleagues from the list of people who can see this application'],
    );
    assert.equal((await notesOf(application.id)).length, 0);
  });

  test('a mention notifies the colleague in service and makes them follow; the author is not notified', async () => {
    const { staff, colleague, application } = await sceneWithColleague();
    const client = await signedInClient(app, staff.email);
    const page = (await client.get(`/staff/applications/${application.id}`)).body;
    const options = findAll(page, 'input[name="mentions"]').map((input) => input.attribs.value);
    assert.deepEqual(options, [colleague.id], 'colleagues who can see it, not the author');
    const response = await client.post(`/staff/applications/${application.id}/notes`, {
      noteBody: 'Ben, can you check the references?',
      mentions: [colleague.id, colleague.id],
    });
    assert.equal(response.statusCode, 303);
    const [note] = await notesOf(application.id);
    const rows = await db.selectFrom('notifications').selectAll().where('note_id', '=', note!.id).execute();
    assert.deepEqual(
      rows.map((r) => [r.user_id, r.text, r.link]),
      [
        [
          colleague.id,
          `Amara Okafor mentioned you in a note about Sam Taylor’s application for ${
            (
              await db
                .selectFrom('vacancies')
                .select('title')
                .where(
                  'id',
                  '=',
                  (
                    await db
                      .selectFrom('applications')
                      .select('vacancy_id')
                      .where('id', '=', application.id)
                      .executeTakeFirstOrThrow()
                  ).vacancy_id,
                )
                .executeTakeFirstOrThrow()
            ).title
          }`,
          `/staff/applications/${application.id}#note-${note!.id}`,
        ],
      ],
    );
    assert.equal(
      await container.notifications.isFollowing(await signedInAs(container, colleague), application.id),
      true,
    );
    const colleagueClient = await signedInClient(app, colleague.email);
    const notifications = (await colleagueClient.get('/notifications')).body;
    assert.match(notifications, /Amara Okafor mentioned you in a note/);
    const seen = (await colleagueClient.get(`/staff/applications/${application.id}`)).body;
    assert.match(textsOf(seen, `#note-${note!.id}`)[0]!, /Mentioned: Ben Hughes/);
  });

  test('staff of the trust can be mentioned; staff of another school in the trust who cannot see it cannot', async () => {
    const { trust, schools } = await createTrustWithSchools(db, 2);
    const first = schools[0]!;
    const second = schools[1]!;
    const author = await createStaff(db, [first.id], 'Author');
    const trustStaff = await createStaff(db, [trust.id], 'Claire Trust');
    const otherSchoolStaff = await createStaff(db, [second.id], 'Eve Other');
    const vacancy = await createVacancy(db, first.id);
    const jobseeker = await createJobseeker(db);
    const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'submitted' });
    const authorUser = await signedInAs(container, author);
    const refused = await container.notes.addNote({
      applicationId: application.id,
      author: authorUser,
      body: 'hello',
      mentions: [trustStaff.id, otherSchoolStaff.id],
    });
    assert.deepEqual(refused, {
      outcome: 'invalid',
      errors: [{ field: 'mentions', text: 'You cannot mention Eve Other: they cannot see this application' }],
    });
    const added = await container.notes.addNote({
      applicationId: application.id,
      author: authorUser,
      body: 'hello',
      mentions: [trustStaff.id],
    });
    assert.equal(added.outcome, 'added');
    // The other school's staff cannot write one either.
    const other = await container.notes.addNote({
      applicationId: application.id,
      author: await signedInAs(container, otherSchoolStaff),
      body: 'hello',
      mentions: [],
    });
    assert.deepEqual(other, { outcome: 'not-found' });
  });

  test('someone who cannot see the application gets a 404 for its notes', async () => {
    const { application } = await sceneWithColleague();
    const elsewhere = await createOrganisation(db);
    const stranger = await createStaff(db, [elsewhere.id]);
    const client = await signedInClient(app, stranger.email);
    await client.get('/staff/vacancies');
    const response = await client.post(`/staff/applications/${application.id}/notes`, { noteBody: 'Sneaky' });
    assert.equal(response.statusCode, 404);
    assert.equal((await notesOf(application.id)).length, 0);
  });

  test('the author may change a note for 15 minutes; the earlier wording is kept and the note shows as edited', async () => {
    const { staff, colleague, application } = await sceneWithColleague();
    const client = await signedInClient(app, staff.email);
    await client.get(`/staff/applications/${application.id}`);
    await client.post(`/staff/applications/${application.id}/notes`, { noteBody: 'First wording' });
    const [note] = await notesOf(application.id);
    const editUrl = `/staff/applications/${application.id}/notes/${note!.id}/edit`;

    // A colleague cannot change it.
    const colleagueClient = await signedInClient(app, colleague.email);
    await colleagueClient.get(editUrl);
    const byColleague = await colleagueClient.post(editUrl, { noteBody: 'Hijacked' });
    assert.equal(byColleague.statusCode, 409);
    assert.match(byColleague.body, /Only the person who wrote a note can change it/);

    clock.advance(14 * 60_000);
    await client.get(editUrl);
    const edited = await client.post(editUrl, { noteBody: 'Second wording' });
    assert.equal(edited.statusCode, 303);
    const page = (await client.get(`/staff/applications/${application.id}`)).body;
    const shown = textsOf(page, `#note-${note!.id}`)[0]!;
    assert.match(shown, /Edited/);
    assert.match(shown, /Second wording/);
    assert.match(shown, /Earlier wording .* First wording/);

    clock.advance(2 * 60_000);
    const late = await client.post(editUrl, { noteBody: 'Third wording' });
    assert.equal(late.statusCode, 409);
    assert.match(late.body, /can only be changed for 15 minutes/);
    assert.equal(fieldValue(late.body, 'unsaved'), 'Third wording', 'what was typed is not lost');
    const [after] = await notesOf(application.id);
    assert.equal(after!.body_text, 'Second wording');
    const versions = await db
      .selectFrom('application_note_versions')
      .selectAll()
      .where('note_id', '=', note!.id)
      .execute();
    assert.deepEqual(
      versions.map((v) => v.body_text),
      ['First wording'],
    );
    // No way to delete: there is no route.
    const deleteAttempt = await client.post(`/staff/applications/${application.id}/notes/${note!.id}/delete`, {});
    assert.equal(deleteAttempt.statusCode, 404);
  });

  test('the applicant never sees notes: not on their page, not in their emails, not in search', async () => {
    const { staff, jobseeker, application } = await sceneWithColleague();
    const client = await signedInClient(app, staff.email);
    await client.get(`/staff/applications/${application.id}`);
    await client.post(`/staff/applications/${application.id}/notes`, { noteBody: 'Secretnoteword about salary' });
    await sendAs(container, application.id, staff, 'Hello from the school');
    const jobseekerClient = await signedInClient(app, jobseeker.email);
    const page = (await jobseekerClient.get(`/applications/${application.id}`)).body;
    assert.doesNotMatch(page, /Secretnoteword/);
    assert.doesNotMatch(page, /Notes for staff/);
    const messages = (await jobseekerClient.get(`/messages?q=Secretnoteword`)).body;
    assert.doesNotMatch(messages, /Secretnoteword about/);
    const staffSearch = (await client.get(`/staff/messages?q=Secretnoteword`)).body;
    assert.doesNotMatch(staffSearch, new RegExp(application.id), 'notes are not in the conversation search');
  });

  test('a mention counts in the colleague’s daily email (what happened, never the note)', async () => {
    const { staff, colleague, application } = await sceneWithColleague();
    const added = await container.notes.addNote({
      applicationId: application.id,
      author: await signedInAs(container, staff),
      body: 'Confidential opinion of the candidate',
      mentions: [colleague.id],
    });
    assert.equal(added.outcome, 'added');
    const recipients = await listDailyRecipients(db, new Date(Date.now() + 60_000));
    assert.ok(recipients.includes(colleague.id), 'the morning run includes the person mentioned');
    assert.ok(!recipients.includes(staff.id));
    const outcome = await container.notifications.sendStaffDailyEmail(
      { userId: colleague.id, runDate: '2026-12-03', cutoff: new Date(Date.now() + 60_000) },
      { id: randomUUID(), retryCount: 0, retryLimit: 6 },
    );
    assert.equal(outcome, 'sent');
    const emails = await listStoredEmails(container.config.email.mailFolder);
    const email = emails.find((e) => e.to === colleague.email);
    assert.ok(email, 'the daily email was sent');
    assert.equal(email.subject, '1 mention in notes');
    assert.match(email.text, /Colleagues mentioned you in 1 note:/);
    assert.match(email.text, /Amara Okafor mentioned you in a note about Sam Taylor’s application/);
    assert.doesNotMatch(email.text, /Confidential opinion/);
    assert.doesNotMatch(email.html, /Confidential opinion/);
  });
});
