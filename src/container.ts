import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { AppConfig } from './config.ts';
import { createAccountsService } from './accounts/service.ts';
import { createApplicationsService } from './applications/service.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { createDatabase } from './platform/db.ts';
import { createViewEnvironment } from './web/views.ts';
import { createMessagingService } from './messaging/service.ts';
import { createDashboardService } from './dashboard/service.ts';
import { createFilesystemStorage } from './platform/storage.ts';
import { createClamdScanner, notScanning, type ConfiguredScanner } from './platform/malware-scanner.ts';

/**
 * The composition root: everything the web app and the worker use is built here, once.
 * The type of the container is derived from this function.
 */
export function createContainer(options: { config: AppConfig; logger: Logger; databaseUrl: string; clock?: Clock }) {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const { db } = createDatabase(options.databaseUrl, config.database.poolSize, (error) =>
    logger.warn({ err: error }, 'an idle database connection was closed by the server'),
  );
  const accounts = createAccountsService({ db, signInAttemptsPer15Minutes: config.signInAttemptsPer15Minutes });
  const applications = createApplicationsService({ db, clock });
  const storage = createFilesystemStorage(config.attachments.storageDir);
  const scanner: ConfiguredScanner = config.clamd
    ? createClamdScanner('socketPath' in config.clamd ? { socketPath: config.clamd.socketPath } : config.clamd, config.clamd.timeoutMs)
    : notScanning;
  const messaging = createMessagingService({ db, applications, storage, scanner, limits: config.attachments });
  const dashboard = createDashboardService({ db });
  const views = createViewEnvironment(config.projectRoot);

  return {
    config,
    logger,
    clock,
    db,
    views,
    accounts,
    applications,
    storage,
    messaging,
    dashboard,
    async checkDatabase(): Promise<void> {
      await sql`select 1`.execute(db);
    },
    async close(): Promise<void> {
      await db.destroy();
    },
  };
}

export type Container = ReturnType<typeof createContainer>;
