export const colleagueUrls = {
  organisations: () => '/staff/colleagues',
  colleagues: (organisationId: string) => `/staff/organisations/${organisationId}/colleagues`,
  invite: (organisationId: string) => `/staff/organisations/${organisationId}/colleagues/invite`,
  role: (organisationId: string, userId: string) => `/staff/organisations/${organisationId}/colleagues/${userId}/role`,
  remove: (organisationId: string, userId: string) =>
    `/staff/organisations/${organisationId}/colleagues/${userId}/remove`,
  audit: (organisationId: string) => `/staff/organisations/${organisationId}/audit`,
};
