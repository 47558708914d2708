import { z } from 'zod';
import { applicationStatuses } from './status.ts';

const trimmed = z
  .string()
  .default('')
  .transform((value) => value.trim());

/** The application form. A draft may be incomplete; a submission needs everything. */
export const applicationFormSchema = z.object({
  candidateName: trimmed.pipe(z.string().max(200, 'Your name must be 200 characters or fewer')),
  contactEmail: trimmed.pipe(
    z.union([z.literal(''), z.email('Enter an email address in the correct format, like name@example.com').max(320)]),
  ),
  personalStatement: z
    .string()
    .default('')
    .transform((value) => value.replace(/\r\n/g, '\n').trim())
    .pipe(z.string().max(5000, 'Your personal statement must be 5,000 characters or fewer')),
  action: z.enum(['save', 'submit']).default('save'),
});

export const submissionRequirements = z.object({
  candidateName: z.string().min(1, 'Enter your full name'),
  contactEmail: z.string().min(1, 'Enter an email address we can contact you on'),
  personalStatement: z.string().min(1, 'Enter your personal statement'),
});

export const statusChangeSchema = z.object({
  expectedStatus: z.enum(applicationStatuses, { error: 'The form was out of date. Try again.' }),
  to: z.enum(applicationStatuses, { error: 'Select a new status' }),
});
