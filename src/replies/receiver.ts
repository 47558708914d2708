import { SMTPServer } from 'smtp-server';
import type { Logger } from 'pino';
import type { InboundOutcome, RepliesService } from './service.ts';

/**
 * The receiver: an SMTP server (smtp-server) that takes email for the Reply-To addresses and hands each one to the
 * replies service. Production puts it behind the domain's MX or a relay (README). The answer is 250 once the email
 * became a message, was refused (the refusal is answered by email) or was ignored; 450 when one address is over its
 * hourly limit (the sending server tries again later); 451 on a fault of ours (the sending server tries again; the
 * same email twice is one message); 550 for an address that is not ours.
 */
export interface ReplyReceiver {
  readonly port: number;
  close(): Promise<void>;
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

export async function startReplyReceiver(options: {
  replies: Pick<RepliesService, 'receive'>;
  logger: Logger;
  host: string;
  port: number;
  maxBytes: number;
  /** Accepts only addresses of this domain at RCPT TO. */
  domain: string;
}): Promise<ReplyReceiver> {
  const { replies, logger, maxBytes } = options;
  const server = new SMTPServer({
    name: options.domain,
    banner: 'Parley reply receiver',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: maxBytes,
    maxClients: 200,
    onRcptTo(address, session, callback) {
      if (!address.address.toLowerCase().endsWith(`@${options.domain}`)) {
        callback(smtpError(550, '5.1.1 No such mailbox here'));
        return;
      }
      // One reply address per email: each becomes one message from one person.
      if (session.envelope.rcptTo.length >= 1) {
        callback(smtpError(452, '4.5.3 One recipient per email, please'));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let kept = 0;
      stream.on('data', (chunk: Buffer) => {
        // Over the limit, only the beginning (the headers) is kept: enough to answer the sender.
        if (kept < maxBytes) {
          chunks.push(chunk);
          kept += chunk.length;
        }
      });
      stream.on('end', () => {
        const recipient = session.envelope.rcptTo[0]?.address ?? '';
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const started = performance.now();
        replies
          .receive({ raw: Buffer.concat(chunks), envelopeFrom, recipient, tooLarge: stream.sizeExceeded })
          .then((outcome: InboundOutcome) => {
            logger.debug({ outcome, ms: Math.round(performance.now() - started) }, 'email received');
            if (outcome === 'rate-limited')
              callback(smtpError(450, '4.7.1 Too many replies to this address: try again later'));
            else if (outcome === 'not-ours') callback(smtpError(550, '5.1.1 No such mailbox here'));
            else callback(null, 'Received');
          })
          .catch((error: unknown) => {
            logger.error({ err: error }, 'email could not be received');
            callback(smtpError(451, '4.3.0 Could not take the email now: try again later'));
          });
      });
    },
  });
  server.on('error', (error) => logger.warn({ err: error }, 'reply receiver connection error'));
  let port = options.port;
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.server.address();
      if (typeof address === 'object' && address) port = address.port;
      resolve();
    });
  });
  return {
    get port() {
      return port;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
