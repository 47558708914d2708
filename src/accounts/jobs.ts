import type { PgBoss, JobWithMetadata } from 'pg-boss';
import type { Logger } from 'pino';
import { queueDefinitions } from '../platform/queue.ts';
import type { AccountEmailJob, AccountLinksService } from './service.ts';

/** The accounts feature's queue handler, for worker processes: the emails carrying account links. */
export async function startAccountJobs(boss: PgBoss, links: AccountLinksService, logger: Logger): Promise<void> {
  await boss.work(
    queueDefinitions.accountEmail.name,
    { localConcurrency: 2, includeMetadata: true },
    async ([job]: JobWithMetadata<AccountEmailJob>[]) => {
      if (!job) return;
      const outcome = await links.sendAccountEmail(job.data, {
        id: job.id,
        retryCount: job.retryCount,
        retryLimit: job.retryLimit,
      });
      // Neither the address nor the link is logged.
      logger.info({ job: job.id, outcome }, 'account email');
    },
  );
}
