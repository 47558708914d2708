/**
 * Signed-in visitors without signing in: sign-in hashes the password with scrypt (deliberately ~100 ms of CPU), so
 * the benchmark writes the session rows itself, in the shape @fastify/session stores them, and signs the cookie
 * with the server's SESSION_SECRET as @fastify/cookie does. Each visitor then opens one page, which gives its
 * session a CSRF secret (saved by the server) and the page a CSRF token for the forms.
 */
import { randomBytes } from 'node:crypto';
import { Signer } from '@fastify/cookie';
import type pg from 'pg';
import { sessionCookieName } from '../src/web/app.ts';

export interface Visitor {
  userId: string;
  kind: 'staff' | 'jobseeker';
  /** The Cookie header value. */
  cookie: string;
  csrfToken: string;
}

const lifetimeMs = 8 * 60 * 60 * 1000;

/** Headers every benchmark request carries: the session, and HTTPS as a TLS-terminating proxy reports it. */
export function visitorHeaders(visitor: Pick<Visitor, 'cookie'>): Record<string, string> {
  return { cookie: visitor.cookie, 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.10' };
}

export async function createVisitors(
  client: pg.Client,
  baseUrl: string,
  sessionSecret: string,
  users: { id: string; kind: 'staff' | 'jobseeker' }[],
): Promise<Visitor[]> {
  const signer = new Signer(sessionSecret, 'sha256');
  const rows = users.map((user) => {
    const sessionId = randomBytes(24).toString('base64url');
    const expires = new Date(Date.now() + lifetimeMs);
    const data = {
      cookie: {
        originalMaxAge: lifetimeMs,
        expires: expires.toISOString(),
        secure: true,
        httpOnly: true,
        path: '/',
        sameSite: 'lax',
      },
      userId: user.id,
    };
    return {
      user,
      sessionId,
      data,
      expires,
      cookie: `${sessionCookieName}=${encodeURIComponent(signer.sign(sessionId))}`,
    };
  });
  await client.query(
    `insert into sessions (id, data, expires_at) select * from unnest($1::text[], $2::jsonb[], $3::timestamptz[])`,
    [rows.map((row) => row.sessionId), rows.map((row) => JSON.stringify(row.data)), rows.map((row) => row.expires)],
  );
  const visitors: Visitor[] = [];
  const queue = [...rows];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const response = await fetch(`${baseUrl}/settings`, { headers: visitorHeaders(row), redirect: 'manual' });
        const html = await response.text();
        const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
        if (response.status !== 200 || !token)
          throw new Error(`could not open a page as ${row.user.kind} ${row.user.id}: HTTP ${response.status}`);
        visitors.push({ userId: row.user.id, kind: row.user.kind, cookie: row.cookie, csrfToken: token });
      }
    }),
  );
  return visitors;
}
