import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formErrors, noErrors } from '../web/form-errors.ts';
import type { AccountsService } from './service.ts';
import { accountUrls } from './urls.ts';

const signInSchema = z.object({
  email: z.string().default(''),
  password: z.string().default(''),
  returnTo: z.string().default('/'),
});

/** Why the sign-in page was shown instead of the page the person asked for, in words. */
function signInReason(returnTo: string): string | null {
  if (returnTo === '/') return null;
  if (/^\/(staff\/)?(applications\/[^/]+\/messages|messages)\b/.test(returnTo)) {
    return 'Sign in to read your messages. You will go straight to them after signing in.';
  }
  return 'Sign in to see the page you asked for. You will go straight to it after signing in.';
}

/** Only same-site paths are followed after sign-in. */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

export interface AccountRouteServices {
  accounts: AccountsService;
  /** The demo accounts the sign-in page lists (development only; empty otherwise). */
  demoAccounts: readonly { email: string; description: string }[];
}

export function registerAccountRoutes(app: FastifyInstance, services: AccountRouteServices): void {
  const { accounts } = services;
  const demoList = services.demoAccounts;

  app.get('/', async (request, reply) => {
    if (request.user?.kind === 'staff') return reply.redirect('/staff/vacancies');
    if (request.user?.kind === 'jobseeker') return reply.redirect('/applications');
    return reply.render('accounts/views/start.njk', { pageTitle: 'Parley' });
  });

  app.get('/sign-in', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    return reply.render('accounts/views/sign-in.njk', {
      pageTitle: 'Sign in',
      values: { email: '' },
      returnTo: safeReturnTo(query.returnTo),
      signInReason: signInReason(safeReturnTo(query.returnTo)),
      signUpUrl: accountUrls.signUp(safeReturnTo(query.returnTo) === '/' ? undefined : safeReturnTo(query.returnTo)),
      errors: noErrors(),
      demoAccounts: demoList,
    });
  });

  app.post('/sign-in', async (request, reply) => {
    const form = signInSchema.parse(request.body ?? {});
    const returnTo = safeReturnTo(form.returnTo);
    const fieldErrors: { field: string; text: string }[] = [];
    if (!form.email.trim()) fieldErrors.push({ field: 'email', text: 'Enter your email address' });
    if (!form.password) fieldErrors.push({ field: 'password', text: 'Enter your password' });
    let status = 400;
    if (fieldErrors.length === 0) {
      const result = await accounts.signIn({ email: form.email, password: form.password, clientAddress: request.ip });
      if (result.outcome === 'signed-in') {
        await request.session.regenerate();
        request.session.set('userId', result.user.id);
        return reply.redirect(
          returnTo === '/' ? (result.user.kind === 'staff' ? '/staff/vacancies' : '/applications') : returnTo,
          303,
        );
      }
      if (result.outcome === 'too-many-attempts') {
        status = 429;
        fieldErrors.push({
          field: 'email',
          text: 'You have tried to sign in too many times. Wait 15 minutes and try again.',
        });
      } else {
        status = 401;
        fieldErrors.push({ field: 'email', text: 'Enter a correct email address and password' });
      }
    }
    return reply.code(status).render('accounts/views/sign-in.njk', {
      pageTitle: 'Sign in',
      values: { email: form.email },
      returnTo,
      signInReason: signInReason(returnTo),
      signUpUrl: accountUrls.signUp(returnTo === '/' ? undefined : returnTo),
      errors: formErrors(fieldErrors),
      demoAccounts: demoList,
    });
  });

  app.post('/sign-out', async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/sign-in?signedOut=1', 303);
  });
}
