/**
 * Retention rules. Pure: no I/O, dates passed in.
 *
 * A school keeps an application, its conversation, notes and attachments for a number of months after the
 * vacancy's closing date: by default 6 months for applicants who were not offered the job, and 12 for those who were
 * (offered, or offered and declined). An application on hold is never deleted. Staff are told a week before.
 */
import type { ApplicationStatus } from '../applications/status.ts';

export interface RetentionPeriods {
  monthsNotOffered: number;
  monthsOffered: number;
}

export const defaultRetention: RetentionPeriods = { monthsNotOffered: 6, monthsOffered: 12 };
export const retentionMonthsLimits = { min: 1, max: 120 };
export const warningDays = 7;
export const holdReasonLimit = 500;

/** Whether the applicant was offered the job, which decides which period applies. */
export function wasOffered(status: ApplicationStatus): boolean {
  return status === 'offered' || status === 'declined';
}

export function retentionMonths(status: ApplicationStatus, periods: RetentionPeriods): number {
  return wasOffered(status) ? periods.monthsOffered : periods.monthsNotOffered;
}

/**
 * A 'YYYY-MM-DD' date plus whole months, the last day of the month when the day does not exist (31 August plus 6
 * months is 28 or 29 February), as PostgreSQL's `date + interval 'n months'` does.
 */
export function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const target = new Date(`${date}T12:00:00Z`);
  target.setUTCDate(target.getUTCDate() + days);
  return target.toISOString().slice(0, 10);
}

/** The date from which the application may be deleted (the daily run on or after it deletes it). */
export function deletionDate(closingDate: string, status: ApplicationStatus, periods: RetentionPeriods): string {
  return addMonths(closingDate, retentionMonths(status, periods));
}

export function warningDate(deletesOn: string): string {
  return addDays(deletesOn, -warningDays);
}

export type RetentionFormResult =
  | { ok: true; periods: RetentionPeriods }
  | { ok: false; errors: { field: 'monthsNotOffered' | 'monthsOffered'; text: string }[] };

/** The retention settings form: whole numbers of months, every error reported at once. */
export function parseRetentionForm(input: { monthsNotOffered: unknown; monthsOffered: unknown }): RetentionFormResult {
  const errors: { field: 'monthsNotOffered' | 'monthsOffered'; text: string }[] = [];
  const read = (field: 'monthsNotOffered' | 'monthsOffered', who: string): number => {
    const raw = typeof input[field] === 'string' ? input[field].trim() : '';
    if (raw === '') {
      errors.push({ field, text: `Enter how many months to keep applications from ${who}` });
      return 0;
    }
    if (!/^\d+$/.test(raw)) {
      errors.push({ field, text: `Months to keep applications from ${who} must be a whole number, like 6` });
      return 0;
    }
    const value = Number(raw);
    if (value < retentionMonthsLimits.min || value > retentionMonthsLimits.max) {
      errors.push({
        field,
        text: `Months to keep applications from ${who} must be between ${retentionMonthsLimits.min} and ${retentionMonthsLimits.max}`,
      });
    }
    return value;
  };
  const monthsNotOffered = read('monthsNotOffered', 'applicants who were not offered the job');
  const monthsOffered = read('monthsOffered', 'applicants who were offered the job');
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, periods: { monthsNotOffered, monthsOffered } };
}

export type HoldReasonResult = { ok: true; reason: string } | { ok: false; error: string };

export function parseHoldReason(raw: unknown): HoldReasonResult {
  const reason = typeof raw === 'string' ? raw.trim() : '';
  if (reason === '') return { ok: false, error: 'Enter why this application must be kept' };
  if (Array.from(reason).length > holdReasonLimit)
    return { ok: false, error: `The reason must be ${holdReasonLimit} characters or fewer` };
  return { ok: true, reason };
}
