import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideSendLater, parseTime, sendLaterFields, ukInstant } from '../../src/scheduled/rules.ts';

describe('ukInstant', () => {
  test('winter is GMT, summer is BST', () => {
    assert.equal(ukInstant('2027-01-15', 9, 30).toISOString(), '2027-01-15T09:30:00.000Z');
    assert.equal(ukInstant('2027-07-15', 9, 30).toISOString(), '2027-07-15T08:30:00.000Z');
    assert.equal(ukInstant('2027-07-15', 0, 15).toISOString(), '2027-07-14T23:15:00.000Z');
  });
});

describe('parseTime', () => {
  const table: [string, { hour: number; minute: number } | null][] = [
    ['9:30am', { hour: 9, minute: 30 }],
    ['9.30 AM', { hour: 9, minute: 30 }],
    ['14:30', { hour: 14, minute: 30 }],
    ['2pm', { hour: 14, minute: 0 }],
    ['12am', { hour: 0, minute: 0 }],
    ['12pm', { hour: 12, minute: 0 }],
    ['midday', { hour: 12, minute: 0 }],
    ['14', null],
    ['25:00', null],
    ['9:75am', null],
    ['13pm', null],
    ['soon', null],
  ];
  for (const [raw, expected] of table) test(raw, () => assert.deepEqual(parseTime(raw), expected));
});

describe('decideSendLater', () => {
  const now = new Date('2027-03-10T12:00:00Z');
  test('a future UK time is accepted', () => {
    assert.deepEqual(decideSendLater({ day: '11', month: '3', year: '2027', time: '9:00am' }, now), {
      ok: true,
      sendAt: new Date('2027-03-11T09:00:00Z'),
    });
  });
  test('a time in the past is refused', () => {
    assert.deepEqual(decideSendLater({ day: '10', month: '3', year: '2027', time: '11:59am' }, now), {
      ok: false,
      errors: [{ field: 'sendDate', text: 'The time to send must be in the future' }],
    });
  });
  test('every missing or wrong part is listed at once', () => {
    assert.deepEqual(decideSendLater({ day: '', month: '', year: '', time: '' }, now), {
      ok: false,
      errors: [
        { field: 'sendDate', text: 'Enter the date to send the message' },
        { field: 'sendTime', text: 'Enter the time to send the message' },
      ],
    });
    assert.deepEqual(decideSendLater({ day: '31', month: '2', year: '2027', time: 'teatime' }, now), {
      ok: false,
      errors: [
        { field: 'sendDate', text: 'The date to send must be a real date, like 27 3 2027' },
        { field: 'sendTime', text: 'Enter the time in UK time, like 9:30am or 14:30' },
      ],
    });
  });
  test('more than a year ahead is refused', () => {
    assert.equal(decideSendLater({ day: '11', month: '3', year: '2028', time: '9am' }, now).ok, false);
  });
  test('the fields read back the moment in UK time', () => {
    assert.deepEqual(sendLaterFields(new Date('2027-07-15T08:30:00Z')), {
      day: '15',
      month: '7',
      year: '2027',
      time: '09:30',
    });
  });
});
