import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';

import { createFilesystemStorage, isValidFileKey, newFileKey } from '../../src/platform/storage.ts';
import type { FileStorage } from '../../src/platform/storage.ts';

describe('filesystem storage', () => {
  let root: string;
  let storage: FileStorage;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'parley-storage-'));
    // A directory that does not exist yet: the driver creates it.
    storage = createFilesystemStorage(path.join(root, 'files'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('put then get returns the same bytes, and leaves no temporary file', async () => {
    const key = newFileKey();
    const data = Buffer.from([0, 1, 2, 255, ...Buffer.from('Zoë')]);
    await storage.put(key, data);
    assert.deepEqual(await storage.get(key), data);
    assert.deepEqual(await readdir(path.join(root, 'files')), [key]);
  });

  test('getStream streams the stored bytes', async () => {
    const key = newFileKey();
    await storage.put(key, Buffer.from('hello, world'));
    const stream = await storage.getStream(key);
    assert.ok(stream);
    assert.equal(await text(stream), 'hello, world');
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

  test('delete removes the file and is idempotent', async () => {
    const key = newFileKey();
    await storage.put(key, Buffer.from('bye'));
    await storage.delete(key);
    assert.equal(await storage.get(key), null);
    await storage.delete(key);
  });

  test('keys that are not server-generated are refused before touching the filesystem', async () => {
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
    assert.deepEqual(await readdir(root), ['files']);
  });

  test('newFileKey makes distinct valid keys', () => {
    const keys = new Set(Array.from({ length: 100 }, newFileKey));
    assert.equal(keys.size, 100);
    for (const key of keys) assert.ok(isValidFileKey(key), key);
  });
});
