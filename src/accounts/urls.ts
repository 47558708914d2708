export const accountUrls = {
  start: () => '/',
  signIn: (returnTo?: string) => (returnTo ? `/sign-in?returnTo=${encodeURIComponent(returnTo)}` : '/sign-in'),
  signOut: () => '/sign-out',
};
