import type { SignedInUser } from '../web/signed-in-user.ts';
import type { ApplicationRecord } from '../applications/repository.ts';
import type { ApplicationsService } from '../applications/service.ts';
import { statusLabel } from '../applications/status.ts';
import type { MessagingService } from '../messaging/service.ts';
import type { NotesService } from '../notes/service.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db.ts';
import { recordAuditEvent } from './audit-repository.ts';
import { renderConversationPdf } from './conversation-pdf.ts';

export interface ConversationExport {
  fileName: string;
  pdf: Buffer;
}

/** "Sam Taylor – Year 3 teacher – conversation.pdf" */
function exportFileName(application: ApplicationRecord): string {
  return `${application.candidateName} – ${application.vacancyTitle} – conversation.pdf`.replace(/[/\\]/g, '-');
}

/**
 * Conversation exports: the PDF for someone who can see the application (staff may add the notes), each export
 * recorded in the audit log.
 */
export function createExportService(deps: {
  db: Db;
  clock: Clock;
  applications: ApplicationsService;
  messaging: MessagingService;
  notes: NotesService;
}) {
  const { db, clock, applications, messaging, notes } = deps;

  /** The PDF of one application's conversation as this person sees it; no audit line (the caller records). */
  async function renderFor(viewer: SignedInUser, application: ApplicationRecord, includeNotes: boolean) {
    const isStaff = viewer.kind === 'staff';
    const conversation = await messaging.openConversation(application, viewer, { markRead: false, allMessages: true });
    const noteRows = isStaff && includeNotes ? await notes.notesForExport(application) : null;
    return renderConversationPdf({
      vacancyTitle: application.vacancyTitle,
      schoolName: application.schoolName,
      candidateName: application.candidateName,
      statusLabel: statusLabel(application.status),
      messages: conversation.messages,
      notes: noteRows,
      exportedBy: viewer.fullName,
      exportedAt: clock.now(),
    });
  }

  return {
    renderFor,

    /** undefined when this person cannot see the application (a 404). */
    async exportConversation(
      viewer: SignedInUser,
      applicationId: string,
      options: { includeNotes: boolean },
    ): Promise<ConversationExport | undefined> {
      const application =
        viewer.kind === 'staff'
          ? await applications.findForStaff(applicationId, viewer.id)
          : await applications.findForJobseeker(applicationId, viewer.id);
      if (!application) return undefined;
      const includeNotes = viewer.kind === 'staff' && options.includeNotes;
      const pdf = await renderFor(viewer, application, includeNotes);
      await recordAuditEvent(db, {
        actorUserId: viewer.id,
        organisationId: application.schoolId,
        applicationId: application.id,
        action: 'conversation_exported',
        details: { by: viewer.kind, includeNotes },
      });
      return { fileName: exportFileName(application), pdf };
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
