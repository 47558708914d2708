import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import type { ApplicationStatus } from '../../src/applications/status.ts';
import { testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
  unique,
  type TestUser,
} from '../support/factories.ts';
import { signedInClient, type TestClient } from '../support/http.ts';
import { errorSummary, fieldValue, findAll, findOne, textOf } from '../support/html.ts';
import { minimalPdf } from '../support/sample-files.ts';

/**
 * Bulk messages through the pages a member of staff uses (real PostgreSQL, fastify.inject): ticking, composing,
 * previewing, sending; and the rules that must hold when requests race (a double submit, a status change meanwhile).
 */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

const names = ['Sam Taylor', 'Priya Shah', 'Tom Fletcher', 'Ruth Bennett', 'Alex Morgan', 'Jo Lee'];

async function bulkScene(count = 3, status: ApplicationStatus = 'submitted') {
  const school = await createOrganisation(db);
  const staff = await createStaff(db, [school.id], 'Amara Okafor');
  const vacancy = await createVacancy(db, school.id, { createdBy: staff.id, title: unique('Teacher') });
  const applicants: { jobseeker: TestUser; id: string }[] = [];
  for (let i = 0; i < count; i += 1) {
    const jobseeker = await createJobseeker(db, names[i % names.length]);
    const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status, staffId: staff.id });
    applicants.push({ jobseeker, id: application.id });
  }
  const client = await signedInClient(app, staff.email);
  return { school, staff, vacancy, applicants, client };
}

async function startBatch(client: TestClient, vacancyId: string, ids: string[], fromStatus = 'submitted') {
  await client.get(`/staff/vacancies/${vacancyId}?status=${fromStatus}`);
  const response = await client.post(`/staff/vacancies/${vacancyId}/bulk`, {
    fromStatus,
    applicationIds: ids,
    selectAll: 'no',
  });
  assert.equal(response.statusCode, 303, response.body.slice(0, 300));
  const match = /\/staff\/bulk\/([0-9a-f-]{36})$/.exec(response.headers.location ?? '');
  assert.ok(match);
  return match[1]!;
}

async function compose(
  client: TestClient,
  batchId: string,
  fields: Record<string, string>,
  files: { fileName: string; data: Buffer }[] = [],
) {
  await client.get(`/staff/bulk/${batchId}`);
  return client.postMultipart(
    `/staff/bulk/${batchId}`,
    { templateId: '', format: 'text', toStatus: '', when: 'now', ...fields },
    files,
  );
}

async function send(client: TestClient, batchId: string) {
  await client.get(`/staff/bulk/${batchId}/preview`);
  return client.post(`/staff/bulk/${batchId}/send`, {});
}

async function messagesOf(applicationId: string) {
  return db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select(['m.id', 'm.body_html as bodyHtml', 'm.body_text as bodyText', 'c.id as conversationId'])
    .where('c.application_id', '=', applicationId)
    .execute();
}

async function statusOf(applicationId: string) {
  const row = await db
    .selectFrom('applications')
    .select('status')
    .where('id', '=', applicationId)
    .executeTakeFirstOrThrow();
  return row.status;
}

async function outcomes(batchId: string) {
  const rows = await db
    .selectFrom('bulk_recipients')
    .select(['application_id', 'outcome', 'reason'])
    .where('batch_id', '=', batchId)
    .orderBy('position')
    .execute();
  return rows.map((row) => ({ id: row.application_id, outcome: row.outcome, reason: row.reason }));
}

describe('ticking applicants', () => {
  test('none ticked, or more than 500, is a GOV.UK error on the applications page; nothing is made', async () => {
    const { vacancy, client, staff } = await bulkScene(2);
    await client.get(`/staff/vacancies/${vacancy.id}`);
    const none = await client.post(`/staff/vacancies/${vacancy.id}/bulk`, { fromStatus: 'submitted', selectAll: 'no' });
    assert.equal(none.statusCode, 400);
    assert.deepEqual(errorSummary(none.body), [{ text: 'Select at least one applicant', href: '#applicants' }]);
    const many = Array.from({ length: 501 }, () => randomUUID());
    const tooMany = await client.post(`/staff/vacancies/${vacancy.id}/bulk`, {
      fromStatus: 'submitted',
      selectAll: 'no',
      applicationIds: many,
    });
    assert.equal(tooMany.statusCode, 400);
    assert.deepEqual(errorSummary(tooMany.body), [
      {
        text: 'You can message up to 500 applicants at once. You selected 501. Select fewer applicants',
        href: '#applicants',
      },
    ]);
    const batches = await db.selectFrom('bulk_batches').select('id').where('sender_user_id', '=', staff.id).execute();
    assert.equal(batches.length, 0);
  });

  test('another school’s application, or another school’s vacancy, is 404', async () => {
    const mine = await bulkScene(1);
    const theirs = await bulkScene(1);
    await mine.client.get(`/staff/vacancies/${mine.vacancy.id}`);
    const foreign = await mine.client.post(`/staff/vacancies/${mine.vacancy.id}/bulk`, {
      fromStatus: 'submitted',
      selectAll: 'no',
      applicationIds: [mine.applicants[0]!.id, theirs.applicants[0]!.id],
    });
    assert.equal(foreign.statusCode, 404);
    const otherVacancy = await mine.client.post(`/staff/vacancies/${theirs.vacancy.id}/bulk`, {
      fromStatus: 'submitted',
      selectAll: 'yes',
    });
    assert.equal(otherVacancy.statusCode, 404);
  });

  test('"select all on this tab" takes every applicant with that status, and only them', async () => {
    const { vacancy, client, applicants, staff } = await bulkScene(3);
    const shortlisted = await createApplication(db, {
      vacancyId: vacancy.id,
      jobseeker: await createJobseeker(db, 'Other Person'),
      status: 'shortlisted',
      staffId: staff.id,
    });
    const page = await client.get(`/staff/vacancies/${vacancy.id}`);
    assert.equal(findAll(page.body, 'input.govuk-checkboxes__input').length, 3);
    const response = await client.post(`/staff/vacancies/${vacancy.id}/bulk`, {
      fromStatus: 'submitted',
      selectAll: 'yes',
    });
    assert.equal(response.statusCode, 303);
    const batchId = /([0-9a-f-]{36})$/.exec(response.headers.location ?? '')![1]!;
    const ids = (await outcomes(batchId)).map((row) => row.id).sort();
    assert.deepEqual(ids, applicants.map((a) => a.id).sort());
    assert.ok(!ids.includes(shortlisted.id));
  });
});

describe('composing', () => {
  test('bad input is refused all at once and nothing is saved', async () => {
    const { vacancy, client, applicants } = await bulkScene(1);
    const batchId = await startBatch(client, vacancy.id, [applicants[0]!.id]);
    const response = await compose(client, batchId, {
      body: 'Dear ((frist name))',
      toStatus: 'not_progressing',
      when: 'later',
      'sendDate-day': '1',
      'sendDate-month': '1',
      'sendDate-year': '2020',
      sendTime: '9am',
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(
      errorSummary(response.body).map((e) => e.text),
      [
        '((frist name)) is not a placeholder you can use. Use one from the list of placeholders',
        'The time to send must be in the future',
        'A status change happens when you send. To send later, choose not to change the status',
      ],
    );
    const empty = await compose(client, batchId, { body: '' });
    assert.deepEqual(errorSummary(empty.body), [{ text: 'Enter a message', href: '#body' }]);
    const batch = await db
      .selectFrom('bulk_batches')
      .select('body_html')
      .where('id', '=', batchId)
      .executeTakeFirstOrThrow();
    assert.equal(batch.body_html, null);
  });

  test('"Use template" fills the message with the template, placeholders kept for each applicant', async () => {
    const { school, vacancy, client, applicants, staff } = await bulkScene(2);
    const templateId = await container.templates
      .create(
        { id: staff.id, kind: 'staff', email: staff.email, fullName: staff.fullName, organisationNames: [] },
        {
          name: 'Shortlisted',
          sharing: school.id,
          body: { format: 'text', body: 'Dear ((first name)), **well done**.' },
        },
      )
      .then((result) => (result.outcome === 'saved' ? result.templateId : assert.fail('not saved')));
    const batchId = await startBatch(
      client,
      vacancy.id,
      applicants.map((a) => a.id),
    );
    const page = await client.get(`/staff/bulk/${batchId}?template=${templateId}`);
    assert.equal(fieldValue(page.body, 'body'), 'Dear ((first name)), **well done**.');
    assert.match(page.body, new RegExp(`name="templateId" value="${templateId}"`));
    const gone = await client.get(`/staff/bulk/${batchId}?template=${randomUUID()}`);
    assert.deepEqual(errorSummary(gone.body), [
      { text: 'The template you picked no longer exists. Pick another template', href: '#template' },
    ]);
  });
});

describe('sending', () => {
  test('each applicant gets their own copy in their own conversation, with the shared files, notifications and email', async () => {
    const { school, vacancy, client, applicants, staff } = await bulkScene(3);
    // One applicant already has a conversation: the bulk message joins it, never a new thread.
    await container.messaging.sendMessage({
      applicationId: applicants[0]!.id,
      sender: (await container.accounts.loadSignedInUser(staff.id))!,
      formKey: randomUUID(),
      body: { format: 'text', body: 'Earlier' },
      files: [],
    });
    const existing = await messagesOf(applicants[0]!.id);
    assert.equal(existing.length, 1);
    const batchId = await startBatch(
      client,
      vacancy.id,
      applicants.map((a) => a.id),
    );
    const composed = await compose(
      client,
      batchId,
      {
        body: 'Dear ((first name)),\n\nThank you for applying for ((job title)) at ((school name)).\n\n((sender name))',
      },
      [{ fileName: 'information.pdf', data: minimalPdf() }],
    );
    assert.equal(
      composed.statusCode,
      303,
      errorSummary(composed.body)
        .map((e) => e.text)
        .join('; '),
    );
    assert.equal(composed.headers.location, `/staff/bulk/${batchId}/preview`);

    const preview = await client.get(`/staff/bulk/${batchId}/preview?applicant=${applicants[1]!.id}`);
    assert.equal(preview.statusCode, 200);
    assert.match(textOf(findOne(preview.body, '#preview-copy')!), /^Dear Priya,\s*Thank you for applying for/);
    assert.match(preview.body, /Send 3 messages/);

    const sent = await client.post(`/staff/bulk/${batchId}/send`, {});
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, `/staff/bulk/${batchId}/result`);
    const result = await client.get(`/staff/bulk/${batchId}/result`);
    assert.equal(findAll(result.body, '#sent li').length, 3);

    const storageKeys = new Set<string>();
    for (const [index, applicant] of applicants.entries()) {
      const messages = await messagesOf(applicant.id);
      const bulkMessages = messages.filter((m) => m.bodyText.startsWith('Dear'));
      assert.equal(bulkMessages.length, 1);
      const first = names[index]!.split(' ')[0]!;
      assert.equal(
        bulkMessages[0]!.bodyText,
        `Dear ${first},\n\nThank you for applying for ${vacancy.title} at ${school.name}.\n\nAmara Okafor`,
      );
      for (const other of names.slice(0, 3).filter((name) => name !== names[index]))
        assert.ok(!bulkMessages[0]!.bodyHtml.includes(other.split(' ')[0]!));
      assert.equal(new Set(messages.map((m) => m.conversationId)).size, 1);
      const files = await db
        .selectFrom('message_attachments')
        .select(['storage_key', 'file_name'])
        .where('message_id', '=', bulkMessages[0]!.id)
        .execute();
      assert.deepEqual(
        files.map((f) => f.file_name),
        ['information.pdf'],
      );
      storageKeys.add(files[0]!.storage_key);
      const notice = await db
        .selectFrom('notifications')
        .select('text')
        .where('user_id', '=', applicant.jobseeker.id)
        .executeTakeFirst();
      assert.match(notice?.text ?? '', new RegExp(`${school.name} sent you (a message|2 messages)`));
      const jobs = await sql<{ count: number }>`
        select count(*)::int as count from pgboss.job where name = 'jobseeker-message-email' and data->>'applicationId' = ${applicant.id}
      `.execute(db);
      assert.equal(jobs.rows[0]!.count, 1);
    }
    assert.equal(existing[0]!.conversationId, (await messagesOf(applicants[0]!.id))[0]!.conversationId);
    assert.equal(storageKeys.size, 1, 'the file is stored once and shared');

    // Each applicant can open the file; another school's applicant cannot.
    const attachment = await db
      .selectFrom('message_attachments as a')
      .innerJoin('messages as m', 'm.id', 'a.message_id')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select(['a.id', 'c.application_id'])
      .where('c.application_id', '=', applicants[1]!.id)
      .executeTakeFirstOrThrow();
    const own = await signedInClient(app, applicants[1]!.jobseeker.email);
    assert.equal((await own.get(`/attachments/${attachment.id}`)).statusCode, 200);
    const other = await signedInClient(app, applicants[2]!.jobseeker.email);
    assert.equal((await other.get(`/attachments/${attachment.id}`)).statusCode, 404);
  });

  test('a double submit sends each message once', async () => {
    const { vacancy, client, applicants } = await bulkScene(5);
    const batchId = await startBatch(
      client,
      vacancy.id,
      applicants.map((a) => a.id),
    );
    await compose(client, batchId, { body: 'Dear ((first name)), hello.' });
    await client.get(`/staff/bulk/${batchId}/preview`);
    const [one, two] = await Promise.all([
      client.post(`/staff/bulk/${batchId}/send`, {}),
      client.post(`/staff/bulk/${batchId}/send`, {}),
    ]);
    assert.equal(one.statusCode, 303);
    assert.equal(two.statusCode, 303);
    const again = await client.post(`/staff/bulk/${batchId}/send`, {});
    assert.equal(again.statusCode, 303);
    for (const applicant of applicants) assert.equal((await messagesOf(applicant.id)).length, 1);
    assert.deepEqual(
      (await outcomes(batchId)).map((row) => row.outcome),
      applicants.map(() => 'sent'),
    );
  });

  test('withdrawn since ticked, moved since ticked, or a placeholder with no value: listed as not sent, the rest go', async () => {
    const { vacancy, client, applicants, staff } = await bulkScene(3);
    const nameless = await createJobseeker(db, '  ');
    const blank = await createApplication(db, { vacancyId: vacancy.id, jobseeker: nameless, status: 'submitted' });
    const batchId = await startBatch(client, vacancy.id, [...applicants.map((a) => a.id), blank.id]);
    await compose(client, batchId, { body: 'Dear ((first name)), thank you.' });
    // After ticking: one withdraws, another is shortlisted by a colleague.
    const jobseeker = (await container.accounts.loadSignedInUser(applicants[0]!.jobseeker.id))!;
    assert.equal(
      (
        await container.applications.changeStatus({
          applicationId: applicants[0]!.id,
          actorUserId: jobseeker.id,
          actor: 'jobseeker',
          expectedStatus: 'submitted',
          to: 'withdrawn',
        })
      ).outcome,
      'changed',
    );
    await container.applications.changeStatus({
      applicationId: applicants[1]!.id,
      actorUserId: staff.id,
      actor: 'staff',
      expectedStatus: 'submitted',
      to: 'shortlisted',
    });
    const preview = await client.get(`/staff/bulk/${batchId}/preview`);
    assert.match(preview.body, /Send 1 message/);
    await client.post(`/staff/bulk/${batchId}/send`, {});
    assert.deepEqual(await outcomes(batchId), [
      {
        id: applicants[0]!.id,
        outcome: 'skipped',
        reason: 'Not sent: their application moved to ‘Withdrawn’ after you ticked it',
      },
      {
        id: applicants[1]!.id,
        outcome: 'skipped',
        reason: 'Not sent: their application moved to ‘Shortlisted’ after you ticked it',
      },
      { id: applicants[2]!.id, outcome: 'sent', reason: null },
      { id: blank.id, outcome: 'skipped', reason: 'Not sent: there is no value for ((first name)) for this applicant' },
    ]);
    const result = await client.get(`/staff/bulk/${batchId}/result`);
    assert.equal(findAll(result.body, '#skipped li').length, 3);
    assert.equal((await messagesOf(applicants[0]!.id)).length, 0);
    assert.equal((await messagesOf(blank.id)).length, 0);
  });

  test('a template deleted between picking and sending stops the send; nothing is written', async () => {
    const { school, vacancy, client, applicants, staff } = await bulkScene(2);
    const author = (await container.accounts.loadSignedInUser(staff.id))!;
    const created = await container.templates.create(author, {
      name: 'Soon gone',
      sharing: school.id,
      body: { format: 'text', body: 'Dear ((first name))' },
    });
    if (created.outcome !== 'saved') assert.fail(`the template was not saved: ${created.outcome}`);
    const templateId = created.templateId;
    const batchId = await startBatch(
      client,
      vacancy.id,
      applicants.map((a) => a.id),
    );
    await client.get(`/staff/bulk/${batchId}?template=${templateId}`);
    const composed = await client.postMultipart(`/staff/bulk/${batchId}`, {
      templateId,
      format: 'text',
      body: 'Dear ((first name))',
      toStatus: '',
      when: 'now',
    });
    assert.equal(composed.statusCode, 303);
    assert.equal(await container.templates.delete(author, templateId), true);
    await client.get(`/staff/bulk/${batchId}/preview`);
    const refused = await client.post(`/staff/bulk/${batchId}/send`, {});
    assert.equal(refused.statusCode, 409);
    assert.match(
      errorSummary(refused.body)[0]!.text,
      /The template you picked has been deleted since\. Nothing has been sent/,
    );
    for (const applicant of applicants) assert.equal((await messagesOf(applicant.id)).length, 0);
    assert.deepEqual(
      (await outcomes(batchId)).map((row) => row.outcome),
      ['pending', 'pending'],
    );
  });
});

describe('bulk status change with a message', () => {
  test('status, timeline entry and message commit together per applicant; a failure rolls back that applicant only', async () => {
    const { vacancy, client, applicants } = await bulkScene(3);
    const batchId = await startBatch(
      client,
      vacancy.id,
      applicants.map((a) => a.id),
    );
    const composed = await compose(client, batchId, {
      body: 'Dear ((first name)), we will not be taking your application further.',
      toStatus: 'not_progressing',
    });
    assert.equal(composed.statusCode, 303);
    // A fault for one applicant's message, raised by the database itself after their status was changed.
    const victim = applicants[1]!.id;
    const trigger = `bulk_fault_${victim.replaceAll('-', '')}`;
    await sql
      .raw(
        `create function ${trigger}() returns trigger language plpgsql as $$
         begin
           if (select application_id from conversations where id = new.conversation_id) = '${victim}' then
             raise exception 'injected fault';
           end if;
           return new;
         end $$;
         create trigger ${trigger} before insert on messages for each row execute function ${trigger}();`,
      )
      .execute(db);
    try {
      await client.get(`/staff/bulk/${batchId}/preview`);
      const failed = await client.post(`/staff/bulk/${batchId}/send`, {});
      assert.equal(failed.statusCode, 500);
      assert.equal(await statusOf(victim), 'submitted');
      const timeline = await db
        .selectFrom('application_status_changes')
        .select('to_status')
        .where('application_id', '=', victim)
        .where('to_status', '=', 'not_progressing')
        .execute();
      assert.equal(timeline.length, 0);
      assert.equal((await messagesOf(victim)).length, 0);
    } finally {
      await sql.raw(`drop trigger ${trigger} on messages; drop function ${trigger}();`).execute(db);
    }
    // The retry finishes the batch: the victim now, and nobody twice.
    await client.get(`/staff/bulk/${batchId}/preview`);
    const retried = await client.post(`/staff/bulk/${batchId}/send`, {});
    assert.equal(retried.statusCode, 303);
    for (const applicant of applicants) {
      assert.equal(await statusOf(applicant.id), 'not_progressing');
      assert.equal((await messagesOf(applicant.id)).length, 1);
      const changes = await db
        .selectFrom('application_status_changes')
        .select('to_status')
        .where('application_id', '=', applicant.id)
        .where('to_status', '=', 'not_progressing')
        .execute();
      assert.equal(changes.length, 1);
    }
  });

  test('the status race: an applicant moved by someone else after ticking is not changed and not messaged', async () => {
    const { vacancy, client, applicants, staff } = await bulkScene(2);
    const batchId = await startBatch(
      client,
      vacancy.id,
      applicants.map((a) => a.id),
    );
    await compose(client, batchId, { body: 'Sorry ((first name)).', toStatus: 'not_progressing' });
    // A colleague offers the job to the first applicant at the same moment as the bulk send.
    const [offer] = await Promise.all([
      container.applications.changeStatus({
        applicationId: applicants[0]!.id,
        actorUserId: staff.id,
        actor: 'staff',
        expectedStatus: 'submitted',
        to: 'offered',
      }),
      send(client, batchId),
    ]);
    const first = (await outcomes(batchId))[0]!;
    if (offer.outcome === 'changed') {
      // The offer won: the bulk change must have been refused for that applicant, and nothing sent.
      assert.equal(await statusOf(applicants[0]!.id), 'offered');
      assert.equal(first.outcome, 'skipped');
      assert.equal((await messagesOf(applicants[0]!.id)).length, 0);
    } else {
      // The bulk change won: the offer was refused as stale, and the applicant got the message.
      assert.equal(offer.outcome, 'stale');
      assert.equal(await statusOf(applicants[0]!.id), 'not_progressing');
      assert.equal(first.outcome, 'sent');
    }
    assert.equal(await statusOf(applicants[1]!.id), 'not_progressing');
  });
});

describe('sending later in bulk', () => {
  test('each applicant’s message is scheduled, with its job, and shown on the sender’s side', async () => {
    const { vacancy, client, applicants } = await bulkScene(2);
    const batchId = await startBatch(
      client,
      vacancy.id,
      applicants.map((a) => a.id),
    );
    const tomorrow = new Date(Date.now() + 2 * 86_400_000);
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      day: 'numeric',
      month: 'numeric',
      year: 'numeric',
    }).formatToParts(tomorrow);
    const part = (type: string) => parts.find((p) => p.type === type)!.value;
    const composed = await compose(client, batchId, {
      body: 'Reminder for ((first name))',
      when: 'later',
      'sendDate-day': part('day'),
      'sendDate-month': part('month'),
      'sendDate-year': part('year'),
      sendTime: '9:30am',
    });
    assert.equal(
      composed.statusCode,
      303,
      errorSummary(composed.body)
        .map((e) => e.text)
        .join('; '),
    );
    const preview = await client.get(`/staff/bulk/${batchId}/preview`);
    assert.match(preview.body, /Schedule 2 messages/);
    await client.post(`/staff/bulk/${batchId}/send`, {});
    assert.deepEqual(
      (await outcomes(batchId)).map((row) => row.outcome),
      ['scheduled', 'scheduled'],
    );
    for (const applicant of applicants) {
      assert.equal((await messagesOf(applicant.id)).length, 0);
      const waiting = await db
        .selectFrom('scheduled_messages')
        .select(['id', 'body_html'])
        .where('application_id', '=', applicant.id)
        .where('state', '=', 'scheduled')
        .execute();
      assert.equal(waiting.length, 1);
      const page = await client.get(`/staff/applications/${applicant.id}`);
      assert.ok(findOne(page.body, `#scheduled-${waiting[0]!.id}`), 'the sender sees it as scheduled');
      const jobseekerPage = await (
        await signedInClient(app, applicant.jobseeker.email)
      ).get(`/applications/${applicant.id}`);
      assert.ok(!jobseekerPage.body.includes('Reminder for'));
    }
  });
});
