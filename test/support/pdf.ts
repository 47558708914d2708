import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface ReadPdf {
  /** Each page's text, its items joined (a space between items on one line, a newline between lines). */
  pages: string[];
  /** The addresses of the link annotations, in page order. */
  links: string[];
  /** The item strings with the font each was drawn in (the embedded font's name, e.g. "DejaVuSans-Bold"). */
  runs: { text: string; font: string }[];
}

/** Reads a PDF back with PDF.js, as a reader's text selection would see it. */
export async function readPdf(data: Buffer): Promise<ReadPdf> {
  const task = getDocument({
    data: new Uint8Array(data),
    useSystemFonts: false,
    fontExtraProperties: true,
  });
  const pdf = await task.promise;
  const pages: string[] = [];
  const links: string[] = [];
  const runs: { text: string; font: string }[] = [];
  for (let number = 1; number <= pdf.numPages; number += 1) {
    const page = await pdf.getPage(number);
    const content = await page.getTextContent();
    await page.getOperatorList(); // loads the fonts, so their names can be read
    let text = '';
    for (const item of content.items) {
      if (!('str' in item)) continue;
      text += item.str + (item.hasEOL ? '\n' : '');
      const font = page.commonObjs.has(item.fontName)
        ? ((page.commonObjs.get(item.fontName) as { name?: string }).name ?? '')
        : '';
      if (item.str.trim() !== '') runs.push({ text: item.str, font: font.replace(/^[A-Z]{6}\+/, '') });
    }
    pages.push(text);
    for (const annotation of (await page.getAnnotations()) as { subtype: string; url?: string }[]) {
      if (annotation.subtype === 'Link' && annotation.url) links.push(annotation.url);
    }
  }
  await task.destroy();
  return { pages, links, runs };
}
