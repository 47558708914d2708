import { loadConfig, ConfigError, type RunMode } from './config.ts';
import { createContainer } from './container.ts';
import { migrateToLatest } from './platform/db.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './platform/embedded-postgres.ts';
import { createLogger } from './platform/logger.ts';
import { createApp } from './web/app.ts';
import { startWorker } from './worker.ts';
import { startReplyReceiver } from './replies/receiver.ts';
import { loadDemoDataOnFirstStart } from './demo/seed.ts';
import { loadDemoConversations } from './demo/conversations.ts';

/** Starts Parley: config -> database (embedded unless DATABASE_URL) -> migrations -> container -> web and worker. */
function runModeFromArguments(argv: string[]): RunMode {
  if (argv.includes('--web')) return 'web';
  if (argv.includes('--worker')) return 'worker';
  if (argv.includes('--inbound')) return 'inbound';
  return 'all';
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const mode = runModeFromArguments(process.argv.slice(2));
  const startedAt = performance.now();

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      projectRoot: config.projectRoot,
      dataDir: config.dataDir,
      port: config.database.embeddedPort,
      log: (line) => logger.debug({ postgres: line.trim() }, 'embedded PostgreSQL'),
    });
    await embedded.createDatabaseIfMissing('parley');
    databaseUrl = embedded.connectionString('parley');
    logger.info({ dataDir: embedded.dataDir, port: embedded.port }, 'embedded PostgreSQL started');
  }

  const container = createContainer({ config, logger, databaseUrl, schedule: mode === 'all' || mode === 'worker' });
  const applied = await migrateToLatest(container.db);
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
  const demo = config.loadDemoData ? await loadDemoDataOnFirstStart(container.db) : null;

  await container.queue.start();
  if (demo) {
    // Sent through the real services once the queue runs, so their notifications and emails are real too.
    await loadDemoConversations(container, demo).catch((error: unknown) =>
      logger.warn({ err: error }, 'the demo conversations could not all be sent'),
    );
    logger.info('demo data loaded');
  }
  if (mode === 'all' || mode === 'worker') await startWorker(container);

  const app = mode === 'all' || mode === 'web' ? await createApp(container.web) : undefined;
  if (app) {
    await app.listen({ port: config.port, host: config.host });
  }
  // The receiver of replies by email: `npm run inbound`, and inside `npm start` when replies by email are on.
  if (mode === 'inbound' && !config.replies) throw new Error('replies by email are off: set REPLY_EMAIL_DOMAIN');
  const receiver =
    config.replies && (mode === 'all' || mode === 'inbound')
      ? await startReplyReceiver({ replies: container.replies, logger, ...config.replies })
      : undefined;
  if (receiver) logger.info({ port: receiver.port, domain: config.replies?.domain }, 'reply receiver listening');
  logger.info(
    { mode, ms: Math.round(performance.now() - startedAt), url: app ? config.baseUrl : undefined },
    'Parley is ready',
  );

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 25_000);
    timer.unref();
    // Stops taking requests and finishes those in flight. A keep-alive connection whose request finishes after this
    // point would otherwise stay open until its idle timeout (and hold the shutdown up that long), so idle connections
    // are closed as they appear.
    const sweeper = app ? setInterval(() => app.server.closeIdleConnections(), 250) : undefined;
    await app?.close();
    clearInterval(sweeper);
    await receiver?.close();
    await container.close(); // the queue finishes its jobs in hand, then the database pool closes
    await embedded?.stop();
    logger.info('stopped');
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Parley could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
