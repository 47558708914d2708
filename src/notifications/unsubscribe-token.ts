import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Unsubscribe links work without signing in: the token names the account and is signed with a key derived from the
 * service's secret, so it cannot be made up or changed.
 */
function signature(secret: string, userId: string): string {
  const key = createHmac('sha256', secret).update('parley unsubscribe v1').digest();
  return createHmac('sha256', key).update(userId).digest('base64url');
}

export function createUnsubscribeToken(secret: string, userId: string): string {
  return `${Buffer.from(userId).toString('base64url')}.${signature(secret, userId)}`;
}

/** The account id, if the token is genuine. */
export function readUnsubscribeToken(secret: string, token: string): string | null {
  const [encodedId, given] = token.split('.');
  if (!encodedId || !given || token.split('.').length !== 2) return null;
  const userId = Buffer.from(encodedId, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(userId)) return null;
  const expected = Buffer.from(signature(secret, userId));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? userId : null;
}
