/**
 * A conversation as a PDF: the application's job, school and applicant, every message with its sender, date and time
 * and formatting, attachments by name and size, optionally the staff notes, page numbers, and a footer saying who
 * exported it and when. Fonts (DejaVu Sans, from the dejavu-fonts-ttf package) are embedded, so the text is
 * selectable and reads the same everywhere.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { formatDateTime } from '../web/format.ts';
import { htmlToBlocks } from './rich-text-runs.ts';

const require = createRequire(import.meta.url);
const fontFile = (name: string) => require.resolve(`dejavu-fonts-ttf/ttf/${name}.ttf`);
const fonts = {
  regular: fontFile('DejaVuSans'),
  bold: fontFile('DejaVuSans-Bold'),
  italic: fontFile('DejaVuSans-Oblique'),
  boldItalic: fontFile('DejaVuSans-BoldOblique'),
};

export interface PdfMessage {
  senderDisplayName: string;
  senderKind: 'staff' | 'jobseeker';
  sentAt: Date;
  bodyHtml: string;
  attachments: { fileName: string; sizeBytes: number }[];
}

export interface PdfNote {
  authorDisplayName: string;
  createdAt: Date;
  editedAt: Date | null;
  bodyHtml: string;
}

export interface ConversationPdfInput {
  vacancyTitle: string;
  schoolName: string;
  candidateName: string;
  statusLabel: string;
  messages: PdfMessage[];
  /** null: notes not included (always for the jobseeker). */
  notes: PdfNote[] | null;
  exportedBy: string;
  exportedAt: Date;
}

export function fileSizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

const margin = 56;
const grey = '#505a5f';
const black = '#0b0c0c';
const linkBlue = '#1d70b8';

function fontFor(bold: boolean, italic: boolean): string {
  if (bold && italic) return 'boldItalic';
  if (bold) return 'bold';
  if (italic) return 'italic';
  return 'regular';
}

function writeRichText(doc: PDFKit.PDFDocument, html: string, indent: number): void {
  for (const block of htmlToBlocks(html)) {
    const left = margin + indent + (block.kind === 'item' ? block.depth * 14 : 0);
    const width = doc.page.width - margin - left;
    if (block.kind === 'item') {
      const y = doc.y;
      doc
        .font('regular')
        .fontSize(10.5)
        .fillColor(black)
        .text(block.marker ?? '•', left - 12, y, { width: 12 });
      doc.y = y;
    }
    block.runs.forEach((run, index) => {
      doc
        .font(fontFor(run.bold, run.italic))
        .fontSize(10.5)
        .fillColor(run.link ? linkBlue : black);
      const last = index === block.runs.length - 1;
      doc.text(run.text, index === 0 ? left : undefined, index === 0 ? doc.y : undefined, {
        width,
        continued: !last,
        link: run.link ?? undefined,
        underline: run.link !== null,
      });
    });
    doc.moveDown(block.kind === 'item' ? 0.15 : 0.5);
  }
  doc.x = margin;
}

/** Renders the PDF into memory. */
export function renderConversationPdf(input: ConversationPdfInput): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: margin, bottom: margin + 20, left: margin, right: margin },
    bufferPages: true,
    info: {
      Title: `Conversation: ${input.candidateName}, ${input.vacancyTitle}`,
      Author: 'Parley',
      Subject: `${input.vacancyTitle}, ${input.schoolName}`,
    },
    lang: 'en-GB',
    displayTitle: true,
    pdfVersion: '1.7',
    tagged: false,
  });
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  doc.registerFont('italic', fonts.italic);
  doc.registerFont('boldItalic', fonts.boldItalic);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('bold').fontSize(18).fillColor(black).text(`Conversation with ${input.candidateName}`);
  doc.moveDown(0.3);
  doc.font('regular').fontSize(11).fillColor(black);
  doc.text(`Job: ${input.vacancyTitle}`);
  doc.text(`School: ${input.schoolName}`);
  doc.text(`Applicant: ${input.candidateName}`);
  doc.text(`Status: ${input.statusLabel}`);
  doc.text(`Messages: ${input.messages.length}`);
  doc.moveDown(1);

  doc.font('bold').fontSize(14).text('Messages');
  doc.moveDown(0.4);
  if (input.messages.length === 0) doc.font('regular').fontSize(10.5).text('There are no messages.');
  for (const message of input.messages) {
    doc
      .font('bold')
      .fontSize(10.5)
      .fillColor(black)
      .text(message.senderDisplayName, { continued: true })
      .font('regular')
      .fillColor(grey)
      .text(`  ${formatDateTime(message.sentAt)}`);
    doc.moveDown(0.2);
    writeRichText(doc, message.bodyHtml, 0);
    if (message.attachments.length > 0) {
      doc.font('bold').fontSize(9.5).fillColor(grey).text('Attachments:');
      for (const attachment of message.attachments) {
        doc
          .font('regular')
          .fontSize(9.5)
          .fillColor(grey)
          .text(`${attachment.fileName} (${fileSizeLabel(attachment.sizeBytes)})`, margin + 12);
      }
      doc.x = margin;
    }
    doc.moveDown(0.6);
    doc
      .moveTo(margin, doc.y)
      .lineTo(doc.page.width - margin, doc.y)
      .lineWidth(0.5)
      .strokeColor('#b1b4b6')
      .stroke();
    doc.moveDown(0.6);
  }

  if (input.notes) {
    doc.moveDown(0.5);
    doc.font('bold').fontSize(14).fillColor(black).text('Staff notes (not shown to the applicant)');
    doc.moveDown(0.4);
    if (input.notes.length === 0) doc.font('regular').fontSize(10.5).text('There are no notes.');
    for (const note of input.notes) {
      doc
        .font('bold')
        .fontSize(10.5)
        .fillColor(black)
        .text(note.authorDisplayName, { continued: true })
        .font('regular')
        .fillColor(grey)
        .text(
          `  ${formatDateTime(note.createdAt)}${note.editedAt ? ` (edited ${formatDateTime(note.editedAt)})` : ''}`,
        );
      doc.moveDown(0.2);
      writeRichText(doc, note.bodyHtml, 0);
      doc.moveDown(0.4);
    }
  }

  const range = doc.bufferedPageRange();
  const footer = `Exported by ${input.exportedBy} on ${formatDateTime(input.exportedAt)}`;
  for (let index = range.start; index < range.start + range.count; index += 1) {
    doc.switchToPage(index);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - margin;
    const width = doc.page.width - 2 * margin;
    doc.font('regular').fontSize(8.5).fillColor(grey);
    doc.text(footer, margin, y, { width, lineBreak: false });
    doc.text(`Page ${index + 1} of ${range.count}`, margin, y, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
