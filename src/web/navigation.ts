import type { SignedInUser } from '../accounts/service.ts';

export interface NavigationItem {
  href: string;
  text: string;
  active: boolean;
}

/** The service navigation for each kind of account. Features add their items here. */
export function navigationFor(user: SignedInUser | null, currentUrl: string): NavigationItem[] {
  const items =
    user?.kind === 'staff'
      ? [{ href: '/staff/vacancies', text: 'Vacancies' }]
      : user?.kind === 'jobseeker'
        ? [
            { href: '/jobs', text: 'Find a job' },
            { href: '/applications', text: 'Your applications' },
          ]
        : [{ href: '/jobs', text: 'Find a job' }];
  const path = currentUrl.split('?')[0] ?? '';
  return items.map((item) => ({ ...item, active: path === item.href || path.startsWith(`${item.href}/`) }));
}
