import type { SignedInUser } from './signed-in-user.ts';

export interface NavigationItem {
  href: string;
  text: string;
  /** A number shown with the item (unread conversations), announced with its meaning. */
  count?: { value: number; label: string };
  active: boolean;
}

export interface NavigationCounts {
  messages: number;
  notifications: number;
}

function messagesItem(href: string, counts: NavigationCounts | null) {
  const unread = counts?.messages ?? 0;
  return {
    href,
    text: 'Messages',
    ...(unread > 0
      ? { count: { value: unread, label: unread === 1 ? 'unread conversation' : 'unread conversations' } }
      : {}),
  };
}

function notificationsItem(counts: NavigationCounts | null) {
  const unread = counts?.notifications ?? 0;
  return {
    href: '/notifications',
    text: 'Notifications',
    ...(unread > 0
      ? { count: { value: unread, label: unread === 1 ? 'unread notification' : 'unread notifications' } }
      : {}),
  };
}

/** The service navigation for each kind of account. */
export function navigationFor(
  user: SignedInUser | null,
  currentUrl: string,
  counts: NavigationCounts | null,
): NavigationItem[] {
  const items: Omit<NavigationItem, 'active'>[] =
    user?.kind === 'staff'
      ? [
          { href: '/staff/vacancies', text: 'Vacancies' },
          messagesItem('/staff/messages', counts),
          notificationsItem(counts),
          { href: '/staff/templates', text: 'Templates' },
          { href: '/settings', text: 'Settings' },
          { href: '/staff/colleagues', text: 'Colleagues' },
        ]
      : user?.kind === 'jobseeker'
        ? [
            { href: '/jobs', text: 'Find a job' },
            { href: '/applications', text: 'Your applications' },
            messagesItem('/messages', counts),
            notificationsItem(counts),
            { href: '/settings', text: 'Settings' },
          ]
        : [{ href: '/jobs', text: 'Find a job' }];
  const path = currentUrl.split('?')[0] ?? '';
  return items.map((item) => ({ ...item, active: path === item.href || path.startsWith(`${item.href}/`) }));
}
