/**
 * What a fault test checks after its fault, and the one report line per fault: requests made, errors seen and when,
 * messages stored against success responses, emails.
 */
import fs from 'node:fs/promises';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db.ts';
import type { TestSmtpServer } from '../support/smtp.ts';
import type { Outcome } from './load.ts';

/** How many times each marker's message was stored. */
export async function storedMarkers(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('messages')
    .select(sql<string>`substring(body_text from 'Fault load message ([0-9a-f-]{36})')`.as('marker'))
    .where('body_text', 'like', 'Fault load message %')
    .execute();
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.marker, (counts.get(row.marker) ?? 0) + 1);
  return counts;
}

export interface SendTally {
  sends: number;
  successes: number;
  failures: number;
  /** Markers of successful sends stored other than exactly once. */
  successNotStoredOnce: string[];
  /** Markers of failed sends that were stored all the same. */
  failureStored: string[];
  stored: number;
}

export async function tallySends(db: Db, outcomes: Outcome[]): Promise<SendTally> {
  const stored = await storedMarkers(db);
  const sends = outcomes.filter((outcome) => outcome.marker !== null);
  const successes = sends.filter((outcome) => outcome.ok);
  const failures = sends.filter((outcome) => !outcome.ok);
  return {
    sends: sends.length,
    successes: successes.length,
    failures: failures.length,
    successNotStoredOnce: successes.filter((o) => stored.get(o.marker ?? '') !== 1).map((o) => o.marker ?? ''),
    failureStored: failures.filter((o) => (stored.get(o.marker ?? '') ?? 0) > 0).map((o) => o.marker ?? ''),
    stored: [...stored.values()].reduce((sum, count) => sum + count, 0),
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "500 x 12, no response x 3", with the first and last time each was seen. */
export function describeErrors(outcomes: Outcome[]): string {
  const failed = outcomes.filter((outcome) => !outcome.ok);
  if (failed.length === 0) return 'no errors';
  const groups = new Map<string, Outcome[]>();
  for (const outcome of failed) {
    const key =
      outcome.status === null ? `no response (${outcome.error ?? ''})` : `${outcome.action} ${outcome.status}`;
    groups.set(key, [...(groups.get(key) ?? []), outcome]);
  }
  return `${failed.length} errors: ${[...groups]
    .map(
      ([key, list]) =>
        `${key} x ${list.length} from ${seconds(Math.min(...list.map((o) => o.startedAt)))} to ${seconds(Math.max(...list.map((o) => o.endedAt)))}`,
    )
    .join('; ')}`;
}

export function describeEmails(smtp: TestSmtpServer): string {
  const ids = smtp.received.map((email) => email.headers.get('message-id')?.[0] ?? '');
  return `emails ${smtp.received.length} accepted (${new Set(ids).size} distinct Message-IDs, ${smtp.dataCount} DATA commands)`;
}

/** Prints one report line for the fault (also kept for the closing note). */
export function report(fault: string, parts: string[]): void {
  process.stdout.write(`\nFAULT REPORT ${fault}: ${parts.join('; ')}\n\n`);
}

export function describeLoad(outcomes: Outcome[]): string {
  const sends = outcomes.filter((o) => o.action !== 'read').length;
  return `${outcomes.length} requests (${outcomes.length - sends} reads, ${sends} sends) from ${new Set(outcomes.map((o) => o.visitor)).size} visitors`;
}

/**
 * Attachments and files agree: every attachment row has its file (with the recorded size), every file has its row,
 * and no temporary file is left behind.
 */
export async function attachmentsAndFiles(
  db: Db,
  filesDir: string,
): Promise<{ rows: number; files: number; rowsWithoutFile: string[]; filesWithoutRow: string[] }> {
  const rows = await db.selectFrom('message_attachments').select(['storage_key', 'size_bytes']).execute();
  const names = await fs.readdir(filesDir).catch(() => [] as string[]);
  const onDisk = new Map<string, number>();
  for (const name of names) onDisk.set(name, (await fs.stat(`${filesDir}/${name}`)).size);
  const keys = new Set(rows.map((row) => row.storage_key));
  return {
    rows: rows.length,
    files: names.length,
    rowsWithoutFile: rows.filter((row) => onDisk.get(row.storage_key) !== row.size_bytes).map((row) => row.storage_key),
    filesWithoutRow: names.filter((name) => !keys.has(name)),
  };
}

/**
 * Email work not finished: jobseeker email jobs not completed yet (waiting, retrying, active, or failed for good) and
 * ledger entries claimed and not finished ("sending"). A ledger entry left "retrying" whose job has completed is not
 * work: the retry found nothing left to send (the jobseeker had read the messages) or a later email covered them.
 */
export async function emailWorkPending(db: Db): Promise<string[]> {
  const jobs = await sql<{ state: string; count: number }>`
    select state, count(*)::int as count from pgboss.job where name = 'jobseeker-message-email' and state <> 'completed'
    group by state`.execute(db);
  const ledger = await sql<{ count: number }>`
    select count(*)::int as count from email_deliveries where status = 'sending'`.execute(db);
  const sending = ledger.rows[0]?.count ?? 0;
  return [
    ...jobs.rows.map((row) => `${row.count} jobs ${row.state}`),
    ...(sending ? [`${sending} ledger entries sending`] : []),
  ];
}

/**
 * Every email the ledger records as sent arrived exactly once (its Message-ID carries the ledger id), and no
 * Message-ID arrived twice.
 */
export async function emailsNotExactlyOnce(
  db: Db,
  smtp: TestSmtpServer,
  options: { allowSameMessageIdAgain?: boolean } = {},
): Promise<string[]> {
  const sent = await db.selectFrom('email_deliveries').select('id').where('status', '=', 'sent').execute();
  const ids = smtp.received.map((email) => email.headers.get('message-id')?.[0] ?? '');
  const problems: string[] = [];
  for (const row of sent) {
    const arrived = ids.filter((id) => id.includes(row.id)).length;
    if (arrived === 0 || (arrived > 1 && !options.allowSameMessageIdAgain))
      problems.push(`ledger ${row.id} arrived ${arrived} times`);
  }
  for (const id of new Set(ids)) {
    if (!sent.some((row) => id.includes(row.id))) problems.push(`${id} is not a sent ledger entry`);
    const count = ids.filter((other) => other === id).length;
    if (count > 1 && !options.allowSameMessageIdAgain) problems.push(`${id} arrived ${count} times`);
  }
  return problems;
}

/** A line of progress with the time since the load started, so a slow or failed run shows where the time went. */
export function progress(at: number, line: string): void {
  process.stdout.write(`  [${(at / 1000).toFixed(1)} s] ${line}\n`);
}
