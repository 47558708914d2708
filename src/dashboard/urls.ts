import type { DashboardSort, DashboardTab } from './repository.ts';

export interface DashboardQuery {
  tab: DashboardTab;
  sort: DashboardSort;
  q: string;
  page: number;
}

/** The dashboard's address keeps the tab, sort and search, so they survive paging and actions. */
export function dashboardUrl(query: Partial<DashboardQuery> = {}): string {
  const params = new URLSearchParams();
  if (query.tab && query.tab !== 'inbox') params.set('tab', query.tab);
  if (query.sort && query.sort !== 'unread') params.set('sort', query.sort);
  if (query.q) params.set('q', query.q);
  if (query.page && query.page > 1) params.set('page', String(query.page));
  const search = params.toString();
  return `/staff/messages${search ? `?${search}` : ''}`;
}

export const dashboardUrls = {
  staffDashboard: dashboardUrl,
  archiveSelected: () => '/staff/messages/archive',
  archiveConversation: (conversationId: string) => `/staff/conversations/${conversationId}/archive`,
  unarchiveConversation: (conversationId: string) => `/staff/conversations/${conversationId}/unarchive`,
  markUnread: (conversationId: string) => `/staff/conversations/${conversationId}/unread`,
  jobseekerMessages: () => '/messages',
};
