import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { after, test } from 'node:test';
import { minimalPdf } from '../support/sample-files.ts';
import {
  conversationUrl,
  createVisitors,
  messageForm,
  request,
  conversationPath,
  sendPath,
  startLoad,
} from './load.ts';
import type { Visitor } from './load.ts';
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
 * A web process gets SIGTERM (a deployment, a scale-in) while uploads are in flight on it: one with a tenth of its
 * body sent, one with half, one sent whole. As a load balancer does, new requests go to the other web process from
 * then on.
 */
const rig = await startRig('sigterm', { clamd: true });
after(() => rig.close());

/** A PDF of about `size` bytes (a small real PDF, padded after its end marker). */
function pdfOfSize(size: number): Buffer {
  const pdf = minimalPdf();
  return Buffer.concat([pdf, Buffer.alloc(Math.max(0, size - pdf.length), '\n')]);
}

interface SlowUpload {
  marker: string;
  sentBytes: number;
  totalBytes: number;
  /** Sends the rest of the body and waits for the answer. */
  finish(): Promise<{ status: number | null; location: string | null; error: string | null }>;
}

/**
 * Starts a message upload and sends only `fraction` of its body. `Expect: 100-continue` makes the server answer
 * "100 Continue" once it has read the request's head, so the request is known to be in flight on the server.
 */
async function startSlowUpload(visitor: Visitor, fraction: number): Promise<SlowUpload> {
  await request(visitor, conversationPath(visitor));
  const marker = randomUUID();
  const form = await messageForm(visitor, marker, [
    { fileName: `signed-contract-${marker.slice(0, 8)}.pdf`, data: pdfOfSize(400_000), type: 'application/pdf' },
  ]);
  const cookie = [...visitor.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const outgoing = http.request(`${visitor.baseUrl}${sendPath(visitor)}`, {
    method: 'POST',
    headers: {
      cookie,
      'content-type': form.contentType,
      'content-length': String(form.body.length),
      expect: '100-continue',
    },
  });
  const answer = new Promise<{ status: number | null; location: string | null; error: string | null }>((resolve) => {
    outgoing.on('response', (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? null, location: response.headers.location ?? null, error: null }),
      );
    });
    outgoing.on('error', (error) => resolve({ status: null, location: null, error: error.message }));
  });
  await new Promise<void>((resolve) => outgoing.once('continue', resolve));
  const sentBytes = Math.floor(form.body.length * fraction);
  await new Promise<void>((resolve) => outgoing.write(form.body.subarray(0, sentBytes), () => resolve()));
  return {
    marker,
    sentBytes,
    totalBytes: form.body.length,
    finish() {
      outgoing.end(form.body.subarray(sentBytes));
      return answer;
    },
  };
}

test('SIGTERM to a web process mid-upload: the uploads in flight complete, nothing half-stored', async () => {
  const webA = await rig.startWeb();
  const webB = await rig.startWeb();
  await rig.startWorker();
  const visitors = await createVisitors(rig.db, rig.sessionSecret, 25, [webA.url, webB.url]);
  const uploaders = visitors.filter((visitor) => visitor.baseUrl === webA.url).slice(0, 3);
  const load = startLoad(visitors.filter((visitor) => !uploaders.includes(visitor)));
  progress(load.now(), `${visitors.length} visitors signed in, load started`);
  await waitFor(
    'messages sent before the fault',
    () => (load.outcomes.filter((o) => o.marker && o.ok).length >= 30 ? true : undefined),
    90_000,
  );

  const uploads = await Promise.all(
    uploaders.map((visitor, index) => startSlowUpload(visitor, [0.1, 0.5, 1][index] ?? 0.5)),
  );
  // From now on the load balancer sends new requests to web B; those already on web A finish there.
  for (const visitor of visitors) visitor.baseUrl = webB.url;
  const signalled = load.now();
  progress(
    signalled,
    `uploads in flight on web A (${uploads.map((u) => `${u.sentBytes}/${u.totalBytes} bytes`).join(', ')}); SIGTERM`,
  );
  const exit = webA.stop('SIGTERM');
  await waitFor(
    'web A to stop taking new connections',
    () =>
      fetch(`${webA.url}/health`).then(
        () => undefined,
        () => true,
      ),
    20_000,
    50,
  );
  const closed = load.now();
  const answers = await Promise.all(uploads.map((upload) => upload.finish()));
  const exitCode = await exit;
  progress(
    load.now(),
    `web A exited with ${exitCode}; uploads answered ${answers.map((a) => a.status ?? a.error).join(', ')}`,
  );
  await waitFor(
    'messages sent on web B after the fault',
    () => (load.outcomes.filter((o) => o.marker && o.ok && o.startedAt > closed).length >= 30 ? true : undefined),
    90_000,
  );
  await load.stop();

  const tally = await tallySends(rig.db, load.outcomes);
  const stored = await storedMarkers(rig.db);
  const files = await attachmentsAndFiles(rig.db, rig.filesDir);
  report('SIGTERM mid-upload', [
    describeLoad(load.outcomes),
    `SIGTERM at ${(signalled / 1000).toFixed(1)} s, listener closed by ${(closed / 1000).toFixed(1)} s, exit code ${exitCode}`,
    `uploads in flight: ${uploads.map((u, i) => `${Math.round((100 * u.sentBytes) / u.totalBytes)}% sent -> ${answers[i]?.status ?? answers[i]?.error} (stored ${stored.get(u.marker) ?? 0})`).join(', ')}`,
    describeErrors(load.outcomes),
    `${tally.stored} messages stored for ${tally.successes + answers.filter((a) => a.status === 303).length} success responses`,
    `${files.rows} attachment rows, ${files.files} files, ${files.rowsWithoutFile.length} rows without file, ${files.filesWithoutRow.length} files without row`,
    describeEmails(rig.smtp),
  ]);

  assert.equal(exitCode, 0, `web A shut down cleanly:\n${webA.output().split('\n').slice(-15).join('\n')}`);
  for (const [index, upload] of uploads.entries()) {
    const answer = answers[index];
    const visitor = uploaders[index];
    assert.ok(answer && visitor);
    assert.equal(answer.status, 303, `the upload with ${upload.sentBytes} bytes sent at SIGTERM completed`);
    assert.equal(answer.location, conversationUrl(visitor));
    assert.equal(stored.get(upload.marker), 1, 'its message is stored once');
  }
  assert.deepEqual(
    load.outcomes.filter((o) => !o.ok).map((o) => `${o.action} ${o.status ?? o.error} at ${o.startedAt} ms`),
    [],
    'no other request failed',
  );
  assert.deepEqual(tally.successNotStoredOnce, []);
  assert.equal(files.rows, uploads.length, 'one attachment per upload');
  assert.deepEqual(files.rowsWithoutFile, [], 'no attachment row without its file');
  assert.deepEqual(files.filesWithoutRow, [], 'no file without its row');
});
