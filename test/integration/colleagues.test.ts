import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { fixedClock, testApp, testContainer } from '../support/context.ts';
import {
  createAdministrator,
  createJobseeker,
  createOrganisation,
  createSchoolScene,
  createStaff,
  createTrustWithSchools,
  createVacancy,
  testPassword,
} from '../support/factories.ts';
import { signedInClient, TestClient } from '../support/http.ts';
import { accountEmailsTo, linkIn } from '../support/account-emails.ts';
import { sendAs } from '../support/conversations.ts';
import { errorSummary, findAll, textOf } from '../support/html.ts';

const clock = fixedClock(new Date());
const container = testContainer({ clock });
const app = await testApp(container);
const { db } = container;

const newPassword = 'a password for the new colleague';

function heading(body: string): string {
  return textOf(findAll(body, 'h1')[0]!);
}

async function invite(client: TestClient, organisationId: string, email: string, role = 'member') {
  await client.get(`/staff/organisations/${organisationId}/colleagues/invite`);
  return client.post(`/staff/organisations/${organisationId}/colleagues/invite`, { email, role });
}

async function invitationLink(email: string): Promise<string> {
  const [sent] = await accountEmailsTo(container, email);
  return linkIn(sent, '/invitations/accept?token=');
}

function tokenOf(link: string): string {
  return new URL(link, 'http://x').searchParams.get('token')!;
}

async function roles(organisationId: string) {
  const rows = await db
    .selectFrom('staff_memberships')
    .select(['user_id', 'role'])
    .where('organisation_id', '=', organisationId)
    .execute();
  return new Map(rows.map((r) => [r.user_id, r.role]));
}

describe('an administrator invites colleagues', () => {
  test('a new colleague follows the link, sets their name and password, and signs in to the organisation', async () => {
    const school = await createOrganisation(db);
    const admin = await createAdministrator(db, [school.id], 'Ada Admin');
    const vacancy = await createVacancy(db, school.id);
    const client = await signedInClient(app, admin.email);
    const email = `new-colleague-${randomUUID()}@school.example`;
    const response = await invite(client, school.id, email.toUpperCase());
    assert.equal(response.statusCode, 303);
    const list = await client.get(`/staff/organisations/${school.id}/colleagues`);
    assert.match(list.body, new RegExp(`We have sent an invitation to ${email}`));
    assert.match(list.body, /Invitations not yet accepted/);

    const [sent] = await accountEmailsTo(container, email);
    assert.equal(sent?.subject, `You have been invited to join ${school.name} on Parley`);
    assert.match(sent.text, /Ada Admin has invited you/);
    const link = linkIn(sent, '/invitations/accept?token=');

    const visitor = new TestClient(app);
    const page = await visitor.get(link);
    assert.equal(page.statusCode, 200);
    assert.equal(heading(page.body), `Join ${school.name}`);
    const invalid = await visitor.post('/invitations/accept', {
      token: tokenOf(link),
      fullName: '',
      password: 'short',
    });
    assert.equal(invalid.statusCode, 400);
    assert.deepEqual(
      errorSummary(invalid.body).map((e) => e.text),
      ['Enter your full name', 'Password must be 12 characters or more'],
    );
    const accepted = await visitor.post('/invitations/accept', {
      token: tokenOf(link),
      fullName: 'Nia Newcomer',
      password: newPassword,
    });
    assert.equal(accepted.statusCode, 303);
    assert.equal(accepted.headers.location, '/sign-in');

    const signedIn = new TestClient(app);
    await signedIn.signIn(email, newPassword);
    const vacancies = await signedIn.get('/staff/vacancies');
    assert.equal(vacancies.statusCode, 200);
    assert.match(vacancies.body, new RegExp(vacancy.title));
    const user = await db
      .selectFrom('users')
      .select(['id', 'kind', 'full_name'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    assert.deepEqual({ kind: user.kind, name: user.full_name }, { kind: 'staff', name: 'Nia Newcomer' });
    assert.equal((await roles(school.id)).get(user.id), 'member');

    // The link works once.
    const again = await new TestClient(app).get(link);
    assert.equal(again.statusCode, 410);
    assert.equal(heading(again.body), 'This invitation has already been used');
    const againPost = await new TestClient(app).post('/invitations/accept', {
      token: tokenOf(link),
      fullName: 'Someone',
      password: newPassword,
    });
    assert.equal(againPost.statusCode, 410);

    const audit = await client.get(`/staff/organisations/${school.id}/audit`);
    assert.equal(audit.statusCode, 200);
    const lines = findAll(audit.body, 'tbody tr').map((row) => textOf(row));
    assert.ok(
      lines.some((l) => l.includes(`Ada Admin invited ${email} as a member`)),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => l.includes('Nia Newcomer accepted an invitation and joined as a member')));
  });

  test('an existing staff account accepts, and the organisation is added to it as an administrator', async () => {
    const school = await createOrganisation(db);
    const other = await createOrganisation(db);
    const admin = await createAdministrator(db, [school.id]);
    const existing = await createStaff(db, [other.id], 'Eli Existing');
    const client = await signedInClient(app, admin.email);
    assert.equal((await invite(client, school.id, existing.email, 'admin')).statusCode, 303);
    const link = await invitationLink(existing.email);
    const visitor = new TestClient(app);
    const page = await visitor.get(link);
    assert.match(page.body, /You already have a Parley account/);
    const accepted = await visitor.post('/invitations/accept', { token: tokenOf(link) });
    assert.equal(accepted.statusCode, 303);
    assert.equal((await roles(school.id)).get(existing.id), 'admin');
    assert.equal((await roles(other.id)).get(existing.id), 'member');
    const password = await db
      .selectFrom('users')
      .select('full_name')
      .where('id', '=', existing.id)
      .executeTakeFirstOrThrow();
    assert.equal(password.full_name, 'Eli Existing');
  });

  test('an address that is already a colleague, or a jobseeker account, is refused with a message', async () => {
    const school = await createOrganisation(db);
    const admin = await createAdministrator(db, [school.id]);
    const colleague = await createStaff(db, [school.id]);
    const jobseeker = await createJobseeker(db);
    const client = await signedInClient(app, admin.email);
    const already = await invite(client, school.id, colleague.email);
    assert.equal(already.statusCode, 400);
    assert.deepEqual(
      errorSummary(already.body).map((e) => e.text),
      [`${colleague.email} is already a colleague in ${school.name}`],
    );
    const self = await invite(client, school.id, admin.email);
    assert.equal(self.statusCode, 400);
    const seeker = await invite(client, school.id, jobseeker.email);
    assert.equal(seeker.statusCode, 400);
    assert.match(errorSummary(seeker.body)[0]!.text, /belongs to a jobseeker account/);
    const blank = await invite(client, school.id, '', 'nonsense');
    assert.deepEqual(
      errorSummary(blank.body).map((e) => e.text),
      ['Enter their email address', 'Select whether they will be an administrator'],
    );
    const tokens = await db
      .selectFrom('account_tokens')
      .select('id')
      .where('organisation_id', '=', school.id)
      .execute();
    assert.equal(tokens.length, 0);
  });

  test('an invitation expires after 7 days, a newer one replaces it, and a tampered one is not valid', async () => {
    const school = await createOrganisation(db);
    const admin = await createAdministrator(db, [school.id]);
    const client = await signedInClient(app, admin.email);
    const email = `later-${randomUUID()}@school.example`;
    await invite(client, school.id, email);
    const first = await invitationLink(email);
    await invite(client, school.id, email, 'admin');
    const second = await invitationLink(email);
    const replaced = await new TestClient(app).get(first);
    assert.equal(replaced.statusCode, 410);
    assert.equal(heading(replaced.body), 'This invitation has been replaced');
    const token = tokenOf(second);
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal((await new TestClient(app).get(`/invitations/accept?token=${tampered}`)).statusCode, 404);
    assert.equal(
      (await new TestClient(app).post('/invitations/accept', { token: tampered, fullName: 'X', password: newPassword }))
        .statusCode,
      404,
    );
    clock.advance(7 * 24 * 60 * 60 * 1000 + 1000);
    try {
      const expired = await new TestClient(app).get(second);
      assert.equal(expired.statusCode, 410);
      assert.equal(heading(expired.body), 'This invitation has expired');
      const post = await new TestClient(app).post('/invitations/accept', {
        token,
        fullName: 'Too Late',
        password: newPassword,
      });
      assert.equal(post.statusCode, 410);
    } finally {
      clock.set(new Date());
    }
    assert.equal(await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst(), undefined);
  });
});

describe('roles and removal', () => {
  test('administrators change roles; the last administrator cannot stop being one or remove themselves', async () => {
    const school = await createOrganisation(db);
    const admin = await createAdministrator(db, [school.id], 'Only Admin');
    const member = await createStaff(db, [school.id], 'Mo Member');
    const client = await signedInClient(app, admin.email);
    await client.get(`/staff/organisations/${school.id}/colleagues`);

    const demoteSelf = await client.post(`/staff/organisations/${school.id}/colleagues/${admin.id}/role`, {
      role: 'member',
    });
    assert.equal(demoteSelf.statusCode, 303);
    assert.match(
      (await client.get(`/staff/organisations/${school.id}/colleagues`)).body,
      /You are the only administrator/,
    );
    const removeSelf = await client.post(`/staff/organisations/${school.id}/colleagues/${admin.id}/remove`, {});
    assert.equal(removeSelf.statusCode, 303);
    assert.equal((await roles(school.id)).get(admin.id), 'admin');

    assert.equal(
      (await client.post(`/staff/organisations/${school.id}/colleagues/${member.id}/role`, { role: 'admin' }))
        .statusCode,
      303,
    );
    assert.equal((await roles(school.id)).get(member.id), 'admin');
    const bad = await client.post(`/staff/organisations/${school.id}/colleagues/${member.id}/role`, { role: 'owner' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      errorSummary(bad.body).map((e) => e.text),
      ['Select a role'],
    );

    // With two administrators, one may step down.
    assert.equal(
      (await client.post(`/staff/organisations/${school.id}/colleagues/${admin.id}/role`, { role: 'member' }))
        .statusCode,
      303,
    );
    assert.equal((await roles(school.id)).get(admin.id), 'member');
    // And is no longer an administrator: the pages are gone for them.
    assert.equal((await client.get(`/staff/organisations/${school.id}/colleagues`)).statusCode, 404);

    const newAdmin = await signedInClient(app, member.email);
    const audit = await newAdmin.get(`/staff/organisations/${school.id}/audit`);
    const lines = findAll(audit.body, 'tbody tr').map((row) => textOf(row));
    assert.ok(
      lines.some((l) => l.includes('Only Admin made Mo Member an administrator')),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => l.includes('Only Admin made Only Admin a member (not an administrator)')));
  });

  test('removal ends the colleague’s sessions and access at once; their messages keep their name', async () => {
    const scene = await createSchoolScene(db);
    const admin = await createAdministrator(db, [scene.school.id], 'Head Teacher');
    await sendAs(container, scene.application.id, scene.staff, 'Welcome to the shortlist');
    const leaving = await signedInClient(app, scene.staff.email);
    assert.equal((await leaving.get(`/staff/applications/${scene.application.id}`)).statusCode, 200);

    const client = await signedInClient(app, admin.email);
    const confirm = await client.get(`/staff/organisations/${scene.school.id}/colleagues/${scene.staff.id}/remove`);
    assert.equal(confirm.statusCode, 200);
    assert.equal(heading(confirm.body), 'Remove Amara Okafor');
    const removed = await client.post(
      `/staff/organisations/${scene.school.id}/colleagues/${scene.staff.id}/remove`,
      {},
    );
    assert.equal(removed.statusCode, 303);
    assert.equal((await roles(scene.school.id)).has(scene.staff.id), false);

    const after = await leaving.get(`/staff/applications/${scene.application.id}`);
    assert.equal(after.statusCode, 303);
    assert.match(String(after.headers.location), /^\/sign-in/);
    // With no organisation left, they cannot sign in again.
    const again = await new TestClient(app).post('/sign-in', { email: scene.staff.email, password: testPassword });
    assert.equal(again.statusCode, 401);

    const page = await client.get(`/staff/applications/${scene.application.id}`);
    assert.match(page.body, /Amara Okafor/);
    assert.match(page.body, /Welcome to the shortlist/);
    const audit = await client.get(`/staff/organisations/${scene.school.id}/audit`);
    assert.match(audit.body, /Head Teacher removed Amara Okafor/);
  });

  test('a colleague who still belongs elsewhere keeps that access after signing in again', async () => {
    const school = await createOrganisation(db);
    const other = await createOrganisation(db);
    const admin = await createAdministrator(db, [school.id]);
    const both = await createStaff(db, [school.id, other.id]);
    const otherVacancy = await createVacancy(db, other.id);
    const schoolVacancy = await createVacancy(db, school.id);
    const client = await signedInClient(app, admin.email);
    await client.get(`/staff/organisations/${school.id}/colleagues`);
    await client.post(`/staff/organisations/${school.id}/colleagues/${both.id}/remove`, {});
    const signedIn = await signedInClient(app, both.email);
    const list = await signedIn.get('/staff/vacancies');
    assert.match(list.body, new RegExp(otherVacancy.title));
    assert.doesNotMatch(list.body, new RegExp(schoolVacancy.title));
    assert.equal((await signedIn.get(`/staff/vacancies/${schoolVacancy.id}`)).statusCode, 404);
  });
});

describe('nobody manages another organisation’s colleagues', () => {
  test('members, other organisations, trusts and schools: 404 on every page and form, and nothing changes', async () => {
    const { trust, schools } = await createTrustWithSchools(db, 1);
    const school = schools[0]!;
    const trustAdmin = await createAdministrator(db, [trust.id], 'Trust Admin');
    const schoolAdmin = await createAdministrator(db, [school.id], 'School Admin');
    const schoolMember = await createStaff(db, [school.id], 'School Member');
    const elsewhere = await createAdministrator(db, [(await createOrganisation(db)).id]);

    const pages = (organisationId: string, userId: string) => [
      `/staff/organisations/${organisationId}/colleagues`,
      `/staff/organisations/${organisationId}/colleagues/invite`,
      `/staff/organisations/${organisationId}/colleagues/${userId}/role`,
      `/staff/organisations/${organisationId}/colleagues/${userId}/remove`,
      `/staff/organisations/${organisationId}/audit`,
    ];
    const forms = (organisationId: string, userId: string): [string, Record<string, string>][] => [
      [
        `/staff/organisations/${organisationId}/colleagues/invite`,
        { email: `x-${randomUUID()}@school.example`, role: 'admin' },
      ],
      [`/staff/organisations/${organisationId}/colleagues/${userId}/role`, { role: 'admin' }],
      [`/staff/organisations/${organisationId}/colleagues/${userId}/remove`, {}],
    ];
    const cases: [string, string, string, string][] = [
      // [who, organisation, colleague]: a member, another organisation's admin, a trust admin on a school, a school
      // admin on its trust, and a school admin naming someone outside the school.
      ['member', schoolMember.email, school.id, schoolAdmin.id],
      ['other organisation', elsewhere.email, school.id, schoolMember.id],
      ['trust admin on a school', trustAdmin.email, school.id, schoolMember.id],
      ['school admin on the trust', schoolAdmin.email, trust.id, trustAdmin.id],
      ['someone outside the organisation', schoolAdmin.email, school.id, trustAdmin.id],
    ];
    const before = { school: await roles(school.id), trust: await roles(trust.id) };
    for (const [who, email, organisationId, userId] of cases) {
      const client = await signedInClient(app, email);
      await client.get('/staff/colleagues');
      const list =
        who === 'someone outside the organisation'
          ? pages(organisationId, userId).slice(2, 4)
          : pages(organisationId, userId);
      for (const path of list) assert.equal((await client.get(path)).statusCode, 404, `${who}: GET ${path}`);
      const posts =
        who === 'someone outside the organisation'
          ? forms(organisationId, userId).slice(1)
          : forms(organisationId, userId);
      for (const [path, form] of posts)
        assert.equal((await client.post(path, form)).statusCode, 404, `${who}: POST ${path}`);
    }
    assert.deepEqual(await roles(school.id), before.school);
    assert.deepEqual(await roles(trust.id), before.trust);
    const invitations = await db
      .selectFrom('account_tokens')
      .select('id')
      .where('organisation_id', 'in', [school.id, trust.id])
      .execute();
    assert.equal(invitations.length, 0);

    const jobseeker = await signedInClient(app, (await createJobseeker(db)).email);
    assert.equal((await jobseeker.get(`/staff/organisations/${school.id}/colleagues`)).statusCode, 404);
    assert.equal((await jobseeker.get('/staff/colleagues')).statusCode, 404);
    assert.equal((await new TestClient(app).get(`/staff/organisations/${school.id}/colleagues`)).statusCode, 303);
    assert.equal((await new TestClient(app).get('/staff/organisations/not-a-uuid/colleagues')).statusCode, 303);

    // The trust's administrator manages the trust's own staff.
    const trustClient = await signedInClient(app, trustAdmin.email);
    const trustPage = await trustClient.get(`/staff/organisations/${trust.id}/colleagues`);
    assert.equal(trustPage.statusCode, 200);
    assert.doesNotMatch(trustPage.body, /School Member/);
    const overview = await trustClient.get('/staff/colleagues');
    assert.match(overview.body, new RegExp(`/staff/organisations/${trust.id}/colleagues`));
  });

  test('a vacancy change is in the school’s audit log', async () => {
    const school = await createOrganisation(db);
    const admin = await createAdministrator(db, [school.id], 'Vera Vacancy');
    const client = await signedInClient(app, admin.email);
    const vacancy = await createVacancy(db, school.id, { title: 'Caretaker' });
    await client.get(`/staff/vacancies/${vacancy.id}`);
    await client.post(`/staff/vacancies/${vacancy.id}/close`, {});
    const audit = await client.get(`/staff/organisations/${school.id}/audit`);
    assert.match(audit.body, /Vera Vacancy closed the vacancy Caretaker/);
  });
});
