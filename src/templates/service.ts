/**
 * Message templates: named texts in the same rich text as messages, with placeholders from a fixed list
 * (rules.ts). Personal, or shared with an organisation the author belongs to. Only the author edits or deletes a
 * template: memberships have no administrator role yet (see the report of issue 14).
 */
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { Db } from '../platform/db.ts';
import { prepareMessageBody, htmlToTypedText } from '../messaging/rich-text.ts';
import {
  deleteTemplate,
  findTemplateForStaff,
  insertTemplate,
  isMemberOf,
  listMemberships,
  listTemplatesForStaff,
  updateTemplate,
  type TemplateRecord,
} from './repository.ts';
import { fillPlaceholders, placeholderErrors, type PlaceholderValues } from './rules.ts';

export const templateNameLimit = 100;

export interface TemplateInput {
  name: string;
  /** 'personal', or the id of an organisation to share it with. */
  sharing: string;
  body: { format: 'html' | 'text'; body: string };
}

export type TemplateFieldError = { field: 'name' | 'sharing' | 'body'; text: string };

export type SaveTemplateResult =
  | { outcome: 'saved'; templateId: string }
  | { outcome: 'not-found' }
  | { outcome: 'invalid'; errors: TemplateFieldError[] };

export type FilledTemplate =
  | { outcome: 'filled'; name: string; html: string; typedText: string }
  | { outcome: 'not-found' }
  | { outcome: 'missing'; name: string; missing: string[] };

/** The rules for what is saved, asked by the template form and by the bulk message form alike. */
export function checkTemplateBody(body: {
  format: 'html' | 'text';
  body: string;
}): { ok: true; html: string; text: string } | { ok: false; errors: string[] } {
  const prepared = prepareMessageBody(body);
  if (!prepared.ok) return { ok: false, errors: [prepared.error] };
  const errors = placeholderErrors(prepared.html, prepared.text);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, html: prepared.html, text: prepared.text };
}

export function createTemplatesService(deps: { db: Db }) {
  const { db } = deps;

  function present(template: TemplateRecord, viewer: SignedInUser) {
    return { ...template, canChange: template.authorUserId === viewer.id };
  }

  async function validate(viewer: SignedInUser, input: TemplateInput) {
    const errors: TemplateFieldError[] = [];
    const name = input.name.trim();
    if (name === '') errors.push({ field: 'name', text: 'Enter a name for the template' });
    else if (Array.from(name).length > templateNameLimit)
      errors.push({ field: 'name', text: `Name must be ${templateNameLimit} characters or fewer` });
    let organisationId: string | null = null;
    if (input.sharing !== 'personal') {
      if (/^[0-9a-f-]{36}$/i.test(input.sharing) && (await isMemberOf(db, viewer.id, input.sharing)))
        organisationId = input.sharing;
      else errors.push({ field: 'sharing', text: 'Select who can use the template' });
    }
    const body = checkTemplateBody(input.body);
    if (!body.ok) for (const text of body.errors) errors.push({ field: 'body', text });
    return { errors, name, organisationId, html: body.ok ? body.html : '' };
  }

  return {
    /** Every template this person can use, by name. */
    async list(viewer: SignedInUser) {
      return (await listTemplatesForStaff(db, viewer.id)).map((template) => present(template, viewer));
    },

    async find(viewer: SignedInUser, templateId: string) {
      const template = await findTemplateForStaff(db, templateId, viewer.id);
      return template ? present(template, viewer) : undefined;
    },

    /** The organisations a template can be shared with. */
    sharingChoices: (viewer: SignedInUser) => listMemberships(db, viewer.id),

    async create(viewer: SignedInUser, input: TemplateInput): Promise<SaveTemplateResult> {
      const checked = await validate(viewer, input);
      if (checked.errors.length > 0) return { outcome: 'invalid', errors: checked.errors };
      const templateId = await insertTemplate(db, {
        authorUserId: viewer.id,
        organisationId: checked.organisationId,
        name: checked.name,
        bodyHtml: checked.html,
      });
      return { outcome: 'saved', templateId };
    },

    async update(viewer: SignedInUser, templateId: string, input: TemplateInput): Promise<SaveTemplateResult> {
      const existing = await findTemplateForStaff(db, templateId, viewer.id);
      if (existing?.authorUserId !== viewer.id) return { outcome: 'not-found' };
      const checked = await validate(viewer, input);
      if (checked.errors.length > 0) return { outcome: 'invalid', errors: checked.errors };
      const updated = await updateTemplate(db, {
        id: templateId,
        authorUserId: viewer.id,
        organisationId: checked.organisationId,
        name: checked.name,
        bodyHtml: checked.html,
      });
      return updated ? { outcome: 'saved', templateId } : { outcome: 'not-found' };
    },

    /** Deletes a template of the person's own; false if there is none (or it is someone else's). */
    delete: (viewer: SignedInUser, templateId: string) => deleteTemplate(db, templateId, viewer.id),

    /** One recipient's copy of a template, as HTML (for the editor) and as typed text (for the plain text box). */
    async fill(viewer: SignedInUser, templateId: string, values: PlaceholderValues): Promise<FilledTemplate> {
      const template = await findTemplateForStaff(db, templateId, viewer.id);
      if (!template) return { outcome: 'not-found' };
      const filled = fillPlaceholders(template.bodyHtml, values);
      if (!filled.ok) return { outcome: 'missing', name: template.name, missing: filled.missing };
      return { outcome: 'filled', name: template.name, html: filled.html, typedText: htmlToTypedText(filled.html) };
    },
  };
}

export type TemplatesService = ReturnType<typeof createTemplatesService>;
