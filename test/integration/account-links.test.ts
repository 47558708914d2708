import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, testApp, testContainer } from '../support/context.ts';
import { createJobseeker, createOrganisation, createStaff, createVacancy, testPassword } from '../support/factories.ts';
import { TestClient, signedInClient } from '../support/http.ts';
import { accountEmailsTo, linkIn, workAccountEmails } from '../support/account-emails.ts';
import { findAll, textOf } from '../support/html.ts';
import { queueDefinitions } from '../../src/platform/queue.ts';

const clock = fixedClock(new Date());
const container = testContainer({ clock });
const app = await testApp(container);
const { db } = container;

const newPassword = 'a brand new password 42';

function errorSummary(body: string): string[] {
  return findAll(body, '.govuk-error-summary__list a').map((a) => textOf(a));
}

function heading(body: string): string {
  return textOf(findAll(body, 'h1')[0]!);
}

async function signUp(client: TestClient, form: Record<string, string>) {
  await client.get('/sign-up');
  return client.post('/sign-up', form);
}

async function accountJobs(): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    select count(*)::int as count from pgboss.job where name = ${queueDefinitions.accountEmail.name}
  `.execute(db);
  return rows[0]?.count ?? 0;
}

describe('jobseeker sign-up', () => {
  test('a new jobseeker signs up, confirms the address by the emailed link, and can then apply', async () => {
    const school = await createOrganisation(db);
    const vacancy = await createVacancy(db, school.id);
    const email = `new-${randomUUID()}@jobseeker.example`;
    const client = new TestClient(app);
    const job = await client.get(`/jobs/${vacancy.id}`);
    assert.match(job.body, new RegExp(`/sign-up\\?returnTo=${encodeURIComponent(`/jobs/${vacancy.id}`)}`));
    const response = await signUp(client, {
      fullName: 'Priya Shah',
      email: `  ${email.toUpperCase()} `,
      password: newPassword,
      returnTo: `/jobs/${vacancy.id}`,
    });
    assert.equal(response.statusCode, 200);
    assert.equal(heading(response.body), 'Check your email');

    // Signed in before confirming: the account exists but cannot apply yet.
    const jobseeker = new TestClient(app);
    await jobseeker.signIn(email, newPassword);
    const blocked = await jobseeker.get(`/jobs/${vacancy.id}/apply`);
    assert.equal(blocked.statusCode, 403);
    assert.equal(heading(blocked.body), 'Confirm your email address to apply');
    const blockedPost = await jobseeker.post(`/jobs/${vacancy.id}/apply`, {
      candidateName: 'Priya Shah',
      contactEmail: email,
      personalStatement: 'Hello',
      action: 'submit',
    });
    assert.equal(blockedPost.statusCode, 403);
    const applications = await db
      .selectFrom('applications')
      .select('id')
      .where('vacancy_id', '=', vacancy.id)
      .execute();
    assert.equal(applications.length, 0);

    const [sent] = await accountEmailsTo(container, email);
    assert.ok(sent);
    assert.equal(sent.subject, 'Confirm your email address for Parley');
    const link = linkIn(sent, '/verify-email?token=');
    assert.match(link, new RegExp(`returnTo=${encodeURIComponent(`/jobs/${vacancy.id}`)}`));

    // Opening the link uses nothing (mail scanners open links); the button confirms.
    const page = await jobseeker.get(link);
    assert.equal(page.statusCode, 200);
    assert.equal(heading(page.body), 'Confirm your email address');
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    const confirmed = await jobseeker.post('/verify-email', { token, returnTo: `/jobs/${vacancy.id}` });
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, `/jobs/${vacancy.id}`);
    const apply = await jobseeker.get(`/jobs/${vacancy.id}/apply`);
    assert.equal(apply.statusCode, 200);
    assert.match(apply.body, /Your application/);

    // The link works once.
    const again = await jobseeker.get(link);
    assert.equal(again.statusCode, 410);
    assert.equal(heading(again.body), 'This link has already been used');
    const againPost = await new TestClient(app).post('/verify-email', { token });
    assert.equal(againPost.statusCode, 410);
  });

  test('signing up with an address that has an account looks the same, and the email tells its owner', async () => {
    const existing = await createJobseeker(db, 'Jo Existing');
    const before = await db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', existing.id)
      .executeTakeFirstOrThrow();
    const client = new TestClient(app);
    const response = await signUp(client, { fullName: 'Someone Else', email: existing.email, password: newPassword });
    assert.equal(response.statusCode, 200);
    assert.equal(heading(response.body), 'Check your email');
    const fresh = await signUp(new TestClient(app), {
      fullName: 'Someone Else',
      email: `other-${randomUUID()}@jobseeker.example`,
      password: newPassword,
    });
    assert.equal(
      findAll(response.body, 'main p').length,
      findAll(fresh.body, 'main p').length,
      'the same page for a registered and an unregistered address',
    );
    const [sent] = await accountEmailsTo(container, existing.email);
    assert.equal(sent?.subject, 'You already have a Parley account');
    assert.match(sent.text, /\/forgotten-password/);
    const after = await db
      .selectFrom('users')
      .select(['password_hash', 'full_name'])
      .where('id', '=', existing.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.password_hash, before.password_hash);
    assert.equal(after.full_name, 'Jo Existing');
    const users = await db.selectFrom('users').select('id').where('email', '=', existing.email).execute();
    assert.equal(users.length, 1);
  });

  test('every mistake is reported at once, and nothing is kept', async () => {
    const jobsBefore = await accountJobs();
    const response = await signUp(new TestClient(app), { fullName: ' ', email: 'not-an-address', password: 'short' });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Enter your full name',
      'Enter an email address in the correct format, like name@example.com',
      'Password must be 12 characters or more',
    ]);
    assert.match(response.body, /<title>Error: /);
    assert.match(response.body, /value="not-an-address"/);
    assert.equal(await accountJobs(), jobsBefore);
  });

  test('sign-up is limited like sign-in: too many attempts for one address are refused for a while', async () => {
    const email = `limited-${randomUUID()}@jobseeker.example`;
    const client = new TestClient(app);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const response = await signUp(client, { fullName: 'Lim Ited', email, password: newPassword });
      assert.equal(response.statusCode, 200);
    }
    const refused = await signUp(client, { fullName: 'Lim Ited', email, password: newPassword });
    assert.equal(refused.statusCode, 429);
    assert.deepEqual(errorSummary(refused.body), ['You have tried too many times. Wait 15 minutes and try again.']);
  });

  test('a newer confirmation link replaces the older one; a tampered or expired link gets a clear page', async () => {
    const email = `twice-${randomUUID()}@jobseeker.example`;
    await signUp(new TestClient(app), { fullName: 'Twice Over', email, password: newPassword });
    const [first] = await accountEmailsTo(container, email);
    const client = new TestClient(app);
    await client.signIn(email, newPassword);
    await client.get('/jobs');
    const resent = await client.post('/verify-email/resend', { returnTo: '/jobs' });
    assert.equal(resent.statusCode, 303);
    const [second] = await accountEmailsTo(container, email);
    assert.notEqual(linkIn(first, '/verify-email'), linkIn(second, '/verify-email'));

    const old = await client.get(linkIn(first, '/verify-email'));
    assert.equal(old.statusCode, 410);
    assert.equal(heading(old.body), 'This link has been replaced');

    const link = linkIn(second, '/verify-email');
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const bad = await client.get(`/verify-email?token=${tampered}`);
    assert.equal(bad.statusCode, 404);
    assert.equal(heading(bad.body), 'This link is not valid');
    assert.equal((await client.get('/verify-email?token=<script>')).statusCode, 404);
    assert.equal((await client.get('/verify-email')).statusCode, 404);
    assert.equal((await client.post('/verify-email', { token: tampered })).statusCode, 404);

    clock.advance(24 * 60 * 60 * 1000 + 1000);
    try {
      const expired = await client.get(link);
      assert.equal(expired.statusCode, 410);
      assert.equal(heading(expired.body), 'This link has expired');
      assert.equal((await client.post('/verify-email', { token })).statusCode, 410);
    } finally {
      clock.set(new Date());
    }
    const user = await db
      .selectFrom('users')
      .select('email_verified_at')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    assert.equal(user.email_verified_at, null);
  });

  test('only hashes of the tokens are stored, and the queue job holds no token or address', async () => {
    const email = `hash-${randomUUID()}@jobseeker.example`;
    await signUp(new TestClient(app), { fullName: 'Hash Brown', email, password: newPassword });
    const { rows: jobs } = await sql<{ data: unknown }>`
      select data from pgboss.job where name = ${queueDefinitions.accountEmail.name} order by created_on desc limit 1
    `.execute(db);
    const [sent] = await accountEmailsTo(container, email);
    const token = new URL(linkIn(sent, '/verify-email'), 'http://x').searchParams.get('token')!;
    assert.doesNotMatch(JSON.stringify(jobs[0]?.data), new RegExp(`${token}|${email}`));
    const row = await db
      .selectFrom('account_tokens')
      .selectAll()
      .where('token_hash', '=', createHash('sha256').update(token).digest())
      .executeTakeFirstOrThrow();
    assert.doesNotMatch(JSON.stringify(row), new RegExp(token));
    const deliveries = await db
      .selectFrom('email_deliveries')
      .select('kind')
      .where('key', '=', `account:${row.id}`)
      .execute();
    assert.deepEqual(deliveries, [{ kind: 'account' }]);
  });
});

describe('forgotten password', () => {
  async function requestReset(email: string) {
    const client = new TestClient(app);
    await client.get('/forgotten-password');
    return client.post('/forgotten-password', { email });
  }

  test('the answer is the same whether or not the address has an account', async () => {
    const jobsBefore = await accountJobs();
    const unknown = await requestReset(`nobody-${randomUUID()}@example.com`);
    assert.equal(unknown.statusCode, 200);
    assert.equal(heading(unknown.body), 'Check your email');
    await workAccountEmails(container);
    assert.equal(await accountJobs(), jobsBefore, 'no email for an address without an account');
    const staff = await createStaff(db, [(await createOrganisation(db)).id]);
    const known = await requestReset(staff.email);
    assert.equal(known.statusCode, 200);
    assert.equal(
      textOf(findAll(known.body, 'main')[0]!).replace(staff.email, 'X'),
      textOf(findAll(unknown.body, 'main')[0]!).replace(/nobody-[^ ]+@example\.com/, 'X'),
    );
    const invalid = await requestReset('');
    assert.equal(invalid.statusCode, 400);
    assert.deepEqual(errorSummary(invalid.body), ['Enter your email address']);
  });

  test('a reset changes the password, ends every session of the account, and the link works once', async () => {
    const school = await createOrganisation(db);
    const staff = await createStaff(db, [school.id], 'Reset Me');
    const elsewhere = await signedInClient(app, staff.email);
    assert.equal((await elsewhere.get('/staff/vacancies')).statusCode, 200);

    await requestReset(staff.email);
    const [older] = await accountEmailsTo(container, staff.email);
    await requestReset(staff.email);
    const [newest] = await accountEmailsTo(container, staff.email);
    assert.equal(newest?.subject, 'Reset your Parley password');
    const link = linkIn(newest, '/reset-password?token=');
    const olderLink = linkIn(older, '/reset-password?token=');
    const token = new URL(link, 'http://x').searchParams.get('token')!;

    const replaced = await new TestClient(app).get(olderLink);
    assert.equal(replaced.statusCode, 410);
    assert.equal(heading(replaced.body), 'This link has been replaced');

    const client = new TestClient(app);
    const form = await client.get(link);
    assert.equal(form.statusCode, 200);
    assert.equal(heading(form.body), 'Choose a new password');
    const mismatch = await client.post('/reset-password', { token, password: newPassword, confirmPassword: 'other' });
    assert.equal(mismatch.statusCode, 400);
    assert.deepEqual(errorSummary(mismatch.body), ['Enter the same password in both boxes']);
    const short = await client.post('/reset-password', { token, password: 'short', confirmPassword: 'short' });
    assert.deepEqual(errorSummary(short.body), ['Password must be 12 characters or more']);

    const done = await client.post('/reset-password', { token, password: newPassword, confirmPassword: newPassword });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/sign-in');
    const signInPage = await client.get('/sign-in');
    assert.match(signInPage.body, /Your password has been changed/);

    // Signed out everywhere.
    const after = await elsewhere.get('/staff/vacancies');
    assert.equal(after.statusCode, 303);
    assert.match(String(after.headers.location), /^\/sign-in/);
    const sessions = await sql<{ count: number }>`
      select count(*)::int as count from sessions where data->>'userId' = ${staff.id}
    `.execute(db);
    assert.equal(sessions.rows[0]?.count, 0);

    const oldPassword = await new TestClient(app).post('/sign-in', { email: staff.email, password: testPassword });
    assert.equal(oldPassword.statusCode, 401);
    await new TestClient(app).signIn(staff.email, newPassword);

    const reused = await new TestClient(app).get(link);
    assert.equal(reused.statusCode, 410);
    assert.equal(heading(reused.body), 'This link has already been used');
    const reusedPost = await new TestClient(app).post('/reset-password', {
      token,
      password: 'yet another password 1',
      confirmPassword: 'yet another password 1',
    });
    assert.equal(reusedPost.statusCode, 410);
    await new TestClient(app).signIn(staff.email, newPassword);
  });

  test('a reset link expires after an hour, and a tampered one is not valid', async () => {
    const jobseeker = await createJobseeker(db);
    await requestReset(jobseeker.email);
    const [sent] = await accountEmailsTo(container, jobseeker.email);
    const link = linkIn(sent, '/reset-password?token=');
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    clock.advance(59 * 60 * 1000);
    try {
      assert.equal((await new TestClient(app).get(link)).statusCode, 200);
      clock.advance(60 * 1000);
      const expired = await new TestClient(app).get(link);
      assert.equal(expired.statusCode, 410);
      assert.equal(heading(expired.body), 'This link has expired');
      assert.match(expired.body, /href="\/forgotten-password"/);
      const post = await new TestClient(app).post('/reset-password', {
        token,
        password: newPassword,
        confirmPassword: newPassword,
      });
      assert.equal(post.statusCode, 410);
    } finally {
      clock.set(new Date());
    }
    const tampered = `${token.slice(0, 10)}${token[10] === 'x' ? 'y' : 'x'}${token.slice(11)}`;
    const bad = await new TestClient(app).post('/reset-password', {
      token: tampered,
      password: newPassword,
      confirmPassword: newPassword,
    });
    assert.equal(bad.statusCode, 404);
    await new TestClient(app).signIn(jobseeker.email, testPassword);
  });

  test('asking for resets is limited per address', async () => {
    const email = `many-${randomUUID()}@example.com`;
    for (let attempt = 0; attempt < 10; attempt += 1) assert.equal((await requestReset(email)).statusCode, 200);
    assert.equal((await requestReset(email)).statusCode, 429);
  });
});
