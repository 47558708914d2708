import fs from 'node:fs/promises';
import path from 'node:path';
import axios from 'axios';
import nodemailer from 'nodemailer';
import { NotifyClient } from 'notifications-node-client';
import type { EmailKind } from './database-schema.ts';
import { noPauses, type DeliveryCheckpoint } from './test-pauses.ts';

/** An email as Parley sends it, whatever carries it. */
export interface OutgoingEmail {
  kind: EmailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** One-click unsubscribe address (RFC 8058), for the List-Unsubscribe headers and the footer link. */
  unsubscribeUrl: string;
  /**
   * Our ledger id, the same on every attempt: the Message-ID for SMTP, the reference for GOV.UK Notify, the file
   * name for the file transport.
   */
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
  /**
   * Asks the provider whether it already has the email with this reference (an earlier attempt handed it over and
   * its worker died before the ledger recorded it): its provider reference if so, null if not. Only transports that
   * can ask have it (GOV.UK Notify); a lookup that fails throws, and the email is not sent on a guess.
   */
  findHandedOver?(reference: string): Promise<{ providerReference: string | null } | null>;
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
  /** The right-hand side of our Message-IDs (see `messageIdDomain`). */
  messageIdDomain: string;
}

/**
 * Our Message-IDs are `<ledger id@parley.DOMAIN>`, DOMAIN being the From address's (or else the service's host name):
 * every attempt at one email carries the same one, so a mail system that drops duplicate Message-IDs shows it once.
 */
export function messageIdDomain(from: string, baseUrl: string): string {
  const domain = (/@([^\s<>@]+?)>?\s*$/.exec(from)?.[1] ?? new URL(baseUrl).hostname).toLowerCase();
  return domain.startsWith('parley.') ? domain : `parley.${domain}`;
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
          messageId: `<${email.reference}@${settings.messageIdDomain}>`,
          ...(email.replyTo ? { replyTo: email.replyTo } : {}),
          ...(email.unsubscribeUrl
            ? { list: { unsubscribe: { url: email.unsubscribeUrl, comment: 'Unsubscribe' } } }
            : {}),
          headers: {
            ...(email.unsubscribeUrl ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
            ...(email.automatic ? { 'Auto-Submitted': 'auto-replied' } : {}),
          },
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

interface NotifyErrorBody {
  errors?: { error: string; message: string }[];
}

/** What went wrong in a call to Notify, with its HTTP status when it answered. */
function notifyFailure(error: unknown): { status: number | undefined; detail: string } {
  if (!axios.isAxiosError(error)) return { status: undefined, detail: String(error) };
  const status = error.response?.status;
  const errors = (error.response?.data as NotifyErrorBody | undefined)?.errors;
  const detail = Array.isArray(errors)
    ? errors.map((e) => `${e.error}: ${e.message}`).join('; ')
    : status
      ? `HTTP ${status}`
      : `${error.code ?? 'no answer'}: ${error.message}`;
  return { status, detail };
}

/**
 * GOV.UK Notify through its official client (notifications-node-client): POST /v2/notifications/email with our
 * ledger id as the `reference`, and GET /v2/notifications?reference= to find an email an earlier attempt handed over.
 */
export function createNotifyTransport(settings: NotifySettings): EmailTransport {
  const client = new NotifyClient(settings.baseUrl.replace(/\/$/, ''), settings.apiKey);
  // The client waits for ever by default; a worker slot must not. (The same axios, typed once as ESM and once as
  // CommonJS: the client's types see the second.)
  client.setClient(axios.create({ timeout: 20_000 }) as unknown as Parameters<NotifyClient['setClient']>[0]);
  return {
    name: `GOV.UK Notify (${settings.baseUrl})`,
    async send(email) {
      try {
        const response = await client.sendEmail(
          settings.templates[email.kind] ?? settings.templates.jobseeker_messages,
          email.to,
          {
            personalisation: email.personalisation,
            reference: email.reference,
            ...(email.unsubscribeUrl ? { oneClickUnsubscribeURL: email.unsubscribeUrl } : {}),
          },
        );
        return { providerReference: response.data.id };
      } catch (error) {
        const { status, detail } = notifyFailure(error);
        // 400 and 403 will not change on a retry; 429, 5xx and no answer may.
        if (status === 400 || status === 403)
          throw new EmailRejectedError(`Notify refused the email: ${detail}`, { cause: error });
        throw new Error(`Notify did not accept the email: ${detail}`, { cause: error });
      }
    },
    async findHandedOver(reference) {
      try {
        const response = await client.getNotifications('email', undefined, reference);
        const found = response.data.notifications.find((notification) => notification.reference === reference);
        return found ? { providerReference: found.id } : null;
      } catch (error) {
        throw new Error(`Notify could not be asked whether it has the email: ${notifyFailure(error).detail}`, {
          cause: error,
        });
      }
    },
  };
}

/**
 * Development: each email is written to a folder as JSON, under its ledger id (a retry rewrites the same file), and
 * shown at /dev/mail. A file appears whole or not at all (written aside, then renamed).
 */
export function createFileTransport(folder: string, checkpoint: DeliveryCheckpoint = noPauses): EmailTransport {
  return {
    name: `files (${folder})`,
    async send(email) {
      await fs.mkdir(folder, { recursive: true });
      const fileName = `${email.reference}.json`;
      const temporary = path.join(folder, `.${fileName}`);
      await fs.writeFile(temporary, JSON.stringify({ ...email, sentAt: new Date().toISOString() }, null, 2));
      await checkpoint('during-handover', email.reference);
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
  const names = (await fs.readdir(folder).catch(() => [] as string[])).filter(
    (file) => file.endsWith('.json') && !file.startsWith('.'),
  );
  // Newest first: the names are ledger ids, so by the time each file was last written.
  const files = await Promise.all(
    names.map(async (name) => ({ name, written: (await fs.stat(path.join(folder, name))).mtimeMs })),
  );
  files.sort((a, b) => b.written - a.written || a.name.localeCompare(b.name));
  const emails: StoredEmail[] = [];
  for (const { name: file } of files.slice(0, limit)) {
    emails.push({
      ...(JSON.parse(await fs.readFile(path.join(folder, file), 'utf8')) as OutgoingEmail & { sentAt: string }),
      fileName: file,
    });
  }
  return emails;
}
