import type { z } from 'zod';

export interface FormErrors {
  /** For govukErrorSummary: every error, linked to its field. */
  list: { text: string; href: string }[];
  /** For each field's errorMessage. */
  byField: Record<string, { text: string }>;
}

export function noErrors(): FormErrors {
  return { list: [], byField: {} };
}

/** Builds GOV.UK error summary data from field-to-message pairs; the first message per field wins. */
export function formErrors(messages: { field: string; text: string }[]): FormErrors {
  const errors = noErrors();
  for (const { field, text } of messages) {
    if (errors.byField[field]) continue;
    errors.byField[field] = { text };
    errors.list.push({ text, href: `#${field}` });
  }
  return errors;
}

export function zodFormErrors(error: z.ZodError): FormErrors {
  return formErrors(error.issues.map((issue) => ({ field: String(issue.path[0] ?? 'form'), text: issue.message })));
}

export function hasErrors(errors: FormErrors): boolean {
  return errors.list.length > 0;
}
