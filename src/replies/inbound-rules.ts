/**
 * Which received emails are automatic (auto-replies, bounces, mailing-list traffic) and must never be answered nor
 * become messages, so that two robots cannot write to each other forever. Pure.
 *
 * - `Auto-Submitted` other than `no` (RFC 3834: auto-replied, auto-generated, auto-notified)
 * - `Precedence: bulk | junk | list | auto_reply`
 * - mailing-list headers (`List-Id`, `List-Post`) and Microsoft's `X-Auto-Response-Suppress`-carrying auto-replies
 *   (`X-Autoreply`, `X-Autorespond`, `X-Autoreply-From`)
 * - an empty return path (`MAIL FROM:<>`, RFC 5321: the sender of a bounce), or a sender that is a mailer daemon
 * - a delivery or read report (`multipart/report`)
 */
export interface InboundFacts {
  /** The SMTP envelope's sender: '' for `MAIL FROM:<>`. */
  envelopeFrom: string;
  /** Header values by lower-case name. */
  header: (name: string) => string | undefined;
  contentType: string | undefined;
}

export function isAutomatic(facts: InboundFacts): boolean {
  if (facts.envelopeFrom.trim() === '') return true;
  if (/^(mailer-daemon|postmaster)@/i.test(facts.envelopeFrom)) return true;
  const returnPath = facts.header('return-path');
  if (returnPath !== undefined && /^<?\s*>?$/.test(returnPath.trim())) return true;
  const autoSubmitted = facts.header('auto-submitted');
  if (autoSubmitted !== undefined && autoSubmitted.trim().toLowerCase().split(/[\s;]/)[0] !== 'no') return true;
  const precedence = facts.header('precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return true;
  for (const name of ['list-id', 'list-post', 'x-autoreply', 'x-autorespond', 'x-autoreply-from']) {
    if (facts.header(name) !== undefined) return true;
  }
  if (facts.contentType?.toLowerCase().startsWith('multipart/report')) return true;
  return false;
}

/** Why a reply was refused; each has its own short answer (src/replies/emails.ts). */
export type RefusalReason =
  'unknown-address' | 'not-the-owner' | 'revoked' | 'no-access' | 'not-allowed' | 'invalid' | 'too-large';

/** The address part of a From header value such as `"Sam" <sam@example.org>`, lower-cased. */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
