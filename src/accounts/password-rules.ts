/**
 * The rules for a new password, in one place: the admin command line asks them today, the account pages will too.
 * Pure: no I/O. Each caller words the answer for its own audience.
 */

export const minimumPasswordLength = 12;
/** scrypt would hash anything; a cap keeps a pasted file from becoming a password. */
export const maximumPasswordLength = 1000;

/** Characters as a person counts them (an emoji or an accented letter is one), not UTF-16 code units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const segment of new Intl.Segmenter().segment(text)) if (segment.segment) count += 1;
  return count;
}

export type NewPasswordCheck = { ok: true } | { ok: false; reason: 'empty' | 'too-short' | 'too-long'; length: number };

/** Whether a password may be used for an account: its length in characters, between the two limits. */
export function checkNewPassword(password: string): NewPasswordCheck {
  const length = characterCount(password);
  if (length === 0) return { ok: false, reason: 'empty', length };
  if (length < minimumPasswordLength) return { ok: false, reason: 'too-short', length };
  if (length > maximumPasswordLength) return { ok: false, reason: 'too-long', length };
  return { ok: true };
}
