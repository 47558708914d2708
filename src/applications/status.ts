/**
 * The application status machine. Pure: no I/O, no clock.
 *
 * Each status lists the moves staff may make and the moves the jobseeker may make.
 */
import type { ApplicationStatus as DatabaseApplicationStatus } from '../platform/database-schema.ts';

export const applicationStatuses = [
  'draft',
  'submitted',
  'shortlisted',
  'interviewing',
  'offered',
  'declined',
  'not_progressing',
  'withdrawn',
] as const;

export type ApplicationStatus = (typeof applicationStatuses)[number];

// The machine and the database's enum list the same statuses: a difference either way fails the type check.
type SameStatuses<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const statusesMatchDatabase: SameStatuses<ApplicationStatus, DatabaseApplicationStatus> = true;

export type StatusActor = 'staff' | 'jobseeker';

interface StatusRule {
  /** One label for both sides, so staff and the applicant talk about the same thing in the same words. */
  label: string;
  staffMoves: readonly ApplicationStatus[];
  jobseekerMoves: readonly ApplicationStatus[];
}

const rules: Record<ApplicationStatus, StatusRule> = {
  draft: { label: 'Draft', staffMoves: [], jobseekerMoves: ['submitted'] },
  submitted: {
    label: 'Submitted',
    staffMoves: ['shortlisted', 'interviewing', 'offered', 'not_progressing'],
    jobseekerMoves: ['withdrawn'],
  },
  shortlisted: {
    label: 'Shortlisted',
    staffMoves: ['interviewing', 'offered', 'not_progressing'],
    jobseekerMoves: ['withdrawn'],
  },
  interviewing: {
    label: 'Interviewing',
    staffMoves: ['offered', 'not_progressing'],
    jobseekerMoves: ['withdrawn'],
  },
  offered: {
    label: 'Job offered',
    staffMoves: ['declined'],
    jobseekerMoves: ['withdrawn'],
  },
  declined: { label: 'Job declined', staffMoves: [], jobseekerMoves: [] },
  not_progressing: {
    label: 'Not progressing',
    staffMoves: [],
    jobseekerMoves: [],
  },
  withdrawn: { label: 'Withdrawn', staffMoves: [], jobseekerMoves: [] },
};

export function isApplicationStatus(value: unknown): value is ApplicationStatus {
  return typeof value === 'string' && (applicationStatuses as readonly string[]).includes(value);
}

export function allowedMoves(from: ApplicationStatus, actor: StatusActor): readonly ApplicationStatus[] {
  return actor === 'staff' ? rules[from].staffMoves : rules[from].jobseekerMoves;
}

export function canMove(from: ApplicationStatus, to: ApplicationStatus, actor: StatusActor): boolean {
  return allowedMoves(from, actor).includes(to);
}

/** The status in words, the same for staff and the applicant. */
export function statusLabel(status: ApplicationStatus): string {
  return rules[status].label;
}

/** Statuses staff can see (everything but drafts), in the order the tabs show them. */
export const staffVisibleStatuses: readonly ApplicationStatus[] = applicationStatuses.filter((s) => s !== 'draft');

export function isFinal(status: ApplicationStatus): boolean {
  return rules[status].staffMoves.length === 0 && rules[status].jobseekerMoves.length === 0;
}

/** Whether the jobseeker may withdraw an application with this status: the status machine's own answer. */
export function canWithdraw(status: ApplicationStatus): boolean {
  return canMove(status, 'withdrawn', 'jobseeker');
}
