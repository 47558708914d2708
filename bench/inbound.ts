/**
 * Replies by email, end to end: real SMTP from this process to the reply receiver (`node src/main.ts --inbound`, in
 * production mode), which parses each email, finds the reply address, and sends the reply through the web's send
 * path; the receiver answers 250 only once the message is committed. Replies per second = emails answered 250 and
 * written as messages, over the time from the first email to the last answer.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type pg from 'pg';
import { createDatabase } from '../src/platform/db.ts';
import { createReplyAddresses } from '../src/replies/service.ts';
import { cpuPer, type CpuSample } from './cpu.ts';
import { summarise } from './stats.ts';

export interface InboundResult {
  emails: number;
  accepted: number;
  failed: number;
  seconds: number;
  perSecond: number;
  concurrency: number;
  /** Each email's SMTP transaction, from DATA to the receiver's answer (the reply written). */
  p50: number;
  p95: number;
  /** CPU ms per reply: the receiver, PostgreSQL and this process (which sends the emails). */
  cpu: CpuSample | null;
}

const quoted = (name: string) => `Thank you, Monday at 10 suits me. I will bring my certificates.

Best wishes
${name}

On Mon, 1 Dec 2026 at 09:14, Oakfield Primary School <reply@example.com> wrote:
> Could you come in for a short visit on Monday at 10 o'clock?
> We look forward to hearing from you.
`;

export async function measureInbound(input: {
  client: pg.Client;
  connectionString: string;
  port: number;
  domain: string;
  jobseekerSenders: { userId: string; applicationId: string }[];
  emails: number;
  concurrency: number;
  cpu?: () => CpuSample;
  log: (line: string) => void;
}): Promise<InboundResult> {
  const { client, log } = input;
  const { db } = createDatabase(input.connectionString, 2);
  const addresses = createReplyAddresses({ db, domain: input.domain });
  const owners = await client.query<{ id: string; email: string; full_name: string }>(
    `select id, email, full_name from users where id = any($1::uuid[])`,
    [input.jobseekerSenders.map((sender) => sender.userId)],
  );
  const ownerBy = new Map(owners.rows.map((row) => [row.id, row]));
  const senders: { from: string; name: string; to: string }[] = [];
  for (const sender of input.jobseekerSenders) {
    const owner = ownerBy.get(sender.userId);
    const to = await addresses.forEmail(sender.userId, sender.applicationId);
    if (owner && to) senders.push({ from: owner.email, name: owner.full_name, to });
  }
  await db.destroy();
  if (senders.length === 0) throw new Error('no jobseekers to reply');
  log(`    ${senders.length} reply addresses; ${input.emails} emails, ${input.concurrency} SMTP connections`);

  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: input.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: input.concurrency,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  const before = Number(
    (await client.query<{ count: string }>(`select count(*) from inbound_replies where outcome = 'accepted'`)).rows[0]
      ?.count ?? 0,
  );
  const timings: number[] = [];
  let failed = 0;
  let next = 0;
  const cpuBefore = input.cpu?.();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: input.concurrency }, async () => {
      while (next < input.emails) {
        const sender = senders[next % senders.length];
        next += 1;
        if (!sender) continue;
        const sentAt = performance.now();
        try {
          await transport.sendMail({
            from: `${sender.name} <${sender.from}>`,
            to: sender.to,
            subject: 'Re: New message from Oakfield Primary School',
            messageId: `<${randomUUID()}@mail.bench.example>`,
            text: quoted(sender.name),
          });
          timings.push(performance.now() - sentAt);
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = input.cpu?.();
  transport.close();
  const after = Number(
    (await client.query<{ count: string }>(`select count(*) from inbound_replies where outcome = 'accepted'`)).rows[0]
      ?.count ?? 0,
  );
  const accepted = after - before;
  const cpu = cpuBefore && cpuAfter ? cpuPer(cpuBefore, cpuAfter, accepted) : null;
  const summary = summarise(timings);
  return {
    emails: input.emails,
    accepted,
    failed,
    seconds,
    perSecond: accepted / seconds,
    concurrency: input.concurrency,
    p50: summary.p50,
    p95: summary.p95,
    cpu,
  };
}
