/**
 * Turns what someone typed into the search box into the words PostgreSQL full-text search looks for. Pure.
 *
 * Every word must match (several words narrow the results); the last word also matches as a prefix, so that a
 * search can be typed incrementally ("mathem" finds "mathematics"). Only letters and digits are kept, so nothing a
 * person types can become a text search operator.
 */
export interface SearchTerms {
  /** All but the last word, matched by their stems ("interviews" finds "interview"). */
  words: string[];
  /** The last word, matched as a stem and as a prefix. */
  last: string;
  /** What was searched for, tidied, to show back to the person. */
  display: string;
}

const maxWords = 12;
const maxWordLength = 60;

export function parseSearch(input: unknown): SearchTerms | null {
  if (typeof input !== 'string') return null;
  const words = (input.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? [])
    .map((word) => word.toLowerCase().slice(0, maxWordLength))
    .slice(0, maxWords);
  const last = words.pop();
  if (last === undefined) return null;
  return { words, last, display: input.trim().replace(/\s+/g, ' ').slice(0, 200) };
}
