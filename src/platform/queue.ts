import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';

/** pg-boss in the same database. Web processes only send; worker processes also work and schedule. */
export async function startQueue(options: { connectionString: string; logger: Logger; schedule: boolean }): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    max: 4,
    schedule: options.schedule,
    application_name: 'parley-queue',
  });
  boss.on('error', (error: unknown) => options.logger.error({ err: error }, 'queue error'));
  await boss.start();
  return boss;
}
