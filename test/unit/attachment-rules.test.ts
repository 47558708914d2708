import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';

import {
  attachmentErrorText,
  cleanFileName,
  contentDispositionAttachment,
  detectAttachmentType,
  formatSize,
  validateAttachments,
} from '../../src/messaging/attachment-rules.ts';

// ---------------------------------------------------------------------------------------------
// Small real samples, built here so that no binary fixtures are needed.

function minimalPdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
      '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
      'trailer << /Root 1 0 R >>\n%%EOF\n',
    'latin1',
  );
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A valid 1x1 grey PNG. */
function minimalPng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0); // width
  header.writeUInt32BE(1, 4); // height
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.from([0, 0x80]))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** JPEG start of image, a JFIF APP0 segment and end of image. */
function minimalJpeg(): Buffer {
  return Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
    0x00, 0x00, 0xff, 0xd9,
  ]);
}

/** A zip archive with stored (uncompressed) entries, in the given order. */
function zip(entries: { name: string; content: string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.from(entry.content, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x21, 12); // date: 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A minimal but well-formed Word .docx (Office Open XML) document. */
function minimalDocx(): Buffer {
  return zip([
    {
      name: '[Content_Types].xml',
      content:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
        '</Types>',
    },
    {
      name: '_rels/.rels',
      content:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
        '</Relationships>',
    },
    {
      name: 'word/document.xml',
      content:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
        '<w:body><w:p><w:r><w:t>Curriculum vitae</w:t></w:r></w:p></w:body></w:document>',
    },
  ]);
}

/** A minimal OpenDocument text file: the "mimetype" entry first and stored, as the format requires. */
function minimalOdt(): Buffer {
  return zip([
    { name: 'mimetype', content: 'application/vnd.oasis.opendocument.text' },
    {
      name: 'META-INF/manifest.xml',
      content:
        '<?xml version="1.0" encoding="UTF-8"?>' +
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">' +
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>' +
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>' +
        '</manifest:manifest>',
    },
    {
      name: 'content.xml',
      content:
        '<?xml version="1.0" encoding="UTF-8"?>' +
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">' +
        '<office:body><office:text><text:p>Curriculum vitae</text:p></office:text></office:body>' +
        '</office:document-content>',
    },
  ]);
}

/**
 * An OLE compound file (the container of Word 97-2003 .doc files): the 512-byte header and one
 * directory sector naming the root and one stream. Enough for type detection, which looks at the
 * signature and the stream names; not a document Word would open.
 */
function compoundFile(streamName: string): Buffer {
  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(0x003e, 24); // minor version
  header.writeUInt16LE(0x0003, 26); // major version 3
  header.writeUInt16LE(0xfffe, 28); // byte order mark
  header.writeUInt16LE(9, 30); // sector size 2^9
  header.writeUInt16LE(6, 32); // mini sector size 2^6
  const directory = Buffer.alloc(512);
  const entry = (index: number, name: string, type: number): void => {
    const start = index * 128;
    const encoded = Buffer.from(`${name}\0`, 'utf16le');
    encoded.copy(directory, start);
    directory.writeUInt16LE(encoded.length, start + 64);
    directory[start + 66] = type; // 5: root storage, 2: stream
  };
  entry(0, 'Root Entry', 5);
  entry(1, streamName, 2);
  return Buffer.concat([header, directory]);
}

const rtf = (): Buffer => Buffer.from('{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Curriculum vitae\\par}', 'latin1');
const utf8Text = (): Buffer => Buffer.from('Chère équipe,\nJe suis très intéressée — Zoë Ñúñez\r\n\tMerci\f', 'utf8');
const gif = (): Buffer => Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;', 'latin1');
const html = (): Buffer => Buffer.from('<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n', 'utf8');
const elf = (): Buffer =>
  Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(56)]);
const windowsExecutable = (): Buffer => {
  const data = Buffer.alloc(256);
  data.write('MZ', 0, 'latin1');
  data.writeUInt32LE(128, 0x3c); // offset of the PE header
  data.write('PE\0\0', 128, 'latin1');
  return data;
};

const wrongType = attachmentErrorText.wrongType;

async function validateOne(fileName: string, data: Buffer) {
  return validateAttachments([{ fileName, data }], { maxFiles: 5, maxBytes: 10 * 1024 * 1024 });
}

async function assertRefused(fileName: string, data: Buffer, message: string) {
  const result = await validateOne(fileName, data);
  assert.deepEqual(result.accepted, [], `${fileName} should be refused`);
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]?.message, `${cleanFileName(fileName)}: ${message}`);
}

// ---------------------------------------------------------------------------------------------

describe('validateAttachments accepts each allowed type', () => {
  const cases: [string, () => Buffer, string][] = [
    ['cv.pdf', minimalPdf, 'application/pdf'],
    ['CV.PDF', minimalPdf, 'application/pdf'],
    ['photo.png', minimalPng, 'image/png'],
    ['photo.jpg', minimalJpeg, 'image/jpeg'],
    ['photo.jpeg', minimalJpeg, 'image/jpeg'],
    ['cv.docx', minimalDocx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['cv.odt', minimalOdt, 'application/vnd.oasis.opendocument.text'],
    ['cv.doc', () => compoundFile('WordDocument'), 'application/msword'],
    ['cv.rtf', rtf, 'application/rtf'],
    ['lettre de motivation.txt', utf8Text, 'text/plain'],
    ['with-bom.txt', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8Text()]), 'text/plain'],
  ];
  for (const [fileName, sample, mime] of cases) {
    test(`${fileName} as ${mime}`, async () => {
      const data = sample();
      const result = await validateOne(fileName, data);
      assert.deepEqual(result.errors, []);
      assert.equal(result.accepted.length, 1);
      const accepted = result.accepted[0];
      assert.equal(accepted?.mime, mime);
      assert.equal(accepted?.fileName, fileName);
      assert.equal(accepted?.size, data.length);
      assert.equal(accepted?.data, data);
    });
  }

  test('a file of exactly the maximum size', async () => {
    const data = Buffer.concat([minimalPdf(), Buffer.alloc(1024 - minimalPdf().length, 0x20)]);
    const result = await validateAttachments([{ fileName: 'cv.pdf', data }], { maxFiles: 5, maxBytes: 1024 });
    assert.deepEqual(result.errors, []);
  });
});

describe('validateAttachments refuses', () => {
  test('a GIF (a type that is not allowed)', async () => {
    await assertRefused('photo.gif', gif(), wrongType);
    await assertRefused('photo.png', gif(), wrongType);
  });

  test('an HTML file, also when named .txt', async () => {
    await assertRefused('page.html', html(), wrongType);
    await assertRefused('notes.txt', html(), wrongType);
    await assertRefused('notes.txt', Buffer.from('  <svg onload="alert(1)"></svg>'), wrongType);
  });

  test('executables renamed cv.pdf', async () => {
    await assertRefused('cv.pdf', elf(), wrongType);
    await assertRefused('cv.pdf', windowsExecutable(), wrongType);
    await assertRefused('cv.exe', windowsExecutable(), wrongType);
  });

  test('a PNG named .pdf, a .docx named .doc, a PDF named .txt (content and name disagree)', async () => {
    await assertRefused('cv.pdf', minimalPng(), wrongType);
    await assertRefused('cv.doc', minimalDocx(), wrongType);
    await assertRefused('cv.txt', minimalPdf(), wrongType);
    const mismatch = await validateOne('cv.pdf', minimalPng());
    assert.equal(mismatch.errors[0]?.reason, 'mismatch');
  });

  test('an OLE file that is not a Word document, a plain zip named .docx', async () => {
    await assertRefused('cv.doc', compoundFile('Workbook'), wrongType);
    await assertRefused('cv.docx', zip([{ name: 'readme.txt', content: 'hello' }]), wrongType);
  });

  test('binary data or non-UTF-8 text named .txt, and a name without an extension', async () => {
    await assertRefused('notes.txt', Buffer.from([0x68, 0x69, 0x00, 0x01, 0x02]), wrongType);
    await assertRefused('notes.txt', Buffer.from('Caf\xe9 cr\xe8me', 'latin1'), wrongType);
    await assertRefused('notes.txt', Buffer.from('bell \u0007 here', 'utf8'), wrongType);
    await assertRefused('cv', minimalPdf(), wrongType);
  });

  test('an empty file', async () => {
    await assertRefused('cv.pdf', Buffer.alloc(0), 'The selected file is empty');
  });

  test('a file that is too big', async () => {
    const data = Buffer.concat([minimalPdf(), Buffer.alloc(10 * 1024 * 1024)]);
    await assertRefused('cv.pdf', data, 'The selected file must be smaller than 10MB');
    const small = await validateAttachments([{ fileName: 'cv.pdf', data: minimalPdf() }], {
      maxFiles: 5,
      maxBytes: 50,
    });
    assert.equal(small.errors[0]?.message, 'cv.pdf: The selected file must be smaller than 50 bytes');
  });

  test('too many files, with no other check', async () => {
    const files = Array.from({ length: 6 }, (_, index) => ({ fileName: `cv-${index}.pdf`, data: minimalPdf() }));
    const result = await validateAttachments(files, { maxFiles: 5, maxBytes: 1024 });
    assert.deepEqual(result, {
      accepted: [],
      errors: [{ fileName: null, reason: 'too-many', message: 'You can only select up to 5 files at the same time' }],
    });
    const three = await validateAttachments(files.slice(0, 4), { maxFiles: 3, maxBytes: 1024 });
    assert.equal(three.errors[0]?.message, 'You can only select up to 3 files at the same time');
  });

  test('only the bad files in a mixed set, naming each', async () => {
    const result = await validateAttachments([
      { fileName: 'cv.pdf', data: minimalPdf() },
      { fileName: 'C:\\Users\\me\\virus.pdf', data: windowsExecutable() },
      { fileName: 'blank.txt', data: Buffer.alloc(0) },
    ]);
    assert.deepEqual(
      result.accepted.map((file) => file.fileName),
      ['cv.pdf'],
    );
    assert.deepEqual(result.errors, [
      { fileName: 'virus.pdf', reason: 'wrong-type', message: `virus.pdf: ${wrongType}` },
      { fileName: 'blank.txt', reason: 'empty', message: 'blank.txt: The selected file is empty' },
    ]);
  });
});

test('error texts follow the GOV.UK file upload component', () => {
  assert.equal(
    attachmentErrorText.wrongType,
    'The selected file must be a PDF, Word document, OpenDocument text, rich text, plain text, JPG or PNG',
  );
  assert.equal(attachmentErrorText.virus, 'The selected file contains a virus');
  assert.equal(attachmentErrorText.uploadFailed, 'The selected file could not be uploaded – try again');
  assert.equal(attachmentErrorText.tooBig(10 * 1024 * 1024), 'The selected file must be smaller than 10MB');
  assert.equal(formatSize(500 * 1024), '500KB');
});

test('detectAttachmentType reports what it found', async () => {
  assert.deepEqual(await detectAttachmentType(gif(), 'photo.png'), {
    ok: false,
    reason: 'not-allowed',
    detected: 'image/gif',
  });
  assert.deepEqual(await detectAttachmentType(minimalPng(), 'cv.pdf'), {
    ok: false,
    reason: 'mismatch',
    detected: 'image/png',
  });
  const docx = await detectAttachmentType(minimalDocx(), 'cv.docx');
  assert.equal(docx.ok && docx.extension, 'docx');
});

describe('cleanFileName', () => {
  const cases: [string, string][] = [
    ['cv.pdf', 'cv.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\Zoë\\My CV.docx', 'My CV.docx'],
    ['  my    cv\t\nfinal .pdf  ', 'my cv final.pdf'],
    ['report\u0000\u0007.pdf', 'report.pdf'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['a<b>c:d"e|f?g*h.txt', 'a b c d e f g h.txt'],
    ['cv.pdf...', 'cv.pdf'],
    ['.pdf', 'attachment.pdf'],
    ['...', 'attachment'],
    ['', 'attachment'],
    ['/', 'attachment'],
    ['e\u0301cole.txt', 'école.txt'],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(cleanFileName(input), expected);
    });
  }

  test('long names are cut to 100 characters, keeping the extension', () => {
    const cleaned = cleanFileName(`${'a'.repeat(150)}.docx`);
    assert.equal(cleaned, `${'a'.repeat(95)}.docx`);
    const emoji = cleanFileName(`${'😀'.repeat(120)}.pdf`);
    assert.equal(Array.from(emoji).length, 100);
    assert.ok(emoji.endsWith('😀.pdf'));
    assert.equal(Array.from(cleanFileName('b'.repeat(300))).length, 100);
  });
});

describe('contentDispositionAttachment', () => {
  test('an ASCII name', () => {
    assert.equal(contentDispositionAttachment('My CV.pdf'), `attachment; filename="My CV.pdf"; filename*=UTF-8''My%20CV.pdf`);
  });

  test('a non-ASCII name has an ASCII fallback and a UTF-8 encoded name', () => {
    assert.equal(
      contentDispositionAttachment('Zoë Ñúñez – CV (2024).pdf'),
      `attachment; filename="Zoe Nunez _ CV (2024).pdf"; filename*=UTF-8''Zo%C3%AB%20%C3%91%C3%BA%C3%B1ez%20%E2%80%93%20CV%20%282024%29.pdf`,
    );
    assert.equal(
      contentDispositionAttachment('履歴書.pdf'),
      `attachment; filename="___.pdf"; filename*=UTF-8''%E5%B1%A5%E6%AD%B4%E6%9B%B8.pdf`,
    );
  });

  test('quotes, backslashes, percent signs and line breaks cannot break the header', () => {
    const header = contentDispositionAttachment('a"b%41\r\nSet-Cookie: x=1.txt');
    assert.doesNotMatch(header, /[\r\n]/);
    assert.equal(
      header,
      `attachment; filename="a b_41 Set-Cookie x=1.txt"; filename*=UTF-8''a%20b%2541%20Set-Cookie%20x%3D1.txt`,
    );
    assert.equal(
      contentDispositionAttachment('dir\\cv.pdf'),
      `attachment; filename="cv.pdf"; filename*=UTF-8''cv.pdf`,
    );
  });
});
