import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAutomatic } from '../../src/replies/inbound-rules.ts';
import { hashReplyToken, newReplyToken, replyAddress, tokenFromAddress } from '../../src/replies/reply-address.ts';

describe('reply addresses', () => {
  test('a token is 32 lower-case base32 characters, different each time', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newReplyToken()));
    assert.equal(tokens.size, 100);
    for (const token of tokens) assert.match(token, /^[a-z2-7]{32}$/);
  });

  test('the address gives its token back, whatever the case of the address', () => {
    const token = newReplyToken();
    const address = replyAddress(token, 'reply.parley.example');
    assert.equal(address, `reply+${token}@reply.parley.example`);
    assert.equal(tokenFromAddress(address, 'reply.parley.example'), token);
    assert.equal(tokenFromAddress(address.toUpperCase(), 'reply.parley.example'), token);
    assert.deepEqual(hashReplyToken(token.toUpperCase()), hashReplyToken(token));
  });

  const token = 'abcdefghijklmnopqrstuvwxyz234567';
  for (const [label, address] of [
    ['another domain', `reply+${token}@parley.example`],
    ['another local part', `${token}@reply.parley.example`],
    ['a short token', 'reply+abc@reply.parley.example'],
    ['characters outside base32', `reply+${token.slice(0, 31)}1@reply.parley.example`],
    ['no domain', `reply+${token}`],
  ] as const) {
    test(`${label} is not one of ours`, () => {
      assert.equal(tokenFromAddress(address, 'reply.parley.example'), null);
    });
  }
});

describe('automatic emails are never answered', () => {
  const person = { envelopeFrom: 'sam@example.org', contentType: 'multipart/alternative; boundary=x' };
  const headers = (values: Record<string, string>) => (name: string) => values[name];
  const cases: [string, Parameters<typeof isAutomatic>[0], boolean][] = [
    ['a person’s reply', { ...person, header: headers({}) }, false],
    ['Auto-Submitted: no', { ...person, header: headers({ 'auto-submitted': 'no' }) }, false],
    ['Auto-Submitted: auto-replied', { ...person, header: headers({ 'auto-submitted': 'auto-replied' }) }, true],
    ['Auto-Submitted: auto-generated', { ...person, header: headers({ 'auto-submitted': 'auto-generated' }) }, true],
    ['Precedence: bulk', { ...person, header: headers({ precedence: 'bulk' }) }, true],
    ['Precedence: list', { ...person, header: headers({ precedence: 'list' }) }, true],
    ['Precedence: auto_reply', { ...person, header: headers({ precedence: 'auto_reply' }) }, true],
    ['a mailing list (List-Id)', { ...person, header: headers({ 'list-id': '<staff.example.org>' }) }, true],
    ['X-Autoreply', { ...person, header: headers({ 'x-autoreply': 'yes' }) }, true],
    ['an empty return path', { ...person, envelopeFrom: '', header: headers({}) }, true],
    ['Return-Path: <>', { ...person, header: headers({ 'return-path': '<>' }) }, true],
    ['from MAILER-DAEMON', { ...person, envelopeFrom: 'MAILER-DAEMON@mx.example.org', header: headers({}) }, true],
    [
      'a delivery report',
      { ...person, contentType: 'multipart/report; report-type=delivery-status', header: headers({}) },
      true,
    ],
  ];
  for (const [label, facts, automatic] of cases) {
    test(`${label}: ${automatic ? 'automatic' : 'a person'}`, () => {
      assert.equal(isAutomatic(facts), automatic);
    });
  }
});
