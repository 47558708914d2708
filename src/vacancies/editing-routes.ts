import type { FastifyInstance, FastifyReply } from 'fastify';
import { formErrors, noErrors, type FormErrors } from '../web/form-errors.ts';
import { requireStaff, signedInUser } from '../web/guards.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import { emptyVacancyForm, vacancyFormSchema, vacancyFormValues, type VacancyFormValues } from './schemas.ts';
import type { VacanciesService, VacancySaveResult } from './service.ts';
import { vacancyUrls } from './urls.ts';

export interface VacancyEditingRouteServices {
  vacancies: VacanciesService;
}

/** Staff create, edit, publish and close vacancies. */
export function registerVacancyEditingRoutes(app: FastifyInstance, services: VacancyEditingRouteServices): void {
  const { vacancies } = services;

  async function renderForm(
    reply: FastifyReply,
    user: SignedInUser,
    page: { vacancyId?: string; title?: string },
    values: VacancyFormValues,
    errors: FormErrors,
    status = 200,
  ) {
    const schools = await vacancies.schoolsFor(user);
    const editing = page.vacancyId !== undefined;
    return reply.code(status).render('vacancies/views/vacancy-form.njk', {
      pageTitle: editing ? `Edit ${page.title ?? 'vacancy'}` : 'Create a vacancy',
      heading: editing ? 'Edit vacancy' : 'Create a vacancy',
      action: page.vacancyId ? vacancyUrls.editVacancy(page.vacancyId) : vacancyUrls.newVacancy(),
      submitText: editing ? 'Save changes' : 'Save as draft',
      schools: [
        ...(schools.length === 1 ? [] : [{ value: '', text: 'Choose a school' }]),
        ...schools.map((school) => ({ value: school.id, text: school.name, selected: school.id === values.schoolId })),
      ],
      values,
      errors,
      backLink: {
        href: page.vacancyId ? vacancyUrls.staffVacancy(page.vacancyId) : vacancyUrls.staffVacancies(),
      },
    });
  }

  /** Where a refused action sends the person: back to the vacancy, with the reason. */
  function afterSave(
    request: import('fastify').FastifyRequest,
    reply: FastifyReply,
    result: VacancySaveResult,
    done: string,
  ) {
    switch (result.outcome) {
      case 'not-found':
        throw new NotFoundError();
      case 'invalid':
        throw new Error('a form result reached afterSave');
      case 'not-allowed':
        request.session.set('flash', result.message);
        return reply.redirect(vacancyUrls.staffVacancies(), 303);
      case 'saved':
        request.session.set('flash', done);
        return reply.redirect(vacancyUrls.staffVacancy(result.vacancyId), 303);
    }
  }

  app.get('/staff/vacancies/new', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    return renderForm(reply, user, {}, emptyVacancyForm(), noErrors());
  });

  app.post('/staff/vacancies/new', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const values = vacancyFormSchema.parse(request.body ?? {});
    const result = await vacancies.createVacancy(user, values);
    if (result.outcome === 'invalid') return renderForm(reply, user, {}, values, formErrors(result.errors), 400);
    return afterSave(request, reply, result, 'Vacancy saved as a draft. Publish it when it is ready.');
  });

  app.get('/staff/vacancies/:vacancyId/edit', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const vacancyId = requireUuid((request.params as { vacancyId: string }).vacancyId);
    const page = await vacancies.vacancyForEditing(user, vacancyId);
    if (!page) throw new NotFoundError();
    if (!page.actions.edit) {
      request.session.set('flash', 'This vacancy has closed. It can no longer be changed.');
      return reply.redirect(vacancyUrls.staffVacancy(vacancyId), 303);
    }
    return renderForm(
      reply,
      user,
      { vacancyId, title: page.vacancy.title },
      vacancyFormValues(page.vacancy),
      noErrors(),
    );
  });

  app.post('/staff/vacancies/:vacancyId/edit', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const vacancyId = requireUuid((request.params as { vacancyId: string }).vacancyId);
    const values = vacancyFormSchema.parse(request.body ?? {});
    const result = await vacancies.editVacancy(user, vacancyId, values);
    if (result.outcome === 'invalid')
      return renderForm(reply, user, { vacancyId, title: values.title }, values, formErrors(result.errors), 400);
    return afterSave(request, reply, result, 'Your changes have been saved');
  });

  app.post('/staff/vacancies/:vacancyId/publish', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const vacancyId = requireUuid((request.params as { vacancyId: string }).vacancyId);
    const result = await vacancies.publishVacancy(user, vacancyId);
    if (result.outcome === 'not-allowed') {
      request.session.set('flash', result.message);
      return reply.redirect(vacancyUrls.staffVacancy(vacancyId), 303);
    }
    return afterSave(request, reply, result, 'Vacancy published. Jobseekers can now find it and apply.');
  });

  app.get('/staff/vacancies/:vacancyId/close', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const vacancyId = requireUuid((request.params as { vacancyId: string }).vacancyId);
    const page = await vacancies.vacancyForEditing(user, vacancyId);
    if (!page) throw new NotFoundError();
    if (!page.actions.close) return reply.redirect(vacancyUrls.staffVacancy(vacancyId), 303);
    return reply.render('vacancies/views/close-vacancy.njk', {
      pageTitle: `Close ${page.vacancy.title} early`,
      vacancy: page.vacancy,
      action: vacancyUrls.closeVacancy(vacancyId),
      cancelUrl: vacancyUrls.staffVacancy(vacancyId),
      backLink: { href: vacancyUrls.staffVacancy(vacancyId) },
    });
  });

  app.post('/staff/vacancies/:vacancyId/close', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const vacancyId = requireUuid((request.params as { vacancyId: string }).vacancyId);
    const result = await vacancies.closeVacancy(user, vacancyId);
    if (result.outcome === 'not-allowed') {
      request.session.set('flash', result.message);
      return reply.redirect(vacancyUrls.staffVacancy(vacancyId), 303);
    }
    return afterSave(
      request,
      reply,
      result,
      'Vacancy closed. It takes no new applications; you can carry on with those you have.',
    );
  });
}
