export const messagingUrls = {
  staffSend: (applicationId: string) => `/staff/applications/${applicationId}/messages`,
  jobseekerSend: (applicationId: string) => `/applications/${applicationId}/messages`,
  staffConversation: (applicationId: string) => `/staff/applications/${applicationId}#messages`,
  jobseekerConversation: (applicationId: string) => `/applications/${applicationId}#messages`,
  attachment: (attachmentId: string) => `/attachments/${attachmentId}`,
};
