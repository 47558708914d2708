// Starts a local S3-compatible server (s3rver, from npm) for integration tests: 127.0.0.1 on a port the system
// chooses, its objects in a throwaway folder, one bucket ready. It checks request signatures, so the credentials
// below must be used. Every request it receives is recorded, so tests can see what was (or was not) sent.
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { S3StorageOptions } from '../../src/platform/s3-storage.ts';

/** The part of s3rver's (untyped) API used here. */
interface S3rver {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  vhostBuckets: boolean;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rver;

const require = createRequire(import.meta.url);
const S3rverServer = require('@20minutes/s3rver') as S3rverConstructor;

export interface RecordedS3Request {
  method: string;
  /** The path and query, for example `/parley-test/attachments/<key>?x-id=PutObject`. */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface RunningS3Server {
  /** For example `http://127.0.0.1:40123`. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The folder holding the server's objects. */
  directory: string;
  /** Every request received so far, oldest first. */
  requests: RecordedS3Request[];
  /** Options for createS3Storage that point at this server (path-style addressing, its credentials). */
  storageOptions(extra?: Partial<S3StorageOptions>): S3StorageOptions;
  /** Environment variables for loadConfig / testContainer that point at this server. */
  environment(extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

/** s3rver's built-in account: it accepts requests signed with these. */
const accessKeyId = 'S3RVER';
const secretAccessKey = 'S3RVER';

export async function startS3Server(options: { bucket?: string } = {}): Promise<RunningS3Server> {
  const bucket = options.bucket ?? 'parley-test';
  const region = 'eu-west-2';
  const directory = await mkdtemp(path.join(tmpdir(), 'parley-s3-'));
  const server = new S3rverServer({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const httpServer = server.httpServer;
  if (!httpServer) throw new Error('s3rver started without an HTTP server');
  const requests: RecordedS3Request[] = [];
  httpServer.on('request', (request: IncomingMessage) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
  });
  const endpoint = `http://127.0.0.1:${address.port}`;

  return {
    endpoint,
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    directory,
    requests,
    storageOptions: (extra = {}) => ({
      bucket,
      region,
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      ...extra,
    }),
    environment: (extra = {}) => ({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: bucket,
      S3_REGION: region,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      ...extra,
    }),
    async stop() {
      httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
