/**
 * The application page, for staff and for the jobseeker: the application, its status (and, for staff, the form to
 * change it), the timeline and the conversation. One use case that composes the features the page shows; the routes
 * of applications and messaging both render it. Opening it (a GET) marks the conversation and its notifications read;
 * a form re-rendered after a refused POST changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { SignedInUser } from '../web/signed-in-user.ts';
import { noErrors, type FormErrors } from '../web/form-errors.ts';
import { vacancyUrls } from '../vacancies/urls.ts';
import { messagingUrls } from '../messaging/urls.ts';
import { attachmentFieldDescription, type AttachmentLimits } from '../messaging/attachment-rules.ts';
import { conversationPageSize, type MessagingService } from '../messaging/service.ts';
import type { ApplicationRecord } from './repository.ts';
import type { NotificationsService } from '../notifications/service.ts';
import type { DashboardService } from '../dashboard/service.ts';
import type { TemplatesService } from '../templates/service.ts';
import type { ScheduledMessagesService } from '../scheduled/service.ts';
import { scheduledUrls } from '../scheduled/urls.ts';
import { missingValuesReason } from '../templates/rules.ts';
import { dashboardUrls } from '../dashboard/urls.ts';
import { liveUrls } from '../live/urls.ts';
import type { ApplicationsService } from './service.ts';
import { allowedMoves, canWithdraw, statusLabel } from './status.ts';
import { applicationUrls } from './urls.ts';
import type { NoteFormState, NotesService } from '../notes/service.ts';
import type { RecordsService } from '../records/service.ts';

/** What the message form shows: what was typed (kept on any error), the one-time key and the errors. */
export interface MessageFormState {
  body: string;
  format: 'html' | 'text';
  formKey: string;
  errors: FormErrors;
  refusedFiles: string[];
  acceptedFiles: string[];
  /** A template's HTML for the rich-text editor, when `body` holds its typed-text copy for the plain text box. */
  html?: string;
  /** Staff: send now, or later at a UK date and time. */
  when?: 'now' | 'later';
  sendLater?: { day: string; month: string; year: string; time: string };
}

export function emptyMessageForm(): MessageFormState {
  return { body: '', format: 'text', formKey: randomUUID(), errors: noErrors(), refusedFiles: [], acceptedFiles: [] };
}

export interface ApplicationPageOptions {
  /** True for a GET: the person is reading the page, so what they see is marked read. */
  markRead: boolean;
  /** "Show earlier messages": the page of messages before this message (its id), rather than the latest page. */
  before?: string | null;
  statusErrors?: FormErrors;
  messageForm?: MessageFormState;
  /** Staff: a template picked for the message form ("Use template"), filled for this applicant. */
  templateId?: string;
  /** The staff note form after a refused POST (src/notes). */
  noteForm?: NoteFormState;
  /** The retention hold form after a refused POST (src/records). */
  holdForm?: { reason: string; error: string };
}

/**
 * Who sent a message, in words: "You", the applicant's name with "(applicant)", or a member of staff's name and
 * organisation (as recorded when they sent it). The thread's colours and positions only repeat this.
 */
export function senderLabel(message: {
  mine: boolean;
  senderKind: 'staff' | 'jobseeker';
  senderDisplayName: string;
}): string {
  if (message.mine) return 'You';
  return message.senderKind === 'jobseeker' ? `${message.senderDisplayName} (applicant)` : message.senderDisplayName;
}

function sizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

export function createApplicationPageService(deps: {
  applications: ApplicationsService;
  messaging: MessagingService;
  notifications: NotificationsService;
  dashboard: DashboardService;
  attachmentLimits: AttachmentLimits;
  templates?: TemplatesService;
  scheduled?: ScheduledMessagesService;
  /** Staff notes (src/notes), shown to staff only. */
  notes?: NotesService;
  /** Exports and retention (src/records). */
  records?: RecordsService;
}) {
  const { applications, messaging, notifications, dashboard } = deps;
  const conversationUrl = (applicationId: string, before: string | null, staff: boolean) =>
    staff
      ? messagingUrls.staffConversation(applicationId, before)
      : messagingUrls.jobseekerConversation(applicationId, before);
  const attachmentField = attachmentFieldDescription(deps.attachmentLimits);

  function findApplication(viewer: SignedInUser, applicationId: string) {
    return viewer.kind === 'staff'
      ? applications.findForStaff(applicationId, viewer.id)
      : applications.findForJobseeker(applicationId, viewer.id);
  }

  /**
   * The message form's template picker: the templates this member of staff can use, and the one picked, filled for
   * this applicant (or why it cannot be: deleted, or a placeholder with no value for them).
   */
  async function templatePicker(viewer: SignedInUser, application: ApplicationRecord, templateId: string | undefined) {
    const { templates } = deps;
    if (!templates) return null;
    const choices = await templates.list(viewer);
    const picked = choices.find((template) => template.id === templateId);
    const errors: FormErrors = { list: [], byField: {} };
    let filled: { body: string; html: string } | null = null;
    const refuse = (text: string) => {
      errors.list.push({ text, href: '#template' });
      errors.byField.template = { text };
    };
    if (templateId !== undefined) {
      const result = picked
        ? await templates.fill(viewer, picked.id, {
            candidateName: application.candidateName,
            vacancyTitle: application.vacancyTitle,
            schoolName: application.schoolName,
            senderName: viewer.fullName,
          })
        : ({ outcome: 'not-found' } as const);
      if (result.outcome === 'filled') filled = { body: result.typedText, html: result.html };
      else if (result.outcome === 'missing')
        refuse(`‘${result.name}’ cannot be used: ${missingValuesReason(result.missing).replace(/^Not sent: t/, 't')}`);
      else refuse('The template you picked no longer exists. Pick another template');
    }
    return {
      action: `${applicationUrls.staffApplication(application.id)}#template`,
      items: [
        { value: '', text: 'Choose a template' },
        ...choices.map((template) => ({
          value: template.id,
          text: template.name,
          selected: template.id === templateId,
        })),
      ],
      hasTemplates: choices.length > 0,
      filled,
      errors,
    };
  }

  return {
    /** The page's view model and template, or undefined when this person may not see the application. */
    async applicationPage(viewer: SignedInUser, applicationId: string, options: ApplicationPageOptions) {
      const application = await findApplication(viewer, applicationId);
      if (!application) return undefined;
      const isStaff = viewer.kind === 'staff';
      const label = statusLabel;
      const [changes, conversation] = await Promise.all([
        applications.timeline(application.id),
        messaging.openConversation(application, viewer, { markRead: options.markRead, before: options.before ?? null }),
      ]);
      // A cursor that is not a message of this conversation (typed, stale, or another conversation's) is not found.
      if (!conversation.cursorFound) return undefined;
      if (options.markRead) await notifications.conversationOpened(viewer, application);
      const timeline = changes.map((change) => ({
        ...change,
        fromLabel: change.from ? label(change.from) : null,
        toLabel: label(change.to),
        actor:
          change.actorKind === 'staff' && change.actorOrganisations
            ? `${change.actorName}, ${change.actorOrganisations}`
            : change.actorName,
      }));
      let messageForm = options.messageForm ?? emptyMessageForm();
      const picker = isStaff ? await templatePicker(viewer, application, options.templateId) : null;
      if (picker?.filled) messageForm = { ...emptyMessageForm(), format: 'text', ...picker.filled };
      const errors: FormErrors = {
        list: [...(options.statusErrors?.list ?? []), ...messageForm.errors.list, ...(picker?.errors.list ?? [])],
        byField: { ...options.statusErrors?.byField, ...messageForm.errors.byField, ...picker?.errors.byField },
      };
      for (const error of options.noteForm?.errors ?? [])
        errors.list.push({ text: error.text, href: `#${error.field}` });
      if (options.holdForm) {
        errors.list.push({ text: options.holdForm.error, href: '#holdReason' });
        errors.byField.holdReason = { text: options.holdForm.error };
      }
      const recordsSection = deps.records ? await deps.records.applicationPageRecords(viewer, application) : null;
      const holdReason = options.holdForm?.reason ?? '';
      const common = {
        application,
        statusLabel: label(application.status),
        timeline,
        errors,
        conversation: {
          ...conversation,
          earlierUrl:
            conversation.earlierBefore && conversationUrl(application.id, conversation.earlierBefore, isStaff),
          latestUrl: conversation.before ? conversationUrl(application.id, null, isStaff) : null,
          pageSize: conversationPageSize,
          messages: conversation.messages.map((message) => ({
            ...message,
            senderLabel: senderLabel(message),
            attachments: message.attachments.map((attachment) => ({
              ...attachment,
              url: messagingUrls.attachment(attachment.id),
              sizeLabel: sizeLabel(attachment.sizeBytes),
              notScanned: isStaff && attachment.scanResult === 'not_scanned',
            })),
          })),
        },
        messageForm,
        recordsSection: recordsSection && {
          ...recordsSection,
          retention: recordsSection.retention && { ...recordsSection.retention, reasonValue: holdReason },
        },
        messageAction: isStaff ? messagingUrls.staffSend(application.id) : messagingUrls.jobseekerSend(application.id),
        attachmentLimits: attachmentField,
        // With JavaScript, the latest page listens for new messages from this time on (src/live); an earlier page
        // would not show them where they belong.
        live: conversation.before
          ? null
          : {
              events: liveUrls.applicationEvents(application.id, Date.now()),
              thread: liveUrls.thread(application.id),
            },
      };
      if (isStaff) {
        const conversationId = conversation.conversationId;
        const [archived, following, notesSection] = await Promise.all([
          conversationId ? dashboard.isArchived(viewer, conversationId) : false,
          notifications.isFollowing(viewer, application.id),
          deps.notes?.applicationPageNotes(viewer, application, timeline, options.noteForm) ?? null,
        ]);
        const hasJobseekerMessages = conversation.jobseekerMessageCount > 0;
        return {
          template: 'applications/views/staff-application.njk',
          view: {
            ...common,
            pageTitle: `${application.candidateName} – ${application.vacancyTitle}`,
            templatePicker: picker,
            scheduledMessages: deps.scheduled
              ? (await deps.scheduled.waitingFor(viewer, application.id)).map((message) => ({
                  ...message,
                  editUrl: scheduledUrls.edit(message.id),
                  cancelAction: scheduledUrls.cancel(message.id),
                }))
              : [],
            canSendLater: deps.scheduled !== undefined,
            moves: allowedMoves(application.status, 'staff').map((to) => ({ value: to, text: statusLabel(to) })),
            statusAction: applicationUrls.staffStatus(application.id),
            following,
            notesSection,
            followAction: applicationUrls.follow(application.id),
            conversationActions: conversationId
              ? {
                  archived,
                  archiveAction: archived
                    ? dashboardUrls.unarchiveConversation(conversationId)
                    : dashboardUrls.archiveConversation(conversationId),
                  markUnreadAction: hasJobseekerMessages ? dashboardUrls.markUnread(conversationId) : null,
                }
              : null,
            backLink: {
              href: vacancyUrls.staffVacancy(application.vacancyId, application.status),
              text: 'Back to applications',
            },
          },
        };
      }
      return {
        template: 'applications/views/jobseeker-application.njk',
        view: {
          ...common,
          pageTitle: `Your application for ${application.vacancyTitle}`,
          canWithdraw: canWithdraw(application.status),
          withdrawUrl: applicationUrls.withdraw(application.id),
          editUrl: vacancyUrls.apply(application.vacancyId),
          backLink: { href: applicationUrls.jobseekerApplications(), text: 'Your applications' },
        },
      };
    },

    /** "Your applications": each application with its status and how many of the school's messages are unread. */
    async yourApplications(viewer: SignedInUser) {
      const [rows, conversations] = await Promise.all([
        applications.listForJobseeker(viewer.id),
        dashboard.jobseekerConversations(viewer),
      ]);
      const unread = new Map(conversations.map((row) => [row.applicationId, row.unreadCount]));
      return rows.map((row) => ({
        ...row,
        statusLabel: statusLabel(row.status),
        unreadCount: unread.get(row.id) ?? 0,
        url: applicationUrls.jobseekerApplication(row.id),
        messagesUrl: messagingUrls.jobseekerConversation(row.id),
      }));
    },

    /** Follow or stop following an application the member of staff can see; false if they cannot see it. */
    async setFollowing(viewer: SignedInUser, applicationId: string, following: boolean): Promise<boolean> {
      if (!(await applications.findForStaff(applicationId, viewer.id))) return false;
      await notifications.setFollowing(viewer, applicationId, following);
      return true;
    },
  };
}

export type ApplicationPageService = ReturnType<typeof createApplicationPageService>;
