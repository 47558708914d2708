import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { AppConfig } from './config.ts';
import { createAccountLinksService, createAccountsService } from './accounts/service.ts';
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
import { registerAccountLinkRoutes } from './accounts/account-link-routes.ts';
import { registerVacancyRoutes } from './vacancies/routes.ts';
import { registerVacancyEditingRoutes } from './vacancies/editing-routes.ts';
import { createColleaguesService } from './colleagues/service.ts';
import { registerColleagueRoutes } from './colleagues/routes.ts';
import { registerApplicationRoutes } from './applications/routes.ts';
import { registerMessagingRoutes } from './messaging/routes.ts';
import { registerDashboardRoutes } from './dashboard/routes.ts';
import { registerNotificationRoutes } from './notifications/routes.ts';
import { demoAccounts } from './demo/accounts.ts';
import { createRepliesService, createReplyAddresses, createReplyListeners } from './replies/service.ts';
import { registerReplyRoutes } from './replies/routes.ts';
import { createPgListener } from './platform/pg-listener.ts';
import { createLiveService } from './live/service.ts';
import { liveChannel } from './live/repository.ts';
import { registerLiveRoutes } from './live/routes.ts';
import { createTemplatesService } from './templates/service.ts';
import { registerTemplateRoutes } from './templates/routes.ts';
import { createScheduledMessagesService } from './scheduled/service.ts';
import { registerScheduledRoutes } from './scheduled/routes.ts';
import { createBulkMessagesService } from './bulk/service.ts';
import { registerBulkRoutes } from './bulk/routes.ts';
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
  const accountLinks = createAccountLinksService({
    db,
    queue,
    clock,
    baseUrl: config.baseUrl,
    secret: config.sessionSecret,
    attemptsPer15Minutes: config.signInAttemptsPer15Minutes,
    deliverEmail: (claim, job, build) => notifications.sendOnce(claim, job, build),
  });
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
    onMessageSent: [
      notifications.onMessageSent,
      replyListeners.onMessageSent,
      (trx, event) => live.onMessageSent(trx, event),
    ],
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
  const templates = createTemplatesService({ db });
  const scheduled = createScheduledMessagesService({
    db,
    queue,
    clock,
    applications,
    messaging,
    notify: notifications.notifyInTransaction,
  });
  const bulk = createBulkMessagesService({ db, applications, messaging, templates, scheduled, clock });
  const dashboard = createDashboardService({ db, countUnreadNotifications: notifications.unreadCount });
  // Live pages: one LISTEN connection per process, opened when the first page starts listening (web processes only).
  const liveListener = createPgListener({
    connectionString: config.live.listenUrl ?? options.databaseUrl,
    channel: liveChannel,
    logger,
  });
  const live = createLiveService({
    db,
    listener: liveListener,
    applications,
    navigationCounts: (user) => dashboard.navigationCounts(user),
    logger,
    settings: config.live,
  });
  const colleagues = createColleaguesService({ db, clock, accountLinks });
  const vacancies = createVacanciesService({
    db,
    clock,
    applications,
    onVacancyChange: [
      (trx, change) => messaging.onVacancyChanged(trx, change),
      (trx, change) => colleagues.onVacancyChanged(trx, change),
    ],
  });
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
    templates,
    scheduled,
    notes,
    records,
  });
  const views = createViewEnvironment(config.projectRoot);

  // Each feature's routes get the services they use, and nothing else: never the database or a repository.
  const routes: RouteRegistration[] = [
    (app) => registerAccountRoutes(app, { accounts, demoAccounts: config.isDevelopment ? demoAccounts : [] }),
    (app) => registerAccountLinkRoutes(app, { accounts, accountLinks }),
    (app) => registerVacancyRoutes(app, { vacancies, applications }),
    (app) => registerVacancyEditingRoutes(app, { vacancies }),
    (app) => registerColleagueRoutes(app, { colleagues }),
    (app) => registerApplicationRoutes(app, { applications, applicationPage }),
    (app) => registerMessagingRoutes(app, { messaging, applicationPage, scheduled }),
    (app) => registerDashboardRoutes(app, { dashboard }),
    (app) => registerTemplateRoutes(app, { templates }),
    (app) => registerBulkRoutes(app, { bulk, vacancies, attachmentLimits: config.attachments }),
    (app) => registerScheduledRoutes(app, { scheduled, applicationPage }),
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
    (app) =>
      registerLiveRoutes(app, { live, applicationPage, navigationCounts: (user) => dashboard.navigationCounts(user) }),
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
    accountLinks,
    applications,
    storage,
    messaging,
    dashboard,
    notifications,
    replies,
    vacancies,
    colleagues,
    applicationPage,
    live,
    templates,
    scheduled,
    bulk,
    notes,
    records,
    /** What the web application is built from (src/web/app.ts createApp). */
    web,
    checkDatabase,
    async close(): Promise<void> {
      live.closeAll();
      await liveListener.close();
      await queue.stop();
      await transport.close?.();
      await db.destroy();
    },
  };
}

export type Container = ReturnType<typeof createContainer>;
