/**
 * Placeholders in message templates and bulk messages. Pure: no I/O.
 *
 * A placeholder is a name from the fixed list below between double brackets, as GOV.UK Notify writes them:
 * `((first name))`. Names are matched without regard to capitals or extra spaces. The list is shown beside every
 * editor that accepts placeholders; anything else between double brackets is refused when the text is saved, each
 * one listed. Filling puts each recipient's own values in (escaped, as text); a placeholder with no value for a
 * recipient refuses that recipient's message rather than sending a blank.
 */
import { sanitiseMessageHtml } from '../messaging/rich-text.ts';
import { escapeHtml } from '../platform/html.ts';

export interface Placeholder {
  /** What is typed between the brackets. */
  name: string;
  /** What it becomes, for the list beside the editor. */
  description: string;
  value: (values: PlaceholderValues) => string;
}

/** What a placeholder can be filled from: one applicant, their application, and the member of staff sending. */
export interface PlaceholderValues {
  candidateName: string;
  vacancyTitle: string;
  schoolName: string;
  senderName: string;
}

function firstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? '';
}

/** The fixed, documented list, in the order it is shown. */
export const placeholders: readonly Placeholder[] = [
  { name: 'first name', description: 'the applicant’s first name', value: (v) => firstName(v.candidateName) },
  { name: 'full name', description: 'the applicant’s full name', value: (v) => v.candidateName.trim() },
  { name: 'job title', description: 'the title of the vacancy they applied for', value: (v) => v.vacancyTitle.trim() },
  { name: 'school name', description: 'the school the vacancy is at', value: (v) => v.schoolName.trim() },
  { name: 'sender name', description: 'your name, as the person sending', value: (v) => v.senderName.trim() },
];

/** At most this many recipients in one bulk message (documented in the README and on the page). */
export const maximumBulkRecipients = 500;

const placeholderPattern = /\(\(([^()<>]{0,60})\)\)/g;

function normalise(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

function known(name: string): Placeholder | undefined {
  const wanted = normalise(name);
  return placeholders.find((p) => p.name === wanted);
}

/** The text as typed between the brackets, for messages that quote it back. */
function shown(name: string): string {
  return `((${name.trim().replace(/\s+/g, ' ')}))`;
}

/**
 * Every problem with the placeholders in a template or message, one line each: unknown (or misspelt) names, and
 * brackets that do not close. `html` is our sanitised message HTML; `text` its plain-text copy. A placeholder split
 * by formatting (partly bold, or a link) is refused too, because it could not be filled.
 */
export function placeholderErrors(html: string, text: string): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const match of html.matchAll(placeholderPattern)) {
    const name = match[1] ?? '';
    if (known(name)) continue;
    const key = normalise(name);
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(`${shown(name)} is not a placeholder you can use. Use one from the list of placeholders`);
  }
  const inText = [...text.matchAll(placeholderPattern)].length;
  const inHtml = [...html.matchAll(placeholderPattern)].length;
  if (inText !== inHtml) {
    errors.push('A placeholder must not be partly bold, italic or a link. Format the whole placeholder, or none of it');
  }
  const unclosed = text.replace(placeholderPattern, '');
  if (unclosed.includes('((') || unclosed.includes('))')) {
    errors.push('A placeholder must start with (( and end with )), like ((first name))');
  }
  return errors;
}

/** The placeholders a text uses, by name, each once. */
export function placeholdersUsed(html: string): string[] {
  const names = new Set<string>();
  for (const match of html.matchAll(placeholderPattern)) {
    const placeholder = known(match[1] ?? '');
    if (placeholder) names.add(placeholder.name);
  }
  return [...names];
}

export type FillResult = { ok: true; html: string } | { ok: false; missing: string[] };

/**
 * One recipient's copy: each placeholder replaced by its value, escaped as text. Refused, naming each placeholder,
 * when a value is blank. Call only on HTML whose placeholders passed `placeholderErrors`.
 */
export function fillPlaceholders(html: string, values: PlaceholderValues): FillResult {
  const missing = new Set<string>();
  const filled = html.replace(placeholderPattern, (whole, name: string) => {
    const placeholder = known(name);
    if (!placeholder) return whole;
    const value = placeholder.value(values);
    if (value === '') missing.add(placeholder.name);
    return escapeHtml(value);
  });
  if (missing.size > 0) return { ok: false, missing: [...missing] };
  // Values are escaped and a link's scheme is fixed before filling, so nothing unsafe can appear; the copy still goes
  // through the sanitiser, so every page that shows it (`| safe`) shows only HTML the sanitiser produced.
  return { ok: true, html: sanitiseMessageHtml(filled) };
}

/** The "not sent" line for a recipient whose copy could not be filled. */
export function missingValuesReason(missing: string[]): string {
  const names = missing.map((name) => `((${name}))`).join(', ');
  return `Not sent: there is no value for ${names} for this applicant`;
}
