import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { formErrors, noErrors, type FormErrors } from '../web/form-errors.ts';
import { requireStaff, signedInUser } from '../web/guards.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { accountUrls } from '../accounts/urls.ts';
import { minimumPasswordLength } from '../accounts/schemas.ts';
import type { ColleaguesService } from './service.ts';
import { isStaffRole, roleLabels } from './rules.ts';
import { colleagueUrls } from './urls.ts';

export interface ColleagueRouteServices {
  colleagues: ColleaguesService;
}

const text = z.string().catch('');
const inviteForm = z.object({ email: text, role: text });
const acceptForm = z.object({ token: text, fullName: text, password: text });

const linkProblems = {
  unknown: {
    title: 'This link is not valid',
    body: 'The link may have been copied wrongly: check you used the whole link from the email.',
  },
  used: { title: 'This invitation has already been used', body: 'Each invitation works once.' },
  superseded: {
    title: 'This invitation has been replaced',
    body: 'A newer invitation was sent after this one. Use the link in the newest email.',
  },
  expired: { title: 'This invitation has expired', body: 'Invitations work for 7 days.' },
};

function params(request: import('fastify').FastifyRequest) {
  const raw = request.params as { organisationId: string; userId?: string };
  return { organisationId: requireUuid(raw.organisationId), userId: raw.userId ? requireUuid(raw.userId) : '' };
}

export function registerColleagueRoutes(app: FastifyInstance, services: ColleagueRouteServices): void {
  const { colleagues } = services;

  function renderLinkProblem(reply: FastifyReply, check: keyof typeof linkProblems) {
    const problem = linkProblems[check];
    return reply.code(check === 'unknown' ? 404 : 410).render('accounts/views/link-problem.njk', {
      pageTitle: problem.title,
      problem,
      nextStep: {
        lead: 'Ask an administrator of the organisation to invite you again.',
        text: 'Go to sign in',
        href: accountUrls.signIn(),
      },
    });
  }

  app.get('/staff/colleagues', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const memberships = await colleagues.memberships(user);
    return reply.render('colleagues/views/organisations.njk', {
      pageTitle: 'Colleagues',
      memberships: memberships.map((m) => ({
        ...m,
        roleLabel: roleLabels[m.role],
        url: m.role === 'admin' ? colleagueUrls.colleagues(m.organisationId) : null,
      })),
    });
  });

  app.get('/staff/organisations/:organisationId/colleagues', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const { organisationId } = params(request);
    const page = await colleagues.colleaguesPage(user, organisationId);
    if (!page) throw new NotFoundError();
    return reply.render('colleagues/views/colleagues.njk', {
      pageTitle: `Colleagues – ${page.organisation.organisationName}`,
      organisation: page.organisation,
      colleagues: page.colleagues.map((c) => ({
        ...c,
        isYou: c.userId === user.id,
        roleLabel: roleLabels[c.role],
        roleUrl: colleagueUrls.role(organisationId, c.userId),
        removeUrl: colleagueUrls.remove(organisationId, c.userId),
      })),
      invitations: page.invitations.map((i) => ({ ...i, roleLabel: roleLabels[i.role] })),
      inviteUrl: colleagueUrls.invite(organisationId),
      auditUrl: colleagueUrls.audit(organisationId),
      backLink: { href: colleagueUrls.organisations(), text: 'All your organisations' },
    });
  });

  async function renderInvite(
    reply: FastifyReply,
    organisation: { organisationId: string; organisationName: string },
    values: { email: string; role: string },
    errors: FormErrors,
    status = 200,
  ) {
    return reply.code(status).render('colleagues/views/invite.njk', {
      pageTitle: `Invite a colleague to ${organisation.organisationName}`,
      organisation,
      values,
      errors,
      action: colleagueUrls.invite(organisation.organisationId),
      backLink: { href: colleagueUrls.colleagues(organisation.organisationId) },
    });
  }

  app.get(
    '/staff/organisations/:organisationId/colleagues/invite',
    { preHandler: requireStaff },
    async (request, reply) => {
      const user = signedInUser(request);
      const organisation = await colleagues.organisationFor(user, params(request).organisationId);
      if (!organisation) throw new NotFoundError();
      return renderInvite(reply, organisation, { email: '', role: 'member' }, noErrors());
    },
  );

  app.post(
    '/staff/organisations/:organisationId/colleagues/invite',
    { preHandler: requireStaff },
    async (request, reply) => {
      const user = signedInUser(request);
      const { organisationId } = params(request);
      const form = inviteForm.parse(request.body ?? {});
      const result = await colleagues.invite(user, organisationId, form);
      switch (result.outcome) {
        case 'not-found':
          throw new NotFoundError();
        case 'invalid':
        case 'refused': {
          const organisation = await colleagues.organisationFor(user, organisationId);
          if (!organisation) throw new NotFoundError();
          const errors = result.outcome === 'invalid' ? result.errors : [{ field: 'email', text: result.message }];
          return renderInvite(reply, organisation, form, formErrors(errors), 400);
        }
        case 'done':
          request.session.set('flash', result.message);
          return reply.redirect(colleagueUrls.colleagues(organisationId), 303);
      }
    },
  );

  app.get(
    '/staff/organisations/:organisationId/colleagues/:userId/role',
    { preHandler: requireStaff },
    async (request, reply) => {
      const user = signedInUser(request);
      const { organisationId, userId } = params(request);
      const page = await colleagues.colleaguePage(user, organisationId, userId);
      if (!page) throw new NotFoundError();
      return reply.render('colleagues/views/role.njk', {
        pageTitle: `Change ${page.colleague.fullName}'s role`,
        page,
        errors: noErrors(),
        action: colleagueUrls.role(organisationId, userId),
        backLink: { href: colleagueUrls.colleagues(organisationId) },
      });
    },
  );

  app.post(
    '/staff/organisations/:organisationId/colleagues/:userId/role',
    { preHandler: requireStaff },
    async (request, reply) => {
      const user = signedInUser(request);
      const { organisationId, userId } = params(request);
      const role = (request.body as Record<string, unknown> | undefined)?.role;
      if (!isStaffRole(role)) {
        const page = await colleagues.colleaguePage(user, organisationId, userId);
        if (!page) throw new NotFoundError();
        return reply.code(400).render('colleagues/views/role.njk', {
          pageTitle: `Change ${page.colleague.fullName}'s role`,
          page,
          errors: formErrors([{ field: 'role', text: 'Select a role' }]),
          action: colleagueUrls.role(organisationId, userId),
          backLink: { href: colleagueUrls.colleagues(organisationId) },
        });
      }
      const result = await colleagues.setRole(user, organisationId, userId, role);
      if (result.outcome === 'not-found' || result.outcome === 'invalid') throw new NotFoundError();
      request.session.set('flash', result.message);
      return reply.redirect(colleagueUrls.colleagues(organisationId), 303);
    },
  );

  app.get(
    '/staff/organisations/:organisationId/colleagues/:userId/remove',
    { preHandler: requireStaff },
    async (request, reply) => {
      const user = signedInUser(request);
      const { organisationId, userId } = params(request);
      const page = await colleagues.colleaguePage(user, organisationId, userId);
      if (!page) throw new NotFoundError();
      return reply.render('colleagues/views/remove.njk', {
        pageTitle: `Remove ${page.colleague.fullName}`,
        page,
        isYou: userId === user.id,
        action: colleagueUrls.remove(organisationId, userId),
        cancelUrl: colleagueUrls.colleagues(organisationId),
        backLink: { href: colleagueUrls.colleagues(organisationId) },
      });
    },
  );

  app.post(
    '/staff/organisations/:organisationId/colleagues/:userId/remove',
    { preHandler: requireStaff },
    async (request, reply) => {
      const user = signedInUser(request);
      const { organisationId, userId } = params(request);
      const result = await colleagues.remove(user, organisationId, userId);
      if (result.outcome === 'not-found' || result.outcome === 'invalid') throw new NotFoundError();
      if (result.outcome === 'done' && userId === user.id) {
        // They removed themselves: their sessions have ended, this one too.
        await request.session.regenerate();
        request.session.set('flash', result.message.replace(/^.* has been removed$/, 'You have left the organisation'));
        return reply.redirect(accountUrls.signIn(), 303);
      }
      request.session.set('flash', result.message);
      return reply.redirect(colleagueUrls.colleagues(organisationId), 303);
    },
  );

  app.get('/staff/organisations/:organisationId/audit', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const { organisationId } = params(request);
    const page = await colleagues.auditPage(user, organisationId);
    if (!page) throw new NotFoundError();
    return reply.render('colleagues/views/audit.njk', {
      pageTitle: `Audit log – ${page.organisation.organisationName}`,
      organisation: page.organisation,
      events: page.events,
      backLink: { href: colleagueUrls.colleagues(organisationId) },
    });
  });

  async function renderAccept(
    reply: FastifyReply,
    token: string,
    values: { fullName: string },
    errors: FormErrors,
    status = 200,
  ) {
    const page = await colleagues.invitationPage(token);
    if (page.check !== 'valid') return renderLinkProblem(reply, page.check);
    return reply.code(status).render('colleagues/views/accept.njk', {
      pageTitle: `Join ${page.organisationName}`,
      page,
      token,
      values,
      errors,
      minimumPasswordLength,
    });
  }

  app.get('/invitations/accept', async (request, reply) => {
    const token = (request.query as Record<string, unknown>).token;
    return renderAccept(reply, typeof token === 'string' ? token : '', { fullName: '' }, noErrors());
  });

  app.post('/invitations/accept', async (request, reply) => {
    const form = acceptForm.parse(request.body ?? {});
    const result = await colleagues.acceptInvitation(form.token, form);
    switch (result.outcome) {
      case 'link':
        return renderLinkProblem(reply, result.check);
      case 'invalid':
        return renderAccept(reply, form.token, { fullName: form.fullName }, formErrors(result.errors), 400);
      case 'refused':
        return renderAccept(
          reply,
          form.token,
          { fullName: form.fullName },
          formErrors([{ field: 'fullName', text: result.message }]),
          409,
        );
      case 'not-found':
        throw new NotFoundError();
      case 'done':
        // Whoever was signed in here, the next step is signing in as the invited account.
        await request.session.regenerate();
        request.session.set('flash', result.message);
        return reply.redirect(accountUrls.signIn(), 303);
    }
  });
}
