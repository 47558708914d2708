import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { queueDefinitions } from '../platform/queue.ts';
import type { RetentionService } from './retention-service.ts';

/**
 * The retention run at 02:30 UK time, summer and winter. The queue is a singleton (one run at a time); a run cut
 * short (its worker died) is retried and carries on where it stopped.
 */
export async function startRecordJobs(boss: PgBoss, retention: RetentionService, logger: Logger): Promise<void> {
  const run = queueDefinitions.retentionRun.name;
  await boss.schedule(run, '30 2 * * *', null, { tz: 'Europe/London', key: 'daily' });
  await boss.work(run, async () => {
    const result = await retention.runRetention();
    logger.info({ ...result }, 'retention run');
  });
}
