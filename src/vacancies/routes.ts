import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireJobseeker, requireStaff, signedInUser } from '../web/guards.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { formErrors, noErrors, zodFormErrors, type FormErrors } from '../web/form-errors.ts';
import { applicationFormSchema } from '../applications/schemas.ts';
import type { ApplicationsService } from '../applications/service.ts';
import { applicationUrls } from '../applications/urls.ts';
import { isApplicationStatus } from '../applications/status.ts';
import type { VacanciesService } from './service.ts';
import { vacancyUrls } from './urls.ts';
import { accountUrls } from '../accounts/urls.ts';
import { closingTimeText } from './rules.ts';

/** A jobseeker applies once they have confirmed their email address; until then, this page offers a new link. */
function unconfirmedEmailPage(request: FastifyRequest, reply: FastifyReply, vacancyId: string) {
  if (signedInUser(request).emailVerified !== false) return undefined;
  return reply.code(403).render('accounts/views/unconfirmed-email.njk', {
    pageTitle: 'Confirm your email address to apply',
    resendAction: accountUrls.resendVerification(),
    returnTo: vacancyUrls.apply(vacancyId),
    backLink: { href: vacancyUrls.job(vacancyId) },
  });
}

export interface VacancyRouteServices {
  vacancies: VacanciesService;
  applications: ApplicationsService;
}

export function registerVacancyRoutes(app: FastifyInstance, services: VacancyRouteServices): void {
  const { vacancies, applications } = services;

  // Published vacancies are public, as job adverts are; applying needs a jobseeker account.
  app.get('/jobs', async (_request, reply) => {
    const rows = await vacancies.jobsPage();
    return reply.render('vacancies/views/jobs.njk', {
      pageTitle: 'Find a job in a school',
      vacancies: rows.map((v) => ({ ...v, url: vacancyUrls.job(v.id) })),
    });
  });

  app.get('/jobs/:vacancyId', async (request, reply) => {
    const vacancyId = requireUuid((request.params as { vacancyId: string }).vacancyId);
    const page = await vacancies.jobPage(vacancyId, request.user);
    if (!page) throw new NotFoundError();
    const { vacancy, open, existing } = page;
    return reply.render('vacancies/views/job.njk', {
      pageTitle: vacancy.title,
      vacancy,
      closingTime: closingTimeText(vacancy.closingTime),
      open,
      applyUrl: vacancyUrls.apply(vacancy.id),
      signUpUrl: accountUrls.signUp(vacancyUrls.job(vacancy.id)),
      signInUrl: accountUrls.signIn(vacancyUrls.job(vacancy.id)),
      existing: existing ? { ...existing, url: applicationUrls.jobseekerApplication(existing.id) } : undefined,
      backLink: { href: vacancyUrls.jobs(), text: 'All jobs' },
    });
  });

  async function renderApplyForm(
    reply: import('fastify').FastifyReply,
    vacancyId: string,
    values: Record<string, string>,
    errors: FormErrors,
    status = 200,
  ) {
    const vacancy = await vacancies.findPublished(vacancyId);
    if (!vacancy) throw new NotFoundError();
    return reply.code(status).render('vacancies/views/apply.njk', {
      pageTitle: `Apply for ${vacancy.title}`,
      vacancy,
      values,
      errors,
      action: vacancyUrls.apply(vacancy.id),
      backLink: { href: vacancyUrls.job(vacancy.id) },
    });
  }

  app.get('/jobs/:vacancyId/apply', { preHandler: requireJobseeker }, async (request, reply) => {
    const user = signedInUser(request);
    const vacancyId = requireUuid((request.params as { vacancyId: string }).vacancyId);
    if (!(await vacancies.findPublished(vacancyId))) throw new NotFoundError();
    const unconfirmed = unconfirmedEmailPage(request, reply, vacancyId);
    if (unconfirmed) return unconfirmed;
    const existing = await applications.findForVacancy(vacancyId, user.id);
    if (existing && existing.status !== 'draft')
      return reply.redirect(applicationUrls.jobseekerApplication(existing.id), 303);
    const values = existing
      ? {
          candidateName: existing.candidateName,
          contactEmail: existing.contactEmail,
          personalStatement: existing.personalStatement,
        }
      : { candidateName: user.fullName, contactEmail: user.email, personalStatement: '' };
    return renderApplyForm(reply, vacancyId, values, noErrors());
  });

  app.post('/jobs/:vacancyId/apply', { preHandler: requireJobseeker }, async (request, reply) => {
    const user = signedInUser(request);
    const vacancyId = requireUuid((request.params as { vacancyId: string }).vacancyId);
    if (!(await vacancies.findPublished(vacancyId))) throw new NotFoundError();
    const unconfirmed = unconfirmedEmailPage(request, reply, vacancyId);
    if (unconfirmed) return unconfirmed;
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const values = {
      candidateName: text(raw.candidateName),
      contactEmail: text(raw.contactEmail),
      personalStatement: text(raw.personalStatement),
    };
    const parsed = applicationFormSchema.safeParse(raw);
    if (!parsed.success) return renderApplyForm(reply, vacancyId, values, zodFormErrors(parsed.error), 400);
    const submit = parsed.data.action === 'submit';
    const result = await applications.saveApplication({
      vacancyId,
      jobseekerId: user.id,
      form: {
        candidateName: parsed.data.candidateName,
        contactEmail: parsed.data.contactEmail,
        personalStatement: parsed.data.personalStatement,
      },
      submit,
    });
    switch (result.outcome) {
      case 'not-found':
        throw new NotFoundError();
      case 'incomplete':
        return renderApplyForm(reply, vacancyId, values, formErrors(result.errors), 400);
      case 'closed':
        return renderApplyForm(
          reply,
          vacancyId,
          values,
          formErrors([{ field: 'candidateName', text: result.message }]),
          409,
        );
      case 'already-submitted':
        return reply.redirect(applicationUrls.jobseekerApplication(result.applicationId), 303);
      case 'saved':
        request.session.set(
          'flash',
          result.submitted ? 'Your application has been submitted' : 'Your draft has been saved',
        );
        return reply.redirect(applicationUrls.jobseekerApplication(result.applicationId), 303);
    }
  });

  app.get('/staff/vacancies', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const rows = await vacancies.staffVacancies(user);
    return reply.render('vacancies/views/staff-vacancies.njk', {
      pageTitle: 'Vacancies',
      newVacancyUrl: vacancyUrls.newVacancy(),
      vacancies: rows.map((v) => ({ ...v, url: vacancyUrls.staffVacancy(v.id) })),
    });
  });

  app.get('/staff/vacancies/:vacancyId', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const vacancyId = requireUuid((request.params as { vacancyId: string }).vacancyId);
    const query = request.query as Record<string, unknown>;
    const selected = isApplicationStatus(query.status) && query.status !== 'draft' ? query.status : 'submitted';
    const view = await vacancies.staffVacancyView(user, vacancyId, selected);
    if (!view) throw new NotFoundError();
    return reply.render('vacancies/views/staff-vacancy.njk', view);
  });
}
