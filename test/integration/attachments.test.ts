import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DomUtils } from 'htmlparser2';
import { testApp, testContainer } from '../support/context.ts';
import { addSchoolToGroup } from '../../src/accounts/repository.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
  type TestUser,
} from '../support/factories.ts';
import { TestClient, signedInClient } from '../support/http.ts';
import { errorSummary, fieldValue, findAll, hasClass, pageTitle, textOf } from '../support/html.ts';
import { eicarTestFile, startClamd } from '../support/clamd.ts';
import { freePort } from '../support/ports.ts';
import {
  compoundFile,
  elf,
  gif,
  html,
  minimalDocx,
  minimalJpeg,
  minimalOdt,
  minimalPdf,
  minimalPng,
  rtf,
  utf8Text,
  windowsExecutable,
} from '../support/sample-files.ts';

/**
 * Message attachments through the real routes: what is refused (and that nothing is kept), what is accepted, and how
 * files are downloaded. Malware scanning uses a real clamd; "scanner down" is a port nothing listens on.
 */
const clamd = await startClamd();
after(() => clamd.stop());
const root = await mkdtemp(path.join(tmpdir(), 'parley-attachments-test-'));
after(() => rm(root, { recursive: true, force: true }));

/** Small, so that a too-big file is cheap to send. */
const maxBytes = 50 * 1024;

async function setUp(name: string, env: Record<string, string>) {
  const storageDir = path.join(root, name);
  const container = testContainer({
    env: { FILE_STORAGE_DIR: storageDir, ATTACHMENT_MAX_BYTES: String(maxBytes), ...env },
  });
  assert.equal(container.config.attachments.storageDir, storageDir);
  return { name, storageDir, container, app: await testApp(container) };
}
type Setup = Awaited<ReturnType<typeof setUp>>;

const setups = {
  unscanned: await setUp('unscanned', {}),
  scanned: await setUp('scanned', {
    CLAMD_HOST: clamd.host,
    CLAMD_PORT: String(clamd.port),
    CLAMD_TIMEOUT_MS: '10000',
  }),
  scannerDown: await setUp('scanner-down', {
    CLAMD_HOST: '127.0.0.1',
    CLAMD_PORT: String(await freePort()),
    CLAMD_TIMEOUT_MS: '2000',
  }),
};
const db = setups.unscanned.container.db;

// One school, one member of staff and one applicant; each test makes its own application.
const school = await createOrganisation(db);
const staff = await createStaff(db, [school.id], 'Amara Okafor');
const jobseeker = await createJobseeker(db, 'Zoë Ñúñez');

async function newApplication(): Promise<string> {
  const vacancy = await createVacancy(db, school.id, { createdBy: staff.id });
  return (await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'interviewing', staffId: staff.id }))
    .id;
}

const clients = new Map<Setup, { staff: TestClient; jobseeker: TestClient }>();
before(async () => {
  for (const setup of Object.values(setups)) {
    clients.set(setup, {
      staff: await signedInClient(setup.app, staff.email),
      jobseeker: await signedInClient(setup.app, jobseeker.email),
    });
  }
});
function clientsOf(setup: Setup) {
  const found = clients.get(setup);
  assert.ok(found);
  return found;
}

const staffPage = (applicationId: string): string => `/staff/applications/${applicationId}`;
const jobseekerPage = (applicationId: string): string => `/applications/${applicationId}`;

interface SentFile {
  fileName: string;
  data: Buffer;
  /** What the browser claims; the server must decide from the content. */
  type?: string;
}

/** Opens the page and sends the form on it, as staff. */
async function send(setup: Setup, applicationId: string, body: string, files: SentFile[]) {
  const client = clientsOf(setup).staff;
  const page = await client.get(staffPage(applicationId));
  const formKey = fieldValue(page.body, 'formKey');
  assert.ok(formKey);
  return client.postMultipart(`${staffPage(applicationId)}/messages`, { formKey, format: 'text', body }, files);
}

async function storedFor(applicationId: string) {
  const messages = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select('m.id')
    .where('c.application_id', '=', applicationId)
    .execute();
  const attachments = await db
    .selectFrom('message_attachments as a')
    .innerJoin('messages as m', 'm.id', 'a.message_id')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .selectAll('a')
    .where('c.application_id', '=', applicationId)
    .orderBy('a.created_at')
    .orderBy('a.file_name')
    .execute();
  return { messages, attachments };
}

async function filesIn(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory)).sort();
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the page

const errorSummaryOf = errorSummary;

function fieldErrorOf(page: string, field: string): string | undefined {
  const [message] = findAll(page, (element) => element.attribs.id === `${field}-error`);
  return message ? textOf(message).replace(/^Error: /, '') : undefined;
}

function typedTextOf(page: string): string | undefined {
  const [textarea] = findAll(page, (element) => element.name === 'textarea' && element.attribs.id === 'body');
  return textarea ? DomUtils.textContent(textarea) : undefined;
}

function chooseAgainTextOf(page: string): string | undefined {
  const [inset] = findAll(page, (element) => element.attribs.id === 'attachments-again');
  return inset ? textOf(inset) : undefined;
}

function shownAttachments(page: string) {
  return findAll(page, (element) => element.name === 'ul' && hasClass(element, 'parley-message__attachments')).flatMap(
    (list) =>
      DomUtils.findAll((element) => element.name === 'li', list.children).map((item) => {
        const link = DomUtils.findOne((element) => element.name === 'a', item.children);
        return { name: link ? textOf(link) : '', href: link?.attribs.href, text: textOf(item) };
      }),
  );
}

// ---------------------------------------------------------------------------------------------
// Files

/** A well-formed PDF of about `size` bytes (one content stream of filler). */
function pdfOfSize(size: number): Buffer {
  const filler = 'x'.repeat(size);
  return Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
      `3 0 obj << /Length ${filler.length} >>\nstream\n${filler}\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );
}

const wrongType =
  'The selected file must be a PDF, Word document, OpenDocument text, rich text, plain text, JPG or PNG';

// ---------------------------------------------------------------------------------------------

describe('refused files: the right message, the text kept, nothing stored', () => {
  interface Refusal {
    name: string;
    setup: Setup;
    body?: string;
    files: SentFile[];
    errors: { text: string; field: 'body' | 'attachments' }[];
    chooseAgain?: string[];
    chooseOther?: string[];
    /** The wording when more files were chosen than allowed. */
    chooseUpTo?: number;
  }
  const sixPdfs = ['one', 'two', 'three', 'four', 'five', 'six'].map((name) => ({
    fileName: `${name}.pdf`,
    data: minimalPdf(),
  }));
  const refusals: Refusal[] = [
    {
      name: 'a type that is not allowed (GIF)',
      setup: setups.unscanned,
      files: [{ fileName: 'photo.gif', data: gif(), type: 'image/gif' }],
      errors: [{ field: 'attachments', text: `photo.gif: ${wrongType}` }],
      chooseOther: ['photo.gif'],
    },
    {
      name: 'a web page named .txt',
      setup: setups.unscanned,
      files: [{ fileName: 'cv.txt', data: html(), type: 'text/plain' }],
      errors: [{ field: 'attachments', text: `cv.txt: ${wrongType}` }],
      chooseOther: ['cv.txt'],
    },
    {
      name: 'a Windows program renamed to .pdf',
      setup: setups.unscanned,
      files: [{ fileName: 'cv.pdf', data: windowsExecutable(), type: 'application/pdf' }],
      errors: [{ field: 'attachments', text: `cv.pdf: ${wrongType}` }],
      chooseOther: ['cv.pdf'],
    },
    {
      name: 'a Linux program renamed to .txt',
      setup: setups.unscanned,
      files: [{ fileName: 'notes.txt', data: elf(), type: 'text/plain' }],
      errors: [{ field: 'attachments', text: `notes.txt: ${wrongType}` }],
      chooseOther: ['notes.txt'],
    },
    {
      name: 'a PDF named .docx',
      setup: setups.unscanned,
      files: [{ fileName: 'cv.docx', data: minimalPdf() }],
      errors: [{ field: 'attachments', text: `cv.docx: ${wrongType}` }],
      chooseOther: ['cv.docx'],
    },
    {
      name: 'an empty file',
      setup: setups.unscanned,
      files: [{ fileName: 'empty.pdf', data: Buffer.alloc(0) }],
      errors: [{ field: 'attachments', text: 'empty.pdf: The selected file is empty' }],
      chooseOther: ['empty.pdf'],
    },
    {
      name: 'a real PDF over the size limit',
      setup: setups.unscanned,
      files: [{ fileName: 'portfolio.pdf', data: pdfOfSize(maxBytes + 10_000) }],
      errors: [{ field: 'attachments', text: 'portfolio.pdf: The selected file must be smaller than 50KB' }],
      chooseOther: ['portfolio.pdf'],
    },
    {
      name: 'six files (five allowed)',
      setup: setups.unscanned,
      files: sixPdfs,
      errors: [{ field: 'attachments', text: 'You can only select up to 5 files at the same time' }],
      chooseAgain: sixPdfs.map((file) => file.fileName),
      chooseUpTo: 5,
    },
    {
      name: 'the EICAR test virus, found by a real clamd',
      setup: setups.scanned,
      files: [{ fileName: 'eicar.txt', data: eicarTestFile() }],
      errors: [{ field: 'attachments', text: 'eicar.txt: The selected file contains a virus' }],
      chooseOther: ['eicar.txt'],
    },
    {
      name: 'a PDF carrying the EICAR test virus',
      setup: setups.scanned,
      files: [{ fileName: 'cv.pdf', data: Buffer.concat([minimalPdf(), eicarTestFile()]) }],
      errors: [{ field: 'attachments', text: 'cv.pdf: The selected file contains a virus' }],
      chooseOther: ['cv.pdf'],
    },
    {
      name: 'a clean file with an infected one: only the infected one must be replaced',
      setup: setups.scanned,
      files: [
        { fileName: 'clean.pdf', data: minimalPdf() },
        { fileName: 'eicar.txt', data: eicarTestFile() },
      ],
      errors: [{ field: 'attachments', text: 'eicar.txt: The selected file contains a virus' }],
      chooseAgain: ['clean.pdf'],
      chooseOther: ['eicar.txt'],
    },
    {
      name: 'the scanner cannot be reached: the same file can be tried again',
      setup: setups.scannerDown,
      files: [{ fileName: 'cv.pdf', data: minimalPdf() }],
      errors: [{ field: 'attachments', text: 'cv.pdf: The selected file could not be uploaded – try again' }],
      chooseAgain: ['cv.pdf'],
    },
    {
      name: 'a good file with one of the wrong type',
      setup: setups.unscanned,
      files: [
        { fileName: 'good.pdf', data: minimalPdf() },
        { fileName: 'photo.gif', data: gif() },
      ],
      errors: [{ field: 'attachments', text: `photo.gif: ${wrongType}` }],
      chooseAgain: ['good.pdf'],
      chooseOther: ['photo.gif'],
    },
    {
      name: 'several bad files: every problem is listed',
      setup: setups.unscanned,
      files: [
        { fileName: 'empty.pdf', data: Buffer.alloc(0) },
        { fileName: 'photo.gif', data: gif() },
        { fileName: 'big.pdf', data: pdfOfSize(maxBytes * 2) },
        { fileName: 'letter.pdf', data: minimalPdf() },
      ],
      errors: [
        { field: 'attachments', text: 'big.pdf: The selected file must be smaller than 50KB' },
        { field: 'attachments', text: 'empty.pdf: The selected file is empty' },
        { field: 'attachments', text: `photo.gif: ${wrongType}` },
      ],
      chooseAgain: ['letter.pdf'],
      chooseOther: ['big.pdf', 'empty.pdf', 'photo.gif'],
    },
    {
      name: 'a good file with an empty message',
      setup: setups.unscanned,
      body: '  ',
      files: [{ fileName: 'cv.pdf', data: minimalPdf() }],
      errors: [{ field: 'body', text: 'Enter a message' }],
      chooseAgain: ['cv.pdf'],
    },
  ];

  for (const refusal of refusals) {
    test(`${refusal.name} (${refusal.setup.name})`, async () => {
      const applicationId = await newApplication();
      const filesBefore = await filesIn(refusal.setup.storageDir);
      const typed = refusal.body ?? 'Please find my documents attached.\r\nBest wishes';
      const response = await send(refusal.setup, applicationId, typed, refusal.files);

      assert.equal(response.statusCode, 400);
      assert.match(pageTitle(response.body), /^Error: /);
      const summary = errorSummaryOf(response.body);
      assert.deepEqual(
        [...summary].sort((a, b) => a.text.localeCompare(b.text)),
        refusal.errors
          .map((error) => ({ text: error.text, href: `#${error.field}` }))
          .sort((a, b) => a.text.localeCompare(b.text)),
      );
      for (const field of ['body', 'attachments'] as const) {
        const first = summary.find((error) => error.href === `#${field}`);
        assert.equal(fieldErrorOf(response.body, field), first?.text, `the ${field} field shows its error`);
      }
      assert.equal(typedTextOf(response.body), typed, 'the typed text is kept');

      const expectedInset = ['Your message has not been sent yet.'];
      if (refusal.chooseAgain?.length) {
        const lead = refusal.chooseUpTo
          ? `Choose up to ${refusal.chooseUpTo} of these files again`
          : 'Choose these files again';
        expectedInset.push(`${lead}: ${refusal.chooseAgain.join(', ')}.`);
      }
      if (refusal.chooseOther?.length)
        expectedInset.push(`Choose other files instead of: ${refusal.chooseOther.join(', ')}.`);
      assert.equal(
        chooseAgainTextOf(response.body),
        expectedInset.join(' '),
        'the form says which files to choose again',
      );

      const stored = await storedFor(applicationId);
      assert.deepEqual(stored, { messages: [], attachments: [] }, 'no message and no attachment row');
      assert.deepEqual(await filesIn(refusal.setup.storageDir), filesBefore, 'no file kept in storage');
    });
  }
});

describe('accepted files', () => {
  test('a clean PDF scanned by a real clamd is stored, labelled clean, and shown to both sides without a warning', async () => {
    const applicationId = await newApplication();
    const data = pdfOfSize(maxBytes - 2_000);
    assert.equal(
      (await send(setups.scanned, applicationId, 'My portfolio', [{ fileName: 'portfolio.pdf', data }])).statusCode,
      303,
    );
    const { attachments } = await storedFor(applicationId);
    assert.equal(attachments.length, 1);
    const [row] = attachments;
    assert.ok(row);
    assert.deepEqual(
      {
        file_name: row.file_name,
        content_type: row.content_type,
        size_bytes: row.size_bytes,
        scan_result: row.scan_result,
      },
      { file_name: 'portfolio.pdf', content_type: 'application/pdf', size_bytes: data.length, scan_result: 'clean' },
    );
    assert.deepEqual(await readFile(path.join(setups.scanned.storageDir, row.storage_key)), data);
    for (const [client, url] of [
      [clientsOf(setups.scanned).staff, staffPage(applicationId)],
      [clientsOf(setups.scanned).jobseeker, jobseekerPage(applicationId)],
    ] as const) {
      const [shown] = shownAttachments((await client.get(url)).body);
      assert.equal(shown?.name, 'portfolio.pdf');
      assert.equal(shown.href, `/attachments/${row.id}`);
      assert.doesNotMatch(shown.text, /Not scanned/);
    }
  });

  test('without a scanner a file is stored as not scanned: staff see “Not scanned”, the applicant does not', async () => {
    const applicationId = await newApplication();
    assert.equal(
      (await send(setups.unscanned, applicationId, 'Timetable', [{ fileName: 'timetable.pdf', data: minimalPdf() }]))
        .statusCode,
      303,
    );
    const [row] = (await storedFor(applicationId)).attachments;
    assert.equal(row?.scan_result, 'not_scanned');
    const staffView = shownAttachments((await clientsOf(setups.unscanned).staff.get(staffPage(applicationId))).body);
    assert.equal(staffView.length, 1);
    assert.match(staffView[0]!.text, /^timetable\.pdf \(\d+ bytes\) Not scanned$/);
    const jobseekerView = shownAttachments(
      (await clientsOf(setups.unscanned).jobseeker.get(jobseekerPage(applicationId))).body,
    );
    assert.equal(jobseekerView.length, 1);
    assert.equal(jobseekerView[0]!.name, 'timetable.pdf');
    assert.doesNotMatch(jobseekerView[0]!.text, /scanned/i);
  });

  test('every allowed type is accepted and stored with the type found in its content', async () => {
    const applicationId = await newApplication();
    const batches: (SentFile & { expected: string })[][] = [
      [
        { fileName: 'cv.pdf', data: minimalPdf(), expected: 'application/pdf' },
        {
          fileName: 'cv.docx',
          data: minimalDocx(),
          expected: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        },
        { fileName: 'cv.odt', data: minimalOdt(), expected: 'application/vnd.oasis.opendocument.text' },
        { fileName: 'cv.doc', data: compoundFile('WordDocument'), expected: 'application/msword' },
      ],
      [
        { fileName: 'letter.rtf', data: rtf(), expected: 'application/rtf' },
        { fileName: 'notes.txt', data: utf8Text(), expected: 'text/plain' },
        { fileName: 'photo.jpg', data: minimalJpeg(), expected: 'image/jpeg' },
        { fileName: 'badge.png', data: minimalPng(), expected: 'image/png' },
      ],
    ];
    for (const [index, files] of batches.entries()) {
      const response = await send(
        setups.unscanned,
        applicationId,
        `Batch ${index + 1}`,
        files.map((file) => ({ ...file, type: 'application/octet-stream' })),
      );
      assert.equal(response.statusCode, 303, `batch ${index + 1}`);
    }
    const { attachments } = await storedFor(applicationId);
    const expected = batches.flat().map((file) => [file.fileName, file.expected]);
    assert.deepEqual(attachments.map((a) => [a.file_name, a.content_type]).sort(), expected.sort());
  });

  test('a message without files is sent even when the scanner is down', async () => {
    const applicationId = await newApplication();
    assert.equal((await send(setups.scannerDown, applicationId, 'No files today', [])).statusCode, 303);
    assert.equal((await storedFor(applicationId)).messages.length, 1);
  });

  test('the size hint on the form matches the limit', async () => {
    const page = await clientsOf(setups.unscanned).staff.get(staffPage(await newApplication()));
    assert.match(page.body, /Up to 5 files, each smaller than 50KB: PDF/);
  });
});

describe('downloads', () => {
  let applicationId: string;
  let pdfId: string;
  let textId: string;
  const pdf = pdfOfSize(20_000);
  const text = utf8Text();
  before(async () => {
    applicationId = await newApplication();
    const response = await send(setups.unscanned, applicationId, 'My CV and a note', [
      { fileName: 'Zoë CV.pdf', data: pdf, type: 'text/html' },
      { fileName: 'note.txt', data: text, type: 'text/html' },
    ]);
    assert.equal(response.statusCode, 303);
    const { attachments } = await storedFor(applicationId);
    pdfId = attachments.find((a) => a.file_name === 'Zoë CV.pdf')?.id ?? '';
    textId = attachments.find((a) => a.file_name === 'note.txt')?.id ?? '';
    assert.ok(pdfId && textId);
  });

  test('a PDF with a non-ASCII name: attachment disposition with an RFC 6266 name, sniffed type, no caching, the same bytes', async () => {
    for (const client of [clientsOf(setups.unscanned).staff, clientsOf(setups.unscanned).jobseeker]) {
      const response = await client.get(`/attachments/${pdfId}`);
      assert.equal(response.statusCode, 200);
      assert.equal(
        response.headers['content-disposition'],
        `attachment; filename="Zoe CV.pdf"; filename*=UTF-8''Zo%C3%AB%20CV.pdf`,
      );
      assert.equal(response.headers['content-type'], 'application/pdf');
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['cache-control'], 'private, no-store');
      assert.equal(response.headers['content-length'], String(pdf.length));
      assert.deepEqual(response.rawPayload, pdf);
    }
  });

  test('plain text is sent as UTF-8 text, whatever the browser claimed', async () => {
    const response = await clientsOf(setups.unscanned).jobseeker.get(`/attachments/${textId}`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(response.headers['content-disposition'], `attachment; filename="note.txt"; filename*=UTF-8''note.txt`);
    assert.deepEqual(response.rawPayload, text);
  });

  test('trust staff over the school can download it', async () => {
    const trust = await createOrganisation(db, 'multi_academy_trust');
    await addSchoolToGroup(db, trust.id, school.id);
    const trustStaff = await createStaff(db, [trust.id], 'Claire Davies');
    const client = await signedInClient(setups.unscanned.app, trustStaff.email);
    const response = await client.get(`/attachments/${pdfId}`);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.rawPayload, pdf);
  });

  test('another school’s staff and another jobseeker get 404; signed out goes to sign in', async () => {
    const outsiders: TestUser[] = [
      await createStaff(db, [(await createOrganisation(db)).id]),
      await createJobseeker(db),
    ];
    for (const outsider of outsiders) {
      const client = await signedInClient(setups.unscanned.app, outsider.email);
      for (const id of [pdfId, textId]) {
        const response = await client.get(`/attachments/${id}`);
        assert.equal(response.statusCode, 404, `${outsider.kind} ${id}`);
        assert.doesNotMatch(response.headers['content-type'] ?? '', /pdf|text\/plain/);
      }
    }
    const signedOut = await new TestClient(setups.unscanned.app).get(`/attachments/${pdfId}`);
    assert.equal(signedOut.statusCode, 303);
    assert.equal(signedOut.headers.location, `/sign-in?returnTo=${encodeURIComponent(`/attachments/${pdfId}`)}`);
  });

  test('unknown and malformed attachment ids are 404', async () => {
    const client = clientsOf(setups.unscanned).staff;
    for (const id of ['00000000-0000-0000-0000-000000000000', 'not-an-id', '..%2F..%2Fetc%2Fpasswd']) {
      assert.equal((await client.get(`/attachments/${id}`)).statusCode, 404, id);
    }
  });
});
