import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createSchoolScene,
  createStaff,
  createTrustWithSchools,
  createVacancy,
} from '../support/factories.ts';
import { sendAs, signedInAs } from '../support/conversations.ts';
import { signedInClient } from '../support/http.ts';
import { findAll, findOne, textOf, textsOf } from '../support/html.ts';
import { minimalPdf } from '../support/sample-files.ts';

/**
 * Issue 11: the conversation leads the applicant's page on both sides, counts are in sight on phones, the jobseeker's
 * lists say what is new, one label per status, and the staff dashboard's filters, select all, attachment marker and
 * undo. Read from the rendered HTML as a person reads it.
 */
const container = testContainer();
const app = await testApp(container);

describe('the applicant’s page leads with the conversation', () => {
  test('staff: a summary with the unread count at the top, then the thread, then the application', async () => {
    const scene = await createSchoolScene(container.db, 'interviewing');
    await sendAs(container, scene.application.id, scene.jobseeker, 'First question');
    await sendAs(container, scene.application.id, scene.jobseeker, 'Second question');
    const staff = await signedInClient(app, scene.staff.email);
    const page = await staff.get(`/staff/applications/${scene.application.id}`);
    assert.equal(page.statusCode, 200);
    const summary = findOne(page.body, '.parley-conversation-summary');
    assert.ok(summary);
    assert.equal(textOf(summary), 'Messages: 2 unread');
    assert.equal(findOne(summary, 'a')?.attribs.href, '#messages');
    assert.ok(page.body.indexOf('parley-conversation-summary') < page.body.indexOf('id="messages"'));
    // The personal statement and the summary list come after the thread in the page's order.
    assert.ok(page.body.indexOf('id="messages"') < page.body.indexOf('Personal statement'));
    // Read now: the next view says so.
    const again = await staff.get(`/staff/applications/${scene.application.id}`);
    assert.equal(textOf(findOne(again.body, '.parley-conversation-summary')!), 'Messages: 2 messages, none unread');
  });

  test('jobseeker: the same order, and each message says who sent it in words', async () => {
    const scene = await createSchoolScene(container.db, 'interviewing');
    await sendAs(container, scene.application.id, scene.staff, 'Please come on Tuesday');
    await sendAs(container, scene.application.id, scene.jobseeker, 'I will be there');
    const jobseeker = await signedInClient(app, scene.jobseeker.email);
    const page = await jobseeker.get(`/applications/${scene.application.id}`);
    assert.equal(textOf(findOne(page.body, '.parley-conversation-summary')!), 'Messages: 1 unread');
    assert.ok(page.body.indexOf('id="messages"') < page.body.indexOf('Personal statement'));
    assert.deepEqual(textsOf(page.body, '.parley-message__sender'), [`Amara Okafor, ${scene.school.name}`, 'You']);
    const staff = await signedInClient(app, scene.staff.email);
    const staffPage = await staff.get(`/staff/applications/${scene.application.id}`);
    assert.deepEqual(textsOf(staffPage.body, '.parley-message__sender'), ['You', 'Sam Taylor (applicant)']);
    // Mine and theirs differ by more than colour: the class says whose it is, and the words above say who.
    assert.deepEqual(
      findAll(staffPage.body, '.parley-message').map((li) => (li.attribs.class ?? '').includes('parley-message--mine')),
      [true, false],
    );
  });

  test('after sending, the confirmation is inside the conversation, where the page lands', async () => {
    const scene = await createSchoolScene(container.db, 'submitted');
    const staff = await signedInClient(app, scene.staff.email);
    await staff.get(`/staff/applications/${scene.application.id}`);
    const sent = await staff.post(`/staff/applications/${scene.application.id}/messages`, {
      body: 'Thank you for applying',
      format: 'text',
      formKey: randomUUID(),
    });
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, `/staff/applications/${scene.application.id}#messages`);
    const page = await staff.get(`/staff/applications/${scene.application.id}`);
    const banners = findAll(page.body, '.govuk-notification-banner');
    assert.equal(banners.length, 1);
    assert.ok(findOne(page.body, '#messages .govuk-notification-banner'), 'the banner is in the messages section');
    assert.match(textOf(banners[0]!), /Your message has been sent/);
  });

  test('staff and the applicant read the same status label', async () => {
    const scene = await createSchoolScene(container.db, 'submitted');
    const staff = await signedInClient(app, scene.staff.email);
    const jobseeker = await signedInClient(app, scene.jobseeker.email);
    const read = async (client: typeof staff, url: string) =>
      textOf(findOne((await client.get(url)).body, '.govuk-tag--blue')!);
    assert.equal(await read(staff, `/staff/applications/${scene.application.id}`), 'Submitted');
    assert.equal(await read(jobseeker, `/applications/${scene.application.id}`), 'Submitted');
  });
});

describe('the jobseeker sees what is new without opening the menu', () => {
  test('unread counts above the page, on "Your applications" and on the Messages list, with "you" and a preview', async () => {
    const scene = await createSchoolScene(container.db, 'interviewing');
    const other = await createApplication(container.db, {
      vacancyId: (await createVacancy(container.db, scene.school.id)).id,
      jobseeker: scene.jobseeker,
      status: 'interviewing',
    });
    await sendAs(container, scene.application.id, scene.staff, 'We would like to invite you to interview');
    await sendAs(container, other.id, scene.staff, 'Hello');
    const jobseeker = await signedInClient(app, scene.jobseeker.email);
    await jobseeker.get(`/applications/${other.id}`);
    await sendAs(container, other.id, scene.jobseeker, 'Thank you, see you then');

    const applications = await jobseeker.get('/applications');
    assert.deepEqual(textsOf(applications.body, '.parley-phone-counts a'), [
      'Messages: 1 unread',
      'Notifications: 1 unread',
    ]);
    const cells = textsOf(applications.body, 'td[data-label="Messages"]');
    assert.equal(cells.length, 2);
    assert.ok(cells.some((cell) => cell.startsWith('1 unread')));
    assert.ok(cells.includes('None unread'));

    const messages = await jobseeker.get('/messages');
    const rows = findAll(messages.body, '.parley-result');
    assert.equal(rows.length, 2);
    // Unread first: the invitation, from the school, with its preview; then the conversation whose last word was theirs.
    assert.match(textOf(rows[0]!), /from Amara Okafor, /);
    assert.match(textOf(rows[0]!), /We would like to invite you to interview/);
    assert.match(textOf(rows[1]!), /from you/);
    assert.doesNotMatch(textOf(rows[1]!), /from Sam Taylor/);
    assert.match(textOf(rows[1]!), /Thank you, see you then/);
  });
});

describe('the staff dashboard: filters, select all, attachment marker and undo', async () => {
  const { trust, schools } = await createTrustWithSchools(container.db, 2);
  const [north, south] = [schools[0]!, schools[1]!];
  const member = await createStaff(container.db, [trust.id], 'Claire Davies');
  const northJob = await createVacancy(container.db, north.id, { title: 'North maths teacher' });
  const southJob = await createVacancy(container.db, south.id, { title: 'South science teacher' });
  const applicants = {
    waiting: await createJobseeker(container.db, 'Wendy Waiting'),
    answered: await createJobseeker(container.db, 'Andy Answered'),
    shortlisted: await createJobseeker(container.db, 'Shona Shortlisted'),
  };
  const waiting = await createApplication(container.db, {
    vacancyId: northJob.id,
    jobseeker: applicants.waiting,
    status: 'interviewing',
  });
  const answered = await createApplication(container.db, {
    vacancyId: northJob.id,
    jobseeker: applicants.answered,
    status: 'interviewing',
  });
  const shortlisted = await createApplication(container.db, {
    vacancyId: southJob.id,
    jobseeker: applicants.shortlisted,
    status: 'shortlisted',
  });
  await sendAs(container, waiting.id, applicants.waiting, 'When is the interview?');
  await sendAs(container, answered.id, applicants.answered, 'Is there parking?');
  await sendAs(container, answered.id, member, 'Yes, behind the hall');
  const withFile = await container.messaging.sendMessage({
    applicationId: shortlisted.id,
    sender: await signedInAs(container, member),
    formKey: randomUUID(),
    body: { format: 'text', body: 'Here is the timetable' },
    files: [{ fileName: 'timetable.pdf', data: minimalPdf(), truncated: false }],
  });
  assert.equal(withFile.outcome, 'sent');
  const client = await signedInClient(app, member.email);
  const names = async (url: string) => textsOf((await client.get(url)).body, 'td[data-label="Candidate"] a');

  test('no filter: every conversation; the one with a file is marked', async () => {
    const page = await client.get('/staff/messages');
    assert.deepEqual((await names('/staff/messages')).sort(), ['Andy Answered', 'Shona Shortlisted', 'Wendy Waiting']);
    const marked = findAll(page.body, 'tr').filter((row) => textOf(row).includes('Has attachments'));
    assert.deepEqual(
      marked.map((row) => textOf(findOne(row, 'td[data-label="Candidate"] a')!)),
      ['Shona Shortlisted'],
    );
  });

  test('by school, job, status, unread only and awaiting our reply', async () => {
    assert.deepEqual((await names(`/staff/messages?school=${south.id}`)).sort(), ['Shona Shortlisted']);
    assert.deepEqual((await names(`/staff/messages?job=${northJob.id}`)).sort(), ['Andy Answered', 'Wendy Waiting']);
    assert.deepEqual(await names('/staff/messages?status=shortlisted'), ['Shona Shortlisted']);
    assert.deepEqual((await names('/staff/messages?show=unread')).sort(), ['Andy Answered', 'Wendy Waiting']);
    assert.deepEqual(await names('/staff/messages?show=awaiting-reply'), ['Wendy Waiting']);
    assert.deepEqual(await names(`/staff/messages?school=${north.id}&status=shortlisted`), []);
  });

  test('a school or job the person cannot see, or nonsense, is no filter rather than an error', async () => {
    const elsewhere = await createOrganisation(container.db);
    const hiddenJob = await createVacancy(container.db, elsewhere.id);
    for (const url of [
      `/staff/messages?school=${elsewhere.id}`,
      `/staff/messages?job=${hiddenJob.id}`,
      '/staff/messages?status=nonsense&show=everything&school=not-an-id',
    ]) {
      assert.equal((await client.get(url)).statusCode, 200, url);
      assert.equal((await names(url)).length, 3, url);
    }
  });

  test('the filters are offered from what the person can see', async () => {
    const page = await client.get('/staff/messages');
    const schoolOptions = textsOf(page.body, '#filter-school option');
    assert.equal(schoolOptions[0], 'All schools');
    assert.deepEqual(schoolOptions.slice(1).sort(), [north.name, south.name].sort());
    // Several schools: a school is chosen before its jobs are offered, never every job of the trust at once.
    assert.deepEqual(textsOf(page.body, '#filter-job option'), []);
    assert.match(page.body, /Choose a school and apply the filters to filter by job/);
    const oneSchool = await client.get(`/staff/messages?school=${north.id}`);
    assert.deepEqual(textsOf(oneSchool.body, '#filter-job option'), [
      'All jobs',
      `North maths teacher (${north.name})`,
    ]);
    // A job asked for on its own brings its school's jobs, with it chosen.
    const oneJob = await client.get(`/staff/messages?job=${southJob.id}`);
    assert.deepEqual(textsOf(oneJob.body, '#filter-job option'), ['All jobs', `South science teacher (${south.name})`]);
    assert.deepEqual(textsOf(oneJob.body, '#filter-job option[selected]'), [`South science teacher (${south.name})`]);
  });

  test('select all without JavaScript ticks every box on the page', async () => {
    const plain = await client.get('/staff/messages');
    assert.equal(findAll(plain.body, 'input[name="conversationIds"][checked]').length, 0);
    const link = findOne(plain.body, '[data-parley-select-all]');
    assert.ok(link);
    const all = await client.get((link.attribs.href ?? '').replace(/#.*$/, ''));
    assert.equal(findAll(all.body, 'input[name="conversationIds"][checked]').length, 3);
  });

  test('archiving offers an undo that puts the conversations back', async () => {
    const page = await client.get('/staff/messages');
    const ids = findAll(page.body, 'input[name="conversationIds"]').map((box) => box.attribs.value ?? '');
    const archived = await client.post('/staff/messages/archive', {
      action: 'archive',
      tab: 'inbox',
      sort: 'unread',
      conversationIds: ids.slice(0, 2),
    });
    assert.equal(archived.statusCode, 303);
    const after = await client.get(archived.headers.location as string);
    assert.equal(
      findAll(after.body, 'table input[name="conversationIds"]').length,
      1,
      `archived ${ids.slice(0, 2).join(', ')}; the inbox shows ${textsOf(after.body, 'td[data-label="Candidate"] a').join(', ')}`,
    );
    const undo = findOne(after.body, '.govuk-notification-banner form');
    assert.ok(undo, 'the confirmation holds an undo button');
    assert.match(textOf(findOne(after.body, '.govuk-notification-banner')!), /2 conversations archived/);
    const fields = Object.fromEntries(
      findAll(undo, 'input[type="hidden"]')
        .filter((input) => input.attribs.name !== 'conversationIds' && input.attribs.name !== '_csrf')
        .map((input) => [input.attribs.name ?? '', input.attribs.value ?? '']),
    );
    assert.equal(fields.action, 'unarchive');
    const undone = await client.post(undo.attribs.action ?? '', {
      ...fields,
      conversationIds: findAll(undo, 'input[name="conversationIds"]').map((input) => input.attribs.value ?? ''),
    });
    assert.equal(undone.statusCode, 303);
    assert.equal(findAll((await client.get('/staff/messages')).body, 'table input[name="conversationIds"]').length, 3);
  });
});
