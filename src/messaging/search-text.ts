/**
 * The words a message adds to its conversation's search document. Pure: no I/O.
 *
 * PostgreSQL's parser keeps "plan.pdf", "example.org/jobs" or "sam@example.com" as single tokens, so those are added
 * again split at their punctuation: "pdf", "example" and "sam" then find them too.
 */
export function searchableText(parts: string[]): string {
  const joined = parts.join(' ');
  const punctuated = joined.match(/\S*[\p{L}\p{N}][^\s\p{L}\p{N}]+[\p{L}\p{N}]\S*/gu) ?? [];
  return [joined, ...punctuated.map((token) => token.replace(/[^\p{L}\p{N}]+/gu, ' '))].join(' ');
}
