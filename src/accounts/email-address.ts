import { z } from 'zod';

/**
 * The account email address rules, in one place: how an address is stored and compared (trimmed, lower-cased), and
 * which addresses are accepted for a new account. Pure: no I/O.
 */

/** The longest address accepted (RFC 5321's path limit, rounded up as most services do). */
export const maximumEmailAddressLength = 320;

/** Addresses are stored trimmed and lower-cased, and sign-in compares them the same way. */
export function normaliseEmailAddress(email: string): string {
  return email.trim().toLowerCase();
}

const emailAddressSchema = z.email().max(maximumEmailAddressLength);

/** Whether an address (surrounding spaces ignored) may be given to a new account. */
export function isValidEmailAddress(email: string): boolean {
  return emailAddressSchema.safeParse(email.trim()).success;
}
