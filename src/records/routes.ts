import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireJobseeker, requireStaff, signedInUser } from '../web/guards.ts';
import type { DataRightsService } from './data-rights-service.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { contentDispositionAttachment } from '../messaging/attachment-rules.ts';
import { formErrors, noErrors, type FormErrors } from '../web/form-errors.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { ApplicationPageService } from '../applications/application-page.ts';
import { applicationUrls } from '../applications/urls.ts';
import type { ExportService } from './export-service.ts';
import type { RetentionService } from './retention-service.ts';
import { defaultRetention, retentionMonthsLimits } from './rules.ts';
import { recordUrls } from './urls.ts';

export interface RecordRouteServices {
  exports: ExportService;
  retention: RetentionService;
  applicationPage: ApplicationPageService;
  dataRights: DataRightsService;
}

function applicationIdOf(request: FastifyRequest): string {
  return requireUuid((request.params as { applicationId: string }).applicationId);
}

export function registerRecordRoutes(app: FastifyInstance, services: RecordRouteServices): void {
  const { exports, retention, applicationPage, dataRights } = services;

  async function download(request: FastifyRequest, reply: FastifyReply, includeNotes: boolean) {
    const result = await exports.exportConversation(signedInUser(request), applicationIdOf(request), { includeNotes });
    if (!result) throw new NotFoundError();
    return reply
      .header('Content-Type', 'application/pdf')
      .header('Content-Disposition', contentDispositionAttachment(result.fileName))
      .header('Cache-Control', 'private, no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(result.pdf);
  }

  app.get('/staff/applications/:applicationId/conversation.pdf', { preHandler: requireStaff }, (request, reply) =>
    download(request, reply, (request.query as Record<string, unknown>).notes === 'yes'),
  );

  app.get('/applications/:applicationId/conversation.pdf', { preHandler: requireJobseeker }, (request, reply) =>
    download(request, reply, false),
  );

  app.post(
    '/staff/applications/:applicationId/retention-hold',
    { preHandler: requireStaff },
    async (request, reply) => {
      const user = signedInUser(request);
      const applicationId = applicationIdOf(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const hold = body.hold === 'remove' ? 'remove' : 'place';
      const result = await retention.setHold(user, applicationId, { hold, reason: body.reason });
      if (result.outcome === 'not-found') throw new NotFoundError();
      if (result.outcome === 'invalid') {
        const page = await applicationPage.applicationPage(user, applicationId, {
          markRead: false,
          holdForm: { reason: typeof body.reason === 'string' ? body.reason : '', error: result.error },
        });
        if (!page) throw new NotFoundError();
        return reply.code(400).render(page.template, page.view);
      }
      const flash = {
        placed: 'Hold placed: this application will not be deleted',
        removed: 'Hold removed: this application will be deleted when its retention period ends',
        unchanged: hold === 'place' ? 'This application was already on hold' : 'This application was not on hold',
      }[result.outcome];
      request.session.set('flash', flash);
      return reply.redirect(`${applicationUrls.staffApplication(applicationId)}#retention`, 303);
    },
  );

  app.get('/staff/retention', { preHandler: requireStaff }, async (request, reply) => {
    const schools = await retention.settingsPage(signedInUser(request));
    return reply.render('records/views/retention-settings.njk', {
      pageTitle: 'Retention settings',
      schools,
      defaults: defaultRetention,
    });
  });

  async function renderSchoolForm(
    reply: FastifyReply,
    user: SignedInUser,
    organisationId: string,
    form: { monthsNotOffered: string; monthsOffered: string } | null,
    errors: FormErrors,
    status = 200,
  ) {
    const school = await retention.schoolSettings(user, organisationId);
    if (!school) throw new NotFoundError();
    return reply.code(status).render('records/views/retention-school.njk', {
      pageTitle: `Retention settings – ${school.name}`,
      school,
      values: form ?? {
        monthsNotOffered: String(school.monthsNotOffered),
        monthsOffered: String(school.monthsOffered),
      },
      limits: retentionMonthsLimits,
      errors,
      action: recordUrls.retentionSettingsFor(school.id),
      backLink: { href: recordUrls.retentionSettings(), text: 'Retention settings' },
    });
  }

  app.get('/staff/retention/:organisationId', { preHandler: requireStaff }, async (request, reply) => {
    const organisationId = requireUuid((request.params as { organisationId: string }).organisationId);
    return renderSchoolForm(reply, signedInUser(request), organisationId, null, noErrors());
  });

  app.post('/staff/retention/:organisationId', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const organisationId = requireUuid((request.params as { organisationId: string }).organisationId);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = {
      monthsNotOffered: typeof body.monthsNotOffered === 'string' ? body.monthsNotOffered : '',
      monthsOffered: typeof body.monthsOffered === 'string' ? body.monthsOffered : '',
    };
    const result = await retention.saveSettings(user, organisationId, form);
    if (!result) throw new NotFoundError();
    if (!result.ok) return renderSchoolForm(reply, user, organisationId, form, formErrors(result.errors), 400);
    request.session.set('flash', 'Retention settings saved');
    return reply.redirect(recordUrls.retentionSettings(), 303);
  });

  // The jobseeker's own data ----------------------------------------------------------------------------------------

  app.get('/settings/your-data', { preHandler: requireJobseeker }, async (_request, reply) =>
    reply.render('records/views/your-data.njk', {
      pageTitle: 'Your data',
      downloadUrl: recordUrls.downloadYourData(),
      deleteUrl: recordUrls.deleteAccount(),
      backLink: { href: '/settings', text: 'Settings' },
    }),
  );

  app.get('/settings/your-data/download', { preHandler: requireJobseeker }, async (request, reply) => {
    const result = await dataRights.download(signedInUser(request));
    if (!result) throw new NotFoundError();
    return reply
      .header('Content-Type', 'application/zip')
      .header('Content-Disposition', contentDispositionAttachment(result.fileName))
      .header('Cache-Control', 'private, no-store')
      .send(result.zip);
  });

  async function renderDelete(reply: FastifyReply, errors: FormErrors, status = 200) {
    return reply.code(status).render('records/views/delete-account.njk', {
      pageTitle: 'Delete your account',
      action: recordUrls.deleteAccount(),
      downloadUrl: recordUrls.downloadYourData(),
      errors,
      backLink: { href: recordUrls.yourData(), text: 'Your data' },
    });
  }

  app.get('/settings/delete-account', { preHandler: requireJobseeker }, async (_request, reply) =>
    renderDelete(reply, noErrors()),
  );

  app.post('/settings/delete-account', { preHandler: requireJobseeker }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.confirm === 'no') return reply.redirect(recordUrls.yourData(), 303);
    if (body.confirm !== 'yes') {
      return renderDelete(
        reply,
        formErrors([{ field: 'confirm', text: 'Select yes if you want to delete your account' }]),
        400,
      );
    }
    const result = await dataRights.deleteAccount(signedInUser(request));
    if (!result) throw new NotFoundError();
    await request.session.destroy();
    return reply.redirect('/account-deleted', 303);
  });

  app.get('/account-deleted', async (_request, reply) =>
    reply.render('records/views/account-deleted.njk', { pageTitle: 'Your account has been deleted' }),
  );
}
