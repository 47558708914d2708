import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import pino from 'pino';
import { fixedClock, isolatedDatabase, testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
  type TestUser,
} from '../support/factories.ts';
import { signedInAs } from '../support/conversations.ts';
import { signedInClient } from '../support/http.ts';
import { errorSummary, fieldValue, textsOf } from '../support/html.ts';
import { minimalPdf } from '../support/sample-files.ts';
import { assertKeptCountsAgree } from '../support/kept-counts.ts';
import { createRetentionService } from '../../src/records/service.ts';

/**
 * Retention (src/records): deletion dates, holds, the warning a week before, and the daily run: in batches, files
 * included, exactly once, resumable after a crash, never touching another organisation. Its own database: the run
 * deletes whatever has expired.
 */
const clock = fixedClock(new Date('2026-03-01T09:00:00Z'));
const container = testContainer({ clock, databaseUrl: await isolatedDatabase('retention') });
const app = await testApp(container);
const db = container.db;

async function send(applicationId: string, sender: TestUser, body: string, withFile = false) {
  const result = await container.messaging.sendMessage({
    applicationId,
    sender: await signedInAs(container, sender),
    formKey: randomUUID(),
    body: { format: 'text', body },
    files: withFile ? [{ fileName: `${body}.pdf`, data: minimalPdf(), truncated: false }] : [],
  });
  assert.equal(result.outcome, 'sent');
}

async function storageKeysOf(applicationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('message_attachments as f')
    .innerJoin('messages as m', 'm.id', 'f.message_id')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select('f.storage_key')
    .where('c.application_id', '=', applicationId)
    .execute();
  return rows.map((r) => r.storage_key);
}

async function exists(applicationId: string): Promise<boolean> {
  return (
    (await db.selectFrom('applications').select('id').where('id', '=', applicationId).executeTakeFirst()) !== undefined
  );
}

/** A school whose vacancy closed on 10 January 2026, with applications in several states, messages, files, notes. */
async function school(name: string) {
  const organisation = await createOrganisation(db, 'school', `${name} ${randomUUID().slice(0, 6)}`);
  const staff = await createStaff(db, [organisation.id], `${name} Staff`);
  const vacancy = await createVacancy(db, organisation.id, { closingDate: '2026-01-10', createdBy: staff.id });
  const applications: { id: string; status: string }[] = [];
  for (const status of ['submitted', 'not_progressing', 'shortlisted', 'offered', 'withdrawn'] as const) {
    const jobseeker = await createJobseeker(db, `${name} ${status}`);
    const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status, staffId: staff.id });
    if (status !== 'withdrawn') {
      await send(application.id, staff, `Hello ${status}`, true);
      if (status === 'submitted') await send(application.id, jobseeker, `Reply ${status}`, true);
      await container.notes.addNote({
        applicationId: application.id,
        author: await signedInAs(container, staff),
        body: `Note on ${status}`,
        mentions: [],
      });
    }
    applications.push({ id: application.id, status });
  }
  return { organisation, staff, vacancy, applications };
}

describe('retention', () => {
  test('deletion dates, holds and settings on the staff pages; bad input is refused the GOV.UK way', async () => {
    const scene = await school('Pages');
    const client = await signedInClient(app, scene.staff.email);
    const submitted = scene.applications[0]!.id;
    const offered = scene.applications[3]!.id;
    let page = (await client.get(`/staff/applications/${submitted}`)).body;
    assert.match(
      textsOf(page, '#deletion-date')[0]!,
      /^Will be deleted on 10 July 2026 \(6 months after the vacancy’s closing date, 10 January 2026, for applicants who were not offered the job\)/,
    );
    page = (await client.get(`/staff/applications/${offered}`)).body;
    assert.match(textsOf(page, '#deletion-date')[0]!, /^Will be deleted on 10 January 2027 \(12 months/);

    const empty = await client.post(`/staff/applications/${submitted}/retention-hold`, { hold: 'place', reason: ' ' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), [
      { text: 'Enter why this application must be kept', href: '#holdReason' },
    ]);
    const tooLong = await client.post(`/staff/applications/${submitted}/retention-hold`, {
      hold: 'place',
      reason: 'x'.repeat(501),
    });
    assert.equal(tooLong.statusCode, 400);
    assert.equal(fieldValue(tooLong.body, 'reason'), 'x'.repeat(501), 'what was typed is kept');

    const placed = await client.post(`/staff/applications/${submitted}/retention-hold`, {
      hold: 'place',
      reason: 'Employment tribunal claim',
    });
    assert.equal(placed.statusCode, 303);
    page = (await client.get(`/staff/applications/${submitted}`)).body;
    assert.match(
      page,
      /This application is on hold and will not be deleted\. Placed by Pages Staff on \d+ \w+ \d{4}: “Employment tribunal claim”/,
    );
    await client.post(`/staff/applications/${submitted}/retention-hold`, { hold: 'remove' });
    page = (await client.get(`/staff/applications/${submitted}`)).body;
    assert.match(page, /Will be deleted on 10 July 2026/);
    const audit = await db
      .selectFrom('audit_events')
      .select(['action', 'actor_user_id'])
      .where('application_id', '=', submitted)
      .orderBy('occurred_at')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['retention_hold_placed', 'retention_hold_removed'],
    );

    // Someone else's application: 404, nothing placed.
    const elsewhere = await createOrganisation(db);
    const stranger = await createStaff(db, [elsewhere.id]);
    const strangerClient = await signedInClient(app, stranger.email);
    await strangerClient.get('/staff/retention');
    const refused = await strangerClient.post(`/staff/applications/${submitted}/retention-hold`, {
      hold: 'place',
      reason: 'mine',
    });
    assert.equal(refused.statusCode, 404);
    assert.equal((await strangerClient.get(`/staff/retention/${scene.organisation.id}`)).statusCode, 404);
    assert.equal(
      (
        await strangerClient.post(`/staff/retention/${scene.organisation.id}`, {
          monthsNotOffered: '1',
          monthsOffered: '1',
        })
      ).statusCode,
      404,
    );

    // Settings: every error at once, then saved; the page's date follows.
    const settings = (await client.get('/staff/retention')).body;
    assert.match(settings, new RegExp(`${scene.organisation.name}\\s*</td>\\s*<td[^>]*>6 months \\(default\\)`));
    await client.get(`/staff/retention/${scene.organisation.id}`);
    const bad = await client.post(`/staff/retention/${scene.organisation.id}`, {
      monthsNotOffered: 'six',
      monthsOffered: '0',
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorSummary(bad.body), [
      {
        text: 'Months to keep applications from applicants who were not offered the job must be a whole number, like 6',
        href: '#monthsNotOffered',
      },
      {
        text: 'Months to keep applications from applicants who were offered the job must be between 1 and 120',
        href: '#monthsOffered',
      },
    ]);
    assert.equal(fieldValue(bad.body, 'monthsNotOffered'), 'six');
    const saved = await client.post(`/staff/retention/${scene.organisation.id}`, {
      monthsNotOffered: '3',
      monthsOffered: '24',
    });
    assert.equal(saved.statusCode, 303);
    page = (await client.get(`/staff/applications/${submitted}`)).body;
    assert.match(textsOf(page, '#deletion-date')[0]!, /^Will be deleted on 10 April 2026 \(3 months/);
    await db.deleteFrom('retention_settings').where('organisation_id', '=', scene.organisation.id).execute();
  });

  test('the daily run: a warning a week before, then deletion in batches, resumable after a crash, exactly once', async () => {
    const ours = await school('Ours');
    const theirs = await school('Theirs');
    // The other organisation keeps applications for 24 months: nothing of theirs has expired.
    await db
      .insertInto('retention_settings')
      .values({ organisation_id: theirs.organisation.id, months_not_offered: 24, months_offered: 24, updated_by: null })
      .execute();
    const [submitted, notProgressing, shortlisted, offered, withdrawn] = ours.applications.map((a) => a.id) as [
      string,
      string,
      string,
      string,
      string,
    ];
    // The staff member has read the applicant's reply and archived another: read states the deletion must count.
    const staffClient = await signedInClient(app, ours.staff.email);
    assert.equal((await staffClient.get(`/staff/applications/${submitted}`)).statusCode, 200);
    const archivedConversation = await db
      .selectFrom('conversations')
      .select('id')
      .where('application_id', '=', notProgressing)
      .executeTakeFirstOrThrow();
    await container.dashboard.archive(await signedInAs(container, ours.staff), [archivedConversation.id], true);
    await assertKeptCountsAgree(db, [ours.organisation.id, theirs.organisation.id]);
    // A hold on the shortlisted one.
    await db
      .insertInto('retention_holds')
      .values({ application_id: shortlisted, reason: 'Complaint', placed_by: ours.staff.id })
      .execute();
    const ourFiles = [...(await storageKeysOf(submitted)), ...(await storageKeysOf(notProgressing))];
    assert.equal(ourFiles.length, 3);
    const expired = [submitted, notProgressing, withdrawn];
    const messagesBefore = await db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select('m.id')
      .where('c.application_id', 'in', expired)
      .execute();
    const theirFiles = (await Promise.all(theirs.applications.map((a) => storageKeysOf(a.id)))).flat();
    for (const key of [...ourFiles, ...theirFiles]) assert.ok(await container.storage.get(key), 'stored before');

    // 3 July: a week before 10 July, staff are told what will go (once), nothing is deleted.
    clock.set(new Date('2026-07-03T01:30:00Z'));
    const warnedRun = await container.records.retention.runRetention();
    assert.equal(warnedRun.applications, 0);
    const warnings = await db
      .selectFrom('notifications')
      .select(['application_id', 'text', 'link'])
      .where('user_id', '=', ours.staff.id)
      .where('text', 'like', '%will be deleted on 10 July 2026')
      .execute();
    assert.deepEqual(
      warnings.map((w) => w.application_id).sort(),
      [submitted, notProgressing, withdrawn].sort(),
      'the three that go on 10 July: not the held one, not the offered one',
    );
    assert.ok(warnings.every((w) => w.link === `/staff/applications/${w.application_id}#retention`));
    const theirWarnings = await db
      .selectFrom('notifications')
      .select('id')
      .where('user_id', '=', theirs.staff.id)
      .where('text', 'like', '%will be deleted%')
      .execute();
    assert.equal(theirWarnings.length, 0);
    assert.ok(warnedRun.warned >= 3);
    assert.equal((await container.records.retention.runRetention()).warned, 0, 'told once');

    // 10 July, 03:30 UK time: a run that dies after its first batch is committed, then one that dies after deleting
    // a file but before recording it, then one that finishes.
    clock.set(new Date('2026-07-10T02:30:00Z'));
    const crashAt = (point: 'after-batch-committed' | 'after-file-deleted') =>
      createRetentionService({
        db,
        clock,
        logger: pino({ level: 'silent' }),
        storage: container.storage,
        applications: container.applications,
        notifyStaff: (trx, notice) => container.notifications.notifyWatchers(trx, notice),
        batchSize: 1,
        checkpoint: (reached) =>
          reached === point ? Promise.reject(new Error(`killed at ${point}`)) : Promise.resolve(),
      });
    await assert.rejects(crashAt('after-batch-committed').runRetention(), /killed at after-batch-committed/);
    // The first test's school has expired too, and the run may take either organisation first: count across both.
    const afterFirst = await db
      .selectFrom('retention_deletions')
      .select((eb) => eb.fn.sum<string>('applications').as('applications'))
      .where('run_date', '=', '2026-07-10')
      .executeTakeFirstOrThrow();
    assert.equal(Number(afterFirst.applications), 1, 'the first batch was committed with its count');
    await assert.rejects(crashAt('after-file-deleted').runRetention(), /killed at after-file-deleted/);
    const finished = await container.records.retention.runRetention();
    assert.equal(await db.selectFrom('retention_pending_files').select('storage_key').executeTakeFirst(), undefined);

    // What expired is gone, files included; the hold, the offered applicant (12 months) and the other
    // organisation are untouched.
    assert.equal(await exists(submitted), false);
    assert.equal(await exists(notProgressing), false);
    assert.equal(await exists(withdrawn), false);
    assert.equal(await exists(shortlisted), true, 'on hold');
    assert.equal(await exists(offered), true, 'kept 12 months');
    for (const key of ourFiles) assert.equal(await container.storage.get(key), null, 'stored file deleted');
    for (const application of theirs.applications) assert.equal(await exists(application.id), true);
    for (const key of theirFiles) assert.ok(await container.storage.get(key), 'their files untouched');
    const theirNotes = await db
      .selectFrom('application_notes')
      .select('id')
      .where(
        'application_id',
        'in',
        theirs.applications.map((a) => a.id),
      )
      .execute();
    assert.equal(theirNotes.length, 4);
    for (const table of [
      'notifications',
      'application_status_changes',
      'conversations',
      'application_notes',
      'application_follows',
    ] as const) {
      const left = await db
        .selectFrom(table)
        .select('application_id')
        .where('application_id', 'in', [submitted, notProgressing, withdrawn])
        .execute();
      assert.equal(left.length, 0, `${table} rows deleted`);
    }

    // The deletion record: counts, exactly once, across the three runs.
    const record = await db
      .selectFrom('retention_deletions')
      .selectAll()
      .where('organisation_id', '=', ours.organisation.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      {
        run: record.run_date,
        applications: record.applications,
        messages: record.messages,
        notes: record.notes,
        attachments: record.attachments,
        files: record.files_deleted,
      },
      { run: '2026-07-10', applications: 3, messages: messagesBefore.length, notes: 2, attachments: 3, files: 3 },
    );
    assert.equal(
      await db
        .selectFrom('retention_deletions')
        .select('organisation_id')
        .where('organisation_id', '=', theirs.organisation.id)
        .executeTakeFirst(),
      undefined,
    );
    assert.ok(finished.applications >= 1);

    // Running again changes nothing.
    const again = await container.records.retention.runRetention();
    assert.deepEqual([again.applications, again.files], [0, 0]);

    // The hold removed: the next run deletes it.
    await db.deleteFrom('retention_holds').where('application_id', '=', shortlisted).execute();
    clock.set(new Date('2026-07-11T02:30:00Z'));
    assert.equal((await container.records.retention.runRetention()).applications, 1);
    assert.equal(await exists(shortlisted), false);
    // The dashboard's kept counts lost the deleted conversations, and the staff member's read and archived ones.
    await assertKeptCountsAgree(db, [ours.organisation.id, theirs.organisation.id]);
  });
});

test('a file shared by a bulk message stays until the last application using it goes; messages sent later and bulk lines go with their application', async () => {
  clock.set(new Date('2026-07-20T02:30:00Z'));
  const organisation = await createOrganisation(db, 'school', `Shared ${randomUUID().slice(0, 6)}`);
  const staff = await createStaff(db, [organisation.id], 'Shared Staff');
  const vacancy = await createVacancy(db, organisation.id, { closingDate: '2026-01-10', createdBy: staff.id });
  const applicants = [];
  for (const name of ['Ann', 'Bob']) {
    const jobseeker = await createJobseeker(db, `${name} Shared`);
    applicants.push(
      await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'not_progressing', staffId: staff.id }),
    );
  }
  const [ann, bob] = applicants as [{ id: string }, { id: string }];
  // Ann's message carries a file; Bob's message points at the same stored file, as a bulk message's do.
  await send(ann.id, staff, 'Shared timetable', true);
  await send(bob.id, staff, 'Shared timetable too');
  const [key] = await storageKeysOf(ann.id);
  assert.ok(key);
  const annFile = await db
    .selectFrom('message_attachments')
    .selectAll()
    .where('storage_key', '=', key)
    .executeTakeFirstOrThrow();
  const bobMessage = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select('m.id')
    .where('c.application_id', '=', bob.id)
    .executeTakeFirstOrThrow();
  await db
    .insertInto('message_attachments')
    .values({
      message_id: bobMessage.id,
      storage_key: key,
      file_name: annFile.file_name,
      content_type: annFile.content_type,
      size_bytes: annFile.size_bytes,
      scan_result: annFile.scan_result,
    })
    .execute();
  // Ann also has a message waiting to be sent later and a line in a bulk batch.
  const batch = await db
    .insertInto('bulk_batches')
    .values({ vacancy_id: vacancy.id, sender_user_id: staff.id, from_status: 'not_progressing', state: 'done' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('bulk_recipients')
    .values({ batch_id: batch.id, application_id: ann.id, position: 1, outcome: 'sent' })
    .execute();
  await db
    .insertInto('scheduled_messages')
    .values({
      application_id: ann.id,
      sender_user_id: staff.id,
      body_html: '<p>Later</p>',
      send_at: new Date('2026-08-01T09:00:00Z'),
      form_key: randomUUID(),
    })
    .execute();
  // Bob is held: Ann goes, the shared file stays for Bob.
  await db
    .insertInto('retention_holds')
    .values({ application_id: bob.id, reason: 'Appeal', placed_by: staff.id })
    .execute();
  await container.records.retention.runRetention();
  assert.equal(await exists(ann.id), false);
  assert.equal(await exists(bob.id), true);
  assert.ok(await container.storage.get(key), 'the file Bob still uses is kept');
  assert.equal(
    await db.selectFrom('scheduled_messages').select('id').where('application_id', '=', ann.id).executeTakeFirst(),
    undefined,
  );
  // The hold is lifted: Bob goes, and the file with him.
  await db.deleteFrom('retention_holds').where('application_id', '=', bob.id).execute();
  await container.records.retention.runRetention();
  assert.equal(await exists(bob.id), false);
  assert.equal(await container.storage.get(key), null, 'the last user of the file is gone, so is the file');
});
