import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidEmailAddress, normaliseEmailAddress } from '../../src/accounts/email-address.ts';
import { characterCount, checkNewPassword } from '../../src/accounts/password-rules.ts';

describe('account email addresses', () => {
  const normalised: [string, string][] = [
    ['  Amara.Okafor@Oakfield.example ', 'amara.okafor@oakfield.example'],
    ['sam@example.com', 'sam@example.com'],
    ['\tSAM@EXAMPLE.COM\n', 'sam@example.com'],
  ];
  for (const [given, stored] of normalised) {
    test(`${JSON.stringify(given)} is stored and compared as ${stored}`, () => {
      assert.equal(normaliseEmailAddress(given), stored);
    });
  }

  const validity: [string, boolean][] = [
    ['name@example.com', true],
    [' name@example.com ', true],
    ['not-an-email', false],
    ['sam@', false],
    ['@example.com', false],
    ['', false],
    [`${'a'.repeat(64)}@${'b'.repeat(250)}.example`, false],
  ];
  for (const [address, valid] of validity) {
    test(`${JSON.stringify(address.length > 40 ? `${address.slice(0, 40)}...` : address)} is ${valid ? 'valid' : 'refused'}`, () => {
      assert.equal(isValidEmailAddress(address), valid);
    });
  }
});

describe('new passwords', () => {
  const cases: [string, string, ReturnType<typeof checkNewPassword>][] = [
    ['empty', '', { ok: false, reason: 'empty', length: 0 }],
    ['11 characters', 'eleven-char', { ok: false, reason: 'too-short', length: 11 }],
    ['12 characters', 'correct-hors', { ok: true }],
    ['11 emoji are 11 characters', '🧑‍🏫'.repeat(11), { ok: false, reason: 'too-short', length: 11 }],
    ['1000 characters', 'x'.repeat(1000), { ok: true }],
    ['1001 characters', 'x'.repeat(1001), { ok: false, reason: 'too-long', length: 1001 }],
  ];
  for (const [name, password, expected] of cases) {
    test(name, () => {
      assert.deepEqual(checkNewPassword(password), expected);
    });
  }

  test('characters are counted as a person counts them', () => {
    assert.equal(characterCount('🧑‍🏫é'), 2);
    assert.equal(characterCount('e\u0301'), 1);
  });
});
