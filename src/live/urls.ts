/** The addresses of live pages' event streams and of what a page fetches when told something changed. */
export const liveUrls = {
  /** Everything this person may see: the navigation's numbers and "new messages" on lists of conversations. */
  events: (since?: number) => `/live/events${since === undefined ? '' : `?since=${since}`}`,
  /** One conversation's new messages, for the application page (and the navigation's numbers). */
  applicationEvents: (applicationId: string, since?: number) =>
    `/live/applications/${applicationId}/events${since === undefined ? '' : `?since=${since}`}`,
  /** The conversation's list of messages, as the application page shows it. */
  thread: (applicationId: string) => `/live/applications/${applicationId}/thread`,
};
