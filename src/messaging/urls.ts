export const messagingUrls = {
  staffSend: (applicationId: string) => `/staff/applications/${applicationId}/messages`,
  jobseekerSend: (applicationId: string) => `/applications/${applicationId}/messages`,
  staffConversation: (applicationId: string) => `/staff/applications/${applicationId}#messages`,
  /**
   * Links from outside the service (emails) and addresses left in the bar by a refused send: a GET here goes to the
   * conversation, and survives sign-in, which a #messages fragment cannot (browsers never send it to the server).
   */
  staffMessages: (applicationId: string) => `/staff/applications/${applicationId}/messages`,
  jobseekerMessages: (applicationId: string) => `/applications/${applicationId}/messages`,
  jobseekerConversation: (applicationId: string) => `/applications/${applicationId}#messages`,
  attachment: (attachmentId: string) => `/attachments/${attachmentId}`,
};
