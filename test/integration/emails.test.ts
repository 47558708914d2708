import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { SignedInUser } from '../../src/accounts/service.ts';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createContainer, type Container } from '../../src/container.ts';
import { queueDefinitions } from '../../src/platform/queue.ts';
import { fixedClock, testApp, testContainer, testDatabaseUrl } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createSchoolScene,
  createStaff,
  createVacancy,
  type TestUser,
} from '../support/factories.ts';
import { TestClient, signedInClient } from '../support/http.ts';
import { startNotifyFake } from '../support/notify-fake.ts';
import { startSmtpServer, type ReceivedEmail } from '../support/smtp.ts';

/**
 * The emails: the jobseeker's email a short while after staff messages, the hiring staff's daily email at 07:00 UK
 * time, and the three ways of sending them (SMTP, GOV.UK Notify, files). Jobs are driven by calling the service as
 * the queue's handlers do, with the ids of the jobs really queued; email-faults.test.ts runs real worker processes.
 */
const baseUrl = 'https://parley.example';
const smtp = await startSmtpServer();
after(() => smtp.stop());
const smtpEnv = {
  EMAIL_TRANSPORT: 'smtp',
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: String(smtp.port),
  BASE_URL: baseUrl,
  JOBSEEKER_EMAIL_DELAY_SECONDS: '300',
};
const container = testContainer({ env: smtpEnv });
const app = await testApp(container);
const db = container.db;
// Daily emails run on an injected clock, each test in a year of its own (runs are recorded per UK date).
const clock = fixedClock(new Date('2031-01-01T12:00:00Z'));
const clocked = testContainer({ env: smtpEnv, clock });

async function signedIn(user: TestUser): Promise<SignedInUser> {
  const loaded = await container.accounts.loadSignedInUser(user.id);
  assert.ok(loaded);
  return loaded;
}

async function send(user: TestUser, applicationId: string, body = `A message ${randomUUID()}`): Promise<string> {
  const result = await container.messaging.sendMessage({
    applicationId,
    sender: await signedIn(user),
    formKey: randomUUID(),
    body: { format: 'text', body },
    files: [],
  });
  assert.equal(result.outcome, 'sent', JSON.stringify(result));
  return result.messageId;
}

/** A message from the jobseeker, as if received at `at`. */
async function jobseekerWrites(jobseeker: TestUser, applicationId: string, at: Date): Promise<string> {
  const messageId = await send(jobseeker, applicationId);
  await setSentAt(messageId, at);
  return messageId;
}

/** Moves a message in time (messages are stamped by the database's clock, not the injected one). */
async function setSentAt(messageId: string, at: Date): Promise<void> {
  await sql`update messages set sent_at = ${at} where id = ${messageId}`.execute(db);
}

interface QueuedJob {
  id: string;
  state: string;
  startAfter: Date;
  createdOn: Date;
  data: Record<string, string>;
}

async function jobseekerJobs(applicationId: string): Promise<QueuedJob[]> {
  const result = await sql<QueuedJob>`
    select id, state, start_after as "startAfter", created_on as "createdOn", data from pgboss.job
    where name = ${queueDefinitions.jobseekerMessageEmail.name} and singleton_key = ${applicationId} order by created_on
  `.execute(db);
  return result.rows;
}

async function dailyJobs(runDate: string): Promise<QueuedJob[]> {
  const result = await sql<QueuedJob>`
    select id, state, start_after as "startAfter", created_on as "createdOn", data from pgboss.job
    where name = ${queueDefinitions.staffDailyEmail.name} and data->>'runDate' = ${runDate} order by created_on
  `.execute(db);
  return result.rows;
}

/** The one job queued for this application's jobseeker email. */
async function theJobseekerJob(applicationId: string): Promise<QueuedJob> {
  const jobs = await jobseekerJobs(applicationId);
  assert.equal(jobs.length, 1, 'one job per application at a time');
  return jobs[0]!;
}

const firstAttempt = (id: string) => ({
  id,
  retryCount: 0,
  retryLimit: queueDefinitions.jobseekerMessageEmail.retryLimit,
});

async function workJobseekerJob(applicationId: string, via: Container = container) {
  const job = await theJobseekerJob(applicationId);
  return via.notifications.sendJobseekerEmail(applicationId, firstAttempt(job.id));
}

/** Starts the daily run at `now` and works every job it queued, as the workers would. */
async function dailyRunAt(now: string) {
  clock.set(new Date(now));
  const run = await clocked.notifications.startDailyRunIfDue();
  const outcomes = [];
  if (run.started) {
    for (const job of await dailyJobs(run.runDate)) {
      const data = job.data as { userId: string; runDate: string; cutoff: string };
      outcomes.push({
        userId: data.userId,
        outcome: await clocked.notifications.sendStaffDailyEmail(
          { userId: data.userId, runDate: data.runDate, cutoff: new Date(data.cutoff) },
          { id: job.id, retryCount: 0, retryLimit: queueDefinitions.staffDailyEmail.retryLimit },
        ),
      });
    }
  }
  return { ...run, outcomes };
}

async function ledgerOf(userId: string) {
  return db
    .selectFrom('email_deliveries')
    .selectAll()
    .where('recipient_user_id', '=', userId)
    .orderBy('claimed_at')
    .execute();
}

async function emailsOff(user: TestUser): Promise<void> {
  await db.updateTable('users').set({ email_notifications: false }).where('id', '=', user.id).execute();
}

function header(email: ReceivedEmail, name: string): string | undefined {
  const values = email.headers.get(name.toLowerCase());
  assert.ok(!values || values.length === 1, `one ${name} header`);
  return values?.[0];
}

/** Everything a reader of the email could see, decoded, plus the raw message. */
function everythingIn(email: ReceivedEmail): string {
  return [email.subject, email.text, email.html, email.raw, ...[...email.headers.values()].flat()].join('\n');
}

/** The lines of the daily email's list, as written in the text part ("- Sam Taylor, Teacher, School: 2 new messages"). */
function dailyLines(email: ReceivedEmail): string[] {
  return email.text
    .split('\n')
    .filter((line) => line.startsWith('- '))
    .map((line) => line.slice(2));
}

/** A school whose vacancy's creator follows one application, with its jobseeker. */
async function followedApplication(options: { schoolId?: string; follower?: TestUser; candidate?: string } = {}) {
  const school = options.schoolId ? { id: options.schoolId } : await createOrganisation(db);
  const follower = options.follower ?? (await createStaff(db, [school.id], 'Follower Staff'));
  const vacancy = await createVacancy(db, school.id, { createdBy: follower.id });
  const jobseeker = await createJobseeker(db, options.candidate ?? `Candidate ${randomUUID().slice(0, 6)}`);
  const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'interviewing' });
  return { schoolId: school.id, follower, vacancy, jobseeker, application };
}

// ---------------------------------------------------------------------------------------------------------------

describe('the jobseeker’s email', () => {
  test('staff messages in the window make one job, due when the window ends, and one email', async () => {
    const { school, staff, vacancy, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    const before = Date.now();
    await send(staff, application.id);
    const job = await theJobseekerJob(application.id);
    assert.equal(job.state, 'created');
    assert.deepEqual(job.data, { applicationId: application.id });
    const delayMs = job.startAfter.getTime() - before;
    assert.ok(delayMs >= 299_000 && delayMs <= 310_000, `due after the 300 s window, not ${delayMs} ms`);
    await send(staff, application.id);
    await send(staff, application.id);
    assert.equal((await theJobseekerJob(application.id)).id, job.id, 'later messages in the window join the same job');

    assert.equal(await workJobseekerJob(application.id), 'sent');
    const [email, ...more] = smtp.to(jobseeker.email);
    assert.ok(email);
    assert.equal(more.length, 0);
    assert.equal(email.subject, `3 new messages from ${school.name}`);
    assert.match(
      email.text,
      new RegExp(`${school.name} sent you 3 messages about your application for ${vacancy.title}\\.`),
    );
    assert.deepEqual(email.envelope.to, [jobseeker.email]);

    // The same job again (a retry after the email went) and any later job find nothing new.
    assert.notEqual(
      await container.notifications.sendJobseekerEmail(application.id, { ...firstAttempt(job.id), retryCount: 1 }),
      'sent',
    );
    assert.notEqual(
      await container.notifications.sendJobseekerEmail(application.id, firstAttempt(randomUUID())),
      'sent',
    );
    assert.equal(smtp.to(jobseeker.email).length, 1);
    const [row, ...otherRows] = await ledgerOf(jobseeker.id);
    assert.equal(otherRows.length, 0);
    assert.equal(row?.status, 'sent');
    assert.equal(row.up_to_position, 3);
    assert.equal(row.job_id, job.id);
    assert.equal(header(email, 'Message-ID'), `<${row.id}@parley>`);

    // A later message makes a later email, about that message only: what an email covered is not counted again.
    await send(staff, application.id);
    assert.equal(await container.notifications.sendJobseekerEmail(application.id, firstAttempt(randomUUID())), 'sent');
    assert.deepEqual(
      smtp.to(jobseeker.email).map((e) => e.subject),
      [`3 new messages from ${school.name}`, `New message from ${school.name}`],
    );
  });

  test('names the school and the job, links to the conversation, and never holds the message text', async () => {
    const { school, staff, vacancy, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    const marker = `Quokkamarker${randomUUID().slice(0, 8)}`;
    await send(staff, application.id, `Please bring ${marker} to the interview on Tuesday`);
    assert.equal(await workJobseekerJob(application.id), 'sent');
    const [email] = smtp.to(jobseeker.email);
    assert.ok(email);
    assert.equal(email.subject, `New message from ${school.name}`);
    assert.ok(email.text.includes(`${school.name} sent you a message about your application for ${vacancy.title}.`));
    assert.ok(email.html.includes(vacancy.title) && email.html.includes(school.name));
    const conversationUrl = `${baseUrl}/applications/${application.id}/messages`;
    assert.ok(email.text.includes(`Read and reply in Parley: ${conversationUrl}`));
    assert.ok(email.html.includes(`href="${conversationUrl}"`));
    assert.ok(
      !everythingIn(email).toLowerCase().includes(marker.toLowerCase()),
      'the message text appears nowhere in the email',
    );
    assert.ok(!everythingIn(email).includes('Tuesday'));
  });

  test('carries List-Unsubscribe and List-Unsubscribe-Post headers and an unsubscribe link, which work signed out', async () => {
    const { staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    await send(staff, application.id);
    await workJobseekerJob(application.id);
    const [email] = smtp.to(jobseeker.email);
    assert.ok(email);
    const unsubscribeUrl = container.notifications.unsubscribeUrl(jobseeker.id);
    assert.ok(unsubscribeUrl.startsWith(`${baseUrl}/unsubscribe/`));
    assert.match(header(email, 'List-Unsubscribe') ?? '', new RegExp(`^<${unsubscribeUrl.replaceAll('.', '\\.')}>`));
    assert.equal(header(email, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
    assert.ok(email.text.includes(`Unsubscribe from these emails: ${unsubscribeUrl}`));
    assert.ok(email.html.includes(`href="${unsubscribeUrl}"`));

    // What a mail program does with the headers: POST List-Unsubscribe=One-Click to the address, no cookies.
    const response = await app.inject({
      method: 'POST',
      url: unsubscribeUrl.slice(baseUrl.length),
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(response.statusCode, 200);
    const setting = await db
      .selectFrom('users')
      .select('email_notifications')
      .where('id', '=', jobseeker.id)
      .executeTakeFirstOrThrow();
    assert.equal(setting.email_notifications, false);
    const page = await new TestClient(app).get(unsubscribeUrl.slice(baseUrl.length));
    assert.equal(page.statusCode, 200);
  });

  test('none if the jobseeker read the messages first; later only the unread ones count', async () => {
    const { school, staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    await send(staff, application.id);
    await send(staff, application.id);
    const reader = await signedInClient(app, jobseeker.email);
    assert.equal((await reader.get(`/applications/${application.id}`)).statusCode, 200);
    assert.equal(await workJobseekerJob(application.id), 'nothing-to-send');
    assert.equal(smtp.to(jobseeker.email).length, 0);

    await send(staff, application.id);
    assert.equal(await container.notifications.sendJobseekerEmail(application.id, firstAttempt(randomUUID())), 'sent');
    assert.deepEqual(
      smtp.to(jobseeker.email).map((email) => email.subject),
      [`New message from ${school.name}`],
    );
  });

  test('none with emails turned off, none for a closed account', async () => {
    const off = await createSchoolScene(db, 'interviewing');
    await emailsOff(off.jobseeker);
    await send(off.staff, off.application.id);
    assert.equal(await workJobseekerJob(off.application.id), 'emails-off');

    const closed = await createSchoolScene(db, 'interviewing');
    await send(closed.staff, closed.application.id);
    await db.updateTable('users').set({ closed_at: new Date() }).where('id', '=', closed.jobseeker.id).execute();
    assert.equal(await workJobseekerJob(closed.application.id), 'nothing-to-send');

    assert.equal(smtp.to(off.jobseeker.email).length + smtp.to(closed.jobseeker.email).length, 0);
    assert.deepEqual(await ledgerOf(off.jobseeker.id), []);
    assert.deepEqual(await ledgerOf(closed.jobseeker.id), []);
  });

  test('an address the mail server refuses (550): failed at once, not retried, and the log does not hold the address', async () => {
    const lines: string[] = [];
    const logged = createContainer({
      config: loadConfig({ NODE_ENV: 'test', DATABASE_URL: testDatabaseUrl(), ...smtpEnv }),
      logger: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }),
      databaseUrl: testDatabaseUrl(),
    });
    after(() => logged.close());
    const { staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    smtp.refuseRecipients([jobseeker.email]);
    await send(staff, application.id);
    const job = await theJobseekerJob(application.id);
    await logged.notifications.sendJobseekerEmail(application.id, firstAttempt(job.id)); // nothing thrown: no retry
    const [row] = await ledgerOf(jobseeker.id);
    assert.equal(row?.status, 'failed');
    assert.match(row.last_error ?? '', /550/);
    const giveUp = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'email not sent: giving up');
    assert.equal(giveUp?.level, 50);
    assert.match(String(giveUp.error), /550/);
    assert.ok(!lines.join('\n').includes(jobseeker.email), 'no address in the log');
    assert.equal(smtp.to(jobseeker.email).length, 0);
  });

  test('jobseeker messages queue no email to the jobseeker', async () => {
    const { jobseeker, application } = await createSchoolScene(db, 'interviewing');
    await send(jobseeker, application.id);
    assert.deepEqual(await jobseekerJobs(application.id), []);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('the daily email', () => {
  test('goes to the followers, with the right counts, singular and plural, about their organisation only', async () => {
    const a = await followedApplication({ candidate: 'Ada Lovelace' });
    const b = await followedApplication({ schoolId: a.schoolId, follower: a.follower, candidate: 'Ben Okri' });
    const bystander = await createStaff(db, [a.schoolId], 'Bystander Staff');
    const elsewhere = await followedApplication({ candidate: 'Cy Twombly' });
    await jobseekerWrites(a.jobseeker, a.application.id, new Date('2031-01-14T09:00:00Z'));
    await jobseekerWrites(a.jobseeker, a.application.id, new Date('2031-01-14T18:00:00Z'));
    await jobseekerWrites(b.jobseeker, b.application.id, new Date('2031-01-15T06:00:00Z'));
    await jobseekerWrites(elsewhere.jobseeker, elsewhere.application.id, new Date('2031-01-14T12:00:00Z'));

    const run = await dailyRunAt('2031-01-15T07:30:00Z');
    assert.equal(run.started, true);
    assert.equal(run.runDate, '2031-01-15');
    assert.deepEqual(run.outcomes.map((o) => o.userId).sort(), [a.follower.id, elsewhere.follower.id].sort());
    assert.ok(run.outcomes.every((o) => o.outcome === 'sent'));

    const [email, ...more] = smtp.to(a.follower.email);
    assert.ok(email);
    assert.equal(more.length, 0);
    assert.equal(email.subject, '3 new messages from applicants');
    assert.match(email.text, /You have 3 new messages from applicants in 2 conversations:/);
    assert.deepEqual(dailyLines(email).sort(), [
      `Ada Lovelace, ${a.vacancy.title}, ${await schoolName(a.schoolId)}: 2 new messages`,
      `Ben Okri, ${b.vacancy.title}, ${await schoolName(a.schoolId)}: 1 new message`,
    ]);
    assert.ok(email.text.includes(`${baseUrl}/staff/applications/${a.application.id}/messages`));
    assert.ok(email.text.includes(`${baseUrl}/staff/applications/${b.application.id}/messages`));
    assert.ok(email.text.includes(`${baseUrl}/staff/messages`));
    assert.equal(header(email, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
    assert.ok((header(email, 'List-Unsubscribe') ?? '').includes(clocked.notifications.unsubscribeUrl(a.follower.id)));
    assert.ok(!email.text.includes('Cy Twombly'), 'another organisation’s application is not in it');

    const [other] = smtp.to(elsewhere.follower.email);
    assert.equal(other?.subject, '1 new message from applicants');
    assert.match(other.text, /You have 1 new message from applicants in 1 conversation:/);
    assert.equal(smtp.to(bystander.email).length, 0, 'staff who follow nothing get nothing when someone follows');

    const [row] = await ledgerOf(a.follower.id);
    assert.equal(row?.status, 'sent');
    assert.equal(row.window_end?.toISOString(), '2031-01-15T07:00:00.000Z');
  });

  test('ignores read messages and staff messages; nothing unread means no email', async () => {
    const read = await followedApplication({ candidate: 'Dee Reader' });
    const mixed = await followedApplication({ candidate: 'Eve Mixed' });
    const when = new Date('2032-02-10T10:00:00Z');
    await jobseekerWrites(read.jobseeker, read.application.id, when);
    await jobseekerWrites(mixed.jobseeker, mixed.application.id, when);
    await jobseekerWrites(mixed.jobseeker, mixed.application.id, when);
    const readerClient = await signedInClient(app, read.follower.email);
    await readerClient.get(`/staff/applications/${read.application.id}`);
    const mixedClient = await signedInClient(app, mixed.follower.email);
    await mixedClient.get(`/staff/applications/${mixed.application.id}`);
    await jobseekerWrites(mixed.jobseeker, mixed.application.id, new Date('2032-02-10T12:00:00Z'));
    const staffMessage = await send(mixed.follower, mixed.application.id);
    await setSentAt(staffMessage, new Date('2032-02-10T13:00:00Z'));
    // Staff messages are not the applicant's, even those the follower has not seen (they wrote them, or a colleague).
    const talkative = await followedApplication({ candidate: 'Fred Talk' });
    await jobseekerWrites(talkative.jobseeker, talkative.application.id, when);
    for (let i = 0; i < 2; i += 1) await setSentAt(await send(talkative.follower, talkative.application.id), when);

    const run = await dailyRunAt('2032-02-11T08:00:00Z');
    assert.deepEqual(
      run.outcomes.map((o) => o.userId).sort(),
      [mixed.follower.id, talkative.follower.id].sort(),
      'someone who read everything is not even queued',
    );
    assert.equal(smtp.to(read.follower.email).length, 0);
    const [email] = smtp.to(mixed.follower.email);
    assert.deepEqual(dailyLines(email!), [
      `Eve Mixed, ${mixed.vacancy.title}, ${await schoolName(mixed.schoolId)}: 1 new message`,
    ]);
    const [talkativeEmail] = smtp.to(talkative.follower.email);
    assert.deepEqual(dailyLines(talkativeEmail!), [
      `Fred Talk, ${talkative.vacancy.title}, ${await schoolName(talkative.schoolId)}: 1 new message`,
    ]);

    // Asked directly (a job queued before they read it), the reader still gets nothing.
    const direct = await clocked.notifications.sendStaffDailyEmail(
      { userId: read.follower.id, runDate: '2032-02-11', cutoff: new Date('2032-02-11T07:00:00Z') },
      { id: randomUUID(), retryCount: 0, retryLimit: 6 },
    );
    assert.equal(direct, 'nothing-to-send');
  });

  test('respects email settings and closed accounts', async () => {
    const off = await followedApplication();
    const closed = await followedApplication();
    await jobseekerWrites(off.jobseeker, off.application.id, new Date('2033-03-09T10:00:00Z'));
    await jobseekerWrites(closed.jobseeker, closed.application.id, new Date('2033-03-09T10:00:00Z'));
    await emailsOff(off.follower);
    await db.updateTable('users').set({ closed_at: new Date() }).where('id', '=', closed.follower.id).execute();

    const run = await dailyRunAt('2033-03-10T07:05:00Z');
    assert.equal(run.started, true);
    assert.deepEqual(run.outcomes, []);
    const job = { id: randomUUID(), retryCount: 0, retryLimit: 6 };
    const input = (userId: string) => ({ userId, runDate: '2033-03-10', cutoff: new Date('2033-03-10T07:00:00Z') });
    assert.equal(await clocked.notifications.sendStaffDailyEmail(input(off.follower.id), job), 'emails-off');
    assert.equal(await clocked.notifications.sendStaffDailyEmail(input(closed.follower.id), job), 'nothing-to-send');
    assert.equal(smtp.to(off.follower.email).length + smtp.to(closed.follower.email).length, 0);
  });

  test('revoked access: nothing about an application in a school the person was removed from', async () => {
    const kept = await followedApplication({ candidate: 'Fay Kept' });
    const lost = await followedApplication({ candidate: 'Gus Lost' });
    await db
      .insertInto('staff_memberships')
      .values({ user_id: kept.follower.id, organisation_id: lost.schoolId })
      .execute();
    await db.updateTable('vacancies').set({ created_by: kept.follower.id }).where('id', '=', lost.vacancy.id).execute();
    const remaining = lost.follower; // still a member of the school, no longer the vacancy's creator: not a follower
    await jobseekerWrites(kept.jobseeker, kept.application.id, new Date('2034-04-12T10:00:00Z'));
    await jobseekerWrites(lost.jobseeker, lost.application.id, new Date('2034-04-12T10:00:00Z'));
    await db
      .deleteFrom('staff_memberships')
      .where('user_id', '=', kept.follower.id)
      .where('organisation_id', '=', lost.schoolId)
      .execute();

    await dailyRunAt('2034-04-13T07:00:00Z');
    const [email, ...more] = smtp.to(kept.follower.email);
    assert.equal(more.length, 0);
    assert.deepEqual(dailyLines(email!), [
      `Fay Kept, ${kept.vacancy.title}, ${await schoolName(kept.schoolId)}: 1 new message`,
    ]);
    // With its only follower gone, the application is the school's staff's again.
    const [theirs] = smtp.to(remaining.email);
    assert.deepEqual(dailyLines(theirs!), [
      `Gus Lost, ${lost.vacancy.title}, ${await schoolName(lost.schoolId)}: 1 new message`,
    ]);
  });

  for (const season of [
    {
      name: 'January (GMT)',
      previous: '2035-01-14T08:00:00Z',
      justBefore: '2035-01-15T06:59:00Z',
      seven: '2035-01-15T07:00:00Z',
      cutoff: '2035-01-15T07:00:00.000Z',
    },
    {
      name: 'July (BST)',
      previous: '2035-07-14T08:00:00Z',
      justBefore: '2035-07-15T05:59:00Z',
      seven: '2035-07-15T06:00:00Z',
      cutoff: '2035-07-15T06:00:00.000Z',
    },
  ]) {
    test(`07:00 UK time in ${season.name}: 06:59 is still yesterday’s run, 07:00 starts today’s with the right cutoff`, async () => {
      const scene = await followedApplication({ candidate: 'Hal Early' });
      const cutoff = new Date(season.cutoff);
      const second = 1000;
      await jobseekerWrites(scene.jobseeker, scene.application.id, new Date(cutoff.getTime() - 30 * 3_600_000));
      const yesterday = await dailyRunAt(season.previous);
      assert.equal(yesterday.started, true);
      assert.equal(smtp.to(scene.follower.email).length, 1);

      await jobseekerWrites(scene.jobseeker, scene.application.id, new Date(cutoff.getTime() - 3_600_000));
      await jobseekerWrites(scene.jobseeker, scene.application.id, new Date(cutoff.getTime() - second));
      await jobseekerWrites(scene.jobseeker, scene.application.id, new Date(cutoff.getTime() + second)); // tomorrow's

      const early = await dailyRunAt(season.justBefore);
      assert.equal(early.runDate, season.previous.slice(0, 10));
      assert.equal(early.started, false, 'yesterday’s run already happened');
      assert.equal(smtp.to(scene.follower.email).length, 1);

      const due = await dailyRunAt(season.seven);
      assert.equal(due.started, true);
      assert.equal(due.runDate, season.seven.slice(0, 10));
      const recorded = await db
        .selectFrom('daily_email_runs')
        .select('cutoff')
        .where('run_date', '=', sql<string>`${due.runDate}::date`)
        .executeTakeFirstOrThrow();
      assert.equal(recorded.cutoff.toISOString(), season.cutoff);
      const emails = smtp.to(scene.follower.email);
      assert.equal(emails.length, 2);
      assert.equal(
        emails[1]?.subject,
        '2 new messages from applicants',
        'up to 06:59:59, not the one a second after 07:00',
      );
    });
  }

  test('a missed day is caught up once: one run, one email each, covering everything since the last', async () => {
    const scene = await followedApplication({ candidate: 'Ida Catchup' });
    const colleague = await createStaff(db, [scene.schoolId], 'Colleague Staff');
    const colleagueClient = await signedInClient(app, colleague.email);
    await colleagueClient.get(`/staff/applications/${scene.application.id}`);
    await colleagueClient.post(`/staff/applications/${scene.application.id}/follow`, { following: 'yes' });

    await jobseekerWrites(scene.jobseeker, scene.application.id, new Date('2036-03-01T05:00:00Z'));
    const first = await dailyRunAt('2036-03-01T07:10:00Z');
    assert.equal(first.outcomes.length, 2);
    await jobseekerWrites(scene.jobseeker, scene.application.id, new Date('2036-03-01T12:00:00Z'));
    await jobseekerWrites(scene.jobseeker, scene.application.id, new Date('2036-03-02T12:00:00Z'));
    await jobseekerWrites(scene.jobseeker, scene.application.id, new Date('2036-03-03T05:00:00Z'));

    // No worker ran on 2 March; the next start is on the 3rd, after 07:00.
    const caughtUp = await dailyRunAt('2036-03-03T09:30:00Z');
    assert.equal(caughtUp.started, true);
    assert.equal(caughtUp.runDate, '2036-03-03');
    assert.equal((await dailyRunAt('2036-03-03T10:05:00Z')).started, false);
    const runs = await db
      .selectFrom('daily_email_runs')
      .select(sql<string>`to_char(run_date, 'YYYY-MM-DD')`.as('date'))
      .where('run_date', '>=', sql<string>`'2036-01-01'::date`)
      .where('run_date', '<', sql<string>`'2037-01-01'::date`)
      .orderBy('run_date')
      .execute();
    assert.deepEqual(
      runs.map((r) => r.date),
      ['2036-03-01', '2036-03-03'],
    );
    for (const person of [scene.follower, colleague]) {
      const emails = smtp.to(person.email);
      assert.deepEqual(
        emails.map((e) => e.subject),
        ['1 new message from applicants', '3 new messages from applicants'],
        person.fullName,
      );
    }
  });

  test('running the day twice sends once: startDailyRunIfDue twice, two jobs for one person, a retried job', async () => {
    const scene = await followedApplication({ candidate: 'Jo Twice' });
    await jobseekerWrites(scene.jobseeker, scene.application.id, new Date('2037-05-05T10:00:00Z'));
    clock.set(new Date('2037-05-06T06:30:00Z')); // 07:30 BST
    const [one, two] = await Promise.all([
      clocked.notifications.startDailyRunIfDue(),
      clocked.notifications.startDailyRunIfDue(),
    ]);
    assert.deepEqual([one.started, two.started].sort(), [false, true]);
    assert.equal((await clocked.notifications.startDailyRunIfDue()).started, false);
    const queued = await dailyJobs('2037-05-06');
    assert.equal(queued.length, 1);
    const data = queued[0]!.data as { userId: string; runDate: string; cutoff: string };
    assert.equal(data.cutoff, '2037-05-06T06:00:00.000Z');

    // A second job for the same person and day (another worker's, a duplicate send): both run at once.
    const duplicateId = await clocked.queue.boss.send(queueDefinitions.staffDailyEmail.name, data);
    assert.ok(duplicateId);
    const input = { userId: data.userId, runDate: data.runDate, cutoff: new Date(data.cutoff) };
    const outcomes = await Promise.all(
      [queued[0]!.id, duplicateId].map((id) =>
        clocked.notifications.sendStaffDailyEmail(input, { id, retryCount: 0, retryLimit: 6 }),
      ),
    );
    assert.deepEqual(
      outcomes.filter((o) => o === 'sent'),
      ['sent'],
    );
    // The first job again, as a retry after it sent.
    assert.notEqual(
      await clocked.notifications.sendStaffDailyEmail(input, { id: queued[0]!.id, retryCount: 1, retryLimit: 6 }),
      'sent',
    );
    assert.equal(smtp.to(scene.follower.email).length, 1);
    assert.deepEqual(
      (await ledgerOf(scene.follower.id)).map((row) => row.status),
      ['sent'],
    );
  });
});

async function schoolName(schoolId: string): Promise<string> {
  const row = await db.selectFrom('organisations').select('name').where('id', '=', schoolId).executeTakeFirstOrThrow();
  return row.name;
}

// ---------------------------------------------------------------------------------------------------------------

// Servers and containers are made here, not in the suites: a suite whose tests are all filtered out never runs its
// `after` hooks, and a server left listening keeps the test process alive.
const notify = await startNotifyFake();
after(() => notify.close());
const notifyContainer = testContainer({
  env: {
    EMAIL_TRANSPORT: 'notify',
    NOTIFY_API_KEY: notify.apiKey,
    NOTIFY_BASE_URL: notify.url,
    NOTIFY_TEMPLATE_JOBSEEKER_MESSAGES: notify.templateIds.jobseeker_messages,
    NOTIFY_TEMPLATE_STAFF_DAILY: notify.templateIds.staff_daily,
    BASE_URL: baseUrl,
  },
});
const mailDir = await mkdtemp(path.join(tmpdir(), 'parley-mail-test-'));
after(() => rm(mailDir, { recursive: true, force: true }));
const files = testContainer({ env: { EMAIL_TRANSPORT: 'file', MAIL_DIR: mailDir, BASE_URL: baseUrl } });
const filesApp = await testApp(files);

describe('GOV.UK Notify', () => {
  test('the jobseeker’s email: signed token, its template, our ledger id as reference, the one-click unsubscribe URL', async () => {
    const { school, staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    const marker = `Wombatmarker${randomUUID().slice(0, 8)}`;
    await send(staff, application.id, `Bring ${marker}`);
    const before = notify.requests.length;
    assert.equal(await workJobseekerJob(application.id, notifyContainer), 'sent');
    const [request, ...more] = notify.requests.slice(before);
    assert.ok(request);
    assert.equal(more.length, 0);
    assert.equal(request.status, 201, JSON.stringify(request.response));
    assert.equal(request.claims?.iss, notify.serviceId);
    const [row] = await ledgerOf(jobseeker.id);
    assert.ok(row);
    assert.deepEqual(request.body, {
      email_address: jobseeker.email,
      template_id: notify.templateIds.jobseeker_messages,
      personalisation: (request.body as { personalisation: unknown }).personalisation,
      reference: row.id,
      one_click_unsubscribe_url: notifyContainer.notifications.unsubscribeUrl(jobseeker.id),
    });
    const accepted = notify.accepted.find((n) => n.request.reference === row.id);
    assert.equal(accepted?.subject, `New message from ${school.name}`);
    assert.ok(!JSON.stringify(request.body).includes(marker));
    assert.equal(row.status, 'sent');
    assert.equal(row.provider_reference, accepted.id, 'Notify’s notification id is kept');
  });

  test('the daily email uses the daily template', async () => {
    const scene = await followedApplication();
    await jobseekerWrites(scene.jobseeker, scene.application.id, new Date());
    const before = notify.requests.length;
    const outcome = await notifyContainer.notifications.sendStaffDailyEmail(
      { userId: scene.follower.id, runDate: `notify-${randomUUID()}`, cutoff: new Date(Date.now() + 60_000) },
      { id: randomUUID(), retryCount: 0, retryLimit: 6 },
    );
    assert.equal(outcome, 'sent');
    const [request] = notify.requests.slice(before);
    const body = request?.body as { template_id: string; reference: string; email_address: string };
    assert.equal(request?.status, 201);
    assert.equal(body.template_id, notify.templateIds.staff_daily);
    assert.equal(body.email_address, scene.follower.email);
    assert.equal(body.reference, (await ledgerOf(scene.follower.id))[0]?.id);
  });

  test('a failure Notify may recover from is retried; the retry sends the email', async () => {
    const { staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    await send(staff, application.id);
    const job = await theJobseekerJob(application.id);
    notify.failNext(1, 500, 'Exception', 'Internal server error');
    await assert.rejects(
      notifyContainer.notifications.sendJobseekerEmail(application.id, firstAttempt(job.id)),
      /Notify did not accept the email/,
    );
    assert.deepEqual(
      (await ledgerOf(jobseeker.id)).map((row) => row.status),
      ['retrying'],
    );
    assert.equal(
      await notifyContainer.notifications.sendJobseekerEmail(application.id, {
        ...firstAttempt(job.id),
        retryCount: 1,
      }),
      'sent',
    );
    const rows = await ledgerOf(jobseeker.id);
    assert.deepEqual(
      rows.map((row) => [row.status, row.attempts]),
      [['sent', 2]],
    );
    assert.equal(notify.accepted.filter((n) => n.request.reference === rows[0]?.id).length, 1);
  });

  test('a refusal that will not change (400) is recorded as failed and not retried', async () => {
    const { staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    await send(staff, application.id);
    notify.failNext(1, 400, 'BadRequestError', 'Can’t send to this recipient using a team-only API key');
    await workJobseekerJob(application.id, notifyContainer);
    const [row] = await ledgerOf(jobseeker.id);
    assert.equal(row?.status, 'failed');
    assert.match(row.last_error ?? '', /team-only API key/);
  });

  test('a wrongly signed token is refused by Notify', async () => {
    const wrongKey = `${notify.apiKey.slice(0, -36)}${randomUUID()}`;
    const wrong = testContainer({
      env: {
        EMAIL_TRANSPORT: 'notify',
        NOTIFY_API_KEY: wrongKey,
        NOTIFY_BASE_URL: notify.url,
        NOTIFY_TEMPLATE_JOBSEEKER_MESSAGES: notify.templateIds.jobseeker_messages,
        NOTIFY_TEMPLATE_STAFF_DAILY: notify.templateIds.staff_daily,
      },
    });
    const { staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    await send(staff, application.id);
    const before = notify.requests.length;
    await workJobseekerJob(application.id, wrong);
    assert.equal(notify.requests[before]?.status, 403);
    assert.equal((await ledgerOf(jobseeker.id))[0]?.status, 'failed');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('the file transport (development)', () => {
  test('writes each email to the mail folder, and /dev/mail lists it', async () => {
    const { school, staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    await send(staff, application.id);
    assert.equal(await workJobseekerJob(application.id, files), 'sent');
    const written = (await readdir(mailDir)).filter((name) => name.endsWith('.json'));
    assert.equal(written.length, 1);
    const stored = JSON.parse(await readFile(path.join(mailDir, written[0]!), 'utf8')) as {
      to: string;
      subject: string;
      reference: string;
    };
    assert.equal(stored.to, jobseeker.email);
    assert.equal(stored.subject, `New message from ${school.name}`);
    const [row] = await ledgerOf(jobseeker.id);
    assert.equal(stored.reference, row?.id);
    assert.equal(row?.provider_reference, written[0]);

    const page = await new TestClient(filesApp).get('/dev/mail');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`New message from ${school.name}`));
    assert.ok(page.body.includes(jobseeker.email));
  });

  test('/dev/mail does not exist with the production configuration', async () => {
    const production = testContainer({
      env: {
        NODE_ENV: 'production',
        SESSION_SECRET: 'a-production-like-secret-of-enough-length-0123456789',
        BASE_URL: baseUrl,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        MAIL_DIR: mailDir,
      },
    });
    const productionApp = await testApp(production);
    const response = await productionApp.inject({ method: 'GET', url: '/dev/mail' });
    assert.equal(response.statusCode, 404);
    assert.ok(!response.body.includes('Emails sent'));
  });
});
