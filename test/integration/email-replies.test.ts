import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { queueDefinitions } from '../../src/platform/queue.ts';
import { startReplyReceiver } from '../../src/replies/receiver.ts';
import { testContainer } from '../support/context.ts';
import { createSchoolScene, type TestUser } from '../support/factories.ts';
import { startSmtpServer, type ReceivedEmail } from '../support/smtp.ts';
import { rawReply, replyStyles, type ReplyStyle } from '../fixtures/email-replies.ts';

/**
 * Replies by email, end to end: Parley's emails go to a real SMTP server in this process, their Reply-To addresses
 * are answered by a real SMTP client (nodemailer) talking to the receiver, and each reply becomes a message, or is
 * refused with a short email, or is ignored. Queue jobs are worked by calling the service as the worker does, with
 * the ids of the jobs really queued.
 */
const baseUrl = 'https://parley.example';
const domain = 'reply.parley.test';
const smtp = await startSmtpServer();
after(() => smtp.stop());
const container = testContainer({
  env: {
    EMAIL_TRANSPORT: 'smtp',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    BASE_URL: baseUrl,
    REPLY_EMAIL_DOMAIN: domain,
    REPLIES_PER_HOUR: '3',
    ATTACHMENT_MAX_BYTES: '20480',
  },
});
const db = container.db;
const maxBytes = 200_000;
const receiver = await startReplyReceiver({
  replies: container.replies,
  logger: pino({ level: 'silent' }),
  host: '127.0.0.1',
  port: 0,
  maxBytes,
  domain,
});
after(() => receiver.close());
const client = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true });
after(() => client.close());

const gmail = replyStyles[0] as ReplyStyle;
const attempt = (id: string) => ({ id, retryCount: 0, retryLimit: 6 });

async function signedIn(user: TestUser) {
  const loaded = await container.accounts.loadSignedInUser(user.id);
  assert.ok(loaded);
  return loaded;
}

async function send(user: TestUser, applicationId: string, body = 'When can you come in?'): Promise<void> {
  const result = await container.messaging.sendMessage({
    applicationId,
    sender: await signedIn(user),
    formKey: randomUUID(),
    body: { format: 'text', body },
    files: [],
  });
  assert.equal(result.outcome, 'sent', JSON.stringify(result));
}

async function jobs(name: string): Promise<{ id: string; data: unknown }[]> {
  const result = await sql<{ id: string; data: unknown }>`
    select id, data from pgboss.job where name = ${name} order by created_on, id
  `.execute(db);
  return result.rows;
}

/** Staff write; the jobseeker's email is sent as the worker would; returns that email. */
async function jobseekerEmail(scene: Awaited<ReturnType<typeof createSchoolScene>>): Promise<ReceivedEmail> {
  await send(scene.staff, scene.application.id);
  const job = (await jobs(queueDefinitions.jobseekerMessageEmail.name)).find(
    (row) => (row.data as { applicationId: string }).applicationId === scene.application.id,
  );
  assert.ok(job);
  const before = smtp.to(scene.jobseeker.email).length;
  assert.equal(await container.notifications.sendJobseekerEmail(scene.application.id, attempt(job.id)), 'sent');
  const emails = await smtp.waitForReceived(before + 1, (email) => email.envelope.to.includes(scene.jobseeker.email));
  return emails.at(-1) as ReceivedEmail;
}

function replyToOf(email: ReceivedEmail): string {
  const value = email.headers.get('reply-to')?.[0];
  assert.ok(value, 'the email has a Reply-To address');
  return value.replace(/^.*<|>.*$/g, '');
}

async function reply(options: {
  from: string;
  to: string;
  words: string;
  style?: ReplyStyle;
  envelopeFrom?: string;
  extra?: Record<string, string>;
  messageId?: string;
  attachments?: { filename: string; content: Buffer }[];
}) {
  const envelope = { from: options.envelopeFrom ?? options.from, to: options.to };
  if (options.attachments) {
    return client.sendMail({
      envelope,
      from: options.from,
      to: options.to,
      subject: 'Re: New message',
      text: options.words,
      attachments: options.attachments,
      ...(options.extra ? { headers: options.extra } : {}),
    });
  }
  return client.sendMail({
    envelope,
    raw: rawReply(options.style ?? gmail, options.words, {
      from: options.from,
      to: options.to,
      messageId: options.messageId ?? `<${randomUUID()}@mail.example>`,
      ...(options.extra ? { extra: options.extra } : {}),
    }),
  });
}

async function messagesOf(applicationId: string) {
  const result = await sql<{ senderUserId: string; bodyText: string }>`
    select m.sender_user_id as "senderUserId", m.body_text as "bodyText" from messages m
    join conversations c on c.id = m.conversation_id where c.application_id = ${applicationId} order by m.sent_at, m.id
  `.execute(db);
  return result.rows;
}

async function inbound(replyAddress: string) {
  const token = replyAddress.slice('reply+'.length, replyAddress.indexOf('@'));
  const result = await sql<{ outcome: string; refusal: string | null }>`
    select i.outcome, i.refusal from inbound_replies i join reply_addresses r on r.id = i.reply_address_id
    where r.token_hash = sha256(convert_to(${token}, 'UTF8')) order by i.received_at
  `.execute(db);
  return result.rows;
}

/** Works every queued refusal answer not yet worked; returns the emails sent to `to`. */
const workedRefusals = new Set<string>();
async function answerRefusals(to: string, count: number): Promise<ReceivedEmail[]> {
  for (const job of await jobs(queueDefinitions.replyRefusedEmail.name)) {
    if (workedRefusals.has(job.id)) continue;
    workedRefusals.add(job.id);
    await container.replies.sendRefusal(
      job.data as Parameters<typeof container.replies.sendRefusal>[0],
      attempt(job.id),
    );
  }
  return smtp.waitForReceived(count, (email) => email.envelope.to.includes(to) && email.headers.has('auto-submitted'));
}

async function refusalJobsFor(to: string): Promise<number> {
  return (await jobs(queueDefinitions.replyRefusedEmail.name)).filter((job) => (job.data as { to: string }).to === to)
    .length;
}

describe('the emails carry a Reply-To address of their own', () => {
  test('the jobseeker’s email: a fresh address each time, bound to them and the application, stored hashed', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const first = await jobseekerEmail(scene);
    const second = await jobseekerEmail(scene);
    const [a, b] = [replyToOf(first), replyToOf(second)];
    assert.match(a, new RegExp(`^reply\\+[a-z2-7]{32}@${domain.replaceAll('.', '\\.')}$`));
    assert.notEqual(a, b);
    assert.match(first.text, /You can also reply to this email: your reply is added to the conversation/);
    const rows = await sql<{ hash: string; userId: string; applicationId: string }>`
      select encode(token_hash, 'hex') as hash, user_id as "userId", application_id as "applicationId"
      from reply_addresses where application_id = ${scene.application.id}
    `.execute(db);
    assert.equal(rows.rows.length, 2);
    const token = a.slice(6, 38);
    for (const row of rows.rows) {
      assert.equal(row.userId, scene.jobseeker.id);
      assert.doesNotMatch(row.hash, new RegExp(token));
    }
  });

  test('without replies by email, the email has no Reply-To and does not offer it', async () => {
    const off = testContainer({
      env: { EMAIL_TRANSPORT: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), BASE_URL: baseUrl },
    });
    const scene = await createSchoolScene(db, 'interviewing');
    await send(scene.staff, scene.application.id);
    const job = (await jobs(queueDefinitions.jobseekerMessageEmail.name)).find(
      (row) => (row.data as { applicationId: string }).applicationId === scene.application.id,
    );
    assert.ok(job);
    assert.equal(await off.notifications.sendJobseekerEmail(scene.application.id, attempt(job.id)), 'sent');
    const [email] = await smtp.waitForReceived(1, (e) => e.envelope.to.includes(scene.jobseeker.email));
    assert.ok(email);
    assert.equal(email.headers.get('reply-to'), undefined);
    assert.doesNotMatch(email.text, /reply to this email/i);
  });
});

describe('a reply by email becomes a message in the thread', () => {
  for (const style of replyStyles) {
    test(`${style.name}: only the new words, from the jobseeker, with the same notifications as the web`, async () => {
      const scene = await createSchoolScene(db, 'interviewing');
      const address = replyToOf(await jobseekerEmail(scene));
      const words = `Tuesday at 10am suits me (${style.name}).\n\nI will bring my certificates.`;
      const info = await reply({ from: `Sam Taylor <${scene.jobseeker.email}>`, to: address, words, style });
      assert.match(info.response, /^250/);
      const messages = await messagesOf(scene.application.id);
      assert.equal(messages.length, 2);
      assert.deepEqual(messages[1], { senderUserId: scene.jobseeker.id, bodyText: words });
      // The staff side hears about it as about a message sent on the web.
      const notified = await sql<{ userId: string }>`
        select user_id as "userId" from notifications where application_id = ${scene.application.id}
          and user_id = ${scene.staff.id}
      `.execute(db);
      assert.equal(notified.rows.length, 1);
      assert.deepEqual(await inbound(address), [{ outcome: 'accepted', refusal: null }]);
    });
  }

  test('the same email delivered twice is one message', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const address = replyToOf(await jobseekerEmail(scene));
    const messageId = `<${randomUUID()}@mail.example>`;
    for (let i = 0; i < 2; i += 1) {
      await reply({ from: scene.jobseeker.email, to: address, words: 'Yes, thank you.', messageId });
    }
    assert.equal((await messagesOf(scene.application.id)).length, 2);
    assert.deepEqual(
      (await inbound(address)).map((row) => row.outcome),
      ['accepted', 'duplicate'],
    );
  });

  test('staff who asked for an email per message get one, and their reply by email lands too', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    await container.replies.setMessageEmails(await signedIn(scene.staff), 'each');
    await send(scene.jobseeker, scene.application.id, 'Could we move the interview?');
    const job = (await jobs(queueDefinitions.staffMessageEmail.name)).find(
      (row) => (row.data as { userId: string }).userId === scene.staff.id,
    );
    assert.ok(job, 'a staff message email is queued in the send transaction');
    assert.equal(
      await container.replies.sendStaffMessageEmail(job.data as { userId: string; messageId: string }, attempt(job.id)),
      'sent',
    );
    const [email] = await smtp.waitForReceived(1, (e) => e.envelope.to.includes(scene.staff.email));
    assert.ok(email);
    assert.equal(email.subject, 'New message from Sam Taylor');
    assert.doesNotMatch(email.text, /Could we move/);
    assert.match(email.text, /You can reply to this email/);
    const style = replyStyles.find((s) => s.name === 'Outlook (desktop)') as ReplyStyle;
    await reply({ from: scene.staff.email, to: replyToOf(email), words: 'Of course: Thursday instead?', style });
    const messages = await messagesOf(scene.application.id);
    assert.deepEqual(messages.at(-1), { senderUserId: scene.staff.id, bodyText: 'Of course: Thursday instead?' });
    // The daily summary is not also sent to someone who chose "each" only.
    const recipient = await sql<{ n: number }>`
      select count(*)::int as n from users where id = ${scene.staff.id} and message_emails = 'each'
    `.execute(db);
    assert.equal(recipient.rows[0]?.n, 1);
  });
});

describe('refused replies are answered with a short email that holds none of the reply', () => {
  async function assertRefusal(to: string, pattern: RegExp, words: string): Promise<ReceivedEmail> {
    const [answer] = await answerRefusals(to, 1);
    assert.ok(answer);
    assert.equal(answer.subject, 'Your reply was not added to the conversation');
    assert.match(answer.text, pattern);
    assert.ok(!answer.text.includes(words) && !answer.html.includes(words), 'the answer does not repeat the reply');
    assert.equal(answer.headers.get('auto-submitted')?.[0], 'auto-replied');
    assert.equal(answer.headers.get('reply-to'), undefined);
    return answer;
  }

  test('a From address that is not the address’s owner', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const address = replyToOf(await jobseekerEmail(scene));
    const spoofer = `someone-${randomUUID()}@elsewhere.example`;
    const words = 'I am not really Sam';
    await reply({ from: spoofer, to: address, words });
    assert.equal((await messagesOf(scene.application.id)).length, 1);
    const answer = await assertRefusal(spoofer, /only accepted from the email address the message was sent to/, words);
    assert.doesNotMatch(answer.text, /applications\//, 'no link to the conversation for someone else');
  });

  test('an unknown address of ours', async () => {
    const sender = `sam-${randomUUID()}@example.org`;
    const words = 'Hello?';
    await reply({ from: sender, to: `reply+abcdefghijklmnopqrstuvwxyz234567@${domain}`, words });
    await assertRefusal(sender, /not one of ours/, words);
  });

  test('a revoked address', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const address = replyToOf(await jobseekerEmail(scene));
    assert.equal(await container.replies.revoke(scene.application.id, scene.jobseeker.id), 1);
    const words = 'Too late?';
    await reply({ from: scene.jobseeker.email, to: address, words });
    assert.equal((await messagesOf(scene.application.id)).length, 1);
    const answer = await assertRefusal(scene.jobseeker.email, /no longer reply to this conversation by email/, words);
    assert.ok(answer.text.includes(`${baseUrl}/applications/${scene.application.id}#messages`));
  });

  test('a withdrawn application revokes its addresses', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const address = replyToOf(await jobseekerEmail(scene));
    const withdrawn = await container.applications.changeStatus({
      applicationId: scene.application.id,
      actorUserId: scene.jobseeker.id,
      actor: 'jobseeker',
      expectedStatus: 'interviewing',
      to: 'withdrawn',
    });
    assert.equal(withdrawn.outcome, 'changed');
    await reply({ from: scene.jobseeker.email, to: address, words: 'One more thing' });
    assert.equal((await messagesOf(scene.application.id)).length, 1);
    assert.deepEqual(await inbound(address), [{ outcome: 'refused', refusal: 'revoked' }]);
    await assertRefusal(scene.jobseeker.email, /no longer reply/, 'One more thing');
  });

  test('a reply the policy refuses (not progressing)', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const address = replyToOf(await jobseekerEmail(scene));
    await sql`update applications set status = 'not_progressing' where id = ${scene.application.id}`.execute(db);
    await reply({ from: scene.jobseeker.email, to: address, words: 'Please reconsider' });
    assert.equal((await messagesOf(scene.application.id)).length, 1);
    await assertRefusal(
      scene.jobseeker.email,
      /You cannot reply because your application is not progressing/,
      'Please reconsider',
    );
  });

  test('a file the attachment rules refuse', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const address = replyToOf(await jobseekerEmail(scene));
    await reply({
      from: scene.jobseeker.email,
      to: address,
      words: 'My certificate is attached',
      attachments: [{ filename: 'certificate.exe', content: Buffer.from('MZ\u0090\u0000binary') }],
    });
    assert.equal((await messagesOf(scene.application.id)).length, 1);
    await assertRefusal(scene.jobseeker.email, /certificate\.exe: The selected file must be a PDF/, 'My certificate');
  });

  test('a file over the size limit for attachments', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const address = replyToOf(await jobseekerEmail(scene));
    await reply({
      from: scene.jobseeker.email,
      to: address,
      words: 'My long statement',
      attachments: [{ filename: 'statement.txt', content: Buffer.alloc(30_000, 'a') }],
    });
    assert.equal((await messagesOf(scene.application.id)).length, 1);
    await assertRefusal(scene.jobseeker.email, /statement\.txt: The selected file must be smaller than 20KB/, 'long');
  });

  test('an email over the receiver’s size limit', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const address = replyToOf(await jobseekerEmail(scene));
    await reply({ from: scene.jobseeker.email, to: address, words: `Big ${'x'.repeat(maxBytes)}` });
    assert.equal((await messagesOf(scene.application.id)).length, 1);
    await assertRefusal(scene.jobseeker.email, /too large/, 'xxxxxxxxxx');
  });

  test('a reply with no words of its own above the quote', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const address = replyToOf(await jobseekerEmail(scene));
    await reply({ from: scene.jobseeker.email, to: address, words: '' });
    assert.equal((await messagesOf(scene.application.id)).length, 1);
    await assertRefusal(scene.jobseeker.email, /no words of its own/, 'Oakfield Primary School sent you');
  });
});

describe('no loops: automatic emails are neither answered nor added', () => {
  for (const [label, extra, envelopeFrom] of [
    ['an out-of-office (Auto-Submitted: auto-replied)', { 'Auto-Submitted': 'auto-replied' }, undefined],
    ['bulk mail (Precedence: bulk)', { Precedence: 'bulk' }, undefined],
    ['mailing-list traffic (List-Id)', { 'List-Id': 'Staff <staff.school.example>' }, undefined],
    ['a bounce (empty return path)', {}, ''],
  ] as const) {
    test(label, async () => {
      const scene = await createSchoolScene(db, 'interviewing');
      const address = replyToOf(await jobseekerEmail(scene));
      const info = await reply({
        from: scene.jobseeker.email,
        to: address,
        words: 'I am out of the office until Monday.',
        extra,
        ...(envelopeFrom === undefined ? {} : { envelopeFrom }),
      });
      assert.match(info.response, /^250/);
      assert.equal((await messagesOf(scene.application.id)).length, 1);
      assert.deepEqual(await inbound(address), [{ outcome: 'ignored', refusal: 'automatic' }]);
      assert.equal(await refusalJobsFor(scene.jobseeker.email), 0);
    });
  }

  test('replies to one address are rate limited: the sending server is told to try later', async () => {
    const scene = await createSchoolScene(db, 'interviewing');
    const address = replyToOf(await jobseekerEmail(scene));
    for (let i = 1; i <= 3; i += 1) await reply({ from: scene.jobseeker.email, to: address, words: `Reply ${i}` });
    await assert.rejects(reply({ from: scene.jobseeker.email, to: address, words: 'Reply 4' }), (error: unknown) => {
      assert.equal((error as { responseCode?: number }).responseCode, 450);
      return true;
    });
    assert.equal((await messagesOf(scene.application.id)).length, 4);
  });

  test('an address that is not ours is refused at RCPT TO', async () => {
    await assert.rejects(
      reply({ from: 'sam@example.org', to: 'someone@elsewhere.example', words: 'Hello' }),
      (error: unknown) => {
        assert.equal((error as { responseCode?: number }).responseCode, 550);
        return true;
      },
    );
  });
});
