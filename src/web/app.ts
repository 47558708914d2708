import { randomUUID } from 'node:crypto';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifySession from '@fastify/session';
import fastifyStatic from '@fastify/static';
import type { Server } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyHttpOptions,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type nunjucks from 'nunjucks';
import type { Logger } from 'pino';
import type { AppConfig } from '../config.ts';
import type { Db } from '../platform/db.ts';
import { createPostgresSessionStore } from './session-store.ts';
import { navigationFor, type NavigationCounts } from './navigation.ts';
import { formField, registerMultipart } from './multipart.ts';
import { removeNulCharacters } from './form-input.ts';
import type { SignedInUser } from './signed-in-user.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: SignedInUser | null;
    /**
     * The navigation's numbers for this request, once known. A page that counts them anyway (the dashboard) seeds
     * them; otherwise they are counted when the page is rendered, after whatever the page marked read.
     */
    navigationCounts: NavigationCounts | null;
  }
  interface FastifyReply {
    render(template: string, context?: Record<string, unknown>): Promise<FastifyReply>;
  }
  interface Session {
    userId?: string;
    flash?: string;
    /** Where the flash belongs when not at the top of the page: the id of the page's section it is about. */
    flashPlacement?: string;
    /** When a signed-in session's expiry last moved (ms since the epoch): see sessionTouchIntervalMs. */
    touchedAt?: number;
  }
}

export const sessionCookieName = 'parley_session';

/** A session ends after this long without a request (its expiry moves on at most every sessionTouchIntervalMs). */
export const sessionIdleMs = 8 * 60 * 60 * 1000;

/**
 * A signed-in session's expiry moves on (a save: an UPDATE and a commit) at most this often, rather than on every
 * request; so the idle timeout is sessionIdleMs, less up to this much.
 */
export const sessionTouchIntervalMs = 5 * 60 * 1000;

/** Registers one feature's routes, with the services that feature's routes were given by the composition root. */
export type RouteRegistration = (app: FastifyInstance) => void;

/** What the web layer needs from the rest of Parley. It knows no feature: the composition root supplies these. */
export interface WebDependencies {
  config: AppConfig;
  logger: Logger;
  views: nunjucks.Environment;
  /** Where sessions are kept. */
  db: Db;
  loadSignedInUser(userId: string): Promise<SignedInUser | undefined>;
  navigationCounts(user: SignedInUser): Promise<NavigationCounts>;
  checkDatabase(): Promise<void>;
  /** Every feature's routes, in order. */
  routes: readonly RouteRegistration[];
}

/**
 * The web application. Plugins are registered in the order requests meet them:
 * security headers, cookies and session, body parsing, CSRF, the signed-in user, then the features' routes.
 */
export async function createApp(deps: WebDependencies): Promise<FastifyInstance> {
  const { config, views } = deps;
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const hops = config.trustProxy;
  const trustProxy: FastifyHttpOptions<Server>['trustProxy'] =
    typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : hops;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const header = request.headers['x-request-id'];
      return typeof header === 'string' && /^[\w-]{1,64}$/.test(header) ? header : randomUUID();
    },
    bodyLimit: config.bodyLimitBytes,
    trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.decorateRequest('user', null);
  app.decorateRequest('navigationCounts', null);
  app.decorateReply(
    'render',
    async function render(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
      const request = this.request;
      // Counted here, after the page's own work (opening a conversation marks it read), on every page a signed-in
      // person sees: error pages and re-rendered forms included. A page that counted them already seeds them.
      if (request.user && !request.navigationCounts) {
        request.navigationCounts = await deps.navigationCounts(request.user).catch((error: unknown) => {
          request.log.warn({ err: error }, 'the navigation counts could not be read');
          return null;
        });
      }
      // Without a session (its store, the database, was unreachable) only the error page is rendered: no flash, no
      // form, so no CSRF token either.
      const hasSession = typeof (request.session as Partial<typeof request.session> | undefined)?.get === 'function';
      const flash = hasSession ? request.session.get('flash') : undefined;
      const flashPlacement = hasSession ? request.session.get('flashPlacement') : undefined;
      if (flash) request.session.set('flash', undefined);
      if (flashPlacement) request.session.set('flashPlacement', undefined);
      const html = renderPage(views, config, template, {
        ...context,
        user: request.user,
        navigation: navigationFor(request.user, request.url, request.navigationCounts),
        csrfToken: hasSession ? this.generateCsrf() : '',
        cspNonce: this.cspNonce.script,
        styleNonce: this.cspNonce.style,
        currentUrl: request.url,
        flash,
        flashPlacement,
      });
      // A signed-in page holds personal data and read state: never kept by the browser or a shared cache.
      if (request.user && !this.hasHeader('cache-control')) this.header('Cache-Control', 'private, no-store');
      return this.type('text/html; charset=utf-8').send(html);
    },
  );

  await app.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        upgradeInsecureRequests: config.isProduction ? [] : null,
      },
    },
    strictTransportSecurity: config.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });

  await app.register(fastifyStatic, {
    root: path.join(config.projectRoot, 'node_modules/govuk-frontend/dist/govuk/assets'),
    prefix: '/assets/',
    maxAge: config.isProduction ? '1d' : 0,
  });
  await app.register(fastifyStatic, {
    root: [
      path.join(config.projectRoot, 'src/web/public'),
      path.join(config.projectRoot, 'node_modules/govuk-frontend/dist/govuk'),
      path.join(config.projectRoot, 'node_modules/trix/dist'),
    ],
    prefix: '/public/',
    decorateReply: false,
    allowedPath: (pathName) => !pathName.endsWith('.map') && !pathName.endsWith('.njk') && !pathName.endsWith('.scss'),
    maxAge: config.isProduction ? '1h' : 0,
  });

  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: config.sessionSecret,
    cookieName: sessionCookieName,
    store: createPostgresSessionStore(deps.db),
    saveUninitialized: false,
    // Saved when changed: a signed-in session is changed on purpose every few minutes (touchedAt, below), which moves
    // its expiry on; rolling would save it on every request.
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, maxAge: sessionIdleMs, path: '/' },
  });
  await app.register(fastifyFormbody, { bodyLimit: config.bodyLimitBytes });
  await registerMultipart(app, config.attachments);
  app.addHook('preValidation', (request, _reply, done) => {
    request.body = removeNulCharacters(request.body);
    done();
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/session',
    getToken: (request) => formField(request, '_csrf') || undefined,
  });

  // Every POST carries a CSRF token. The one exception is the one-click unsubscribe POST that mail programs send
  // (RFC 8058): it cannot carry one, and the signed token in its address is checked instead.
  app.addHook('preHandler', (request, reply, done) => {
    const config = request.routeOptions.config as { csrf?: string };
    if (request.method === 'POST' && config.csrf !== 'signed-token') {
      app.csrfProtection(request, reply, done);
    } else {
      done();
    }
  });

  app.addHook('preHandler', async (request) => {
    if (request.url.startsWith('/public/') || request.url.startsWith('/assets/')) return;
    const userId = request.session.get('userId');
    if (userId) {
      request.user = (await deps.loadSignedInUser(userId)) ?? null;
      if (!request.user) request.session.set('userId', undefined);
      const touchedAt = request.session.get('touchedAt');
      const now = Date.now();
      const stale = typeof touchedAt !== 'number' || touchedAt > now || now - touchedAt >= sessionTouchIntervalMs;
      if (request.user && stale) request.session.set('touchedAt', now);
    }
  });

  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });

  app.get('/health', () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    try {
      await deps.checkDatabase();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });

  for (const register of deps.routes) register(app);

  app.setNotFoundHandler((_request, reply) => reply.code(404).render('errors/not-found.njk'));

  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      request.log.warn({ code: error.code }, 'refused a form without a valid CSRF token');
      return reply.code(403).render('errors/forbidden.njk', { reason: 'csrf' });
    }
    if (status === 404) return reply.code(404).render('errors/not-found.njk');
    if (status === 403) return reply.code(403).render('errors/forbidden.njk');
    if (status === 413) return reply.code(413).render('errors/too-large.njk');
    if (status >= 400 && status < 500) return reply.code(status).render('errors/bad-request.njk');
    request.log.error({ err: error }, 'unexpected error');
    // A request that failed changes no session, and its error page must not depend on saving one: the database may
    // be what failed (without this, the session's save would turn the page into a bare JSON error).
    (request as { session?: unknown }).session = undefined;
    return reply.code(500).render('errors/server-error.njk');
  });

  return app;
}

function renderPage(
  views: nunjucks.Environment,
  config: AppConfig,
  template: string,
  context: Record<string, unknown>,
): string {
  return views.render(template, { ...context, serviceName: 'Parley', isDevelopment: config.isDevelopment });
}
