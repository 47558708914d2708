/**
 * When a message may be sent later. Pure: no I/O, `now` passed in.
 *
 * The person gives a date (day, month, year) and a time in UK time, such as "9:30am", "14:30" or "2pm". The moment is
 * worked out in Europe/London, in winter (GMT) and summer (BST) alike. It must be at least a minute from now and no
 * more than a year ahead.
 */
const ukZone = 'Europe/London';

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: ukZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function ukWallClock(instant: Date): { date: string; minutes: number } {
  const parts = Object.fromEntries(partsFormat.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** The instant it is hour:minute in the UK on a UK date (YYYY-MM-DD). */
export function ukInstant(date: string, hour: number, minute: number): Date {
  const wanted = hour * 60 + minute;
  const asUtc = new Date(`${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);
  const seen = ukWallClock(asUtc);
  const dayShift = seen.date === date ? 0 : seen.date > date ? 1440 : -1440;
  const offsetMinutes = seen.minutes + dayShift - wanted;
  return new Date(asUtc.getTime() - offsetMinutes * 60_000);
}

export interface SendLaterInput {
  day: string;
  month: string;
  year: string;
  time: string;
}

export type SendLaterField = 'sendDate' | 'sendTime';

export type SendLaterDecision =
  { ok: true; sendAt: Date } | { ok: false; errors: { field: SendLaterField; text: string }[] };

/** "9:30am", "9.30 am", "14:30", "2pm", "12 midday", "midnight": hours and minutes, or null. */
export function parseTime(raw: string): { hour: number; minute: number } | null {
  const text = raw.trim().toLowerCase().replace(/\s+/g, '');
  if (text === 'midday' || text === 'noon' || text === '12midday') return { hour: 12, minute: 0 };
  if (text === 'midnight' || text === '12midnight') return { hour: 0, minute: 0 };
  const match = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$/.exec(text);
  if (!match) return null;
  let hour = Number(match[1]);
  const minute = match[2] === undefined ? 0 : Number(match[2]);
  const period = match[3];
  if (minute > 59) return null;
  if (period) {
    if (hour < 1 || hour > 12) return null;
    if (period === 'am' && hour === 12) hour = 0;
    if (period === 'pm' && hour !== 12) hour += 12;
  } else if (hour > 23 || match[2] === undefined) {
    return null; // "14" alone is ambiguous; "14:00" or "2pm" is not
  }
  return { hour, minute };
}

const earliestMs = 60_000;
const latestMs = 366 * 24 * 3_600_000;

/** Whether the date and time given can be used, and the moment they mean; every problem at once. */
export function decideSendLater(input: SendLaterInput, now: Date): SendLaterDecision {
  const errors: { field: SendLaterField; text: string }[] = [];
  const day = input.day.trim();
  const month = input.month.trim();
  const year = input.year.trim();
  let date: string | null = null;
  if (!day && !month && !year) errors.push({ field: 'sendDate', text: 'Enter the date to send the message' });
  else if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    errors.push({ field: 'sendDate', text: 'The date to send must be a real date, like 27 3 2027' });
  } else {
    const candidate = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
    const check = new Date(`${candidate}T12:00:00Z`);
    if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== candidate)
      errors.push({ field: 'sendDate', text: 'The date to send must be a real date, like 27 3 2027' });
    else date = candidate;
  }
  const time = input.time.trim() === '' ? null : parseTime(input.time);
  if (input.time.trim() === '') errors.push({ field: 'sendTime', text: 'Enter the time to send the message' });
  else if (!time) errors.push({ field: 'sendTime', text: 'Enter the time in UK time, like 9:30am or 14:30' });
  if (errors.length > 0 || !date || !time) return { ok: false, errors };
  const sendAt = ukInstant(date, time.hour, time.minute);
  if (sendAt.getTime() < now.getTime() + earliestMs)
    return { ok: false, errors: [{ field: 'sendDate', text: 'The time to send must be in the future' }] };
  if (sendAt.getTime() > now.getTime() + latestMs)
    return { ok: false, errors: [{ field: 'sendDate', text: 'The time to send must be within a year from today' }] };
  return { ok: true, sendAt };
}

/** The date and time fields for a moment, as the form shows them (UK time). */
export function sendLaterFields(instant: Date): SendLaterInput {
  const { date, minutes } = ukWallClock(instant);
  const [year = '', month = '', day = ''] = date.split('-');
  const hour = Math.floor(minutes / 60);
  const minute = minutes % 60;
  return {
    day: String(Number(day)),
    month: String(Number(month)),
    year,
    time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
  };
}
