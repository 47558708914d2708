import { CompiledQuery } from 'kysely';
import { PgBoss, type Queue, type SendOptions } from 'pg-boss';
import type { Logger } from 'pino';
import type { DbTransaction } from './db.ts';

/** The queues Parley uses, with their retry and delivery rules. */
export const queueDefinitions = {
  housekeeping: { name: 'housekeeping', policy: 'singleton' },
  jobseekerMessageEmail: {
    name: 'jobseeker-message-email',
    policy: 'stately',
    retryLimit: 6,
    retryBackoff: true,
    heartbeatSeconds: 10,
  },
  dailyEmailRun: { name: 'daily-email-run', policy: 'singleton' },
  staffDailyEmail: {
    name: 'staff-daily-email',
    policy: 'standard',
    retryLimit: 6,
    retryBackoff: true,
    heartbeatSeconds: 10,
  },
  // Replies by email (src/replies): a staff member's email per new message, and the answer to a refused reply.
  staffMessageEmail: {
    name: 'staff-message-email',
    policy: 'standard',
    retryLimit: 6,
    retryBackoff: true,
    heartbeatSeconds: 10,
  },
  replyRefusedEmail: {
    name: 'reply-refused-email',
    policy: 'standard',
    retryLimit: 6,
    retryBackoff: true,
    heartbeatSeconds: 10,
  },
  // Account links (src/accounts): confirm an email address, reset a password, an invitation.
  accountEmail: {
    name: 'account-email',
    policy: 'standard',
    retryLimit: 6,
    retryBackoff: true,
    heartbeatSeconds: 10,
  },
  // Messages sent later (src/scheduled): one job per scheduled message, due at its time.
  scheduledMessage: {
    name: 'scheduled-message',
    policy: 'standard',
    retryLimit: 6,
    retryBackoff: true,
    heartbeatSeconds: 10,
  },
  // Retention (src/records): the daily deletion run, one at a time.
  retentionRun: { name: 'retention-run', policy: 'singleton', retryLimit: 3, retryBackoff: true, heartbeatSeconds: 30 },
} as const satisfies Record<string, Queue>;

export type QueueName = (typeof queueDefinitions)[keyof typeof queueDefinitions]['name'];

export interface JobQueue {
  boss: PgBoss;
  /** Starts the client (once; later calls wait for the first) and makes sure every queue exists. */
  start(): Promise<PgBoss>;
  stop(): Promise<void>;
  /** Enqueues a job inside the caller's database transaction: it exists if and only if the transaction commits. */
  sendInTransaction(
    transaction: DbTransaction,
    name: QueueName,
    data: object,
    options?: SendOptions,
  ): Promise<string | null>;
  /** Enqueues many jobs at once (one statement per thousand) inside the caller's transaction, with the queue's rules. */
  insertInTransaction(
    transaction: DbTransaction,
    name: QueueName,
    jobs: { data: object; singletonKey?: string }[],
  ): Promise<void>;
}

/** pg-boss's statements, run on the caller's transaction. */
function inTransaction(transaction: DbTransaction) {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const result = await transaction.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows };
    },
  };
}

/**
 * pg-boss in the same database. Web processes only send (inside their transactions); worker processes also work
 * the queues and keep the schedules.
 */
export function createJobQueue(options: {
  connectionString: string;
  logger: Logger;
  schedule: boolean;
  retryDelaySeconds: number;
}): JobQueue {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    max: 4,
    schedule: options.schedule,
    application_name: 'parley-queue',
    // Look for jobs whose worker stopped sending heartbeats (it died) every 10 s rather than every minute, so another
    // worker takes them over soon.
    superviseIntervalSeconds: 10,
    monitorIntervalSeconds: 10,
  });
  boss.on('error', (error: unknown) => options.logger.error({ err: error }, 'queue error'));
  let started: Promise<PgBoss> | undefined;
  let stopped = false;

  return {
    boss,
    start() {
      started ??= (async () => {
        await boss.start();
        for (const definition of Object.values(queueDefinitions)) {
          const settings: Queue = {
            ...definition,
            ...('retryLimit' in definition ? { retryDelay: options.retryDelaySeconds } : {}),
          };
          await boss.createQueue(definition.name, settings);
          // createQueue leaves an existing queue as it was: bring its retry rules up to date with the code and the
          // configuration (EMAIL_RETRY_DELAY_SECONDS). Jobs already queued keep the rules they were made with.
          if ('retryLimit' in definition) {
            const { retryLimit, retryBackoff, heartbeatSeconds } = definition;
            await boss.updateQueue(definition.name, {
              retryLimit,
              retryBackoff,
              heartbeatSeconds,
              retryDelay: options.retryDelaySeconds,
            });
          }
        }
        return boss;
      })();
      return started;
    },
    async stop() {
      if (!started || stopped) return;
      stopped = true;
      await started.catch(() => undefined);
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
    async sendInTransaction(transaction, name, data, sendOptions = {}) {
      await this.start();
      return boss.send(name, data, { ...sendOptions, db: inTransaction(transaction) });
    },
    async insertInTransaction(transaction, name, jobs) {
      await this.start();
      for (let start = 0; start < jobs.length; start += 1000) {
        await boss.insert(name, jobs.slice(start, start + 1000), { db: inTransaction(transaction) });
      }
    },
  };
}
