/**
 * PostgreSQL text cannot hold U+0000, and no form field needs it, so it is removed from every submitted field before
 * anything reads the form (otherwise a pasted NUL would be a database error, a 500).
 */
export function removeNulCharacters(body: unknown): unknown {
  if (typeof body === 'string') return body.replaceAll('\u0000', '');
  if (Array.isArray(body)) return body.map(removeNulCharacters);
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === 'string') (body as Record<string, unknown>)[key] = value.replaceAll('\u0000', '');
      else if (Array.isArray(value)) (body as Record<string, unknown>)[key] = value.map(removeNulCharacters);
      else if (value && typeof value === 'object' && 'value' in value && typeof value.value === 'string') {
        value.value = value.value.replaceAll('\u0000', ''); // a multipart field
      }
    }
  }
  return body;
}
