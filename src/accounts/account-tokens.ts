import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { AccountTokenPurpose } from '../platform/database-schema.ts';

/**
 * The links Parley emails about an account (confirm an email address, reset a password, accept an invitation). Each
 * token is signed: HMAC-SHA256 of a random id under the service's secret, so the database (which keeps only the
 * token's SHA-256) cannot make one, and the queue job that sends the email carries only the id. Pure apart from the
 * random id.
 */

export type { AccountTokenPurpose };

/** How long each kind of link works. */
export const tokenLifetimesMs: Record<AccountTokenPurpose, number> = {
  'verify-email': 24 * 60 * 60 * 1000,
  'reset-password': 60 * 60 * 1000,
  invitation: 7 * 24 * 60 * 60 * 1000,
};

export function newTokenId(): string {
  return randomUUID();
}

/** The token for a row: the same every time it is asked for (a retried email carries the same link). */
export function signedToken(secret: string, tokenId: string): string {
  return createHmac('sha256', secret).update(`parley-account-token:${tokenId}`).digest('base64url');
}

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

/** The SHA-256 stored for a token; undefined for anything that is not shaped like one of ours. */
export function hashAccountToken(token: unknown): Buffer | undefined {
  if (typeof token !== 'string' || !tokenPattern.test(token)) return undefined;
  return createHash('sha256').update(token).digest();
}

export interface StoredToken {
  purpose: AccountTokenPurpose;
  expiresAt: Date;
  usedAt: Date | null;
  supersededAt: Date | null;
}

/** Why a link no longer works, or that it does. */
export type TokenCheck = 'valid' | 'unknown' | 'used' | 'superseded' | 'expired';

export function checkToken(stored: StoredToken | undefined, purpose: AccountTokenPurpose, now: Date): TokenCheck {
  if (!stored || stored.purpose !== purpose) return 'unknown';
  if (stored.usedAt) return 'used';
  if (stored.supersededAt) return 'superseded';
  if (stored.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'valid';
}
