import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, signedInUser } from '../web/guards.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { filesOf, formField } from '../web/multipart.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import { attachmentFieldDescription, type AttachmentLimits } from '../messaging/attachment-rules.ts';
import { messageBodyToKeep } from '../messaging/rich-text.ts';
import { isApplicationStatus, statusLabel } from '../applications/status.ts';
import { applicationUrls } from '../applications/urls.ts';
import type { VacanciesService } from '../vacancies/service.ts';
import { vacancyUrls } from '../vacancies/urls.ts';
import { formErrors } from '../web/form-errors.ts';
import { placeholders } from '../templates/rules.ts';
import { sendLaterFields } from '../scheduled/rules.ts';
import type { BulkMessagesService, ComposeError } from './service.ts';
import { bulkUrls } from './urls.ts';
import { escapeHtml } from '../platform/html.ts';

export interface BulkRouteServices {
  bulk: BulkMessagesService;
  vacancies: VacanciesService;
  attachmentLimits: AttachmentLimits;
}

interface ComposeForm {
  templateId: string;
  body: string;
  html?: string;
  format: 'html' | 'text';
  toStatus: string;
  when: string;
  sendLater: { day: string; month: string; year: string; time: string };
}

/** Every error in the summary; each field's lines together under it. */
function composeErrors(errors: ComposeError[]) {
  const byField: Record<string, { html: string }> = {};
  for (const error of errors) {
    const existing = byField[error.field];
    byField[error.field] = {
      html: existing ? `${existing.html}<br>${escapeHtml(error.text)}` : escapeHtml(error.text),
    };
  }
  return {
    list: errors.map((error) => ({
      text: error.text,
      href: `#${error.field === 'sendDate' ? 'sendDate-day' : error.field === 'when' ? 'when' : error.field}`,
    })),
    byField,
  };
}

function batchIdOf(request: FastifyRequest): string {
  return requireUuid((request.params as { batchId: string }).batchId);
}

export function registerBulkRoutes(app: FastifyInstance, services: BulkRouteServices): void {
  const { bulk, vacancies } = services;
  const attachmentField = attachmentFieldDescription(services.attachmentLimits);

  app.post('/staff/vacancies/:vacancyId/bulk', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const vacancyId = requireUuid((request.params as { vacancyId: string }).vacancyId);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const ticked = body.applicationIds;
    const applicationIds = (Array.isArray(ticked) ? ticked : [ticked]).filter(
      (value): value is string => typeof value === 'string',
    );
    const fromStatus = formField(request, 'fromStatus');
    const result = await bulk.startBatch(user, {
      vacancyId,
      fromStatus,
      applicationIds,
      selectAll: formField(request, 'selectAll') === 'yes',
    });
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'started') return reply.redirect(bulkUrls.compose(result.batchId), 303);
    const view = isApplicationStatus(fromStatus)
      ? await vacancies.staffVacancyView(user, vacancyId, fromStatus)
      : undefined;
    if (!view) throw new NotFoundError();
    return reply.code(400).render('vacancies/views/staff-vacancy.njk', {
      ...view,
      errors: formErrors([{ field: 'applicants', text: result.error }]),
    });
  });

  async function renderCompose(
    reply: FastifyReply,
    user: SignedInUser,
    batchId: string,
    options: {
      form?: ComposeForm;
      errors?: ComposeError[];
      status?: number;
      refusedFiles?: string[];
      acceptedFiles?: string[];
    },
  ) {
    const page = await bulk.composePage(user, batchId);
    if (!page) throw new NotFoundError();
    const { batch } = page;
    if (batch.state !== 'draft') return reply.redirect(bulkUrls.result(batch.id), 303);
    const form: ComposeForm = options.form ?? {
      templateId: batch.templateId ?? '',
      body: page.typedBody,
      ...(batch.bodyHtml ? { html: batch.bodyHtml } : {}),
      format: 'text',
      toStatus: batch.toStatus ?? '',
      when: batch.sendAt ? 'later' : 'now',
      sendLater: batch.sendAt ? sendLaterFields(batch.sendAt) : { day: '', month: '', year: '', time: '' },
    };
    const count = page.recipients.length;
    return reply.code(options.status ?? 200).render('bulk/views/compose.njk', {
      pageTitle: `Message ${count} ${count === 1 ? 'applicant' : 'applicants'}`,
      batch,
      count,
      recipients: page.recipients,
      form,
      templateAction: bulkUrls.compose(batch.id),
      templateItems: [
        { value: '', text: 'Choose a template' },
        ...page.templates.map((t) => ({ value: t.id, text: t.name, selected: t.id === form.templateId })),
      ],
      hasTemplates: page.templates.length > 0,
      action: bulkUrls.compose(batch.id),
      statusItems: [
        { value: '', text: `Do not change their status (${statusLabel(batch.fromStatus)})` },
        ...page.moves.map((to) => ({ value: to, text: `Move them to ‘${statusLabel(to)}’` })),
      ],
      attachments: page.attachments,
      attachmentLimits: attachmentField,
      refusedFiles: options.refusedFiles ?? [],
      acceptedFiles: options.acceptedFiles ?? [],
      placeholderList: placeholders,
      errors: composeErrors(options.errors ?? []),
      backLink: { href: vacancyUrls.staffVacancy(batch.vacancyId, batch.fromStatus), text: 'Back to applications' },
    });
  }

  // The compose page; "Use template" is a GET form on it, so picking a template needs no JavaScript and no upload.
  app.get('/staff/bulk/:batchId', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const batchId = batchIdOf(request);
    const picked = (request.query as Record<string, unknown>).template;
    if (typeof picked !== 'string') return renderCompose(reply, user, batchId, {});
    const result = await bulk.compose(user, batchId, {
      action: 'use-template',
      templateId: picked,
      body: { format: 'text', body: '' },
      toStatus: '',
      when: 'now',
      sendLater: { day: '', month: '', year: '', time: '' },
      files: [],
    });
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'already-sent') return reply.redirect(bulkUrls.result(batchId), 303);
    const blank = { toStatus: '', when: 'now', sendLater: { day: '', month: '', year: '', time: '' } };
    if (result.outcome === 'template') {
      return renderCompose(reply, user, batchId, {
        form: { ...blank, templateId: result.templateId, body: result.body, html: result.html, format: 'text' },
      });
    }
    const errors = result.outcome === 'invalid' ? result.errors : [];
    return renderCompose(reply, user, batchId, {
      form: { ...blank, templateId: '', body: '', format: 'text' },
      errors,
    });
  });

  app.post('/staff/bulk/:batchId', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const batchId = batchIdOf(request);
    const form: ComposeForm = {
      templateId: formField(request, 'templateId'),
      body: formField(request, 'body'),
      format: formField(request, 'format') === 'html' ? 'html' : 'text',
      toStatus: formField(request, 'toStatus'),
      when: formField(request, 'when'),
      sendLater: {
        day: formField(request, 'sendDate-day'),
        month: formField(request, 'sendDate-month'),
        year: formField(request, 'sendDate-year'),
        time: formField(request, 'sendTime'),
      },
    };
    const result = await bulk.compose(user, batchId, {
      action: 'preview',
      templateId: form.templateId,
      body: { format: form.format, body: form.body },
      toStatus: form.toStatus,
      when: form.when,
      sendLater: form.sendLater,
      files: filesOf(request),
    });
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'already-sent') return reply.redirect(bulkUrls.result(batchId), 303);
    if (result.outcome === 'saved') return reply.redirect(bulkUrls.preview(batchId), 303);
    if (result.outcome === 'template') throw new Error('unreachable: previewing does not pick a template');
    const kept = messageBodyToKeep({ format: form.format, body: form.body }, 'editable');
    return renderCompose(reply, user, batchId, {
      form: { ...form, ...kept, templateId: result.clearTemplate ? '' : form.templateId },
      errors: result.errors,
      status: 400,
      refusedFiles: result.refusedFiles,
      acceptedFiles: result.acceptedFiles,
    });
  });

  async function renderPreview(
    reply: FastifyReply,
    user: SignedInUser,
    batchId: string,
    applicantId: string | undefined,
    error?: string,
  ) {
    const page = await bulk.previewPage(user, batchId, applicantId);
    if (!page) throw new NotFoundError();
    const { batch, shown } = page;
    if (batch.state === 'done') return reply.redirect(bulkUrls.result(batch.id), 303);
    if (batch.bodyHtml === null || !shown) return reply.redirect(bulkUrls.compose(batch.id), 303);
    const going = page.recipients.filter((r) => r.preview.problem === null).length;
    return reply.code(error ? 409 : 200).render('bulk/views/preview.njk', {
      pageTitle: 'Check your message',
      batch,
      shown,
      going,
      count: page.recipients.length,
      recipients: page.recipients.map((r) => ({ ...r, statusLabel: statusLabel(r.status) })),
      attachments: page.attachments,
      toStatusLabel: batch.toStatus ? statusLabel(batch.toStatus) : null,
      showAction: bulkUrls.preview(batch.id),
      recipientItems: page.recipients.map((r) => ({
        value: r.applicationId,
        text: r.candidateName,
        selected: r.applicationId === shown.applicationId,
      })),
      sendAction: bulkUrls.send(batch.id),
      changeUrl: bulkUrls.compose(batch.id),
      errors: error ? formErrors([{ field: 'send', text: error }]) : undefined,
      backLink: { href: bulkUrls.compose(batch.id), text: 'Change the message' },
    });
  }

  app.get('/staff/bulk/:batchId/preview', { preHandler: requireStaff }, async (request, reply) => {
    const applicant = (request.query as Record<string, unknown>).applicant;
    return renderPreview(
      reply,
      signedInUser(request),
      batchIdOf(request),
      typeof applicant === 'string' ? applicant : undefined,
    );
  });

  app.post('/staff/bulk/:batchId/send', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const batchId = batchIdOf(request);
    const result = await bulk.send(user, batchId);
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'not-composed') return reply.redirect(bulkUrls.compose(batchId), 303);
    if (result.outcome === 'template-deleted') {
      return renderPreview(
        reply,
        user,
        batchId,
        undefined,
        'The template you picked has been deleted since. Nothing has been sent. Change the message, then send it again',
      );
    }
    return reply.redirect(bulkUrls.result(batchId), 303);
  });

  app.get('/staff/bulk/:batchId/result', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const page = await bulk.resultPage(user, batchIdOf(request));
    if (!page) throw new NotFoundError();
    const { batch } = page;
    if (batch.state === 'draft') return reply.redirect(bulkUrls.preview(batch.id), 303);
    const rows = page.recipients.map((r) => ({ ...r, url: applicationUrls.staffApplication(r.applicationId) }));
    const sent = rows.filter((r) => r.outcome === 'sent');
    const scheduled = rows.filter((r) => r.outcome === 'scheduled');
    const skipped = rows.filter((r) => r.outcome === 'skipped');
    const pending = rows.filter((r) => r.outcome === 'pending');
    return reply.render('bulk/views/result.njk', {
      pageTitle: batch.sendAt ? 'Messages scheduled' : 'Messages sent',
      batch,
      sent,
      scheduled,
      skipped,
      pending,
      toStatusLabel: batch.toStatus ? statusLabel(batch.toStatus) : null,
      vacancyUrl: vacancyUrls.staffVacancy(batch.vacancyId, batch.fromStatus),
    });
  });
}
