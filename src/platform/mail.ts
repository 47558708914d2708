import { createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

/** An email as Parley sends it, whatever carries it. */
export interface OutgoingEmail {
  kind: 'jobseeker_messages' | 'staff_daily' | 'staff_message' | 'reply_refused';
  to: string;
  subject: string;
  text: string;
  html: string;
  /** One-click unsubscribe address (RFC 8058), for the List-Unsubscribe headers and the footer link. */
  unsubscribeUrl: string;
  /** Our ledger id: the message id for SMTP, the reference for GOV.UK Notify. */
  reference: string;
  /** Values for a GOV.UK Notify template: the template uses ((subject)) and ((body)). */
  personalisation: Record<string, string>;
  /** The Reply-To address (replies by email, src/replies): only SMTP and the file transport carry it. */
  replyTo?: string;
  /** An automatic answer (a refused reply's): sent with `Auto-Submitted: auto-replied`, so no robot answers it. */
  automatic?: boolean;
}

export interface EmailTransport {
  readonly name: string;
  send(email: OutgoingEmail): Promise<{ providerReference: string | null }>;
  close?(): Promise<void>;
}

export class EmailRejectedError extends Error {
  /** The transport answered that this email can never be sent (a bad address, for example): do not retry. */
  readonly permanent = true;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  user?: string;
  password?: string;
  from: string;
}

/** SMTP through nodemailer, with a pool of connections. */
export function createSmtpTransport(settings: SmtpSettings): EmailTransport {
  const transporter = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTls,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    name: `smtp (${settings.host}:${settings.port})`,
    async send(email) {
      try {
        const info = await transporter.sendMail({
          from: settings.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: `<${email.reference}@parley>`,
          ...(email.replyTo ? { replyTo: email.replyTo } : {}),
          ...(email.unsubscribeUrl
            ? {
                list: { unsubscribe: { url: email.unsubscribeUrl, comment: 'Unsubscribe' } },
                headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
              }
            : {}),
          ...(email.automatic ? { headers: { 'Auto-Submitted': 'auto-replied' } } : {}),
        });
        return { providerReference: typeof info.messageId === 'string' ? info.messageId : null };
      } catch (error) {
        // A 5xx answer (no such mailbox, a message refused) will be the same on a retry; a 4xx or a lost connection
        // may not.
        const code = (error as { responseCode?: unknown }).responseCode;
        if (typeof code === 'number' && code >= 500) {
          throw new EmailRejectedError(
            `the mail server refused the email: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
        }
        throw error;
      }
    },
    close() {
      transporter.close();
      return Promise.resolve();
    },
  };
}

export interface NotifySettings {
  apiKey: string;
  baseUrl: string;
  /** Every template says ((subject)) and ((body)): a kind without its own template uses the jobseeker's. */
  templates: { jobseeker_messages: string; staff_daily: string } & Partial<Record<OutgoingEmail['kind'], string>>;
}

function base64Url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * GOV.UK Notify's API: POST /v2/notifications/email, authorised by a JWT (HS256) whose issuer is the service id and
 * whose key is the API key's secret. An API key is "<name>-<service id>-<secret>" (each id 36 characters).
 */
export function createNotifyTransport(settings: NotifySettings): EmailTransport {
  const key = settings.apiKey;
  const serviceId = key.slice(-73, -37);
  const secret = key.slice(-36);
  function token(): string {
    const header = base64Url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
    const payload = base64Url(JSON.stringify({ iss: serviceId, iat: Math.floor(Date.now() / 1000) }));
    const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }
  return {
    name: `GOV.UK Notify (${settings.baseUrl})`,
    async send(email) {
      const response = await fetch(`${settings.baseUrl.replace(/\/$/, '')}/v2/notifications/email`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json', 'User-Agent': 'parley' },
        body: JSON.stringify({
          email_address: email.to,
          template_id: settings.templates[email.kind] ?? settings.templates.jobseeker_messages,
          personalisation: email.personalisation,
          reference: email.reference,
          ...(email.unsubscribeUrl ? { one_click_unsubscribe_url: email.unsubscribeUrl } : {}),
        }),
        signal: AbortSignal.timeout(20_000),
      });
      const body = (await response.json().catch(() => ({}))) as {
        id?: string;
        errors?: { error: string; message: string }[];
      };
      if (response.status === 201) return { providerReference: body.id ?? null };
      const detail = body.errors?.map((e) => `${e.error}: ${e.message}`).join('; ') ?? `HTTP ${response.status}`;
      // 400 and 403 will not change on a retry; 429 and 5xx may.
      if (response.status === 400 || response.status === 403)
        throw new EmailRejectedError(`Notify refused the email: ${detail}`);
      throw new Error(`Notify did not accept the email: ${detail}`);
    },
  };
}

/** Development: each email is written to a folder as JSON, and shown at /dev/mail. */
export function createFileTransport(folder: string): EmailTransport {
  return {
    name: `files (${folder})`,
    async send(email) {
      await fs.mkdir(folder, { recursive: true });
      const fileName = `${new Date().toISOString().replace(/[:.]/g, '-')}-${email.reference}.json`;
      const temporary = path.join(folder, `.${fileName}`);
      await fs.writeFile(temporary, JSON.stringify({ ...email, sentAt: new Date().toISOString() }, null, 2));
      await fs.rename(temporary, path.join(folder, fileName));
      return { providerReference: fileName };
    },
  };
}

export interface StoredEmail extends OutgoingEmail {
  sentAt: string;
  fileName: string;
}

export async function listStoredEmails(folder: string, limit = 50): Promise<StoredEmail[]> {
  const files = (await fs.readdir(folder).catch(() => [] as string[])).filter(
    (file) => file.endsWith('.json') && !file.startsWith('.'),
  );
  files.sort().reverse();
  const emails: StoredEmail[] = [];
  for (const file of files.slice(0, limit)) {
    emails.push({
      ...(JSON.parse(await fs.readFile(path.join(folder, file), 'utf8')) as OutgoingEmail & { sentAt: string }),
      fileName: file,
    });
  }
  return emails;
}
