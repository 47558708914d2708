/**
 * Who may send a message about an application, and when. Pure: no I/O, no clock.
 *
 * Staff can message an applicant once the application is submitted, until the
 * applicant withdraws. A jobseeker can reply to a conversation staff started, and
 * can start one themselves from interview onwards. Once an application is not
 * progressing or withdrawn, the jobseeker cannot send anything.
 */
import type { ApplicationStatus } from '../applications/status.ts';

export type MessagingActor = 'staff' | 'jobseeker';

/** Stable reasons for refusing a message, for code to branch on (the `reason` text is for people). */
export const messagingDeniedCodes = [
  'not_submitted',
  'not_invited_to_interview',
  'not_progressing',
  'withdrawn',
] as const;

export type DeniedCode = (typeof messagingDeniedCodes)[number];

export type MessagingDecision =
  | { readonly allowed: true; readonly warning?: string }
  | { readonly allowed: false; readonly reason: string; readonly code: DeniedCode };

export interface SendInput {
  actor: MessagingActor;
  status: ApplicationStatus;
  /** Whether the conversation already has at least one message (from anyone). */
  conversationHasMessages: boolean;
}

// Decisions are shared between callers, so freeze them to keep one caller from changing another's answer.
const allow: MessagingDecision = Object.freeze({ allowed: true });

function deny(code: DeniedCode, reason: string): MessagingDecision {
  return Object.freeze({ allowed: false, code, reason });
}

// Jobseeker-facing denials. "Start" is the first message in a conversation; "reply" is any later one.
const jobseekerDraft = deny(
  'not_submitted',
  'You cannot send messages about a draft application. Submit your application first.',
);
const jobseekerNotInvited = deny(
  'not_invited_to_interview',
  'You can start a conversation once the school invites you to interview. You can reply to any message the school sends you before then.',
);

interface StatusRule {
  staff: MessagingDecision;
  jobseekerStart: MessagingDecision;
  jobseekerReply: MessagingDecision;
}

/** The whole policy. Each row reads: what staff get, what a jobseeker starting gets, what a jobseeker replying gets. */
const rules: Record<ApplicationStatus, StatusRule> = {
  draft: {
    staff: deny(
      'not_submitted',
      'You cannot send a message until the applicant submits their application. You can message them once it is submitted.',
    ),
    jobseekerStart: jobseekerDraft,
    jobseekerReply: jobseekerDraft,
  },
  submitted: { staff: allow, jobseekerStart: jobseekerNotInvited, jobseekerReply: allow },
  shortlisted: { staff: allow, jobseekerStart: jobseekerNotInvited, jobseekerReply: allow },
  interviewing: { staff: allow, jobseekerStart: allow, jobseekerReply: allow },
  offered: { staff: allow, jobseekerStart: allow, jobseekerReply: allow },
  declined: { staff: allow, jobseekerStart: allow, jobseekerReply: allow },
  not_progressing: {
    staff: Object.freeze({
      allowed: true,
      warning: 'The applicant cannot reply because their application is not progressing.',
    }),
    jobseekerStart: deny(
      'not_progressing',
      'You cannot send a message because your application is not progressing. You can still read the messages from the school here, and find other jobs in Find a job.',
    ),
    jobseekerReply: deny(
      'not_progressing',
      'You cannot reply because your application is not progressing. You can still read the messages from the school here, and find other jobs in Find a job.',
    ),
  },
  withdrawn: {
    staff: deny(
      'withdrawn',
      'You cannot send a message because the applicant withdrew their application. The conversation stays here as a record.',
    ),
    jobseekerStart: deny(
      'withdrawn',
      'You cannot send a message because your application was withdrawn. You can still read the messages here, and find other jobs in Find a job.',
    ),
    jobseekerReply: deny(
      'withdrawn',
      'You cannot reply because your application was withdrawn. You can still read the messages here, and find other jobs in Find a job.',
    ),
  },
};

/** Decide whether `actor` may send a message now. Denials carry a reason written for that actor. */
export function decideSend(input: SendInput): MessagingDecision {
  const rule = rules[input.status];
  if (input.actor === 'staff') return rule.staff;
  return input.conversationHasMessages ? rule.jobseekerReply : rule.jobseekerStart;
}
