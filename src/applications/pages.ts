import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { SignedInUser } from '../accounts/service.ts';
import type { Container } from '../container.ts';
import { noErrors, type FormErrors } from '../web/form-errors.ts';
import { vacancyUrls } from '../vacancies/urls.ts';
import { messagingUrls } from '../messaging/urls.ts';
import { formatSize } from '../messaging/attachment-rules.ts';
import { dashboardUrls } from '../dashboard/urls.ts';
import { listStatusChanges, type ApplicationRecord } from './repository.ts';
import { allowedMoves, jobseekerStatusLabel, staffStatusLabel, type ApplicationStatus } from './status.ts';
import { applicationUrls } from './urls.ts';

/** What the message form shows: what was typed (kept on any error), the one-time key and the errors. */
export interface MessageFormState {
  body: string;
  format: 'html' | 'text';
  formKey: string;
  errors: FormErrors;
  refusedFiles: string[];
  acceptedFiles: string[];
}

export function emptyMessageForm(): MessageFormState {
  return { body: '', format: 'text', formKey: randomUUID(), errors: noErrors(), refusedFiles: [], acceptedFiles: [] };
}

export const withdrawableStatuses: readonly ApplicationStatus[] = [
  'submitted',
  'shortlisted',
  'interviewing',
  'offered',
];

/**
 * The application page, for staff and for the jobseeker: the application, its status (and, for staff, the form to
 * change it), the timeline and the conversation. Opening it marks the conversation read for this person.
 */
export async function renderApplicationPage(
  container: Container,
  reply: FastifyReply,
  application: ApplicationRecord,
  viewer: SignedInUser,
  options: { statusErrors?: FormErrors; messageForm?: MessageFormState; status?: number } = {},
): Promise<FastifyReply> {
  const isStaff = viewer.kind === 'staff';
  const label = isStaff ? staffStatusLabel : jobseekerStatusLabel;
  const changes = await listStatusChanges(container.db, application.id);
  const timeline = changes.map((change) => ({
    ...change,
    fromLabel: change.from ? label(change.from) : null,
    toLabel: label(change.to),
    actor:
      change.actorKind === 'staff' && change.actorOrganisations
        ? `${change.actorName}, ${change.actorOrganisations}`
        : change.actorName,
  }));
  const conversation = await container.messaging.openConversation(application, viewer);
  await container.notifications.conversationOpened(viewer, application);
  const messageForm = options.messageForm ?? emptyMessageForm();
  const errors: FormErrors = {
    list: [...(options.statusErrors?.list ?? []), ...messageForm.errors.list],
    byField: { ...options.statusErrors?.byField, ...messageForm.errors.byField },
  };
  const common = {
    application,
    statusLabel: label(application.status),
    timeline,
    errors,
    conversation: {
      ...conversation,
      messages: conversation.messages.map((message) => ({
        ...message,
        attachments: message.attachments.map((attachment) => ({
          ...attachment,
          url: messagingUrls.attachment(attachment.id),
          sizeLabel: sizeLabel(attachment.sizeBytes),
          notScanned: isStaff && attachment.scanResult === 'not_scanned',
        })),
      })),
    },
    messageForm,
    messageAction: isStaff ? messagingUrls.staffSend(application.id) : messagingUrls.jobseekerSend(application.id),
    attachmentLimits: {
      ...container.config.attachments,
      maxSizeLabel: formatSize(container.config.attachments.maxBytes),
    },
  };
  if (isStaff) {
    const conversationId = conversation.conversationId;
    const archived = conversationId ? await container.dashboard.isArchived(viewer, conversationId) : false;
    const hasJobseekerMessages = conversation.messages.some((message) => message.senderKind === 'jobseeker');
    return reply.code(options.status ?? 200).render('applications/views/staff-application.njk', {
      ...common,
      pageTitle: `${application.candidateName} – ${application.vacancyTitle}`,
      moves: allowedMoves(application.status, 'staff').map((to) => ({ value: to, text: staffStatusLabel(to) })),
      statusAction: applicationUrls.staffStatus(application.id),
      following: await container.notifications.isFollowing(viewer, application.id),
      followAction: `/staff/applications/${application.id}/follow`,
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
    });
  }
  return reply.code(options.status ?? 200).render('applications/views/jobseeker-application.njk', {
    ...common,
    pageTitle: `Your application for ${application.vacancyTitle}`,
    canWithdraw: withdrawableStatuses.includes(application.status),
    withdrawUrl: applicationUrls.withdraw(application.id),
    editUrl: vacancyUrls.apply(application.vacancyId),
    backLink: { href: applicationUrls.jobseekerApplications(), text: 'Your applications' },
  });
}

function sizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
