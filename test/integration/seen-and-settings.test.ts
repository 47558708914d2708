import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, testContainer } from '../support/context.ts';
import { createSchoolScene, type TestUser } from '../support/factories.ts';
import { signedInClient } from '../support/http.ts';

/** "Seen by the applicant" under staff's messages, and the staff setting for an email per message, through the routes. */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

async function send(user: TestUser, applicationId: string, body: string): Promise<string> {
  const sender = await container.accounts.loadSignedInUser(user.id);
  assert.ok(sender);
  const result = await container.messaging.sendMessage({
    applicationId,
    sender,
    formKey: randomUUID(),
    body: { format: 'text', body },
    files: [],
  });
  assert.equal(result.outcome, 'sent');
  return result.messageId;
}

describe('seen by the applicant', () => {
  test('staff see when the applicant first read their message; the jobseeker is never shown staff’s reads', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const staff = await signedInClient(app, scene.staff.email);
    const jobseeker = await signedInClient(app, scene.jobseeker.email);
    const staffUrl = `/staff/applications/${scene.application.id}`;
    const jobseekerUrl = `/applications/${scene.application.id}`;

    const first = await send(scene.staff, scene.application.id, 'Can you come on Tuesday?');
    assert.doesNotMatch((await staff.get(staffUrl)).body, /Seen by the applicant/);

    assert.equal((await jobseeker.get(jobseekerUrl)).statusCode, 200);
    const seen = await sql<{ at: Date }>`select seen_by_recipient_at as at from messages where id = ${first}`.execute(
      db,
    );
    const firstSeenAt = seen.rows[0]?.at;
    assert.ok(firstSeenAt instanceof Date);
    const page = (await staff.get(staffUrl)).body;
    assert.match(page, new RegExp(`id="message-${first}"[\\s\\S]*?Seen by the applicant, <time datetime="`));

    // The jobseeker replies; staff read it: the jobseeker's page says nothing about staff's reads.
    await send(scene.jobseeker, scene.application.id, 'Yes, Tuesday is fine.');
    await staff.get(staffUrl);
    assert.doesNotMatch((await jobseeker.get(jobseekerUrl)).body, /Seen by/);

    // A second message is unseen until the jobseeker opens the page again; the first keeps its first time.
    const second = await send(scene.staff, scene.application.id, 'Great, 10am.');
    const between = (await staff.get(staffUrl)).body;
    assert.doesNotMatch(between, new RegExp(`id="message-${second}"[\\s\\S]*?Seen by the applicant[\\s\\S]*?</li>`));
    await jobseeker.get(jobseekerUrl);
    const times = await sql<{ id: string; at: Date | null }>`
      select id, seen_by_recipient_at as at from messages where id in (${first}, ${second})
    `.execute(db);
    assert.equal(times.rows.find((row) => row.id === first)?.at?.getTime(), firstSeenAt.getTime());
    assert.ok(times.rows.find((row) => row.id === second)?.at);
  });
});

describe('how often staff are emailed about messages', () => {
  test('the daily summary is the default; a choice is saved; no choice is an error that saves nothing', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const staff = await signedInClient(app, scene.staff.email);
    const page = await staff.get('/settings/message-emails');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /value="daily" checked/);

    const refused = await staff.post('/settings/message-emails', {});
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Select how often you want emails about messages/);
    assert.match(refused.body, /href="#messageEmails"/);

    const saved = await staff.post('/settings/message-emails', { messageEmails: 'both' });
    assert.equal(saved.statusCode, 303);
    const row = await sql<{
      value: string;
    }>`select message_emails as value from users where id = ${scene.staff.id}`.execute(db);
    assert.equal(row.rows[0]?.value, 'both');
    assert.match((await staff.get('/settings/message-emails')).body, /value="both" checked/);
  });

  test('without a CSRF token nothing is saved', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const staff = await signedInClient(app, scene.staff.email);
    const response = await staff.post('/settings/message-emails', { messageEmails: 'each' }, { csrf: false });
    assert.equal(response.statusCode, 403);
    const row = await sql<{
      value: string;
    }>`select message_emails as value from users where id = ${scene.staff.id}`.execute(db);
    assert.equal(row.rows[0]?.value, 'daily');
  });

  test('jobseekers have no such page', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const jobseeker = await signedInClient(app, scene.jobseeker.email);
    assert.equal((await jobseeker.get('/settings/message-emails')).statusCode, 404);
  });
});
