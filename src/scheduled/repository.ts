import { sql } from 'kysely';
import type { DbExecutor } from '../platform/db.ts';
import type { ScheduledMessageState, StoredFileJson } from '../platform/database-schema.ts';

export interface ScheduledMessageRecord {
  id: string;
  applicationId: string;
  senderUserId: string;
  batchId: string | null;
  bodyHtml: string;
  sendAt: Date;
  state: ScheduledMessageState;
  attachments: StoredFileJson[];
  reason: string | null;
  messageId: string | null;
}

const columns = [
  'id',
  'application_id as applicationId',
  'sender_user_id as senderUserId',
  'batch_id as batchId',
  'body_html as bodyHtml',
  'send_at as sendAt',
  'state',
  'attachments',
  'reason',
  'message_id as messageId',
] as const;

export async function insertScheduledMessage(
  db: DbExecutor,
  message: {
    applicationId: string;
    senderUserId: string;
    batchId: string | null;
    bodyHtml: string;
    sendAt: Date;
    attachments: StoredFileJson[];
    formKey: string;
  },
): Promise<string | undefined> {
  const row = await db
    .insertInto('scheduled_messages')
    .values({
      application_id: message.applicationId,
      sender_user_id: message.senderUserId,
      batch_id: message.batchId,
      body_html: message.bodyHtml,
      send_at: message.sendAt,
      attachments: JSON.stringify(message.attachments),
      form_key: message.formKey,
    })
    .onConflict((c) => c.columns(['sender_user_id', 'form_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function findScheduledByFormKey(
  db: DbExecutor,
  senderUserId: string,
  formKey: string,
): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('scheduled_messages')
    .select('id')
    .where('sender_user_id', '=', senderUserId)
    .where('form_key', '=', formKey)
    .executeTakeFirst();
}

/** A scheduled message of this sender's, whatever its state. */
export async function findScheduledForSender(
  db: DbExecutor,
  scheduledId: string,
  senderUserId: string,
): Promise<ScheduledMessageRecord | undefined> {
  return db
    .selectFrom('scheduled_messages')
    .select(columns)
    .where('id', '=', scheduledId)
    .where('sender_user_id', '=', senderUserId)
    .executeTakeFirst();
}

/** The sender's messages about an application still waiting to go, soonest first. */
export async function listWaitingForApplication(
  db: DbExecutor,
  applicationId: string,
  senderUserId: string,
): Promise<ScheduledMessageRecord[]> {
  return db
    .selectFrom('scheduled_messages')
    .select(columns)
    .where('application_id', '=', applicationId)
    .where('sender_user_id', '=', senderUserId)
    .where('state', '=', 'scheduled')
    .orderBy('send_at')
    .orderBy('id')
    .execute();
}

/** Changes a message still waiting to go; false once it has gone or was cancelled. */
export async function updateWaiting(
  db: DbExecutor,
  scheduledId: string,
  senderUserId: string,
  change: { bodyHtml: string; sendAt: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('scheduled_messages')
    .set({ body_html: change.bodyHtml, send_at: change.sendAt, updated_at: sql<Date>`now()` })
    .where('id', '=', scheduledId)
    .where('sender_user_id', '=', senderUserId)
    .where('state', '=', 'scheduled')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Cancels a message still waiting to go; its files, unless false (it has gone, or was cancelled already). */
export async function cancelWaiting(
  db: DbExecutor,
  scheduledId: string,
  senderUserId: string,
): Promise<{ attachments: StoredFileJson[]; batchId: string | null } | undefined> {
  return db
    .updateTable('scheduled_messages')
    .set({ state: 'cancelled', updated_at: sql<Date>`now()` })
    .where('id', '=', scheduledId)
    .where('sender_user_id', '=', senderUserId)
    .where('state', '=', 'scheduled')
    .returning(['attachments', 'batch_id as batchId'])
    .executeTakeFirst();
}

/** The message, locked for the rest of the transaction: the one place a worker claims it. */
export async function lockScheduled(db: DbExecutor, scheduledId: string): Promise<ScheduledMessageRecord | undefined> {
  return db
    .selectFrom('scheduled_messages')
    .select(columns)
    .where('id', '=', scheduledId)
    .forUpdate()
    .executeTakeFirst();
}

export async function recordScheduledOutcome(
  db: DbExecutor,
  scheduledId: string,
  outcome: { state: 'sent' | 'not_sent'; reason: string | null; messageId: string | null },
): Promise<void> {
  await db
    .updateTable('scheduled_messages')
    .set({
      state: outcome.state,
      reason: outcome.reason,
      message_id: outcome.messageId,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', scheduledId)
    .execute();
}

export async function findSender(
  db: DbExecutor,
  userId: string,
): Promise<{ id: string; kind: 'staff' | 'jobseeker'; fullName: string } | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'kind', 'full_name as fullName'])
    .where('id', '=', userId)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
}
