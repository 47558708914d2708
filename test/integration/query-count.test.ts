import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { testApp, testContainer } from '../support/context.ts';
import { createSchoolScene } from '../support/factories.ts';
import { sendAs } from '../support/conversations.ts';
import { conversationPageSize } from '../../src/messaging/service.ts';
import { signedInClient } from '../support/http.ts';

/**
 * The staff dashboard is one use case (src/dashboard/service.ts staffDashboard): the visible schools are worked out
 * once and shared by its queries, and the navigation's numbers come from the same counts. Counted at the driver, so
 * every statement the page causes is seen: session, user, page and the session's save.
 */
const container = testContainer();
const app = await testApp(container);

async function countQueries(action: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  const original: typeof pg.Client.prototype.query = Reflect.get(pg.Client.prototype, 'query');
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text?: string };
    const text = typeof config === 'string' ? config : (config.text ?? '');
    if (!/^\s*(begin|commit|rollback|deallocate|prepare)/i.test(text))
      statements.push(text.replace(/\s+/g, ' ').slice(0, 80));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await action();
  } finally {
    pg.Client.prototype.query = original;
  }
  return statements;
}

// The page is chosen in one statement (planned for the person's schools) and its rows' details read in another
// (prepared once, its plan kept): docs/decisions/0020-dashboard-page-in-two-steps.md.
test('a staff dashboard page makes 7 queries: session, user, schools, counts, notifications, page, its details', async () => {
  const scene = await createSchoolScene(container.db);
  await sendAs(container, scene.application.id, scene.staff, 'Hello');
  await sendAs(container, scene.application.id, scene.jobseeker, 'Hello to you');
  const client = await signedInClient(app, scene.staff.email);
  await client.get('/staff/messages');
  const statements = await countQueries(async () => {
    const page = await client.get('/staff/messages');
    assert.equal(page.statusCode, 200);
  });
  assert.ok(statements.length <= 7, `the dashboard made ${statements.length} queries:\n${statements.join('\n')}`);
});

test('the application page makes the same statements however long its conversation, and saves no session', async () => {
  const scene = await createSchoolScene(container.db);
  const staffUrl = `/staff/applications/${scene.application.id}`;
  const jobseekerUrl = `/applications/${scene.application.id}`;
  const staff = await signedInClient(app, scene.staff.email);
  const jobseeker = await signedInClient(app, scene.jobseeker.email);
  const measure = async () => {
    const counts: string[][] = [];
    for (const [client, url] of [
      [staff, staffUrl],
      [jobseeker, jobseekerUrl],
    ] as const) {
      await client.get(url); // marks read, touches the session
      counts.push(
        await countQueries(async () => {
          assert.equal((await client.get(url)).statusCode, 200);
        }),
      );
    }
    return counts;
  };
  await sendAs(container, scene.application.id, scene.staff, 'Hello');
  const [staffShort, jobseekerShort] = await measure();
  for (let i = 0; i < conversationPageSize + 10; i++)
    await sendAs(container, scene.application.id, i % 2 ? scene.staff : scene.jobseeker, `Message ${i}`);
  const [staffLong, jobseekerLong] = await measure();
  assert.ok(staffShort && jobseekerShort && staffLong && jobseekerLong);
  assert.deepEqual(staffLong, staffShort, 'the staff page');
  assert.deepEqual(jobseekerLong, jobseekerShort, "the jobseeker's page");
  for (const statements of [staffLong, jobseekerLong])
    assert.ok(!statements.some((text) => /into "sessions"/.test(text)), `no session save:\n${statements.join('\n')}`);
  assert.ok(staffLong.length <= 19, `the staff page made ${staffLong.length} queries:\n${staffLong.join('\n')}`);
  assert.ok(
    jobseekerLong.length <= 9,
    `the jobseeker's page made ${jobseekerLong.length}:\n${jobseekerLong.join('\n')}`,
  );
});
