import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server in the test process (smtp-server), recording every email it accepted with its envelope, headers
 * and decoded text and HTML parts. Under SMTP an email is delivered once the server has answered 250 to its DATA;
 * `received` holds exactly those. The server can also hold its answer (to make "in the middle of sending"
 * deterministic) and then drop the connection without accepting, and it can be stopped and started again on the
 * same port (an outage).
 */

export interface ReceivedEmail {
  /** The SMTP envelope: what the client said in MAIL FROM and RCPT TO. */
  envelope: { from: string; to: string[] };
  /** Header values by lower-case name, unfolded and with encoded words decoded. */
  headers: Map<string, string[]>;
  subject: string;
  /** The decoded text/plain part ('' when there is none). */
  text: string;
  /** The decoded text/html part ('' when there is none). */
  html: string;
  raw: string;
  receivedAt: Date;
}

export interface HeldEmail {
  email: ReceivedEmail;
  /** Closes the connection without answering the DATA: the email is not delivered. */
  drop(): void;
  /** Answers 250 after all: the email is delivered. */
  accept(): void;
}

export interface TestSmtpServer {
  readonly port: number;
  /** Emails answered with 250, in order. */
  readonly received: ReceivedEmail[];
  /** Emails whose DATA arrived and whose answer is being held. */
  readonly held: HeldEmail[];
  /** Every DATA that arrived, delivered or not. */
  readonly dataCount: number;
  /** From now on, hold the answer to every DATA for which `when` is true (and, with `andAfter`, to every later one). */
  holdWhen(when: (email: ReceivedEmail) => boolean, options?: { andAfter?: boolean }): void;
  /** Answers every later DATA at once again (emails already held stay held). */
  stopHolding(): void;
  /** Refuses RCPT TO for these addresses as a mail server does for an unknown mailbox (550, naming the address). */
  refuseRecipients(addresses: string[]): void;
  /** Waits until `count` emails matching `filter` were accepted; returns them. */
  waitForReceived(
    count: number,
    filter?: (email: ReceivedEmail) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedEmail[]>;
  waitForHeld(count: number, timeoutMs?: number): Promise<HeldEmail[]>;
  /** Stops listening and cuts every open connection (held emails are dropped, not delivered). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Emails accepted for one address. */
  to(address: string): ReceivedEmail[];
}

export async function startSmtpServer(options: { port?: number } = {}): Promise<TestSmtpServer> {
  const received: ReceivedEmail[] = [];
  const held: HeldEmail[] = [];
  let dataCount = 0;
  let holdRule: { when: (email: ReceivedEmail) => boolean; andAfter: boolean; triggered: boolean } | undefined;
  const refused = new Set<string>();
  let server: SMTPServer | undefined;
  let port = options.port ?? 0;

  function connectionOf(current: SMTPServer, session: SMTPServerSession) {
    return [...current.connections].find((connection) => connection.session.id === session.id);
  }

  function listen(): Promise<void> {
    const instance: SMTPServer = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      onRcptTo(address, _session, callback) {
        if (!refused.has(address.address)) return callback();
        const error = Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`), {
          responseCode: 550,
        });
        callback(error);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          dataCount += 1;
          const email = parseEmail(Buffer.concat(chunks).toString('utf8'), {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((address) => address.address),
          });
          const rule = holdRule;
          if (rule && (rule.triggered || rule.when(email))) {
            if (rule.andAfter) rule.triggered = true;
            let settled = false;
            held.push({
              email,
              drop() {
                if (settled) return;
                settled = true;
                connectionOf(instance, session)?._socket.destroy();
              },
              accept() {
                if (settled) return;
                settled = true;
                received.push(email);
                callback(null, 'Accepted');
              },
            });
            return;
          }
          received.push(email);
          callback(null, 'Accepted');
        });
      },
    });
    instance.on('error', () => undefined); // a client cut off mid-command is not the test's business
    server = instance;
    return new Promise((resolve, reject) => {
      instance.server.once('error', reject);
      instance.listen(port, '127.0.0.1', () => {
        const address = instance.server.address();
        if (typeof address === 'object' && address) port = address.port;
        resolve();
      });
    });
  }

  async function waitUntil<T>(read: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
      await sleep(50);
    }
  }

  await listen();

  return {
    get port() {
      return port;
    },
    received,
    held,
    get dataCount() {
      return dataCount;
    },
    holdWhen(when, holdOptions = {}) {
      holdRule = { when, andAfter: holdOptions.andAfter ?? false, triggered: false };
    },
    stopHolding() {
      holdRule = undefined;
    },
    refuseRecipients(addresses) {
      for (const address of addresses) refused.add(address);
    },
    waitForReceived(count, filter = () => true, timeoutMs = 30_000) {
      return waitUntil(
        () => {
          const matching = received.filter(filter);
          return matching.length >= count ? matching : undefined;
        },
        timeoutMs,
        () => `${count} accepted emails (have ${received.filter(filter).length})`,
      );
    },
    waitForHeld(count, timeoutMs = 30_000) {
      return waitUntil(
        () => (held.length >= count ? [...held] : undefined),
        timeoutMs,
        () => `${count} held emails (have ${held.length})`,
      );
    },
    async stop() {
      const current = server;
      if (!current) return;
      server = undefined;
      holdRule = undefined;
      for (const connection of current.connections) connection._socket.destroy();
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    async start() {
      if (server) return;
      await listen();
    },
    to(address) {
      return received.filter((email) => email.envelope.to.includes(address));
    },
  };
}

// A small MIME reader, enough for what nodemailer writes: headers, multipart bodies, quoted-printable and base64.

function splitHeaderBlock(raw: string): { headerBlock: string; body: string } {
  const index = raw.indexOf('\r\n\r\n');
  return index === -1
    ? { headerBlock: raw, body: '' }
    : { headerBlock: raw.slice(0, index), body: raw.slice(index + 4) };
}

function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?') // white space between two encoded words is not part of the text
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_match, _charset: string, encoding: string, encoded: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(encoded, 'base64').toString('utf8')
        : decodeQuotedPrintable(encoded.replace(/_/g, ' ')),
    );
}

function parseHeaders(block: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const unfolded = block.replace(/\r\n(?=[ \t])/g, '');
  for (const line of unfolded.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeEncodedWords(line.slice(colon + 1).trim());
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return headers;
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const source = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i] ?? '';
    const hex = source.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(body: string, transferEncoding: string | undefined): string {
  const encoding = (transferEncoding ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/** The leaf parts of a MIME entity, each with its content type and decoded content. */
function leafParts(headers: Map<string, string[]>, body: string): { type: string; content: string }[] {
  const contentType = headers.get('content-type')?.[0] ?? 'text/plain';
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? 'text/plain';
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) return [];
    const sections = body.split(`--${boundary}`).slice(1);
    return sections
      .filter((section) => !section.startsWith('--'))
      .flatMap((section) => {
        const part = splitHeaderBlock(section.replace(/^\r\n/, ''));
        return leafParts(parseHeaders(part.headerBlock), part.body.replace(/\r\n$/, ''));
      });
  }
  // Lines end in CRLF on the wire; the decoded content is compared with what Parley wrote, which uses LF.
  return [{ type, content: decodeBody(body, headers.get('content-transfer-encoding')?.[0]).replace(/\r\n/g, '\n') }];
}

export function parseEmail(raw: string, envelope: { from: string; to: string[] }): ReceivedEmail {
  const { headerBlock, body } = splitHeaderBlock(raw);
  const headers = parseHeaders(headerBlock);
  const parts = leafParts(headers, body);
  return {
    envelope,
    headers,
    subject: headers.get('subject')?.[0] ?? '',
    text: parts.find((part) => part.type === 'text/plain')?.content ?? '',
    html: parts.find((part) => part.type === 'text/html')?.content ?? '',
    raw,
    receivedAt: new Date(),
  };
}
