export const notificationUrls = {
  list: (page = 1) => `/notifications${page > 1 ? `?page=${page}` : ''}`,
  open: (notificationId: string) => `/notifications/${notificationId}`,
  markAllRead: () => '/notifications/mark-all-read',
  settings: () => '/settings',
};
