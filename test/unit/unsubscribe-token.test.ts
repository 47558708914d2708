import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { createUnsubscribeToken, readUnsubscribeToken } from '../../src/notifications/unsubscribe-token.ts';

const secret = 'a-test-secret-that-is-long-enough-for-sessions';

/** Changes one character of a string to another character of the base64url alphabet. */
function changeCharacter(text: string, index: number): string {
  const current = text[index];
  const replacement = current === 'A' ? 'B' : 'A';
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

describe('unsubscribe tokens', () => {
  test('a token reads back as the account it was made for, and is safe in a URL path', () => {
    const userId = randomUUID();
    const token = createUnsubscribeToken(secret, userId);
    assert.equal(readUnsubscribeToken(secret, token), userId);
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal(encodeURIComponent(token), token);
  });

  test('tokens differ between accounts and are the same each time for one account', () => {
    const first = randomUUID();
    const second = randomUUID();
    assert.notEqual(createUnsubscribeToken(secret, first), createUnsubscribeToken(secret, second));
    assert.equal(createUnsubscribeToken(secret, first), createUnsubscribeToken(secret, first));
  });

  test('a changed signature is refused, whichever character changed', () => {
    const token = createUnsubscribeToken(secret, randomUUID());
    const dot = token.indexOf('.');
    for (let index = dot + 1; index < token.length; index += 1) {
      assert.equal(readUnsubscribeToken(secret, changeCharacter(token, index)), null, `signature character ${index}`);
    }
  });

  test('another account with this account’s signature is refused', () => {
    const victim = randomUUID();
    const attacker = randomUUID();
    const signature = createUnsubscribeToken(secret, attacker).split('.')[1];
    const forged = `${Buffer.from(victim).toString('base64url')}.${signature}`;
    assert.equal(readUnsubscribeToken(secret, forged), null);
    assert.equal(readUnsubscribeToken(secret, createUnsubscribeToken(secret, victim)), victim);
  });

  test('a token made with another secret is refused', () => {
    const userId = randomUUID();
    assert.equal(readUnsubscribeToken(secret, createUnsubscribeToken(`${secret}-other`, userId)), null);
    assert.equal(readUnsubscribeToken(`${secret}-other`, createUnsubscribeToken(secret, userId)), null);
  });

  test('malformed tokens are refused', () => {
    const token = createUnsubscribeToken(secret, randomUUID());
    const [encodedId = '', signature = ''] = token.split('.');
    for (const bad of [
      '',
      '.',
      encodedId,
      `${encodedId}.`,
      `.${signature}`,
      `${token}.${signature}`,
      `${encodedId}.${signature.slice(0, -1)}`,
      `${encodedId}.${signature}A`,
      createUnsubscribeToken(secret, 'not-an-account-id'),
      'not a token at all',
    ]) {
      assert.equal(readUnsubscribeToken(secret, bad), null, JSON.stringify(bad));
    }
  });
});
