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
  staffLabel: string | null;
  jobseekerLabel: string;
  staffMoves: readonly ApplicationStatus[];
  jobseekerMoves: readonly ApplicationStatus[];
}

const rules: Record<ApplicationStatus, StatusRule> = {
  draft: { staffLabel: null, jobseekerLabel: 'Draft', staffMoves: [], jobseekerMoves: ['submitted'] },
  submitted: {
    staffLabel: 'New',
    jobseekerLabel: 'Submitted',
    staffMoves: ['shortlisted', 'interviewing', 'offered', 'not_progressing'],
    jobseekerMoves: ['withdrawn'],
  },
  shortlisted: {
    staffLabel: 'Shortlisted',
    jobseekerLabel: 'Shortlisted',
    staffMoves: ['interviewing', 'offered', 'not_progressing'],
    jobseekerMoves: ['withdrawn'],
  },
  interviewing: {
    staffLabel: 'Interviewing',
    jobseekerLabel: 'Interviewing',
    staffMoves: ['offered', 'not_progressing'],
    jobseekerMoves: ['withdrawn'],
  },
  offered: {
    staffLabel: 'Job offered',
    jobseekerLabel: 'Job offered',
    staffMoves: ['declined'],
    jobseekerMoves: ['withdrawn'],
  },
  declined: { staffLabel: 'Job declined', jobseekerLabel: 'Job declined', staffMoves: [], jobseekerMoves: [] },
  not_progressing: {
    staffLabel: 'Not progressing',
    jobseekerLabel: 'Not progressing',
    staffMoves: [],
    jobseekerMoves: [],
  },
  withdrawn: { staffLabel: 'Withdrawn', jobseekerLabel: 'Withdrawn', staffMoves: [], jobseekerMoves: [] },
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

/** The label staff see. Drafts are invisible to staff, so they have no staff label. */
export function staffStatusLabel(status: ApplicationStatus): string {
  return rules[status].staffLabel ?? rules[status].jobseekerLabel;
}

export function jobseekerStatusLabel(status: ApplicationStatus): string {
  return rules[status].jobseekerLabel;
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
