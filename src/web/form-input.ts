/**
 * PostgreSQL text cannot hold U+0000, and no form field needs it, so it is removed from every submitted field before
 * anything reads the form (otherwise a pasted NUL would be a database error, a 500).
 */
export function removeNulCharacters(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '');
  if (Array.isArray(value)) return value.map(removeNulCharacters);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.value === 'string' && 'fieldname' in record) {
      record.value = record.value.replaceAll('\u0000', ''); // a multipart field
      return record;
    }
    for (const [key, item] of Object.entries(record)) {
      if (
        typeof item === 'string' ||
        Array.isArray(item) ||
        (item && typeof item === 'object' && 'fieldname' in item)
      ) {
        record[key] = removeNulCharacters(item);
      }
    }
  }
  return value;
}
