export const replyUrls = {
  /** Staff: how often we email about applicants' messages. */
  messageEmailSettings: () => '/settings/message-emails',
  /** Development: write a reply to an email listed at /dev/mail and send it to the receiver. */
  devReply: (fileName: string) => `/dev/mail/reply?email=${encodeURIComponent(fileName)}`,
  devReplySend: () => '/dev/mail/reply',
};
