import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, test } from 'node:test';
import { DomUtils } from 'htmlparser2';
import { sql } from 'kysely';
import type { SignedInUser } from '../../src/accounts/service.ts';
import { applicationStatuses, type ApplicationStatus } from '../../src/applications/status.ts';
import { sanitiseMessageHtml } from '../../src/messaging/rich-text.ts';
import { formatDateTime } from '../../src/web/format.ts';
import { testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createTrustWithSchools,
  createVacancy,
  type TestUser,
} from '../support/factories.ts';
import { TestClient, signedInClient } from '../support/http.ts';
import {
  errorSummary,
  fieldValue,
  findAll,
  findOne,
  hasClass,
  pageTitle,
  textOf,
  type HtmlElement,
} from '../support/html.ts';
import { minimalPdf } from '../support/sample-files.ts';

/**
 * Messaging through the routes a person uses (real PostgreSQL, fastify.inject), and through the service where two
 * things must happen at the same moment.
 */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

type Side = 'staff' | 'jobseeker';

const pageUrl = (side: Side, applicationId: string): string =>
  side === 'staff' ? `/staff/applications/${applicationId}` : `/applications/${applicationId}`;
const sendUrl = (side: Side, applicationId: string): string => `${pageUrl(side, applicationId)}/messages`;

// ---------------------------------------------------------------------------------------------
// Reading the page

interface ShownMessage {
  id: string;
  sender: string;
  datetime: string | undefined;
  time: string;
  body: string;
  unread: boolean;
  /** The text of the unread marker, visually hidden part included ("" when there is none). */
  unreadLabel: string;
  /** The visually hidden text inside the unread marker. */
  unreadHiddenText: string;
}

/** The messages on an application page, oldest first, as a person (or a screen reader) would read them. */
function shownMessages(html: string): ShownMessage[] {
  return findAll(html, 'li.parley-message').map((item) => {
    const inside = (name: string): HtmlElement | undefined => findOne(item, `.${name}`);
    const marker = inside('parley-message__unread');
    const hidden = marker ? findOne(marker, '.govuk-visually-hidden') : undefined;
    const time = findOne(item, 'time');
    const sender = inside('parley-message__sender');
    const body = inside('parley-message__body');
    return {
      id: (item.attribs.id ?? '').replace(/^message-/, ''),
      sender: sender ? textOf(sender) : '',
      datetime: time?.attribs.datetime,
      time: time ? textOf(time) : '',
      body: body ? textOf(body) : '',
      unread: hasClass(item, 'parley-message--unread'),
      unreadLabel: marker ? textOf(marker) : '',
      unreadHiddenText: hidden ? DomUtils.textContent(hidden) : '',
    };
  });
}

function hasMessageForm(html: string, side: Side, applicationId: string): boolean {
  return (
    findAll(html, (element) => element.name === 'form' && element.attribs.action === sendUrl(side, applicationId))
      .length === 1
  );
}

function formKeyOf(html: string): string {
  const formKey = fieldValue(html, 'formKey');
  assert.match(formKey ?? '', /^[0-9a-f-]{36}$/, 'the page has a message form with a one-time key');
  return formKey!;
}

/** Why the form is not shown, or undefined when there is no explanation on the page. */
function notAllowedText(html: string): string | undefined {
  const inset = findOne(html, '#messaging-not-allowed');
  return inset ? textOf(inset) : undefined;
}

function warningText(html: string): string | undefined {
  const section = findOne(html, '#messages');
  assert.ok(section, 'the page has a messages section');
  const warning = findOne(section, '.govuk-warning-text__text');
  return warning ? textOf(warning).replace(/^Warning /, '') : undefined;
}

/** The conversation's own count of unread messages ("2 unread messages"), if it shows one. */
function unreadSummaryOf(html: string): string | undefined {
  const summary = findOne(html, '#unread-summary');
  return summary ? textOf(summary) : undefined;
}

const errorSummaryOf = errorSummary;

/** The message textarea: its name, whether it is read only, and exactly what it holds. */
function bodyTextareaOf(html: string): { name: string | undefined; readonly: boolean; value: string } | undefined {
  const textarea = findOne(html, 'textarea#body');
  if (!textarea) return undefined;
  return {
    name: textarea.attribs.name,
    readonly: 'readonly' in textarea.attribs,
    value: DomUtils.textContent(textarea),
  };
}

// ---------------------------------------------------------------------------------------------
// Acting and looking in the database

/** Opens the application page as a person would, then sends the message form on it. */
async function sendFromPage(
  client: TestClient,
  side: Side,
  applicationId: string,
  body: string,
  format: 'text' | 'html' = 'text',
) {
  const page = await client.get(pageUrl(side, applicationId));
  assert.equal(page.statusCode, 200);
  return client.postMultipart(sendUrl(side, applicationId), { formKey: formKeyOf(page.body), format, body });
}

async function messagesOf(applicationId: string) {
  return db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select([
      'm.id',
      'm.sender_user_id',
      'm.sender_kind',
      'm.sender_display_name',
      'm.side_position',
      'm.body_text',
      'm.body_html',
      'm.sent_at',
    ])
    .where('c.application_id', '=', applicationId)
    .orderBy('m.sent_at')
    .orderBy('m.id')
    .execute();
}

async function signedInUser(user: TestUser): Promise<SignedInUser> {
  const signedIn = await container.accounts.loadSignedInUser(user.id);
  assert.ok(signedIn);
  return signedIn;
}

function sendAs(sender: SignedInUser, applicationId: string, body: string, formKey = randomUUID()) {
  return container.messaging.sendMessage({ applicationId, sender, formKey, body: { format: 'text', body }, files: [] });
}

async function setStatus(applicationId: string, status: ApplicationStatus): Promise<void> {
  await db.updateTable('applications').set({ status }).where('id', '=', applicationId).execute();
}

// One school with two staff members and one applicant, signed in once (signing in is deliberately slow); each test
// makes its own applications, so tests do not see each other's messages.
const school = await createOrganisation(db);
const amara = await createStaff(db, [school.id], 'Amara Okafor');
const ben = await createStaff(db, [school.id], 'Ben Hughes');
const sam = await createJobseeker(db, 'Sam Taylor');
const as = {
  amara: await signedInClient(app, amara.email),
  ben: await signedInClient(app, ben.email),
  sam: await signedInClient(app, sam.email),
};

/** A new application from Sam to Amara and Ben's school, at `status`. */
async function newApplication(status: ApplicationStatus): Promise<string> {
  const vacancy = await createVacancy(db, school.id, { createdBy: amara.id });
  return (await createApplication(db, { vacancyId: vacancy.id, jobseeker: sam, status, staffId: amara.id })).id;
}

// ---------------------------------------------------------------------------------------------

describe('who may send, at each status', () => {
  type Expected = { send: 'allowed'; warning?: string } | { send: 'denied'; reason: string } | { send: 'not-found' };
  const allowed: Expected = { send: 'allowed' };
  const denied = (reason: string): Expected => ({ send: 'denied', reason });
  const draftReason = denied('You cannot send messages about a draft application. Submit your application first.');
  const notInvited = denied(
    'You can start a conversation once the school invites you to interview. You can reply to any message the school sends you before then.',
  );

  // The policy, written out again by hand: staff, a jobseeker starting the conversation, a jobseeker replying.
  const table: Record<ApplicationStatus, { staff: Expected; jobseekerStart: Expected; jobseekerReply: Expected }> = {
    draft: { staff: { send: 'not-found' }, jobseekerStart: draftReason, jobseekerReply: draftReason },
    submitted: { staff: allowed, jobseekerStart: notInvited, jobseekerReply: allowed },
    shortlisted: { staff: allowed, jobseekerStart: notInvited, jobseekerReply: allowed },
    interviewing: { staff: allowed, jobseekerStart: allowed, jobseekerReply: allowed },
    offered: { staff: allowed, jobseekerStart: allowed, jobseekerReply: allowed },
    declined: { staff: allowed, jobseekerStart: allowed, jobseekerReply: allowed },
    not_progressing: {
      staff: { send: 'allowed', warning: 'The applicant cannot reply because their application is not progressing.' },
      jobseekerStart: denied(
        'You cannot send a message because your application is not progressing. You can still read the messages from the school here, and find other jobs in Find a job.',
      ),
      jobseekerReply: denied(
        'You cannot reply because your application is not progressing. You can still read the messages from the school here, and find other jobs in Find a job.',
      ),
    },
    withdrawn: {
      staff: denied(
        'You cannot send a message because the applicant withdrew their application. The conversation stays here as a record.',
      ),
      jobseekerStart: denied(
        'You cannot send a message because your application was withdrawn. You can still read the messages here, and find other jobs in Find a job.',
      ),
      jobseekerReply: denied(
        'You cannot reply because your application was withdrawn. You can still read the messages here, and find other jobs in Find a job.',
      ),
    },
  };
  assert.deepEqual(Object.keys(table).sort(), [...applicationStatuses].sort(), 'the table covers every status');

  /** An application at `status`; with a message from staff sent while it was submitted, when asked for. */
  async function applicationAt(status: ApplicationStatus, withMessage: boolean): Promise<string> {
    const applicationId = await newApplication(withMessage ? 'submitted' : status);
    if (withMessage) {
      assert.equal((await sendAs(await signedInUser(amara), applicationId, 'Thank you for applying.')).outcome, 'sent');
      await setStatus(applicationId, status);
    }
    return applicationId;
  }

  for (const status of applicationStatuses) {
    for (const side of ['staff', 'jobseeker'] as const) {
      for (const withMessage of [false, true]) {
        const rule = table[status];
        const expected = side === 'staff' ? rule.staff : withMessage ? rule.jobseekerReply : rule.jobseekerStart;
        const situation = `${side}, ${status}, ${withMessage ? 'conversation has a message' : 'no messages yet'}`;
        const outcome = expected.send === 'denied' ? `refused: “${expected.reason}”` : expected.send;
        test(`${situation}: ${outcome}`, async () => {
          const applicationId = await applicationAt(status, withMessage);
          const client = side === 'staff' ? as.amara : as.sam;
          const countBefore = (await messagesOf(applicationId)).length;
          const page = await client.get(pageUrl(side, applicationId));

          if (expected.send === 'not-found') {
            assert.equal(page.statusCode, 404);
            const response = await client.postMultipart(sendUrl(side, applicationId), {
              formKey: randomUUID(),
              format: 'text',
              body: 'Hello',
            });
            assert.equal(response.statusCode, 404);
            assert.equal((await messagesOf(applicationId)).length, countBefore);
            return;
          }

          assert.equal(page.statusCode, 200);
          if (withMessage) {
            assert.deepEqual(
              shownMessages(page.body).map((m) => m.body),
              ['Thank you for applying.'],
              'the conversation so far is shown',
            );
          }
          const text = `A message while ${status}`;
          if (expected.send === 'allowed') {
            assert.ok(hasMessageForm(page.body, side, applicationId), 'the form is shown');
            assert.equal(notAllowedText(page.body), undefined);
            assert.equal(warningText(page.body), expected.warning);
            const response = await client.postMultipart(sendUrl(side, applicationId), {
              formKey: formKeyOf(page.body),
              format: 'text',
              body: text,
            });
            assert.equal(response.statusCode, 303);
            assert.equal(response.headers.location, `${pageUrl(side, applicationId)}#messages`);
            const messages = await messagesOf(applicationId);
            assert.equal(messages.length, countBefore + 1);
            assert.equal(messages.at(-1)?.body_text, text);
            assert.equal(messages.at(-1)?.sender_kind, side);
            const reloaded = await client.get(pageUrl(side, applicationId));
            assert.equal(shownMessages(reloaded.body).at(-1)?.body, text);
            assert.match(reloaded.body, /Your message has been sent/);
          } else {
            assert.ok(!hasMessageForm(page.body, side, applicationId), 'no form is shown');
            assert.equal(notAllowedText(page.body), expected.reason);
            assert.equal(warningText(page.body), undefined);
            // A hand-made request gets the same answer as the page.
            const response = await client.postMultipart(sendUrl(side, applicationId), {
              formKey: randomUUID(),
              format: 'text',
              body: text,
            });
            assert.equal(response.statusCode, 409);
            assert.deepEqual(errorSummaryOf(response.body), [{ text: expected.reason, href: '#body' }]);
            assert.equal((await messagesOf(applicationId)).length, countBefore);
          }
        });
      }
    }
  }
});

describe('who sent a message, and when', () => {
  async function checkShownSender(client: TestClient, side: Side, applicationId: string, expectedSender: string) {
    const [message] = await messagesOf(applicationId);
    assert.ok(message);
    const [shown] = shownMessages((await client.get(pageUrl(side, applicationId))).body);
    assert.ok(shown);
    assert.equal(shown.sender, expectedSender);
    assert.equal(shown.datetime, message.sent_at.toISOString());
    assert.equal(shown.time, formatDateTime(message.sent_at));
    assert.match(shown.time, /^\d{1,2} [A-Z][a-z]+ \d{4} at (\d{1,2}(:\d{2})?(am|pm)|midday|midnight)$/);
  }

  test('a school staff member is shown as “Name, School”, with the time; to themselves as “You”', async () => {
    const applicationId = await newApplication('submitted');
    assert.equal((await sendFromPage(as.amara, 'staff', applicationId, 'Thank you for applying.')).statusCode, 303);
    const [message] = await messagesOf(applicationId);
    assert.equal(message?.sender_display_name, `Amara Okafor, ${school.name}`);
    await checkShownSender(as.sam, 'jobseeker', applicationId, `Amara Okafor, ${school.name}`);
    await checkShownSender(as.ben, 'staff', applicationId, `Amara Okafor, ${school.name}`);
    await checkShownSender(as.amara, 'staff', applicationId, 'You');
  });

  test('a trust staff member is shown with the trust’s name', async () => {
    const { trust, schools } = await createTrustWithSchools(db, 1);
    const trustStaff = await createStaff(db, [trust.id], 'Claire Davies');
    const vacancy = await createVacancy(db, schools[0]!.id);
    const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker: sam, status: 'interviewing' });
    const staff = await signedInClient(app, trustStaff.email);
    assert.equal((await sendFromPage(staff, 'staff', application.id, 'Interview on Tuesday?')).statusCode, 303);
    await checkShownSender(as.sam, 'jobseeker', application.id, `Claire Davies, ${trust.name}`);
  });

  test('someone in both a trust and the school speaks for the school', async () => {
    const { trust, schools } = await createTrustWithSchools(db, 1);
    const trustSchool = schools[0]!;
    const both = await createStaff(db, [trust.id, trustSchool.id], 'Dev Patel');
    const vacancy = await createVacancy(db, trustSchool.id);
    const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker: sam, status: 'submitted' });
    assert.equal((await sendAs(await signedInUser(both), application.id, 'Hello')).outcome, 'sent');
    await checkShownSender(as.sam, 'jobseeker', application.id, `Dev Patel, ${trustSchool.name}`);
  });

  test('the applicant is shown by the name on their application, marked as the applicant; to themselves as “You”', async () => {
    const applicationId = await newApplication('interviewing');
    assert.equal(
      (await sendFromPage(as.sam, 'jobseeker', applicationId, 'Could we talk about the interview?')).statusCode,
      303,
    );
    await checkShownSender(as.amara, 'staff', applicationId, 'Sam Taylor (applicant)');
    await checkShownSender(as.sam, 'jobseeker', applicationId, 'You');
  });
});

describe('at the same moment', () => {
  // Whichever of the two takes the application's lock first wins, and the record must agree: a message that won is
  // dated no later than the withdrawal, and a message that lost is refused.
  test('a withdrawal and a staff message race: no message is ever sent after the withdrawal (30 rounds)', async (t) => {
    const staff = await signedInUser(amara);
    let sent = 0;
    let refused = 0;
    for (let round = 0; round < 30; round += 1) {
      const application = { id: await newApplication('interviewing') };
      // Stagger the withdrawal a little in some rounds, so that both orders happen.
      const [withdrawal, send] = await Promise.all([
        sleep(round % 3).then(() =>
          container.applications.changeStatus({
            applicationId: application.id,
            actorUserId: sam.id,
            actor: 'jobseeker',
            expectedStatus: 'interviewing',
            to: 'withdrawn',
          }),
        ),
        sendAs(staff, application.id, `Round ${round}: are you still available?`),
      ]);
      assert.deepEqual(withdrawal, { outcome: 'changed' });
      // Compared in the database: timestamps have microseconds, JavaScript dates only milliseconds.
      const { rows } = await sql<{ late: number; messages: number; times: string }>`
        select count(*) filter (where m.sent_at > w.changed_at)::int as late, count(m.id)::int as messages,
               'withdrawn at ' || w.changed_at::text || ', sent at ' || coalesce(string_agg(m.sent_at::text, ', '), 'none') as times
        from application_status_changes w
        left join conversations c on c.application_id = w.application_id
        left join messages m on m.conversation_id = c.id
        where w.application_id = ${application.id} and w.to_status = 'withdrawn'
        group by w.changed_at
      `.execute(db);
      const [found] = rows;
      assert.ok(found);
      assert.equal(
        found.late,
        0,
        `round ${round}: the send was ${send.outcome}, yet its message is later than the withdrawal (${found.times})`,
      );
      if (send.outcome === 'sent') {
        sent += 1;
        assert.equal(found.messages, 1);
      } else {
        refused += 1;
        assert.equal(
          send.outcome,
          'denied',
          `round ${round}: a send that lost the race is refused, not ${send.outcome}`,
        );
        assert.equal(found.messages, 0);
      }
    }
    t.diagnostic(`sent before the withdrawal: ${sent}; refused after it: ${refused}`);
  });

  test('staff and the interviewing applicant send first messages together: one conversation, two messages (5 rounds)', async () => {
    const staff = await signedInUser(amara);
    const jobseeker = await signedInUser(sam);
    for (let round = 0; round < 5; round += 1) {
      const application = { id: await newApplication('interviewing') };
      const results = await Promise.all([
        sendAs(staff, application.id, 'From staff'),
        sendAs(jobseeker, application.id, 'From the applicant'),
      ]);
      assert.deepEqual(
        results.map((r) => r.outcome),
        ['sent', 'sent'],
      );
      const conversations = await db
        .selectFrom('conversations')
        .selectAll()
        .where('application_id', '=', application.id)
        .execute();
      assert.equal(conversations.length, 1);
      const [conversation] = conversations;
      assert.equal(conversation?.staff_message_count, 1);
      assert.equal(conversation.jobseeker_message_count, 1);
      assert.deepEqual((await messagesOf(application.id)).map((m) => m.body_text).sort(), [
        'From staff',
        'From the applicant',
      ]);
    }
  });

  test('two staff members send first messages together: one conversation, two messages (5 rounds)', async () => {
    const senders = [await signedInUser(amara), await signedInUser(ben)];
    for (let round = 0; round < 5; round += 1) {
      const application = { id: await newApplication('submitted') };
      const results = await Promise.all(
        senders.map((sender) => sendAs(sender, application.id, `From ${sender.fullName}`)),
      );
      assert.deepEqual(
        results.map((r) => r.outcome),
        ['sent', 'sent'],
      );
      const conversations = await db
        .selectFrom('conversations')
        .selectAll()
        .where('application_id', '=', application.id)
        .execute();
      assert.equal(conversations.length, 1);
      assert.equal(conversations[0]?.staff_message_count, 2);
      const messages = await messagesOf(application.id);
      assert.deepEqual(messages.map((m) => m.side_position).sort(), [1, 2]);
    }
  });
});

describe('a form sent twice', () => {
  test('sending the same form again makes no second message; the second answer is a redirect, not an error', async () => {
    const applicationId = await newApplication('submitted');
    const staff = as.amara;
    const page = await staff.get(pageUrl('staff', applicationId));
    const form = { formKey: formKeyOf(page.body), format: 'text', body: 'Please bring your certificates.' };
    const first = await staff.postMultipart(sendUrl('staff', applicationId), form);
    const second = await staff.postMultipart(sendUrl('staff', applicationId), form);
    for (const response of [first, second]) {
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, `/staff/applications/${applicationId}#messages`);
    }
    assert.equal((await messagesOf(applicationId)).length, 1);
  });

  test('the same form sent twice at once makes one message; both answers are redirects', async () => {
    const applicationId = await newApplication('interviewing');
    const jobseeker = as.sam;
    const page = await jobseeker.get(pageUrl('jobseeker', applicationId));
    const form = { formKey: formKeyOf(page.body), format: 'text', body: 'I can come on Tuesday.' };
    const responses = await Promise.all(
      [1, 2, 3].map(() => jobseeker.postMultipart(sendUrl('jobseeker', applicationId), form)),
    );
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      [303, 303, 303],
    );
    assert.equal((await messagesOf(applicationId)).length, 1);
  });

  test('through the service, many sends of one form at once: one is sent, the rest are duplicates of it', async () => {
    const applicationId = await newApplication('submitted');
    const staff = await signedInUser(amara);
    const formKey = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => sendAs(staff, applicationId, 'Once only', formKey)),
    );
    const sent = results.filter((r) => r.outcome === 'sent');
    assert.equal(sent.length, 1);
    assert.equal(results.filter((r) => r.outcome === 'duplicate').length, 5);
    const messages = await messagesOf(applicationId);
    assert.equal(messages.length, 1);
    for (const result of results) assert.ok('messageId' in result && result.messageId === messages[0]?.id);
  });
});

describe('the rules changed while the message was being typed', () => {
  test('the applicant withdrew: staff are refused with the reason (409) and their text is kept on the page', async () => {
    const applicationId = await newApplication('interviewing');
    const staff = as.amara;
    const page = await staff.get(pageUrl('staff', applicationId));
    assert.ok(hasMessageForm(page.body, 'staff', applicationId));

    const jobseeker = as.sam;
    await jobseeker.get(`/applications/${applicationId}/withdraw`);
    assert.equal((await jobseeker.post(`/applications/${applicationId}/withdraw`, { confirm: 'yes' })).statusCode, 303);

    // Browsers send line breaks in form fields as CR LF; the page gives back exactly what was sent.
    const typed = 'Can you come in on Tuesday at 10am?\r\n\r\nBest wishes, <Amara> & team';
    const response = await staff.postMultipart(sendUrl('staff', applicationId), {
      formKey: formKeyOf(page.body),
      format: 'text',
      body: typed,
    });
    const reason =
      'You cannot send a message because the applicant withdrew their application. The conversation stays here as a record.';
    assert.equal(response.statusCode, 409);
    assert.deepEqual(errorSummaryOf(response.body), [{ text: reason, href: '#body' }]);
    assert.equal(notAllowedText(response.body), reason);
    assert.ok(!hasMessageForm(response.body, 'staff', applicationId));
    assert.deepEqual(bodyTextareaOf(response.body), { name: 'unsent', readonly: true, value: typed });
    assert.equal((await messagesOf(applicationId)).length, 0);
  });

  test('staff stopped the application: the applicant’s reply is refused (409) and their text is kept', async () => {
    const applicationId = await newApplication('interviewing');
    assert.equal((await sendAs(await signedInUser(amara), applicationId, 'How are you?')).outcome, 'sent');
    const jobseeker = as.sam;
    const page = await jobseeker.get(pageUrl('jobseeker', applicationId));
    const changed = await container.applications.changeStatus({
      applicationId: applicationId,
      actorUserId: amara.id,
      actor: 'staff',
      expectedStatus: 'interviewing',
      to: 'not_progressing',
    });
    assert.equal(changed.outcome, 'changed');
    const typed = 'Very well, thank you.';
    const response = await jobseeker.postMultipart(sendUrl('jobseeker', applicationId), {
      formKey: formKeyOf(page.body),
      format: 'text',
      body: typed,
    });
    assert.equal(response.statusCode, 409);
    assert.equal(
      notAllowedText(response.body),
      'You cannot reply because your application is not progressing. You can still read the messages from the school here, and find other jobs in Find a job.',
    );
    assert.deepEqual(bodyTextareaOf(response.body), { name: 'unsent', readonly: true, value: typed });
    assert.equal((await messagesOf(applicationId)).length, 1);
  });
});

describe('what a message must be', () => {
  const cases = [
    { label: 'only spaces', format: 'text', body: '   ', error: 'Enter a message' },
    { label: 'an empty paragraph from the editor', format: 'html', body: '<p><br></p>', error: 'Enter a message' },
    {
      label: '10,001 characters',
      format: 'text',
      body: 'a'.repeat(10_001),
      error: 'Message must be 10,000 characters or fewer',
    },
    {
      label: '10,001 characters from the editor',
      format: 'html',
      body: `<p>${'b'.repeat(10_001)}</p>`,
      error: 'Message must be 10,000 characters or fewer',
    },
  ] as const;

  for (const { label, format, body, error } of cases) {
    test(`${label}: “${error}”, and the text is kept`, async () => {
      const applicationId = await newApplication('submitted');
      const staff = as.amara;
      const page = await staff.get(pageUrl('staff', applicationId));
      const formKey = formKeyOf(page.body);
      const response = await staff.postMultipart(sendUrl('staff', applicationId), { formKey, format, body });
      assert.equal(response.statusCode, 400);
      assert.match(pageTitle(response.body), /^Error: /);
      assert.deepEqual(errorSummaryOf(response.body), [{ text: error, href: '#body' }]);
      assert.ok(
        response.body.includes(`<span class="govuk-visually-hidden">Error:</span> ${error}`),
        'the field shows the error',
      );
      // Typed text comes back as typed; the editor's HTML only as the sanitiser keeps it (issue 9).
      const kept = format === 'html' ? sanitiseMessageHtml(body) : body;
      assert.deepEqual(bodyTextareaOf(response.body), { name: 'body', readonly: false, value: kept });
      assert.match(response.body, new RegExp(`name="format" value="${format}"`));
      assert.equal(formKeyOf(response.body), formKey, 'the corrected form still sends only once');
      assert.equal((await messagesOf(applicationId)).length, 0);
    });
  }

  test('exactly 10,000 characters is accepted', async () => {
    const applicationId = await newApplication('submitted');
    const staff = as.amara;
    const response = await sendFromPage(staff, 'staff', applicationId, 'c'.repeat(10_000));
    assert.equal(response.statusCode, 303);
    assert.equal((await messagesOf(applicationId))[0]?.body_text.length, 10_000);
  });
});

describe('unread messages, per person', () => {
  test('each person has their own read state, and the page marks what is new to them', async () => {
    const id = await newApplication('submitted');
    const unreadBodies = (html: string) =>
      shownMessages(html)
        .filter((m) => m.unread)
        .map((m) => m.body);

    assert.equal((await sendFromPage(as.amara, 'staff', id, 'Would you like to visit the school?')).statusCode, 303);

    // The applicant sees the new message marked, once.
    const first = await as.sam.get(pageUrl('jobseeker', id));
    const [marked] = shownMessages(first.body);
    assert.ok(marked?.unread);
    assert.equal(marked.unreadLabel, 'Unread message', 'read out as “Unread message”');
    assert.equal(marked.unreadHiddenText, ' message');
    assert.equal(unreadSummaryOf(first.body), '1 unread message');
    const again = await as.sam.get(pageUrl('jobseeker', id));
    assert.deepEqual(unreadBodies(again.body), []);
    assert.equal(shownMessages(again.body)[0]?.unreadLabel, '');
    assert.equal(unreadSummaryOf(again.body), undefined);

    assert.equal((await sendFromPage(as.sam, 'jobseeker', id, 'Yes please, on Friday.')).statusCode, 303);

    // Unread for both staff members; Amara opening the page marks it read for Amara only.
    const amaraFirst = await as.amara.get(pageUrl('staff', id));
    assert.deepEqual(
      unreadBodies(amaraFirst.body),
      ['Yes please, on Friday.'],
      'her own message is never unread to her',
    );
    assert.deepEqual(unreadBodies((await as.amara.get(pageUrl('staff', id))).body), []);
    const benFirst = await as.ben.get(pageUrl('staff', id));
    assert.deepEqual(
      unreadBodies(benFirst.body),
      ['Yes please, on Friday.'],
      'still unread for Ben; a colleague’s message is not',
    );
    assert.equal(shownMessages(benFirst.body).find((m) => m.unread)?.unreadLabel, 'Unread message');
    assert.deepEqual(unreadBodies((await as.ben.get(pageUrl('staff', id))).body), []);

    // A later message: only it is new to the applicant.
    assert.equal((await sendFromPage(as.ben, 'staff', id, 'Friday at 2pm, then.')).statusCode, 303);
    assert.deepEqual(unreadBodies((await as.sam.get(pageUrl('jobseeker', id))).body), ['Friday at 2pm, then.']);

    const states = await db
      .selectFrom('conversation_person_states as s')
      .innerJoin('conversations as c', 'c.id', 's.conversation_id')
      .select(['s.user_id', 's.seen_count'])
      .where('c.application_id', '=', id)
      .execute();
    assert.deepEqual(
      new Map(states.map((s) => [s.user_id, s.seen_count])),
      new Map([
        [amara.id, 1],
        [ben.id, 1],
        [sam.id, 2],
      ]),
    );
  });
});

describe('messages are part of the record', () => {
  test('there is no way to edit or delete a message: every such request is a 404 and nothing changes', async () => {
    const applicationId = await newApplication('interviewing');
    const staff = as.amara;
    assert.equal((await sendFromPage(staff, 'staff', applicationId, 'The original words')).statusCode, 303);
    const [message] = await messagesOf(applicationId);
    assert.ok(message);
    const cookie = [...staff.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const base = [`/staff/applications/${applicationId}/messages`, `/applications/${applicationId}/messages`];
    for (const url of [...base, ...base.map((b) => `${b}/${message.id}`)]) {
      for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
        const response = await app.inject({ method, url, headers: { cookie }, payload: { body: 'Changed words' } });
        assert.equal(response.statusCode, 404, `${method} ${url}`);
      }
    }
    for (const url of base.flatMap((b) => [
      `${b}/${message.id}`,
      `${b}/${message.id}/edit`,
      `${b}/${message.id}/delete`,
    ])) {
      await staff.get(pageUrl('staff', applicationId));
      assert.equal((await staff.post(url, { body: 'Changed words', format: 'text' })).statusCode, 404, `POST ${url}`);
      assert.equal((await staff.get(url)).statusCode, 404, `GET ${url}`);
    }
    assert.deepEqual(await messagesOf(applicationId), [message]);
  });

  test('after the applicant withdraws, both sides still see the whole conversation, read only', async () => {
    const applicationId = await newApplication('interviewing');
    const staff = as.amara;
    const jobseeker = as.sam;
    assert.equal((await sendFromPage(staff, 'staff', applicationId, 'Are you free on Monday?')).statusCode, 303);
    assert.equal(
      (await sendFromPage(jobseeker, 'jobseeker', applicationId, 'I have accepted another job.')).statusCode,
      303,
    );
    await jobseeker.get(`/applications/${applicationId}/withdraw`);
    assert.equal((await jobseeker.post(`/applications/${applicationId}/withdraw`, { confirm: 'yes' })).statusCode, 303);

    for (const [client, side, reason] of [
      [
        staff,
        'staff',
        'You cannot send a message because the applicant withdrew their application. The conversation stays here as a record.',
      ],
      [
        jobseeker,
        'jobseeker',
        'You cannot reply because your application was withdrawn. You can still read the messages here, and find other jobs in Find a job.',
      ],
    ] as const) {
      const page = await client.get(pageUrl(side, applicationId));
      assert.equal(page.statusCode, 200);
      assert.deepEqual(
        shownMessages(page.body).map((m) => m.body),
        ['Are you free on Monday?', 'I have accepted another job.'],
      );
      assert.ok(!hasMessageForm(page.body, side, applicationId));
      assert.equal(notAllowedText(page.body), reason);
      assert.equal(bodyTextareaOf(page.body), undefined);
    }
  });
});

describe('who can reach a conversation', () => {
  let applicationId: string;
  let attachmentUrl: string;
  let otherStaff: TestUser;
  let otherJobseeker: TestUser;
  before(async () => {
    applicationId = await newApplication('interviewing');
    const result = await container.messaging.sendMessage({
      applicationId,
      sender: await signedInUser(amara),
      formKey: randomUUID(),
      body: { format: 'text', body: 'Here is the interview timetable.' },
      files: [{ fileName: 'timetable.pdf', data: minimalPdf(), truncated: false }],
    });
    assert.equal(result.outcome, 'sent');
    const attachment = await db
      .selectFrom('message_attachments as a')
      .innerJoin('messages as m', 'm.id', 'a.message_id')
      .select('a.id')
      .where('m.id', '=', 'messageId' in result ? result.messageId : '')
      .executeTakeFirstOrThrow();
    attachmentUrl = `/attachments/${attachment.id}`;
    otherStaff = await createStaff(db, [(await createOrganisation(db)).id], 'Olu Other');
    otherJobseeker = await createJobseeker(db, 'Nia Other');
  });

  async function messageCount(): Promise<number> {
    return (await messagesOf(applicationId)).length;
  }

  test('the school’s staff and the applicant can open the conversation and the attachment', async () => {
    const staff = as.amara;
    const jobseeker = as.sam;
    assert.equal((await staff.get(pageUrl('staff', applicationId))).statusCode, 200);
    assert.equal((await jobseeker.get(pageUrl('jobseeker', applicationId))).statusCode, 200);
    assert.equal((await staff.get(attachmentUrl)).statusCode, 200);
    assert.equal((await jobseeker.get(attachmentUrl)).statusCode, 200);
    assert.ok((await jobseeker.get(pageUrl('jobseeker', applicationId))).body.includes(`href="${attachmentUrl}"`));
  });

  for (const who of ['staff of another school', 'another jobseeker'] as const) {
    test(`${who}: the conversation, the send route and the attachment are all 404`, async () => {
      const outsider = await signedInClient(app, who === 'another jobseeker' ? otherJobseeker.email : otherStaff.email);
      const countBefore = await messageCount();
      for (const side of ['staff', 'jobseeker'] as const) {
        assert.equal((await outsider.get(pageUrl(side, applicationId))).statusCode, 404);
        const response = await outsider.postMultipart(sendUrl(side, applicationId), {
          formKey: randomUUID(),
          format: 'text',
          body: 'Let me in',
        });
        assert.equal(response.statusCode, 404);
        const urlencoded = await outsider.post(sendUrl(side, applicationId), { format: 'text', body: 'Let me in' });
        assert.equal(urlencoded.statusCode, 404);
      }
      assert.equal((await outsider.get(attachmentUrl)).statusCode, 404);
      assert.equal(await messageCount(), countBefore);
    });
  }

  test('each side’s routes are 404 to the other side', async () => {
    const staff = as.amara;
    const jobseeker = as.sam;
    const countBefore = await messageCount();
    assert.equal((await staff.get(pageUrl('jobseeker', applicationId))).statusCode, 404);
    assert.equal(
      (await staff.postMultipart(sendUrl('jobseeker', applicationId), { format: 'text', body: 'As the applicant' }))
        .statusCode,
      404,
    );
    assert.equal((await jobseeker.get(pageUrl('staff', applicationId))).statusCode, 404);
    assert.equal(
      (await jobseeker.postMultipart(sendUrl('staff', applicationId), { format: 'text', body: 'As staff' })).statusCode,
      404,
    );
    assert.equal(await messageCount(), countBefore);
  });

  test('signed out: the pages and the attachment send you to sign in and back; sending does nothing', async () => {
    const countBefore = await messageCount();
    for (const url of [pageUrl('staff', applicationId), pageUrl('jobseeker', applicationId), attachmentUrl]) {
      const response = await new TestClient(app).get(url);
      assert.equal(response.statusCode, 303, url);
      assert.equal(response.headers.location, `/sign-in?returnTo=${encodeURIComponent(url)}`);
    }
    for (const side of ['staff', 'jobseeker'] as const) {
      const client = new TestClient(app);
      await client.get('/sign-in');
      const response = await client.postMultipart(sendUrl(side, applicationId), {
        formKey: randomUUID(),
        format: 'text',
        body: 'Anonymous',
      });
      assert.equal(response.statusCode, 303);
      assert.match(String(response.headers.location), /^\/sign-in\?returnTo=/);
    }
    assert.equal(await messageCount(), countBefore);
  });

  test('a message without a CSRF token is refused with 403, as a multipart form or a plain one', async () => {
    const countBefore = await messageCount();
    for (const [side, client] of [
      ['staff', as.amara],
      ['jobseeker', as.sam],
    ] as const) {
      await client.get(pageUrl(side, applicationId));
      const multipart = await client.postMultipart(
        sendUrl(side, applicationId),
        { formKey: randomUUID(), format: 'text', body: 'No token' },
        [],
        { csrf: false },
      );
      assert.equal(multipart.statusCode, 403);
      assert.match(multipart.body, /could not accept that form/);
      const urlencoded = await client.post(
        sendUrl(side, applicationId),
        { formKey: randomUUID(), format: 'text', body: 'No token' },
        { csrf: false },
      );
      assert.equal(urlencoded.statusCode, 403);
      const withFiles = await client.postMultipart(
        sendUrl(side, applicationId),
        { formKey: randomUUID(), format: 'text', body: 'No token' },
        [{ fileName: 'cv.pdf', data: minimalPdf() }],
        { csrf: false },
      );
      assert.equal(withFiles.statusCode, 403);
    }
    assert.equal(await messageCount(), countBefore);
  });
});
