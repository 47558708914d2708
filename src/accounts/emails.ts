import type { OutgoingEmail } from '../platform/mail.ts';
import { escapeHtml } from '../platform/html.ts';

/**
 * The words of the account emails: confirm an email address, reset a password, an invitation to join an
 * organisation, and the note to an address that already has an account. Pure. They hold the link and nothing else
 * a stranger could use: no password, no other address.
 */

type Block = { paragraph: string } | { link: { text: string; href: string } };

/** The same GOV.UK-style layout as the other emails (src/notifications/emails.ts). */
function render(blocks: Block[], footer: string[]): { text: string; html: string } {
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
</td></tr></table></body></html>`;
  return { text: text.join('\n'), html: page };
}

function email(to: string, subject: string, reference: string, blocks: Block[]): OutgoingEmail {
  const { text, html } = render(blocks, [
    'You are getting this email because someone used this email address in Parley.',
    'If it was not you, you can ignore this email: nothing changes unless the link is followed.',
  ]);
  return {
    kind: 'account',
    to,
    subject,
    text,
    html,
    unsubscribeUrl: '',
    reference,
    personalisation: { subject, body: text },
  };
}

export function verifyEmailEmail(input: { to: string; fullName: string; link: string; reference: string }) {
  return email(input.to, 'Confirm your email address for Parley', input.reference, [
    { paragraph: `Hello ${input.fullName},` },
    { paragraph: 'Confirm your email address to finish creating your Parley account. You can then apply for jobs.' },
    { link: { text: 'Confirm your email address', href: input.link } },
    { paragraph: 'The link works once, for 24 hours.' },
  ]);
}

export function resetPasswordEmail(input: { to: string; fullName: string; link: string; reference: string }) {
  return email(input.to, 'Reset your Parley password', input.reference, [
    { paragraph: `Hello ${input.fullName},` },
    { paragraph: 'Someone asked to reset the password of your Parley account. If it was you, choose a new one.' },
    { link: { text: 'Reset your password', href: input.link } },
    {
      paragraph:
        'The link works once, for 1 hour. Resetting your password signs you out everywhere. If you did not ask, you can ignore this email: your password has not changed.',
    },
  ]);
}

export function invitationEmail(input: {
  to: string;
  organisationName: string;
  invitedBy: string;
  link: string;
  reference: string;
}) {
  return email(input.to, `You have been invited to join ${input.organisationName} on Parley`, input.reference, [
    {
      paragraph: `${input.invitedBy} has invited you to join ${input.organisationName} on Parley, where schools run their vacancies and message applicants.`,
    },
    { link: { text: 'Accept the invitation', href: input.link } },
    { paragraph: 'The link works once, for 7 days.' },
  ]);
}

export function alreadyRegisteredEmail(input: {
  to: string;
  fullName: string;
  signInLink: string;
  resetLink: string;
  reference: string;
}) {
  return email(input.to, 'You already have a Parley account', input.reference, [
    { paragraph: `Hello ${input.fullName},` },
    {
      paragraph:
        'Someone tried to create a Parley account with this email address. There is already an account with it, so no new account was made.',
    },
    { link: { text: 'Sign in to Parley', href: input.signInLink } },
    { paragraph: 'If you have forgotten your password, you can choose a new one.' },
    { link: { text: 'Reset your password', href: input.resetLink } },
  ]);
}
