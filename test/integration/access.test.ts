import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
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
import { TestClient, signedInClient } from '../support/http.ts';

/**
 * Authorisation on every route that takes an id: someone else's id is a 404 (never revealing that it exists),
 * a signed-out person is sent to sign in, and a POST without a CSRF token is refused.
 */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

const scene = await createSchoolScene(db, 'submitted');
const otherSchool = await createOrganisation(db);
const otherStaff = await createStaff(db, [otherSchool.id]);
const otherJobseeker = await createJobseeker(db);

const routes = {
  staffVacancy: `/staff/vacancies/${scene.vacancy.id}`,
  staffApplication: `/staff/applications/${scene.application.id}`,
  staffStatus: `/staff/applications/${scene.application.id}/status`,
  jobseekerApplication: `/applications/${scene.application.id}`,
  withdraw: `/applications/${scene.application.id}/withdraw`,
  apply: `/jobs/${scene.vacancy.id}/apply`,
};

const staffGets = [routes.staffVacancy, routes.staffApplication];
const staffPosts = [{ url: routes.staffStatus, form: { expectedStatus: 'submitted', to: 'shortlisted' } }];
const jobseekerGets = [routes.jobseekerApplication, routes.withdraw];
const jobseekerPosts = [{ url: routes.withdraw, form: { confirm: 'yes' } }];

describe('staff routes', () => {
  let owner: TestClient;
  let outsider: TestClient;
  let jobseeker: TestClient;
  before(async () => {
    owner = await signedInClient(app, scene.staff.email);
    outsider = await signedInClient(app, otherStaff.email);
    jobseeker = await signedInClient(app, scene.jobseeker.email);
  });

  for (const url of staffGets) {
    test(`GET ${url.replace(/[0-9a-f-]{36}/g, ':id')}: the school's staff see it; other staff and jobseekers get 404`, async () => {
      assert.equal((await owner.get(url)).statusCode, 200);
      assert.equal((await outsider.get(url)).statusCode, 404);
      assert.equal((await jobseeker.get(url)).statusCode, 404);
    });
  }

  for (const { url, form } of staffPosts) {
    test(`POST ${url.replace(/[0-9a-f-]{36}/g, ':id')}: other staff and jobseekers get 404 and nothing changes`, async () => {
      await outsider.get('/staff/vacancies');
      assert.equal((await outsider.post(url, form)).statusCode, 404);
      await jobseeker.get('/applications');
      assert.equal((await jobseeker.post(url, form)).statusCode, 404);
      const row = await db
        .selectFrom('applications')
        .select('status')
        .where('id', '=', scene.application.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'submitted');
    });
  }

  test('a draft application is invisible to staff (404)', async () => {
    const draftJobseeker = await createJobseeker(db);
    const draft = await createApplication(db, {
      vacancyId: scene.vacancy.id,
      jobseeker: draftJobseeker,
      status: 'draft',
    });
    assert.equal((await owner.get(`/staff/applications/${draft.id}`)).statusCode, 404);
  });

  test('trust staff see applications in every school of the trust, and nothing outside it', async () => {
    const { trust, schools } = await createTrustWithSchools(db, 2);
    const trustStaff = await createStaff(db, [trust.id], 'Claire Davies');
    const inTrust = [];
    for (const school of schools) {
      const vacancy = await createVacancy(db, school.id);
      inTrust.push(
        await createApplication(db, {
          vacancyId: vacancy.id,
          jobseeker: await createJobseeker(db),
          status: 'submitted',
        }),
      );
    }
    const client = await signedInClient(app, trustStaff.email);
    for (const application of inTrust)
      assert.equal((await client.get(`/staff/applications/${application.id}`)).statusCode, 200);
    assert.equal((await client.get(routes.staffApplication)).statusCode, 404);
    const list = await client.get('/staff/vacancies');
    assert.ok(!list.body.includes(scene.vacancy.title));
  });
});

describe('jobseeker routes', () => {
  let owner: TestClient;
  let outsider: TestClient;
  let staff: TestClient;
  before(async () => {
    owner = await signedInClient(app, scene.jobseeker.email);
    outsider = await signedInClient(app, otherJobseeker.email);
    staff = await signedInClient(app, scene.staff.email);
  });

  for (const url of jobseekerGets) {
    test(`GET ${url.replace(/[0-9a-f-]{36}/g, ':id')}: the applicant sees it; other jobseekers and staff get 404`, async () => {
      assert.equal((await owner.get(url)).statusCode, 200);
      assert.equal((await outsider.get(url)).statusCode, 404);
      assert.equal((await staff.get(url)).statusCode, 404);
    });
  }

  for (const { url, form } of jobseekerPosts) {
    test(`POST ${url.replace(/[0-9a-f-]{36}/g, ':id')}: other jobseekers and staff get 404 and nothing changes`, async () => {
      await outsider.get('/applications');
      assert.equal((await outsider.post(url, form)).statusCode, 404);
      await staff.get('/staff/vacancies');
      assert.equal((await staff.post(url, form)).statusCode, 404);
      const row = await db
        .selectFrom('applications')
        .select('status')
        .where('id', '=', scene.application.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'submitted');
    });
  }

  test('staff cannot use the apply form (404)', async () => {
    assert.equal((await staff.get(routes.apply)).statusCode, 404);
  });
});

describe('signed out', () => {
  const everyGet = [...staffGets, ...jobseekerGets, routes.apply, '/staff/vacancies', '/applications'];
  for (const url of everyGet) {
    test(`GET ${url.replace(/[0-9a-f-]{36}/g, ':id')} sends you to sign in and back`, async () => {
      const response = await new TestClient(app).get(url);
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, `/sign-in?returnTo=${encodeURIComponent(url)}`);
    });
  }
});

describe('CSRF', () => {
  const everyPost: { url: string; form: Record<string, string> }[] = [
    ...staffPosts,
    ...jobseekerPosts,
    { url: routes.apply, form: { action: 'save' } },
    { url: '/sign-in', form: { email: scene.staff.email, password: 'x' } },
    { url: '/sign-out', form: {} },
  ];
  for (const { url, form } of everyPost) {
    test(`POST ${url.replace(/[0-9a-f-]{36}/g, ':id')} without a CSRF token is refused with 403`, async () => {
      const client = await signedInClient(app, url.startsWith('/staff') ? scene.staff.email : scene.jobseeker.email);
      const response = await client.post(url, form, { csrf: false });
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /could not accept that form/);
    });
  }

  test('a token from another session is refused', async () => {
    const mine = await signedInClient(app, scene.staff.email);
    const theirs = await signedInClient(app, otherStaff.email);
    await theirs.get('/staff/vacancies');
    await mine.get(routes.staffApplication);
    mine.csrfToken = theirs.csrfToken;
    const response = await mine.post(routes.staffStatus, { expectedStatus: 'submitted', to: 'shortlisted' });
    assert.equal(response.statusCode, 403);
  });
});

describe('malformed and unknown ids', () => {
  for (const id of ['not-a-uuid', '1', "1' or '1'='1", '00000000-0000-0000-0000-000000000000']) {
    test(`/staff/applications/${id} is a 404 page`, async () => {
      const client = await signedInClient(app, scene.staff.email);
      const response = await client.get(`/staff/applications/${encodeURIComponent(id)}`);
      assert.equal(response.statusCode, 404);
      assert.match(response.body, /Page not found/);
    });
  }
});
