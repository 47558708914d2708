/**
 * `node bench/bulk.ts [--scale 1]`: the bulk and send-later scenarios of issue 14, in a database of their own
 * (`parley_bench_bulk` on the benchmark's cluster; the main benchmark's data is not touched).
 *
 * 1. A bulk message to 500 applicants with a template (placeholders filled per applicant), sent through the bulk
 *    service as the "Send" button does: the time until every applicant's message (and its notifications and email
 *    job) has committed. Target: under 2 s on a 2-core machine.
 * 2. 1,000 scheduled messages due in the same minute, sent by two real worker processes (`src/main.ts --worker`):
 *    the time from their due moment until the last has been sent. Target: under 60 s.
 *
 * `--scale 0.2` runs both at a fifth of the size (100 applicants, 200 scheduled messages), for a busy machine.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { createContainer } from '../src/container.ts';
import { createDatabase, migrateToLatest } from '../src/platform/db.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
} from '../test/support/factories.ts';
import { freePort, startBenchServer, withClient } from './database.ts';
import { startSmtpSink } from './daily-email.ts';
import { newSessionSecret, startWorkers } from './processes.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const scaleArgument = process.argv.indexOf('--scale');
const scale = scaleArgument >= 0 ? Number(process.argv[scaleArgument + 1]) : 1;
if (!(scale > 0 && scale <= 1)) throw new Error('--scale must be a number above 0, at most 1');
const recipients = Math.round(500 * scale);
const scheduledCount = Math.round(1000 * scale);
const databaseName = 'parley_bench_bulk';

const server = await startBenchServer(log);
await withClient(server.url('postgres'), async (client) => {
  await client.query(`drop database if exists ${databaseName} with (force)`);
  await client.query(`create database ${databaseName}`);
});
const databaseUrl = server.url(databaseName);
{
  const { db } = createDatabase(databaseUrl, 2);
  await migrateToLatest(db);
  await db.destroy();
}
const files = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-bulk-'));
const config = loadConfig({
  NODE_ENV: 'development',
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: 'silent',
  LOAD_DEMO_DATA: 'false',
  FILE_STORAGE_DIR: path.join(files, 'attachments'),
  MAIL_DIR: path.join(files, 'mail'),
});
const container = createContainer({ config, logger: pino({ level: 'silent' }), databaseUrl });
const { db } = container;

try {
  log(`\nSetting up ${recipients} applicants to each of two vacancies…`);
  const school = await createOrganisation(db);
  const staffUser = await createStaff(db, [school.id], 'Amara Okafor');
  const firstVacancy = await createVacancy(db, school.id);
  const vacancies = [firstVacancy, await createVacancy(db, school.id)];
  const applicationIds: string[] = [];
  for (let i = 0; i < recipients; i += 1) {
    const jobseeker = await createJobseeker(db, `Applicant ${i} Bench`);
    for (const vacancy of vacancies) {
      const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'submitted' });
      applicationIds.push(application.id);
    }
  }
  const staff = await container.accounts.loadSignedInUser(staffUser.id);
  if (!staff) throw new Error('the bench staff member is missing');

  // 1. Bulk send with a template.
  const template = await container.templates.create(staff, {
    name: 'Shortlisted',
    sharing: school.id,
    body: {
      format: 'text',
      body: 'Dear ((first name)),\n\nThank you for applying for ((job title)) at ((school name)). You are **shortlisted**: please book a slot.\n\n((sender name))',
    },
  });
  if (template.outcome !== 'saved') throw new Error('the template was not saved');
  const started = await container.bulk.startBatch(staff, {
    vacancyId: firstVacancy.id,
    fromStatus: 'submitted',
    applicationIds: [],
    selectAll: true,
  });
  if (started.outcome !== 'started') throw new Error(`the batch did not start: ${JSON.stringify(started)}`);
  const picked = await container.bulk.compose(staff, started.batchId, {
    action: 'use-template',
    templateId: template.templateId,
    body: { format: 'text', body: '' },
    toStatus: '',
    when: 'now',
    sendLater: { day: '', month: '', year: '', time: '' },
    files: [],
  });
  if (picked.outcome !== 'template') throw new Error('the template was not picked');
  const composed = await container.bulk.compose(staff, started.batchId, {
    action: 'preview',
    templateId: template.templateId,
    body: { format: 'html', body: picked.html },
    toStatus: '',
    when: 'now',
    sendLater: { day: '', month: '', year: '', time: '' },
    files: [],
  });
  if (composed.outcome !== 'saved') throw new Error(`the batch was not composed: ${JSON.stringify(composed)}`);
  const bulkStart = performance.now();
  await container.bulk.send(staff, started.batchId);
  const bulkMs = performance.now() - bulkStart;
  const sent = await db
    .selectFrom('bulk_recipients')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('batch_id', '=', started.batchId)
    .where('outcome', '=', 'sent')
    .executeTakeFirstOrThrow();
  log(`Bulk send with a template: ${sent.count} of ${recipients} messages committed in ${bulkMs.toFixed(0)} ms`);

  // 2. Scheduled messages due in the same minute, two worker processes.
  const smtpPort = await freePort();
  const sink = await startSmtpSink(smtpPort);
  const dueAt = new Date(Math.ceil((Date.now() + 30_000) / 60_000) * 60_000); // the start of a minute, 30-90 s ahead
  const all = applicationIds.slice(0, scheduledCount);
  for (let start = 0; start < all.length; start += 100) {
    await db.transaction().execute(async (trx) => {
      for (const [offset, applicationId] of all.slice(start, start + 100).entries()) {
        await container.scheduled.scheduleInTransaction(trx, {
          applicationId,
          senderUserId: staff.id,
          batchId: null,
          html: `<p>Reminder ${start + offset}: your interview is tomorrow.</p>`,
          sendAt: dueAt, // all at the same moment
          attachments: [],
          formKey: crypto.randomUUID(),
        });
      }
    });
  }
  log(`${all.length} messages scheduled for ${dueAt.toISOString()}; starting two workers…`);
  const workers = startWorkers({ databaseUrl, port: await freePort(), smtpPort, sessionSecret: newSessionSecret() }, 2);
  try {
    while (Date.now() < dueAt.getTime()) await sleep(200);
    const deadline = dueAt.getTime() + 300_000;
    let lastSentAt = 0;
    for (;;) {
      const left = await db
        .selectFrom('scheduled_messages')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('state', '=', 'scheduled')
        .executeTakeFirstOrThrow();
      if (left.count === 0) {
        const last = await db
          .selectFrom('scheduled_messages')
          .select((eb) => eb.fn.max('updated_at').as('last'))
          .executeTakeFirstOrThrow();
        lastSentAt = new Date(last.last).getTime();
        break;
      }
      if (Date.now() > deadline) throw new Error(`${left.count} scheduled messages still waiting after 300 s`);
      await sleep(250);
    }
    const duplicates = await db
      .selectFrom('scheduled_messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('state', '<>', 'sent')
      .executeTakeFirstOrThrow();
    log(
      `Scheduled messages: ${all.length} due at the same moment, all sent ${((lastSentAt - dueAt.getTime()) / 1000).toFixed(1)} s after it with two workers (${duplicates.count} not sent)`,
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await sink.stop();
  }
} finally {
  await container.close();
  await server.stop();
}
