import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import pino from 'pino';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { createContainer } from '../../src/container.ts';
import { createApp, sessionIdleMs, sessionTouchIntervalMs } from '../../src/web/app.ts';
import { testApp, testContainer, testDatabaseUrl } from '../support/context.ts';
import { createJobseeker, createSchoolScene, testPassword } from '../support/factories.ts';
import { TestClient, signedInClient } from '../support/http.ts';
import { findAll, pageTitle } from '../support/html.ts';

const container = testContainer({ env: { SIGN_IN_ATTEMPTS_PER_15_MINUTES: '3' } });
const app = await testApp(container);
const db = container.db;

describe('health and readiness', () => {
  test('/health says the process is up and /ready that the database answers', async () => {
    assert.deepEqual((await app.inject('/health')).json(), { status: 'ok' });
    assert.deepEqual((await app.inject('/ready')).json(), { status: 'ready' });
  });

  test('/ready is 503 when the database cannot be reached', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://nobody:wrong@127.0.0.1:1/none' });
    const broken = createContainer({
      config,
      logger: pino({ level: 'silent' }),
      databaseUrl: config.database.url ?? '',
    });
    const brokenApp = await createApp(broken.web);
    try {
      assert.equal((await brokenApp.inject('/ready')).statusCode, 503);
    } finally {
      await brokenApp.close();
      await broken.close();
    }
  });
});

describe('pages and errors', () => {
  test('an unknown page is a GOV.UK 404 page', async () => {
    const response = await app.inject('/no-such-page');
    assert.equal(response.statusCode, 404);
    assert.match(response.body, /Page not found/);
    assert.match(response.body, /govuk-template/);
  });

  test('an oversized form body gets 413 and a page that says so', async () => {
    const client = await signedInClient(app, (await createJobseeker(db)).email);
    const response = await client.post('/sign-in', { email: 'x'.repeat(1_100_000), password: 'y' });
    assert.equal(response.statusCode, 413);
    assert.match(response.body, /too large/);
  });

  test('a NUL character in a form is removed, not a database error', async () => {
    const scene = await createSchoolScene(db);
    const jobseeker = await createJobseeker(db);
    const client = await signedInClient(app, jobseeker.email);
    await client.get(`/jobs/${scene.vacancy.id}/apply`);
    const response = await client.post(`/jobs/${scene.vacancy.id}/apply`, {
      candidateName: 'Nia\u0000 Roberts',
      contactEmail: 'nia@example.com',
      personalStatement: 'I teach\u0000 with joy.',
      action: 'submit',
    });
    assert.equal(response.statusCode, 303);
    const row = await db
      .selectFrom('applications')
      .select(['candidate_name', 'personal_statement'])
      .where('jobseeker_id', '=', jobseeker.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { candidate_name: 'Nia Roberts', personal_statement: 'I teach with joy.' });
  });

  test('security headers: a CSP with a nonce, and every script carries it', async () => {
    const response = await app.inject('/sign-in');
    const csp = String(response.headers['content-security-policy']);
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, `CSP has a script nonce: ${csp}`);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    const scripts = findAll(response.body, 'script');
    assert.ok(scripts.length >= 2);
    for (const script of scripts) {
      assert.equal(script.attribs.nonce, nonce, `script without the nonce: ${script.attribs.src ?? 'inline'}`);
    }
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
    const second = await app.inject('/sign-in');
    assert.notEqual(
      /nonce-([^']+)/.exec(String(second.headers['content-security-policy']))?.[1],
      nonce,
      'a new nonce per response',
    );
  });

  test('the demo account list only appears in development', async () => {
    const response = await app.inject('/sign-in');
    assert.ok(!response.body.includes('Demo accounts'));
  });
});

describe('sign in', () => {
  test('a wrong password and an unknown email give the same generic error', async () => {
    const jobseeker = await createJobseeker(db);
    const wrongPassword = await new TestClient(app).post('/sign-in', { email: jobseeker.email, password: 'wrong' });
    const unknownEmail = await new TestClient(app).post('/sign-in', {
      email: 'nobody-here@example.com',
      password: 'wrong',
    });
    for (const response of [wrongPassword, unknownEmail]) {
      assert.equal(response.statusCode, 401);
      assert.match(response.body, /Enter a correct email address and password/);
      assert.match(pageTitle(response.body), /^Error: Sign in/);
    }
    assert.match(wrongPassword.body, new RegExp(`value="${jobseeker.email}"`), 'the email is kept');
  });

  test('empty fields get their own errors', async () => {
    const response = await new TestClient(app).post('/sign-in', { email: '', password: '' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Enter your email address/);
    assert.match(response.body, /Enter your password/);
  });

  test('after too many failures the account is locked for 15 minutes, even with the right password', async () => {
    const jobseeker = await createJobseeker(db);
    const client = new TestClient(app);
    for (let i = 0; i < 3; i += 1)
      assert.equal((await client.post('/sign-in', { email: jobseeker.email, password: 'wrong' })).statusCode, 401);
    const locked = await client.post('/sign-in', { email: jobseeker.email, password: testPassword });
    assert.equal(locked.statusCode, 429);
    assert.match(locked.body, /too many times/);
  });

  test('signing in sets a new session id; signing out ends the session', async () => {
    const scene = await createSchoolScene(db);
    const client = new TestClient(app);
    await client.get('/sign-in');
    const before = client.cookies.get('parley_session');
    await client.signIn(scene.staff.email);
    assert.notEqual(client.cookies.get('parley_session'), before, 'session fixation: the id changes at sign-in');
    assert.equal((await client.get('/staff/vacancies')).statusCode, 200);
    const cookieBeforeSignOut = client.cookies.get('parley_session') ?? '';
    await client.post('/sign-out', {});
    const replay = await app.inject({
      url: '/staff/vacancies',
      headers: { cookie: `parley_session=${cookieBeforeSignOut}` },
    });
    assert.equal(replay.statusCode, 303, 'the old session no longer works');
  });

  test('only same-site return addresses are followed', async () => {
    const scene = await createSchoolScene(db);
    const client = new TestClient(app);
    await client.get('/sign-in?returnTo=//evil.example/x');
    const response = await client.post('/sign-in', {
      email: scene.staff.email,
      password: testPassword,
      returnTo: '//evil.example/x',
    });
    assert.equal(response.headers.location, '/staff/vacancies');
  });
});

describe('session expiry', () => {
  async function sessionOf(userId: string) {
    const rows = await sql<{ id: string; touchedAt: string | null; expiresAt: Date }>`
      select id, (data->>'touchedAt')::bigint as "touchedAt", expires_at as "expiresAt"
      from sessions where data->>'userId' = ${userId}
    `.execute(db);
    assert.equal(rows.rows.length, 1);
    const row = rows.rows[0]!;
    return { ...row, touchedAt: row.touchedAt === null ? null : Number(row.touchedAt) };
  }

  test(`a signed-in session ends after ${sessionIdleMs / 3_600_000} hours without a request`, async () => {
    const scene = await createSchoolScene(db);
    const client = await signedInClient(app, scene.staff.email);
    assert.equal((await client.get('/staff/vacancies')).statusCode, 200);
    const session = await sessionOf(scene.staff.id);
    await sql`update sessions set expires_at = now() - interval '1 second' where id = ${session.id}`.execute(db);
    const after = await client.get('/staff/vacancies');
    assert.equal(after.statusCode, 303);
    assert.match(String(after.headers.location), /^\/sign-in/);
  });

  test('a signed-in session is saved, and its expiry moved on, at most every few minutes', async () => {
    const scene = await createSchoolScene(db);
    const client = await signedInClient(app, scene.staff.email);
    assert.equal((await client.get('/staff/vacancies')).statusCode, 200);
    const touched = await sessionOf(scene.staff.id);
    assert.ok(touched.touchedAt !== null, 'the first request after signing in touches the session');
    assert.ok(touched.expiresAt.getTime() > Date.now() + sessionIdleMs - 60_000);

    // Within the interval, requests read the session and save nothing: no UPDATE, no new cookie.
    const again = await client.get('/staff/vacancies');
    assert.equal(again.statusCode, 200);
    assert.equal(again.headers['set-cookie'], undefined);
    assert.deepEqual(await sessionOf(scene.staff.id), touched);

    // Once the last touch is older than the interval, the next request moves the expiry on by the idle timeout.
    const stale = Date.now() - sessionTouchIntervalMs - 1000;
    await sql`
      update sessions set data = jsonb_set(data, '{touchedAt}', to_jsonb(${stale}::bigint)),
                          expires_at = now() + interval '1 hour'
      where id = ${touched.id}
    `.execute(db);
    const later = await client.get('/staff/vacancies');
    assert.equal(later.statusCode, 200);
    assert.match(String(later.headers['set-cookie']), /parley_session=/);
    const moved = await sessionOf(scene.staff.id);
    assert.ok(moved.touchedAt !== null && moved.touchedAt > stale);
    assert.ok(moved.expiresAt.getTime() > Date.now() + sessionIdleMs - 60_000, 'the expiry moved on');
  });
});

describe('production settings', () => {
  test('the session cookie is HttpOnly, SameSite=Lax and Secure', async () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: testDatabaseUrl(),
      SESSION_SECRET: 'a-production-secret-that-is-long-enough-1234567890',
      BASE_URL: 'https://parley.example',
      SMTP_HOST: '127.0.0.1',
    });
    const production = createContainer({ config, logger: pino({ level: 'silent' }), databaseUrl: testDatabaseUrl() });
    const productionApp = await createApp(production.web);
    try {
      const response = await productionApp.inject({ url: '/sign-in', headers: { 'x-forwarded-proto': 'https' } });
      const cookie = String(response.headers['set-cookie']);
      assert.match(cookie, /parley_session=/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.match(cookie, /Secure/);
      assert.match(String(response.headers['strict-transport-security']), /max-age=31536000/);
    } finally {
      await productionApp.close();
      await production.close();
    }
  });

  test('production refuses to start without its secrets, listing every missing one', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production' }),
      (error: Error) => {
        assert.match(error.message, /SESSION_SECRET/);
        assert.match(error.message, /DATABASE_URL/);
        assert.match(error.message, /BASE_URL/);
        assert.match(error.message, /SMTP_HOST or NOTIFY_API_KEY/);
        return true;
      },
    );
  });
});

describe('logs', () => {
  test('one line per request with a request id; no emails or passwords', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        callback();
      },
    });
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: testDatabaseUrl() });
    const logged = createContainer({ config, logger: pino({ level: 'info' }, sink), databaseUrl: testDatabaseUrl() });
    const loggedApp = await createApp(logged.web);
    try {
      const jobseeker = await createJobseeker(db);
      const client = new TestClient(loggedApp);
      await client.get('/sign-in');
      await client.post('/sign-in', { email: jobseeker.email, password: 'wrong-password-123' });
      const requestLines = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'request');
      assert.equal(requestLines.length, 2);
      for (const line of requestLines) assert.ok(typeof line.reqId === 'string' && line.reqId.length > 0);
      const everything = lines.join('\n');
      assert.ok(!everything.includes(jobseeker.email), 'no email in the logs');
      assert.ok(!everything.includes('wrong-password-123'), 'no password in the logs');
    } finally {
      await loggedApp.close();
      await logged.close();
    }
  });
});
