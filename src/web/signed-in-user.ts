/**
 * Who is signed in, as every page sees them. The accounts feature produces it; the web layer carries it on each
 * request and the guards check its kind.
 */
export interface SignedInUser {
  id: string;
  kind: 'staff' | 'jobseeker';
  email: string;
  fullName: string;
  /** Organisation names, for staff: shown in the header and used as the message signature. */
  organisationNames: string[];
  /** Jobseekers: whether they confirmed their email address (they apply only once they have). */
  emailVerified?: boolean;
}
