import type { Db, DbTransaction } from '../platform/db.ts';
import type { Clock } from '../platform/clock.ts';
import { vacancyIsOpen } from '../vacancies/rules.ts';
import {
  countApplicationsByStatus,
  findApplicationForJobseeker,
  findApplicationForStaff,
  findJobseekerApplicationForVacancy,
  findPublishedVacancyForApplying,
  insertApplication,
  insertStatusChange,
  listApplicationsForJobseeker,
  listApplicationsForVacancy,
  listApplicationsForStaffByIds,
  listStatusChanges,
  lockApplication,
  updateDraft,
  updateStatus,
  type ApplicationRecord,
} from './repository.ts';
import { submissionRequirements } from './schemas.ts';
import { canMove, statusLabel, type ApplicationStatus, type StatusActor } from './status.ts';

export interface ApplicationForm {
  candidateName: string;
  contactEmail: string;
  personalStatement: string;
}

export type StatusChangeResult =
  | { outcome: 'changed' }
  | { outcome: 'not-found' }
  | { outcome: 'stale'; currentStatus: ApplicationStatus; message: string }
  | { outcome: 'not-allowed'; message: string };

export interface StatusChangeInput {
  applicationId: string;
  actorUserId: string;
  actor: StatusActor;
  expectedStatus: ApplicationStatus;
  to: ApplicationStatus;
}

export type SaveApplicationResult =
  | { outcome: 'saved'; applicationId: string; submitted: boolean }
  | { outcome: 'not-found' }
  | { outcome: 'closed'; message: string }
  | { outcome: 'incomplete'; errors: { field: string; text: string }[] }
  | { outcome: 'already-submitted'; applicationId: string };

/** Hooks that other features (messaging, notifications) attach to status changes, inside the same transaction. */
export type StatusChangeListener = (
  transaction: DbTransaction,
  change: {
    applicationId: string;
    actorUserId: string;
    actor: StatusActor;
    from: ApplicationStatus;
    to: ApplicationStatus;
  },
) => Promise<void>;

export function createApplicationsService(deps: { db: Db; clock: Clock; onStatusChange?: StatusChangeListener[] }) {
  const { db, clock } = deps;
  const listeners = deps.onStatusChange ?? [];

  /**
   * Moves an application from the status the person was shown to a new one. Refused, changing nothing, if someone
   * else moved it first (stale) or the status machine does not allow the move for this actor.
   */
  async function changeStatus(input: StatusChangeInput): Promise<StatusChangeResult> {
    return db.transaction().execute(async (trx) => {
      const visible =
        input.actor === 'staff'
          ? await findApplicationForStaff(trx, input.applicationId, input.actorUserId)
          : await findApplicationForJobseeker(trx, input.applicationId, input.actorUserId);
      if (!visible) return { outcome: 'not-found' };
      return changeStatusInTransaction(trx, input);
    });
  }

  /**
   * The status change inside a caller's transaction (a bulk status change with a message): locks the application,
   * refuses a stale or disallowed move, writes the status and its timeline entry, and tells the listeners. The caller
   * has checked that the person may see the application.
   */
  async function changeStatusInTransaction(trx: DbTransaction, input: StatusChangeInput): Promise<StatusChangeResult> {
    const locked = await lockApplication(trx, input.applicationId);
    if (!locked) return { outcome: 'not-found' };
    const label = statusLabel;
    if (locked.status !== input.expectedStatus) {
      return {
        outcome: 'stale',
        currentStatus: locked.status,
        message: `The status was changed to ‘${label(locked.status)}’ while you were looking at it. Nothing was changed. Check the timeline and try again.`,
      };
    }
    if (!canMove(locked.status, input.to, input.actor)) {
      return {
        outcome: 'not-allowed',
        message: `An application that is ‘${label(locked.status)}’ cannot be moved to ‘${label(input.to)}’.`,
      };
    }
    await updateStatus(trx, input.applicationId, input.to);
    await insertStatusChange(trx, {
      applicationId: input.applicationId,
      actorUserId: input.actorUserId,
      from: locked.status,
      to: input.to,
    });
    for (const listener of listeners) {
      await listener(trx, {
        applicationId: input.applicationId,
        actorUserId: input.actorUserId,
        actor: input.actor,
        from: locked.status,
        to: input.to,
      });
    }
    return { outcome: 'changed' };
  }

  return {
    changeStatus,
    changeStatusInTransaction,

    /** The ticked applications of a vacancy that this member of staff may see (drafts never). */
    listForStaffByIds: (vacancyId: string, applicationIds: readonly string[], staffUserId: string) =>
      listApplicationsForStaffByIds(db, vacancyId, applicationIds, staffUserId),

    findForStaff: (applicationId: string, staffUserId: string): Promise<ApplicationRecord | undefined> =>
      findApplicationForStaff(db, applicationId, staffUserId),

    findForJobseeker: (applicationId: string, jobseekerId: string): Promise<ApplicationRecord | undefined> =>
      findApplicationForJobseeker(db, applicationId, jobseekerId),

    findForVacancy: (vacancyId: string, jobseekerId: string): Promise<ApplicationRecord | undefined> =>
      findJobseekerApplicationForVacancy(db, vacancyId, jobseekerId),

    listForJobseeker: (jobseekerId: string) => listApplicationsForJobseeker(db, jobseekerId),

    listForVacancy: (vacancyId: string, status: ApplicationStatus) => listApplicationsForVacancy(db, vacancyId, status),

    countByStatus: (vacancyId: string) => countApplicationsByStatus(db, vacancyId),

    timeline: (applicationId: string) => listStatusChanges(db, applicationId),

    /** Locks the application's row for the rest of another feature's transaction (a message send), and reads it. */
    lock: (transaction: DbTransaction, applicationId: string) => lockApplication(transaction, applicationId),

    /**
     * Saves the jobseeker's application for a vacancy: creates the draft if there is none, updates it, and submits it
     * when asked. Only drafts change; the vacancy must still be open.
     */
    async saveApplication(input: {
      vacancyId: string;
      jobseekerId: string;
      form: ApplicationForm;
      submit: boolean;
    }): Promise<SaveApplicationResult> {
      if (input.submit) {
        const complete = submissionRequirements.safeParse(input.form);
        if (!complete.success) {
          return {
            outcome: 'incomplete',
            errors: complete.error.issues.map((issue) => ({ field: String(issue.path[0] ?? ''), text: issue.message })),
          };
        }
      }
      return db.transaction().execute(async (trx) => {
        const vacancy = await findPublishedVacancyForApplying(trx, input.vacancyId);
        if (!vacancy) return { outcome: 'not-found' };
        if (!vacancyIsOpen(vacancy, clock.now())) {
          return { outcome: 'closed', message: 'This vacancy has closed. You can no longer apply for it.' };
        }
        await insertApplication(trx, { vacancyId: input.vacancyId, jobseekerId: input.jobseekerId, ...input.form });
        const application = await findJobseekerApplicationForVacancy(trx, input.vacancyId, input.jobseekerId);
        if (!application) return { outcome: 'not-found' };
        const locked = await lockApplication(trx, application.id);
        if (locked?.status !== 'draft') return { outcome: 'already-submitted', applicationId: application.id };
        await updateDraft(trx, application.id, input.form);
        if (input.submit) {
          await updateStatus(trx, application.id, 'submitted');
          await insertStatusChange(trx, {
            applicationId: application.id,
            actorUserId: input.jobseekerId,
            from: 'draft',
            to: 'submitted',
          });
        }
        return { outcome: 'saved', applicationId: application.id, submitted: input.submit };
      });
    },
  };
}

export type ApplicationsService = ReturnType<typeof createApplicationsService>;
