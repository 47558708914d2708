import type { PgBoss, JobWithMetadata } from 'pg-boss';
import type { Logger } from 'pino';
import { queueDefinitions } from '../platform/queue.ts';
import type { RefusalJob, RepliesService } from './service.ts';

/** The replies feature's queue handlers, for worker processes: staff emails per message, answers to refused replies. */
export async function startReplyJobs(boss: PgBoss, replies: RepliesService, logger: Logger): Promise<void> {
  type StaffMessageData = { userId: string; messageId: string };
  await boss.work(
    queueDefinitions.staffMessageEmail.name,
    { localConcurrency: 4, includeMetadata: true },
    async ([job]: JobWithMetadata<StaffMessageData>[]) => {
      if (!job) return;
      const outcome = await replies.sendStaffMessageEmail(job.data, {
        id: job.id,
        retryCount: job.retryCount,
        retryLimit: job.retryLimit,
      });
      logger.info({ job: job.id, outcome }, 'staff message email');
    },
  );
  await boss.work(
    queueDefinitions.replyRefusedEmail.name,
    { localConcurrency: 2, includeMetadata: true },
    async ([job]: JobWithMetadata<RefusalJob>[]) => {
      if (!job) return;
      const outcome = await replies.sendRefusal(job.data, {
        id: job.id,
        retryCount: job.retryCount,
        retryLimit: job.retryLimit,
      });
      logger.info({ job: job.id, outcome }, 'refused reply answered');
    },
  );
}
