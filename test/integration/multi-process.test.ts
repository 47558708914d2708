import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { dueDailyRun } from '../../src/notifications/daily-schedule.ts';
import { isolatedDatabase, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
} from '../support/factories.ts';
import { HttpClient } from '../support/browserless-client.ts';
import { fieldValue } from '../support/html.ts';
import { startParley, type ParleyProcess } from '../support/processes.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';
import { waitForQueuesSettled } from '../support/queue.ts';

/**
 * Two web processes and two worker processes on one PostgreSQL, as real processes: sessions and messages cross from
 * one web process to the other, the daily email run sends exactly one email per person, and when a worker is killed
 * in the middle of it, the other finishes its jobs.
 */
const databaseUrl = await isolatedDatabase('multiprocess');
const container = testContainer({ databaseUrl });
const db = container.db;
const files = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-multi-'));
let smtp: TestSmtpServer;
const processes: ParleyProcess[] = [];

function environment(): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    EMAIL_TRANSPORT: 'smtp',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_REQUIRE_TLS: 'false',
    JOBSEEKER_EMAIL_DELAY_SECONDS: '1',
    EMAIL_RETRY_DELAY_SECONDS: '1',
    FILE_STORAGE_DIR: path.join(files, 'files'),
    SESSION_SECRET: 'a-secret-shared-by-every-process-of-this-test-1234',
  };
}

async function start(mode: 'web' | 'worker'): Promise<ParleyProcess> {
  const started = await startParley({ mode, env: environment() });
  processes.push(started);
  return started;
}

before(async () => {
  smtp = await startSmtpServer();
});
after(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await smtp.stop();
  await fs.rm(files, { recursive: true, force: true });
});

describe('two web processes', () => {
  test('a session started on one works on the other, and a message sent through one appears on the other', async () => {
    const [webA, webB] = [await start('web'), await start('web')];
    const school = await createOrganisation(db);
    const staff = await createStaff(db, [school.id], 'Amara Okafor');
    const vacancy = await createVacancy(db, school.id, { createdBy: staff.id });
    const jobseeker = await createJobseeker(db, 'Sam Taylor');
    const application = await createApplication(db, {
      vacancyId: vacancy.id,
      jobseeker,
      status: 'interviewing',
      staffId: staff.id,
    });

    const onA = new HttpClient(webA.url);
    await onA.signIn(staff.email);
    const onB = new HttpClient(webB.url);
    for (const [name, value] of onA.cookies) onB.cookies.set(name, value);
    const page = await onB.get(`/staff/applications/${application.id}`);
    assert.equal(page.status, 200, 'the session from web A is valid on web B');

    const words = `Interview on Monday ${randomUUID()}`;
    const formKey = fieldValue(page.body, 'formKey') ?? '';
    const sent = await onA.postMultipart(`/staff/applications/${application.id}/messages`, {
      formKey,
      format: 'text',
      body: words,
    });
    assert.equal(sent.status, 403, 'the CSRF token of a page from web B is tied to the session, not to web A');
    await onA.get(`/staff/applications/${application.id}`);
    const retry = await onA.postMultipart(`/staff/applications/${application.id}/messages`, {
      formKey,
      format: 'text',
      body: words,
    });
    assert.equal(retry.status, 303);

    const reader = new HttpClient(webB.url);
    await reader.signIn(jobseeker.email);
    const conversation = await reader.get(`/applications/${application.id}`);
    assert.ok(conversation.body.includes(words), 'the message sent through web A is on web B');
  });
});

describe('two worker processes', () => {
  test('the daily run sends one email per person; a worker killed in the middle is finished by the other', async () => {
    // Ten staff members, each following an application with an unread jobseeker message from before today's cutoff.
    const run = dueDailyRun(new Date());
    const school = await createOrganisation(db);
    const recipients: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const staff = await createStaff(db, [school.id], `Staff ${i}`);
      const vacancy = await createVacancy(db, school.id, { createdBy: staff.id });
      const jobseeker = await createJobseeker(db, `Applicant ${i}`);
      const application = await createApplication(db, {
        vacancyId: vacancy.id,
        jobseeker,
        status: 'interviewing',
        staffId: staff.id,
      });
      const user = await container.accounts.loadSignedInUser(jobseeker.id);
      assert.ok(user);
      const result = await container.messaging.sendMessage({
        applicationId: application.id,
        sender: user,
        formKey: randomUUID(),
        body: { format: 'text', body: 'Hello' },
        files: [],
      });
      assert.equal(result.outcome, 'sent');
      recipients.push(staff.email);
    }
    // The messages arrived an hour before the cutoff of the run that is due now (so that run covers them).
    await sql`update messages set sent_at = ${new Date(run.cutoff.getTime() - 3_600_000)}`.execute(db);

    // The third email is held by the SMTP server while its worker is killed: not delivered (no 250).
    let seen = 0;
    smtp.holdWhen((email) => email.envelope.to.some((to) => recipients.includes(to)) && ++seen === 3);
    const first = await start('worker');
    const [heldEmail] = await smtp.waitForHeld(1, 60_000);
    assert.ok(heldEmail);
    const second = await start('worker');
    await first.stop('SIGKILL');
    heldEmail.drop();

    const delivered = await smtp.waitForReceived(
      recipients.length,
      (email) => email.envelope.to.some((to) => recipients.includes(to)),
      150_000,
    );
    // Every job of the run has finished, including the killed worker's once pg-boss has retried it: any duplicate
    // would have been sent by now.
    await waitForQueuesSettled(db, ['daily-email-run', 'staff-daily-email'], 120_000);
    for (const address of recipients) {
      assert.equal(smtp.to(address).length, 1, `${address} has exactly one daily email`);
    }
    assert.equal(delivered.length, recipients.length);
    const runs = await db.selectFrom('daily_email_runs').selectAll().execute();
    assert.equal(runs.length, 1, 'one run, whichever worker started it');
    assert.ok(second.output().includes('staff daily email'), 'the second worker sent some of them');
  });
});
