import type { Logger } from 'pino';
import type { SignedInUser } from '../web/signed-in-user.ts';
import { formatDate, ukDateString } from '../web/format.ts';
import type { ApplicationRecord } from '../applications/repository.ts';
import type { ApplicationsService } from '../applications/service.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db, DbTransaction } from '../platform/db.ts';
import type { FileStorage } from '../platform/storage.ts';
import { recordAuditEvent } from './audit-repository.ts';
import {
  addToDeletionRecord,
  completePendingFile,
  countContent,
  deleteApplicationRows,
  deleteHold,
  findApplicationRetention,
  findRetentionPeriods,
  insertHold,
  listDeletionRecords,
  listDueWarnings,
  listPendingFiles,
  listSchoolsWithRetention,
  lockExpiredBatch,
  recordPendingFiles,
  recordWarning,
  saveRetentionPeriods,
} from './retention-repository.ts';
import {
  defaultRetention,
  parseHoldReason,
  parseRetentionForm,
  retentionMonths,
  warningDays,
  wasOffered,
  type RetentionFormResult,
} from './rules.ts';
import { recordUrls } from './urls.ts';

/** Tells the staff who hear about an application (its watchers) something in service, inside the transaction. */
export type StaffNotifier = (
  transaction: DbTransaction,
  notice: { applicationId: string; text: string; link: string },
) => Promise<void>;

/** Test-only: called at points of the daily run, to stop it there as a crash would. */
export type RetentionCheckpoint = (point: 'after-batch-committed' | 'after-file-deleted') => Promise<void>;

export interface RetentionRunResult {
  runDate: string;
  applications: number;
  messages: number;
  notes: number;
  attachments: number;
  files: number;
  warned: number;
}

export type HoldResult =
  { outcome: 'placed' | 'removed' | 'unchanged' } | { outcome: 'not-found' } | { outcome: 'invalid'; error: string };

export function createRetentionService(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  storage: FileStorage;
  applications: ApplicationsService;
  notifyStaff: StaffNotifier;
  batchSize?: number;
  checkpoint?: RetentionCheckpoint;
}) {
  const { db, clock, logger, storage, applications } = deps;
  const batchSize = deps.batchSize ?? 200;
  const checkpoint = deps.checkpoint ?? (() => Promise.resolve());

  /** Deletes the stored files whose rows are gone (an earlier batch or an earlier, interrupted run). */
  async function deletePendingFiles(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const files = await listPendingFiles(db, 100);
      if (files.length === 0) return deleted;
      for (const file of files) {
        await storage.delete(file.storageKey); // deleting a missing file is not an error: safe to repeat
        await checkpoint('after-file-deleted');
        await db.transaction().execute((trx) => completePendingFile(trx, file));
        deleted += 1;
      }
    }
  }

  async function sendWarnings(today: string): Promise<number> {
    let warned = 0;
    for (;;) {
      const sent = await db.transaction().execute(async (trx) => {
        const due = await listDueWarnings(trx, today, warningDays, 100);
        let count = 0;
        for (const application of due) {
          if (!(await recordWarning(trx, application.applicationId, application.deletesOn))) continue;
          await deps.notifyStaff(trx, {
            applicationId: application.applicationId,
            text: `${application.candidateName}’s application for ${application.vacancyTitle} will be deleted on ${formatDate(application.deletesOn)}`,
            link: `/staff/applications/${application.applicationId}#retention`,
          });
          count += 1;
        }
        return { count, more: due.length === 100 };
      });
      warned += sent.count;
      if (!sent.more) return warned;
    }
  }

  return {
    /**
     * The daily run: finishes the files an interrupted run left, tells staff what goes in a week, then deletes what
     * has expired in batches. Each batch is one transaction: the files to delete are recorded, the rows deleted and
     * the day's deletion record counted together; the files go after it commits. Safe to run again at any point.
     */
    async runRetention(): Promise<RetentionRunResult> {
      const runDate = ukDateString(clock.now());
      const result: RetentionRunResult = {
        runDate,
        applications: 0,
        messages: 0,
        notes: 0,
        attachments: 0,
        files: 0,
        warned: 0,
      };
      result.files += await deletePendingFiles();
      result.warned = await sendWarnings(runDate);
      for (;;) {
        const deleted = await db.transaction().execute(async (trx) => {
          const batch = await lockExpiredBatch(trx, runDate, batchSize);
          if (batch.length === 0) return null;
          const ids = batch.map((row) => row.applicationId);
          const counts = await countContent(trx, ids);
          await recordPendingFiles(trx, ids, runDate);
          await deleteApplicationRows(trx, ids);
          for (const [schoolId, schoolCounts] of counts) {
            await addToDeletionRecord(trx, runDate, schoolId, schoolCounts);
          }
          return [...counts.values()];
        });
        if (!deleted) break;
        for (const counts of deleted) {
          result.applications += counts.applications;
          result.messages += counts.messages;
          result.notes += counts.notes;
          result.attachments += counts.attachments;
        }
        await checkpoint('after-batch-committed');
        result.files += await deletePendingFiles();
      }
      logger.info({ ...result }, 'retention run done');
      return result;
    },

    /** The retention part of the staff application page. */
    async applicationRetention(application: ApplicationRecord) {
      const facts = await findApplicationRetention(db, application.id);
      const months = retentionMonths(application.status, facts?.periods ?? defaultRetention);
      return {
        hold: facts?.hold ?? null,
        deletesOn: facts?.deletesOn ?? null,
        months,
        ruleText: `${months} months after the vacancy’s closing date${facts ? `, ${formatDate(facts.closingDate)}` : ''}, for applicants who were ${wasOffered(application.status) ? '' : 'not '}offered the job`,
        holdAction: recordUrls.hold(application.id),
        settingsUrl: recordUrls.retentionSettings(),
      };
    },

    /** Places or removes the hold on an application this member of staff can see. */
    async setHold(
      viewer: SignedInUser,
      applicationId: string,
      input: { hold: 'place' | 'remove'; reason: unknown },
    ): Promise<HoldResult> {
      if (viewer.kind !== 'staff') return { outcome: 'not-found' };
      const application = await applications.findForStaff(applicationId, viewer.id);
      if (!application) return { outcome: 'not-found' };
      if (input.hold === 'place') {
        const parsed = parseHoldReason(input.reason);
        if (!parsed.ok) return { outcome: 'invalid', error: parsed.error };
        return db.transaction().execute(async (trx): Promise<HoldResult> => {
          if (!(await insertHold(trx, { applicationId, reason: parsed.reason, placedBy: viewer.id })))
            return { outcome: 'unchanged' };
          await recordAuditEvent(trx, {
            actorUserId: viewer.id,
            organisationId: application.schoolId,
            applicationId,
            action: 'retention_hold_placed',
            details: { reason: parsed.reason },
          });
          return { outcome: 'placed' };
        });
      }
      return db.transaction().execute(async (trx): Promise<HoldResult> => {
        const reason = await deleteHold(trx, applicationId);
        if (reason === undefined) return { outcome: 'unchanged' };
        await recordAuditEvent(trx, {
          actorUserId: viewer.id,
          organisationId: application.schoolId,
          applicationId,
          action: 'retention_hold_removed',
          details: { reason },
        });
        return { outcome: 'removed' };
      });
    },

    /** The settings page: each school the member of staff can see, with its periods and its deletion records. */
    async settingsPage(viewer: SignedInUser) {
      const schools = await listSchoolsWithRetention(db, viewer.id);
      const records = await listDeletionRecords(
        db,
        schools.map((s) => s.id),
      );
      return schools.map((school) => ({
        id: school.id,
        name: school.name,
        monthsNotOffered: school.monthsNotOffered ?? defaultRetention.monthsNotOffered,
        monthsOffered: school.monthsOffered ?? defaultRetention.monthsOffered,
        isDefault: school.monthsNotOffered === null,
        url: recordUrls.retentionSettingsFor(school.id),
        deletions: records.filter((r) => r.organisation_id === school.id),
      }));
    },

    async schoolSettings(viewer: SignedInUser, organisationId: string) {
      const schools = await listSchoolsWithRetention(db, viewer.id);
      const school = schools.find((s) => s.id === organisationId);
      if (!school) return undefined;
      return {
        id: school.id,
        name: school.name,
        monthsNotOffered: school.monthsNotOffered ?? defaultRetention.monthsNotOffered,
        monthsOffered: school.monthsOffered ?? defaultRetention.monthsOffered,
      };
    },

    async saveSettings(
      viewer: SignedInUser,
      organisationId: string,
      form: { monthsNotOffered: unknown; monthsOffered: unknown },
    ): Promise<RetentionFormResult | undefined> {
      const schools = await listSchoolsWithRetention(db, viewer.id);
      if (!schools.some((s) => s.id === organisationId)) return undefined;
      const parsed = parseRetentionForm(form);
      if (!parsed.ok) return parsed;
      await db.transaction().execute(async (trx) => {
        const before = await findRetentionPeriods(trx, organisationId);
        await saveRetentionPeriods(trx, organisationId, parsed.periods, viewer.id);
        await recordAuditEvent(trx, {
          actorUserId: viewer.id,
          organisationId,
          applicationId: null,
          action: 'retention_settings_changed',
          details: { before, after: parsed.periods },
        });
      });
      return parsed;
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
