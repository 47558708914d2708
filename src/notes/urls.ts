export const noteUrls = {
  add: (applicationId: string) => `/staff/applications/${applicationId}/notes`,
  edit: (applicationId: string, noteId: string) => `/staff/applications/${applicationId}/notes/${noteId}/edit`,
  anchor: (noteId: string) => `note-${noteId}`,
  onApplication: (applicationId: string, noteId: string) => `/staff/applications/${applicationId}#note-${noteId}`,
};
