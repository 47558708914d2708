import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { messagingUrls } from '../../src/messaging/urls.ts';
import { multipartPreambleBytes } from '../../src/web/multipart.ts';
import { testApp, testContainer } from '../support/context.ts';
import { createSchoolScene } from '../support/factories.ts';
import { TestClient, signedInClient } from '../support/http.ts';
import { freePort } from '../support/ports.ts';

/**
 * A large multipart upload from someone who may not upload is refused after the server has read a few kilobytes,
 * and nothing of it is held in memory. Measured on a real socket: the client counts the bytes the server's kernel
 * accepted before the answer, the server counts the bytes it read from the connection, and the process's memory is
 * sampled while the upload runs.
 */

const uploadBytes = 50 * 1024 * 1024;
const chunk = Buffer.alloc(64 * 1024, 0x41);

const container = testContainer();
const app = await testApp(container);
const port = await freePort();
await app.listen({ host: '127.0.0.1', port });

/** The bytes the server read from each connection, by the client's local port. */
const serverBytesRead = new Map<number, () => number>();
app.server.on('connection', (socket: net.Socket) => {
  serverBytesRead.set(socket.remotePort ?? 0, () => socket.bytesRead);
});

const scene = await createSchoolScene(container.db, 'interviewing');
const sendUrl = messagingUrls.staffSend(scene.application.id);
const pageUrl = `/staff/applications/${scene.application.id}`;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
after(() => v8.setFlagsFromString('--no-expose-gc'));

function memoryInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

interface UploadOutcome {
  statusLine: string;
  headers: string;
  /** Bytes of the request (head and body) the server's side accepted before it answered or closed. */
  acceptedBytes: number;
  /** Bytes the server process read from the connection. */
  serverReadBytes: number;
  /** The most the process's heap and buffers grew while the upload ran. */
  memoryGrowthBytes: number;
  closedByServer: boolean;
}

/** Sends a multipart body: the given fields, then one file of `uploadBytes`; stops writing once the server answers. */
async function upload(options: { cookie?: string; fields: [string, string][] }): Promise<UploadOutcome> {
  const boundary = '----parley-upload-limit-test';
  const fieldParts = options.fields
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  const fileHead =
    `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="large.pdf"\r\n` +
    'Content-Type: application/pdf\r\n\r\n';
  const closing = `\r\n--${boundary}--\r\n`;
  const contentLength = Buffer.byteLength(fieldParts + fileHead + closing) + uploadBytes;
  const head = [
    `POST ${sendUrl} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Content-Type: multipart/form-data; boundary=${boundary}`,
    `Content-Length: ${contentLength}`,
    ...(options.cookie ? [`Cookie: ${options.cookie}`] : []),
    '',
    '',
  ].join('\r\n');

  collectGarbage();
  const baseline = memoryInUse();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, memoryInUse());
  }, 5);

  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const localPort = socket.localPort ?? 0;
  let response = '';
  const state = { answered: false, closed: false, timedOut: false };
  let acceptedBytes = 0;
  const closing$ = new Promise<void>((resolve) => {
    socket.on('data', (data: Buffer) => {
      response += data.toString('latin1');
      state.answered = true;
    });
    socket.on('error', () => undefined); // a reset once the server closes is expected
    socket.on('close', () => {
      state.closed = true;
      resolve();
    });
  });
  const stopped = (): boolean => state.answered || state.closed;
  const write = (data: Buffer | string): Promise<void> =>
    new Promise((resolve) => {
      const length = Buffer.byteLength(data);
      const flushed = socket.write(data, (error) => {
        if (!error) acceptedBytes += length;
      });
      if (flushed) resolve();
      else {
        const done = (): void => {
          socket.off('drain', done).off('data', done).off('close', done);
          resolve();
        };
        socket.on('drain', done).on('data', done).on('close', done);
      }
    });

  await write(head + fieldParts + fileHead);
  for (let sent = 0; sent < uploadBytes && !stopped(); sent += chunk.length) await write(chunk);
  if (!stopped()) await write(closing);

  // The server answers and closes the connection; give it a deadline rather than a fixed wait.
  const deadline = setTimeout(() => {
    state.timedOut = true;
    socket.destroy();
  }, 20_000);
  await closing$;
  clearTimeout(deadline);
  clearInterval(sampler);
  peak = Math.max(peak, memoryInUse());

  const [headers = ''] = response.split('\r\n\r\n');
  return {
    statusLine: headers.split('\r\n')[0] ?? '',
    headers,
    acceptedBytes,
    serverReadBytes: serverBytesRead.get(localPort)?.() ?? Number.NaN,
    memoryGrowthBytes: peak - baseline,
    closedByServer: state.answered && !state.timedOut,
  };
}

function cookieOf(client: TestClient): string {
  return [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

function describeOutcome(outcome: UploadOutcome): string {
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  return (
    `${outcome.statusLine}; server read ${mb(outcome.serverReadBytes)}, its side accepted ` +
    `${mb(outcome.acceptedBytes)} of ${mb(uploadBytes)}, memory grew ${mb(outcome.memoryGrowthBytes)}`
  );
}

/** What the server may read of a refused upload: the preamble, plus what one socket read delivers at once. */
const refusedReadLimit = multipartPreambleBytes + 512 * 1024;
/** Rendering the refusal page and the request's own objects; a buffered upload would be tens of megabytes. */
const refusedMemoryLimit = 8 * 1024 * 1024;

function assertRefusedEarly(outcome: UploadOutcome): void {
  const detail = describeOutcome(outcome);
  assert.ok(outcome.closedByServer, `the server answers and closes the connection: ${detail}`);
  assert.ok(outcome.serverReadBytes < refusedReadLimit, `the server read little: ${detail}`);
  assert.ok(outcome.acceptedBytes < uploadBytes / 4, `most of the upload was never accepted: ${detail}`);
  assert.ok(outcome.memoryGrowthBytes < refusedMemoryLimit, `memory stayed flat: ${detail}`);
}

describe('a 50 MB upload from someone who may not upload', { concurrency: false }, () => {
  before(async () => {
    // The first refusal compiles its page's templates: do that before memory is measured.
    const visitor = new TestClient(app);
    const warmUp = await visitor.postMultipart(sendUrl, { formKey: 'x' }, [], { csrf: false });
    assert.equal(warmUp.statusCode, 403);
  });

  test('signed out, without a token: 403 after a few kilobytes', async (t) => {
    const outcome = await upload({ fields: [['formKey', 'x']] });
    t.diagnostic(describeOutcome(outcome));
    assert.match(outcome.statusLine, /^HTTP\/1\.1 403 /);
    assertRefusedEarly(outcome);
  });

  test('signed out, with a valid token from the sign-in page: sent to sign in after a few kilobytes', async (t) => {
    const visitor = new TestClient(app);
    await visitor.get('/sign-in');
    assert.ok(visitor.csrfToken);
    const outcome = await upload({ cookie: cookieOf(visitor), fields: [['_csrf', visitor.csrfToken]] });
    t.diagnostic(describeOutcome(outcome));
    assert.match(outcome.statusLine, /^HTTP\/1\.1 303 /);
    assert.match(outcome.headers, /\r\nlocation: \/sign-in\?returnTo=/i);
    assertRefusedEarly(outcome);
  });

  test('signed in, without a token before the file: 403 after a few kilobytes', async (t) => {
    const staff = await signedInClient(app, scene.staff.email);
    await staff.get(pageUrl);
    const outcome = await upload({
      cookie: cookieOf(staff),
      fields: [
        ['formKey', crypto.randomUUID()],
        ['body', 'Hello'],
      ],
    });
    t.diagnostic(describeOutcome(outcome));
    assert.match(outcome.statusLine, /^HTTP\/1\.1 403 /);
    assertRefusedEarly(outcome);
  });

  test('signed in, with a wrong token: 403 after a few kilobytes', async (t) => {
    const staff = await signedInClient(app, scene.staff.email);
    await staff.get(pageUrl);
    const outcome = await upload({ cookie: cookieOf(staff), fields: [['_csrf', 'not-the-token']] });
    t.diagnostic(describeOutcome(outcome));
    assert.match(outcome.statusLine, /^HTTP\/1\.1 403 /);
    assertRefusedEarly(outcome);
  });

  test('signed in as someone the route is not for (a jobseeker on the staff route): 404 after a few kilobytes', async (t) => {
    const jobseeker = await signedInClient(app, scene.jobseeker.email);
    await jobseeker.get(`/applications/${scene.application.id}`);
    assert.ok(jobseeker.csrfToken);
    const outcome = await upload({ cookie: cookieOf(jobseeker), fields: [['_csrf', jobseeker.csrfToken]] });
    t.diagnostic(describeOutcome(outcome));
    assert.match(outcome.statusLine, /^HTTP\/1\.1 404 /);
    assertRefusedEarly(outcome);
  });

  test('the same upload from the member of staff, with the token, is read to the end (the measurement works)', async (t) => {
    const staff = await signedInClient(app, scene.staff.email);
    await staff.get(pageUrl);
    assert.ok(staff.csrfToken);
    const outcome = await upload({
      cookie: cookieOf(staff),
      fields: [
        ['_csrf', staff.csrfToken],
        ['formKey', crypto.randomUUID()],
        ['format', 'text'],
        ['body', 'Here is a large file'],
      ],
    });
    t.diagnostic(describeOutcome(outcome));
    // Too big for an attachment: the form comes back with the error, after the whole body was read.
    assert.match(outcome.statusLine, /^HTTP\/1\.1 (200|400) /);
    assert.ok(outcome.serverReadBytes > uploadBytes, describeOutcome(outcome));
  });
});
