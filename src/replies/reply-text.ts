import EmailReplyParser from 'email-reply-parser';
import { convert } from 'html-to-text';

/**
 * The new words of an emailed reply, without the quoted history and the signature. Pure.
 *
 * The text part is preferred (Gmail, Outlook, Apple Mail and Thunderbird all send one beside the HTML): Outlook's
 * header block ("From: … Sent: …" under a line, which is not quoted with ">") is cut first, then
 * `email-reply-parser` (Crisp's port of GitHub's EmailReplyParser, used on about a million emails a day) removes
 * "On … wrote:" blocks in ten languages, ">"-quoted lines and signatures ("-- ", "Sent from my iPhone"). An email with
 * only HTML is cut where the clients start their quote (Gmail's gmail_quote, Outlook's divRplyFwdMsg, Apple Mail's
 * and Thunderbird's blockquote type=cite) and turned into text before the same steps.
 */
const htmlQuoteStarts = [
  /<div[^>]*class="[^"]*\bgmail_quote\b/i,
  /<div[^>]*class="[^"]*\bgmail_signature\b/i,
  /<blockquote[^>]*type="cite"/i,
  /<div[^>]*class="[^"]*\bmoz-cite-prefix\b/i,
  /<div[^>]*class="[^"]*\bmoz-signature\b/i,
  /<div[^>]*id="appendonsend"/i,
  /<div[^>]*id="divRplyFwdMsg"/i,
  /<div[^>]*name="messageReplySection"/i,
  /<hr[^>]*id="stopSpelling"/i,
  /<div[^>]*style="[^"]*border:none;\s*border-top:solid #E1E1E1/i,
  /<blockquote/i,
];

function cutHtmlQuote(html: string): string {
  let end = html.length;
  for (const start of htmlQuoteStarts) {
    const match = start.exec(html);
    if (match && match.index < end) end = match.index;
  }
  return html.slice(0, end);
}

function htmlToText(html: string): string {
  return convert(cutHtmlQuote(html), {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}

/** Outlook's reply header, which is not quoted: a line of underscores, or "-----Original Message-----". */
const outlookHeaderStarts = [
  /^_{10,}\s*$/m,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/im,
  /^From: .*\n(?:.*\n)?(?:Sent|Date): /m,
];

function cutOutlookHeader(text: string): string {
  let end = text.length;
  for (const start of outlookHeaderStarts) {
    const match = start.exec(text);
    if (match && match.index < end) end = match.index;
  }
  return text.slice(0, end);
}

export function replyTextOf(email: { text?: string | undefined; html?: string | false | undefined }): string {
  const plain = email.text?.trim() ? email.text : typeof email.html === 'string' ? htmlToText(email.html) : '';
  const normalised = plain.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ');
  const visible = new EmailReplyParser().read(cutOutlookHeader(normalised)).getVisibleText();
  return visible
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
