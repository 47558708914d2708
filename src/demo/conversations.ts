/**
 * A living demo: on first start, after the accounts, vacancies and applications (seed.ts), conversations in several
 * states are sent through the real services, so their counts, notifications and emails (at /dev/mail) are what the
 * service itself makes: unread and read, archived, formatted, with a link and a PDF attachment, one with many
 * messages, one the applicant cannot answer (not progressing).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AccountsService } from '../accounts/service.ts';
import type { ApplicationPageService } from '../applications/application-page.ts';
import type { DashboardService } from '../dashboard/service.ts';
import type { MessagingService, UploadedFile } from '../messaging/service.ts';
import type { DemoApplications } from './seed.ts';

type Line = {
  from: string;
  text?: string;
  html?: string;
  files?: UploadedFile[];
};

/** A one-page PDF saying what it is: a real document, built here so the demo needs no file of its own. */
export function demoTimetablePdf(): Buffer {
  const stream = 'BT /F1 18 Tf 72 720 Td (Interview timetable: Tuesday 10am, classroom 4) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

const amara = 'amara.okafor@oakfield-primary.example';
const ben = 'ben.hughes@oakfield-primary.example';
const claire = 'claire.davies@oakfield-trust.example';
const david = 'david.price@riverside.example';
const eve = 'eve.morgan@stmarys.example';

export async function loadDemoConversations(
  services: {
    accounts: AccountsService;
    messaging: MessagingService;
    dashboard: DashboardService;
    applicationPage: ApplicationPageService;
    logger: Logger;
  },
  demo: DemoApplications,
): Promise<void> {
  const { accounts, messaging, dashboard, applicationPage, logger } = services;
  const person = async (email: string) => {
    const id = demo.users.get(email);
    const user = id ? await accounts.loadSignedInUser(id) : undefined;
    if (!user) throw new Error(`demo account ${email} is missing`);
    return user;
  };

  async function converse(applicationKey: string, lines: Line[]): Promise<string> {
    const applicationId = demo.applications.get(applicationKey);
    if (!applicationId) throw new Error(`demo application ${applicationKey} is missing`);
    for (const line of lines) {
      const send = async (files: UploadedFile[]) =>
        messaging.sendMessage({
          applicationId,
          sender: await person(line.from),
          formKey: randomUUID(),
          body: line.html ? { format: 'html', body: line.html } : { format: 'text', body: line.text ?? '' },
          files,
        });
      let result = await send(line.files ?? []);
      // Without a malware scanner running (clamd), the demo goes on without the file rather than not at all.
      if (result.outcome === 'invalid' && line.files?.length) {
        logger.warn('a demo attachment was refused (is clamd running?); the message was sent without it');
        result = await send([]);
      }
      if (result.outcome !== 'sent') throw new Error(`demo message refused: ${result.outcome}`);
    }
    return applicationId;
  }

  /** The person opens the application's page, as they would in a browser: what they see is read. */
  async function read(email: string, applicationId: string) {
    const page = await applicationPage.applicationPage(await person(email), applicationId, { markRead: true });
    return page?.view.conversation.conversationId ?? null;
  }

  // Sam Taylor: one message from the school, not yet read (an email about it is at /dev/mail).
  await converse(`submitted@jobseeker.example:year3`, [
    {
      from: amara,
      text: 'Thank you for applying for our Year 3 class teacher role. We will shortlist by the end of next week and let you know either way.',
    },
  ]);

  // Jordan Lee: formatting and a list from staff; the applicant's answer is unread for both Oakfield staff.
  await converse(`shortlisted@jobseeker.example:year3`, [
    {
      from: ben,
      html: '<p><strong>Good news:</strong> you have been shortlisted.</p><p>Please reply with the interview slot you would like:</p><ul><li>Tuesday 10am</li><li>Wednesday 2pm</li></ul>',
    },
    { from: 'shortlisted@jobseeker.example', text: 'Thank you! Tuesday 10am would be perfect.' },
  ]);

  // Olivia Brown: a long conversation with a link and a PDF; Amara has read it all, Ben has not.
  const olivia = await converse(`interviewing@jobseeker.example:year3`, [
    { from: amara, text: 'We would like to invite you to an interview on Tuesday at 10am.' },
    { from: 'interviewing@jobseeker.example', text: 'Thank you, I would be delighted to come.' },
    {
      from: ben,
      text: 'Here is the timetable for the day. You will teach a 20-minute phonics session to a small group.',
      files: [{ fileName: 'Interview timetable.pdf', data: demoTimetablePdf(), truncated: false }],
    },
    { from: 'interviewing@jobseeker.example', text: 'Is there parking at the school?' },
    {
      from: amara,
      text: 'Yes, in the staff car park behind the hall. There is a map at https://www.example.com/oakfield/parking',
    },
    { from: 'interviewing@jobseeker.example', text: 'Should I bring anything for the phonics session?' },
    {
      from: ben,
      html: '<p>Please bring:</p><ul><li>your lesson plan</li><li>any resources you would like to use</li></ul><p>We have <em>whiteboards and pens</em>.</p>',
    },
    { from: 'interviewing@jobseeker.example', text: 'Perfect, see you on Tuesday.' },
  ]);
  await read(amara, olivia);

  // Mohammed Khan: an offer accepted, read and archived by Amara.
  const mohammed = await converse(`offered@jobseeker.example:year3`, [
    { from: claire, text: 'We are delighted to offer you the job. Congratulations! Please let us know if you accept.' },
    { from: 'offered@jobseeker.example', text: 'Thank you so much, I accept.' },
  ]);
  const archivedConversation = await read(amara, mohammed);
  if (archivedConversation) await dashboard.archive(await person(amara), [archivedConversation], true);

  // Ethan Clarke: not progressing; he can read the message but not reply.
  await converse(`not-progressing@jobseeker.example:year3`, [
    {
      from: amara,
      text: 'Thank you for your interest in the role. We will not be taking your application further this time.',
    },
  ]);

  // Riverside and St Mary's: their own staff, their own applicants.
  await converse(`ruth.bennett@jobseeker.example:maths`, [
    { from: david, text: 'Your interview is on Monday at 9am. Please ask at reception for the maths department.' },
    { from: 'ruth.bennett@jobseeker.example', text: 'Thank you, I will be there.' },
  ]);
  await converse(`alex.morgan@jobseeker.example:ta`, [
    { from: eve, text: 'Could you tell us which days you are available for a visit next week?' },
  ]);
  await converse(`tom.fletcher@jobseeker.example:ta`, [
    { from: eve, text: 'Thank you for applying. We will be in touch after the closing date.' },
    { from: 'tom.fletcher@jobseeker.example', text: 'Thank you. Is the role term time only?' },
  ]);
}
