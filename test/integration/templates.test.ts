import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createSchoolScene,
  createStaff,
  unique,
} from '../support/factories.ts';
import { signedInClient } from '../support/http.ts';
import { errorSummary, fieldValue, findOne, pageTitle, textOf } from '../support/html.ts';

/** Message templates through the pages a member of staff uses (real PostgreSQL, fastify.inject). */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

async function templateCount(authorId: string): Promise<number> {
  const row = await db
    .selectFrom('message_templates')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('author_user_id', '=', authorId)
    .executeTakeFirstOrThrow();
  return row.count;
}

function templateIdFrom(location: string | undefined): string {
  const match = /\/staff\/templates\/([0-9a-f-]{36})$/.exec(location ?? '');
  assert.ok(match, `redirected to a template, not ${location}`);
  return match[1]!;
}

describe('creating a template', () => {
  test('bad input is refused all at once, each unknown placeholder listed, nothing saved, nothing lost', async () => {
    const { staff } = await createSchoolScene(db);
    const client = await signedInClient(app, staff.email);
    await client.get('/staff/templates/new');
    const typed = 'Dear ((frist name)), from ((sender)) at ((school name))';
    const response = await client.post('/staff/templates', {
      name: '  ',
      sharing: 'personal',
      format: 'text',
      body: typed,
    });
    assert.equal(response.statusCode, 400);
    assert.match(pageTitle(response.body), /^Error: /);
    assert.deepEqual(errorSummary(response.body), [
      { text: 'Enter a name for the template', href: '#name' },
      { text: '((frist name)) is not a placeholder you can use. Use one from the list of placeholders', href: '#body' },
      { text: '((sender)) is not a placeholder you can use. Use one from the list of placeholders', href: '#body' },
    ]);
    assert.equal(fieldValue(response.body, 'body'), typed);
    assert.equal(await templateCount(staff.id), 0);

    const empty = await client.post('/staff/templates', {
      name: 'Empty',
      sharing: 'personal',
      format: 'text',
      body: ' ',
    });
    assert.deepEqual(errorSummary(empty.body), [{ text: 'Enter a message', href: '#body' }]);
  });

  test('the placeholders are listed beside the editor', async () => {
    const { staff } = await createSchoolScene(db);
    const client = await signedInClient(app, staff.email);
    const page = await client.get('/staff/templates/new');
    const list = findOne(page.body, '.parley-placeholder-list');
    assert.ok(list);
    for (const name of ['first name', 'full name', 'job title', 'school name', 'sender name'])
      assert.match(textOf(list), new RegExp(`\\(\\(${name}\\)\\)`));
  });

  test('sharing with an organisation the person does not belong to is refused', async () => {
    const { staff } = await createSchoolScene(db);
    const other = await createOrganisation(db);
    const client = await signedInClient(app, staff.email);
    await client.get('/staff/templates/new');
    const response = await client.post('/staff/templates', {
      name: 'Sneaky',
      sharing: other.id,
      format: 'text',
      body: 'Hello',
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [{ text: 'Select who can use the template', href: '#sharing' }]);
  });
});

describe('personal and shared templates', () => {
  test('a personal template is its author’s only; a shared one is seen at the organisation but changed only by its author', async () => {
    const { school, staff } = await createSchoolScene(db);
    const colleague = await createStaff(db, [school.id], 'Ben Hughes');
    const outsider = await createStaff(db, [(await createOrganisation(db)).id], 'Eve Morgan');
    const author = await signedInClient(app, staff.email);
    await author.get('/staff/templates/new');
    const personalName = unique('Personal');
    const personal = await author.post('/staff/templates', {
      name: personalName,
      sharing: 'personal',
      format: 'text',
      body: 'Dear ((first name)), **thank you**.',
    });
    assert.equal(personal.statusCode, 303);
    const personalId = templateIdFrom(personal.headers.location);
    await author.get('/staff/templates/new');
    const sharedName = unique('Shared');
    const shared = await author.post('/staff/templates', {
      name: sharedName,
      sharing: school.id,
      format: 'html',
      body: '<p>Dear ((first name)), <em>welcome</em> to ((school name)).</p><script>alert(1)</script>',
    });
    assert.equal(shared.statusCode, 303);
    const sharedId = templateIdFrom(shared.headers.location);
    const stored = await db
      .selectFrom('message_templates')
      .select('body_html')
      .where('id', '=', sharedId)
      .executeTakeFirstOrThrow();
    assert.equal(stored.body_html, '<p>Dear ((first name)), <em>welcome</em> to ((school name)).</p>');

    const colleagueClient = await signedInClient(app, colleague.email);
    const list = (await colleagueClient.get('/staff/templates')).body;
    assert.ok(list.includes(sharedName));
    assert.ok(!list.includes(personalName));
    assert.equal((await colleagueClient.get(`/staff/templates/${personalId}`)).statusCode, 404);
    const sharedPage = await colleagueClient.get(`/staff/templates/${sharedId}`);
    assert.equal(sharedPage.statusCode, 200);
    assert.match(sharedPage.body, /Only Amara Okafor, who wrote it, can change or delete this template/);
    assert.equal((await colleagueClient.get(`/staff/templates/${sharedId}/edit`)).statusCode, 404);
    const changeAttempt = await colleagueClient.post(`/staff/templates/${sharedId}`, {
      name: 'Taken over',
      sharing: school.id,
      format: 'text',
      body: 'Mine now',
    });
    assert.equal(changeAttempt.statusCode, 404);
    assert.equal((await colleagueClient.post(`/staff/templates/${sharedId}/delete`, {})).statusCode, 404);

    const outsiderClient = await signedInClient(app, outsider.email);
    assert.equal((await outsiderClient.get(`/staff/templates/${sharedId}`)).statusCode, 404);

    // The author edits it: the editor gets the saved HTML, the plain box its typed copy.
    const edit = await author.get(`/staff/templates/${sharedId}/edit`);
    assert.equal(fieldValue(edit.body, 'body'), 'Dear ((first name)), _welcome_ to ((school name)).');
    assert.equal(
      findOne(edit.body, 'textarea')?.attribs['data-parley-html'],
      '<p>Dear ((first name)), <em>welcome</em> to ((school name)).</p>',
    );
    const saved = await author.post(`/staff/templates/${sharedId}`, {
      name: sharedName,
      sharing: 'personal',
      format: 'text',
      body: 'Dear ((first name)), _welcome_.',
    });
    assert.equal(saved.statusCode, 303);
    assert.equal((await colleagueClient.get(`/staff/templates/${sharedId}`)).statusCode, 404);

    await author.get(`/staff/templates/${personalId}/delete`);
    assert.equal((await author.post(`/staff/templates/${personalId}/delete`, {})).statusCode, 303);
    assert.equal((await author.get(`/staff/templates/${personalId}`)).statusCode, 404);
  });
});

describe('using a template in the message form', () => {
  test('"Use template" fills the form for this applicant; a deleted template or a missing value is an error', async () => {
    const { school, staff, vacancy, application } = await createSchoolScene(db);
    const client = await signedInClient(app, staff.email);
    await client.get('/staff/templates/new');
    const created = await client.post('/staff/templates', {
      name: unique('Invite'),
      sharing: school.id,
      format: 'text',
      body: 'Dear ((first name)),\n\nThank you for applying for ((job title)) at ((school name)).\n\n((sender name))',
    });
    const templateId = templateIdFrom(created.headers.location);

    const page = await client.get(`/staff/applications/${application.id}?template=${templateId}`);
    assert.equal(page.statusCode, 200);
    assert.equal(
      fieldValue(page.body, 'body'),
      `Dear Sam,\n\nThank you for applying for ${vacancy.title} at ${school.name}.\n\nAmara Okafor`,
    );
    assert.equal(fieldValue(page.body, 'template'), templateId);

    // An applicant with no name on their application: the first name has no value, so it is refused, not blank.
    const nameless = await createJobseeker(db, ' ');
    const blank = await createApplication(db, { vacancyId: vacancy.id, jobseeker: nameless, status: 'submitted' });
    const refused = await client.get(`/staff/applications/${blank.id}?template=${templateId}`);
    assert.deepEqual(
      errorSummary(refused.body).map((e) => e.href),
      ['#template'],
    );
    assert.match(errorSummary(refused.body)[0]!.text, /there is no value for \(\(first name\)\)/);
    assert.equal(fieldValue(refused.body, 'body'), '');

    await client.post(`/staff/templates/${templateId}/delete`, {});
    const gone = await client.get(`/staff/applications/${application.id}?template=${templateId}`);
    assert.deepEqual(errorSummary(gone.body), [
      { text: 'The template you picked no longer exists. Pick another template', href: '#template' },
    ]);
  });
});
