export const templateUrls = {
  list: () => '/staff/templates',
  create: () => '/staff/templates/new',
  template: (templateId: string) => `/staff/templates/${templateId}`,
  edit: (templateId: string) => `/staff/templates/${templateId}/edit`,
  delete: (templateId: string) => `/staff/templates/${templateId}/delete`,
};
