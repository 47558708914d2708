import pg from 'pg';
import type { Logger } from 'pino';

/**
 * One dedicated PostgreSQL connection per process that LISTENs on one channel and hands each notification to the
 * in-process subscribers (NOTIFY fans out across processes; this fans out within one). It knows no feature: payloads
 * are strings, given as they came.
 *
 * The connection is opened when the first subscriber arrives, not before (a worker never holds one). When it drops
 * (a database restart, a failover, a network cut) it is opened again with a growing delay, and every subscriber's
 * `onGap` is called once it is back: notifications sent while it was down are lost, so subscribers re-sync.
 */
export interface PgListener {
  subscribe(subscriber: PgSubscriber): () => void;
  /** Resolves once the LISTEN is in place (tests and benches wait for it; subscribers need not). */
  ready(): Promise<void>;
  /** The number of in-process subscribers. */
  size(): number;
  close(): Promise<void>;
}

export interface PgSubscriber {
  onNotification(payload: string): void;
  /** The connection was lost and is back: anything sent in between was missed. */
  onGap?(): void;
}

const firstRetryMs = 250;
const longestRetryMs = 5_000;

/** A channel name is an identifier: only these are accepted, so it can go into LISTEN as it is. */
const channelPattern = /^[a-z_][a-z0-9_]{0,62}$/;

export function createPgListener(options: { connectionString: string; channel: string; logger: Logger }): PgListener {
  const { connectionString, channel, logger } = options;
  if (!channelPattern.test(channel)) throw new Error(`not a channel name: ${channel}`);
  const subscribers = new Set<PgSubscriber>();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let retryMs = firstRetryMs;
  let hadConnection = false;
  let readyWaiters: (() => void)[] = [];

  function deliver(payload: string): void {
    for (const subscriber of subscribers) {
      try {
        subscriber.onNotification(payload);
      } catch (error) {
        logger.error({ err: error }, 'a live subscriber failed on a notification');
      }
    }
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer || subscribers.size === 0) return;
    const delay = retryMs;
    retryMs = Math.min(retryMs * 2, longestRetryMs);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
    retryTimer.unref();
  }

  function connect(): Promise<void> {
    if (connecting) return connecting;
    connecting = (async () => {
      const next = new pg.Client({ connectionString, application_name: 'parley-listen' });
      let lost = false;
      const onLost = (error?: Error) => {
        if (lost) return;
        lost = true;
        if (client === next) client = null;
        next.removeAllListeners('notification');
        void next.end().catch(() => undefined);
        if (!closed) {
          logger.warn({ err: error, channel }, 'the live notification connection was lost; reconnecting');
          scheduleReconnect();
        }
      };
      next.on('error', onLost);
      next.on('end', () => onLost());
      next.on('notification', (message) => {
        if (message.channel === channel && message.payload !== undefined) deliver(message.payload);
      });
      try {
        await next.connect();
        await next.query(`LISTEN ${channel}`);
      } catch (error) {
        onLost(error as Error);
        return;
      }
      if (closed) {
        await next.end().catch(() => undefined);
        return;
      }
      client = next;
      retryMs = firstRetryMs;
      const waiters = readyWaiters;
      readyWaiters = [];
      for (const resolve of waiters) resolve();
      if (hadConnection) {
        logger.info({ channel }, 'the live notification connection is back');
        for (const subscriber of subscribers) subscriber.onGap?.();
      }
      hadConnection = true;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  }

  return {
    subscribe(subscriber) {
      subscribers.add(subscriber);
      if (!client && !connecting && !retryTimer && !closed) void connect();
      return () => {
        subscribers.delete(subscriber);
      };
    },
    ready() {
      if (client) return Promise.resolve();
      if (closed) return Promise.reject(new Error('the listener is closed'));
      return new Promise((resolve) => {
        readyWaiters.push(resolve);
        if (!connecting && !retryTimer) void connect();
      });
    },
    size: () => subscribers.size,
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      await connecting;
      const current = client;
      client = null;
      subscribers.clear();
      if (current) await current.end().catch(() => undefined);
    },
  };
}
