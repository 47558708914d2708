import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** A file from a multipart form, read into memory up to the size limit. */
export interface ReceivedFile {
  fileName: string;
  data: Buffer;
  /** Longer than the size limit: only the first bytes were kept. */
  truncated: boolean;
}

const receivedFiles = new WeakMap<FastifyRequest, ReceivedFile[]>();

/**
 * Multipart forms (messages with attachments). Fields are parsed before the route's preHandler hooks, so the CSRF
 * check sees the form's token like any other form. Files beyond the allowed number are counted but not kept.
 */
export async function registerMultipart(
  app: FastifyInstance,
  limits: { maxFiles: number; maxBytes: number },
): Promise<void> {
  await app.register(fastifyMultipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    limits: { fileSize: limits.maxBytes, files: 50, fields: 20, fieldSize: 1_048_576, parts: 80 },
    async onFile(this: FastifyRequest, part: MultipartFile) {
      const files = receivedFiles.get(this) ?? [];
      receivedFiles.set(this, files);
      if (part.filename === '' || files.length > limits.maxFiles) {
        part.file.resume(); // an empty file input, or one file too many: drain it, keep nothing
        await new Promise((resolve) => part.file.on('end', resolve));
        if (part.filename !== '') files.push({ fileName: part.filename, data: Buffer.alloc(0), truncated: false });
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) chunks.push(chunk as Buffer);
      files.push({ fileName: part.filename, data: Buffer.concat(chunks), truncated: part.file.truncated });
    },
  });
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
