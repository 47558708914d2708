import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApplicationPageService } from '../applications/application-page.ts';
import type { NavigationCounts } from '../web/navigation.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import { requireSignedIn, signedInUser } from '../web/guards.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import type { LiveService, LiveSink } from './service.ts';

/**
 * Live pages' event streams (Server-Sent Events) and the thread a conversation page fetches when told of a new
 * message. Pages work without them: only the browser script (src/web/public/live.js) opens them.
 */
export interface LiveRouteServices {
  live: LiveService;
  applicationPage: ApplicationPageService;
  navigationCounts: (user: SignedInUser) => Promise<NavigationCounts>;
}

/** How long a browser waits before it reconnects a dropped stream (the `retry:` field). */
const reconnectMs = 3_000;

/** An event id or `since` is a time in milliseconds: digits only, anything else is ignored. */
function timeFrom(value: unknown): number | null {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : null;
}

/**
 * The response as an event stream. It is taken over from Fastify (hijacked) only when the stream opens, so a refusal
 * before that (404, 429) is an ordinary page. The security headers already set for this response are kept.
 */
function eventStream(reply: FastifyReply): LiveSink {
  const raw = reply.raw;
  let started = false;
  const write = (text: string) => {
    if (!started) {
      started = true;
      reply.hijack();
      const headers = {
        ...reply.getHeaders(),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'private, no-store',
        // Proxies that buffer responses (nginx) pass this one on as it comes.
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      };
      raw.writeHead(200, headers as Record<string, string>);
      raw.socket?.setNoDelay(true);
      raw.write(`retry: ${reconnectMs}\n\n`);
    }
    if (!raw.writableEnded && !raw.destroyed) raw.write(text);
  };
  return {
    send(event) {
      write(
        `${event.id === undefined ? '' : `id: ${event.id}\n`}event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`,
      );
    },
    heartbeat() {
      write(': heartbeat\n\n');
    },
    end(reason) {
      if (reason === 'signed-out') write('event: signed-out\ndata: {}\n\n');
      if (started) raw.end();
    },
  };
}

export function registerLiveRoutes(app: FastifyInstance, services: LiveRouteServices): void {
  const { live, applicationPage, navigationCounts } = services;

  // Streams never finish by themselves: the server's shutdown ends them first (the pages reconnect elsewhere), or it
  // would wait for them until its time ran out.
  app.addHook('preClose', (done) => {
    live.closeAll();
    done();
  });

  async function openStream(request: FastifyRequest, reply: FastifyReply, applicationId: string | null) {
    // A signed-out browser gets a plain refusal, which ends its EventSource (a redirect to sign in would not).
    const user = request.user;
    if (!user) return reply.code(401).type('text/plain; charset=utf-8').send('Sign in to get live updates');
    const query = request.query as Record<string, unknown>;
    const since = timeFrom(request.headers['last-event-id']) ?? timeFrom(query.since);
    const sink = eventStream(reply);
    const connection: { gone: boolean; close: (() => void) | null } = { gone: false, close: null };
    // The response's 'close': the browser went away (the request's own 'close' comes as soon as it has been read).
    reply.raw.on('close', () => {
      connection.gone = true;
      connection.close?.();
    });
    const result = await live.openStream({
      user,
      sessionId: request.session.sessionId,
      applicationId,
      since,
      sink,
    });
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'too-many') {
      return reply
        .code(429)
        .header('Retry-After', '30')
        .type('text/plain; charset=utf-8')
        .send('Too many live pages are open: close some tabs');
    }
    if (result.outcome === 'closing') return reply.code(503).type('text/plain; charset=utf-8').send('Restarting');
    connection.close = result.close;
    if (connection.gone) result.close();
    return reply;
  }

  app.get('/live/events', (request, reply) => openStream(request, reply, null));

  app.get('/live/applications/:applicationId/events', (request, reply) =>
    openStream(request, reply, requireUuid((request.params as { applicationId: string }).applicationId)),
  );

  // The conversation's messages as the application page shows them, through the page's own checks. `read=1` when the
  // page is in front of the person: what they now see is marked read, as opening the page does.
  app.get('/live/applications/:applicationId/thread', { preHandler: requireSignedIn }, async (request, reply) => {
    const user = signedInUser(request);
    const applicationId = requireUuid((request.params as { applicationId: string }).applicationId);
    const markRead = (request.query as Record<string, unknown>).read === '1';
    const page = await applicationPage.applicationPage(user, applicationId, { markRead });
    if (!page) throw new NotFoundError();
    const counts = await navigationCounts(user);
    request.navigationCounts = counts;
    return reply
      .header('Cache-Control', 'private, no-store')
      .header('X-Parley-Navigation-Counts', JSON.stringify(counts))
      .render('live/views/thread.njk', page.view);
  });
}
