import type { Container } from './container.ts';
import { deleteExpiredSessions } from './web/session-store.ts';
import { deleteOldSignInAttempts } from './accounts/repository.ts';
import { queueDefinitions } from './platform/queue.ts';
import { startNotificationJobs } from './notifications/jobs.ts';
import { startReplyJobs } from './replies/jobs.ts';
import { startAccountJobs } from './accounts/jobs.ts';
import { startScheduledJobs } from './scheduled/jobs.ts';
import { startRecordJobs } from './records/jobs.ts';

/**
 * The background worker: queue handlers and schedules. Any number of workers may run at once;
 * pg-boss hands each job to one of them.
 */
export async function startWorker(container: Container): Promise<void> {
  const boss = await container.queue.start();
  const housekeeping = queueDefinitions.housekeeping.name;
  await boss.schedule(housekeeping, '17 * * * *', null, { tz: 'Europe/London' });
  await boss.work(housekeeping, async () => {
    const sessions = await deleteExpiredSessions(container.db);
    await deleteOldSignInAttempts(container.db, 24 * 60);
    container.logger.info({ expiredSessions: sessions }, 'housekeeping done');
  });
  await startNotificationJobs(boss, container.notifications, container.logger);
  await startReplyJobs(boss, container.replies, container.logger);
  await startAccountJobs(boss, container.accountLinks, container.logger);
  await startScheduledJobs(boss, container.scheduled, container.logger);
  await startRecordJobs(boss, container.records.retention, container.logger);
}
