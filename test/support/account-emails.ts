import { sql } from 'kysely';
import type { Container } from '../../src/container.ts';
import { listStoredEmails, type StoredEmail } from '../../src/platform/mail.ts';
import { queueDefinitions } from '../../src/platform/queue.ts';
import type { AccountEmailJob } from '../../src/accounts/service.ts';

/**
 * The account emails (links to confirm an address, reset a password, accept an invitation) as a worker would send
 * them: every account-email job not yet worked is handed to the service, and the file transport's emails are read.
 */
const worked = new Set<string>();

export async function workAccountEmails(container: Container): Promise<void> {
  const { rows } = await sql<{ id: string; data: AccountEmailJob }>`
    select id, data from pgboss.job where name = ${queueDefinitions.accountEmail.name} order by created_on, id
  `.execute(container.db);
  for (const job of rows) {
    if (worked.has(job.id)) continue;
    worked.add(job.id);
    await container.accountLinks.sendAccountEmail(job.data, { id: job.id, retryCount: 0, retryLimit: 6 });
  }
}

/** Every account email sent to this address, newest first. */
export async function accountEmailsTo(container: Container, to: string): Promise<StoredEmail[]> {
  await workAccountEmails(container);
  const emails = await listStoredEmails(container.config.email.mailFolder, 1000);
  return emails.filter((email) => email.kind === 'account' && email.to === to);
}

/** The path and query of the first link in an email's text that goes to `pathStart` (for example /reset-password). */
export function linkIn(email: StoredEmail | undefined, pathStart: string): string {
  if (!email) throw new Error('no email');
  const match = new RegExp(`https?://[^\\s]+(${pathStart.replace(/[/?]/g, '\\$&')}[^\\s]*)`).exec(email.text);
  if (!match?.[1]) throw new Error(`no ${pathStart} link in the email "${email.subject}"`);
  return match[1];
}
