import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { createVisitors, resubmit, startLoad } from './load.ts';
import {
  emailWorkPending,
  describeEmails,
  describeErrors,
  describeLoad,
  emailsNotExactlyOnce,
  progress,
  report,
  storedMarkers,
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
    rig.sessionSecret,
    25,
    webs.map((web) => web.url),
  );
  const load = startLoad(visitors);
  const successfulSends = (from = 0) =>
    load.outcomes.filter((o) => o.marker !== null && o.ok && o.startedAt >= from).length;
  progress(load.now(), `${visitors.length} visitors signed in, load started`);
  await waitFor('30 messages sent before the fault', () => (successfulSends() >= 30 ? true : undefined), 60_000);
  progress(load.now(), `${successfulSends()} messages sent; stopping PostgreSQL`);

  const stopping = load.now();
  await rig.stopPostgres();
  const down = load.now();
  const readyWhileDown = await Promise.all(webs.map((web) => readyStatus(web.url)));
  // The fault itself: the database stays down for 5 s (this waits for no state).
  await sleep(5_000);
  const readyAtEndOfOutage = await Promise.all(webs.map((web) => readyStatus(web.url)));
  const starting = load.now();
  progress(starting, 'starting PostgreSQL');
  await rig.startPostgres();
  const up = load.now();
  await waitFor(
    'both web processes ready again',
    async () =>
      (await Promise.all(webs.map((web) => readyStatus(web.url)))).every((s) => s === 200) ? true : undefined,
    30_000,
  );
  const ready = load.now();
  progress(ready, 'both web processes ready');
  await waitFor('30 messages sent after the recovery', () => (successfulSends(ready) >= 30 ? true : undefined), 60_000);
  await load.stop();
  const loadStopped = load.now();
  progress(loadStopped, `load stopped after ${successfulSends(ready)} messages sent since the recovery`);
  const awaiting = await waitFor(
    'every email sent',
    async () => {
      const waiting = await emailWorkPending(rig.db);
      return waiting.length === 0 || load.now() - loadStopped > 60_000 ? waiting : undefined;
    },
    120_000,
    500,
  );
  progress(load.now(), `email work pending: ${awaiting.join(', ') || 'none'}`);

  const tally = await tallySends(rig.db, load.outcomes);
  const failed = load.outcomes.filter((o) => !o.ok);
  // A send whose transaction committed just before the outage can still get the error page: its answer is lost
  // (the session is saved after the commit, and the database went away in between). The form's key makes pressing
  // "Send" again safe: every failed send is sent again here, and each must end up stored exactly once.
  const failedSends = load.outcomes.filter((o) => o.marker !== null && !o.ok);
  const resubmitted = await Promise.all(
    failedSends.map(async (o) => {
      const visitor = visitors[o.visitor];
      assert.ok(visitor && o.marker && o.formKey);
      return resubmit(visitor, o.marker, o.formKey);
    }),
  );
  const afterResubmission = await storedMarkers(rig.db);
  const duplicateEmails =
    rig.smtp.received.length - new Set(rig.smtp.received.map((e) => e.headers.get('message-id')?.[0])).size;
  report('PostgreSQL restart', [
    describeLoad(load.outcomes),
    `stopped at ${(stopping / 1000).toFixed(1)} s (down by ${(down / 1000).toFixed(1)} s), started at ${(starting / 1000).toFixed(1)} s (up by ${(up / 1000).toFixed(1)} s), both web processes ready at ${(ready / 1000).toFixed(1)} s`,
    `/ready while down ${readyWhileDown.join(', ')} and ${readyAtEndOfOutage.join(', ')}`,
    describeErrors(load.outcomes),
    `${tally.stored} messages stored for ${tally.successes} success responses; ${tally.failures} failed sends, ${tally.failureStored.length} of them stored (committed, answer lost), sent again: ${resubmitted.filter((status) => status === 303).length} answered 303, each stored once`,
    `${describeEmails(rig.smtp)}, ${duplicateEmails} delivered again with the same Message-ID`,
  ]);

  assert.deepEqual(readyWhileDown, [503, 503], '/ready answers 503 while the database is down');
  assert.deepEqual(readyAtEndOfOutage, [503, 503]);
  assert.ok(ready - up < 10_000, `ready again ${ready - up} ms after PostgreSQL came back`);
  assert.deepEqual(tally.successNotStoredOnce, [], 'every send with a success response is stored exactly once');
  assert.equal(tally.stored, tally.successes + tally.failureStored.length);
  assert.deepEqual(
    resubmitted,
    failedSends.map(() => 303),
    'a failed send, sent again, succeeds',
  );
  for (const o of failedSends) assert.equal(afterResubmission.get(o.marker ?? ''), 1, 'and is stored exactly once');
  for (const outcome of failed) {
    assert.ok(
      outcome.endedAt >= stopping && outcome.startedAt <= ready,
      `errors only during the outage: ${outcome.action} ${outcome.status ?? outcome.error} at ${outcome.startedAt} ms`,
    );
    assert.ok(outcome.status !== null, `every request got an answer: ${outcome.error ?? ''}`);
    assert.match(outcome.body, /Sorry, there is a problem with the service/, 'the error is the error page');
  }
  assert.deepEqual(awaiting, [], 'every email job finished');
  // An email handed over just before the outage, whose ledger entry could not be marked sent, goes again with the same
  // Message-ID (mail systems show one): the window decision 0005 describes.
  assert.deepEqual(
    await emailsNotExactlyOnce(rig.db, rig.smtp, { allowSameMessageIdAgain: true }),
    [],
    'every email arrived, each under its ledger entry',
  );
});
