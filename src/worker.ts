import type { PgBoss } from 'pg-boss';
import type { Container } from './container.ts';
import { deleteExpiredSessions } from './web/session-store.ts';
import { deleteOldSignInAttempts } from './accounts/repository.ts';

export const housekeepingQueue = 'housekeeping';

/**
 * The background worker: queue handlers and schedules. Any number of workers may run at once;
 * pg-boss hands each job to one of them.
 */
export async function startWorker(container: Container, boss: PgBoss): Promise<void> {
  await boss.createQueue(housekeepingQueue);
  await boss.schedule(housekeepingQueue, '17 * * * *', null, { tz: 'Europe/London' });
  await boss.work(housekeepingQueue, async () => {
    const sessions = await deleteExpiredSessions(container.db);
    await deleteOldSignInAttempts(container.db, 24 * 60);
    container.logger.info({ expiredSessions: sessions }, 'housekeeping done');
  });
}
