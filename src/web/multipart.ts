import type { IncomingMessage } from 'node:http';
import fastifyMultipart, { type MultipartFile, type Multipart } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { removeNulCharacters } from './form-input.ts';

/** A file from a multipart form, read into memory up to the size limit. */
export interface ReceivedFile {
  fileName: string;
  data: Buffer;
  /** Longer than the size limit: only the first bytes were kept. */
  truncated: boolean;
}

/**
 * The most bytes of a multipart body read before the request is known to be signed in, allowed on its route and
 * carrying a valid CSRF token: enough for the `_csrf` field that comes first in every form of ours.
 */
export const multipartPreambleBytes = 4096;

type Stage = 'preamble' | 'complete';
const stages = new WeakMap<FastifyRequest, Stage>();
const receivedFiles = new WeakMap<FastifyRequest, ReceivedFile[]>();

/**
 * Multipart forms (messages with attachments), read in two steps so that nobody can make the server read a large
 * body before it knows who is sending it:
 *
 * 1. preValidation: only the first part is read, at most `multipartPreambleBytes`, and only if it is the `_csrf`
 *    field; it becomes the body the CSRF check sees. Anything else leaves an empty body, which the CSRF check refuses.
 * 2. After the route's own preHandler (its guard) and so after the CSRF check and the loading of the signed-in
 *    user: the rest of the body, fields and files, for a signed-in person only. Files beyond the allowed number are
 *    counted but not kept.
 *
 * A request answered before step 2 (refused, redirected to sign in, not found) has its connection closed rather than
 * its body drained, so the rest of the upload is never read.
 */
export async function registerMultipart(
  app: FastifyInstance,
  limits: { maxFiles: number; maxBytes: number },
): Promise<void> {
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: limits.maxBytes, files: 50, fields: 20, fieldSize: 1_048_576, parts: 80 },
  });

  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    stages.set(request, 'preamble');
    const token = await readCsrfPreamble(request.raw, boundaryOf(request.headers['content-type']));
    request.body = token === undefined ? {} : { _csrf: token };
  });

  const readRest: preHandlerAsyncHookHandler = async (request) => {
    if (stages.get(request) !== 'preamble') return;
    // Only a signed-in person on a route that checked the CSRF token (every route but the signed-token ones) sends
    // files; anyone else's body is left unread.
    const config = request.routeOptions.config as { csrf?: string };
    if (!request.user || config.csrf === 'signed-token') return;
    stages.set(request, 'complete');
    request.body = await readParts(request, limits.maxFiles);
  };

  // Runs after the route's own preHandler hooks (its guard), whatever they are.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((method) => ['POST', 'PUT', 'PATCH'].includes(method))) return;
    const own = route.preHandler ? (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) : [];
    route.preHandler = [...own, readRest];
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply) => {
    if (stages.get(request) === 'preamble') reply.header('connection', 'close');
  });
}

function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

type PreambleResult = { outcome: 'token'; token: string } | { outcome: 'refused' } | { outcome: 'more' };

/** Decides from the first bytes of the body whether it starts with a `_csrf` field, and its value. */
export function csrfPreamble(bytes: Buffer, boundary: string): PreambleResult {
  const text = bytes.toString('latin1');
  const opening = `--${boundary}\r\n`;
  if (text.length < opening.length) return opening.startsWith(text) ? { outcome: 'more' } : { outcome: 'refused' };
  if (!text.startsWith(opening)) return { outcome: 'refused' };
  const headersEnd = text.indexOf('\r\n\r\n', opening.length);
  if (headersEnd === -1) return { outcome: 'more' };
  const headers = text.slice(opening.length, headersEnd).split('\r\n');
  const disposition = headers.find((line) => /^content-disposition:/i.test(line)) ?? '';
  if (!/^content-disposition:\s*form-data;\s*name="_csrf"\s*$/i.test(disposition)) return { outcome: 'refused' };
  const valueStart = headersEnd + 4;
  const valueEnd = text.indexOf(`\r\n--${boundary}`, valueStart);
  if (valueEnd === -1) return { outcome: 'more' };
  return { outcome: 'token', token: bytes.subarray(valueStart, valueEnd).toString('utf8') };
}

/**
 * Reads the body only until its first part is known, at most `multipartPreambleBytes` (plus what the socket had
 * already delivered), then puts the bytes back for the full parse. Resolves to the `_csrf` value, or undefined when
 * the body does not start with one.
 */
function readCsrfPreamble(raw: IncomingMessage, boundary: string | undefined): Promise<string | undefined> {
  if (!boundary) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    let bytes = Buffer.alloc(0);
    const finish = (result: string | undefined, error?: Error): void => {
      raw.off('readable', onReadable);
      raw.off('end', onEnd);
      raw.off('error', onError);
      if (bytes.length > 0 && !raw.readableEnded) raw.unshift(bytes);
      if (error) reject(error);
      else resolve(result);
    };
    const decide = (ended: boolean): boolean => {
      const result = csrfPreamble(bytes, boundary);
      if (result.outcome === 'token') finish(result.token);
      else if (result.outcome === 'refused' || ended || bytes.length >= multipartPreambleBytes) finish(undefined);
      else return false;
      return true;
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = raw.read() as Buffer | null) !== null) {
        bytes = Buffer.concat([bytes, chunk]);
        if (decide(false)) return;
      }
    };
    const onEnd = (): void => {
      decide(true);
    };
    const onError = (error: Error): void => {
      finish(undefined, error);
    };
    raw.on('readable', onReadable);
    raw.on('end', onEnd);
    raw.on('error', onError);
  });
}

/** The whole body, fields as strings (a repeated field as a list), files kept in memory up to the limits. */
async function readParts(request: FastifyRequest, maxFiles: number): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = { ...(request.body as Record<string, unknown>) };
  const files: ReceivedFile[] = [];
  receivedFiles.set(request, files);
  let sawCsrf = false;
  for await (const part of request.parts() as AsyncIterable<Multipart>) {
    if (part.type === 'file') {
      await receiveFile(part, files, maxFiles);
      continue;
    }
    if (typeof part.value !== 'string') continue;
    // The `_csrf` field was read before the check and is in the body already.
    if (part.fieldname === '_csrf' && !sawCsrf) {
      sawCsrf = true;
      continue;
    }
    const value = removeNulCharacters(part.value) as string;
    const existing = body[part.fieldname];
    if (existing === undefined) body[part.fieldname] = value;
    else body[part.fieldname] = Array.isArray(existing) ? [...(existing as unknown[]), value] : [existing, value];
  }
  return body;
}

async function receiveFile(part: MultipartFile, files: ReceivedFile[], maxFiles: number): Promise<void> {
  if (part.filename === '' || files.length > maxFiles) {
    part.file.resume(); // an empty file input, or one file too many: drain it, keep nothing
    await new Promise((resolve) => part.file.on('end', resolve));
    if (part.filename !== '') files.push({ fileName: part.filename, data: Buffer.alloc(0), truncated: false });
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of part.file) chunks.push(chunk as Buffer);
  files.push({ fileName: part.filename, data: Buffer.concat(chunks), truncated: part.file.truncated });
}

export function filesOf(request: FastifyRequest): ReceivedFile[] {
  return receivedFiles.get(request) ?? [];
}

/** A text field from a form, urlencoded or multipart. */
export function formField(request: FastifyRequest, name: string): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value;
  return '';
}
