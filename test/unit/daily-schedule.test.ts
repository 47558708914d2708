import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dailyEmailHour, dueDailyRun, ukTimeOn } from '../../src/notifications/daily-schedule.ts';

/**
 * The daily email is due from 07:00 UK time: 07:00 UTC in winter (GMT), 06:00 UTC in summer (BST). In 2025 the
 * clocks went forward at 01:00 UTC on Sunday 30 March and back at 01:00 UTC on Sunday 26 October.
 */
describe('dueDailyRun: the run that is due at an instant', () => {
  const table: { now: string; runDate: string; cutoff: string; why: string }[] = [
    // Winter (GMT): 07:00 UK is 07:00 UTC.
    {
      now: '2025-01-15T06:59:59.999Z',
      runDate: '2025-01-14',
      cutoff: '2025-01-14T07:00:00.000Z',
      why: '06:59 in January: yesterday’s run',
    },
    {
      now: '2025-01-15T07:00:00.000Z',
      runDate: '2025-01-15',
      cutoff: '2025-01-15T07:00:00.000Z',
      why: '07:00 in January: today’s run',
    },
    {
      now: '2025-01-15T23:59:59.000Z',
      runDate: '2025-01-15',
      cutoff: '2025-01-15T07:00:00.000Z',
      why: 'late evening in January',
    },
    {
      now: '2025-01-15T00:00:00.000Z',
      runDate: '2025-01-14',
      cutoff: '2025-01-14T07:00:00.000Z',
      why: 'midnight in January',
    },
    // Summer (BST): 07:00 UK is 06:00 UTC.
    {
      now: '2025-07-15T05:59:59.999Z',
      runDate: '2025-07-14',
      cutoff: '2025-07-14T06:00:00.000Z',
      why: '06:59 BST in July: yesterday’s run',
    },
    {
      now: '2025-07-15T06:00:00.000Z',
      runDate: '2025-07-15',
      cutoff: '2025-07-15T06:00:00.000Z',
      why: '07:00 BST in July: today’s run',
    },
    {
      now: '2025-07-15T06:30:00.000Z',
      runDate: '2025-07-15',
      cutoff: '2025-07-15T06:00:00.000Z',
      why: '07:30 BST, though only 06:30 UTC',
    },
    {
      now: '2025-07-14T23:30:00.000Z',
      runDate: '2025-07-14',
      cutoff: '2025-07-14T06:00:00.000Z',
      why: '00:30 BST on the 15th, 23:30 UTC on the 14th',
    },
    // The day the clocks go forward (30 March 2025): 07:00 is already BST.
    {
      now: '2025-03-30T00:30:00.000Z',
      runDate: '2025-03-29',
      cutoff: '2025-03-29T07:00:00.000Z',
      why: '00:30 GMT before the change',
    },
    {
      now: '2025-03-30T05:59:59.000Z',
      runDate: '2025-03-29',
      cutoff: '2025-03-29T07:00:00.000Z',
      why: '06:59 BST on the change day',
    },
    {
      now: '2025-03-30T06:00:00.000Z',
      runDate: '2025-03-30',
      cutoff: '2025-03-30T06:00:00.000Z',
      why: '07:00 BST on the change day',
    },
    {
      now: '2025-03-31T05:59:00.000Z',
      runDate: '2025-03-30',
      cutoff: '2025-03-30T06:00:00.000Z',
      why: '06:59 BST the day after: the change day’s run',
    },
    // The day the clocks go back (26 October 2025): 07:00 is GMT again.
    {
      now: '2025-10-26T00:30:00.000Z',
      runDate: '2025-10-25',
      cutoff: '2025-10-25T06:00:00.000Z',
      why: '01:30 BST before the change',
    },
    {
      now: '2025-10-26T06:30:00.000Z',
      runDate: '2025-10-25',
      cutoff: '2025-10-25T06:00:00.000Z',
      why: '06:30 GMT on the change day: not yet',
    },
    {
      now: '2025-10-26T06:59:59.000Z',
      runDate: '2025-10-25',
      cutoff: '2025-10-25T06:00:00.000Z',
      why: '06:59 GMT on the change day',
    },
    {
      now: '2025-10-26T07:00:00.000Z',
      runDate: '2025-10-26',
      cutoff: '2025-10-26T07:00:00.000Z',
      why: '07:00 GMT on the change day',
    },
    {
      now: '2025-10-27T06:59:00.000Z',
      runDate: '2025-10-26',
      cutoff: '2025-10-26T07:00:00.000Z',
      why: '06:59 GMT the day after',
    },
    // Month, year and leap day boundaries.
    {
      now: '2026-01-01T06:00:00.000Z',
      runDate: '2025-12-31',
      cutoff: '2025-12-31T07:00:00.000Z',
      why: 'New Year’s Day before 07:00',
    },
    {
      now: '2024-03-01T06:59:00.000Z',
      runDate: '2024-02-29',
      cutoff: '2024-02-29T07:00:00.000Z',
      why: 'the morning after a leap day',
    },
    {
      now: '2025-06-01T05:00:00.000Z',
      runDate: '2025-05-31',
      cutoff: '2025-05-31T06:00:00.000Z',
      why: 'the first of a month, before 07:00 BST',
    },
  ];

  for (const row of table) {
    test(`${row.now} (${row.why}) -> ${row.runDate}, cutoff ${row.cutoff}`, () => {
      const run = dueDailyRun(new Date(row.now));
      assert.deepEqual(
        { runDate: run.runDate, cutoff: run.cutoff.toISOString() },
        { runDate: row.runDate, cutoff: row.cutoff },
      );
    });
  }

  test('the cutoff is never after now, and at most a day (25 hours across a change) before it', () => {
    const start = Date.parse('2025-01-01T00:00:00Z');
    for (let t = start; t < start + 366 * 86_400_000; t += 17 * 60_000) {
      const now = new Date(t);
      const { cutoff } = dueDailyRun(now);
      assert.ok(cutoff.getTime() <= now.getTime(), `cutoff after now at ${now.toISOString()}`);
      assert.ok(now.getTime() - cutoff.getTime() < 25 * 3_600_000, `cutoff too old at ${now.toISOString()}`);
    }
  });

  test('every UK date of a year has exactly one run, and its cutoff is 07:00 UK time', () => {
    const format = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const runs = new Map<string, string>();
    const start = Date.parse('2025-01-01T12:00:00Z');
    for (let t = start; t < start + 365 * 86_400_000; t += 30 * 60_000) {
      const run = dueDailyRun(new Date(t));
      const previous = runs.get(run.runDate);
      assert.ok(previous === undefined || previous === run.cutoff.toISOString(), `one cutoff for ${run.runDate}`);
      runs.set(run.runDate, run.cutoff.toISOString());
      assert.equal(format.format(run.cutoff), '07:00');
    }
    assert.equal(runs.size, 366, 'from 1 January 2025 to 1 January 2026, each date once');
  });
});

describe('ukTimeOn', () => {
  test('07:00 UK time on dates in winter, summer and on both change days', () => {
    assert.equal(dailyEmailHour, 7);
    assert.equal(ukTimeOn('2025-01-15', 7).toISOString(), '2025-01-15T07:00:00.000Z');
    assert.equal(ukTimeOn('2025-07-15', 7).toISOString(), '2025-07-15T06:00:00.000Z');
    assert.equal(ukTimeOn('2025-03-30', 7).toISOString(), '2025-03-30T06:00:00.000Z');
    assert.equal(ukTimeOn('2025-10-26', 7).toISOString(), '2025-10-26T07:00:00.000Z');
    assert.equal(ukTimeOn('2025-03-29', 7).toISOString(), '2025-03-29T07:00:00.000Z');
    assert.equal(ukTimeOn('2025-10-25', 7).toISOString(), '2025-10-25T06:00:00.000Z');
  });
});
