import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applicationStatuses,
  canMove,
  statusLabel,
  type ApplicationStatus,
  type StatusActor,
} from '../../src/applications/status.ts';

/** The table, written out by hand: who may move an application from each status to which. */
const expectedMoves: Record<ApplicationStatus, Record<StatusActor, ApplicationStatus[]>> = {
  draft: { staff: [], jobseeker: ['submitted'] },
  submitted: { staff: ['shortlisted', 'interviewing', 'offered', 'not_progressing'], jobseeker: ['withdrawn'] },
  shortlisted: { staff: ['interviewing', 'offered', 'not_progressing'], jobseeker: ['withdrawn'] },
  interviewing: { staff: ['offered', 'not_progressing'], jobseeker: ['withdrawn'] },
  offered: { staff: ['declined'], jobseeker: ['withdrawn'] },
  declined: { staff: [], jobseeker: [] },
  not_progressing: { staff: [], jobseeker: [] },
  withdrawn: { staff: [], jobseeker: [] },
};

/** One label per status, for both sides (staff once read "New" where the applicant read "Submitted"). */
const expectedLabels: Record<ApplicationStatus, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  shortlisted: 'Shortlisted',
  interviewing: 'Interviewing',
  offered: 'Job offered',
  declined: 'Job declined',
  not_progressing: 'Not progressing',
  withdrawn: 'Withdrawn',
};

describe('application status machine: every (status, target, actor)', () => {
  for (const from of applicationStatuses) {
    for (const to of applicationStatuses) {
      for (const actor of ['staff', 'jobseeker'] as const) {
        const allowed = expectedMoves[from][actor].includes(to);
        test(`${actor} ${allowed ? 'may' : 'may not'} move ${from} to ${to}`, () => {
          assert.equal(canMove(from, to, actor), allowed);
        });
      }
    }
  }
});

describe('status labels', () => {
  for (const status of applicationStatuses) {
    test(`${status} is shown as the table says`, () => {
      assert.equal(statusLabel(status), expectedLabels[status]);
    });
  }
});
