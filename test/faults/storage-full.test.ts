import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { attachmentErrorText } from '../../src/messaging/attachment-rules.ts';
import { minimalPdf } from '../support/sample-files.ts';
import { conversationPath, createVisitors, messageForm, request, sendPath, startLoad, type Visitor } from './load.ts';
import {
  attachmentsAndFiles,
  describeEmails,
  describeErrors,
  describeLoad,
  progress,
  report,
  storedMarkers,
  tallySends,
} from './report.ts';
import { startRig, waitFor } from './rig.ts';

/**
 * The attachment storage fills up. The web process keeps its files on a 2 MB tmpfs of its own: `unshare --mount`
 * gives the process a private mount namespace (as root; `--map-root-user` as anyone else), the filesystem is mounted
 * there and vanishes with the process, so nothing is left mounted on the machine whatever happens to the test.
 */
const rig = await startRig('storage');
after(() => rig.close());

function pdfOfSize(size: number): Buffer {
  const pdf = minimalPdf();
  return Buffer.concat([pdf, Buffer.alloc(Math.max(0, size - pdf.length), '\n')]);
}

async function upload(visitor: Visitor, sizes: number[]) {
  await request(visitor, conversationPath(visitor));
  const marker = randomUUID();
  const form = await messageForm(
    visitor,
    marker,
    sizes.map((size, index) => ({
      fileName: `lesson-plan-${index + 1}.pdf`,
      data: pdfOfSize(size),
      type: 'application/pdf',
    })),
  );
  const response = await request(visitor, sendPath(visitor), {
    method: 'POST',
    body: new Uint8Array(form.body),
    headers: { 'content-type': form.contentType },
  });
  return { marker, ...response };
}

test('attachment storage full: the upload fails with a clear message and nothing is stored', async () => {
  const storage = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-faults-tmpfs-'));
  after(() => fs.rm(storage, { recursive: true, force: true }));
  const unshare = process.getuid?.() === 0 ? ['unshare', '--mount'] : ['unshare', '--mount', '--map-root-user'];
  const web = await rig.startWeb({
    env: { FILE_STORAGE_DIR: storage },
    wrap: [...unshare, 'sh', '-c', 'mount -t tmpfs -o size=2m parley-faults "$0" && exec "$@"', storage],
  });
  const pid = web.child.pid;
  assert.ok(pid);
  // The process's own view of its files (the tmpfs is mounted only in its namespace).
  const filesDir = `/proc/${pid}/root${storage}`;
  const free = async () => {
    const stats = await fs.statfs(filesDir);
    return stats.bavail * stats.bsize;
  };
  assert.ok((await free()) <= 2 * 1024 * 1024, 'the storage is the 2 MB tmpfs');
  await rig.startWorker();

  const visitors = await createVisitors(rig.db, rig.sessionSecret, 25, [web.url]);
  const [uploader, ...others] = visitors;
  assert.ok(uploader);
  const load = startLoad(others);
  progress(load.now(), `${visitors.length} visitors signed in, load started`);

  // Fill it: 500 KB files until one is refused.
  const uploads: Awaited<ReturnType<typeof upload>>[] = [];
  for (let i = 0; i < 8; i += 1) {
    const answer = await upload(uploader, [500_000]);
    uploads.push(answer);
    if (answer.status !== 303) break;
  }
  const full = load.now();
  const refused = uploads.at(-1);
  assert.ok(refused);
  progress(full, `${uploads.length - 1} uploads stored, then ${refused.status}; ${await free()} bytes free`);
  // Two files where only the first fits: the first must not stay behind.
  const spare = await free();
  const split = await upload(uploader, [Math.floor(spare * 0.6), Math.floor(spare * 0.6)]);
  progress(load.now(), `two files of ${Math.floor(spare * 0.6)} bytes each: ${split.status}`);
  await waitFor(
    'messages sent after the storage filled',
    () => (load.outcomes.filter((o) => o.marker && o.ok && o.startedAt > full).length >= 20 ? true : undefined),
    90_000,
  );
  await load.stop();

  const tally = await tallySends(rig.db, load.outcomes);
  const stored = await storedMarkers(rig.db);
  const files = await attachmentsAndFiles(rig.db, filesDir);
  const accepted = uploads.filter((u) => u.status === 303).length;
  report('attachment storage full', [
    describeLoad(load.outcomes),
    `2 MB storage: ${accepted} uploads of 500 KB stored, the next answered ${refused.status} at ${(full / 1000).toFixed(1)} s; two files (the first fits) answered ${split.status}`,
    describeErrors(load.outcomes),
    `${tally.stored} text messages stored for ${tally.successes} success responses; ${files.rows} attachment rows, ${files.files} files`,
    describeEmails(rig.smtp),
  ]);

  assert.ok(accepted >= 2, 'files are stored until the storage is full');
  for (const answer of [refused, split]) {
    assert.equal(answer.status, 400, 'a full storage refuses the upload');
    assert.ok(answer.body.includes(attachmentErrorText.uploadFailed), 'with the GOV.UK message');
    assert.ok(answer.body.includes('govuk-error-summary'));
    assert.equal(stored.get(answer.marker), undefined, 'and stores no message');
  }
  assert.equal(files.rows, accepted, 'one attachment per stored upload');
  assert.deepEqual(files.rowsWithoutFile, [], 'no attachment row without its file');
  assert.deepEqual(files.filesWithoutRow, [], 'no file without its row (nor a temporary file)');
  assert.deepEqual(
    load.outcomes.filter((o) => !o.ok).map((o) => `${o.action} ${o.status ?? o.error} at ${o.startedAt} ms`),
    [],
    'messages without files keep flowing',
  );
  assert.deepEqual(tally.successNotStoredOnce, []);
});
