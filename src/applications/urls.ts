export const applicationUrls = {
  staffApplication: (applicationId: string) => `/staff/applications/${applicationId}`,
  staffStatus: (applicationId: string) => `/staff/applications/${applicationId}/status`,
  jobseekerApplications: () => '/applications',
  jobseekerApplication: (applicationId: string) => `/applications/${applicationId}`,
  withdraw: (applicationId: string) => `/applications/${applicationId}/withdraw`,
  follow: (applicationId: string) => `/staff/applications/${applicationId}/follow`,
};
