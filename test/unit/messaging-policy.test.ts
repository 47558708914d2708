import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applicationStatuses } from '../../src/applications/status.ts';
import type { ApplicationStatus } from '../../src/applications/status.ts';
import { decideSend, messagingDeniedCodes } from '../../src/messaging/policy.ts';
import type { DeniedCode, MessagingActor } from '../../src/messaging/policy.ts';

// The spec, written out by hand. Each cell is either 'ok', 'warn' (allowed with a warning),
// or the code we expect the refusal to carry.
type Cell = 'ok' | 'warn' | DeniedCode;
interface Row {
  staff: Cell;
  jobseekerStart: Cell;
  jobseekerReply: Cell;
}

const expected: Record<ApplicationStatus, Row> = {
  draft: { staff: 'not_submitted', jobseekerStart: 'not_submitted', jobseekerReply: 'not_submitted' },
  submitted: { staff: 'ok', jobseekerStart: 'not_invited_to_interview', jobseekerReply: 'ok' },
  shortlisted: { staff: 'ok', jobseekerStart: 'not_invited_to_interview', jobseekerReply: 'ok' },
  interviewing: { staff: 'ok', jobseekerStart: 'ok', jobseekerReply: 'ok' },
  offered: { staff: 'ok', jobseekerStart: 'ok', jobseekerReply: 'ok' },
  declined: { staff: 'ok', jobseekerStart: 'ok', jobseekerReply: 'ok' },
  not_progressing: { staff: 'warn', jobseekerStart: 'not_progressing', jobseekerReply: 'not_progressing' },
  withdrawn: { staff: 'withdrawn', jobseekerStart: 'withdrawn', jobseekerReply: 'withdrawn' },
};

function cellFor(row: Row, actor: MessagingActor, conversationHasMessages: boolean): Cell {
  if (actor === 'staff') return row.staff;
  return conversationHasMessages ? row.jobseekerReply : row.jobseekerStart;
}

describe('decideSend: every status × actor × conversation state', () => {
  test('the expected table covers every status', () => {
    assert.deepEqual(Object.keys(expected).sort(), [...applicationStatuses].sort());
  });

  for (const status of applicationStatuses) {
    for (const actor of ['staff', 'jobseeker'] as const) {
      for (const conversationHasMessages of [false, true]) {
        const cell = cellFor(expected[status], actor, conversationHasMessages);
        const label = `${status} / ${actor} / ${conversationHasMessages ? 'has messages' : 'no messages'} → ${cell}`;
        test(label, () => {
          const decision = decideSend({ actor, status, conversationHasMessages });
          if (cell === 'ok') {
            assert.deepEqual(decision, { allowed: true });
          } else if (cell === 'warn') {
            assert.equal(decision.allowed, true);
            assert.ok((decision.warning ?? '').trim().length > 0);
          } else {
            assert.equal(decision.allowed, false);
            assert.equal(decision.code, cell);
            assert.ok(messagingDeniedCodes.includes(decision.code));
            assert.ok(decision.reason.trim().length > 0, 'a refusal explains itself');
          }
        });
      }
    }
  }
});

describe('decideSend: wording', () => {
  const reason = (actor: MessagingActor, status: ApplicationStatus, conversationHasMessages: boolean): string => {
    const decision = decideSend({ actor, status, conversationHasMessages });
    assert.equal(decision.allowed, false);
    return decision.reason;
  };

  test('staff are warned that an applicant who is not progressing cannot reply', () => {
    for (const conversationHasMessages of [false, true]) {
      assert.deepEqual(decideSend({ actor: 'staff', status: 'not_progressing', conversationHasMessages }), {
        allowed: true,
        warning: 'The applicant cannot reply because their application is not progressing.',
      });
    }
  });

  test('staff reasons are written for staff', () => {
    assert.equal(
      reason('staff', 'draft', false),
      'You cannot send a message until the applicant submits their application. You can message them once it is submitted.',
    );
    assert.equal(
      reason('staff', 'withdrawn', true),
      'You cannot send a message because the applicant withdrew their application. The conversation stays here as a record.',
    );
  });

  test('jobseeker reasons are written for the jobseeker', () => {
    assert.equal(
      reason('jobseeker', 'withdrawn', true),
      'You cannot reply because your application was withdrawn. You can still read the messages here, and find other jobs in Find a job.',
    );
    assert.equal(
      reason('jobseeker', 'not_progressing', true),
      'You cannot reply because your application is not progressing. You can still read the messages from the school here, and find other jobs in Find a job.',
    );
    assert.equal(
      reason('jobseeker', 'submitted', false),
      'You can start a conversation once the school invites you to interview. You can reply to any message the school sends you before then.',
    );
    assert.equal(
      reason('jobseeker', 'shortlisted', false),
      'You can start a conversation once the school invites you to interview. You can reply to any message the school sends you before then.',
    );
    assert.equal(
      reason('jobseeker', 'draft', false),
      'You cannot send messages about a draft application. Submit your application first.',
    );
    assert.match(reason('jobseeker', 'withdrawn', false), /withdrawn/);
    assert.match(reason('jobseeker', 'not_progressing', false), /not progressing/);
  });

  test('every refusal is a full sentence followed by what the person can do next', () => {
    for (const status of applicationStatuses) {
      for (const actor of ['staff', 'jobseeker'] as const) {
        for (const conversationHasMessages of [false, true]) {
          const decision = decideSend({ actor, status, conversationHasMessages });
          if (decision.allowed) continue;
          const sentences = decision.reason.split(/(?<=\.) /);
          assert.ok(sentences.length >= 2, `${actor}, ${status}: "${decision.reason}" gives no next step`);
          for (const sentence of sentences) assert.match(sentence, /^[A-Z].*\.$/, `${actor}, ${status}: "${sentence}"`);
        }
      }
    }
  });

  test('no reason talks to the wrong person', () => {
    for (const status of applicationStatuses) {
      for (const conversationHasMessages of [false, true]) {
        const staff = decideSend({ actor: 'staff', status, conversationHasMessages });
        if (!staff.allowed) assert.doesNotMatch(staff.reason, /\byour application\b/);
        const jobseeker = decideSend({ actor: 'jobseeker', status, conversationHasMessages });
        if (!jobseeker.allowed) assert.doesNotMatch(jobseeker.reason, /\bthe applicant\b/);
      }
    }
  });

  test('decisions cannot be changed by a caller', () => {
    const decision = decideSend({ actor: 'staff', status: 'submitted', conversationHasMessages: false });
    assert.throws(() => {
      (decision as { allowed: boolean }).allowed = false;
    }, TypeError);
    assert.equal(decideSend({ actor: 'staff', status: 'submitted', conversationHasMessages: false }).allowed, true);
  });
});
