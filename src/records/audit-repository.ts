import type { DbExecutor } from '../platform/db.ts';
import type { AuditAction } from '../platform/database-schema.ts';

/** One line of the audit log: who did what to which records, when. Never content. */
export async function recordAuditEvent(
  db: DbExecutor,
  event: {
    actorUserId: string | null;
    organisationId: string | null;
    applicationId: string | null;
    action: AuditAction;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      actor_user_id: event.actorUserId,
      organisation_id: event.organisationId,
      application_id: event.applicationId,
      action: event.action,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}
