import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Container } from '../../src/container.ts';
import { createApp } from '../../src/web/app.ts';
import { liveUrls } from '../../src/live/urls.ts';
import { testContainer, testDatabaseUrl } from '../support/context.ts';
import { startParley } from '../support/processes.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
  type TestUser,
} from '../support/factories.ts';
import { HttpClient } from '../support/browserless-client.ts';
import { EventStreamClient } from '../support/event-stream.ts';

/**
 * Live pages across processes: two complete apps (each its own container: pool, LISTEN connection, streams) on one
 * PostgreSQL, as two web processes are. A message sent through one reaches the streams held by the other; nobody
 * without access hears of it; streams are limited per person, re-sync on reconnect, and end on sign-out and shutdown.
 */
const settings = { LIVE_SESSION_CHECK_SECONDS: '1', LIVE_HEARTBEAT_SECONDS: '1', LIVE_STREAMS_PER_PERSON: '5' };
const containerA = testContainer({ env: settings });
const containerB = testContainer({ env: settings });
const db = containerA.db;
let appA: FastifyInstance;
let appB: FastifyInstance;
let urlA: string;
let urlB: string;
const streams: EventStreamClient[] = [];

async function listen(container: Container): Promise<{ app: FastifyInstance; url: string }> {
  const app = await createApp(container.web);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: address };
}

before(async () => {
  ({ app: appA, url: urlA } = await listen(containerA));
  ({ app: appB, url: urlB } = await listen(containerB));
});
after(async () => {
  for (const stream of streams) stream.close();
  await appA.close();
  await appB.close();
});

async function open(baseUrl: string, path: string, client?: HttpClient, lastEventId?: string) {
  const stream = await EventStreamClient.open(baseUrl, path, { cookies: client?.cookies, lastEventId });
  streams.push(stream);
  return stream;
}

async function signedIn(baseUrl: string, user: TestUser): Promise<HttpClient> {
  const client = new HttpClient(baseUrl);
  await client.signIn(user.email);
  return client;
}

async function scene() {
  const school = await createOrganisation(db);
  const staff = await createStaff(db, [school.id], 'Amara Okafor');
  const vacancy = await createVacancy(db, school.id, { createdBy: staff.id });
  const jobseeker = await createJobseeker(db, 'Sam Taylor');
  const application = await createApplication(db, {
    vacancyId: vacancy.id,
    jobseeker,
    status: 'interviewing',
    staffId: staff.id,
  });
  return { school, staff, vacancy, jobseeker, application };
}

/** Sends a message through a web process's real form, as a person does. */
async function sendThroughForm(client: HttpClient, path: string, words: string): Promise<void> {
  const page = await client.get(path);
  assert.equal(page.status, 200);
  const formKey = /name="formKey" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const sendPath = path.startsWith('/staff/') ? `${path}/messages` : `${path}/messages`;
  const sent = await client.postMultipart(sendPath, { formKey, format: 'text', body: words });
  assert.equal(sent.status, 303, `the message was sent: ${sent.status}`);
}

async function listening(...containers: Container[]): Promise<void> {
  await Promise.all(containers.map((container) => container.live.listening()));
}

describe('live pages across two web processes', () => {
  test('a message sent through one process reaches the conversation and the lists held by the other', async () => {
    const { staff, jobseeker, application } = await scene();
    const jobseekerOnB = await signedIn(urlB, jobseeker);
    const staffOnA = await signedIn(urlA, staff);

    const conversation = await open(urlB, liveUrls.applicationEvents(application.id), jobseekerOnB);
    assert.equal(conversation.status, 200);
    assert.match(String(conversation.headers['content-type']), /^text\/event-stream/);
    assert.equal(conversation.headers['cache-control'], 'private, no-store');
    assert.ok(conversation.headers['content-security-policy'], 'the security headers are kept');
    const everything = await open(urlB, liveUrls.events(), jobseekerOnB);
    await conversation.waitFor((e) => e.event === 'ready', 10_000, 'ready');
    await everything.waitFor((e) => e.event === 'ready', 10_000, 'ready');
    assert.equal(conversation.retry, 3000, 'the browser is told how soon to reconnect');
    await listening(containerB);

    const words = `Interview on Monday ${randomUUID()}`;
    const sentAt = Date.now();
    await sendThroughForm(staffOnA, `/staff/applications/${application.id}`, words);
    const message = await conversation.waitFor((e) => e.event === 'new-message', 10_000, 'the new message');
    const latencyMs = Date.now() - sentAt;
    const messageId = (JSON.parse(message.data) as { messageId: string }).messageId;
    const stored = await db
      .selectFrom('messages')
      .select(['id', 'body_text'])
      .where('id', '=', messageId)
      .executeTakeFirst();
    assert.ok(stored?.body_text.includes(words), 'the event names the message that was sent');
    assert.match(message.id ?? '', /^\d+$/, 'the event has an id for Last-Event-ID');
    assert.ok(latencyMs < 10_000);

    await everything.waitFor((e) => e.event === 'change', 10_000, 'the change of the list');
    const counts = await everything.waitFor(
      (e) => e.event === 'counts' && (JSON.parse(e.data) as { messages: number }).messages === 1,
      10_000,
      'the navigation counts with one unread conversation',
    );
    assert.ok(counts);
    for (const stream of [conversation, everything]) {
      assert.ok(!stream.raw.includes(words), 'no message text crosses the stream');
      assert.ok(!stream.raw.includes('Monday'), 'no message text crosses the stream');
    }
    await conversation.waitForText(': heartbeat', 5_000);

    // The page fetches the thread (on process B) through the page's own checks, marking it read.
    const thread = await fetch(`${urlB}${liveUrls.thread(application.id)}?read=1`, {
      headers: { cookie: [...jobseekerOnB.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    assert.equal(thread.status, 200);
    const html = await thread.text();
    assert.ok(html.includes(words));
    assert.ok(html.includes(`id="message-${messageId}"`));
    assert.ok(!html.includes('<html'), 'only the list of messages');
    assert.deepEqual(JSON.parse(thread.headers.get('x-parley-navigation-counts') ?? '{}'), {
      messages: 0,
      notifications: 0,
    });
    assert.equal(thread.headers.get('cache-control'), 'private, no-store');
  });

  test('the sender hears nothing of their own message; colleagues at the school do', async () => {
    const { school, staff, jobseeker, application } = await scene();
    const colleague = await createStaff(db, [school.id], 'Priya Shah');
    const staffOnB = await signedIn(urlB, staff);
    const colleagueOnB = await signedIn(urlB, colleague);
    const senderStream = await open(urlB, liveUrls.applicationEvents(application.id), staffOnB);
    const colleagueStream = await open(urlB, liveUrls.events(), colleagueOnB);
    await senderStream.waitFor((e) => e.event === 'ready');
    await colleagueStream.waitFor((e) => e.event === 'ready');
    await listening(containerB);

    await sendThroughForm(await signedIn(urlA, staff), `/staff/applications/${application.id}`, 'Hello');
    await colleagueStream.waitFor((e) => e.event === 'change', 10_000, "the colleague's change");
    // The jobseeker replies: now the sender hears of it.
    await sendThroughForm(await signedIn(urlA, jobseeker), `/applications/${application.id}`, 'Thank you');
    await senderStream.waitFor((e) => e.event === 'new-message', 10_000, 'the reply');
    assert.equal(senderStream.named('new-message').length, 1, 'one event: the reply, not their own message');
  });
});

describe('access', () => {
  test('someone without access gets nothing, and a 404 for the stream of a conversation that is not theirs', async () => {
    const { staff, jobseeker, application } = await scene();
    const otherSchool = await createOrganisation(db);
    const otherStaff = await createStaff(db, [otherSchool.id], 'Other Staff');
    const otherJobseeker = await createJobseeker(db, 'Other Jobseeker');
    const otherStaffOnB = await signedIn(urlB, otherStaff);
    const otherJobseekerOnB = await signedIn(urlB, otherJobseeker);
    const jobseekerOnB = await signedIn(urlB, jobseeker);

    for (const client of [otherStaffOnB, otherJobseekerOnB]) {
      const refused = await open(urlB, liveUrls.applicationEvents(application.id), client);
      assert.equal(refused.status, 404);
      assert.match(await refused.text(), /Page not found/);
      const thread = await client.get(liveUrls.thread(application.id));
      assert.equal(thread.status, 404);
    }
    const notAnId = await open(urlB, '/live/applications/not-an-id/events', jobseekerOnB);
    assert.equal(notAnId.status, 404);
    const signedOut = await open(urlB, liveUrls.events());
    assert.equal(signedOut.status, 401, 'signed out: refused, so the browser stops trying');
    const signedOutConversation = await open(urlB, liveUrls.applicationEvents(application.id));
    assert.equal(signedOutConversation.status, 401);

    const outsiders = [
      await open(urlB, liveUrls.events(), otherStaffOnB),
      await open(urlB, liveUrls.events(), otherJobseekerOnB),
    ];
    const insider = await open(urlB, liveUrls.events(), jobseekerOnB);
    for (const stream of [...outsiders, insider]) await stream.waitFor((e) => e.event === 'ready');
    await listening(containerB);

    await sendThroughForm(await signedIn(urlA, staff), `/staff/applications/${application.id}`, 'Hello Sam');
    await insider.waitFor((e) => e.event === 'change', 10_000, "the jobseeker's change");
    await insider.waitFor((e) => e.event === 'counts', 10_000, "the jobseeker's counts");
    for (const stream of outsiders) {
      assert.deepEqual(
        stream.events.map((e) => e.event),
        ['ready'],
        'people who may not see the application hear nothing of it',
      );
    }
  });
});

describe('limits and the life of a stream', () => {
  test('a person may hold five streams in a process; the sixth is refused with 429', async () => {
    const { jobseeker } = await scene();
    const client = await signedIn(urlA, jobseeker);
    const held = [];
    for (let i = 0; i < 5; i += 1) {
      const stream = await open(urlA, liveUrls.events(), client);
      assert.equal(stream.status, 200);
      held.push(stream);
    }
    await Promise.all(held.map((stream) => stream.waitFor((e) => e.event === 'ready')));
    const sixth = await open(urlA, liveUrls.events(), client);
    assert.equal(sixth.status, 429);
    assert.equal(sixth.headers['retry-after'], '30');
    assert.match(await sixth.text(), /Too many live pages/);
    // Another person is not affected, and on the other process the person has their own five.
    const other = await open(urlA, liveUrls.events(), await signedIn(urlA, await createJobseeker(db, 'Other')));
    assert.equal(other.status, 200);

    held[0]?.close();
    const deadline = Date.now() + 10_000;
    let again = await open(urlA, liveUrls.events(), client);
    while (again.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await open(urlA, liveUrls.events(), client);
    }
    assert.equal(again.status, 200, 'a closed stream frees its place');
  });

  test('a stream that reconnects with Last-Event-ID hears of what it missed, and only that', async () => {
    const { staff, jobseeker, application } = await scene();
    const jobseekerOnB = await signedIn(urlB, jobseeker);
    const first = await open(urlB, liveUrls.applicationEvents(application.id), jobseekerOnB);
    const ready = await first.waitFor((e) => e.event === 'ready');
    first.close(); // the connection drops

    await sendThroughForm(await signedIn(urlA, staff), `/staff/applications/${application.id}`, 'While you were away');
    const resumed = await open(urlB, liveUrls.applicationEvents(application.id), jobseekerOnB, ready.id);
    const missed = await resumed.waitFor((e) => e.event === 'new-message', 10_000, 'the missed message');
    assert.ok(Number(missed.id) >= Number(ready.id));
    const list = await open(urlB, liveUrls.events(), jobseekerOnB, ready.id);
    await list.waitFor((e) => e.event === 'change', 10_000, 'the missed change');

    // Reconnecting from after that message: nothing to catch up on.
    const lastReady = await resumed.waitFor((e) => e.event === 'ready');
    const upToDate = await open(urlB, liveUrls.applicationEvents(application.id), jobseekerOnB, lastReady.id);
    await upToDate.waitFor((e) => e.event === 'ready');
    assert.deepEqual(
      upToDate.events.map((e) => e.event),
      ['ready'],
    );
    // A page's first connection says when the page was made (`since`): the same check.
    const fromPage = await open(urlB, liveUrls.applicationEvents(application.id, Number(ready.id)), jobseekerOnB);
    await fromPage.waitFor((e) => e.event === 'new-message', 10_000, 'the message sent since the page was made');
  });

  test('signing out ends the streams of that session', async () => {
    const { jobseeker } = await scene();
    const client = await signedIn(urlA, jobseeker);
    const stream = await open(urlB, liveUrls.events(), client);
    await stream.waitFor((e) => e.event === 'ready');
    await client.get('/applications');
    const signOut = await client.post('/sign-out', {});
    assert.equal(signOut.status, 303);
    await stream.waitFor((e) => e.event === 'signed-out', 10_000, 'signed-out');
    await stream.waitForEnd();
  });

  test('a lost LISTEN connection ends the streams, which reconnect and carry on', async () => {
    const { staff, jobseeker, application } = await scene();
    const jobseekerOnB = await signedIn(urlB, jobseeker);
    const stream = await open(urlB, liveUrls.applicationEvents(application.id), jobseekerOnB);
    const ready = await stream.waitFor((e) => e.event === 'ready');
    await listening(containerB);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'parley-listen'`.execute(
      db,
    );
    await stream.waitForEnd(15_000);

    await listening(containerA, containerB);
    const again = await open(urlB, liveUrls.applicationEvents(application.id), jobseekerOnB, ready.id);
    await again.waitFor((e) => e.event === 'ready');
    await sendThroughForm(await signedIn(urlA, staff), `/staff/applications/${application.id}`, 'After the gap');
    await again.waitFor((e) => e.event === 'new-message', 10_000, 'the message after the gap');
  });

  test('closing the server ends its streams at once', async () => {
    const container = testContainer({ env: settings });
    const { app, url } = await listen(container);
    const { jobseeker } = await scene();
    const stream = await open(url, liveUrls.events(), await signedIn(url, jobseeker));
    await stream.waitFor((e) => e.event === 'ready');
    const started = Date.now();
    await app.close();
    await stream.waitForEnd(5_000);
    assert.ok(Date.now() - started < 5_000, `closed in ${Date.now() - started} ms`);
  });
});

describe('a real web process', () => {
  test('SIGTERM ends its open streams and the process stops quickly', async () => {
    const web = await startParley({
      mode: 'web',
      env: { NODE_ENV: 'test', DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'warn', LOAD_DEMO_DATA: 'false' },
    });
    try {
      const { jobseeker, application } = await scene();
      const client = await signedIn(web.url, jobseeker);
      const held = [
        await open(web.url, liveUrls.events(), client),
        await open(web.url, liveUrls.applicationEvents(application.id), client),
      ];
      for (const stream of held) await stream.waitFor((e) => e.event === 'ready');
      const started = Date.now();
      const code = await web.stop('SIGTERM');
      const took = Date.now() - started;
      assert.equal(code, 0, web.output());
      assert.ok(took < 5_000, `stopped in ${took} ms`);
      for (const stream of held) await stream.waitForEnd(1_000);
    } finally {
      await web.stop('SIGKILL');
    }
  });
});
