export const recordUrls = {
  staffExport: (applicationId: string) => `/staff/applications/${applicationId}/conversation.pdf`,
  jobseekerExport: (applicationId: string) => `/applications/${applicationId}/conversation.pdf`,
  hold: (applicationId: string) => `/staff/applications/${applicationId}/retention-hold`,
  retentionSettings: () => '/staff/retention',
  retentionSettingsFor: (organisationId: string) => `/staff/retention/${organisationId}`,
  yourData: () => '/settings/your-data',
  downloadYourData: () => '/settings/your-data/download',
  deleteAccount: () => '/settings/delete-account',
};
