import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { AppConfig } from './config.ts';
import { createAccountsService } from './accounts/service.ts';
import { createApplicationsService } from './applications/service.ts';
import { createDashboardService } from './dashboard/service.ts';
import { createMessagingService } from './messaging/service.ts';
import { createNotificationsService } from './notifications/service.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { createDatabase } from './platform/db.ts';
import {
  createFileTransport,
  createNotifyTransport,
  createSmtpTransport,
  type EmailTransport,
} from './platform/mail.ts';
import { createClamdScanner, notScanning, type ConfiguredScanner } from './platform/malware-scanner.ts';
import { createJobQueue } from './platform/queue.ts';
import { createS3Storage } from './platform/s3-storage.ts';
import { createFilesystemStorage } from './platform/storage.ts';
import { createViewEnvironment } from './web/views.ts';

function createEmailTransport(config: AppConfig): EmailTransport {
  const transport = config.email.transport;
  switch (transport.kind) {
    case 'smtp':
      return createSmtpTransport({ ...transport, from: config.email.from });
    case 'notify':
      return createNotifyTransport(transport);
    case 'file':
      return createFileTransport(transport.folder);
  }
}

/**
 * The composition root: everything the web app and the worker use is built here, once.
 * The type of the container is derived from this function.
 */
export function createContainer(options: {
  config: AppConfig;
  logger: Logger;
  databaseUrl: string;
  clock?: Clock;
  schedule?: boolean;
}) {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const { db } = createDatabase(options.databaseUrl, config.database.poolSize, (error) =>
    logger.warn({ err: error }, 'an idle database connection was closed by the server'),
  );
  const queue = createJobQueue({
    connectionString: options.databaseUrl,
    logger,
    schedule: options.schedule ?? false,
    retryDelaySeconds: config.email.retryDelaySeconds,
  });
  const transport = createEmailTransport(config);
  const notifications = createNotificationsService({
    db,
    queue,
    transport,
    clock,
    logger,
    baseUrl: config.baseUrl,
    secret: config.sessionSecret,
    jobseekerEmailDelaySeconds: config.email.jobseekerEmailDelaySeconds,
  });
  const accounts = createAccountsService({ db, signInAttemptsPer15Minutes: config.signInAttemptsPer15Minutes });
  const applications = createApplicationsService({ db, clock, onStatusChange: [notifications.onStatusChange] });
  const storage =
    config.storage.driver === 's3'
      ? createS3Storage(config.storage)
      : createFilesystemStorage(config.attachments.storageDir);
  const scanner: ConfiguredScanner = config.clamd
    ? createClamdScanner(
        'socketPath' in config.clamd ? { socketPath: config.clamd.socketPath } : config.clamd,
        config.clamd.timeoutMs,
      )
    : notScanning;
  const messaging = createMessagingService({
    db,
    applications,
    storage,
    scanner,
    limits: config.attachments,
    onMessageSent: [notifications.onMessageSent],
    onStorageFailure: (error) => logger.error({ err: error }, 'an attachment could not be stored'),
  });
  const dashboard = createDashboardService({ db });
  const views = createViewEnvironment(config.projectRoot);

  return {
    config,
    logger,
    clock,
    db,
    queue,
    transport,
    views,
    accounts,
    applications,
    storage,
    messaging,
    dashboard,
    notifications,
    async checkDatabase(): Promise<void> {
      await sql`select 1`.execute(db);
    },
    async close(): Promise<void> {
      await queue.stop();
      await transport.close?.();
      await db.destroy();
    },
  };
}

export type Container = ReturnType<typeof createContainer>;
