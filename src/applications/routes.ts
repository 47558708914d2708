import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Container } from '../container.ts';
import { requireJobseeker, requireStaff, signedInUser } from '../web/app.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { formErrors, noErrors, zodFormErrors, type FormErrors } from '../web/form-errors.ts';
import { listApplicationsForJobseeker, type ApplicationRecord } from './repository.ts';
import { renderApplicationPage, withdrawableStatuses } from './pages.ts';
import { statusChangeSchema } from './schemas.ts';
import { jobseekerStatusLabel, staffStatusLabel } from './status.ts';
import { applicationUrls } from './urls.ts';

export function registerApplicationRoutes(app: FastifyInstance, container: Container): void {
  const { db, applications } = container;

  app.get('/staff/applications/:applicationId', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const applicationId = requireUuid((request.params as { applicationId: string }).applicationId);
    const application = await applications.findForStaff(applicationId, user.id);
    if (!application) throw new NotFoundError();
    return renderApplicationPage(container, reply, application, user);
  });

  app.post('/staff/applications/:applicationId/status', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const applicationId = requireUuid((request.params as { applicationId: string }).applicationId);
    const application = await applications.findForStaff(applicationId, user.id);
    if (!application) throw new NotFoundError();
    const parsed = statusChangeSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const errors = zodFormErrors(parsed.error);
      const statusErrors = formErrors(errors.list.map((e) => ({ field: 'to', text: e.text })));
      return renderApplicationPage(container, reply, application, user, { statusErrors, status: 400 });
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
      request.session.set('flash', `Status changed to ‘${staffStatusLabel(parsed.data.to)}’`);
      return reply.redirect(applicationUrls.staffApplication(applicationId), 303);
    }
    const fresh = (await applications.findForStaff(applicationId, user.id)) ?? application;
    return renderApplicationPage(container, reply, fresh, user, {
      statusErrors: formErrors([{ field: 'to', text: result.message }]),
      status: 409,
    });
  });

  app.get('/applications', { preHandler: requireJobseeker }, async (request, reply) => {
    const user = signedInUser(request);
    const rows = await listApplicationsForJobseeker(db, user.id);
    return reply.render('applications/views/jobseeker-applications.njk', {
      pageTitle: 'Your applications',
      applications: rows.map((a) => ({
        ...a,
        statusLabel: jobseekerStatusLabel(a.status),
        url: applicationUrls.jobseekerApplication(a.id),
      })),
    });
  });

  async function loadJobseekerApplication(request: import('fastify').FastifyRequest): Promise<ApplicationRecord> {
    const user = signedInUser(request);
    const applicationId = requireUuid((request.params as { applicationId: string }).applicationId);
    const application = await applications.findForJobseeker(applicationId, user.id);
    if (!application) throw new NotFoundError();
    return application;
  }

  app.get('/applications/:applicationId', { preHandler: requireJobseeker }, async (request, reply) => {
    const application = await loadJobseekerApplication(request);
    return renderApplicationPage(container, reply, application, signedInUser(request));
  });

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
    if (!withdrawableStatuses.includes(application.status))
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
