import type { OutgoingEmail } from '../platform/mail.ts';
import type { RefusalReason } from './inbound-rules.ts';
import { escapeHtml } from '../platform/html.ts';

/**
 * The words of this feature's emails: a staff member's email about one new message, and the answer to a refused
 * reply. Pure. Like every Parley email they never hold message text; a refusal does not repeat the reply.
 */

type Block = { paragraph: string } | { link: { text: string; href: string } };

/** The same GOV.UK-style layout as the other emails (src/notifications/emails.ts). */
function render(blocks: Block[], footer: string[], unsubscribeUrl: string | null): { text: string; html: string } {
  const text: string[] = [];
  const html: string[] = [];
  const p = (inner: string) => `<p style="margin:0 0 20px;font-size:19px;line-height:25px;">${inner}</p>`;
  for (const block of blocks) {
    if ('paragraph' in block) {
      text.push(block.paragraph, '');
      html.push(p(escapeHtml(block.paragraph)));
    } else {
      text.push(`${block.link.text}: ${block.link.href}`, '');
      html.push(
        p(`<a href="${escapeHtml(block.link.href)}" style="color:#1d70b8;">${escapeHtml(block.link.text)}</a>`),
      );
    }
  }
  text.push('---', ...footer);
  if (unsubscribeUrl) text.push(`Unsubscribe from these emails: ${unsubscribeUrl}`);
  const small = (inner: string) =>
    `<p style="margin:0 0 10px;font-size:16px;line-height:22px;color:#505a5f;">${inner}</p>`;
  const page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Parley</title></head>
<body style="margin:0;padding:0;background:#ffffff;font-family:Helvetica,Arial,sans-serif;color:#0b0c0c;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;"><tr><td style="background:#0b0c0c;padding:15px 20px;">
<span style="color:#ffffff;font-size:28px;font-weight:700;">Parley</span></td></tr>
<tr><td style="padding:0;"><div style="height:10px;background:#1d70b8;"></div></td></tr>
<tr><td style="padding:30px 20px;max-width:580px;">${html.join('\n')}
<hr style="border:0;border-top:1px solid #b1b4b6;margin:30px 0 20px;">
${footer.map((line) => small(escapeHtml(line))).join('\n')}
${unsubscribeUrl ? small(`<a href="${escapeHtml(unsubscribeUrl)}" style="color:#1d70b8;">Unsubscribe from these emails</a>`) : ''}
</td></tr></table></body></html>`;
  return { text: text.join('\n'), html: page };
}

/** The sentence every email with a working Reply-To address carries, and only those. */
export const replyByEmailSentence =
  'You can reply to this email: your reply is added to the conversation in Parley. Anything quoted below your reply is left out.';

export function staffMessageEmail(input: {
  to: string;
  candidateName: string;
  vacancyTitle: string;
  schoolName: string;
  conversationUrl: string;
  settingsUrl: string;
  unsubscribeUrl: string;
  replyTo: string | null;
  reference: string;
}): OutgoingEmail {
  const subject = `New message from ${input.candidateName}`;
  const { text, html } = render(
    [
      {
        paragraph: `${input.candidateName} sent a message about their application for ${input.vacancyTitle} at ${input.schoolName}.`,
      },
      { link: { text: `Read the conversation with ${input.candidateName}`, href: input.conversationUrl } },
      ...(input.replyTo ? [{ paragraph: replyByEmailSentence }] : []),
    ],
    [
      'You are getting this email because you follow this application in Parley and asked for an email about each new message.',
      `Change how often we email you: ${input.settingsUrl}`,
    ],
    input.unsubscribeUrl,
  );
  return {
    kind: 'staff_message',
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

const refusalReasons: Record<RefusalReason, string> = {
  'unknown-address': 'The address you replied to is not one of ours, or it has been mistyped.',
  'not-the-owner':
    'Replies to this address are only accepted from the email address the message was sent to. If you were forwarded the email, ask the person it was sent to, or sign in to Parley.',
  revoked: 'You can no longer reply to this conversation by email.',
  'no-access': 'You can no longer reply to this conversation by email.',
  'not-allowed': 'Your reply could not be added to the conversation.',
  invalid: 'Your reply could not be added to the conversation.',
  'too-large': 'Your email was too large to be added to the conversation.',
};

/**
 * The answer to a refused reply: why, in a sentence or two, and where to go instead. It carries
 * `Auto-Submitted: auto-replied` (so no robot answers it) and no Reply-To.
 */
export function replyRefusedEmail(input: {
  to: string;
  reason: RefusalReason;
  /** Our own words about the refusal (the policy's reason, the file rules' errors); never the reply's text. */
  details: string[];
  conversationUrl: string | null;
  signInUrl: string;
  reference: string;
}): OutgoingEmail {
  const subject = 'Your reply was not added to the conversation';
  const { text, html } = render(
    [
      { paragraph: refusalReasons[input.reason] },
      ...input.details.map((detail) => ({ paragraph: detail })),
      input.conversationUrl
        ? { link: { text: 'Go to the conversation in Parley', href: input.conversationUrl } }
        : { link: { text: 'Sign in to Parley', href: input.signInUrl } },
    ],
    ['This is an automatic answer to an email sent to Parley. Replies to it are not read.'],
    null,
  );
  return {
    kind: 'reply_refused',
    to: input.to,
    subject,
    text,
    html,
    unsubscribeUrl: '',
    reference: input.reference,
    personalisation: { subject, body: text },
    automatic: true,
  };
}
