/**
 * The bare SQL of a page: the same repository and service functions the request calls, in the same order, on one
 * connection (so one query at a time, even where the request runs two at once), timed query by query. A Kysely
 * logger captures every statement with its parameters, so the EXPLAIN of each is of exactly what the page runs.
 *
 * The step lists below mirror the request paths (src/web/app.ts preHandler, the route, the services, the session
 * store's onSend save); keep them in step when those change.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createAccountsService, type SignedInUser } from '../src/accounts/service.ts';
import { findApplicationForStaff, listStatusChanges } from '../src/applications/repository.ts';
import { createDashboardService } from '../src/dashboard/service.ts';
import { parseSearch } from '../src/dashboard/search.ts';
import { findConversationForViewer, listMessagePage } from '../src/messaging/repository.ts';
import { conversationPageSize } from '../src/messaging/service.ts';
import {
  countUnreadNotifications,
  isFollowing,
  listDailyLines,
  listWatchers,
  markApplicationNotificationsRead,
} from '../src/notifications/repository.ts';
import { dueDailyRun } from '../src/notifications/daily-schedule.ts';
import type { Database } from '../src/platform/database-schema.ts';
import { preparingPool } from '../src/platform/db.ts';
import { findConversationArchivedState } from '../src/dashboard/repository.ts';
import { createPostgresSessionStore } from '../src/web/session-store.ts';
import { summarise } from './stats.ts';

type Db = Kysely<Database>;

export interface CapturedQuery {
  step: string;
  sql: string;
  parameters: readonly unknown[];
  ms: number;
}

export interface SqlTiming {
  /** Whole page: the sum of its queries, per visit. */
  p50: number;
  p95: number;
  queries: number;
  /** Each step's median. */
  steps: { step: string; p50: number; p95: number }[];
  /** One visit's statements, for EXPLAIN. */
  statements: CapturedQuery[];
}

export interface PageVisit {
  userId: string;
  sessionId: string;
}

interface Recorder {
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
}

export type PageSql = (db: Db, record: Recorder) => Promise<void>;

/** Reads and saves the session as @fastify/session does (get on the way in, save on the way out when changed). */
function sessionSteps(db: Db, sessionId: string) {
  const store = createPostgresSessionStore(db);
  return {
    get: () =>
      new Promise<unknown>((resolve, reject) => {
        store.get(sessionId, (error, session) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(session),
        );
      }),
    set: (session: unknown) =>
      new Promise<void>((resolve, reject) => {
        store.set(sessionId, session as never, (error) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        );
      }),
  };
}

async function signedIn(
  db: Db,
  record: Recorder,
  visit: PageVisit,
  navigation: 'both counts' | 'page counts conversations' = 'both counts',
): Promise<{ user: SignedInUser; session: unknown; save: () => Promise<void> }> {
  const sessions = sessionSteps(db, visit.sessionId);
  const session = await record.step('session: load', sessions.get);
  const accounts = createAccountsService({ db, signInAttemptsPer15Minutes: 10 });
  const user = await record.step('user: load with organisations', () => accounts.loadSignedInUser(visit.userId));
  if (!user) throw new Error(`no such user ${visit.userId}`);
  const dashboard = createDashboardService({ db, countUnreadNotifications: (u) => countUnreadNotifications(db, u.id) });
  if (navigation === 'both counts') {
    await record.step('navigation: unread conversations', () => dashboard.unreadConversationCount(user));
    await record.step('navigation: unread notifications', () => countUnreadNotifications(db, user.id));
  }
  // The session is saved when changed, and a signed-in one is touched at most every sessionTouchIntervalMs
  // (src/web/app.ts): a page view in the steady state saves nothing.
  return { user, session, save: () => Promise.resolve() };
}

/** GET /staff/messages (optionally ?q=): the Inbox, unread first. */
export function dashboardPage(visit: PageVisit, query: string | null): PageSql {
  return async (db, record) => {
    // The dashboard's own counts give the navigation its unread conversations (src/dashboard/routes.ts).
    const { user, save } = await signedIn(db, record, visit, 'page counts conversations');
    const dashboard = createDashboardService({
      db,
      countUnreadNotifications: (u) => countUnreadNotifications(db, u.id),
    });
    await record.step('dashboard: schools, page, counts and unread notifications', () =>
      dashboard.staffDashboard(
        user,
        { tab: 'inbox', sort: 'unread', search: parseSearch(query ?? ''), page: 1 },
        { allowRedirect: true },
      ),
    );
    await save();
  };
}

/** GET /staff/applications/:id: the application page with its conversation, opened again (nothing new to mark read). */
export function conversationPage(visit: PageVisit, applicationId: string): PageSql {
  return async (db, record) => {
    const { user, save } = await signedIn(db, record, visit);
    const application = await record.step('application: find for staff', () =>
      findApplicationForStaff(db, applicationId, user.id),
    );
    if (!application) throw new Error(`application ${applicationId} is not visible to ${user.id}`);
    await record.step('application: timeline', () => listStatusChanges(db, application.id));
    const conversation = await record.step('conversation: find, with seen count', () =>
      findConversationForViewer(db, application.id, user.id),
    );
    if (!conversation) throw new Error(`application ${applicationId} has no conversation`);
    await record.step('conversation: latest page of messages', () =>
      listMessagePage(db, conversation.id, { before: null, limit: conversationPageSize }),
    );
    await record.step('notifications: mark read', () => markApplicationNotificationsRead(db, user.id, application.id));
    await record.step('conversation: archived?', () => findConversationArchivedState(db, user.id, conversation.id));
    await record.step('following?', () => isFollowing(db, application.id, user.id));
    await save();
  };
}

/** In a jobseeker's send transaction: who hears about the message. */
export function watchersOf(applicationId: string): PageSql {
  return async (db, record) => {
    await record.step("sending: the application's watchers", () => listWatchers(db, applicationId));
  };
}

/** In each daily email job: what this person has not read, checked again at sending time. */
export function dailyLinesOf(userId: string): PageSql {
  return async (db, record) => {
    await record.step("daily email: one person's lines", () =>
      listDailyLines(db, userId, null, dueDailyRun(new Date()).cutoff),
    );
  };
}

export async function timePageSql(connectionString: string, pages: PageSql[], iterations: number): Promise<SqlTiming> {
  const captured: CapturedQuery[] = [];
  let currentStep = '';
  const pool = new pg.Pool({ connectionString, max: 1, application_name: 'parley-bench-sql' });
  // Parley's own pool (src/platform/db.ts): statements prepared once per connection, as the web process runs them.
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: preparingPool(pool, () => undefined) }),
    log: (event) => {
      if (event.level === 'error') return;
      captured.push({
        step: currentStep,
        sql: event.query.sql,
        parameters: event.query.parameters,
        ms: event.queryDurationMillis,
      });
    },
  });
  const record: Recorder = {
    async step(label, work) {
      currentStep = label;
      return work();
    },
  };
  try {
    // Warm-up: one pass over every page.
    for (const page of pages) await page(db, record);
    captured.length = 0;
    const totals: number[] = [];
    const byStep = new Map<string, number[]>();
    let statements: CapturedQuery[] = [];
    let queries = 0;
    for (let iteration = 0; iteration < iterations; iteration += 1) {
      const page = pages[iteration % pages.length];
      if (!page) continue;
      captured.length = 0;
      await page(db, record);
      if (iteration === 0) statements = [...captured];
      queries = captured.length;
      totals.push(captured.reduce((sum, query) => sum + query.ms, 0));
      const perStep = new Map<string, number>();
      for (const query of captured) perStep.set(query.step, (perStep.get(query.step) ?? 0) + query.ms);
      for (const [step, ms] of perStep) byStep.set(step, [...(byStep.get(step) ?? []), ms]);
    }
    const total = summarise(totals);
    return {
      p50: total.p50,
      p95: total.p95,
      queries,
      steps: [...byStep].map(([step, values]) => ({ step, ...summarise(values) })),
      statements,
    };
  } finally {
    await db.destroy();
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of each statement, inside a transaction that is rolled back (some of them write). */
export async function explainStatements(
  connectionString: string,
  statements: CapturedQuery[],
): Promise<{ step: string; sql: string; plan: string }[]> {
  const client = new pg.Client({ connectionString, application_name: 'parley-bench-explain' });
  await client.connect();
  const plans: { step: string; sql: string; plan: string }[] = [];
  try {
    for (const statement of statements) {
      await client.query('begin');
      try {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${statement.sql}`, [
          ...statement.parameters,
        ]);
        plans.push({ step: statement.step, sql: statement.sql, plan: rows.map((row) => row['QUERY PLAN']).join('\n') });
      } finally {
        await client.query('rollback');
      }
    }
  } finally {
    await client.end();
  }
  return plans;
}
