import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApplicationPageService, MessageFormState } from '../applications/application-page.ts';
import { requireJobseeker, requireSignedIn, requireStaff, signedInUser } from '../web/guards.ts';
import { formErrors, noErrors } from '../web/form-errors.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { filesOf, formField } from '../web/multipart.ts';
import { contentDispositionAttachment } from './attachment-rules.ts';
import { messageBodyToKeep } from './rich-text.ts';
import type { MessagingService } from './service.ts';
import type { ScheduledMessagesService } from '../scheduled/service.ts';
import { messagingUrls } from './urls.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface MessagingRouteServices {
  messaging: MessagingService;
  applicationPage: ApplicationPageService;
  scheduled?: ScheduledMessagesService;
}

export function registerMessagingRoutes(app: FastifyInstance, services: MessagingRouteServices): void {
  const { messaging, applicationPage } = services;

  /** The application page again, with the form as it was sent and its errors; nothing is marked read. */
  async function renderRefused(
    reply: FastifyReply,
    user: SignedInUser,
    applicationId: string,
    form: MessageFormState,
    status: number,
  ) {
    const page = await applicationPage.applicationPage(user, applicationId, { markRead: false, messageForm: form });
    if (!page) throw new NotFoundError();
    return reply.code(status).render(page.template, page.view);
  }

  /** "Send later" on the staff's message form: kept until its time, shown on the sender's side as scheduled. */
  async function sendLater(
    request: FastifyRequest,
    reply: FastifyReply,
    user: SignedInUser,
    applicationId: string,
    typed: { format: 'html' | 'text'; body: string; formKey: string },
  ) {
    const scheduled = services.scheduled;
    if (!scheduled) throw new NotFoundError();
    const when = {
      day: formField(request, 'sendDate-day'),
      month: formField(request, 'sendDate-month'),
      year: formField(request, 'sendDate-year'),
      time: formField(request, 'sendTime'),
    };
    const result = await scheduled.scheduleMessage({
      applicationId,
      sender: user,
      formKey: typed.formKey,
      body: { format: typed.format, body: typed.body },
      files: filesOf(request),
      when,
    });
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'scheduled' || result.outcome === 'duplicate') {
      if (result.outcome === 'scheduled') request.session.set('flash', 'Your message has been scheduled');
      return reply.redirect(messagingUrls.staffConversation(applicationId), 303);
    }
    const kept = messageBodyToKeep(typed, result.outcome === 'denied' ? 'read-only' : 'editable');
    const form: MessageFormState = {
      ...kept,
      formKey: typed.formKey,
      errors: noErrors(),
      refusedFiles: [],
      acceptedFiles: [],
      when: 'later',
      sendLater: when,
    };
    if (result.outcome === 'denied') {
      form.errors = formErrors([{ field: 'body', text: result.reason }]);
      return renderRefused(reply, user, applicationId, form, 409);
    }
    form.errors = formErrors(result.errors);
    form.errors.list = result.errors.map((error) => ({
      text: error.text,
      href: `#${error.field === 'sendDate' ? 'sendDate-day' : error.field}`,
    }));
    form.refusedFiles = result.refusedFiles;
    form.acceptedFiles = result.acceptedFiles;
    return renderRefused(reply, user, applicationId, form, 400);
  }

  /** Sending works the same for both sides; only where the conversation lives differs. */
  async function send(
    request: FastifyRequest,
    reply: FastifyReply,
    conversationUrl: (applicationId: string) => string,
  ) {
    const user = signedInUser(request);
    const applicationId = requireUuid((request.params as { applicationId: string }).applicationId);
    const format = formField(request, 'format') === 'html' ? 'html' : 'text';
    const body = formField(request, 'body');
    const submittedKey = formField(request, 'formKey');
    // A form without a valid key still sends once: it gets a key of its own, so it cannot collide with another.
    const formKey = uuidPattern.test(submittedKey) ? submittedKey.toLowerCase() : crypto.randomUUID();
    if (user.kind === 'staff' && formField(request, 'when') === 'later' && services.scheduled) {
      return sendLater(request, reply, user, applicationId, { format, body, formKey });
    }
    const result = await messaging.sendMessage({
      applicationId,
      sender: user,
      formKey,
      body: { format, body },
      files: filesOf(request),
    });

    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'sent' || result.outcome === 'duplicate') {
      if (result.outcome === 'sent') {
        // Shown in the conversation, where the page lands (#messages), not at the top of the page.
        request.session.set('flash', 'Your message has been sent');
        request.session.set('flashPlacement', 'messages');
      }
      return reply.redirect(conversationUrl(applicationId), 303);
    }
    const kept = messageBodyToKeep({ format, body }, result.outcome === 'denied' ? 'read-only' : 'editable');
    const form: MessageFormState = { ...kept, formKey, errors: noErrors(), refusedFiles: [], acceptedFiles: [] };
    if (result.outcome === 'denied') {
      form.errors = formErrors([{ field: 'body', text: result.reason }]);
      return renderRefused(reply, user, applicationId, form, 409);
    }
    form.errors = formErrors(result.errors.map((error) => ({ field: error.field, text: error.text })));
    // Every error is listed in the summary, not only the first per field.
    form.errors.list = result.errors.map((error) => ({ text: error.text, href: `#${error.field}` }));
    form.refusedFiles = result.refusedFiles;
    form.acceptedFiles = result.acceptedFiles;
    return renderRefused(reply, user, applicationId, form, 400);
  }

  app.post('/staff/applications/:applicationId/messages', { preHandler: requireStaff }, (request, reply) =>
    send(request, reply, messagingUrls.staffConversation),
  );
  app.post('/applications/:applicationId/messages', { preHandler: requireJobseeker }, (request, reply) =>
    send(request, reply, messagingUrls.jobseekerConversation),
  );

  // The address of the send form, visited (an email link, a reload after a refused send): the conversation itself.
  app.get('/staff/applications/:applicationId/messages', { preHandler: requireStaff }, (request, reply) =>
    reply.redirect(
      messagingUrls.staffConversation(requireUuid((request.params as { applicationId: string }).applicationId)),
      303,
    ),
  );
  app.get('/applications/:applicationId/messages', { preHandler: requireJobseeker }, (request, reply) =>
    reply.redirect(
      messagingUrls.jobseekerConversation(requireUuid((request.params as { applicationId: string }).applicationId)),
      303,
    ),
  );

  app.get('/attachments/:attachmentId', { preHandler: requireSignedIn }, async (request, reply) => {
    const attachmentId = requireUuid((request.params as { attachmentId: string }).attachmentId);
    const file = await messaging.openAttachment(attachmentId, signedInUser(request));
    if (!file) throw new NotFoundError();
    return reply
      .header('Content-Type', file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType)
      .header('Content-Disposition', contentDispositionAttachment(file.fileName))
      .header('Content-Length', String(file.sizeBytes))
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'private, no-store')
      .send(file.stream);
  });
}
