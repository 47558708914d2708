import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { startScheduledJobs } from '../../src/scheduled/jobs.ts';
import { fixedClock, testApp, testContainer, testDatabaseUrl } from '../support/context.ts';
import { createApplication, createJobseeker, createSchoolScene } from '../support/factories.ts';
import { signedInClient } from '../support/http.ts';
import { errorSummary, fieldValue, findOne } from '../support/html.ts';
import { minimalPdf } from '../support/sample-files.ts';

/**
 * Messages sent later: scheduling from the message form, editing and cancelling, and the worker's send, exactly
 * once with two workers or a worker that dies holding the message (real PostgreSQL, real pg-boss).
 */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

function ukParts(date: Date) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'numeric',
    year: 'numeric',
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { 'sendDate-day': part('day'), 'sendDate-month': part('month'), 'sendDate-year': part('year') };
}

async function messagesOf(applicationId: string) {
  return db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select(['m.id', 'm.body_text as bodyText'])
    .where('c.application_id', '=', applicationId)
    .execute();
}

/** A message waiting to go at `sendAt`, made as the form would (with its job). */
async function waitingMessage(applicationId: string, senderId: string, sendAt: Date, body = 'Scheduled hello') {
  const id = await db.transaction().execute((trx) =>
    container.scheduled.scheduleInTransaction(trx, {
      applicationId,
      senderUserId: senderId,
      batchId: null,
      html: `<p>${body}</p>`,
      sendAt,
      attachments: [],
      formKey: randomUUID(),
    }),
  );
  assert.ok(id);
  return id;
}

async function stateOf(scheduledId: string) {
  return db
    .selectFrom('scheduled_messages')
    .select(['state', 'reason', 'message_id'])
    .where('id', '=', scheduledId)
    .executeTakeFirstOrThrow();
}

describe('scheduling from the message form', () => {
  test('a past time is refused; a future one is kept, shown to its sender only, with change and cancel', async () => {
    const { staff, jobseeker, application } = await createSchoolScene(db);
    const client = await signedInClient(app, staff.email);
    await client.get(`/staff/applications/${application.id}`);
    const formKey = randomUUID();
    const past = await client.postMultipart(`/staff/applications/${application.id}/messages`, {
      formKey,
      format: 'text',
      body: 'See you on Monday',
      when: 'later',
      ...ukParts(new Date(Date.now() - 86_400_000)),
      sendTime: '9am',
    });
    assert.equal(past.statusCode, 400);
    assert.deepEqual(errorSummary(past.body), [
      { text: 'The time to send must be in the future', href: '#sendDate-day' },
    ]);
    assert.equal(fieldValue(past.body, 'body'), 'See you on Monday');
    const bad = await client.postMultipart(`/staff/applications/${application.id}/messages`, {
      formKey,
      format: 'text',
      body: '',
      when: 'later',
      'sendDate-day': '',
      'sendDate-month': '',
      'sendDate-year': '',
      sendTime: 'teatime',
    });
    assert.deepEqual(errorSummary(bad.body), [
      { text: 'Enter a message', href: '#body' },
      { text: 'Enter the date to send the message', href: '#sendDate-day' },
      { text: 'Enter the time in UK time, like 9:30am or 14:30', href: '#sendTime' },
    ]);

    const fields = {
      formKey,
      format: 'text',
      body: 'See you on Monday',
      when: 'later',
      ...ukParts(new Date(Date.now() + 2 * 86_400_000)),
      sendTime: '14:30',
    };
    const files = [{ fileName: 'map.pdf', data: minimalPdf() }];
    const scheduled = await client.postMultipart(`/staff/applications/${application.id}/messages`, fields, files);
    assert.equal(scheduled.statusCode, 303);
    const again = await client.postMultipart(`/staff/applications/${application.id}/messages`, fields, files);
    assert.equal(again.statusCode, 303);
    const rows = await db
      .selectFrom('scheduled_messages')
      .select(['id', 'attachments'])
      .where('application_id', '=', application.id)
      .execute();
    assert.equal(rows.length, 1, 'a double submit schedules once');
    assert.deepEqual(
      rows[0]!.attachments.map((file) => file.fileName),
      ['map.pdf'],
    );
    assert.equal((await messagesOf(application.id)).length, 0);

    const page = await client.get(`/staff/applications/${application.id}`);
    const shown = findOne(page.body, `#scheduled-${rows[0]!.id}`);
    assert.ok(shown);
    assert.match(page.body, /Your messages waiting to be sent/);
    assert.match(page.body, new RegExp(`href="/staff/scheduled/${rows[0]!.id}/edit"`));
    const jobseekerPage = await (await signedInClient(app, jobseeker.email)).get(`/applications/${application.id}`);
    assert.ok(!jobseekerPage.body.includes('See you on Monday'));

    // Change it, then cancel it.
    const edit = await client.get(`/staff/scheduled/${rows[0]!.id}/edit`);
    assert.equal(fieldValue(edit.body, 'body'), 'See you on Monday');
    assert.equal(fieldValue(edit.body, 'sendTime'), '14:30');
    const refused = await client.post(`/staff/scheduled/${rows[0]!.id}`, {
      format: 'text',
      body: 'See you on Tuesday',
      ...ukParts(new Date(Date.now() - 86_400_000)),
      sendTime: '9am',
    });
    assert.equal(refused.statusCode, 400);
    assert.equal(fieldValue(refused.body, 'body'), 'See you on Tuesday');
    const saved = await client.post(`/staff/scheduled/${rows[0]!.id}`, {
      format: 'text',
      body: 'See you on Tuesday',
      ...ukParts(new Date(Date.now() + 3 * 86_400_000)),
      sendTime: '9am',
    });
    assert.equal(saved.statusCode, 303);
    const changed = await db
      .selectFrom('scheduled_messages')
      .select(['body_html', 'send_at'])
      .where('id', '=', rows[0]!.id)
      .executeTakeFirstOrThrow();
    assert.equal(changed.body_html, '<p>See you on Tuesday</p>');
    await client.get(`/staff/applications/${application.id}`);
    const cancelled = await client.post(`/staff/scheduled/${rows[0]!.id}/cancel`, {});
    assert.equal(cancelled.statusCode, 303);
    assert.equal((await stateOf(rows[0]!.id)).state, 'cancelled');
    const after = await client.get(`/staff/applications/${application.id}`);
    assert.ok(!findOne(after.body, `#scheduled-${rows[0]!.id}`));
    const late = await client.post(`/staff/scheduled/${rows[0]!.id}`, {
      format: 'text',
      body: 'Too late',
      ...ukParts(new Date(Date.now() + 3 * 86_400_000)),
      sendTime: '9am',
    });
    assert.equal(late.statusCode, 303);
    // The worker does nothing with a cancelled message.
    assert.equal(await container.scheduled.sendScheduled(rows[0]!.id), 'already-done');
  });

  test('someone else’s scheduled message is 404 to change or cancel', async () => {
    const mine = await createSchoolScene(db);
    const theirs = await createSchoolScene(db);
    const id = await waitingMessage(theirs.application.id, theirs.staff.id, new Date(Date.now() + 86_400_000));
    const client = await signedInClient(app, mine.staff.email);
    assert.equal((await client.get(`/staff/scheduled/${id}/edit`)).statusCode, 404);
    await client.get(`/staff/applications/${mine.application.id}`);
    assert.equal((await client.post(`/staff/scheduled/${id}/cancel`, {})).statusCode, 404);
    assert.equal((await stateOf(id)).state, 'scheduled');
  });
});

describe('the worker’s send', () => {
  test('not before its time; then once, as the sender; never again', async () => {
    const clock = fixedClock(new Date());
    const timed = testContainer({ clock });
    const { staff, application } = await createSchoolScene(db);
    const sendAt = new Date(Date.now() + 3_600_000);
    const id = await waitingMessage(application.id, staff.id, sendAt, 'On time');
    assert.equal(await timed.scheduled.sendScheduled(id), 'not-yet');
    clock.set(new Date(sendAt.getTime() + 1000));
    assert.equal(await timed.scheduled.sendScheduled(id), 'sent');
    assert.equal(await timed.scheduled.sendScheduled(id), 'already-done');
    const messages = await messagesOf(application.id);
    assert.deepEqual(
      messages.map((m) => m.bodyText),
      ['On time'],
    );
    assert.equal((await stateOf(id)).message_id, messages[0]!.id);
    const notice = await db
      .selectFrom('notifications')
      .select('text')
      .where('application_id', '=', application.id)
      .executeTakeFirst();
    assert.match(notice?.text ?? '', /sent you a message/);
  });

  test('withdrawn before its time: not sent, and the sender is told in the service', async () => {
    const { staff, jobseeker, application, vacancy } = await createSchoolScene(db);
    const id = await waitingMessage(application.id, staff.id, new Date(Date.now() - 1000), 'Too late now');
    const changed = await container.applications.changeStatus({
      applicationId: application.id,
      actorUserId: jobseeker.id,
      actor: 'jobseeker',
      expectedStatus: 'submitted',
      to: 'withdrawn',
    });
    assert.equal(changed.outcome, 'changed');
    assert.equal(await container.scheduled.sendScheduled(id), 'not-sent');
    assert.equal((await messagesOf(application.id)).length, 0);
    const state = await stateOf(id);
    assert.equal(state.state, 'not_sent');
    const notices = await db
      .selectFrom('notifications')
      .select(['text', 'link'])
      .where('user_id', '=', staff.id)
      .execute();
    assert.deepEqual(notices, [
      {
        text: `Your message to Sam Taylor about ${vacancy.title} was not sent: you cannot send a message because the applicant withdrew their application`,
        link: `/staff/applications/${application.id}`,
      },
    ]);
  });

  test('two workers at the same moment send it once', async () => {
    const other = testContainer();
    const { staff, application } = await createSchoolScene(db);
    const id = await waitingMessage(application.id, staff.id, new Date(Date.now() - 1000));
    const outcomes = await Promise.all([container.scheduled.sendScheduled(id), other.scheduled.sendScheduled(id)]);
    assert.deepEqual(outcomes.sort(), ['already-done', 'sent']);
    assert.equal((await messagesOf(application.id)).length, 1);
  });

  test('a worker that dies holding the message leaves it to the next, which sends it once', async () => {
    const { staff, application } = await createSchoolScene(db);
    const id = await waitingMessage(application.id, staff.id, new Date(Date.now() - 1000));
    // The dying worker: its own connection claims the message (the row lock) and has written a message in its
    // transaction when its process goes away.
    const dying = new pg.Client({ connectionString: testDatabaseUrl() });
    await dying.connect();
    dying.on('error', () => undefined);
    await dying.query('begin');
    await dying.query('select id from scheduled_messages where id = $1 for update', [id]);
    const pid = (await dying.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const next = container.scheduled.sendScheduled(id);
    await sleep(300);
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await admin.end();
    assert.equal(await next, 'sent');
    assert.equal(await container.scheduled.sendScheduled(id), 'already-done');
    assert.equal((await messagesOf(application.id)).length, 1);
    await dying.end().catch(() => undefined);
  });

  test('through the queue with two workers: every due message goes exactly once', async () => {
    const workers = [testContainer(), testContainer()];
    for (const worker of workers) {
      const boss = await worker.queue.start();
      await startScheduledJobs(boss, worker.scheduled, pino({ level: 'silent' }));
    }
    const { staff, vacancy } = await createSchoolScene(db);
    const ids: string[] = [];
    const applications: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const jobseeker = await createJobseeker(db, `Applicant ${i}`);
      const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'submitted' });
      applications.push(application.id);
      ids.push(await waitingMessage(application.id, staff.id, new Date(Date.now() - 1000), `Hello ${i}`));
    }
    // An edited time queues a second job for the same message: it must still go once.
    await db.transaction().execute(async (trx) => {
      await container.queue.sendInTransaction(trx, 'scheduled-message', { scheduledId: ids[0] }, {});
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const left = await db
        .selectFrom('scheduled_messages')
        .select('id')
        .where('id', 'in', ids)
        .where('state', '=', 'scheduled')
        .execute();
      if (left.length === 0) break;
      assert.ok(Date.now() < deadline, `${left.length} scheduled messages still waiting after 60 s`);
      await sleep(250);
    }
    for (const applicationId of applications) assert.equal((await messagesOf(applicationId)).length, 1);
  });
});
