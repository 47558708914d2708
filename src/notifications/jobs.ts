import type { PgBoss, JobWithMetadata } from 'pg-boss';
import type { Logger } from 'pino';
import { queueDefinitions } from '../platform/queue.ts';
import type { NotificationsService } from './service.ts';

/** The notification queues' handlers and schedules, for worker processes. */
export async function startNotificationJobs(boss: PgBoss, notifications: NotificationsService, logger: Logger): Promise<void> {
  // The retry limit is the job's own (copied from the queue when the job was made), so "the last attempt" here is
  // the one pg-boss will not retry.
  const jobseeker = queueDefinitions.jobseekerMessageEmail;
  type JobseekerData = { applicationId: string };
  await boss.work(jobseeker.name, { localConcurrency: 4, includeMetadata: true }, async ([job]: JobWithMetadata<JobseekerData>[]) => {
    if (!job) return;
    const outcome = await notifications.sendJobseekerEmail(job.data.applicationId, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
    logger.info({ job: job.id, outcome }, 'jobseeker message email');
  });

  const daily = queueDefinitions.staffDailyEmail;
  type DailyData = { userId: string; runDate: string; cutoff: string };
  await boss.work(daily.name, { localConcurrency: 8, includeMetadata: true }, async ([job]: JobWithMetadata<DailyData>[]) => {
    if (!job) return;
    const outcome = await notifications.sendStaffDailyEmail(
      { userId: job.data.userId, runDate: job.data.runDate, cutoff: new Date(job.data.cutoff) },
      { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit },
    );
    logger.info({ job: job.id, outcome }, 'staff daily email');
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
