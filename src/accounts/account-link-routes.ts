import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { formErrors, noErrors, type FormErrors } from '../web/form-errors.ts';
import { requireJobseeker, signedInUser } from '../web/guards.ts';
import { minimumPasswordLength } from './password-rules.ts';
import { emailAddressError, fullNameError, newPasswordError } from './schemas.ts';
import { safeReturnTo } from './routes.ts';
import type { AccountLinksService, AccountsService } from './service.ts';
import { accountUrls } from './urls.ts';
import type { TokenCheck } from './account-tokens.ts';

export interface AccountLinkRouteServices {
  accounts: AccountsService;
  accountLinks: AccountLinksService;
}

const text = z.string().catch('');
const signUpForm = z.object({ fullName: text, email: text, password: text, returnTo: text });
const emailForm = z.object({ email: text });
const passwordForm = z.object({ token: text, password: text, confirmPassword: text });
const tokenForm = z.object({ token: text, returnTo: text });

const linkProblems: Record<Exclude<TokenCheck, 'valid'>, { title: string; body: string }> = {
  unknown: {
    title: 'This link is not valid',
    body: 'The link may have been copied wrongly: check you used the whole link from the email.',
  },
  used: { title: 'This link has already been used', body: 'Each link in an email from Parley works once.' },
  superseded: {
    title: 'This link has been replaced',
    body: 'A newer email was sent after this one. Use the link in the newest email.',
  },
  expired: { title: 'This link has expired', body: 'Links in emails from Parley work for a limited time.' },
};

/** The page for a link that does not work: what happened, and a way forward. */
export function renderLinkProblem(
  reply: FastifyReply,
  check: Exclude<TokenCheck, 'valid'>,
  nextStep: { text: string; href: string; lead: string },
): Promise<FastifyReply> {
  const problem = linkProblems[check];
  return reply
    .code(check === 'unknown' ? 404 : 410)
    .render('accounts/views/link-problem.njk', { pageTitle: problem.title, problem, nextStep });
}

export function registerAccountLinkRoutes(app: FastifyInstance, services: AccountLinkRouteServices): void {
  const { accountLinks } = services;

  function renderSignUp(
    reply: FastifyReply,
    values: { fullName: string; email: string; returnTo: string },
    errors: FormErrors,
    status = 200,
  ) {
    return reply.code(status).render('accounts/views/sign-up.njk', {
      pageTitle: 'Create a jobseeker account',
      values,
      errors,
      signInUrl: accountUrls.signIn(values.returnTo === '/' ? undefined : values.returnTo),
      minimumPasswordLength,
    });
  }

  app.get('/sign-up', async (request, reply) => {
    if (request.user) return reply.redirect('/', 303);
    const query = request.query as Record<string, unknown>;
    return renderSignUp(reply, { fullName: '', email: '', returnTo: safeReturnTo(query.returnTo) }, noErrors());
  });

  app.post('/sign-up', async (request, reply) => {
    const form = signUpForm.parse(request.body ?? {});
    const values = { fullName: form.fullName, email: form.email, returnTo: safeReturnTo(form.returnTo) };
    const problems = [
      { field: 'fullName', text: fullNameError(form.fullName) },
      { field: 'email', text: emailAddressError(form.email) },
      { field: 'password', text: newPasswordError(form.password) },
    ].filter((p): p is { field: string; text: string } => p.text !== null);
    if (problems.length) return renderSignUp(reply, values, formErrors(problems), 400);
    const outcome = await accountLinks.signUp({
      fullName: form.fullName,
      email: form.email,
      password: form.password,
      clientAddress: request.ip,
      returnTo: values.returnTo,
    });
    if (outcome === 'too-many-attempts') {
      return renderSignUp(
        reply,
        values,
        formErrors([{ field: 'email', text: 'You have tried too many times. Wait 15 minutes and try again.' }]),
        429,
      );
    }
    return reply.render('accounts/views/check-email.njk', {
      pageTitle: 'Check your email',
      email: form.email.trim(),
      purpose: 'sign-up',
    });
  });

  app.get('/forgotten-password', async (_request, reply) =>
    reply.render('accounts/views/forgotten-password.njk', {
      pageTitle: 'Reset your password',
      values: { email: '' },
      errors: noErrors(),
    }),
  );

  app.post('/forgotten-password', async (request, reply) => {
    const form = emailForm.parse(request.body ?? {});
    const error = emailAddressError(form.email);
    let status = 400;
    let errors = error ? formErrors([{ field: 'email', text: error }]) : noErrors();
    if (!error) {
      const outcome = await accountLinks.requestPasswordReset({ email: form.email, clientAddress: request.ip });
      if (outcome === 'sent') {
        return reply.render('accounts/views/check-email.njk', {
          pageTitle: 'Check your email',
          email: form.email.trim(),
          purpose: 'reset',
        });
      }
      status = 429;
      errors = formErrors([{ field: 'email', text: 'You have tried too many times. Wait 15 minutes and try again.' }]);
    }
    return reply.code(status).render('accounts/views/forgotten-password.njk', {
      pageTitle: 'Reset your password',
      values: { email: form.email },
      errors,
    });
  });

  const newResetLink = {
    lead: 'You can ask for a new link.',
    text: 'Get a new link to reset your password',
    href: accountUrls.forgottenPassword(),
  };

  app.get('/reset-password', async (request, reply) => {
    const token = (request.query as Record<string, unknown>).token;
    const { check } = await accountLinks.checkLink('reset-password', token);
    if (check !== 'valid') return renderLinkProblem(reply, check, newResetLink);
    return reply.render('accounts/views/reset-password.njk', {
      pageTitle: 'Choose a new password',
      token,
      errors: noErrors(),
      minimumPasswordLength,
    });
  });

  app.post('/reset-password', async (request, reply) => {
    const form = passwordForm.parse(request.body ?? {});
    const { check } = await accountLinks.checkLink('reset-password', form.token);
    if (check !== 'valid') return renderLinkProblem(reply, check, newResetLink);
    const problems = [{ field: 'password', text: newPasswordError(form.password) }];
    if (!problems[0]?.text && form.password !== form.confirmPassword)
      problems.push({ field: 'confirmPassword', text: 'Enter the same password in both boxes' });
    const errors = formErrors(problems.filter((p): p is { field: string; text: string } => p.text !== null));
    if (errors.list.length) {
      return reply.code(400).render('accounts/views/reset-password.njk', {
        pageTitle: 'Choose a new password',
        token: form.token,
        errors,
        minimumPasswordLength,
      });
    }
    const result = await accountLinks.resetPassword(form.token, form.password);
    if (result.outcome !== 'done') return renderLinkProblem(reply, result.outcome, newResetLink);
    // Every session of the account has ended, this one included: a fresh one carries the message.
    await request.session.regenerate();
    request.session.set('flash', 'Your password has been changed. Sign in with your new password.');
    return reply.redirect(accountUrls.signIn(), 303);
  });

  const newVerificationLink = {
    lead: 'Sign in to get a new link.',
    text: 'Sign in',
    href: accountUrls.signIn(),
  };

  app.get('/verify-email', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const { check } = await accountLinks.checkLink('verify-email', query.token);
    if (check !== 'valid') return renderLinkProblem(reply, check, newVerificationLink);
    // Confirming is a button, not the link itself: mail scanners that open links must not use it up.
    return reply.render('accounts/views/confirm-email.njk', {
      pageTitle: 'Confirm your email address',
      token: query.token,
      returnTo: safeReturnTo(query.returnTo),
    });
  });

  app.post('/verify-email', async (request, reply) => {
    const form = tokenForm.parse(request.body ?? {});
    const returnTo = safeReturnTo(form.returnTo);
    const result = await accountLinks.confirmEmail(form.token);
    if (result.outcome !== 'done') return renderLinkProblem(reply, result.outcome, newVerificationLink);
    request.session.set('flash', 'Your email address is confirmed. You can now apply for jobs.');
    if (request.user?.id === result.userId) return reply.redirect(returnTo, 303);
    return reply.redirect(accountUrls.signIn(returnTo === '/' ? undefined : returnTo), 303);
  });

  app.post('/verify-email/resend', { preHandler: requireJobseeker }, async (request, reply) => {
    const user = signedInUser(request);
    const returnTo = safeReturnTo((request.body as Record<string, unknown> | undefined)?.returnTo);
    const outcome = await accountLinks.resendVerification(user.id, request.ip, returnTo);
    request.session.set(
      'flash',
      outcome === 'sent'
        ? `We have sent a new link to ${user.email}. Follow it to confirm your email address.`
        : outcome === 'already-confirmed'
          ? 'Your email address is already confirmed.'
          : 'You have asked for too many links. Wait 15 minutes and try again.',
    );
    return reply.redirect(returnTo, 303);
  });
}
