import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jobseekerMessagesEmail, staffDailyEmail } from '../../src/notifications/emails.ts';

const conversationUrl = 'https://parley.example/applications/1b4e28ba-2ca1-4d3b-8b1d-5f3e6d7c8a9b#messages';
const unsubscribeUrl = 'https://parley.example/unsubscribe/abc.def';

function jobseekerEmail(
  newMessages: number,
  schoolName = 'Oakfield Primary School',
  vacancyTitle = 'Year 3 class teacher',
  canReply = true,
) {
  return jobseekerMessagesEmail({
    to: 'sam@example.com',
    schoolName,
    vacancyTitle,
    newMessages,
    canReply,
    conversationUrl,
    unsubscribeUrl,
    reference: 'ledger-1',
  });
}

function line(candidateName: string, newMessages: number, id: string) {
  return {
    applicationId: id,
    candidateName,
    vacancyTitle: 'Year 3 class teacher',
    schoolName: 'Oakfield Primary School',
    newMessages,
    url: `https://parley.example/staff/applications/${id}#messages`,
  };
}

function dailyEmail(lines: ReturnType<typeof line>[]) {
  return staffDailyEmail({
    to: 'amara@example.com',
    lines,
    dashboardUrl: 'https://parley.example/staff/messages',
    unsubscribeUrl,
    reference: 'ledger-2',
  });
}

/** The href values of the HTML's links. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((match) => (match[1] ?? '').replaceAll('&amp;', '&'));
}

describe('the jobseeker’s email', () => {
  test('offers a reply only when the applicant may reply (not when not progressing or withdrawn)', () => {
    assert.match(jobseekerEmail(1).text, /Read and reply in Parley/);
    const readOnly = jobseekerEmail(1, 'Oakfield Primary School', 'Year 3 class teacher', false);
    assert.doesNotMatch(readOnly.text, /reply/i);
    assert.match(readOnly.text, /Read the message in Parley/);
    assert.match(jobseekerEmail(2, 'Oakfield Primary School', 'Year 3 class teacher', false).text, /Read the messages/);
  });

  test('one message: singular words, names the school and the job', () => {
    const email = jobseekerEmail(1);
    assert.equal(email.subject, 'New message from Oakfield Primary School');
    assert.match(
      email.text,
      /Oakfield Primary School sent you a message about your application for Year 3 class teacher\./,
    );
    assert.doesNotMatch(email.text.split('\n')[0] ?? '', /1 message|messages/);
  });

  test('several messages: plural words with the number', () => {
    const email = jobseekerEmail(3);
    assert.equal(email.subject, '3 new messages from Oakfield Primary School');
    assert.match(
      email.text,
      /Oakfield Primary School sent you 3 messages about your application for Year 3 class teacher\./,
    );
    assert.match(email.html, /sent you 3 messages about your application for Year 3 class teacher/);
  });

  test('links to the conversation and to unsubscribe, in the text and in the HTML', () => {
    const email = jobseekerEmail(2);
    assert.ok(email.text.includes(`Read and reply in Parley: ${conversationUrl}`));
    assert.ok(email.text.includes(`Unsubscribe from these emails: ${unsubscribeUrl}`));
    assert.deepEqual(hrefs(email.html), [conversationUrl, unsubscribeUrl]);
    assert.equal(email.unsubscribeUrl, unsubscribeUrl);
    assert.equal(email.kind, 'jobseeker_messages');
    assert.equal(email.to, 'sam@example.com');
    assert.equal(email.reference, 'ledger-1');
    assert.deepEqual(email.personalisation, { subject: email.subject, body: email.text });
  });

  test('names are escaped in the HTML', () => {
    const email = jobseekerEmail(1, 'St Mary & St John <script>alert(1)</script>', 'Head of "Maths"');
    assert.ok(!email.html.includes('<script>'));
    assert.ok(email.html.includes('St Mary &amp; St John &lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(email.html.includes('Head of &quot;Maths&quot;'));
    assert.ok(email.text.includes('St Mary & St John <script>alert(1)</script>'), 'the text version is plain text');
  });

  test('nothing given to the builder besides its fields reaches the email (no message text)', () => {
    const marker = 'Zanzibarquokka';
    const input = {
      to: 'sam@example.com',
      schoolName: 'Oakfield Primary School',
      vacancyTitle: 'Year 3 class teacher',
      newMessages: 1,
      canReply: true,
      conversationUrl,
      unsubscribeUrl,
      reference: 'ledger-1',
      messageText: marker,
      body: marker,
    };
    const email = jobseekerMessagesEmail(input);
    assert.ok(!JSON.stringify(email).includes(marker));
  });
});

describe('the staff daily email', () => {
  test('one message in one conversation: singular words', () => {
    const email = dailyEmail([line('Sam Taylor', 1, 'a1')]);
    assert.equal(email.subject, '1 new message from applicants');
    assert.match(email.text, /You have 1 new message from applicants in 1 conversation:/);
    assert.match(email.text, /- Sam Taylor, Year 3 class teacher, Oakfield Primary School: 1 new message\n/);
  });

  test('several messages in several conversations: plural words and the total', () => {
    const email = dailyEmail([line('Sam Taylor', 3, 'a1'), line('Priya Shah', 1, 'a2'), line('Jo Bloggs', 2, 'a3')]);
    assert.equal(email.subject, '6 new messages from applicants');
    assert.match(email.text, /You have 6 new messages from applicants in 3 conversations:/);
    assert.match(email.text, /Sam Taylor, Year 3 class teacher, Oakfield Primary School: 3 new messages/);
    assert.match(email.text, /Priya Shah, Year 3 class teacher, Oakfield Primary School: 1 new message\n/);
    assert.match(email.html, /Jo Bloggs, Year 3 class teacher, Oakfield Primary School: 2 new messages/);
  });

  test('links each conversation, the dashboard and unsubscribe, in order', () => {
    const email = dailyEmail([line('Sam Taylor', 2, 'a1'), line('Priya Shah', 1, 'a2')]);
    const expected = [
      'https://parley.example/staff/applications/a1#messages',
      'https://parley.example/staff/applications/a2#messages',
      'https://parley.example/staff/messages',
      unsubscribeUrl,
    ];
    assert.deepEqual(hrefs(email.html), expected);
    for (const url of expected) assert.ok(email.text.includes(url), url);
    assert.ok(
      email.text.includes(
        'Read the conversation with Sam Taylor: https://parley.example/staff/applications/a1#messages',
      ),
    );
    assert.equal(email.kind, 'staff_daily');
  });

  test('nothing given to the builder besides its fields reaches the email (no message text)', () => {
    const marker = 'Zanzibarquokka';
    const withExtra = { ...line('Sam Taylor', 1, 'a1'), lastMessage: marker, bodyText: marker };
    const email = dailyEmail([withExtra]);
    assert.ok(!JSON.stringify(email).includes(marker));
  });
});
