import nodemailer from 'nodemailer';

/**
 * Development only: a reply to an email listed at /dev/mail, sent over real SMTP to the receiver, the way a mail
 * program would write it (the new words, then Gmail's "On … wrote:" and the email quoted with ">").
 */
export async function sendDevReply(
  receiver: { host: string; port: number },
  reply: { from: string; to: string; subject: string; words: string; quoted: string; sentAt: string },
): Promise<void> {
  const transport = nodemailer.createTransport({
    host: receiver.host,
    port: receiver.port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    const quoted = reply.quoted
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n');
    await transport.sendMail({
      from: reply.from,
      to: reply.to,
      subject: `Re: ${reply.subject}`,
      text: `${reply.words}\n\nOn ${new Date(reply.sentAt).toUTCString()}, Parley <no-reply@parley.localhost> wrote:\n\n${quoted}\n`,
    });
  } finally {
    transport.close();
  }
}
