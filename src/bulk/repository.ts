import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import type {
  ApplicationStatus,
  BulkBatchState,
  BulkRecipientOutcome,
  StoredFileJson,
} from '../platform/database-schema.ts';

export interface BatchRecord {
  id: string;
  vacancyId: string;
  vacancyTitle: string;
  schoolName: string;
  senderUserId: string;
  fromStatus: ApplicationStatus;
  state: BulkBatchState;
  bodyHtml: string | null;
  templateId: string | null;
  templateName: string | null;
  toStatus: ApplicationStatus | null;
  sendAt: Date | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface RecipientRecord {
  applicationId: string;
  candidateName: string;
  status: ApplicationStatus;
  position: number;
  outcome: BulkRecipientOutcome;
  reason: string | null;
  messageId: string | null;
}

export async function insertBatch(
  db: DbExecutor,
  batch: { vacancyId: string; senderUserId: string; fromStatus: ApplicationStatus; applicationIds: readonly string[] },
): Promise<string> {
  const row = await db
    .insertInto('bulk_batches')
    .values({ vacancy_id: batch.vacancyId, sender_user_id: batch.senderUserId, from_status: batch.fromStatus })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('bulk_recipients')
    .values(
      batch.applicationIds.map((applicationId, index) => ({
        batch_id: row.id,
        application_id: applicationId,
        position: index,
      })),
    )
    .execute();
  return row.id;
}

/** A batch of this sender's. */
export async function findBatchForSender(
  db: DbExecutor,
  batchId: string,
  senderUserId: string,
): Promise<BatchRecord | undefined> {
  const row = await db
    .selectFrom('bulk_batches as b')
    .innerJoin('vacancies as v', 'v.id', 'b.vacancy_id')
    .innerJoin('organisations as o', 'o.id', 'v.school_id')
    .select([
      'b.id',
      'b.vacancy_id as vacancyId',
      'v.title as vacancyTitle',
      'o.name as schoolName',
      'b.sender_user_id as senderUserId',
      'b.from_status as fromStatus',
      'b.state',
      'b.body_html as bodyHtml',
      'b.template_id as templateId',
      'b.template_name as templateName',
      'b.to_status as toStatus',
      'b.send_at as sendAt',
      'b.created_at as createdAt',
      'b.finished_at as finishedAt',
    ])
    .where('b.id', '=', batchId)
    .where('b.sender_user_id', '=', senderUserId)
    .executeTakeFirst();
  return row;
}

export async function listRecipients(db: DbExecutor, batchId: string): Promise<RecipientRecord[]> {
  return db
    .selectFrom('bulk_recipients as r')
    .innerJoin('applications as a', 'a.id', 'r.application_id')
    .select([
      'r.application_id as applicationId',
      'a.candidate_name as candidateName',
      'a.status',
      'r.position',
      'r.outcome',
      'r.reason',
      'r.message_id as messageId',
    ])
    .where('r.batch_id', '=', batchId)
    .orderBy('r.position')
    .execute();
}

/** Saves what was composed, while the batch has not started sending; false once it has. */
export async function saveComposition(
  db: DbExecutor,
  batchId: string,
  composition: {
    bodyHtml: string;
    templateId: string | null;
    templateName: string | null;
    toStatus: ApplicationStatus | null;
    sendAt: Date | null;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('bulk_batches')
    .set({
      body_html: composition.bodyHtml,
      template_id: composition.templateId,
      template_name: composition.templateName,
      to_status: composition.toStatus,
      send_at: composition.sendAt,
    })
    .where('id', '=', batchId)
    .where('state', '=', 'draft')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function listBatchAttachments(db: DbExecutor, batchId: string): Promise<StoredFileJson[]> {
  return db
    .selectFrom('bulk_attachments')
    .select([
      'storage_key as storageKey',
      'file_name as fileName',
      'content_type as contentType',
      'size_bytes as sizeBytes',
      'scan_result as scanResult',
    ])
    .where('batch_id', '=', batchId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Replaces the batch's files; returns the storage keys of those it had. */
export async function replaceBatchAttachments(
  db: DbExecutor,
  batchId: string,
  files: StoredFileJson[],
): Promise<string[]> {
  const removed = await db
    .deleteFrom('bulk_attachments')
    .where('batch_id', '=', batchId)
    .returning('storage_key')
    .execute();
  if (files.length > 0) {
    await db
      .insertInto('bulk_attachments')
      .values(
        files.map((file) => ({
          batch_id: batchId,
          storage_key: file.storageKey,
          file_name: file.fileName,
          content_type: file.contentType,
          size_bytes: file.sizeBytes,
          scan_result: file.scanResult,
        })),
      )
      .execute();
  }
  return removed.map((row) => row.storage_key);
}

/** Marks a composed batch as sending (a no-op once it is); false while it has nothing to send. */
export async function startSending(db: DbExecutor, batchId: string): Promise<boolean> {
  const row = await db
    .updateTable('bulk_batches')
    .set({ state: sql<BulkBatchState>`case when state = 'draft' then 'sending' else state end` })
    .where('id', '=', batchId)
    .where('body_html', 'is not', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function finishBatch(db: DbExecutor, batchId: string): Promise<void> {
  await db
    .updateTable('bulk_batches')
    .set({ state: 'done', finished_at: sql<Date>`coalesce(finished_at, now())` })
    .where('id', '=', batchId)
    .execute();
}

/** The recipient's row, locked: whoever holds it decides this recipient's message, once. */
export async function lockRecipient(
  db: DbExecutor,
  batchId: string,
  applicationId: string,
): Promise<{ outcome: BulkRecipientOutcome } | undefined> {
  return db
    .selectFrom('bulk_recipients')
    .select('outcome')
    .where('batch_id', '=', batchId)
    .where('application_id', '=', applicationId)
    .forUpdate()
    .executeTakeFirst();
}

export async function recordRecipientOutcome(
  db: DbExecutor,
  batchId: string,
  applicationId: string,
  outcome: { outcome: Exclude<BulkRecipientOutcome, 'pending'>; reason: string | null; messageId: string | null },
): Promise<void> {
  await db
    .updateTable('bulk_recipients')
    .set({ outcome: outcome.outcome, reason: outcome.reason, message_id: outcome.messageId })
    .where('batch_id', '=', batchId)
    .where('application_id', '=', applicationId)
    .execute();
}
