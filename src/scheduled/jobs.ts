import type { Logger } from 'pino';
import type { Job, PgBoss } from 'pg-boss';
import { queueDefinitions } from '../platform/queue.ts';
import type { ScheduledMessagesService } from './service.ts';

/**
 * Sends each message at its time. A job fetched by two workers (pg-boss hands it to one; a retry after a worker died
 * may overlap) or queued twice (the time was edited) is harmless: the send claims the message under a row lock.
 */
export async function startScheduledJobs(
  boss: PgBoss,
  scheduled: ScheduledMessagesService,
  logger: Logger,
): Promise<void> {
  type Data = { scheduledId: string };
  await boss.work(
    queueDefinitions.scheduledMessage.name,
    { localConcurrency: 4, batchSize: 1 },
    async ([job]: Job<Data>[]) => {
      if (!job) return;
      const outcome = await scheduled.sendScheduled(job.data.scheduledId);
      logger.info({ job: job.id, outcome }, 'scheduled message');
    },
  );
}
