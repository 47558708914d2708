import { createHash, randomBytes } from 'node:crypto';

/**
 * Reply-To addresses: `reply+<token>@<domain>`. The token is 160 random bits written in lower-case base32, so that a
 * mail server that changes the case of the local part does not break it. Only the token's SHA-256 is stored. Pure
 * apart from the random bytes.
 */
const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
const tokenLength = 32; // 20 bytes = 160 bits = 32 base32 characters

export function newReplyToken(): string {
  const bytes = randomBytes(20);
  let bits = 0;
  let value = 0;
  let token = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      token += alphabet[(value >>> (bits - 5)) & 31] ?? '';
      bits -= 5;
    }
  }
  return token;
}

export function hashReplyToken(token: string): Buffer {
  return createHash('sha256').update(token.toLowerCase()).digest();
}

export function replyAddress(token: string, domain: string): string {
  return `reply+${token}@${domain}`;
}

const tokenPattern = new RegExp(`^reply\\+([${alphabet}]{${tokenLength}})$`, 'i');

/**
 * The token in an address of ours, or null for any other address (another local part, another domain). A token of
 * the right shape that was never issued is still a token: the receiver answers it.
 */
export function tokenFromAddress(address: string, domain: string): string | null {
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  if (address.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return null;
  const match = tokenPattern.exec(address.slice(0, at));
  return match?.[1]?.toLowerCase() ?? null;
}
