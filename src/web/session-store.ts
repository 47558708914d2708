import type { SessionStore } from '@fastify/session';
import type { Db } from '../platform/db.ts';

type Callback = (error?: unknown) => void;
type GetCallback = (error: unknown, session?: unknown) => void;

const fallbackLifetimeMs = 8 * 60 * 60 * 1000;

function expiryOf(session: unknown): Date {
  const cookie = (session as { cookie?: { expires?: string | Date | null } }).cookie;
  const expires = cookie?.expires ? new Date(cookie.expires) : undefined;
  return expires && !Number.isNaN(expires.getTime()) ? expires : new Date(Date.now() + fallbackLifetimeMs);
}

/** Sessions live in PostgreSQL, so any web process can serve any request. */
export function createPostgresSessionStore(db: Db): SessionStore {
  return {
    set(sessionId: string, session: unknown, callback: Callback) {
      db.insertInto('sessions')
        .values({ id: sessionId, data: JSON.stringify(session), expires_at: expiryOf(session) })
        .onConflict((c) => c.column('id').doUpdateSet({ data: JSON.stringify(session), expires_at: expiryOf(session) }))
        .execute()
        .then(() => callback(), callback);
    },
    get(sessionId: string, callback: GetCallback) {
      db.selectFrom('sessions')
        .select('data')
        .where('id', '=', sessionId)
        .where('expires_at', '>', new Date())
        .executeTakeFirst()
        .then(
          (row) => callback(null, row?.data ?? null),
          (error: unknown) => callback(error),
        );
    },
    destroy(sessionId: string, callback: Callback) {
      db.deleteFrom('sessions')
        .where('id', '=', sessionId)
        .execute()
        .then(() => callback(), callback);
    },
  } as SessionStore;
}

export async function deleteExpiredSessions(db: Db): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<', new Date()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
