/**
 * When the hiring staff's daily email is due. Pure: the clock is passed in.
 *
 * The email goes at 07:00 UK time, in winter (GMT) and in summer (BST) alike. A run belongs to a UK date; it is due
 * from 07:00 on that date, so a worker that was down at 07:00 runs it when it comes back (once: the date is recorded).
 */
export const dailyEmailHour = 7;
const ukZone = 'Europe/London';

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: ukZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function ukParts(instant: Date): { date: string; hour: number; minute: number; second: number } {
  const parts = Object.fromEntries(partsFormat.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The instant it is `hour`:00 in the UK on a UK date (YYYY-MM-DD). */
export function ukTimeOn(date: string, hour: number): Date {
  // Start from that wall-clock time read as UTC, then correct by the UK offset at that moment (0 or 1 hour).
  const asUtc = new Date(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);
  const seen = ukParts(asUtc);
  const offsetHours = (seen.hour - hour + 24) % 24;
  return new Date(asUtc.getTime() - offsetHours * 3_600_000);
}

export interface DailyRun {
  /** The UK date the run belongs to. */
  runDate: string;
  /** Messages received up to this moment (07:00 UK time on runDate) are included. */
  cutoff: Date;
}

/** The run due at `now`: today's if it is 07:00 or later in the UK, otherwise yesterday's. */
export function dueDailyRun(now: Date): DailyRun {
  const today = ukParts(now).date;
  const todaysCutoff = ukTimeOn(today, dailyEmailHour);
  if (now.getTime() >= todaysCutoff.getTime()) return { runDate: today, cutoff: todaysCutoff };
  const yesterday = ukParts(new Date(todaysCutoff.getTime() - 24 * 3_600_000)).date;
  return { runDate: yesterday, cutoff: ukTimeOn(yesterday, dailyEmailHour) };
}
