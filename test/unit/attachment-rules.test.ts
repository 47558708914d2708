import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  attachmentErrorText,
  cleanFileName,
  contentDispositionAttachment,
  detectAttachmentType,
  formatSize,
  validateAttachments,
} from '../../src/messaging/attachment-rules.ts';

import {
  minimalPdf,
  minimalPng,
  minimalJpeg,
  minimalDocx,
  minimalOdt,
  compoundFile,
  zip,
  rtf,
  utf8Text,
  gif,
  html,
  elf,
  windowsExecutable,
} from '../support/sample-files.ts';

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
      const [accepted] = result.accepted;
      assert.ok(accepted);
      assert.equal(accepted.mime, mime);
      assert.equal(accepted.fileName, fileName);
      assert.equal(accepted.size, data.length);
      assert.equal(accepted.data, data);
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
    assert.equal(
      contentDispositionAttachment('My CV.pdf'),
      `attachment; filename="My CV.pdf"; filename*=UTF-8''My%20CV.pdf`,
    );
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
    assert.equal(contentDispositionAttachment('dir\\cv.pdf'), `attachment; filename="cv.pdf"; filename*=UTF-8''cv.pdf`);
  });
});
