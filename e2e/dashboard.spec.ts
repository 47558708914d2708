import type { Db } from '../src/platform/db.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createTrustWithSchools,
  createVacancy,
  unique,
  type TestUser,
} from '../test/support/factories.ts';
import { expect, expectNoAxeViolations, signIn, test } from './fixtures.ts';
import { clickAndLoad } from './pages/common.ts';
import { messageSender } from './messaging-support.ts';
import {
  JobseekerMessagesPage,
  messagesNavigationCount,
  messagesNavigationLink,
  StaffDashboardPage,
} from './pages/dashboard.ts';

/**
 * The messages dashboard in a browser: a trust's hiring staff member searches, reads, archives and sorts the
 * conversations of the trust's two schools (with and without JavaScript), and a jobseeker finds their messages.
 */

interface Conversation {
  candidate: string;
  vacancyTitle: string;
  applicationId: string;
  jobseeker: TestUser;
}

/**
 * A trust with two schools and a staff member of the trust (not of either school). Four conversations, each
 * started by the staff member; the first three have a reply that the staff member has not read. Oldest first:
 * Zoë Hartley (first school), Priya Shah (first school), Tom Reed (second school), Sam Taylor (second, no reply).
 */
async function trustWithConversations(db: Db) {
  const send = messageSender(db);
  const { trust, schools } = await createTrustWithSchools(db, 2);
  const staff = await createStaff(db, [trust.id], 'Claire Davies');
  const planned = [
    {
      candidate: 'Zoë Hartley',
      title: 'Teacher of Mathematics',
      school: 0,
      reply: 'Yes, I can come to the interview.',
    },
    { candidate: 'Priya Shah', title: 'Teaching Assistant', school: 0, reply: 'Thank you for letting me know.' },
    { candidate: 'Tom Reed', title: 'Caretaker', school: 1, reply: 'Is there parking at the school?' },
    { candidate: 'Sam Taylor', title: 'Head of Science', school: 1, reply: null },
  ];
  const conversations: Conversation[] = [];
  for (const plan of planned) {
    const vacancyTitle = unique(plan.title);
    const vacancy = await createVacancy(db, schools[plan.school]!.id, { title: vacancyTitle });
    const jobseeker = await createJobseeker(db, plan.candidate);
    const application = await createApplication(db, {
      vacancyId: vacancy.id,
      jobseeker,
      status: 'shortlisted',
      staffId: staff.id,
    });
    await send(application.id, staff, `Dear ${plan.candidate}, we would like to invite you to interview.`);
    if (plan.reply) await send(application.id, jobseeker, plan.reply);
    conversations.push({ candidate: plan.candidate, vacancyTitle, applicationId: application.id, jobseeker });
  }
  return { staff, schools, conversations };
}

test('trust staff search, read a conversation and come back to find it read', async ({ page, db }) => {
  const { staff, schools } = await trustWithConversations(db);
  const dashboard = new StaffDashboardPage(page);

  await signIn(page, staff.email);
  await expect(messagesNavigationCount(page)).toHaveText('3 unread conversations');
  await clickAndLoad(messagesNavigationLink(page));
  await expectNoAxeViolations(page);
  await expect(dashboard.heading).toHaveText('Messages');
  await expect(dashboard.tab('Inbox')).toHaveAttribute('aria-current', 'page');
  await expect(dashboard.rows).toHaveCount(4);
  // Someone who sees two schools is told which school each conversation is with.
  await expect(dashboard.row('Zoë Hartley')).toContainText(schools[0]!.name);
  await expect(dashboard.row('Tom Reed')).toContainText(schools[1]!.name);

  await dashboard.search('zoe mathem');
  await expectNoAxeViolations(page);
  await expect(dashboard.searchSummary).toContainText('1 result for ‘zoe mathem’ in Inbox.');
  await expect(dashboard.rows).toHaveCount(1);
  await expect(dashboard.unreadTag('Zoë Hartley')).toHaveText('1 unread message');

  await dashboard.openConversation('Zoë Hartley');
  await expectNoAxeViolations(page);
  await expect(page.getByText('Yes, I can come to the interview.')).toBeVisible();
  await expect(page.locator('#unread-summary')).toHaveText('1 unread message');

  await page.goBack();
  await expectNoAxeViolations(page);
  await expect(page).toHaveURL(/\/staff\/messages\?.*q=zoe\+mathem/);
  await expect(dashboard.searchBox).toHaveValue('zoe mathem');
  await expect(dashboard.row('Zoë Hartley')).toBeVisible();
  await expect(dashboard.unreadTag('Zoë Hartley')).toHaveCount(0);
  await expect(messagesNavigationCount(page)).toHaveText('2 unread conversations');
});

test('trust staff archive two conversations with the checkboxes and find them under Archived', async ({ page, db }) => {
  const { staff } = await trustWithConversations(db);
  const dashboard = new StaffDashboardPage(page);
  await signIn(page, staff.email);
  await dashboard.goto();
  await expectNoAxeViolations(page);

  await dashboard.archive('Priya Shah', 'Sam Taylor');
  await expectNoAxeViolations(page);
  await expect(dashboard.successBanner).toContainText('2 conversations archived');
  expect(await dashboard.candidateNames()).toEqual(['Tom Reed', 'Zoë Hartley']);
  await expect(dashboard.tab('Inbox')).toHaveText('Inbox (2)');
  await expect(dashboard.tab('Archived')).toHaveText('Archived (2)');

  await dashboard.openTab('Archived');
  await expectNoAxeViolations(page);
  await expect(dashboard.tab('Archived')).toHaveAttribute('aria-current', 'page');
  expect((await dashboard.candidateNames()).sort()).toEqual(['Priya Shah', 'Sam Taylor']);
  await expect(dashboard.unreadTag('Priya Shah')).toHaveText('1 unread message');

  await dashboard.moveToInbox('Sam Taylor');
  await expectNoAxeViolations(page);
  await expect(dashboard.successBanner).toContainText('1 conversation moved to your inbox');
  expect(await dashboard.candidateNames()).toEqual(['Priya Shah']);
});

test('trust staff change the order of the conversations', async ({ page, db }) => {
  const { staff, schools } = await trustWithConversations(db);
  const dashboard = new StaffDashboardPage(page);
  await signIn(page, staff.email);
  await dashboard.goto();
  await expectNoAxeViolations(page);
  await expect(dashboard.sortSelect).toHaveValue('unread');
  expect(await dashboard.candidateNames()).toEqual(['Tom Reed', 'Priya Shah', 'Zoë Hartley', 'Sam Taylor']);

  await dashboard.sortBy('Oldest first');
  await expectNoAxeViolations(page);
  await expect(page).toHaveURL(/[?&]sort=oldest/);
  await expect(dashboard.sortSelect).toHaveValue('oldest');
  expect(await dashboard.candidateNames()).toEqual(['Zoë Hartley', 'Priya Shah', 'Tom Reed', 'Sam Taylor']);

  await dashboard.sortBy('Newest first');
  await expectNoAxeViolations(page);
  expect(await dashboard.candidateNames()).toEqual(['Sam Taylor', 'Tom Reed', 'Priya Shah', 'Zoë Hartley']);

  // A search keeps the order chosen.
  await dashboard.search(schools[0]!.name);
  await expectNoAxeViolations(page);
  await expect(dashboard.sortSelect).toHaveValue('newest');
  expect(await dashboard.candidateNames()).toEqual(['Priya Shah', 'Zoë Hartley']);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('archiving with the checkboxes still works, and choosing none says so', async ({ page, db }) => {
    const { staff } = await trustWithConversations(db);
    const dashboard = new StaffDashboardPage(page);
    await signIn(page, staff.email);
    await dashboard.goto();
    await expectNoAxeViolations(page);
    await expect(page.locator('body')).not.toHaveClass(/js-enabled/);

    await dashboard.archive();
    await expectNoAxeViolations(page);
    await expect(page).toHaveTitle('Error: Messages – Parley');
    await expect(dashboard.errorSummary).toContainText('Select at least one conversation to archive');
    await expect(dashboard.rows).toHaveCount(4);

    await dashboard.archive('Zoë Hartley', 'Tom Reed');
    await expectNoAxeViolations(page);
    await expect(dashboard.successBanner).toContainText('2 conversations archived');
    expect(await dashboard.candidateNames()).toEqual(['Priya Shah', 'Sam Taylor']);

    await dashboard.openTab('Archived');
    await expectNoAxeViolations(page);
    await expect(dashboard.tab('Archived')).toHaveAttribute('aria-current', 'page');
    expect(await dashboard.candidateNames()).toEqual(['Tom Reed', 'Zoë Hartley']);
  });
});

test('a jobseeker opens their messages from the navigation, then a conversation', async ({ page, db }) => {
  const riverside = await createOrganisation(db, 'school', unique('Riverside Academy'));
  const hillview = await createOrganisation(db, 'school', unique('Hillview School'));
  const jobseeker = await createJobseeker(db, 'Sam Taylor');
  const send = messageSender(db);
  const conversations = [];
  for (const [school, title, text] of [
    [riverside, unique('Teacher of English'), 'Thank you for applying. We have a question about your references.'],
    [hillview, unique('Teacher of History'), 'We would like to invite you to interview on Monday.'],
  ] as const) {
    const staff = await createStaff(db, [school.id], 'Amara Okafor');
    const vacancy = await createVacancy(db, school.id, { title });
    const application = await createApplication(db, {
      vacancyId: vacancy.id,
      jobseeker,
      status: 'interviewing',
      staffId: staff.id,
    });
    await send(application.id, staff, text);
    conversations.push({ title, text, school, applicationId: application.id });
  }
  const [english, history] = conversations as [(typeof conversations)[number], (typeof conversations)[number]];
  const messagesPage = new JobseekerMessagesPage(page);

  await signIn(page, jobseeker.email);
  await expect(messagesNavigationCount(page)).toHaveText('2 unread conversations');
  await clickAndLoad(messagesNavigationLink(page));
  await expectNoAxeViolations(page);
  await expect(page).toHaveURL('/messages');
  await expect(messagesPage.heading).toHaveText('Messages');
  expect(await messagesPage.vacancyTitles()).toEqual([history.title, english.title]);
  await expect(messagesPage.entry(history.title)).toContainText(history.school.name);
  await expect(messagesPage.entry(history.title)).toContainText(`from Amara Okafor, ${history.school.name}`);
  await expect(messagesPage.unreadTag(history.title)).toHaveText('1 unread message');

  await messagesPage.open(history.title);
  await expectNoAxeViolations(page);
  await expect(page).toHaveURL(`/applications/${history.applicationId}#messages`);
  await expect(page.getByText(history.text)).toBeVisible();

  await clickAndLoad(messagesNavigationLink(page));
  await expectNoAxeViolations(page);
  await expect(messagesNavigationCount(page)).toHaveText('1 unread conversation');
  expect(await messagesPage.vacancyTitles()).toEqual([english.title, history.title]);
  await expect(messagesPage.unreadTag(history.title)).toHaveCount(0);
  await expect(messagesPage.unreadTag(english.title)).toHaveText('1 unread message');
});
