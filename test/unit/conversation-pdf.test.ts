import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderConversationPdf, type PdfMessage } from '../../src/records/conversation-pdf.ts';
import { htmlToBlocks } from '../../src/records/rich-text-runs.ts';
import { readPdf } from '../support/pdf.ts';

test('message HTML becomes blocks of styled runs, lists numbered and nested', () => {
  assert.deepEqual(
    htmlToBlocks(
      '<p>Hello <strong>bold <em>both</em></strong> <a href="https://example.org/">link</a></p><ol><li>one</li><li>two<ul><li>inner</li></ul></li></ol>',
    ),
    [
      {
        kind: 'paragraph',
        marker: null,
        depth: 0,
        runs: [
          { text: 'Hello ', bold: false, italic: false, link: null },
          { text: 'bold ', bold: true, italic: false, link: null },
          { text: 'both', bold: true, italic: true, link: null },
          { text: ' ', bold: false, italic: false, link: null },
          { text: 'link', bold: false, italic: false, link: 'https://example.org/' },
        ],
      },
      { kind: 'item', marker: '1.', depth: 1, runs: [{ text: 'one', bold: false, italic: false, link: null }] },
      { kind: 'item', marker: '2.', depth: 1, runs: [{ text: 'two', bold: false, italic: false, link: null }] },
      { kind: 'item', marker: '•', depth: 2, runs: [{ text: 'inner', bold: false, italic: false, link: null }] },
    ],
  );
});

test('the PDF holds every message, its formatting, attachments, page numbers and the footer, as selectable text', async () => {
  const messages: PdfMessage[] = Array.from({ length: 40 }, (_, i) => ({
    senderDisplayName: i % 2 === 0 ? 'Amara Okafor, Oakfield Primary School' : 'Sam Taylor',
    senderKind: i % 2 === 0 ? 'staff' : 'jobseeker',
    sentAt: new Date(Date.UTC(2026, 5, 1, 9, i)),
    bodyHtml: `<p>Message number ${i + 1} with <strong>bold words</strong> and <em>slanted words</em>.</p><ul><li>first point</li></ul><p><a href="https://example.org/${i}">a link</a> – café ☕ Zoë</p>`,
    attachments: i === 3 ? [{ fileName: 'CV – Sam Taylor.pdf', sizeBytes: 245_760 }] : [],
  }));
  const pdf = await renderConversationPdf({
    vacancyTitle: 'Year 3 class teacher',
    schoolName: 'Oakfield Primary School',
    candidateName: 'Sam Taylor',
    statusLabel: 'Shortlisted',
    messages,
    notes: [
      {
        authorDisplayName: 'Ben Hughes',
        createdAt: new Date(Date.UTC(2026, 5, 2, 10)),
        editedAt: null,
        bodyHtml: '<p>A staff note</p>',
      },
    ],
    exportedBy: 'Ben Hughes',
    exportedAt: new Date(Date.UTC(2026, 11, 3, 14, 30)),
  });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const raw = pdf.toString('latin1');
  assert.match(raw, /\/FontFile2/, 'TrueType fonts embedded');
  const read = await readPdf(pdf);
  assert.ok(read.pages.length >= 3, `40 messages need several pages (${read.pages.length})`);
  const all = read.pages.join('\n');
  for (const expected of ['Job: Year 3 class teacher', 'School: Oakfield Primary School', 'Applicant: Sam Taylor']) {
    assert.ok(all.includes(expected), expected);
  }
  for (let i = 1; i <= 40; i += 1) assert.ok(all.includes(`Message number ${i} with`), `message ${i}`);
  assert.ok(all.includes('café ☕ Zoë'), 'any character, not only Latin-1');
  assert.ok(all.includes('1 June 2026 at 10:03am'), 'UK date and time of each message');
  assert.ok(all.includes('CV – Sam Taylor.pdf (240 KB)'), 'attachments by name and size');
  assert.ok(all.includes('Staff notes (not shown to the applicant)') && all.includes('A staff note'));
  read.pages.forEach((page, index) => {
    assert.ok(page.includes(`Page ${index + 1} of ${read.pages.length}`), `page number on page ${index + 1}`);
    assert.ok(page.includes('Exported by Ben Hughes on 3 December 2026 at 2:30pm'), `footer on page ${index + 1}`);
  });
  const fontOf = (text: string) => read.runs.find((run) => run.text.includes(text))?.font;
  assert.equal(fontOf('bold words'), 'DejaVuSans-Bold');
  assert.equal(fontOf('slanted words'), 'DejaVuSans-Oblique');
  assert.equal(fontOf('Message number 1 with'), 'DejaVuSans');
  assert.ok(all.includes('• first point') || all.includes('•first point') || /•\s*\n?first point/.test(all), 'bullets');
  assert.equal(new Set(read.links).size, 40, 'every link kept, to its own address');
  assert.equal(read.links[0], 'https://example.org/0');
});

test('without notes, the PDF says nothing about notes', async () => {
  const pdf = await renderConversationPdf({
    vacancyTitle: 'Teacher',
    schoolName: 'School',
    candidateName: 'Sam',
    statusLabel: 'Submitted',
    messages: [],
    notes: null,
    exportedBy: 'Sam',
    exportedAt: new Date(),
  });
  const all = (await readPdf(pdf)).pages.join('\n');
  assert.ok(all.includes('There are no messages.'));
  assert.ok(!all.includes('notes'));
});
