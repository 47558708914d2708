/** The account forms' checks, in GOV.UK words. Pure. */
import { isValidEmailAddress, maximumEmailAddressLength } from './email-address.ts';
import { checkNewPassword, maximumPasswordLength, minimumPasswordLength } from './password-rules.ts';

export { minimumPasswordLength };
export { normaliseEmailAddress } from './email-address.ts';

/** The GOV.UK wording for a new password that breaks the rules, or null. */
export function newPasswordError(password: string): string | null {
  const check = checkNewPassword(password);
  if (check.ok) return null;
  switch (check.reason) {
    case 'empty':
      return 'Enter a password';
    case 'too-short':
      return `Password must be ${minimumPasswordLength} characters or more`;
    case 'too-long':
      return `Password must be ${maximumPasswordLength} characters or fewer`;
  }
}

/** The GOV.UK wording for an email address that cannot be used, or null. */
export function emailAddressError(email: string): string | null {
  if (!email.trim()) return 'Enter your email address';
  if (email.trim().length > maximumEmailAddressLength)
    return `Email address must be ${maximumEmailAddressLength} characters or fewer`;
  if (!isValidEmailAddress(email)) return 'Enter an email address in the correct format, like name@example.com';
  return null;
}

export function fullNameError(fullName: string): string | null {
  if (!fullName.trim()) return 'Enter your full name';
  if (fullName.trim().length > 200) return 'Full name must be 200 characters or fewer';
  return null;
}
