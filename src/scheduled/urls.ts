export const scheduledUrls = {
  edit: (scheduledId: string) => `/staff/scheduled/${scheduledId}/edit`,
  save: (scheduledId: string) => `/staff/scheduled/${scheduledId}`,
  cancel: (scheduledId: string) => `/staff/scheduled/${scheduledId}/cancel`,
};
