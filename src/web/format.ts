/** GOV.UK style dates and times, always in UK time. */
const dateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
});

export function formatDate(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(`${value.slice(0, 10)}T12:00:00Z`) : value;
  return dateFormat.format(date);
}

/** "3:04pm", "12pm" (midday), "12am" (midnight) as the GOV.UK style guide asks. */
export function formatTime(value: Date): string {
  const parts = timeFormat.formatToParts(value);
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '00';
  const period = (parts.find((p) => p.type === 'dayPeriod')?.value ?? '').toLowerCase().replace(/\./g, '');
  if (minute === '00')
    return hour === '12' && period === 'pm'
      ? 'midday'
      : hour === '12' && period === 'am'
        ? 'midnight'
        : `${hour}${period}`;
  return `${hour}:${minute}${period}`;
}

export function formatDateTime(value: Date): string {
  return `${formatDate(value)} at ${formatTime(value)}`;
}

/** Today's date in the UK as YYYY-MM-DD. */
export function ukDateString(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}
