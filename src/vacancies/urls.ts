export const vacancyUrls = {
  jobs: () => '/jobs',
  job: (vacancyId: string) => `/jobs/${vacancyId}`,
  apply: (vacancyId: string) => `/jobs/${vacancyId}/apply`,
  staffVacancies: () => '/staff/vacancies',
  staffVacancy: (vacancyId: string, status?: string) =>
    `/staff/vacancies/${vacancyId}${status ? `?status=${status}` : ''}`,
};
