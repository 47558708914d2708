import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { attachmentErrorText } from '../../src/messaging/attachment-rules.ts';
import { minimalPdf } from '../support/sample-files.ts';
import { createVisitors, startLoad } from './load.ts';
import {
  attachmentsAndFiles,
  describeEmails,
  describeErrors,
  describeLoad,
  progress,
  report,
  tallySends,
} from './report.ts';
import { startRig, waitFor } from './rig.ts';

/** clamd stops under load: uploads are refused with the GOV.UK message; messages without files keep flowing. */
const rig = await startRig('clamd', { clamd: true });
after(() => rig.close());

test('clamd stopped under load: uploads refused with the GOV.UK message, text messages keep flowing', async () => {
  const webs = [await rig.startWeb(), await rig.startWeb()];
  await rig.startWorker();
  const visitors = await createVisitors(
    rig.db,
    rig.sessionSecret,
    25,
    webs.map((web) => web.url),
  );
  // Every third send of each visitor carries a PDF.
  const load = startLoad(visitors, {
    attachment: (visitor, round) =>
      round % 3 === 1 ? { fileName: `plan-${visitor.index}.pdf`, data: minimalPdf(), type: 'application/pdf' } : null,
  });
  const count = (action: 'send' | 'upload', from: number, ok = true) =>
    load.outcomes.filter((o) => o.action === action && o.ok === ok && o.startedAt >= from).length;
  progress(load.now(), `${visitors.length} visitors signed in, load started`);
  await waitFor(
    'uploads and messages before the fault',
    () => (count('upload', 0) >= 10 && count('send', 0) >= 20 ? true : undefined),
    90_000,
  );
  const stopping = load.now();
  progress(stopping, 'stopping clamd');
  await rig.clamd?.stop();
  const stopped = load.now();
  await waitFor(
    'uploads refused and messages sent after the fault',
    () => (count('upload', stopped, false) >= 10 && count('send', stopped) >= 20 ? true : undefined),
    90_000,
  );
  await load.stop();
  progress(load.now(), 'load stopped');

  const tally = await tallySends(rig.db, load.outcomes);
  const files = await attachmentsAndFiles(rig.db, rig.filesDir);
  const uploadsAfter = load.outcomes.filter((o) => o.action === 'upload' && o.startedAt >= stopped);
  const okUploads = load.outcomes.filter((o) => o.action === 'upload' && o.ok).length;
  report('clamd stopped', [
    describeLoad(load.outcomes),
    `clamd stopped at ${(stopping / 1000).toFixed(1)} s (gone by ${(stopped / 1000).toFixed(1)} s)`,
    describeErrors(load.outcomes),
    `after it: ${uploadsAfter.length} uploads, ${uploadsAfter.filter((o) => o.ok).length} accepted; ${count('send', stopped)} text messages sent`,
    `${tally.stored} messages stored for ${tally.successes} success responses; ${tally.failures} failed sends, ${tally.failureStored.length} of them stored`,
    `${files.rows} attachment rows, ${files.files} files (${okUploads} accepted uploads)`,
    describeEmails(rig.smtp),
  ]);

  for (const outcome of uploadsAfter) {
    assert.equal(outcome.status, 400, 'an upload without the scanner is refused');
    assert.ok(outcome.body.includes(attachmentErrorText.uploadFailed), 'with the GOV.UK message');
    assert.ok(outcome.body.includes('govuk-error-summary'), 'in an error summary');
  }
  // Uploads still in flight when clamd was stopped may go either way.
  const otherFailures = load.outcomes.filter((o) => !o.ok && !(o.action === 'upload' && o.endedAt >= stopping));
  assert.deepEqual(
    otherFailures.map((o) => `${o.action} ${o.status ?? o.error} at ${o.startedAt} ms`),
    [],
    'reads and messages without files never fail',
  );
  assert.deepEqual(tally.successNotStoredOnce, [], 'every send with a success response is stored exactly once');
  assert.deepEqual(tally.failureStored, [], 'a refused upload stored no message');
  assert.equal(files.rows, okUploads, 'one attachment per accepted upload');
  assert.deepEqual(files.rowsWithoutFile, []);
  assert.deepEqual(files.filesWithoutRow, []);
});
