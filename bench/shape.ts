/** The size of the generated data set at a scale (1 = the default). */
export interface DataShape {
  scale: number;
  schools: number;
  groups: number;
  /** Schools in group 0, the big trust. */
  bigTrustSchools: number;
  staff: number;
  /** Staff who belong to a group rather than a school: 5 in the big trust, 2 in each other group. */
  groupStaff: number;
  jobseekers: number;
  conversations: number;
  /** Conversations in the big trust's schools (at least 10,000 at the default scale). */
  bigTrustConversations: number;
  messages: number;
}

/** Every generated account has this password (one scrypt hash serves them all). */
export const benchPassword = 'bench-password-not-secret';

const round = (value: number, minimum: number) => Math.max(minimum, Math.round(value));

export function shapeAt(scale: number): DataShape {
  const schools = round(2000 * scale, 4);
  const groups = Math.min(round(200 * scale, 1), Math.floor(schools / 2));
  const bigTrustSchools = round(40 * scale, 1);
  const groupStaff = 5 + 2 * (groups - 1);
  const staff = Math.max(round(10_000 * scale, 10), groupStaff + schools);
  const conversations = round(100_000 * scale, 20);
  let jobseekers = Math.max(round(100_000 * scale, 20), conversations);
  // Jobseeker of conversation n is (7919 n + 13) mod jobseekers: a permutation when 7919 does not divide it.
  if (jobseekers % 7919 === 0) jobseekers += 1;
  const messages = Math.max(round(1_000_000 * scale, 0), conversations + 400);
  const bigTrustConversations = Math.min(round(10_500 * scale, 1), conversations);
  return {
    scale,
    schools,
    groups,
    bigTrustSchools,
    staff,
    groupStaff,
    jobseekers,
    conversations,
    bigTrustConversations,
    messages,
  };
}
