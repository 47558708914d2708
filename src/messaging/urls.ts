const pageQuery = (before: string | null) => (before ? `?before=${encodeURIComponent(before)}` : '');

export const messagingUrls = {
  staffSend: (applicationId: string) => `/staff/applications/${applicationId}/messages`,
  jobseekerSend: (applicationId: string) => `/applications/${applicationId}/messages`,
  /** The conversation's latest messages, or with `before` the page of earlier messages before that message. */
  staffConversation: (applicationId: string, before: string | null = null) =>
    `/staff/applications/${applicationId}${pageQuery(before)}#messages`,
  /**
   * Links from outside the service (emails) and addresses left in the bar by a refused send: a GET here goes to the
   * conversation, and survives sign-in, which a #messages fragment cannot (browsers never send it to the server).
   */
  staffMessages: (applicationId: string) => `/staff/applications/${applicationId}/messages`,
  jobseekerMessages: (applicationId: string) => `/applications/${applicationId}/messages`,
  jobseekerConversation: (applicationId: string, before: string | null = null) =>
    `/applications/${applicationId}${pageQuery(before)}#messages`,
  attachment: (attachmentId: string) => `/attachments/${attachmentId}`,
};
