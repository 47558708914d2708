import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addMonths, deletionDate, parseHoldReason, parseRetentionForm, warningDate } from '../../src/records/rules.ts';

test('months are added as PostgreSQL adds them: the last day of a shorter month', () => {
  const cases: [string, number, string][] = [
    ['2026-01-10', 6, '2026-07-10'],
    ['2026-08-31', 6, '2027-02-28'],
    ['2027-08-31', 6, '2028-02-29'],
    ['2026-10-31', 1, '2026-11-30'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-01-31', 120, '2036-01-31'],
  ];
  for (const [from, months, expected] of cases) assert.equal(addMonths(from, months), expected, `${from} + ${months}`);
});

test('the period depends on whether the applicant was offered the job', () => {
  const periods = { monthsNotOffered: 6, monthsOffered: 12 };
  assert.equal(deletionDate('2026-01-10', 'not_progressing', periods), '2026-07-10');
  assert.equal(deletionDate('2026-01-10', 'withdrawn', periods), '2026-07-10');
  assert.equal(deletionDate('2026-01-10', 'submitted', periods), '2026-07-10');
  assert.equal(deletionDate('2026-01-10', 'offered', periods), '2027-01-10');
  assert.equal(deletionDate('2026-01-10', 'declined', periods), '2027-01-10');
  assert.equal(warningDate('2026-07-10'), '2026-07-03');
  assert.equal(warningDate('2026-03-03'), '2026-02-24');
});

test('the settings form reports every error at once', () => {
  assert.deepEqual(parseRetentionForm({ monthsNotOffered: ' 3 ', monthsOffered: '24' }), {
    ok: true,
    periods: { monthsNotOffered: 3, monthsOffered: 24 },
  });
  const refused = parseRetentionForm({ monthsNotOffered: '', monthsOffered: '121' });
  assert.ok(!refused.ok);
  assert.deepEqual(
    refused.errors.map((e) => e.field),
    ['monthsNotOffered', 'monthsOffered'],
  );
  assert.ok(!parseRetentionForm({ monthsNotOffered: '1.5', monthsOffered: '-1' }).ok);
  assert.ok(!parseRetentionForm({ monthsNotOffered: 6, monthsOffered: ['6'] }).ok, 'only form strings');
});

test('a hold needs a reason of at most 500 characters', () => {
  assert.deepEqual(parseHoldReason('  Claim  '), { ok: true, reason: 'Claim' });
  assert.equal(parseHoldReason('').ok, false);
  assert.equal(parseHoldReason(undefined).ok, false);
  assert.equal(parseHoldReason('é'.repeat(500)).ok, true);
  assert.equal(parseHoldReason('é'.repeat(501)).ok, false);
});
