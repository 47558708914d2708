import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createSchoolScene,
  createStaff,
  createVacancy,
} from '../support/factories.ts';
import { signedInClient } from '../support/http.ts';
import { pageTitle } from '../support/html.ts';

const container = testContainer();
const app = await testApp(container);
const db = container.db;

async function statusOf(applicationId: string): Promise<string> {
  const row = await db
    .selectFrom('applications')
    .select('status')
    .where('id', '=', applicationId)
    .executeTakeFirstOrThrow();
  return row.status;
}

async function historyOf(applicationId: string) {
  return db
    .selectFrom('application_status_changes')
    .select(['from_status', 'to_status', 'actor_user_id'])
    .where('application_id', '=', applicationId)
    .orderBy('changed_at')
    .execute();
}

describe('staff change an application status', () => {
  test('a valid move changes the status and records who, from, to and when; the timeline shows it', async () => {
    const scene = await createSchoolScene(db, 'submitted');
    const client = await signedInClient(app, scene.staff.email);
    await client.get(`/staff/applications/${scene.application.id}`);
    const response = await client.post(`/staff/applications/${scene.application.id}/status`, {
      expectedStatus: 'submitted',
      to: 'shortlisted',
    });
    assert.equal(response.statusCode, 303);
    assert.equal(await statusOf(scene.application.id), 'shortlisted');
    const history = await historyOf(scene.application.id);
    assert.deepEqual(history.at(-1), {
      from_status: 'submitted',
      to_status: 'shortlisted',
      actor_user_id: scene.staff.id,
    });
    const page = await client.get(`/staff/applications/${scene.application.id}`);
    assert.match(page.body, /Status changed to ‘Shortlisted’/);
    assert.match(page.body, /Submitted to Shortlisted/);
    assert.match(page.body, new RegExp(`By Amara Okafor, ${scene.school.name}`));
  });

  test('a stale change (someone else moved it first) is refused with a clear message and changes nothing', async () => {
    const scene = await createSchoolScene(db, 'submitted');
    const colleague = await createStaff(db, [scene.school.id], 'Ben Hughes');
    const first = await signedInClient(app, scene.staff.email);
    const second = await signedInClient(app, colleague.email);
    await first.get(`/staff/applications/${scene.application.id}`);
    await second.get(`/staff/applications/${scene.application.id}`);
    assert.equal(
      (
        await first.post(`/staff/applications/${scene.application.id}/status`, {
          expectedStatus: 'submitted',
          to: 'interviewing',
        })
      ).statusCode,
      303,
    );
    const refused = await second.post(`/staff/applications/${scene.application.id}/status`, {
      expectedStatus: 'submitted',
      to: 'not_progressing',
    });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /There is a problem/);
    assert.match(refused.body, /The status was changed to ‘Interviewing’ while you were looking at it/);
    assert.match(pageTitle(refused.body), /^Error: /);
    assert.equal(await statusOf(scene.application.id), 'interviewing');
    assert.equal((await historyOf(scene.application.id)).length, 2);
  });

  test('a move the status machine does not allow is refused and changes nothing', async () => {
    const scene = await createSchoolScene(db, 'offered');
    const client = await signedInClient(app, scene.staff.email);
    await client.get(`/staff/applications/${scene.application.id}`);
    const refused = await client.post(`/staff/applications/${scene.application.id}/status`, {
      expectedStatus: 'offered',
      to: 'shortlisted',
    });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /cannot be moved to ‘Shortlisted’/);
    assert.equal(await statusOf(scene.application.id), 'offered');
  });

  test('a missing or unknown status is a form error, not a 500', async () => {
    const scene = await createSchoolScene(db, 'submitted');
    const client = await signedInClient(app, scene.staff.email);
    await client.get(`/staff/applications/${scene.application.id}`);
    const noChoice = await client.post(`/staff/applications/${scene.application.id}/status`, {
      expectedStatus: 'submitted',
    });
    assert.equal(noChoice.statusCode, 400);
    assert.match(noChoice.body, /Select a new status/);
    const nonsense = await client.post(`/staff/applications/${scene.application.id}/status`, {
      expectedStatus: 'submitted',
      to: 'hired',
    });
    assert.equal(nonsense.statusCode, 400);
    assert.equal(await statusOf(scene.application.id), 'submitted');
  });

  test('concurrent changes from the same shown status: exactly one wins', async () => {
    const scene = await createSchoolScene(db, 'submitted');
    const results = await Promise.all(
      (['shortlisted', 'interviewing', 'offered', 'not_progressing'] as const).map((to) =>
        container.applications.changeStatus({
          applicationId: scene.application.id,
          actorUserId: scene.staff.id,
          actor: 'staff',
          expectedStatus: 'submitted',
          to,
        }),
      ),
    );
    assert.equal(results.filter((r) => r.outcome === 'changed').length, 1);
    assert.equal(results.filter((r) => r.outcome === 'stale').length, 3);
    assert.equal((await historyOf(scene.application.id)).length, 2);
  });

  test('the vacancy page has a tab per status with counts', async () => {
    const scene = await createSchoolScene(db, 'submitted');
    await createApplication(db, {
      vacancyId: scene.vacancy.id,
      jobseeker: await createJobseeker(db, 'Kai Jones'),
      status: 'shortlisted',
    });
    await createApplication(db, {
      vacancyId: scene.vacancy.id,
      jobseeker: await createJobseeker(db, 'Drafty McDraft'),
      status: 'draft',
    });
    const client = await signedInClient(app, scene.staff.email);
    const page = await client.get(`/staff/vacancies/${scene.vacancy.id}?status=shortlisted`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Submitted <span class="parley-count">\(1\)<\/span>/);
    assert.match(page.body, /aria-current="page">Shortlisted <span class="parley-count">\(1\)/);
    assert.match(page.body, /Kai Jones/);
    assert.ok(!page.body.includes('Drafty McDraft'), 'drafts are invisible to staff');
  });
});

describe('jobseekers apply, submit and withdraw', () => {
  async function openVacancy() {
    const scene = await createSchoolScene(db, 'submitted');
    const jobseeker = await createJobseeker(db, 'Nia Roberts');
    const client = await signedInClient(app, jobseeker.email);
    return { scene, jobseeker, client };
  }

  test('save a draft, then submit it: staff see it only once submitted', async () => {
    const { scene, jobseeker, client } = await openVacancy();
    const form = await client.get(`/jobs/${scene.vacancy.id}/apply`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /value="Nia Roberts"/, 'the name is filled in from the account');
    const saved = await client.post(`/jobs/${scene.vacancy.id}/apply`, {
      candidateName: 'Nia Roberts',
      contactEmail: 'nia@example.com',
      personalStatement: '',
      action: 'save',
    });
    assert.equal(saved.statusCode, 303);
    const application = await db
      .selectFrom('applications')
      .selectAll()
      .where('jobseeker_id', '=', jobseeker.id)
      .executeTakeFirstOrThrow();
    assert.equal(application.status, 'draft');
    const staff = await signedInClient(app, scene.staff.email);
    assert.equal((await staff.get(`/staff/applications/${application.id}`)).statusCode, 404);

    await client.get(`/jobs/${scene.vacancy.id}/apply`);
    const submitted = await client.post(`/jobs/${scene.vacancy.id}/apply`, {
      candidateName: 'Nia Roberts',
      contactEmail: 'nia@example.com',
      personalStatement: 'I teach with joy.',
      action: 'submit',
    });
    assert.equal(submitted.statusCode, 303);
    assert.equal(await statusOf(application.id), 'submitted');
    assert.deepEqual(
      (await historyOf(application.id)).map((h) => [h.from_status, h.to_status]),
      [['draft', 'submitted']],
    );
    assert.equal((await staff.get(`/staff/applications/${application.id}`)).statusCode, 200);
    const list = await client.get('/applications');
    assert.match(list.body, /Submitted/);
  });

  test('submitting an incomplete form shows every error and keeps what was typed', async () => {
    const { scene, client } = await openVacancy();
    await client.get(`/jobs/${scene.vacancy.id}/apply`);
    const response = await client.post(`/jobs/${scene.vacancy.id}/apply`, {
      candidateName: 'Nia <b>Roberts</b>',
      contactEmail: 'not-an-email',
      personalStatement: '',
      action: 'submit',
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /There is a problem/);
    assert.match(response.body, /href="#contactEmail">Enter an email address in the correct format/);
    assert.match(response.body, /value="Nia &lt;b&gt;Roberts&lt;\/b&gt;"/, 'input kept, and escaped');
    const statementMissing = await client.post(`/jobs/${scene.vacancy.id}/apply`, {
      candidateName: 'Nia',
      contactEmail: 'nia@example.com',
      personalStatement: '  ',
      action: 'submit',
    });
    assert.match(statementMissing.body, /Enter your personal statement/);
    assert.equal(
      await db
        .selectFrom('applications')
        .select('id')
        .where('vacancy_id', '=', scene.vacancy.id)
        .where('candidate_name', 'like', 'Nia%')
        .executeTakeFirst(),
      undefined,
    );
  });

  test('a closed vacancy cannot be applied for', async () => {
    const scene = await createSchoolScene(db, 'submitted');
    const closed = await createVacancy(db, scene.school.id, { closingDate: '2020-01-01' });
    const jobseeker = await createJobseeker(db);
    const client = await signedInClient(app, jobseeker.email);
    await client.get(`/jobs/${closed.id}/apply`);
    const response = await client.post(`/jobs/${closed.id}/apply`, {
      candidateName: 'A',
      contactEmail: 'a@example.com',
      personalStatement: 'B',
      action: 'submit',
    });
    assert.equal(response.statusCode, 409);
    assert.match(response.body, /This vacancy has closed/);
  });

  test('withdraw asks for confirmation, then withdraws and records it', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const client = await signedInClient(app, scene.jobseeker.email);
    const confirm = await client.get(`/applications/${scene.application.id}/withdraw`);
    assert.match(confirm.body, /Are you sure you want to withdraw/);
    const nothingChosen = await client.post(`/applications/${scene.application.id}/withdraw`, {});
    assert.equal(nothingChosen.statusCode, 400);
    assert.match(nothingChosen.body, /Select yes if you want to withdraw your application/);
    const no = await client.post(`/applications/${scene.application.id}/withdraw`, { confirm: 'no' });
    assert.equal(no.statusCode, 303);
    assert.equal(await statusOf(scene.application.id), 'interviewing');
    await client.get(`/applications/${scene.application.id}/withdraw`);
    const yes = await client.post(`/applications/${scene.application.id}/withdraw`, { confirm: 'yes' });
    assert.equal(yes.statusCode, 303);
    assert.equal(await statusOf(scene.application.id), 'withdrawn');
    assert.deepEqual((await historyOf(scene.application.id)).at(-1), {
      from_status: 'interviewing',
      to_status: 'withdrawn',
      actor_user_id: scene.jobseeker.id,
    });
    const page = await client.get(`/applications/${scene.application.id}`);
    assert.match(page.body, /Your application has been withdrawn/);
    assert.ok(!page.body.includes('Withdraw your application'), 'no second withdraw button');
  });

  for (const status of ['draft', 'declined', 'not_progressing', 'withdrawn'] as const) {
    test(`a ${status} application cannot be withdrawn`, async () => {
      const scene = await createSchoolScene(db, status);
      const client = await signedInClient(app, scene.jobseeker.email);
      await client.get(`/applications/${scene.application.id}`);
      const response = await client.post(`/applications/${scene.application.id}/withdraw`, { confirm: 'yes' });
      assert.equal(response.statusCode, 409);
      assert.equal(await statusOf(scene.application.id), status);
    });
  }
});
