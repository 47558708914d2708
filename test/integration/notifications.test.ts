import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { SignedInUser } from '../../src/accounts/service.ts';
import { createUnsubscribeToken } from '../../src/notifications/unsubscribe-token.ts';
import { testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createSchoolScene,
  createStaff,
  createVacancy,
  type TestUser,
} from '../support/factories.ts';
import { TestClient, signedInClient } from '../support/http.ts';
import { pageTitle } from '../support/html.ts';

/**
 * In-service notifications, following, the notifications page and the header count, the email settings and the
 * unsubscribe link, through the routes a person uses (real PostgreSQL, fastify.inject).
 */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

type Element = ReturnType<typeof DomUtils.findAll>[number];
const textOf = (element: Element): string => DomUtils.textContent(element).replace(/\s+/g, ' ').trim();
const findAll = (html: string, match: (element: Element) => boolean): Element[] =>
  DomUtils.findAll(match, parseDocument(html).children);
const hasClass = (element: Element, name: string): boolean => (element.attribs.class ?? '').split(/\s+/).includes(name);

/** The "Notifications" item of the service navigation, as read aloud ("Notifications 2 unread notifications"). */
function notificationsNavText(html: string): string | undefined {
  const [link] = findAll(
    html,
    (element) =>
      element.name === 'a' &&
      element.attribs.href === '/notifications' &&
      hasClass(element, 'govuk-service-navigation__link'),
  );
  return link ? textOf(link) : undefined;
}

interface ShownNotification {
  id: string;
  text: string;
  unread: boolean;
}

function shownNotifications(html: string): ShownNotification[] {
  return findAll(html, (element) => element.name === 'li' && hasClass(element, 'parley-result')).map((item) => {
    const link = DomUtils.findOne(
      (element) => element.name === 'a' && (element.attribs.href ?? '').startsWith('/notifications/'),
      item.children,
    );
    assert.ok(link, 'each notification links to itself');
    return {
      id: (link.attribs.href ?? '').replace('/notifications/', ''),
      text: textOf(link),
      unread: hasClass(item, 'parley-notification--unread'),
    };
  });
}

function paginationLinks(html: string): string[] {
  const [nav] = findAll(html, (element) => hasClass(element, 'govuk-pagination'));
  if (!nav) return [];
  return DomUtils.findAll((element) => element.name === 'a', nav.children).map((link) => link.attribs.href ?? '');
}

function errorSummaryOf(html: string): { text: string; href: string | undefined }[] {
  const [summary] = findAll(html, (element) => hasClass(element, 'govuk-error-summary'));
  if (!summary) return [];
  return DomUtils.findAll((element) => element.name === 'a', summary.children).map((link) => ({
    text: textOf(link),
    href: link.attribs.href,
  }));
}

/** The admin's "remove from organisation": the membership row goes. */
async function removeStaffMembership(userId: string, organisationId: string): Promise<void> {
  await db
    .deleteFrom('staff_memberships')
    .where('user_id', '=', userId)
    .where('organisation_id', '=', organisationId)
    .execute();
}

async function signedIn(user: TestUser): Promise<SignedInUser> {
  const loaded = await container.accounts.loadSignedInUser(user.id);
  assert.ok(loaded);
  return loaded;
}

async function send(user: TestUser, applicationId: string, body = `A message ${randomUUID()}`): Promise<string> {
  const result = await container.messaging.sendMessage({
    applicationId,
    sender: await signedIn(user),
    formKey: randomUUID(),
    body: { format: 'text', body },
    files: [],
  });
  assert.equal(result.outcome, 'sent', JSON.stringify(result));
  return result.messageId;
}

async function notificationsOf(user: TestUser) {
  return db
    .selectFrom('notifications')
    .select(['id', 'text', 'link', 'application_id', 'message_id', 'message_count', 'read_at', 'created_at'])
    .where('user_id', '=', user.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

async function textsOf(user: TestUser): Promise<string[]> {
  return (await notificationsOf(user)).map((row) => row.text);
}

async function emailsOn(user: TestUser): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('email_notifications')
    .where('id', '=', user.id)
    .executeTakeFirstOrThrow();
  return row.email_notifications;
}

/** Who follows an application, by the view the notifications use. */
async function followersOf(applicationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('application_followers')
    .select('user_id')
    .where('application_id', '=', applicationId)
    .execute();
  return rows.map((row) => row.user_id).sort();
}

describe('who is notified of a message', () => {
  test('the jobseeker hears of every staff message, one notification per conversation; staff not of their own', async () => {
    const { school, staff, vacancy, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    const first = await send(staff, application.id);
    const describe = (rows: Awaited<ReturnType<typeof notificationsOf>>) =>
      rows.map((row) => ({
        text: row.text,
        link: row.link,
        applicationId: row.application_id,
        messageId: row.message_id,
        messageCount: row.message_count,
      }));
    assert.deepEqual(describe(await notificationsOf(jobseeker)), [
      {
        text: `${school.name} sent you a message about ${vacancy.title}`,
        link: `/applications/${application.id}#messages`,
        applicationId: application.id,
        messageId: first,
        messageCount: 1,
      },
    ]);
    const second = await send(staff, application.id);
    assert.deepEqual(describe(await notificationsOf(jobseeker)), [
      {
        text: `${school.name} sent you 2 messages about ${vacancy.title}`,
        link: `/applications/${application.id}#messages`,
        applicationId: application.id,
        messageId: second,
        messageCount: 2,
      },
    ]);
    assert.deepEqual(await textsOf(staff), []);
  });

  test('staff followers hear of the jobseeker’s messages; the jobseeker does not hear of their own', async () => {
    const { staff, vacancy, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    await send(jobseeker, application.id);
    assert.deepEqual(await textsOf(staff), [`Sam Taylor sent a message about ${vacancy.title}`]);
    await send(staff, application.id);
    await send(jobseeker, application.id);
    assert.deepEqual(await textsOf(staff), [`Sam Taylor sent 2 messages about ${vacancy.title}`]);
    const [reply] = await notificationsOf(staff);
    assert.equal(reply?.link, `/staff/applications/${application.id}#messages`);
    assert.equal((await textsOf(jobseeker)).length, 1, 'only the staff message');
  });

  test('no message text is in a notification', async () => {
    const { staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    const marker = `Quokka${randomUUID().slice(0, 8)}`;
    await send(staff, application.id, `Please bring ${marker} to the interview`);
    await send(jobseeker, application.id, `I will bring ${marker}`);
    for (const user of [staff, jobseeker]) {
      for (const row of await notificationsOf(user))
        assert.ok(!row.text.includes(marker) && !row.link.includes(marker));
    }
  });

  test('the vacancy’s creator follows by default; a staff member who sends a message or changes the status follows', async () => {
    const school = await createOrganisation(db);
    const creator = await createStaff(db, [school.id], 'Creator Staff');
    const writer = await createStaff(db, [school.id], 'Writer Staff');
    const mover = await createStaff(db, [school.id], 'Mover Staff');
    const bystander = await createStaff(db, [school.id], 'Bystander Staff');
    const vacancy = await createVacancy(db, school.id, { createdBy: creator.id });
    const jobseeker = await createJobseeker(db, 'Robin Reed');
    const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'submitted' });
    assert.deepEqual(await followersOf(application.id), [creator.id]);

    await send(writer, application.id);
    const moverClient = await signedInClient(app, mover.email);
    await moverClient.get(`/staff/applications/${application.id}`);
    const moved = await moverClient.post(`/staff/applications/${application.id}/status`, {
      expectedStatus: 'submitted',
      to: 'interviewing',
    });
    assert.equal(moved.statusCode, 303);
    assert.deepEqual(await followersOf(application.id), [creator.id, writer.id, mover.id].sort());

    await send(jobseeker, application.id);
    const expected = `Robin Reed replied about ${vacancy.title}`;
    for (const follower of [creator, writer, mover])
      assert.deepEqual(await textsOf(follower), [expected], follower.fullName);
    assert.deepEqual(await textsOf(bystander), []);

    const page = await moverClient.get(`/staff/applications/${application.id}`);
    assert.match(page.body, /You are following this application/);
  });

  test('with no follower at all, every staff member of the school hears, and nobody elsewhere', async () => {
    const school = await createOrganisation(db);
    const first = await createStaff(db, [school.id]);
    const second = await createStaff(db, [school.id]);
    const elsewhere = await createOrganisation(db);
    const outsider = await createStaff(db, [elsewhere.id]);
    const vacancy = await createVacancy(db, school.id); // made by nobody still here: no default follower
    const jobseeker = await createJobseeker(db, 'Alex Moss');
    const application = await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'interviewing' });
    assert.deepEqual(await followersOf(application.id), []);
    await send(jobseeker, application.id);
    for (const member of [first, second])
      assert.deepEqual(await textsOf(member), [`Alex Moss sent a message about ${vacancy.title}`]);
    assert.deepEqual(await textsOf(outsider), []);
  });

  test('a follower who lost access to the school is not notified; the school’s staff are, as if nobody followed', async () => {
    const { school, staff, vacancy, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    const colleague = await createStaff(db, [school.id]);
    await removeStaffMembership(staff.id, school.id);
    await send(jobseeker, application.id);
    assert.deepEqual(await textsOf(staff), []);
    assert.deepEqual(await textsOf(colleague), [`Sam Taylor sent a message about ${vacancy.title}`]);
  });
});

describe('following from the application page', () => {
  test('follow and stop following; a follower who stopped is not notified', async () => {
    const { school, staff: creator, vacancy, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    const colleague = await createStaff(db, [school.id]);
    const colleagueClient = await signedInClient(app, colleague.email);
    const creatorClient = await signedInClient(app, creator.email);

    const before = await colleagueClient.get(`/staff/applications/${application.id}`);
    assert.match(before.body, /You are not following this application/);
    const follow = await colleagueClient.post(`/staff/applications/${application.id}/follow`, { following: 'yes' });
    assert.equal(follow.statusCode, 303);
    assert.equal(follow.headers.location, `/staff/applications/${application.id}`);
    const after = await colleagueClient.get(`/staff/applications/${application.id}`);
    assert.match(after.body, /You are following this application\. You get notifications/);

    await creatorClient.get(`/staff/applications/${application.id}`);
    const unfollow = await creatorClient.post(`/staff/applications/${application.id}/follow`, { following: 'no' });
    assert.equal(unfollow.statusCode, 303);
    const creatorPage = await creatorClient.get(`/staff/applications/${application.id}`);
    assert.match(creatorPage.body, /You have stopped following this application/);
    assert.match(creatorPage.body, /You are not following this application/);
    assert.deepEqual(await followersOf(application.id), [colleague.id]);

    await send(jobseeker, application.id);
    assert.deepEqual(await textsOf(colleague), [`Sam Taylor sent a message about ${vacancy.title}`]);
    assert.deepEqual(await textsOf(creator), [], 'the creator stopped following');

    // Stopping is remembered: the creator's default does not come back.
    await colleagueClient.post(`/staff/applications/${application.id}/follow`, { following: 'no' });
    assert.deepEqual(await followersOf(application.id), []);
  });

  test('staff of another organisation get a 404 and nothing is recorded; jobseekers and signed-out people cannot follow', async () => {
    const { application, jobseeker } = await createSchoolScene(db, 'interviewing');
    const elsewhere = await createOrganisation(db);
    const outsider = await createStaff(db, [elsewhere.id]);
    const outsiderClient = await signedInClient(app, outsider.email);
    await outsiderClient.get('/staff/vacancies');
    const refused = await outsiderClient.post(`/staff/applications/${application.id}/follow`, { following: 'yes' });
    assert.equal(refused.statusCode, 404);
    const unknown = await outsiderClient.post(`/staff/applications/${randomUUID()}/follow`, { following: 'yes' });
    assert.equal(unknown.statusCode, 404);
    const jobseekerClient = await signedInClient(app, jobseeker.email);
    await jobseekerClient.get('/applications');
    assert.equal(
      (await jobseekerClient.post(`/staff/applications/${application.id}/follow`, { following: 'yes' })).statusCode,
      404,
    );
    const anonymous = new TestClient(app);
    const signedOut = await anonymous.post(`/staff/applications/${application.id}/follow`, { following: 'yes' });
    assert.equal(signedOut.statusCode, 303);
    assert.match(signedOut.headers.location ?? '', /^\/sign-in/);
    const rows = await db
      .selectFrom('application_follows')
      .select('user_id')
      .where('application_id', '=', application.id)
      .execute();
    assert.deepEqual(rows, []);
  });

  test('following needs the CSRF token', async () => {
    const { school, application } = await createSchoolScene(db, 'interviewing');
    const colleague = await createStaff(db, [school.id]);
    const client = await signedInClient(app, colleague.email);
    const refused = await client.post(
      `/staff/applications/${application.id}/follow`,
      { following: 'yes' },
      { csrf: false },
    );
    assert.equal(refused.statusCode, 403);
    assert.ok(!(await followersOf(application.id)).includes(colleague.id));
  });
});

describe('the notifications page and the header count', () => {
  test('newest first, 20 to a page: 25 notifications make 2 pages', async () => {
    const { school, staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    // One notification per conversation: 25 conversations (one application each) make 25.
    const applicationIds = [application.id];
    for (let i = 1; i < 25; i += 1) {
      const vacancy = await createVacancy(db, school.id, { createdBy: staff.id });
      applicationIds.push(
        (await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'interviewing' })).id,
      );
    }
    const messageIds: string[] = [];
    for (const applicationId of applicationIds) messageIds.push(await send(staff, applicationId));
    const byMessage = new Map((await notificationsOf(jobseeker)).map((row) => [row.id, row.message_id]));

    const client = await signedInClient(app, jobseeker.email);
    const first = await client.get('/notifications');
    assert.equal(first.statusCode, 200);
    const second = await client.get('/notifications?page=2');
    const shown = [...shownNotifications(first.body), ...shownNotifications(second.body)];
    assert.equal(shownNotifications(first.body).length, 20);
    assert.equal(shownNotifications(second.body).length, 5);
    assert.deepEqual(
      shown.map((row) => byMessage.get(row.id)),
      [...messageIds].reverse(),
      'the newest message’s notification comes first',
    );
    assert.ok(shown.every((row) => row.unread));
    assert.ok(paginationLinks(first.body).includes('/notifications?page=2'));
    assert.ok(paginationLinks(second.body).includes('/notifications'));
    assert.equal(shownNotifications((await client.get('/notifications?page=3')).body).length, 0);
    assert.equal(notificationsNavText(first.body), 'Notifications 25 unread notifications');
  });

  test('opening a notification marks it read and goes to the conversation; someone else’s is a 404', async () => {
    const { staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    await send(staff, application.id);
    await send(jobseeker, application.id);
    const [mine] = await notificationsOf(jobseeker);
    const [theirs] = await notificationsOf(staff);
    assert.ok(mine && theirs);

    const client = await signedInClient(app, jobseeker.email);
    const page = await client.get('/notifications');
    assert.equal(notificationsNavText(page.body), 'Notifications 1 unread notification');
    const opened = await client.get(`/notifications/${mine.id}`);
    assert.equal(opened.statusCode, 303);
    assert.equal(opened.headers.location, `/applications/${application.id}#messages`);
    assert.ok((await notificationsOf(jobseeker))[0]?.read_at);
    const afterwards = await client.get('/notifications');
    assert.deepEqual(
      shownNotifications(afterwards.body).map((row) => row.unread),
      [false],
    );
    assert.equal(notificationsNavText(afterwards.body), 'Notifications', 'no number once everything is read');

    assert.equal((await client.get(`/notifications/${theirs.id}`)).statusCode, 404);
    assert.equal((await notificationsOf(staff))[0]?.read_at, null, 'someone else’s notification stays unread');
    assert.equal((await client.get(`/notifications/${randomUUID()}`)).statusCode, 404);
    assert.equal((await client.get('/notifications/not-an-id')).statusCode, 404);
  });

  test('"Mark all as read" reads every notification of this person only', async () => {
    const { school, staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    const colleague = await createStaff(db, [school.id]);
    await colleagueFollows(colleague, application.id);
    await send(jobseeker, application.id);
    const client = await signedInClient(app, staff.email);
    // Read one conversation's notification, then two more arrive: one read and one unread notification of three.
    await client.get(`/staff/applications/${application.id}`);
    for (let i = 0; i < 2; i += 1) await send(jobseeker, application.id);
    const otherVacancy = await createVacancy(db, school.id, { createdBy: staff.id });
    const ruth = await createJobseeker(db, 'Ruth Bennett');
    const second = await createApplication(db, { vacancyId: otherVacancy.id, jobseeker: ruth, status: 'interviewing' });
    await colleagueFollows(colleague, second.id);
    await send(staff, second.id);
    await send(ruth, second.id);
    const page = await client.get('/notifications');
    assert.equal(notificationsNavText(page.body), 'Notifications 2 unread notifications');
    assert.match(page.body, /Mark all as read/);
    const marked = await client.post('/notifications/mark-all-read', {});
    assert.equal(marked.statusCode, 303);
    assert.equal(marked.headers.location, '/notifications');
    const after = await client.get('/notifications');
    assert.match(after.body, /2 notifications marked as read/);
    assert.ok(shownNotifications(after.body).every((row) => !row.unread));
    assert.doesNotMatch(after.body, /Mark all as read/);
    assert.equal(notificationsNavText(after.body), 'Notifications');
    assert.ok(
      (await notificationsOf(colleague)).every((row) => row.read_at === null),
      'a colleague’s stay unread',
    );
  });

  test('the header count appears on every page, and reading the conversation reads its notifications', async () => {
    const { staff, jobseeker, application } = await createSchoolScene(db, 'interviewing');
    await send(staff, application.id);
    await send(staff, application.id);
    const client = await signedInClient(app, jobseeker.email);
    assert.equal(
      notificationsNavText((await client.get('/applications')).body),
      'Notifications 1 unread notification',
      'two messages in one conversation are one notification',
    );
    await client.get(`/applications/${application.id}`);
    assert.equal(notificationsNavText((await client.get('/applications')).body), 'Notifications');
    assert.ok((await notificationsOf(jobseeker)).every((row) => row.read_at !== null));

    const staffClient = await signedInClient(app, staff.email);
    assert.equal(notificationsNavText((await staffClient.get('/staff/vacancies')).body), 'Notifications');
    await send(jobseeker, application.id);
    assert.equal(
      notificationsNavText((await staffClient.get('/staff/vacancies')).body),
      'Notifications 1 unread notification',
    );
  });

  test('the notifications page needs signing in', async () => {
    const response = await new TestClient(app).get('/notifications');
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/sign-in?returnTo=%2Fnotifications');
  });
});

async function colleagueFollows(colleague: TestUser, applicationId: string): Promise<void> {
  const client = await signedInClient(app, colleague.email);
  await client.get(`/staff/applications/${applicationId}`);
  const response = await client.post(`/staff/applications/${applicationId}/follow`, { following: 'yes' });
  assert.equal(response.statusCode, 303);
}

describe('email settings', () => {
  test('turning emails off and on again', async () => {
    const jobseeker = await createJobseeker(db);
    const client = await signedInClient(app, jobseeker.email);
    const page = await client.get('/settings');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Do you want emails about messages\?/);
    assert.match(page.body, /value="on" checked/);
    assert.equal(await emailsOn(jobseeker), true);

    const off = await client.post('/settings', { emails: 'off' });
    assert.equal(off.statusCode, 303);
    assert.equal(off.headers.location, '/settings');
    assert.equal(await emailsOn(jobseeker), false);
    const afterOff = await client.get('/settings');
    assert.match(afterOff.body, /You will not get emails about messages/);
    assert.match(afterOff.body, /value="off" checked/);

    await client.post('/settings', { emails: 'on' });
    assert.equal(await emailsOn(jobseeker), true);
    assert.match((await client.get('/settings')).body, /You will get emails about messages/);
  });

  test('choosing nothing is an error and changes nothing; staff have the same page', async () => {
    const school = await createOrganisation(db);
    const staff = await createStaff(db, [school.id]);
    const client = await signedInClient(app, staff.email);
    await client.get('/settings');
    await client.post('/settings', { emails: 'off' });
    for (const form of [{}, { emails: 'maybe' }] as Record<string, string>[]) {
      const response = await client.post('/settings', form);
      assert.equal(response.statusCode, 400);
      assert.deepEqual(errorSummaryOf(response.body), [
        { text: 'Select whether you want emails about messages', href: '#emails' },
      ]);
      assert.match(pageTitle(response.body), /^Error: Email settings/);
      assert.equal(await emailsOn(staff), false);
    }
  });

  test('changing the setting needs the CSRF token and signing in', async () => {
    const jobseeker = await createJobseeker(db);
    const client = await signedInClient(app, jobseeker.email);
    await client.get('/settings');
    assert.equal((await client.post('/settings', { emails: 'off' }, { csrf: false })).statusCode, 403);
    assert.equal(await emailsOn(jobseeker), true);
    const signedOut = await new TestClient(app).post('/settings', { emails: 'off' });
    assert.equal(signedOut.statusCode, 303);
    assert.match(signedOut.headers.location ?? '', /^\/sign-in/);
  });
});

describe('the unsubscribe link', () => {
  const secret = container.config.sessionSecret;

  test('works signed out: the page turns emails off', async () => {
    const jobseeker = await createJobseeker(db);
    const response = await new TestClient(app).get(`/unsubscribe/${createUnsubscribeToken(secret, jobseeker.id)}`);
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /You have unsubscribed/);
    assert.match(response.body, /after you sign in/);
    assert.equal(await emailsOn(jobseeker), false);
  });

  test('one-click POST (RFC 8058) turns emails off without a CSRF token or a session', async () => {
    const school = await createOrganisation(db);
    const staff = await createStaff(db, [school.id]);
    const response = await app.inject({
      method: 'POST',
      url: `/unsubscribe/${createUnsubscribeToken(secret, staff.id)}`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(await emailsOn(staff), false);
  });

  test('a tampered token is refused with the 404 page and changes nothing', async () => {
    const jobseeker = await createJobseeker(db);
    const other = await createJobseeker(db);
    const token = createUnsubscribeToken(secret, jobseeker.id);
    const [, signature] = token.split('.');
    const tampered = [
      `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
      `${Buffer.from(other.id).toString('base64url')}.${signature}`,
      createUnsubscribeToken('another-secret-of-the-right-length-000000', jobseeker.id),
      'nonsense',
    ];
    for (const bad of tampered) {
      const page = await new TestClient(app).get(`/unsubscribe/${bad}`);
      assert.equal(page.statusCode, 404, bad);
      assert.match(page.body, /This unsubscribe link does not work/);
      const post = await app.inject({
        method: 'POST',
        url: `/unsubscribe/${bad}`,
        payload: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(post.statusCode, 404, bad);
    }
    assert.equal(await emailsOn(jobseeker), true);
    assert.equal(await emailsOn(other), true);
  });

  test('the link in the email is the service’s own', () => {
    const userId = randomUUID();
    assert.equal(
      container.notifications.unsubscribeUrl(userId),
      `${container.config.baseUrl}/unsubscribe/${createUnsubscribeToken(secret, userId)}`,
    );
  });
});
