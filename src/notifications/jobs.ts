import type { PgBoss, JobResult, JobWithMetadata } from 'pg-boss';
import type { Logger } from 'pino';
import { queueDefinitions } from '../platform/queue.ts';
import type { NotificationsService } from './service.ts';

/** The notification queues' handlers and schedules, for worker processes. */
export async function startNotificationJobs(
  boss: PgBoss,
  notifications: NotificationsService,
  logger: Logger,
): Promise<void> {
  // The retry limit is the job's own (copied from the queue when the job was made), so "the last attempt" here is
  // the one pg-boss will not retry. One job per slot at a time, each job one email.
  const jobseeker = queueDefinitions.jobseekerMessageEmail;
  type JobseekerData = { applicationId: string };
  await boss.work(
    jobseeker.name,
    { localConcurrency: 4, includeMetadata: true },
    async ([job]: JobWithMetadata<JobseekerData>[]) => {
      if (!job) return;
      const outcome = await notifications.sendJobseekerEmail(job.data.applicationId, {
        id: job.id,
        retryCount: job.retryCount,
        retryLimit: job.retryLimit,
      });
      logger.info({ job: job.id, outcome }, 'jobseeker message email');
    },
  );

  // A daily run queues one job per recipient, thousands at once. Fetched one at a time, each worker would wait for
  // pg-boss's next poll (2 s) after every email: a few emails a second. So jobs come ten at a time and, while batches
  // come back full, the next batch is fetched at once. Each slot works its batch one email after another (claim,
  // send, record), so at most one email per slot is between the hand-over and the ledger's record when a worker
  // dies: the window in which a duplicate is possible (docs/decisions/0008-email-exactly-once.md). Each job still
  // succeeds or fails (and is retried) on its own.
  const daily = queueDefinitions.staffDailyEmail;
  type DailyData = { userId: string; runDate: string; cutoff: string };
  const dailyOptions = {
    localConcurrency: 4,
    batchSize: 10,
    burstWhenBatchFull: true,
    includeMetadata: true,
    perJobResults: true,
  } as const;
  await boss.work(daily.name, dailyOptions, async (jobs: JobWithMetadata<DailyData>[]) => {
    const results: JobResult[] = [];
    for (const job of jobs) {
      try {
        const outcome = await notifications.sendStaffDailyEmail(
          { userId: job.data.userId, runDate: job.data.runDate, cutoff: new Date(job.data.cutoff) },
          { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit },
        );
        logger.info({ job: job.id, outcome }, 'staff daily email');
        results.push({ id: job.id, status: 'completed' });
      } catch (error) {
        results.push({
          id: job.id,
          status: 'failed',
          output: { message: error instanceof Error ? error.message : String(error) },
        });
      }
    }
    return results;
  });

  // 07:00 UK time, summer and winter; the hourly check and the check at start-up catch a missed morning, once.
  const run = queueDefinitions.dailyEmailRun.name;
  await boss.schedule(run, '0 7 * * *', null, { tz: 'Europe/London', key: 'seven-am' });
  await boss.schedule(run, '5 * * * *', null, { tz: 'Europe/London', key: 'hourly-check' });
  await boss.work(run, async () => {
    await notifications.startDailyRunIfDue();
  });
  await notifications.startDailyRunIfDue();
}
