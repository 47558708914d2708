export const vacancyUrls = {
  jobs: () => '/jobs',
  job: (vacancyId: string) => `/jobs/${vacancyId}`,
  apply: (vacancyId: string) => `/jobs/${vacancyId}/apply`,
  staffVacancies: () => '/staff/vacancies',
  staffVacancy: (vacancyId: string, status?: string) =>
    `/staff/vacancies/${vacancyId}${status ? `?status=${status}` : ''}`,
  newVacancy: () => '/staff/vacancies/new',
  editVacancy: (vacancyId: string) => `/staff/vacancies/${vacancyId}/edit`,
  publishVacancy: (vacancyId: string) => `/staff/vacancies/${vacancyId}/publish`,
  closeVacancy: (vacancyId: string) => `/staff/vacancies/${vacancyId}/close`,
};
