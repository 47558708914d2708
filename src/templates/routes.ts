import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireStaff, signedInUser } from '../web/guards.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { formField } from '../web/multipart.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import { htmlToTypedText, messageBodyToKeep } from '../messaging/rich-text.ts';
import { fillPlaceholders, placeholders } from './rules.ts';
import type { TemplateFieldError, TemplatesService } from './service.ts';
import { templateUrls } from './urls.ts';

export interface TemplateRouteServices {
  templates: TemplatesService;
}

/** The form as shown: what was typed (kept on any error), and for a saved template its HTML for the editor. */
interface TemplateFormState {
  name: string;
  sharing: string;
  format: 'html' | 'text';
  body: string;
  html?: string;
}

/** Field errors with every line in the summary, and all of the message's lines under the message box. */
export function listedErrors(errors: { field: string; text: string }[]) {
  const byField: Record<string, { text: string }> = {};
  for (const error of errors) byField[error.field] ??= { text: error.text };
  const escape = (text: string) =>
    text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
  const bodyLines = errors.filter((error) => error.field === 'body').map((error) => escape(error.text));
  return {
    list: errors.map((error) => ({ text: error.text, href: `#${error.field}` })),
    byField,
    bodyHtml: bodyLines.length > 0 ? bodyLines.join('<br>') : null,
  };
}

/** Example values for a template's preview on its own page. */
const example = {
  candidateName: 'Sam Taylor',
  vacancyTitle: 'Year 3 class teacher',
  schoolName: 'your school',
  senderName: '',
};

export function registerTemplateRoutes(app: FastifyInstance, services: TemplateRouteServices): void {
  const { templates } = services;

  async function renderForm(
    reply: FastifyReply,
    user: SignedInUser,
    options: { templateId?: string; form: TemplateFormState; errors: TemplateFieldError[]; status?: number },
  ) {
    const choices = await templates.sharingChoices(user);
    return reply.code(options.status ?? 200).render('templates/views/template-form.njk', {
      pageTitle: options.templateId ? 'Change template' : 'Create a template',
      heading: options.templateId ? 'Change template' : 'Create a template',
      action: options.templateId ? templateUrls.template(options.templateId) : templateUrls.list(),
      cancelUrl: options.templateId ? templateUrls.template(options.templateId) : templateUrls.list(),
      form: options.form,
      sharingItems: [
        { value: 'personal', text: 'Only me' },
        ...choices.map((organisation) => ({ value: organisation.id, text: `Everyone at ${organisation.name}` })),
      ],
      placeholderList: placeholders,
      errors: listedErrors(options.errors),
      backLink: { href: templateUrls.list(), text: 'Templates' },
    });
  }

  function submitted(request: import('fastify').FastifyRequest): TemplateFormState {
    return {
      name: formField(request, 'name'),
      sharing: formField(request, 'sharing') || 'personal',
      format: formField(request, 'format') === 'html' ? 'html' : 'text',
      body: formField(request, 'body'),
    };
  }

  app.get('/staff/templates', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const rows = await templates.list(user);
    return reply.render('templates/views/templates.njk', {
      pageTitle: 'Message templates',
      createUrl: templateUrls.create(),
      templates: rows.map((template) => ({ ...template, url: templateUrls.template(template.id) })),
    });
  });

  app.get('/staff/templates/new', { preHandler: requireStaff }, (request, reply) =>
    renderForm(reply, signedInUser(request), {
      form: { name: '', sharing: 'personal', format: 'text', body: '' },
      errors: [],
    }),
  );

  app.post('/staff/templates', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const form = submitted(request);
    const result = await templates.create(user, { name: form.name, sharing: form.sharing, body: form });
    if (result.outcome === 'saved') {
      request.session.set('flash', 'Template saved');
      return reply.redirect(templateUrls.template(result.templateId), 303);
    }
    if (result.outcome === 'not-found') throw new NotFoundError();
    const kept = messageBodyToKeep(form, 'editable');
    return renderForm(reply, user, { form: { ...form, ...kept }, errors: result.errors, status: 400 });
  });

  app.get('/staff/templates/:templateId', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const template = await templates.find(user, requireUuid((request.params as { templateId: string }).templateId));
    if (!template) throw new NotFoundError();
    const values = { ...example, senderName: user.fullName };
    const filled = fillPlaceholders(template.bodyHtml, values);
    return reply.render('templates/views/template.njk', {
      pageTitle: template.name,
      template,
      example: values,
      previewHtml: filled.ok ? filled.html : template.bodyHtml,
      editUrl: templateUrls.edit(template.id),
      deleteUrl: templateUrls.delete(template.id),
      backLink: { href: templateUrls.list(), text: 'Templates' },
    });
  });

  app.get('/staff/templates/:templateId/edit', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const template = await templates.find(user, requireUuid((request.params as { templateId: string }).templateId));
    if (!template?.canChange) throw new NotFoundError();
    return renderForm(reply, user, {
      templateId: template.id,
      form: {
        name: template.name,
        sharing: template.organisationId ?? 'personal',
        format: 'text',
        body: htmlToTypedText(template.bodyHtml),
        html: template.bodyHtml,
      },
      errors: [],
    });
  });

  app.post('/staff/templates/:templateId', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const templateId = requireUuid((request.params as { templateId: string }).templateId);
    const form = submitted(request);
    const result = await templates.update(user, templateId, { name: form.name, sharing: form.sharing, body: form });
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'saved') {
      request.session.set('flash', 'Template saved');
      return reply.redirect(templateUrls.template(templateId), 303);
    }
    const kept = messageBodyToKeep(form, 'editable');
    return renderForm(reply, user, { templateId, form: { ...form, ...kept }, errors: result.errors, status: 400 });
  });

  app.get('/staff/templates/:templateId/delete', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const template = await templates.find(user, requireUuid((request.params as { templateId: string }).templateId));
    if (!template?.canChange) throw new NotFoundError();
    return reply.render('templates/views/delete.njk', {
      pageTitle: `Delete ${template.name}`,
      template,
      action: templateUrls.delete(template.id),
      cancelUrl: templateUrls.template(template.id),
      backLink: { href: templateUrls.template(template.id) },
    });
  });

  app.post('/staff/templates/:templateId/delete', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const templateId = requireUuid((request.params as { templateId: string }).templateId);
    if (!(await templates.delete(user, templateId))) throw new NotFoundError();
    request.session.set('flash', 'Template deleted');
    return reply.redirect(templateUrls.list(), 303);
  });
}
