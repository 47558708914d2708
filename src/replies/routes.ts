import type { FastifyInstance } from 'fastify';
import { requireStaff, signedInUser } from '../web/guards.ts';
import { formErrors, noErrors } from '../web/form-errors.ts';
import { NotFoundError } from '../web/http-errors.ts';
import type { MessageEmails } from '../platform/database-schema.ts';
import { sendDevReply } from './dev-reply.ts';
import type { RepliesService } from './service.ts';
import { replyUrls } from './urls.ts';

interface StoredEmailFacts {
  fileName: string;
  to: string;
  subject: string;
  text: string;
  sentAt: string;
  replyTo?: string;
}

export interface ReplyRouteServices {
  replies: Pick<RepliesService, 'messageEmails' | 'setMessageEmails'>;
  /** Development and tests only: the emails written to files, and where the receiver listens. */
  devMail: {
    list: () => Promise<StoredEmailFacts[]>;
    receiver: { host: string; port: number } | null;
  } | null;
}

const messageEmailChoices: { value: MessageEmails; text: string; hint: string }[] = [
  { value: 'daily', text: 'A daily summary', hint: 'One email at 7am when applicants have sent messages.' },
  { value: 'each', text: 'An email for each new message', hint: 'A short while after each message from an applicant.' },
  { value: 'both', text: 'Both', hint: 'An email for each new message, and the daily summary.' },
];

export function registerReplyRoutes(app: FastifyInstance, services: ReplyRouteServices): void {
  const { replies, devMail } = services;
  const view = 'replies/views/message-emails.njk';

  function settingsView(chosen: MessageEmails | undefined, errors = noErrors()) {
    return {
      pageTitle: 'How often we email you about messages',
      backLink: { href: '/settings', text: 'Back to email settings' },
      items: messageEmailChoices.map((choice) => ({
        value: choice.value,
        text: choice.text,
        hint: { text: choice.hint },
        checked: choice.value === chosen,
      })),
      action: replyUrls.messageEmailSettings(),
      errors,
    };
  }

  app.get(replyUrls.messageEmailSettings(), { preHandler: requireStaff }, async (request, reply) => {
    return reply.render(view, settingsView(await replies.messageEmails(signedInUser(request))));
  });

  app.post(replyUrls.messageEmailSettings(), { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const choice = (request.body as Record<string, unknown> | undefined)?.messageEmails;
    const known = messageEmailChoices.find((item) => item.value === choice);
    if (!known) {
      return reply
        .code(400)
        .render(
          view,
          settingsView(
            undefined,
            formErrors([{ field: 'messageEmails', text: 'Select how often you want emails about messages' }]),
          ),
        );
    }
    await replies.setMessageEmails(user, known.value);
    request.session.set(
      'flash',
      known.value === 'daily'
        ? 'You will get a daily summary of new messages'
        : known.value === 'each'
          ? 'You will get an email for each new message'
          : 'You will get an email for each new message and the daily summary',
    );
    return reply.redirect('/settings', 303);
  });

  if (devMail) {
    async function findEmail(fileName: unknown) {
      if (typeof fileName !== 'string') return undefined;
      return (await devMail?.list())?.find((email) => email.fileName === fileName && email.replyTo);
    }

    app.get('/dev/mail/reply', async (request, reply) => {
      const email = await findEmail((request.query as Record<string, unknown>).email);
      if (!email || !devMail.receiver) throw new NotFoundError();
      return reply.render('replies/views/dev-reply.njk', {
        pageTitle: 'Reply to this email (development)',
        backLink: { href: '/dev/mail', text: 'Back to emails sent' },
        email,
        action: replyUrls.devReplySend(),
        errors: noErrors(),
        words: '',
      });
    });

    app.post('/dev/mail/reply', async (request, reply) => {
      const body = (request.body as Record<string, unknown> | undefined) ?? {};
      const email = await findEmail(body.email);
      if (!email?.replyTo || !devMail.receiver) throw new NotFoundError();
      const words = typeof body.words === 'string' ? body.words.trim() : '';
      if (words === '') {
        return reply.code(400).render('replies/views/dev-reply.njk', {
          pageTitle: 'Error: Reply to this email (development)',
          backLink: { href: '/dev/mail', text: 'Back to emails sent' },
          email,
          action: replyUrls.devReplySend(),
          errors: formErrors([{ field: 'words', text: 'Enter your reply' }]),
          words,
        });
      }
      await sendDevReply(devMail.receiver, {
        from: email.to,
        to: email.replyTo,
        subject: email.subject,
        words,
        quoted: email.text,
        sentAt: email.sentAt,
      });
      request.session.set('flash', 'Your reply was sent to the receiver by SMTP');
      return reply.redirect('/dev/mail', 303);
    });
  }
}
