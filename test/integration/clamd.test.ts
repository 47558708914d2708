import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { createClamdScanner, parseScanReply } from '../../src/platform/malware-scanner.ts';
import { eicarSignatureName, eicarTestFile, startClamd } from '../support/clamd.ts';
import type { RunningClamd } from '../support/clamd.ts';

const cleanPdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe('clamd scanner against a real clamd', () => {
  let clamd: RunningClamd | undefined;
  let startError: unknown;

  before(
    async (context) => {
      try {
        // A small StreamMaxLength so that the size-limit reply can be tested cheaply.
        clamd = await startClamd({ streamMaxLength: '1M' });
        context.diagnostic(`clamd answered PING after ${clamd.startedInMs} ms`);
      } catch (error) {
        // Reported by every test below, so that a missing clamd counts as failures, not cancellations.
        startError = error;
      }
    },
    { timeout: 90_000 },
  );

  after(async () => {
    await clamd?.stop();
  });

  const running = (): RunningClamd => {
    if (!clamd) throw startError;
    return clamd;
  };
  const tcpScanner = () => createClamdScanner({ host: running().host, port: running().port }, 10_000);

  test('answers PING', async () => {
    assert.equal(await tcpScanner().ping(), true);
  });

  test('finds the EICAR test file', async () => {
    const result = await tcpScanner().scan(eicarTestFile());
    assert.equal(result.outcome, 'infected', JSON.stringify(result));
    assert.ok(result.signature.startsWith(eicarSignatureName), JSON.stringify(result));
  });

  test('finds the EICAR test file inside a larger file, over the UNIX socket', async () => {
    const scanner = createClamdScanner({ socketPath: running().socketPath }, 10_000);
    const data = Buffer.concat([Buffer.alloc(200_000, 0x20), eicarTestFile(), Buffer.alloc(100_000, 0x20)]);
    const result = await scanner.scan(data);
    assert.equal(result.outcome, 'infected', JSON.stringify(result));
  });

  test('says a clean PDF is clean, also when sent in several chunks', async () => {
    assert.deepEqual(await tcpScanner().scan(cleanPdf), { outcome: 'clean' });
    const larger = Buffer.concat([cleanPdf, Buffer.alloc(500_000, 0x20)]);
    assert.deepEqual(await tcpScanner().scan(larger), { outcome: 'clean' });
  });

  test('reports data over StreamMaxLength as unavailable', async () => {
    const result = await tcpScanner().scan(Buffer.alloc(2 * 1024 * 1024, 0x20));
    assert.equal(result.outcome, 'unavailable');
    // clamd replies "INSTREAM size limit exceeded" and closes; depending on timing we may only
    // see the connection being reset. Either way the file is not accepted.
    assert.match(result.error, /size limit exceeded|reset|EPIPE|closed/);
  });
});

describe('clamd scanner when clamd cannot be reached', () => {
  test('a closed port is unavailable', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    await new Promise((resolve) => server.close(resolve));

    const scanner = createClamdScanner({ host: '127.0.0.1', port: address.port }, 2_000);
    const result = await scanner.scan(cleanPdf);
    assert.equal(result.outcome, 'unavailable');
    assert.match(result.error, /ECONNREFUSED/);
    assert.equal(await scanner.ping(), false);
  });

  test('a missing UNIX socket is unavailable', async () => {
    const scanner = createClamdScanner({ socketPath: '/nonexistent/clamd.sock' }, 2_000);
    assert.equal((await scanner.scan(cleanPdf)).outcome, 'unavailable');
  });

  test('a server that accepts and never answers is unavailable after the timeout', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.resume(); // read and ignore everything
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    try {
      const scanner = createClamdScanner({ host: '127.0.0.1', port: address.port }, 300);
      const started = Date.now();
      const result = await scanner.scan(cleanPdf);
      const elapsed = Date.now() - started;
      assert.deepEqual(result, { outcome: 'unavailable', error: 'clamd did not reply within 300 ms' });
      assert.ok(elapsed >= 290 && elapsed < 5_000, `took ${elapsed} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

test('parseScanReply', () => {
  assert.deepEqual(parseScanReply('stream: OK'), { outcome: 'clean' });
  assert.deepEqual(parseScanReply('stream: Win.Test.EICAR_HDB-1 FOUND'), {
    outcome: 'infected',
    signature: 'Win.Test.EICAR_HDB-1',
  });
  assert.deepEqual(parseScanReply('INSTREAM size limit exceeded. ERROR'), {
    outcome: 'unavailable',
    error: 'clamd replied: INSTREAM size limit exceeded. ERROR',
  });
  assert.equal(parseScanReply('stream: lstat() failed. ERROR').outcome, 'unavailable');
});
