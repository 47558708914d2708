import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testApp, testContainer } from '../support/context.ts';
import { createApplication, createJobseeker, createSchoolScene } from '../support/factories.ts';
import { sendAs, signedInAs } from '../support/conversations.ts';
import { signedInClient } from '../support/http.ts';

/**
 * One count model (issue 11): a conversation with unread messages counts once, in the navigation, the dashboard and
 * the notifications; the counts are on every page a signed-in person sees, error pages included, and are worked out
 * after the page has marked things read.
 */
const container = testContainer();
const app = await testApp(container);

function navigationCount(html: string, label: 'conversation' | 'notification'): number {
  const match = new RegExp(
    `class="parley-nav-count">(\\d+)<span class="govuk-visually-hidden"> unread ${label}s?</span>`,
  ).exec(html);
  return match ? Number(match[1]) : 0;
}

describe('one count model', () => {
  test('two messages in one conversation are one unread conversation and one notification, for the jobseeker', async () => {
    const scene = await createSchoolScene(container.db);
    await sendAs(container, scene.application.id, scene.staff, 'First');
    await sendAs(container, scene.application.id, scene.staff, 'Second');
    const jobseeker = await signedInClient(app, scene.jobseeker.email);
    const page = await jobseeker.get('/notifications');
    assert.equal(navigationCount(page.body, 'conversation'), 1);
    assert.equal(navigationCount(page.body, 'notification'), 1);
    assert.match(page.body, /sent you 2 messages about/);
    const notifications = await container.notifications.page(await signedInAs(container, scene.jobseeker), 1);
    assert.equal(notifications.total, 1);
  });

  test('staff see one notification per conversation, and a new one once they have read it', async () => {
    const scene = await createSchoolScene(container.db);
    await sendAs(container, scene.application.id, scene.staff, 'Hello');
    await sendAs(container, scene.application.id, scene.jobseeker, 'Reply one');
    await sendAs(container, scene.application.id, scene.jobseeker, 'Reply two');
    const staff = await signedInAs(container, scene.staff);
    let page = await container.notifications.page(staff, 1);
    assert.equal(page.total, 1);
    assert.match(page.rows[0]?.text ?? '', /Sam Taylor sent 2 messages about/);
    const client = await signedInClient(app, scene.staff.email);
    await client.get(`/staff/applications/${scene.application.id}`);
    await sendAs(container, scene.application.id, scene.jobseeker, 'Reply three');
    page = await container.notifications.page(staff, 1);
    assert.equal(page.total, 2);
    assert.equal(page.unread, 1);
  });

  test('archiving an unread conversation takes it out of the navigation count, as out of the inbox', async () => {
    const scene = await createSchoolScene(container.db);
    const other = await createApplication(container.db, {
      vacancyId: scene.vacancy.id,
      jobseeker: await createJobseeker(container.db, 'Ruth Bennett'),
      status: 'submitted',
      staffId: scene.staff.id,
    });
    for (const applicationId of [scene.application.id, other.id]) {
      await sendAs(container, applicationId, scene.staff, 'Hello');
    }
    await sendAs(container, scene.application.id, scene.jobseeker, 'Unread one');
    const client = await signedInClient(app, scene.staff.email);
    let dashboard = await client.get('/staff/messages');
    assert.equal(navigationCount(dashboard.body, 'conversation'), 1);
    const conversation = await container.db
      .selectFrom('conversations')
      .select('id')
      .where('application_id', '=', scene.application.id)
      .executeTakeFirstOrThrow();
    const archived = await client.post('/staff/messages/archive', { conversationIds: conversation.id });
    assert.equal(archived.statusCode, 303);
    dashboard = await client.get('/staff/messages');
    assert.equal(navigationCount(dashboard.body, 'conversation'), 0);
    const settings = await client.get('/settings');
    assert.equal(navigationCount(settings.body, 'conversation'), 0);
  });

  test('the counts are on error pages, and the page that marks a conversation read shows the count after it', async () => {
    const scene = await createSchoolScene(container.db);
    await sendAs(container, scene.application.id, scene.staff, 'Hello');
    await sendAs(container, scene.application.id, scene.jobseeker, 'Unread');
    const client = await signedInClient(app, scene.staff.email);
    const notFound = await client.get('/staff/applications/00000000-0000-4000-8000-000000000000');
    assert.equal(notFound.statusCode, 404);
    assert.equal(navigationCount(notFound.body, 'conversation'), 1);
    const refused = await client.post(`/staff/applications/${scene.application.id}/status`, { to: '' });
    assert.equal(refused.statusCode, 400);
    assert.equal(navigationCount(refused.body, 'conversation'), 1, 'a refused form shows the counts and reads nothing');
    const opened = await client.get(`/staff/applications/${scene.application.id}`);
    assert.equal(navigationCount(opened.body, 'conversation'), 0, 'the page that read it no longer counts it');
  });
});
