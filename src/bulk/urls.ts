export const bulkUrls = {
  start: (vacancyId: string) => `/staff/vacancies/${vacancyId}/bulk`,
  compose: (batchId: string) => `/staff/bulk/${batchId}`,
  preview: (batchId: string, applicationId?: string) =>
    `/staff/bulk/${batchId}/preview${applicationId ? `?applicant=${applicationId}` : ''}`,
  send: (batchId: string) => `/staff/bulk/${batchId}/send`,
  result: (batchId: string) => `/staff/bulk/${batchId}/result`,
};
