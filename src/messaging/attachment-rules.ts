// Rules for message attachments: which types are allowed (decided from the content, not the name),
// size and count limits, file-name cleaning, and the Content-Disposition header for downloads.
// Error texts follow the GOV.UK file upload component.
import { fileTypeFromBuffer } from 'file-type';

export type AllowedAttachmentType = {
  mime: string;
  /** Lower-case, without the dot. The file name must end with one of these. */
  extensions: readonly string[];
  label: string;
};

/**
 * Allowed types. Plain text is stored as text/plain and is always valid UTF-8, so downloads
 * should send `text/plain; charset=utf-8`.
 */
export const allowedAttachmentTypes: readonly AllowedAttachmentType[] = [
  { mime: 'application/pdf', extensions: ['pdf'], label: 'PDF' },
  { mime: 'application/msword', extensions: ['doc'], label: 'Word document' },
  {
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx'],
    label: 'Word document',
  },
  { mime: 'application/vnd.oasis.opendocument.text', extensions: ['odt'], label: 'OpenDocument text' },
  { mime: 'application/rtf', extensions: ['rtf'], label: 'rich text' },
  { mime: 'text/plain', extensions: ['txt'], label: 'plain text' },
  { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'], label: 'JPG' },
  { mime: 'image/png', extensions: ['png'], label: 'PNG' },
];

export type AttachmentLimits = { maxFiles: number; maxBytes: number };

export const defaultAttachmentLimits: AttachmentLimits = { maxFiles: 5, maxBytes: 10 * 1024 * 1024 };

export const attachmentErrorText = {
  wrongType: 'The selected file must be a PDF, Word document, OpenDocument text, rich text, plain text, JPG or PNG',
  empty: 'The selected file is empty',
  virus: 'The selected file contains a virus',
  uploadFailed: 'The selected file could not be uploaded – try again',
  tooBig: (maxBytes: number): string => `The selected file must be smaller than ${formatSize(maxBytes)}`,
  tooMany: (maxFiles: number): string => `You can only select up to ${maxFiles} files at the same time`,
} as const;

/** What the file upload field says and accepts, from the allow-list and the limits: templates repeat none of it. */
export function attachmentFieldDescription(limits: AttachmentLimits) {
  const labels = [...new Set(allowedAttachmentTypes.map((type) => type.label))];
  const listed = `${labels.slice(0, -1).join(', ')} or ${labels.at(-1) ?? ''}`;
  return {
    maxFiles: limits.maxFiles,
    maxBytes: limits.maxBytes,
    maxSizeLabel: formatSize(limits.maxBytes),
    hint: `Up to ${limits.maxFiles} files, each smaller than ${formatSize(limits.maxBytes)}: ${listed}`,
    accept: allowedAttachmentTypes.flatMap((type) => type.extensions.map((extension) => `.${extension}`)).join(','),
    tooBigText: attachmentErrorText.tooBig(limits.maxBytes),
    wrongTypeText: attachmentErrorText.wrongType,
  };
}

/** "cv.pdf: The selected file is empty", so a form can say which file failed. */
export function fileErrorMessage(fileName: string, text: string): string {
  return `${fileName}: ${text}`;
}

/** 10485760 -> "10MB", 512000 -> "500KB" (binary units, as file sizes are usually shown). */
export function formatSize(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (Number.isInteger(mb)) return `${mb}MB`;
  const kb = bytes / 1024;
  if (Number.isInteger(kb)) return `${kb}KB`;
  return `${bytes} bytes`;
}

// ---------------------------------------------------------------------------------------------
// Type detection

export type DetectionResult =
  | { ok: true; type: AllowedAttachmentType; extension: string }
  /** not-allowed: the content (or the name's extension) is not an allowed type; mismatch: the
   * content is an allowed type but the name says something else. Both get the wrong-type text. */
  | { ok: false; reason: 'not-allowed' | 'mismatch'; detected: string | null };

const typeByMime = new Map(allowedAttachmentTypes.map((type) => [type.mime, type]));

function allowedType(mime: string): AllowedAttachmentType {
  const type = typeByMime.get(mime);
  if (!type) throw new Error(`${mime} is not in allowedAttachmentTypes`);
  return type;
}

/** file-type's answers that we accept, mapped to our types. */
const binaryTypes = new Map<string, AllowedAttachmentType>([
  ['application/pdf', allowedType('application/pdf')],
  ['image/png', allowedType('image/png')],
  ['image/apng', allowedType('image/png')], // an animated PNG is still a PNG
  ['image/jpeg', allowedType('image/jpeg')],
  ['application/rtf', allowedType('application/rtf')],
  [
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    allowedType('application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
  ],
  ['application/vnd.oasis.opendocument.text', allowedType('application/vnd.oasis.opendocument.text')],
]);

const allowedExtensions = new Set(allowedAttachmentTypes.flatMap((type) => type.extensions));

export function fileExtension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/**
 * Decides the type from the content and checks that the name's extension agrees.
 * Binary formats come from file-type (22.x recognises .docx and .odt from the zip's
 * [Content_Types].xml / mimetype entry, and reports old .doc files as application/x-cfb, the
 * OLE container). Plain text is our own check, as file-type does not detect text.
 */
export async function detectAttachmentType(data: Buffer, fileName: string): Promise<DetectionResult> {
  const extension = fileExtension(fileName);
  if (!allowedExtensions.has(extension)) {
    return { ok: false, reason: 'not-allowed', detected: null };
  }

  let detected: Awaited<ReturnType<typeof fileTypeFromBuffer>>;
  try {
    detected = await fileTypeFromBuffer(data);
  } catch {
    // A malformed container that file-type chokes on is not something we accept.
    return { ok: false, reason: 'not-allowed', detected: null };
  }
  let type: AllowedAttachmentType | undefined;
  if (detected) {
    type = binaryTypes.get(detected.mime);
    // OLE containers also hold Excel sheets, Outlook messages and Windows installers: accept one
    // only when it is named .doc and has the "WordDocument" stream that every Word 97-2003 file has.
    if (detected.mime === 'application/x-cfb' && extension === 'doc' && hasWordDocumentStream(data)) {
      type = allowedType('application/msword');
    }
  } else if (isPlainText(data)) {
    type = allowedType('text/plain');
  }

  if (!type) return { ok: false, reason: 'not-allowed', detected: detected?.mime ?? null };
  if (!type.extensions.includes(extension)) return { ok: false, reason: 'mismatch', detected: type.mime };
  return { ok: true, type, extension };
}

const wordDocumentStreamName = Buffer.from('WordDocument', 'utf16le');

function hasWordDocumentStream(data: Buffer): boolean {
  return data.includes(wordDocumentStreamName);
}

const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf]);
// C0 controls other than tab, LF, FF and CR; DEL; C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const forbiddenTextCharacters = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f]/u;
// Text that a browser sniffing content would treat as HTML/XML (the WHATWG MIME sniffing
// standard's HTML patterns, plus SVG and XML). We refuse it rather than store markup as "text".
const markupStart =
  /^<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--|svg|\?xml)(?:[\s>/]|$)/iu;

/** Valid UTF-8 (a BOM is allowed), no NUL or control characters other than tab, CR, LF, FF, not markup. */
export function isPlainText(data: Buffer): boolean {
  const body = data.subarray(0, 3).equals(utf8Bom) ? data.subarray(3) : data;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return false;
  }
  if (forbiddenTextCharacters.test(text)) return false;
  return !markupStart.test(text.trimStart());
}

// ---------------------------------------------------------------------------------------------
// File names

const maxFileNameLength = 100;

// Control characters, bidirectional overrides/isolates/marks, zero-width characters and BOM.
const invisibleCharacters =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;
// Characters that are not allowed in file names on Windows (and "/" everywhere).
const reservedCharacters = /[<>:"/\\|?*]/gu;

/**
 * The file name to store and show: the last path segment, without invisible or reserved
 * characters, spaces collapsed, no leading/trailing dots or spaces, at most 100 characters
 * (the extension is kept when shortening). Falls back to "attachment".
 */
export function cleanFileName(name: string): string {
  const lastSegment = name.split(/[/\\]/u).pop() ?? '';
  const cleaned = lastSegment
    .normalize('NFC')
    .replace(/[\t\n\v\f\r]/gu, ' ')
    .replace(invisibleCharacters, '')
    .replace(reservedCharacters, ' ')
    .replace(/\s+/gu, ' ')
    .replace(/[\s.]+$/gu, '');

  // Split before trimming leading dots, so that ".pdf" becomes "attachment.pdf".
  const dot = cleaned.lastIndexOf('.');
  const hasExtension = dot >= 0 && /^[\p{L}\p{N}]{1,10}$/u.test(cleaned.slice(dot + 1));
  const extension = hasExtension ? cleaned.slice(dot) : '';
  const base = (hasExtension ? cleaned.slice(0, dot) : cleaned).replace(/^[\s.]+|[\s.]+$/gu, '');

  const room = maxFileNameLength - Array.from(extension).length;
  const shortened = Array.from(base)
    .slice(0, room)
    .join('')
    .replace(/[\s.]+$/u, '');
  return `${shortened === '' ? 'attachment' : shortened}${extension}`;
}

// ---------------------------------------------------------------------------------------------
// Validation of a set of uploaded files

export type AttachmentInput = { fileName: string; data: Buffer };

export type AcceptedAttachment = {
  /** Cleaned, for display and Content-Disposition. */
  fileName: string;
  mime: string;
  extension: string;
  size: number;
  data: Buffer;
};

export type AttachmentErrorReason = 'too-many' | 'empty' | 'too-big' | 'wrong-type' | 'mismatch';

export type AttachmentError = {
  /** Cleaned file name, or null for an error about the whole set (too many files). */
  fileName: string | null;
  reason: AttachmentErrorReason;
  /** GOV.UK wording, prefixed with the file name when there is one. */
  message: string;
};

export type AttachmentValidation = { accepted: AcceptedAttachment[]; errors: AttachmentError[] };

/**
 * Checks count, emptiness, size and type of each file. With too many files nothing else is
 * checked. The set is acceptable when errors is empty; malware scanning comes after this.
 */
export async function validateAttachments(
  files: readonly AttachmentInput[],
  limits: AttachmentLimits = defaultAttachmentLimits,
): Promise<AttachmentValidation> {
  if (files.length > limits.maxFiles) {
    return {
      accepted: [],
      errors: [{ fileName: null, reason: 'too-many', message: attachmentErrorText.tooMany(limits.maxFiles) }],
    };
  }

  const accepted: AcceptedAttachment[] = [];
  const errors: AttachmentError[] = [];
  for (const file of files) {
    const fileName = cleanFileName(file.fileName);
    const refuse = (reason: AttachmentErrorReason, text: string): void => {
      errors.push({ fileName, reason, message: fileErrorMessage(fileName, text) });
    };
    if (file.data.length === 0) {
      refuse('empty', attachmentErrorText.empty);
      continue;
    }
    if (file.data.length > limits.maxBytes) {
      refuse('too-big', attachmentErrorText.tooBig(limits.maxBytes));
      continue;
    }
    const detection = await detectAttachmentType(file.data, fileName);
    if (!detection.ok) {
      refuse(detection.reason === 'mismatch' ? 'mismatch' : 'wrong-type', attachmentErrorText.wrongType);
      continue;
    }
    accepted.push({
      fileName,
      mime: detection.type.mime,
      extension: detection.extension,
      size: file.data.length,
      data: file.data,
    });
  }
  return { accepted, errors };
}

// ---------------------------------------------------------------------------------------------
// Downloads

/**
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 with
 * RFC 5987 encoding). The name is cleaned first, so no quote, backslash or line break survives.
 */
export function contentDispositionAttachment(fileName: string): string {
  const name = cleanFileName(fileName);
  const fallback = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|["\\%]/gu, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/gu,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
