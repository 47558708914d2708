import type { ApplicationStatus } from '../applications/status.ts';
import type { DashboardSort, DashboardTab } from './repository.ts';

export interface DashboardQuery {
  tab: DashboardTab;
  sort: DashboardSort;
  q: string;
  page: number;
  school: string;
  job: string;
  status: ApplicationStatus | '';
  show: 'all' | 'unread' | 'awaiting-reply';
  /** "Select all on this page" without JavaScript: the page comes back with every box ticked. */
  selectAll?: boolean;
}

/** The dashboard's address keeps the tab, sort, search and filters, so they survive paging and actions. */
export function dashboardUrl(query: Partial<DashboardQuery> = {}): string {
  const params = new URLSearchParams();
  if (query.tab && query.tab !== 'inbox') params.set('tab', query.tab);
  if (query.sort && query.sort !== 'unread') params.set('sort', query.sort);
  if (query.q) params.set('q', query.q);
  if (query.school) params.set('school', query.school);
  if (query.job) params.set('job', query.job);
  if (query.status) params.set('status', query.status);
  if (query.show && query.show !== 'all') params.set('show', query.show);
  if (query.page && query.page > 1) params.set('page', String(query.page));
  if (query.selectAll) params.set('select', 'all');
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
