import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testApp, testContainer } from '../support/context.ts';
import {
  createJobseeker,
  createOrganisation,
  createSchoolScene,
  createStaff,
  createTrustWithSchools,
  createVacancy,
} from '../support/factories.ts';
import { signedInClient, TestClient } from '../support/http.ts';
import { sendAs } from '../support/conversations.ts';
import { errorSummary, findAll, textOf } from '../support/html.ts';
import { ukDateString } from '../../src/web/format.ts';

const container = testContainer();
const app = await testApp(container);
const { db } = container;

function inDays(days: number): { day: string; month: string; year: string } {
  const [year = '', month = '', day = ''] = ukDateString(new Date(Date.now() + days * 86_400_000)).split('-');
  return { day: String(Number(day)), month: String(Number(month)), year };
}

function vacancyForm(schoolId: string, overrides: Record<string, string> = {}): Record<string, string> {
  const closing = inDays(20);
  return {
    title: 'Year 4 class teacher',
    schoolId,
    description: 'Teach a lively Year 4 class.',
    contract: 'Permanent',
    hours: 'Full time',
    'closingDate-day': closing.day,
    'closingDate-month': closing.month,
    'closingDate-year': closing.year,
    closingTime: '5pm',
    ...overrides,
  };
}

async function createThroughForm(client: TestClient, form: Record<string, string>): Promise<string> {
  await client.get('/staff/vacancies/new');
  const response = await client.post('/staff/vacancies/new', form);
  assert.equal(response.statusCode, 303, response.body.slice(0, 500));
  const location = String(response.headers.location);
  const id = /\/staff\/vacancies\/([0-9a-f-]{36})$/.exec(location)?.[1];
  assert.ok(id, location);
  return id;
}

describe('staff run their vacancies in the web pages', () => {
  test('create as a draft, publish (it appears at /jobs), edit, and close early', async () => {
    const school = await createOrganisation(db);
    const staff = await createStaff(db, [school.id]);
    const client = await signedInClient(app, staff.email);
    const title = `Year 4 teacher ${Date.now()}`;
    const id = await createThroughForm(client, vacancyForm(school.id, { title }));

    const page = await client.get(`/staff/vacancies/${id}`);
    assert.match(page.body, /Vacancy saved as a draft/);
    assert.match(
      textOf(findAll(page.body, '.govuk-summary-list')[0]!),
      /Status Draft Closes .* at 5pm Contract Permanent Hours Full time/,
    );
    assert.doesNotMatch((await new TestClient(app).get('/jobs')).body, new RegExp(title));
    assert.equal((await new TestClient(app).get(`/jobs/${id}`)).statusCode, 404, 'a draft is not advertised');

    const published = await client.post(`/staff/vacancies/${id}/publish`, {});
    assert.equal(published.statusCode, 303);
    const jobs = await new TestClient(app).get('/jobs');
    assert.match(jobs.body, new RegExp(title));
    const advert = await new TestClient(app).get(`/jobs/${id}`);
    assert.match(advert.body, /Permanent/);
    assert.match(advert.body, /at 5pm \(UK time\)/);
    assert.match(advert.body, /Apply for this job/);

    await client.get(`/staff/vacancies/${id}/edit`);
    const edited = await client.post(
      `/staff/vacancies/${id}/edit`,
      vacancyForm(school.id, { title: `${title} (maternity cover)`, closingTime: '17:30' }),
    );
    assert.equal(edited.statusCode, 303);
    assert.match((await new TestClient(app).get(`/jobs/${id}`)).body, /maternity cover[\s\S]*at 5:30pm/);

    // A jobseeker applies before it closes; after it closes, nobody new can.
    const early = await createJobseeker(db);
    const earlyClient = await signedInClient(app, early.email);
    await earlyClient.get(`/jobs/${id}/apply`);
    const applied = await earlyClient.post(`/jobs/${id}/apply`, {
      candidateName: 'Early Bird',
      contactEmail: early.email,
      personalStatement: 'I would love to.',
      action: 'submit',
    });
    assert.equal(applied.statusCode, 303);

    const confirm = await client.get(`/staff/vacancies/${id}/close`);
    assert.equal(confirm.statusCode, 200);
    const closed = await client.post(`/staff/vacancies/${id}/close`, {});
    assert.equal(closed.statusCode, 303);
    const after = await client.get(`/staff/vacancies/${id}`);
    assert.match(after.body, /Vacancy closed/);
    assert.doesNotMatch(after.body, /Edit vacancy|Publish vacancy|Close vacancy early/);
    assert.match((await new TestClient(app).get(`/jobs/${id}`)).body, /This job has closed/);
    assert.doesNotMatch((await new TestClient(app).get('/jobs')).body, new RegExp(title));

    const late = await createJobseeker(db);
    const lateClient = await signedInClient(app, late.email);
    assert.equal((await lateClient.get(`/jobs/${id}/apply`)).statusCode, 404);
    const refused = await lateClient.post(`/jobs/${id}/apply`, {
      candidateName: 'Late',
      contactEmail: late.email,
      personalStatement: 'Too late?',
      action: 'submit',
    });
    assert.equal(refused.statusCode, 404);
    const rows = await db
      .selectFrom('applications')
      .select(['jobseeker_id', 'status'])
      .where('vacancy_id', '=', id)
      .execute();
    assert.deepEqual(rows, [{ jobseeker_id: early.id, status: 'submitted' }]);
    // The application made before carries on.
    assert.match((await earlyClient.get('/applications')).body, /maternity cover/);

    // Closed is final: no edit, no second close, no publish.
    assert.equal((await client.get(`/staff/vacancies/${id}/edit`)).statusCode, 303);
    await client.get(`/staff/vacancies/${id}`);
    assert.equal((await client.post(`/staff/vacancies/${id}/edit`, vacancyForm(school.id))).statusCode, 303);
    assert.equal((await client.post(`/staff/vacancies/${id}/publish`, {})).statusCode, 303);
    const still = await db
      .selectFrom('vacancies')
      .select(['status', 'title'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(still, { status: 'closed', title: `${title} (maternity cover)` });
  });

  test('every mistake in the form is reported at once, as typed, and nothing is saved', async () => {
    const school = await createOrganisation(db);
    const staff = await createStaff(db, [school.id]);
    const client = await signedInClient(app, staff.email);
    await client.get('/staff/vacancies/new');
    const before = await db.selectFrom('vacancies').select('id').where('school_id', '=', school.id).execute();
    const response = await client.post('/staff/vacancies/new', {
      title: ' ',
      schoolId: '',
      description: '',
      contract: '',
      hours: '',
      'closingDate-day': '31',
      'closingDate-month': '2',
      'closingDate-year': '2030',
      closingTime: 'teatime',
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(
      errorSummary(response.body).map((e) => e.text),
      [
        'Enter a job title',
        'Select a school',
        'Enter a description of the job',
        'Enter the contract, for example permanent or fixed term',
        'Enter the hours, for example full time',
        'Closing date must be a real date, like 27 3 2027',
        'Enter the closing time like 5pm, 9:30am or 17:00',
      ],
    );
    assert.match(response.body, /value="teatime"/);
    const past = inDays(-1);
    const inPast = await client.post(
      '/staff/vacancies/new',
      vacancyForm(school.id, {
        'closingDate-day': past.day,
        'closingDate-month': past.month,
        'closingDate-year': past.year,
      }),
    );
    assert.deepEqual(
      errorSummary(inPast.body).map((e) => e.text),
      ['The closing date and time must be in the future'],
    );
    const after = await db.selectFrom('vacancies').select('id').where('school_id', '=', school.id).execute();
    assert.equal(after.length, before.length);
  });

  test("nobody acts on another organisation's vacancy: 404, and nothing changes", async () => {
    const school = await createOrganisation(db);
    const other = await createOrganisation(db);
    const outsider = await createStaff(db, [other.id]);
    const vacancy = await createVacancy(db, school.id);
    const client = await signedInClient(app, outsider.email);
    await client.get('/staff/vacancies');
    for (const path of [`/staff/vacancies/${vacancy.id}/edit`, `/staff/vacancies/${vacancy.id}/close`]) {
      assert.equal((await client.get(path)).statusCode, 404, path);
    }
    assert.equal((await client.post(`/staff/vacancies/${vacancy.id}/edit`, vacancyForm(school.id))).statusCode, 404);
    assert.equal((await client.post(`/staff/vacancies/${vacancy.id}/close`, {})).statusCode, 404);
    assert.equal((await client.post(`/staff/vacancies/${vacancy.id}/publish`, {})).statusCode, 404);
    // Nor can they create one for a school that is not theirs.
    const response = await client.post('/staff/vacancies/new', vacancyForm(school.id));
    assert.equal(response.statusCode, 400);
    assert.deepEqual(
      errorSummary(response.body).map((e) => e.text),
      ['Select a school'],
    );
    const row = await db
      .selectFrom('vacancies')
      .select(['status', 'title'])
      .where('id', '=', vacancy.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'published', title: vacancy.title });
    // A jobseeker gets 404 too, and a signed-out person is asked to sign in.
    const jobseeker = await signedInClient(app, (await createJobseeker(db)).email);
    assert.equal((await jobseeker.get('/staff/vacancies/new')).statusCode, 404);
    assert.equal((await new TestClient(app).get('/staff/vacancies/new')).statusCode, 303);
  });

  test("a trust's staff advertise for the trust's schools", async () => {
    const { trust, schools } = await createTrustWithSchools(db, 2);
    const staff = await createStaff(db, [trust.id]);
    const client = await signedInClient(app, staff.email);
    const form = await client.get('/staff/vacancies/new');
    const options = findAll(form.body, '#schoolId option').map((o) => o.attribs.value);
    assert.deepEqual(new Set(options), new Set(['', ...schools.map((s) => s.id)]));
    const id = await createThroughForm(client, vacancyForm(schools[1]!.id));
    const row = await db.selectFrom('vacancies').select('school_id').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.school_id, schools[1]!.id);
  });

  test("a job title changed after publishing shows in the dashboard and its search, with the messages' words kept", async () => {
    const scene = await createSchoolScene(db);
    await sendAs(container, scene.application.id, scene.staff, 'Please bring your portfolio');
    const client = await signedInClient(app, scene.staff.email);
    const search = async (q: string) => (await client.get(`/staff/messages?q=${encodeURIComponent(q)}`)).body;
    assert.match(await search(scene.vacancy.title.split(' ')[0]!), /Sam Taylor/);
    await client.get(`/staff/vacancies/${scene.vacancy.id}/edit`);
    const edited = await client.post(
      `/staff/vacancies/${scene.vacancy.id}/edit`,
      vacancyForm(scene.school.id, { title: 'Xylophonist in residence' }),
    );
    assert.equal(edited.statusCode, 303);
    const found = await search('xylophonist');
    assert.match(found, /Xylophonist in residence/);
    assert.match(found, /Sam Taylor/);
    assert.doesNotMatch(await search('teacher'), /Sam Taylor/);
    assert.match(await search('portfolio'), /Sam Taylor/);
  });
});
