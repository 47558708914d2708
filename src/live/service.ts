/**
 * Live pages: the streams of events that open pages hold (Server-Sent Events, see routes.ts), fed across processes by
 * PostgreSQL LISTEN/NOTIFY. A message's send transaction notifies (ids only); every web process's one listening
 * connection (src/platform/pg-listener.ts) hands the notification here, and it goes to the streams of the people who
 * may see that application: staff by the schools they see, the jobseeker by their own applications, the same rules as
 * the pages. What a stream says is only "this changed"; the page then fetches what changed through the page's own
 * access checks.
 */
import type { Logger } from 'pino';
import type { Db } from '../platform/db.ts';
import type { PgListener } from '../platform/pg-listener.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { NavigationCounts } from '../web/navigation.ts';
import type { ApplicationsService } from '../applications/service.ts';
import type { MessageSentListener } from '../messaging/service.ts';
import {
  databaseNow,
  liveSessionIds,
  newestMessageSince,
  notifyMessageSent,
  visibleSchoolIds,
  type LiveMessageEvent,
} from './repository.ts';

/** One event as a stream sends it. */
export interface LiveEvent {
  event: 'ready' | 'new-message' | 'change' | 'counts';
  data: Record<string, unknown>;
  /** The event's time (ms, the database's clock): the browser sends the last one back when it reconnects. */
  id?: number;
}

/** Why the server ends a stream. Only `signed-out` tells the page to stop; after the others it reconnects. */
export type StreamEnd = 'signed-out' | 'shutdown' | 'gap';

/** Where a stream's events go: the HTTP response, in routes.ts. */
export interface LiveSink {
  send(event: LiveEvent): void;
  heartbeat(): void;
  end(reason: StreamEnd): void;
}

export interface LiveSettings {
  streamsPerPerson: number;
  heartbeatSeconds: number;
  sessionCheckSeconds: number;
}

export type OpenStreamResult =
  { outcome: 'open'; close: () => void } | { outcome: 'not-found' } | { outcome: 'too-many' } | { outcome: 'closing' };

interface Stream {
  user: SignedInUser;
  sessionId: string;
  /** The conversation page's application; null for a stream of everything the person may see. */
  applicationId: string | null;
  sink: LiveSink;
  ended: boolean;
}

/** How far back a reconnecting stream looks for what it missed: no page is open longer than a session lasts. */
const longestLookBackMs = 8 * 60 * 60 * 1000;

/** Events for one person within this time share one count of their navigation's numbers. */
const countsDelayMs = 300;

function parseEvent(payload: string): LiveMessageEvent | undefined {
  try {
    const value = JSON.parse(payload) as Partial<LiveMessageEvent>;
    if (
      value.kind === 'message' &&
      typeof value.at === 'number' &&
      typeof value.applicationId === 'string' &&
      typeof value.schoolId === 'string' &&
      typeof value.jobseekerId === 'string' &&
      typeof value.senderUserId === 'string' &&
      typeof value.messageId === 'string'
    )
      return value as LiveMessageEvent;
  } catch {
    // not ours: ignored below
  }
  return undefined;
}

function addTo<K>(index: Map<K, Set<Stream>>, key: K, stream: Stream): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(stream);
}

function removeFrom<K>(index: Map<K, Set<Stream>>, key: K, stream: Stream): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(stream);
  if (set.size === 0) index.delete(key);
}

export function createLiveService(deps: {
  db: Db;
  listener: PgListener;
  applications: ApplicationsService;
  navigationCounts: (user: SignedInUser) => Promise<NavigationCounts>;
  logger: Logger;
  settings: LiveSettings;
}) {
  const { db, listener, applications, logger, settings } = deps;
  const streams = new Set<Stream>();
  const perPerson = new Map<string, number>();
  const bySchool = new Map<string, Set<Stream>>();
  const byJobseeker = new Map<string, Set<Stream>>();
  const schoolsOf = new Map<Stream, string[]>();
  let unsubscribe: (() => void) | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let sessionTimer: NodeJS.Timeout | null = null;
  let closing = false;
  const isClosing = () => closing;

  function release(userId: string): void {
    const count = (perPerson.get(userId) ?? 1) - 1;
    if (count <= 0) perPerson.delete(userId);
    else perPerson.set(userId, count);
  }

  function unregister(stream: Stream): void {
    if (!streams.delete(stream)) return;
    release(stream.user.id);
    if (stream.user.kind === 'jobseeker') removeFrom(byJobseeker, stream.user.id, stream);
    for (const schoolId of schoolsOf.get(stream) ?? []) removeFrom(bySchool, schoolId, stream);
    schoolsOf.delete(stream);
    if (streams.size === 0) stopTimers();
  }

  function end(stream: Stream, reason: StreamEnd): void {
    if (stream.ended) return;
    stream.ended = true;
    unregister(stream);
    stream.sink.end(reason);
  }

  function send(stream: Stream, event: LiveEvent): void {
    if (!stream.ended) stream.sink.send(event);
  }

  /**
   * The navigation's numbers for each person an event concerns, counted once per person however many events arrive
   * within `countsDelayMs` (a busy trust's messages would otherwise count a trust-wide inbox for every one of them).
   */
  const countsDue = new Map<string, { streams: Set<Stream>; timer: NodeJS.Timeout }>();
  function sendCountsSoon(stream: Stream): void {
    const due = countsDue.get(stream.user.id);
    if (due) {
      due.streams.add(stream);
      return;
    }
    const streamsOfUser = new Set([stream]);
    const timer = setTimeout(() => {
      countsDue.delete(stream.user.id);
      const open = [...streamsOfUser].filter((s) => !s.ended);
      if (open.length === 0) return;
      deps.navigationCounts(stream.user).then(
        (counts) => {
          for (const target of open) send(target, { event: 'counts', data: { ...counts } });
        },
        (error: unknown) => logger.warn({ err: error }, 'the navigation counts for live pages could not be read'),
      );
    }, countsDelayMs);
    timer.unref();
    countsDue.set(stream.user.id, { streams: streamsOfUser, timer });
  }

  function dispatch(event: LiveMessageEvent): void {
    const candidates = new Set<Stream>([
      ...(byJobseeker.get(event.jobseekerId) ?? []),
      ...(bySchool.get(event.schoolId) ?? []),
    ]);
    for (const stream of candidates) {
      if (stream.user.id === event.senderUserId) continue;
      if (stream.applicationId === event.applicationId) {
        // The page fetches the thread, which brings the navigation's numbers with it.
        send(stream, { event: 'new-message', data: { messageId: event.messageId }, id: event.at });
        continue;
      }
      if (stream.applicationId === null) send(stream, { event: 'change', data: {}, id: event.at });
      sendCountsSoon(stream);
    }
  }

  async function checkSessions(): Promise<void> {
    const checked = [...streams];
    const alive = await liveSessionIds(db, [...new Set(checked.map((stream) => stream.sessionId))]);
    // Only the streams that were asked about: one opened while the query ran is not known to be signed out.
    for (const stream of checked) if (!alive.has(stream.sessionId)) end(stream, 'signed-out');
  }

  function startTimers(): void {
    if (!unsubscribe) {
      unsubscribe = listener.subscribe({
        onNotification(payload) {
          const event = parseEvent(payload);
          if (event) dispatch(event);
        },
        // Notifications sent while the connection was down are lost: the pages reconnect and ask what they missed.
        onGap() {
          for (const stream of [...streams]) end(stream, 'gap');
        },
      });
    }
    heartbeatTimer ??= setInterval(() => {
      for (const stream of streams) stream.sink.heartbeat();
    }, settings.heartbeatSeconds * 1000).unref();
    sessionTimer ??= setInterval(() => {
      checkSessions().catch((error: unknown) =>
        logger.warn({ err: error }, 'the sessions of live pages could not be checked'),
      );
    }, settings.sessionCheckSeconds * 1000).unref();
  }

  function stopTimers(): void {
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    if (sessionTimer) clearInterval(sessionTimer);
    heartbeatTimer = null;
    sessionTimer = null;
  }

  const onMessageSent: MessageSentListener = (trx, event) => notifyMessageSent(trx, event);

  return {
    /** Messaging's send path calls this inside the send transaction: the event leaves on commit, or never. */
    onMessageSent,

    /**
     * Opens a stream for this person: of one application they may see (else not-found), or of everything they may
     * see. At most `streamsPerPerson` at once in this process. `since` (the page's time, or the last event the browser
     * saw) is checked first, so that nothing sent in between is missed.
     */
    async openStream(input: {
      user: SignedInUser;
      sessionId: string;
      applicationId: string | null;
      since: number | null;
      sink: LiveSink;
    }): Promise<OpenStreamResult> {
      const { user } = input;
      if (closing) return { outcome: 'closing' };
      const open = perPerson.get(user.id) ?? 0;
      if (open >= settings.streamsPerPerson) return { outcome: 'too-many' };
      perPerson.set(user.id, open + 1); // held now, so that streams opened at the same moment count too
      const stream: Stream = {
        user,
        sessionId: input.sessionId,
        applicationId: input.applicationId,
        sink: input.sink,
        ended: false,
      };
      try {
        if (input.applicationId) {
          const application =
            user.kind === 'staff'
              ? await applications.findForStaff(input.applicationId, user.id)
              : await applications.findForJobseeker(input.applicationId, user.id);
          if (!application) {
            release(user.id);
            return { outcome: 'not-found' };
          }
        }
        const schoolIds = user.kind === 'staff' ? await visibleSchoolIds(db, user.id) : [];
        if (isClosing()) {
          release(user.id);
          return { outcome: 'closing' };
        }
        streams.add(stream);
        if (user.kind === 'jobseeker') addTo(byJobseeker, user.id, stream);
        schoolsOf.set(stream, schoolIds);
        for (const schoolId of schoolIds) addTo(bySchool, schoolId, stream);
        startTimers();
      } catch (error) {
        if (!streams.has(stream)) release(user.id);
        else unregister(stream);
        throw error;
      }
      const close = () => {
        stream.ended = true;
        unregister(stream);
      };
      try {
        const now = await databaseNow(db);
        if (input.since !== null) {
          const since = new Date(Math.max(input.since, now - longestLookBackMs));
          const missed = await newestMessageSince(db, {
            since,
            viewerUserId: user.id,
            applicationId: input.applicationId,
            jobseekerId: user.kind === 'jobseeker' ? user.id : null,
            schoolIds: user.kind === 'staff' ? (schoolsOf.get(stream) ?? []) : null,
          });
          if (missed !== null)
            send(stream, { event: input.applicationId ? 'new-message' : 'change', data: { missed: true }, id: missed });
        }
        const counts = await deps.navigationCounts(user);
        send(stream, { event: 'ready', data: { ...counts }, id: now });
      } catch (error) {
        close();
        throw error;
      }
      return { outcome: 'open', close };
    },

    /** Waits until this process is listening (tests and benches; pages need not wait). */
    async listening(): Promise<void> {
      await listener.ready();
    },

    /** The streams open in this process. */
    openStreams: () => streams.size,

    /** Ends every stream (the server is stopping): the pages reconnect, to another web process. */
    closeAll(): void {
      closing = true;
      for (const stream of [...streams]) end(stream, 'shutdown');
      for (const due of countsDue.values()) clearTimeout(due.timer);
      countsDue.clear();
      stopTimers();
      unsubscribe?.();
      unsubscribe = null;
    },
  };
}

export type LiveService = ReturnType<typeof createLiveService>;
