import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApplicationPageService } from '../applications/application-page.ts';
import { requireStaff, signedInUser } from '../web/guards.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { formField } from '../web/multipart.ts';
import { formErrors } from '../web/form-errors.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import { messagingUrls } from '../messaging/urls.ts';
import { applicationUrls } from '../applications/urls.ts';
import type { ScheduleFieldError, ScheduledMessagesService } from './service.ts';
import { scheduledUrls } from './urls.ts';

export interface ScheduledRouteServices {
  scheduled: ScheduledMessagesService;
  applicationPage: ApplicationPageService;
}

interface EditForm {
  format: 'html' | 'text';
  body: string;
  html?: string;
  when: { day: string; month: string; year: string; time: string };
}

export function registerScheduledRoutes(app: FastifyInstance, services: ScheduledRouteServices): void {
  const { scheduled } = services;

  async function renderEdit(
    reply: FastifyReply,
    user: SignedInUser,
    scheduledId: string,
    options: { form?: EditForm; errors?: ScheduleFieldError[]; status?: number },
  ) {
    const page = await scheduled.editForm(user, scheduledId);
    if (!page) throw new NotFoundError();
    if (page.message.state !== 'scheduled') {
      return reply.redirect(messagingUrls.staffConversation(page.application.id), 303);
    }
    const form: EditForm = options.form ?? { format: 'text', body: page.body, html: page.html, when: page.when };
    const errors = formErrors(options.errors ?? []);
    errors.list = (options.errors ?? []).map((error) => ({
      text: error.text,
      href: `#${error.field === 'sendDate' ? 'sendDate-day' : error.field}`,
    }));
    return reply.code(options.status ?? 200).render('scheduled/views/edit.njk', {
      pageTitle: 'Change a message to be sent later',
      application: page.application,
      form,
      action: scheduledUrls.save(scheduledId),
      cancelAction: scheduledUrls.cancel(scheduledId),
      errors,
      backLink: { href: messagingUrls.staffConversation(page.application.id), text: 'Back to the application' },
    });
  }

  const idOf = (params: unknown) => requireUuid((params as { scheduledId: string }).scheduledId);

  app.get('/staff/scheduled/:scheduledId/edit', { preHandler: requireStaff }, (request, reply) =>
    renderEdit(reply, signedInUser(request), idOf(request.params), {}),
  );

  app.post('/staff/scheduled/:scheduledId', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const scheduledId = idOf(request.params);
    const form: EditForm = {
      format: formField(request, 'format') === 'html' ? 'html' : 'text',
      body: formField(request, 'body'),
      when: {
        day: formField(request, 'sendDate-day'),
        month: formField(request, 'sendDate-month'),
        year: formField(request, 'sendDate-year'),
        time: formField(request, 'sendTime'),
      },
    };
    const result = await scheduled.edit(user, scheduledId, {
      body: { format: form.format, body: form.body },
      when: form.when,
    });
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'saved') {
      request.session.set('flash', 'Your scheduled message has been changed');
      return reply.redirect(messagingUrls.staffConversation(result.applicationId), 303);
    }
    if (result.outcome === 'gone') {
      request.session.set('flash', 'That message has already been sent or cancelled');
      return reply.redirect(applicationUrls.staffApplication(result.applicationId), 303);
    }
    const kept = scheduled.bodyToKeep({ format: form.format, body: form.body });
    return renderEdit(reply, user, scheduledId, { form: { ...form, ...kept }, errors: result.errors, status: 400 });
  });

  app.post('/staff/scheduled/:scheduledId/cancel', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const result = await scheduled.cancel(user, idOf(request.params));
    if (result.outcome === 'not-found') throw new NotFoundError();
    request.session.set(
      'flash',
      result.outcome === 'cancelled'
        ? 'Your scheduled message has been cancelled'
        : 'That message has already been sent',
    );
    return reply.redirect(messagingUrls.staffConversation(result.applicationId), 303);
  });
}
