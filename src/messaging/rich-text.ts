/**
 * Message formatting. Pure: no I/O.
 *
 * Messages are stored as a small, safe subset of HTML (paragraphs, line breaks, bold,
 * italic, lists and links) plus a plain-text copy for search and previews.
 * `sanitiseMessageHtml` is the only gate: everything that becomes message HTML passes
 * through it, whether it came from the rich-text editor or the plain textarea.
 */
import { LinkifyIt } from 'linkify-it';
import sanitizeHtml from 'sanitize-html';
import { repairMessageStructure } from './rich-text-structure.ts';
import { escapeHtml } from '../platform/html.ts';

/** The most characters a message may have, counted on its plain-text copy. */
export const messageTextLimit = 10_000;

/**
 * A backstop on the raw body before we parse it, so a huge blob of markup cannot make
 * us do a lot of work. Generous: formatting and long links rarely double a message.
 */
export const messageBodyLimit = messageTextLimit * 10;

const nestingLimit = 20;
const allowedTags = ['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a'];
const allowedProtocols = new Set(['http:', 'https:', 'mailto:']);

// Disallowed tags are dropped but their text is kept, except these, whose contents are
// code, styling, embedded documents or foreign markup rather than words the sender wrote.
const dropWithContents = [
  'script',
  'style',
  'template',
  'noscript',
  'noembed',
  'noframes',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'textarea',
  'xmp',
  'select',
  'option',
  'title',
  'head',
];

// Elements that may be dropped when they hold no words.
const inlineTags = new Set(['a', 'strong', 'em', 'b', 'i']);
const blockTags = new Set(['p', 'ul', 'ol', 'li']);

/**
 * The link's destination if it is an absolute http, https or mailto URL, normalised by the
 * same WHATWG URL parser browsers use (so tabs, newlines, leading spaces and odd casing in a
 * scheme cannot hide `javascript:` from us). Relative and protocol-relative links are refused:
 * a message has no sensible base URL. Links with a user name or password are refused too,
 * because `https://trusted.example@evil.example` is a phishing trick.
 */
function safeHref(raw: string | undefined): string | null {
  if (raw === undefined || !URL.canParse(raw)) return null;
  const url = new URL(raw);
  if (!allowedProtocols.has(url.protocol)) return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.href;
}

const strictOptions: sanitizeHtml.IOptions = {
  allowedTags,
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: dropWithContents,
  // Deeper elements are dropped (keeping their words): no message needs 20 levels of nesting.
  nestingLimit,
  transformTags: {
    b: 'strong',
    i: 'em',
    // Keep a link only if its destination is safe, and then with nothing but href and rel.
    // Otherwise rename it to a tag we do not allow, which drops the tag but keeps its words.
    a: (_tagName, attribs): sanitizeHtml.Tag => {
      const href = safeHref(attribs.href);
      return href === null
        ? { tagName: 'parley-unsafe-link', attribs: {} }
        : { tagName: 'a', attribs: { href, rel: 'noopener noreferrer' } };
    },
  },
  // Tidy up elements left with no words (editors produce `<p><br></p>` for blank lines, and
  // removing disallowed content can empty an element). Empty blocks go entirely; empty
  // inline elements are unwrapped so that any spaces inside them survive.
  exclusiveFilter: (frame) => {
    if (frame.text.trim() !== '') return false;
    if (blockTags.has(frame.tag)) return true;
    if (inlineTags.has(frame.tag)) return 'excludeTag';
    return false;
  },
};

// Other block elements (browsers' contenteditable makes `<div>`s; pasted documents bring
// headings and tables) become paragraphs, so their words do not run together.
const paragraphLike = [
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'address',
  'article',
  'aside',
  'section',
  'header',
  'footer',
  'main',
  'nav',
  'figure',
  'figcaption',
  'details',
  'summary',
  'dl',
  'dt',
  'dd',
  'caption',
  'td',
  'th',
];

const firstPassOptions: sanitizeHtml.IOptions = {
  ...strictOptions,
  transformTags: {
    ...Object.fromEntries(paragraphLike.map((tag) => [tag, 'p'])),
    menu: 'ul',
    ...strictOptions.transformTags,
  },
};

/**
 * Reduce any HTML to the message allow-list, in a structure a browser keeps as it is wherever the body is placed (no
 * list item outside a list, no list inside a paragraph: see rich-text-structure.ts). Idempotent: safe to call on its
 * own output.
 *
 * Two passes of the allow-list: the first also turns other blocks into paragraphs, which can nest paragraphs
 * (`<div><div>`); the second re-parses that. Then the structure is repaired.
 */
export function sanitiseMessageHtml(html: string): string {
  const allowed = sanitizeHtml(sanitizeHtml(html, firstPassOptions), strictOptions);
  return repairMessageStructure(allowed, nestingLimit).trim();
}

/**
 * What becomes a link in typed text: web addresses that start http://, https:// or www., and email addresses (with or
 * without mailto:). linkify-it finds them and knows where an address ends (a full stop, comma or closing bracket after
 * it is the sentence's, not the address's). Its other schemes (ftp:, and //) are turned off, and of its links without
 * a scheme only those starting www. are kept: "report.pl" or "notes.md" are file names more often than web sites.
 */
const linkifier = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: false })
  .add('ftp:', null)
  .add('//', null);

/** Escape a line of plain text, turning web and email addresses into links. */
function linkify(line: string): string {
  let html = '';
  let last = 0;
  for (const match of linkifier.match(line) ?? []) {
    const schemeless = match.schema === '';
    if (schemeless && !/^www\./i.test(match.raw)) continue;
    const href = schemeless ? `https://${match.raw}` : match.url;
    html += `${emphasise(line.slice(last, match.index))}<a href="${escapeHtml(href)}">${escapeHtml(match.raw)}</a>`;
    last = match.lastIndex;
  }
  return html + emphasise(line.slice(last));
}

/**
 * Escape words typed in the plain textarea, making `**bold**` bold and `_italics_` italic (the light markup many
 * people know from other messaging services; the form's hint says so). Underscores inside words (file_name) stay.
 * Addresses are linked first and never emphasised, so an underscore in a link cannot break it.
 */
function emphasise(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\p{L}\p{N}_])_(?=\S)(.+?)(?<=\S)_(?![\p{L}\p{N}_])/gu, '$1<em>$2</em>');
}

const bulletPattern = /^\s*[-*]\s+/;

/**
 * Format what someone typed in a plain textarea: blank lines separate paragraphs, single
 * line breaks are kept, lines starting "- " or "* " become a bulleted list, `**bold**` and
 * `_italics_` are bold and italic, and web and email addresses become links.
 */
export function plainTextToHtml(text: string): string {
  const paragraphs = text.replace(/\r\n?/g, '\n').split(/\n(?:[ \t]*\n)+/);
  let html = '';
  for (const paragraph of paragraphs) {
    // Within a paragraph, runs of bullet lines become a list; other runs of lines a paragraph.
    let lines: string[] = [];
    let bullets: string[] = [];
    const flushLines = (): void => {
      if (lines.length > 0) html += `<p>${lines.map(linkify).join('<br>')}</p>`;
      lines = [];
    };
    const flushBullets = (): void => {
      if (bullets.length > 0) html += `<ul>${bullets.map((item) => `<li>${linkify(item)}</li>`).join('')}</ul>`;
      bullets = [];
    };
    for (const line of paragraph.split('\n')) {
      if (line.trim() === '') continue; // only possible at the very start or end of the text
      if (bulletPattern.test(line)) {
        flushLines();
        bullets.push(line.replace(bulletPattern, ''));
      } else {
        flushBullets();
        lines.push(line.trim());
      }
    }
    flushLines();
    flushBullets();
  }
  return sanitiseMessageHtml(html);
}

/** Undo the escaping `sanitiseMessageHtml` does to text (it only ever writes these four). */
function decodeSanitisedText(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&amp;', '&');
}

/**
 * The plain-text copy of HTML that has already been through `sanitiseMessageHtml`. Its markup
 * is only our allow-list with `<` and `>` escaped everywhere else, so splitting on tags is exact.
 */
function plainTextOfSanitised(html: string): string {
  let out = '';
  let pendingBreaks = 0; // newlines owed before the next words: 1 for a line break, 2 between blocks
  let pendingPrefix = ''; // a list item's bullet or number, written with its first words
  const lists: { ordered: boolean; count: number }[] = [];
  const owe = (breaks: number): void => {
    pendingBreaks = Math.max(pendingBreaks, breaks);
  };

  for (const token of html.split(/(<[^>]*>)/)) {
    if (token.startsWith('<')) {
      const closing = token.startsWith('</');
      const name = /^<\/?([a-z]+)/.exec(token)?.[1];
      if (name === 'br') owe(1);
      else if (name === 'p') owe(2);
      else if (name === 'ul' || name === 'ol') {
        if (closing) lists.pop();
        else lists.push({ ordered: name === 'ol', count: 0 });
        owe(lists.length > (closing ? 0 : 1) ? 1 : 2); // nested lists sit on the next line
      } else if (name === 'li') {
        owe(1);
        if (closing) continue;
        const list = lists.at(-1);
        const indent = '  '.repeat(Math.max(lists.length - 1, 0));
        if (list?.ordered) {
          list.count += 1;
          pendingPrefix = `${indent}${String(list.count)}. `;
        } else {
          pendingPrefix = `${indent}- `;
        }
      }
      continue; // strong, em and a do not change the text
    }
    let words = decodeSanitisedText(token).replace(/[\s\u00a0]+/g, ' ');
    const atLineStart = out === '' || pendingBreaks > 0 || out.endsWith('\n');
    if (atLineStart) words = words.trimStart();
    if (words === '') continue;
    if (out !== '' && pendingBreaks > 0) out = out.trimEnd() + '\n'.repeat(pendingBreaks);
    out += pendingPrefix + words;
    pendingBreaks = 0;
    pendingPrefix = '';
  }
  return out
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** A plain-text copy of message HTML, for search and previews. Paragraphs are separated by a blank line. */
export function htmlToPlainText(html: string): string {
  return plainTextOfSanitised(sanitiseMessageHtml(html));
}

export type PreparedMessage = { ok: true; html: string; text: string } | { ok: false; error: string };

/**
 * Validate and format a message body from either the rich-text editor (`html`) or the
 * plain textarea (`text`). Length is counted in characters (Unicode code points) of the
 * plain-text copy, so formatting and link addresses do not count against the limit.
 */
export function prepareMessageBody(input: { format: 'html' | 'text'; body: string }): PreparedMessage {
  const tooLong = { ok: false, error: 'Message must be 10,000 characters or fewer' } as const;
  if (input.body.length > messageBodyLimit) return tooLong;
  const html = input.format === 'html' ? sanitiseMessageHtml(input.body) : plainTextToHtml(input.body);
  const text = plainTextOfSanitised(html);
  if (text.trim() === '') return { ok: false, error: 'Enter a message' };
  if (Array.from(text).length > messageTextLimit) return tooLong; // code points, so an emoji counts once
  return { ok: true, html, text };
}

/**
 * What a refused message form gives back to its sender. For the message box (`editable`), rich text comes back as
 * our sanitised HTML only, so the rich-text editor never receives markup we would not store and shows what would be
 * sent; typed text comes back as typed. For the read-only "not sent" copy, both come back as their words.
 */
export function messageBodyToKeep(
  input: { format: 'html' | 'text'; body: string },
  use: 'editable' | 'read-only',
): { format: 'html' | 'text'; body: string } {
  if (input.format === 'text') return input;
  if (use === 'read-only') return { format: 'text', body: htmlToPlainText(input.body) };
  return { format: 'html', body: sanitiseMessageHtml(input.body) };
}

/**
 * Message HTML as the light markup the plain textarea takes (`plainTextToHtml` reads it back): blank lines between
 * paragraphs, `- ` before list items, `**bold**`, `_italics_`, and a link as its address (after its words when they
 * differ). For putting saved rich text (a template) back in the text box when the browser runs no JavaScript.
 */
export function htmlToTypedText(html: string): string {
  let out = '';
  let link: { href: string; words: string } | null = null;
  const blankLine = (): void => {
    out = out.replace(/[ \t]+$/, '');
    if (out !== '' && !out.endsWith('\n\n')) out += out.endsWith('\n') ? '\n' : '\n\n';
  };
  for (const token of sanitiseMessageHtml(html).split(/(<[^>]*>)/)) {
    if (token.startsWith('<')) {
      const closing = token.startsWith('</');
      const name = /^<\/?([a-z]+)/.exec(token)?.[1];
      if (name === 'p' && !closing) blankLine();
      else if ((name === 'ul' || name === 'ol') && !closing && !/\n- [^\n]*$/.test(out)) blankLine();
      else if (name === 'li' && !closing) out += out === '' || out.endsWith('\n') ? '- ' : '\n- ';
      else if (name === 'br') out += '\n';
      else if (name === 'strong') out += '**';
      else if (name === 'em') out += '_';
      else if (name === 'a' && !closing) {
        const href = decodeSanitisedText(/href="([^"]*)"/.exec(token)?.[1] ?? '');
        link = { href, words: '' };
      } else if (name === 'a' && link) {
        const { href, words } = link;
        const plain = href
          .replace(/^mailto:/, '')
          .replace(/^https?:\/\//, '')
          .replace(/\/$/, '');
        const same = [href, plain, `www.${plain}`].includes(words) || words.replace(/\/$/, '') === plain;
        out += same ? words : `${words} (${href})`;
        link = null;
      }
      continue;
    }
    const words = decodeSanitisedText(token).replace(/[\s\u00a0]+/g, ' ');
    if (link) link.words += words;
    else out += out === '' || out.endsWith('\n') ? words.trimStart() : words;
  }
  return out.trim();
}
