import { PassThrough } from 'node:stream';
import yazl from 'yazl';
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { ApplicationsService } from '../applications/service.ts';
import { canWithdraw } from '../applications/status.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db.ts';
import type { FileStorage } from '../platform/storage.ts';
import { recordAuditEvent } from './audit-repository.ts';
import { anonymiseJobseeker, listDraftApplicationIds, loadJobseekerData } from './data-rights-repository.ts';
import type { ExportService } from './export-service.ts';
import { deleteApplicationRows } from './retention-repository.ts';

/** A name safe in a zip: letters, digits, spaces and a few marks. */
function safeName(text: string): string {
  return (
    text
      .replace(/[^\p{L}\p{N} ._-]+/gu, '-')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 80) || 'file'
  );
}

function zipToBuffer(entries: { name: string; data: Buffer }[], mtime: Date): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addBuffer(entry.data, entry.name, { mtime });
  zip.end();
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  zip.outputStream.pipe(sink);
  return new Promise((resolve, reject) => {
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    sink.on('end', () => resolve(Buffer.concat(chunks)));
    sink.on('error', reject);
    zip.outputStream.on('error', reject);
  });
}

/** The jobseeker's own data: everything as a zip, and deleting the account. */
export function createDataRightsService(deps: {
  db: Db;
  clock: Clock;
  storage: FileStorage;
  applications: ApplicationsService;
  exports: ExportService;
}) {
  const { db, clock, storage, applications, exports } = deps;

  return {
    /**
     * A zip of JSON files (account, applications with their history, messages, notifications), the PDF of each
     * conversation and the files attached to messages. undefined for anyone but a jobseeker.
     */
    async download(viewer: SignedInUser): Promise<{ fileName: string; zip: Buffer } | undefined> {
      if (viewer.kind !== 'jobseeker') return undefined;
      const data = await loadJobseekerData(db, viewer.id);
      if (!data) return undefined;
      const now = clock.now();
      const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
      const entries: { name: string; data: Buffer }[] = [
        {
          name: 'README.txt',
          data: Buffer.from(
            [
              `Everything Parley holds about ${data.account.fullName}, downloaded on ${now.toISOString()}.`,
              '',
              'account.json        your account',
              'applications.json   your applications, with the history of their status',
              'messages.json       every message in your conversations with schools',
              'notifications.json  the notifications Parley showed you',
              'conversations/      each conversation as a PDF',
              'attachments/        the files attached to messages',
              '',
            ].join('\n'),
          ),
        },
        { name: 'account.json', data: json(data.account) },
        {
          name: 'applications.json',
          data: json(
            data.applications.map((application) => ({
              ...application,
              history: data.history.filter((h) => h.applicationId === application.id),
            })),
          ),
        },
        {
          name: 'messages.json',
          data: json(
            data.messages.map((m) => ({
              ...m,
              attachments: m.attachments.map((a) => ({ fileName: a.fileName, sizeBytes: a.sizeBytes })),
            })),
          ),
        },
        { name: 'notifications.json', data: json(data.notifications) },
      ];
      for (const [index, row] of data.applications.entries()) {
        if (!data.messages.some((m) => m.applicationId === row.id)) continue;
        const application = await applications.findForJobseeker(row.id, viewer.id);
        if (!application) continue;
        const prefix = `${String(index + 1).padStart(2, '0')} ${safeName(`${row.schoolName} - ${row.vacancyTitle}`)}`;
        entries.push({
          name: `conversations/${prefix}.pdf`,
          data: await exports.renderFor(viewer, application, false),
        });
      }
      let fileNumber = 0;
      for (const message of data.messages) {
        for (const attachment of message.attachments) {
          const stored = await storage.get(attachment.storageKey);
          if (!stored) continue;
          fileNumber += 1;
          entries.push({
            name: `attachments/${String(fileNumber).padStart(3, '0')} ${safeName(attachment.fileName)}`,
            data: stored,
          });
        }
      }
      const zip = await zipToBuffer(entries, now);
      await recordAuditEvent(db, {
        actorUserId: viewer.id,
        organisationId: null,
        applicationId: null,
        action: 'personal_data_downloaded',
        details: { applications: data.applications.length, messages: data.messages.length },
      });
      return { fileName: `Parley data ${now.toISOString().slice(0, 10)}.zip`, zip };
    },

    /**
     * Deletes the account: open applications are withdrawn (the schools see that, as if the applicant had withdrawn),
     * drafts deleted, contact details removed and the account closed. Each step can be repeated: a second request
     * after a failure finishes the job.
     */
    async deleteAccount(viewer: SignedInUser): Promise<{ withdrawn: number; draftsDeleted: number } | undefined> {
      if (viewer.kind !== 'jobseeker') return undefined;
      let withdrawn = 0;
      for (const application of await applications.listForJobseeker(viewer.id)) {
        if (application.status === 'draft' || !canWithdraw(application.status)) continue;
        const result = await applications.changeStatus({
          applicationId: application.id,
          actorUserId: viewer.id,
          actor: 'jobseeker',
          expectedStatus: application.status,
          to: 'withdrawn',
        });
        if (result.outcome === 'changed') withdrawn += 1;
      }
      return db.transaction().execute(async (trx) => {
        const drafts = await listDraftApplicationIds(trx, viewer.id);
        if (drafts.length > 0) await deleteApplicationRows(trx, drafts);
        await anonymiseJobseeker(trx, viewer.id);
        await recordAuditEvent(trx, {
          actorUserId: viewer.id,
          organisationId: null,
          applicationId: null,
          action: 'account_deleted',
          details: { withdrawn, draftsDeleted: drafts.length },
        });
        return { withdrawn, draftsDeleted: drafts.length };
      });
    },
  };
}

export type DataRightsService = ReturnType<typeof createDataRightsService>;
