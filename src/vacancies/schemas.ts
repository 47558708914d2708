import { z } from 'zod';
import { parseClosingTime, parseDateInput, ukDateTimeString } from './rules.ts';

/** The vacancy form: what staff typed (kept as typed, to show again), and the checked vacancy. Pure. */

const text = z.string().catch('');
export const vacancyFormSchema = z.object({
  title: text,
  schoolId: text,
  description: text,
  contract: text,
  hours: text,
  'closingDate-day': text,
  'closingDate-month': text,
  'closingDate-year': text,
  closingTime: text,
});

export type VacancyFormValues = z.infer<typeof vacancyFormSchema>;

export interface VacancyFields {
  title: string;
  schoolId: string;
  description: string;
  contract: string;
  hours: string;
  closingDate: string;
  closingTime: string;
}

export const maximumDescriptionLength = 10_000;

export function emptyVacancyForm(): VacancyFormValues {
  return {
    title: '',
    schoolId: '',
    description: '',
    contract: '',
    hours: '',
    'closingDate-day': '',
    'closingDate-month': '',
    'closingDate-year': '',
    closingTime: '',
  };
}

/** The form's values for a vacancy being edited. */
export function vacancyFormValues(vacancy: Omit<VacancyFields, 'closingTime'> & { closingTime: string | null }) {
  const [year = '', month = '', day = ''] = vacancy.closingDate.slice(0, 10).split('-');
  return {
    title: vacancy.title,
    schoolId: vacancy.schoolId,
    description: vacancy.description,
    contract: vacancy.contract,
    hours: vacancy.hours,
    'closingDate-day': String(Number(day)),
    'closingDate-month': String(Number(month)),
    'closingDate-year': year,
    closingTime: vacancy.closingTime ? vacancy.closingTime.slice(0, 5) : '23:59',
  };
}

/** Checks every field at once; a closing date and time that has passed is refused too. */
export function checkVacancyForm(
  values: VacancyFormValues,
  schoolIds: readonly string[],
  now: Date,
): { ok: true; vacancy: VacancyFields } | { ok: false; errors: { field: string; text: string }[] } {
  const errors: { field: string; text: string }[] = [];
  const title = values.title.trim();
  if (!title) errors.push({ field: 'title', text: 'Enter a job title' });
  else if (title.length > 200) errors.push({ field: 'title', text: 'Job title must be 200 characters or fewer' });
  if (!schoolIds.includes(values.schoolId)) errors.push({ field: 'schoolId', text: 'Select a school' });
  const description = values.description.trim();
  if (!description) errors.push({ field: 'description', text: 'Enter a description of the job' });
  else if (description.length > maximumDescriptionLength)
    errors.push({ field: 'description', text: `Description must be ${maximumDescriptionLength} characters or fewer` });
  const contract = values.contract.trim();
  if (!contract) errors.push({ field: 'contract', text: 'Enter the contract, for example permanent or fixed term' });
  else if (contract.length > 200) errors.push({ field: 'contract', text: 'Contract must be 200 characters or fewer' });
  const hours = values.hours.trim();
  if (!hours) errors.push({ field: 'hours', text: 'Enter the hours, for example full time' });
  else if (hours.length > 200) errors.push({ field: 'hours', text: 'Hours must be 200 characters or fewer' });
  const day = values['closingDate-day'];
  const month = values['closingDate-month'];
  const year = values['closingDate-year'];
  let closingDate: string | null = null;
  if (!day.trim() && !month.trim() && !year.trim())
    errors.push({ field: 'closingDate', text: 'Enter the closing date' });
  else {
    closingDate = parseDateInput(day, month, year);
    if (!closingDate) errors.push({ field: 'closingDate', text: 'Closing date must be a real date, like 27 3 2027' });
  }
  let closingTime: string | null = null;
  if (!values.closingTime.trim()) errors.push({ field: 'closingTime', text: 'Enter the closing time' });
  else {
    closingTime = parseClosingTime(values.closingTime);
    if (!closingTime) errors.push({ field: 'closingTime', text: 'Enter the closing time like 5pm, 9:30am or 17:00' });
  }
  if (closingDate && closingTime && `${closingDate}T${closingTime}` <= ukDateTimeString(now))
    errors.push({ field: 'closingDate', text: 'The closing date and time must be in the future' });
  if (errors.length || !closingDate || !closingTime) return { ok: false, errors };
  return {
    ok: true,
    vacancy: { title, schoolId: values.schoolId, description, contract, hours, closingDate, closingTime },
  };
}
