import type { OutgoingEmail } from '../platform/mail.ts';
import type { DailyConversationLine } from './repository.ts';
import { escapeHtml } from '../platform/html.ts';

/**
 * The emails' words, in plain text and GOV.UK-style HTML. Pure. They name the school, the job and the candidate but
 * never hold message text: an email may be forwarded or read on a shared device.
 */

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

type Block =
  | { paragraph: string }
  | { link: { text: string; href: string } }
  | { list: { text: string; link: { text: string; href: string } }[] };

/** GOV.UK email layout: the service name in a black banner, 19px text, blue links. */
function render(blocks: Block[], unsubscribeUrl: string, reason: string): { text: string; html: string } {
  const text: string[] = [];
  const html: string[] = [];
  for (const block of blocks) {
    if ('paragraph' in block) {
      text.push(block.paragraph, '');
      html.push(`<p style="margin:0 0 20px;font-size:19px;line-height:25px;">${escapeHtml(block.paragraph)}</p>`);
    } else if ('link' in block) {
      text.push(`${block.link.text}: ${block.link.href}`, '');
      html.push(
        `<p style="margin:0 0 20px;font-size:19px;line-height:25px;"><a href="${escapeHtml(block.link.href)}" style="color:#1d70b8;">${escapeHtml(block.link.text)}</a></p>`,
      );
    } else {
      for (const item of block.list) text.push(`- ${item.text}`, `  ${item.link.text}: ${item.link.href}`);
      text.push('');
      html.push(
        `<ul style="margin:0 0 20px;padding-left:20px;font-size:19px;line-height:25px;">${block.list
          .map(
            (item) =>
              `<li style="margin-bottom:10px;">${escapeHtml(item.text)}<br><a href="${escapeHtml(item.link.href)}" style="color:#1d70b8;">${escapeHtml(item.link.text)}</a></li>`,
          )
          .join('')}</ul>`,
      );
    }
  }
  text.push('---', reason, `Unsubscribe from these emails: ${unsubscribeUrl}`);
  const page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Parley</title></head>
<body style="margin:0;padding:0;background:#ffffff;font-family:Helvetica,Arial,sans-serif;color:#0b0c0c;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;"><tr><td style="background:#0b0c0c;padding:15px 20px;">
<span style="color:#ffffff;font-size:28px;font-weight:700;">Parley</span></td></tr>
<tr><td style="padding:0;"><div style="height:10px;background:#1d70b8;"></div></td></tr>
<tr><td style="padding:30px 20px;max-width:580px;">${html.join('\n')}
<hr style="border:0;border-top:1px solid #b1b4b6;margin:30px 0 20px;">
<p style="margin:0 0 10px;font-size:16px;line-height:22px;color:#505a5f;">${escapeHtml(reason)}</p>
<p style="margin:0;font-size:16px;line-height:22px;"><a href="${escapeHtml(unsubscribeUrl)}" style="color:#1d70b8;">Unsubscribe from these emails</a></p>
</td></tr></table></body></html>`;
  return { text: text.join('\n'), html: page };
}

export function jobseekerMessagesEmail(input: {
  to: string;
  schoolName: string;
  vacancyTitle: string;
  newMessages: number;
  /** Whether the messaging policy lets them reply (not when their application is not progressing or withdrawn). */
  canReply: boolean;
  conversationUrl: string;
  unsubscribeUrl: string;
  reference: string;
  /** The Reply-To address when replies by email work (src/replies); the email then says so, and only then. */
  replyTo?: string | null;
}): OutgoingEmail {
  const subject =
    input.newMessages === 1
      ? `New message from ${input.schoolName}`
      : `${plural(input.newMessages, 'new message', 'new messages')} from ${input.schoolName}`;
  const lead = `${input.schoolName} sent you ${input.newMessages === 1 ? 'a message' : plural(input.newMessages, 'message', 'messages')} about your application for ${input.vacancyTitle}.`;
  const { text, html } = render(
    [
      { paragraph: lead },
      {
        link: {
          text: input.canReply
            ? 'Read and reply in Parley'
            : `Read ${input.newMessages === 1 ? 'the message' : 'the messages'} in Parley`,
          href: input.conversationUrl,
        },
      },
      { paragraph: 'You will be asked to sign in first if you are not signed in.' },
      ...(input.replyTo && input.canReply
        ? [
            {
              paragraph:
                'You can also reply to this email: your reply is added to the conversation in Parley. Anything quoted below your reply is left out.',
            },
          ]
        : []),
    ],
    input.unsubscribeUrl,
    'You are getting this email because you applied for a job through Parley.',
  );
  return {
    kind: 'jobseeker_messages',
    to: input.to,
    subject,
    text,
    html,
    unsubscribeUrl: input.unsubscribeUrl,
    reference: input.reference,
    personalisation: { subject, body: text },
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
  };
}

export function staffDailyEmail(input: {
  to: string;
  lines: (DailyConversationLine & { url: string })[];
  dashboardUrl: string;
  unsubscribeUrl: string;
  reference: string;
  /** Colleagues' mentions of this person in staff notes since the last email (src/notes): what, never the note. */
  mentions?: { text: string; url: string }[];
}): OutgoingEmail {
  const total = input.lines.reduce((sum, line) => sum + line.newMessages, 0);
  const mentions = input.mentions ?? [];
  const mentionCount = plural(mentions.length, 'mention', 'mentions');
  const subject =
    total > 0
      ? `${plural(total, 'new message', 'new messages')} from applicants${mentions.length > 0 ? ` and ${mentionCount} in notes` : ''}`
      : `${mentionCount} in notes`;
  const lead = `You have ${plural(total, 'new message', 'new messages')} from applicants in ${plural(input.lines.length, 'conversation', 'conversations')}:`;
  const messageBlocks: Block[] =
    input.lines.length > 0
      ? [
          { paragraph: lead },
          {
            list: input.lines.map((line) => ({
              text: `${line.candidateName}, ${line.vacancyTitle}, ${line.schoolName}: ${plural(line.newMessages, 'new message', 'new messages')}`,
              link: { text: `Read the conversation with ${line.candidateName}`, href: line.url },
            })),
          },
        ]
      : [];
  const mentionBlocks: Block[] =
    mentions.length > 0
      ? [
          { paragraph: `Colleagues mentioned you in ${plural(mentions.length, 'note', 'notes')}:` },
          { list: mentions.map((m) => ({ text: m.text, link: { text: 'Read the note', href: m.url } })) },
        ]
      : [];
  const { text, html } = render(
    [...messageBlocks, ...mentionBlocks, { link: { text: 'See all your messages', href: input.dashboardUrl } }],
    input.unsubscribeUrl,
    'You are getting this email because you follow these applications in Parley. It comes once a day when there are new messages.',
  );
  return {
    kind: 'staff_daily',
    to: input.to,
    subject,
    text,
    html,
    unsubscribeUrl: input.unsubscribeUrl,
    reference: input.reference,
    personalisation: { subject, body: text },
  };
}
