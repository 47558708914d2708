/** Rules about vacancies. Pure: `now` is passed in. */

/** The UK's local date and time as YYYY-MM-DDTHH:MM, which sorts as time does. */
export function ukDateTimeString(now: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

/**
 * When a vacancy closes, as a UK local date and time (YYYY-MM-DDTHH:MM). A vacancy without a closing time (those
 * made before closing times existed) closes at the end of its closing date.
 */
export function closesAt(vacancy: { closingDate: string; closingTime?: string | null }): string {
  return `${vacancy.closingDate.slice(0, 10)}T${vacancy.closingTime ? vacancy.closingTime.slice(0, 5) : '24:00'}`;
}

/** A vacancy takes applications while it is published and its closing date and time (UK time) have not come. */
export function vacancyIsOpen(
  vacancy: { status: string; closingDate: string; closingTime?: string | null },
  now: Date,
): boolean {
  return vacancy.status === 'published' && ukDateTimeString(now) < closesAt(vacancy);
}

/** What staff may do with a vacancy in each state. */
export function vacancyActions(status: string): { edit: boolean; publish: boolean; close: boolean } {
  return { edit: status !== 'closed', publish: status === 'draft', close: status === 'published' };
}

/**
 * A closing time as people write it: "17:00", "9:30", "5pm", "5:30pm", "midday" or "noon". Returns HH:MM (24-hour),
 * or null. Midnight is refused: it is unclear which day it ends.
 */
export function parseClosingTime(input: string): string | null {
  const text = input.trim().toLowerCase().replace(/\s+/g, '');
  if (text === 'midday' || text === 'noon' || text === '12noon') return '12:00';
  const match = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$/.exec(text);
  if (!match) return null;
  let hour = Number(match[1]);
  const minute = match[2] === undefined ? 0 : Number(match[2]);
  const period = match[3];
  if (minute > 59) return null;
  if (period) {
    if (hour < 1 || hour > 12) return null;
    if (period === 'am' && hour === 12) return null; // midnight
    if (period === 'pm' && hour !== 12) hour += 12;
  } else {
    if (match[2] === undefined) return null; // "5" alone: morning or afternoon?
    if (hour > 23) return null;
    if (hour === 0 && minute === 0) return null;
  }
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** A real date from the GOV.UK date input's three boxes, as YYYY-MM-DD, or null. */
export function parseDateInput(day: string, month: string, year: string): string | null {
  if (!/^\d{1,2}$/.test(day.trim()) || !/^\d{1,2}$/.test(month.trim()) || !/^\d{4}$/.test(year.trim())) return null;
  const [d, m, y] = [Number(day), Number(month), Number(year)];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** "5pm", "9:30am", "midday": a closing time (HH:MM) as the GOV.UK style guide writes times. */
export function closingTimeText(closingTime: string | null | undefined): string {
  if (!closingTime) return 'midnight at the end of the day';
  const [hourText = '0', minute = '00'] = closingTime.slice(0, 5).split(':');
  const hour = Number(hourText);
  if (hour === 12 && minute === '00') return 'midday';
  const period = hour < 12 ? 'am' : 'pm';
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  return minute === '00' ? `${twelve}${period}` : `${twelve}:${minute}${period}`;
}
