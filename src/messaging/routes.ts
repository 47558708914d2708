import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../container.ts';
import { renderApplicationPage, type MessageFormState } from '../applications/pages.ts';
import { requireJobseeker, requireSignedIn, requireStaff, signedInUser } from '../web/app.ts';
import { formErrors, noErrors } from '../web/form-errors.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { filesOf, formField } from '../web/multipart.ts';
import { contentDispositionAttachment } from './attachment-rules.ts';
import { messageBodyToKeep } from './rich-text.ts';
import { messagingUrls } from './urls.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerMessagingRoutes(app: FastifyInstance, container: Container): void {
  const { messaging } = container;

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
    const result = await messaging.sendMessage({
      applicationId,
      sender: user,
      formKey,
      body: { format, body },
      files: filesOf(request),
    });

    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'sent' || result.outcome === 'duplicate') {
      if (result.outcome === 'sent') request.session.set('flash', 'Your message has been sent');
      return reply.redirect(conversationUrl(applicationId), 303);
    }
    const application =
      user.kind === 'staff'
        ? await container.applications.findForStaff(applicationId, user.id)
        : await container.applications.findForJobseeker(applicationId, user.id);
    if (!application) throw new NotFoundError();
    const kept = messageBodyToKeep({ format, body }, result.outcome === 'denied' ? 'read-only' : 'editable');
    const form: MessageFormState = { ...kept, formKey, errors: noErrors(), refusedFiles: [], acceptedFiles: [] };
    if (result.outcome === 'denied') {
      form.errors = formErrors([{ field: 'body', text: result.reason }]);
      return renderApplicationPage(container, reply, application, user, { messageForm: form, status: 409 });
    }
    form.errors = formErrors(result.errors.map((error) => ({ field: error.field, text: error.text })));
    // Every error is listed in the summary, not only the first per field.
    form.errors.list = result.errors.map((error) => ({ text: error.text, href: `#${error.field}` }));
    form.refusedFiles = result.refusedFiles;
    form.acceptedFiles = result.acceptedFiles;
    return renderApplicationPage(container, reply, application, user, { messageForm: form, status: 400 });
  }

  app.post('/staff/applications/:applicationId/messages', { preHandler: requireStaff }, (request, reply) =>
    send(request, reply, messagingUrls.staffConversation),
  );
  app.post('/applications/:applicationId/messages', { preHandler: requireJobseeker }, (request, reply) =>
    send(request, reply, messagingUrls.jobseekerConversation),
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
