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
  messageIdDomain,
  type EmailTransport,
} from './platform/mail.ts';
import { createClamdScanner, notScanning, type ConfiguredScanner } from './platform/malware-scanner.ts';
import { createJobQueue } from './platform/queue.ts';
import { createS3Storage } from './platform/s3-storage.ts';
import { createFilesystemStorage } from './platform/storage.ts';
import { createTestPauses, type DeliveryCheckpoint } from './platform/test-pauses.ts';
import { createViewEnvironment } from './web/views.ts';
import type { RouteRegistration, WebDependencies } from './web/app.ts';
import { listStoredEmails } from './platform/mail.ts';
import { createVacanciesService } from './vacancies/service.ts';
import { createApplicationPageService } from './applications/application-page.ts';
import { registerAccountRoutes } from './accounts/routes.ts';
import { registerVacancyRoutes } from './vacancies/routes.ts';
import { registerApplicationRoutes } from './applications/routes.ts';
import { registerMessagingRoutes } from './messaging/routes.ts';
import { registerDashboardRoutes } from './dashboard/routes.ts';
import { registerNotificationRoutes } from './notifications/routes.ts';
import { demoAccounts } from './demo/accounts.ts';
import { createRepliesService, createReplyAddresses, createReplyListeners } from './replies/service.ts';
import { registerReplyRoutes } from './replies/routes.ts';
import { createNotesService } from './notes/service.ts';
import { registerNoteRoutes } from './notes/routes.ts';
import {
  createDataRightsService,
  createExportService,
  createRecordsService,
  createRetentionService,
} from './records/service.ts';
import { registerRecordRoutes } from './records/routes.ts';

function createEmailTransport(config: AppConfig, checkpoint: DeliveryCheckpoint): EmailTransport {
  const transport = config.email.transport;
  switch (transport.kind) {
    case 'smtp':
      return createSmtpTransport({
        ...transport,
        from: config.email.from,
        messageIdDomain: messageIdDomain(config.email.from, config.baseUrl),
      });
    case 'notify':
      return createNotifyTransport(transport);
    case 'file':
      return createFileTransport(transport.folder, checkpoint);
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
  const checkpoint = createTestPauses(config.email.testPauses, logger);
  const transport = createEmailTransport(config, checkpoint);
  const replyAddresses = createReplyAddresses({ db, domain: config.replies?.domain ?? null });
  const notifications = createNotificationsService({
    db,
    queue,
    transport,
    clock,
    logger,
    baseUrl: config.baseUrl,
    secret: config.sessionSecret,
    jobseekerEmailDelaySeconds: config.email.jobseekerEmailDelaySeconds,
    checkpoint,
    replyAddress: (userId, applicationId) => replyAddresses.forEmail(userId, applicationId),
  });
  const accounts = createAccountsService({ db, signInAttemptsPer15Minutes: config.signInAttemptsPer15Minutes });
  const replyListeners = createReplyListeners({ queue });
  const applications = createApplicationsService({
    db,
    clock,
    onStatusChange: [notifications.onStatusChange, replyListeners.onStatusChange],
  });
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
    onMessageSent: [notifications.onMessageSent, replyListeners.onMessageSent],
    onStorageFailure: (error) => logger.error({ err: error }, 'an attachment could not be stored'),
  });
  const replies = createRepliesService({
    db,
    queue,
    clock,
    logger,
    baseUrl: config.baseUrl,
    domain: config.replies?.domain ?? null,
    perHour: config.replies?.perHour ?? 0,
    addresses: replyAddresses,
    messaging,
    loadSignedInUser: (userId) => accounts.loadSignedInUser(userId),
    notifications,
  });
  const dashboard = createDashboardService({ db, countUnreadNotifications: notifications.unreadCount });
  const vacancies = createVacanciesService({ db, clock, applications });
  const notes = createNotesService({ db, clock, applications, onMention: [notifications.onNoteMention] });
  const exports = createExportService({ db, clock, applications, messaging, notes });
  const records = createRecordsService({
    exports,
    dataRights: createDataRightsService({ db, clock, storage, applications, exports }),
    retention: createRetentionService({
      db,
      clock,
      logger,
      storage,
      applications,
      notifyStaff: (trx, notice) => notifications.notifyWatchers(trx, notice),
    }),
  });
  const applicationPage = createApplicationPageService({
    applications,
    messaging,
    notifications,
    dashboard,
    attachmentLimits: config.attachments,
    notes,
    records,
  });
  const views = createViewEnvironment(config.projectRoot);

  // Each feature's routes get the services they use, and nothing else: never the database or a repository.
  const routes: RouteRegistration[] = [
    (app) => registerAccountRoutes(app, { accounts, demoAccounts: config.isDevelopment ? demoAccounts : [] }),
    (app) => registerVacancyRoutes(app, { vacancies, applications }),
    (app) => registerApplicationRoutes(app, { applications, applicationPage }),
    (app) => registerMessagingRoutes(app, { messaging, applicationPage }),
    (app) => registerDashboardRoutes(app, { dashboard }),
    (app) =>
      registerReplyRoutes(app, {
        replies,
        devMail:
          config.isDevelopment || config.environment === 'test'
            ? {
                list: () => listStoredEmails(config.email.mailFolder),
                receiver: config.replies ? { host: config.replies.host, port: config.replies.port } : null,
              }
            : null,
      }),
    (app) =>
      registerNotificationRoutes(app, {
        notifications,
        devMail:
          config.isDevelopment || config.environment === 'test'
            ? { transportName: transport.name, list: () => listStoredEmails(config.email.mailFolder) }
            : null,
      }),
    (app) => registerNoteRoutes(app, { notes, applicationPage }),
    (app) =>
      registerRecordRoutes(app, {
        exports: records.exports,
        retention: records.retention,
        dataRights: records.dataRights,
        applicationPage,
      }),
  ];
  async function checkDatabase(): Promise<void> {
    await sql`select 1`.execute(db);
  }
  const web: WebDependencies = {
    config,
    logger,
    views,
    db,
    loadSignedInUser: (userId) => accounts.loadSignedInUser(userId),
    navigationCounts: (user) => dashboard.navigationCounts(user),
    checkDatabase,
    routes,
  };

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
    replies,
    vacancies,
    applicationPage,
    notes,
    records,
    /** What the web application is built from (src/web/app.ts createApp). */
    web,
    checkDatabase,
    async close(): Promise<void> {
      await queue.stop();
      await transport.close?.();
      await db.destroy();
    },
  };
}

export type Container = ReturnType<typeof createContainer>;
