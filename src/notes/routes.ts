import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, signedInUser } from '../web/guards.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { formErrors } from '../web/form-errors.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { ApplicationPageService } from '../applications/application-page.ts';
import { applicationUrls } from '../applications/urls.ts';
import type { NoteFieldError, NotesService } from './service.ts';
import { noteUrls } from './urls.ts';

export interface NoteRouteServices {
  notes: NotesService;
  applicationPage: ApplicationPageService;
}

function params(request: FastifyRequest): { applicationId: string; noteId: string | null } {
  const raw = request.params as { applicationId: string; noteId?: string };
  return {
    applicationId: requireUuid(raw.applicationId),
    noteId: raw.noteId === undefined ? null : requireUuid(raw.noteId),
  };
}

function formValues(request: FastifyRequest): { body: string; mentions: string[] } {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const text = typeof body.noteBody === 'string' ? body.noteBody : '';
  const raw = body.mentions;
  const mentions = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
    (value): value is string => typeof value === 'string',
  );
  return { body: text, mentions };
}

export function registerNoteRoutes(app: FastifyInstance, services: NoteRouteServices): void {
  const { notes, applicationPage } = services;

  async function renderEdit(
    reply: FastifyReply,
    viewer: SignedInUser,
    applicationId: string,
    noteId: string,
    options: { body?: string; errors?: NoteFieldError[]; status?: number } = {},
  ) {
    const found = await notes.noteForEditing(viewer, applicationId, noteId);
    if (!found) throw new NotFoundError();
    const { application, note, decision } = found;
    return reply.code(options.status ?? 200).render('notes/views/edit-note.njk', {
      pageTitle: `Change your note – ${application.candidateName}`,
      application,
      note,
      decision,
      body: options.body ?? note.bodyText,
      errors: formErrors(options.errors ?? []),
      action: noteUrls.edit(application.id, note.id),
      backLink: { href: noteUrls.onApplication(application.id, note.id), text: 'Back to the application' },
    });
  }

  app.post('/staff/applications/:applicationId/notes', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const { applicationId } = params(request);
    const form = formValues(request);
    const result = await notes.addNote({ applicationId, author: user, body: form.body, mentions: form.mentions });
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'invalid') {
      const page = await applicationPage.applicationPage(user, applicationId, {
        markRead: false,
        noteForm: { ...form, errors: result.errors },
      });
      if (!page) throw new NotFoundError();
      return reply.code(400).render(page.template, page.view);
    }
    request.session.set('flash', 'Note added');
    return reply.redirect(noteUrls.onApplication(applicationId, result.noteId), 303);
  });

  app.get(
    '/staff/applications/:applicationId/notes/:noteId/edit',
    { preHandler: requireStaff },
    async (request, reply) => {
      const { applicationId, noteId } = params(request);
      return renderEdit(reply, signedInUser(request), applicationId, noteId ?? '');
    },
  );

  app.post(
    '/staff/applications/:applicationId/notes/:noteId/edit',
    { preHandler: requireStaff },
    async (request, reply) => {
      const user = signedInUser(request);
      const { applicationId, noteId } = params(request);
      if (!noteId) throw new NotFoundError();
      const { body } = formValues(request);
      const result = await notes.editNote({ applicationId, noteId, editor: user, body });
      if (result.outcome === 'not-found') throw new NotFoundError();
      if (result.outcome === 'not-allowed') {
        return renderEdit(reply, user, applicationId, noteId, {
          body,
          errors: [{ field: 'noteBody', text: result.reason }],
          status: 409,
        });
      }
      if (result.outcome === 'invalid') {
        return renderEdit(reply, user, applicationId, noteId, { body, errors: result.errors, status: 400 });
      }
      request.session.set('flash', 'Note changed');
      return reply.redirect(noteUrls.onApplication(applicationId, noteId), 303);
    },
  );

  // A note's page is its place on the application page.
  app.get('/staff/applications/:applicationId/notes', { preHandler: requireStaff }, async (request, reply) => {
    const { applicationId } = params(request);
    return reply.redirect(applicationUrls.staffApplication(applicationId), 303);
  });
}
