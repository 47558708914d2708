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
  // Jobs come ten at a time (fetched one at a time, each slot would wait for pg-boss's next poll, 2 s, after every
  // message: 1,000 due together would take minutes). Each message is sent in its own transaction; if one fails, the
  // batch is retried, and those already sent are found done.
  await boss.work(
    queueDefinitions.scheduledMessage.name,
    { localConcurrency: 2, batchSize: 10 },
    async (jobs: Job<Data>[]) => {
      let failure: Error | null = null;
      for (const job of jobs) {
        try {
          const outcome = await scheduled.sendScheduled(job.data.scheduledId);
          logger.info({ job: job.id, outcome }, 'scheduled message');
        } catch (error) {
          failure ??= error instanceof Error ? error : new Error(String(error));
        }
      }
      if (failure !== null) throw failure;
    },
  );
}
