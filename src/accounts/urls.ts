export const accountUrls = {
  start: () => '/',
  signIn: (returnTo?: string) => (returnTo ? `/sign-in?returnTo=${encodeURIComponent(returnTo)}` : '/sign-in'),
  signOut: () => '/sign-out',
  signUp: (returnTo?: string) => (returnTo ? `/sign-up?returnTo=${encodeURIComponent(returnTo)}` : '/sign-up'),
  forgottenPassword: () => '/forgotten-password',
  // Tokens travel in the query string, never the path: request logs record paths.
  resetPassword: (token?: string) => (token ? `/reset-password?token=${token}` : '/reset-password'),
  verifyEmail: (token?: string, returnTo?: string) =>
    token
      ? `/verify-email?token=${token}${returnTo && returnTo !== '/' ? `&returnTo=${encodeURIComponent(returnTo)}` : ''}`
      : '/verify-email',
  resendVerification: () => '/verify-email/resend',
  acceptInvitation: (token?: string) => (token ? `/invitations/accept?token=${token}` : '/invitations/accept'),
};
