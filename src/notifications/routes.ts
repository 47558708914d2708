import type { FastifyInstance } from 'fastify';
import { requireSignedIn, signedInUser } from '../web/guards.ts';
import { formErrors, noErrors } from '../web/form-errors.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { notificationUrls } from './urls.ts';
import { notificationsPageSize, type NotificationsService } from './service.ts';

export interface NotificationRouteServices {
  notifications: NotificationsService;
  /** Development and tests only: the emails the file transport wrote, listed at /dev/mail. */
  devMail: { transportName: string; list: () => Promise<unknown[]> } | null;
}

export function registerNotificationRoutes(app: FastifyInstance, services: NotificationRouteServices): void {
  const { notifications, devMail } = services;

  app.get('/notifications', { preHandler: requireSignedIn }, async (request, reply) => {
    const user = signedInUser(request);
    const query = request.query as Record<string, unknown>;
    const page = typeof query.page === 'string' && /^\d{1,6}$/.test(query.page) ? Math.max(1, Number(query.page)) : 1;
    const { rows, total, unread } = await notifications.page(user, page);
    const pages = Math.max(1, Math.ceil(total / notificationsPageSize));
    return reply.render('notifications/views/notifications.njk', {
      pageTitle: 'Notifications',
      rows: rows.map((row) => ({ ...row, url: notificationUrls.open(row.id) })),
      unread,
      markAllAction: notificationUrls.markAllRead(),
      pagination:
        pages > 1
          ? {
              items: Array.from({ length: pages }, (_, index) => ({
                number: index + 1,
                href: notificationUrls.list(index + 1),
                current: index + 1 === page,
              })),
              previous: page > 1 ? { href: notificationUrls.list(page - 1) } : undefined,
              next: page < pages ? { href: notificationUrls.list(page + 1) } : undefined,
            }
          : null,
    });
  });

  // Opening a notification marks it read and goes to the conversation it is about.
  app.get('/notifications/:notificationId', { preHandler: requireSignedIn }, async (request, reply) => {
    const notificationId = requireUuid((request.params as { notificationId: string }).notificationId);
    const link = await notifications.open(signedInUser(request), notificationId);
    if (!link) throw new NotFoundError();
    return reply.redirect(link, 303);
  });

  app.post('/notifications/mark-all-read', { preHandler: requireSignedIn }, async (request, reply) => {
    const count = await notifications.markAllRead(signedInUser(request));
    request.session.set(
      'flash',
      count === 1 ? '1 notification marked as read' : `${count} notifications marked as read`,
    );
    return reply.redirect(notificationUrls.list(), 303);
  });

  app.get('/settings', { preHandler: requireSignedIn }, async (request, reply) => {
    const user = signedInUser(request);
    return reply.render('notifications/views/settings.njk', {
      pageTitle: 'Email settings',
      emailsOn: await notifications.emailsOn(user),
      errors: noErrors(),
    });
  });

  app.post('/settings', { preHandler: requireSignedIn }, async (request, reply) => {
    const user = signedInUser(request);
    const choice = (request.body as Record<string, unknown> | undefined)?.emails;
    if (choice !== 'on' && choice !== 'off') {
      return reply.code(400).render('notifications/views/settings.njk', {
        pageTitle: 'Email settings',
        emailsOn: await notifications.emailsOn(user),
        errors: formErrors([{ field: 'emails', text: 'Select whether you want emails about messages' }]),
      });
    }
    await notifications.setEmails(user.id, choice === 'on');
    request.session.set(
      'flash',
      choice === 'on' ? 'You will get emails about messages' : 'You will not get emails about messages',
    );
    return reply.redirect('/settings', 303);
  });

  // One click, no sign-in: the signed token in the address is the proof. Mail programs use the POST (RFC 8058),
  // which carries no CSRF token; the signed token does that job.
  app.get('/unsubscribe/:token', async (request, reply) => {
    const userId = notifications.unsubscribeAccount((request.params as { token: string }).token);
    if (!userId)
      return reply
        .code(404)
        .render('notifications/views/unsubscribe-invalid.njk', { pageTitle: 'This unsubscribe link does not work' });
    await notifications.setEmails(userId, false);
    return reply.render('notifications/views/unsubscribed.njk', {
      pageTitle: 'You have unsubscribed',
      signedIn: request.user !== null,
    });
  });
  app.post('/unsubscribe/:token', { config: { csrf: 'signed-token' } }, async (request, reply) => {
    const userId = notifications.unsubscribeAccount((request.params as { token: string }).token);
    if (!userId) return reply.code(404).send({ status: 'not found' });
    await notifications.setEmails(userId, false);
    return reply.send({ status: 'unsubscribed' });
  });

  if (devMail) {
    // Development only: the emails the file transport wrote, so a newcomer can see what was sent.
    app.get('/dev/mail', async (_request, reply) => {
      return reply.render('notifications/views/dev-mail.njk', {
        pageTitle: 'Emails sent (development)',
        emails: await devMail.list(),
        transport: devMail.transportName,
      });
    });
  }
}
