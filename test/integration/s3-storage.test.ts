import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, describe, test } from 'node:test';

import { createS3Storage } from '../../src/platform/s3-storage.ts';
import { isValidFileKey, newFileKey } from '../../src/platform/storage.ts';
import { testApp, testContainer } from '../support/context.ts';
import { createSchoolScene } from '../support/factories.ts';
import { signedInClient } from '../support/http.ts';
import { findOne } from '../support/html.ts';
import { freePort } from '../support/ports.ts';
import { startS3Server } from '../support/s3-server.ts';
import { minimalPdf } from '../support/sample-files.ts';

/**
 * The S3 driver against a local S3-compatible server (s3rver, which checks request signatures): the same contract
 * as the filesystem driver, then a whole send-and-download through two app instances sharing only the bucket.
 */
const s3 = await startS3Server();
after(() => s3.stop());

describe('S3 storage', () => {
  const storage = createS3Storage(s3.storageOptions({ prefix: 'contract/' }));

  test('put then get returns the same bytes, small and 3 MB', async () => {
    for (const data of [Buffer.from([0, 1, 2, 255, ...Buffer.from('Zoë')]), randomBytes(3 * 1024 * 1024)]) {
      const key = newFileKey();
      await storage.put(key, data);
      assert.deepEqual(await storage.get(key), data);
    }
  });

  test('getStream streams the stored bytes', async () => {
    const key = newFileKey();
    const data = randomBytes(3 * 1024 * 1024);
    await storage.put(key, data);
    const stream = await storage.getStream(key);
    assert.ok(stream);
    assert.deepEqual(await buffer(stream), data);
  });

  test('put replaces existing content', async () => {
    const key = newFileKey();
    await storage.put(key, Buffer.from('first'));
    await storage.put(key, Buffer.from('second'));
    assert.equal((await storage.get(key))?.toString(), 'second');
  });

  test('missing keys give null', async () => {
    assert.equal(await storage.get(newFileKey()), null);
    assert.equal(await storage.getStream(newFileKey()), null);
  });

  test('delete removes the object and is idempotent', async () => {
    const key = newFileKey();
    await storage.put(key, Buffer.from('bye'));
    await storage.delete(key);
    assert.equal(await storage.get(key), null);
    await storage.delete(key);
    await storage.delete(newFileKey());
  });

  test('keys that are not server-generated are refused before any request', async () => {
    const requestsBefore = s3.requests.length;
    const badKeys = [
      '../escape',
      '..',
      '.',
      'a/b',
      'a\\b',
      '/etc/passwd',
      '',
      'Upper',
      'x y',
      '-leading',
      'é',
      'a'.repeat(129),
    ];
    for (const key of badKeys) {
      assert.equal(isValidFileKey(key), false, key);
      await assert.rejects(storage.put(key, Buffer.from('x')), /Invalid file key/, key);
      await assert.rejects(storage.get(key), /Invalid file key/, key);
      await assert.rejects(storage.getStream(key), /Invalid file key/, key);
      await assert.rejects(storage.delete(key), /Invalid file key/, key);
    }
    assert.equal(s3.requests.length, requestsBefore);
  });

  test('objects are kept under the prefix, with AES256 server-side encryption unless switched off', async () => {
    const key = newFileKey();
    await storage.put(key, Buffer.from('encrypted'));
    const put = s3.requests.find(
      (request) => request.method === 'PUT' && request.url.startsWith(`/${s3.bucket}/contract/${key}?`),
    );
    assert.ok(put, 'a PUT of the prefixed key');
    assert.equal(put.headers['x-amz-server-side-encryption'], 'AES256');
    assert.equal(put.headers['content-type'], 'application/octet-stream');
    // Without the prefix the same key names another object.
    assert.equal(await createS3Storage(s3.storageOptions()).get(key), null);

    const plain = createS3Storage(s3.storageOptions({ prefix: 'plain', serverSideEncryption: null }));
    const plainKey = newFileKey();
    await plain.put(plainKey, Buffer.from('bucket default'));
    const plainPut = s3.requests.find(
      (request) => request.method === 'PUT' && request.url.startsWith(`/${s3.bucket}/plain/${plainKey}?`),
    );
    assert.ok(plainPut, 'a PUT of the key under "plain/"');
    assert.equal(plainPut.headers['x-amz-server-side-encryption'], undefined);
    assert.equal((await plain.get(plainKey))?.toString(), 'bucket default');
  });

  test('an unreachable service is an error, never "missing"', async () => {
    const unreachable = createS3Storage({
      ...s3.storageOptions({ endpoint: `http://127.0.0.1:${await freePort()}` }),
      maxAttempts: 2,
      connectionTimeoutMs: 1_000,
    });
    await assert.rejects(unreachable.get(newFileKey()), /ECONNREFUSED/);
    await assert.rejects(unreachable.getStream(newFileKey()), /ECONNREFUSED/);
    await assert.rejects(unreachable.delete(newFileKey()), /ECONNREFUSED/);
  });

  test('wrong credentials are refused by the service', async () => {
    const impostor = createS3Storage(
      s3.storageOptions({ credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'wrong' }, maxAttempts: 1 }),
    );
    await assert.rejects(impostor.put(newFileKey(), Buffer.from('x')), { name: 'SignatureDoesNotMatch' });
  });
});

describe('STORAGE_DRIVER=s3', () => {
  test('a PDF sent through one web process is downloaded through another, which shares only the bucket', async () => {
    const localFolder = await mkdtemp(path.join(tmpdir(), 'parley-s3-unused-'));
    after(() => rm(localFolder, { recursive: true, force: true }));
    const env = s3.environment({ S3_PREFIX: 'parley/attachments', FILE_STORAGE_DIR: path.join(localFolder, 'files') });
    const sending = testContainer({ env });
    const serving = testContainer({ env });
    assert.equal(sending.config.storage.driver, 's3');
    assert.notEqual(sending.storage, serving.storage);
    const sendingApp = await testApp(sending);
    const servingApp = await testApp(serving);

    const { staff, jobseeker, application } = await createSchoolScene(sending.db, 'interviewing');
    const staffClient = await signedInClient(sendingApp, staff.email);
    const staffPage = `/staff/applications/${application.id}`;
    const formKey = /name="formKey" value="([0-9a-f-]{36})"/.exec((await staffClient.get(staffPage)).body)?.[1];
    assert.ok(formKey);
    const pdf = minimalPdf();
    const sent = await staffClient.postMultipart(
      `${staffPage}/messages`,
      { formKey, format: 'text', body: 'Interview timetable attached' },
      [{ fileName: 'Interview timetable.pdf', data: pdf, type: 'application/pdf' }],
    );
    assert.equal(sent.statusCode, 303);

    const jobseekerClient = await signedInClient(servingApp, jobseeker.email);
    const page = await jobseekerClient.get(`/applications/${application.id}`);
    assert.equal(page.statusCode, 200);
    const attachmentId = findOne(page.body, 'a[href^="/attachments/"]')?.attribs.href?.split('/').pop();
    assert.ok(attachmentId, 'the jobseeker sees the attachment');

    const download = await jobseekerClient.get(`/attachments/${attachmentId}`);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['content-type'], 'application/pdf');
    assert.equal(
      download.headers['content-disposition'],
      `attachment; filename="Interview timetable.pdf"; filename*=UTF-8''Interview%20timetable.pdf`,
    );
    assert.equal(download.headers['content-length'], String(pdf.length));
    assert.equal(download.headers['x-content-type-options'], 'nosniff');
    assert.equal(download.headers['cache-control'], 'private, no-store');
    assert.deepEqual(download.rawPayload, pdf);

    // The bytes went to the bucket, under the prefix and encrypted, and never to the local folder.
    const { storage_key: storageKey } = await serving.db
      .selectFrom('message_attachments')
      .select('storage_key')
      .where('id', '=', attachmentId)
      .executeTakeFirstOrThrow();
    const put = s3.requests.find(
      (request) =>
        request.method === 'PUT' && request.url.startsWith(`/${s3.bucket}/parley/attachments/${storageKey}?`),
    );
    assert.ok(put, 'the file was uploaded to the bucket under the prefix');
    assert.equal(put.headers['x-amz-server-side-encryption'], 'AES256');
    assert.equal(existsSync(path.join(localFolder, 'files')), false);
  });
});
