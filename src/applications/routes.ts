import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireJobseeker, requireStaff, signedInUser } from '../web/guards.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { formErrors, noErrors, zodFormErrors, type FormErrors } from '../web/form-errors.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { ApplicationRecord } from './repository.ts';
import type { ApplicationPageOptions, ApplicationPageService } from './application-page.ts';
import type { ApplicationsService } from './service.ts';
import { statusChangeSchema } from './schemas.ts';
import { canWithdraw, statusLabel } from './status.ts';
import { applicationUrls } from './urls.ts';

export interface ApplicationRouteServices {
  applications: ApplicationsService;
  applicationPage: ApplicationPageService;
}

/** Renders the application page (a 404 if this person may not see it). */
async function renderApplicationPage(
  reply: FastifyReply,
  applicationPage: ApplicationPageService,
  viewer: SignedInUser,
  applicationId: string,
  options: ApplicationPageOptions & { status?: number },
): Promise<FastifyReply> {
  const page = await applicationPage.applicationPage(viewer, applicationId, options);
  if (!page) throw new NotFoundError();
  return reply.code(options.status ?? 200).render(page.template, page.view);
}

function applicationIdOf(request: FastifyRequest): string {
  return requireUuid((request.params as { applicationId: string }).applicationId);
}

export function registerApplicationRoutes(app: FastifyInstance, services: ApplicationRouteServices): void {
  const { applications, applicationPage } = services;

  app.get('/staff/applications/:applicationId', { preHandler: requireStaff }, async (request, reply) =>
    renderApplicationPage(reply, applicationPage, signedInUser(request), applicationIdOf(request), {
      markRead: true,
      before: earlierMessagesCursor(request.query),
      // "Use template" beside the message form: the page again, with the template filled for this applicant.
      templateId: pickedTemplate(request.query),
    }),
  );

  app.post('/staff/applications/:applicationId/status', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const applicationId = applicationIdOf(request);
    const parsed = statusChangeSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const errors = zodFormErrors(parsed.error);
      const statusErrors = formErrors(errors.list.map((e) => ({ field: 'to', text: e.text })));
      return renderApplicationPage(reply, applicationPage, user, applicationId, {
        markRead: false,
        statusErrors,
        status: 400,
      });
    }
    const result = await applications.changeStatus({
      applicationId,
      actorUserId: user.id,
      actor: 'staff',
      expectedStatus: parsed.data.expectedStatus,
      to: parsed.data.to,
    });
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'changed') {
      request.session.set('flash', `Status changed to ‘${statusLabel(parsed.data.to)}’`);
      return reply.redirect(applicationUrls.staffApplication(applicationId), 303);
    }
    return renderApplicationPage(reply, applicationPage, user, applicationId, {
      markRead: false,
      statusErrors: formErrors([{ field: 'to', text: result.message }]),
      status: 409,
    });
  });

  app.post('/staff/applications/:applicationId/follow', { preHandler: requireStaff }, async (request, reply) => {
    const applicationId = applicationIdOf(request);
    const following = (request.body as Record<string, unknown> | undefined)?.following === 'yes';
    if (!(await applicationPage.setFollowing(signedInUser(request), applicationId, following))) {
      throw new NotFoundError();
    }
    request.session.set(
      'flash',
      following ? 'You are following this application' : 'You have stopped following this application',
    );
    return reply.redirect(applicationUrls.staffApplication(applicationId), 303);
  });

  app.get('/applications', { preHandler: requireJobseeker }, async (request, reply) => {
    return reply.render('applications/views/jobseeker-applications.njk', {
      pageTitle: 'Your applications',
      applications: await applicationPage.yourApplications(signedInUser(request)),
    });
  });

  app.get('/applications/:applicationId', { preHandler: requireJobseeker }, async (request, reply) =>
    renderApplicationPage(reply, applicationPage, signedInUser(request), applicationIdOf(request), {
      markRead: true,
      before: earlierMessagesCursor(request.query),
    }),
  );

  async function loadJobseekerApplication(request: FastifyRequest): Promise<ApplicationRecord> {
    const application = await applications.findForJobseeker(applicationIdOf(request), signedInUser(request).id);
    if (!application) throw new NotFoundError();
    return application;
  }

  async function renderWithdraw(reply: FastifyReply, application: ApplicationRecord, errors: FormErrors, status = 200) {
    return reply.code(status).render('applications/views/withdraw.njk', {
      pageTitle: `Withdraw your application for ${application.vacancyTitle}`,
      application,
      action: applicationUrls.withdraw(application.id),
      errors,
      backLink: { href: applicationUrls.jobseekerApplication(application.id) },
    });
  }

  app.get('/applications/:applicationId/withdraw', { preHandler: requireJobseeker }, async (request, reply) => {
    const application = await loadJobseekerApplication(request);
    if (!canWithdraw(application.status))
      return reply.redirect(applicationUrls.jobseekerApplication(application.id), 303);
    return renderWithdraw(reply, application, noErrors());
  });

  app.post('/applications/:applicationId/withdraw', { preHandler: requireJobseeker }, async (request, reply) => {
    const user = signedInUser(request);
    const application = await loadJobseekerApplication(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.confirm === 'no') return reply.redirect(applicationUrls.jobseekerApplication(application.id), 303);
    if (body.confirm !== 'yes') {
      return renderWithdraw(
        reply,
        application,
        formErrors([{ field: 'confirm', text: 'Select yes if you want to withdraw your application' }]),
        400,
      );
    }
    const result = await applications.changeStatus({
      applicationId: application.id,
      actorUserId: user.id,
      actor: 'jobseeker',
      expectedStatus: application.status,
      to: 'withdrawn',
    });
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome !== 'changed') {
      return renderWithdraw(reply, application, formErrors([{ field: 'confirm', text: result.message }]), 409);
    }
    request.session.set('flash', 'Your application has been withdrawn');
    return reply.redirect(applicationUrls.jobseekerApplication(application.id), 303);
  });
}

/** The template picked in the message form's "Use template" (a GET form), if any. */
function pickedTemplate(query: unknown): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.template;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** "Show earlier messages": `?before=<message id>`, or null for the latest messages; anything but one id is a 404. */
function earlierMessagesCursor(query: unknown): string | null {
  const value = (query as Record<string, unknown> | undefined)?.before;
  if (value === undefined || value === '') return null;
  return requireUuid(value);
}
