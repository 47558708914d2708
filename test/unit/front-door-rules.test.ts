import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  closingTimeText,
  parseClosingTime,
  parseDateInput,
  ukDateTimeString,
  vacancyActions,
  vacancyIsOpen,
} from '../../src/vacancies/rules.ts';
import { checkToken, hashAccountToken, signedToken } from '../../src/accounts/account-tokens.ts';

describe('closing times as people write them', () => {
  const cases: [string, string | null][] = [
    ['17:00', '17:00'],
    ['9:30', '09:30'],
    ['9.30', '09:30'],
    ['5pm', '17:00'],
    ['5 PM', '17:00'],
    ['5:30pm', '17:30'],
    ['12pm', '12:00'],
    ['midday', '12:00'],
    ['noon', '12:00'],
    ['11:59pm', '23:59'],
    ['12am', null],
    ['00:00', null],
    ['midnight', null],
    ['5', null],
    ['13pm', null],
    ['24:00', null],
    ['9:60', null],
    ['teatime', null],
    ['', null],
  ];
  for (const [input, expected] of cases) {
    test(`"${input}" is ${expected ?? 'refused'}`, () => assert.equal(parseClosingTime(input), expected));
  }
  test('times are written the GOV.UK way', () => {
    assert.equal(closingTimeText('17:00:00'), '5pm');
    assert.equal(closingTimeText('09:30'), '9:30am');
    assert.equal(closingTimeText('12:00'), 'midday');
    assert.equal(closingTimeText(null), 'midnight at the end of the day');
  });
});

describe('closing dates from the date input', () => {
  test('real dates only', () => {
    assert.equal(parseDateInput('27', '3', '2027'), '2027-03-27');
    assert.equal(parseDateInput('29', '2', '2028'), '2028-02-29');
    assert.equal(parseDateInput('29', '2', '2027'), null);
    assert.equal(parseDateInput('31', '4', '2027'), null);
    assert.equal(parseDateInput('1', '13', '2027'), null);
    assert.equal(parseDateInput('1', '1', '27'), null);
    assert.equal(parseDateInput('a', '1', '2027'), null);
  });
});

describe('a vacancy is open until its closing date and time, in UK time', () => {
  // 2026-07-01 is summer time: 16:30 UTC is 17:30 in the UK.
  const summer = new Date('2026-07-01T15:59:00Z');
  test('UK local time, summer and winter', () => {
    assert.equal(ukDateTimeString(summer), '2026-07-01T16:59');
    assert.equal(ukDateTimeString(new Date('2026-12-01T16:59:00Z')), '2026-12-01T16:59');
  });
  const table: [string, { status: string; closingDate: string; closingTime: string | null }, Date, boolean][] = [
    ['before its closing time', { status: 'published', closingDate: '2026-07-01', closingTime: '17:00' }, summer, true],
    [
      'at its closing time',
      { status: 'published', closingDate: '2026-07-01', closingTime: '17:00' },
      new Date('2026-07-01T16:00:00Z'),
      false,
    ],
    [
      'with no closing time, all of its closing date',
      { status: 'published', closingDate: '2026-07-01', closingTime: null },
      new Date('2026-07-01T22:59:00Z'),
      true,
    ],
    [
      'with no closing time, not the day after',
      { status: 'published', closingDate: '2026-07-01', closingTime: null },
      new Date('2026-07-01T23:00:00Z'),
      false,
    ],
    ['a draft', { status: 'draft', closingDate: '2026-07-02', closingTime: '17:00' }, summer, false],
    ['closed early', { status: 'closed', closingDate: '2026-07-02', closingTime: '17:00' }, summer, false],
  ];
  for (const [name, vacancy, now, open] of table) {
    test(`${name}: ${open ? 'open' : 'closed'}`, () => assert.equal(vacancyIsOpen(vacancy, now), open));
  }
  test('what staff may do in each state', () => {
    assert.deepEqual(vacancyActions('draft'), { edit: true, publish: true, close: false });
    assert.deepEqual(vacancyActions('published'), { edit: true, publish: false, close: true });
    assert.deepEqual(vacancyActions('closed'), { edit: false, publish: false, close: false });
  });
});

describe('account links', () => {
  const now = new Date('2026-07-01T12:00:00Z');
  const stored = {
    purpose: 'reset-password' as const,
    expiresAt: new Date('2026-07-01T13:00:00Z'),
    usedAt: null,
    supersededAt: null,
  };
  test('a link works once, until it expires or a newer one replaces it, for its own purpose only', () => {
    assert.equal(checkToken(stored, 'reset-password', now), 'valid');
    assert.equal(checkToken(stored, 'verify-email', now), 'unknown');
    assert.equal(checkToken(undefined, 'reset-password', now), 'unknown');
    assert.equal(checkToken({ ...stored, usedAt: now }, 'reset-password', now), 'used');
    assert.equal(checkToken({ ...stored, supersededAt: now }, 'reset-password', now), 'superseded');
    assert.equal(checkToken(stored, 'reset-password', new Date('2026-07-01T13:00:00Z')), 'expired');
  });
  test('tokens are signed with the secret, and only well-formed ones are looked up', () => {
    const id = '5f0c7a3e-8d1b-4b7e-9a43-2f6f1c9d8e21';
    assert.equal(signedToken('secret one', id), signedToken('secret one', id));
    assert.notEqual(signedToken('secret one', id), signedToken('secret two', id));
    assert.ok(hashAccountToken(signedToken('secret one', id)));
    assert.equal(hashAccountToken('short'), undefined);
    assert.equal(hashAccountToken(['array']), undefined);
  });
});
