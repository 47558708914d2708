import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { createVisitors, startLoad } from './load.ts';
import {
  applicationsAwaitingEmail,
  describeEmails,
  describeErrors,
  describeLoad,
  emailsNotExactlyOnce,
  report,
  tallySends,
} from './report.ts';
import { startRig, waitFor } from './rig.ts';

/**
 * PostgreSQL stops (a fast shutdown, as a restart or failover does) under a load of 50 signed-in visitors on two web
 * processes, stays down for 5 s and starts again.
 */
const rig = await startRig('postgres');
after(() => rig.close());

const readyStatus = (url: string) =>
  fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) }).then(
    (response) => response.status,
    () => null,
  );

test('PostgreSQL restarted under load: 503 on /ready while down, recovery by itself, every success stored once', async () => {
  const webs = [await rig.startWeb(), await rig.startWeb()];
  await rig.startWorker();
  const visitors = await createVisitors(
    rig.db,
    25,
    webs.map((web) => web.url),
  );
  const load = startLoad(visitors);
  const successfulSends = (from = 0) =>
    load.outcomes.filter((o) => o.marker !== null && o.ok && o.startedAt >= from).length;
  await waitFor('50 messages sent before the fault', () => (successfulSends() >= 50 ? true : undefined), 60_000);

  const stopping = load.now();
  await rig.stopPostgres();
  const down = load.now();
  const readyWhileDown = await Promise.all(webs.map((web) => readyStatus(web.url)));
  // The fault itself: the database stays down for 5 s (this waits for no state).
  await sleep(5_000);
  const readyAtEndOfOutage = await Promise.all(webs.map((web) => readyStatus(web.url)));
  const starting = load.now();
  await rig.startPostgres();
  const up = load.now();
  await waitFor(
    'both web processes ready again',
    async () =>
      (await Promise.all(webs.map((web) => readyStatus(web.url)))).every((s) => s === 200) ? true : undefined,
    30_000,
  );
  const ready = load.now();
  await waitFor('50 messages sent after the recovery', () => (successfulSends(ready) >= 50 ? true : undefined), 60_000);
  await load.stop();
  await waitFor(
    'every email sent',
    async () => ((await applicationsAwaitingEmail(rig.db)).length ? undefined : true),
    60_000,
  );

  const tally = await tallySends(rig.db, load.outcomes);
  const failed = load.outcomes.filter((o) => !o.ok);
  report('PostgreSQL restart', [
    describeLoad(load.outcomes),
    `stopped at ${(stopping / 1000).toFixed(1)} s (down by ${(down / 1000).toFixed(1)} s), started at ${(starting / 1000).toFixed(1)} s (up by ${(up / 1000).toFixed(1)} s), both web processes ready at ${(ready / 1000).toFixed(1)} s`,
    `/ready while down ${readyWhileDown.join(', ')} and ${readyAtEndOfOutage.join(', ')}`,
    describeErrors(load.outcomes),
    `${tally.stored} messages stored for ${tally.successes} success responses; ${tally.failures} failed sends, ${tally.failureStored.length} of them stored`,
    describeEmails(rig.smtp),
  ]);

  assert.deepEqual(readyWhileDown, [503, 503], '/ready answers 503 while the database is down');
  assert.deepEqual(readyAtEndOfOutage, [503, 503]);
  assert.ok(ready - up < 10_000, `ready again ${ready - up} ms after PostgreSQL came back`);
  assert.deepEqual(tally.successNotStoredOnce, [], 'every send with a success response is stored exactly once');
  assert.deepEqual(tally.failureStored, [], 'a send that got an error stored nothing');
  assert.equal(tally.stored, tally.successes);
  for (const outcome of failed) {
    assert.ok(
      outcome.endedAt >= stopping && outcome.startedAt <= ready,
      `errors only during the outage: ${outcome.action} ${outcome.status ?? outcome.error} at ${outcome.startedAt} ms`,
    );
    assert.ok(outcome.status !== null, `every request got an answer: ${outcome.error ?? ''}`);
    assert.match(outcome.body, /Sorry, there is a problem with the service/, 'the error is the error page');
  }
  assert.deepEqual(await emailsNotExactlyOnce(rig.db, rig.smtp), [], 'every email arrived exactly once');
});
