import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testApp, testContainer } from '../support/context.ts';
import { createSchoolScene, testPassword } from '../support/factories.ts';
import { TestClient, signedInClient } from '../support/http.ts';
import { messagingUrls } from '../../src/messaging/urls.ts';

const container = testContainer();
const app = await testApp(container);

describe("Parley's own brand", () => {
  test('no page carries the GOV.UK crown, logotype, Crown copyright or the OGL claim', async () => {
    const scene = await createSchoolScene(container.db);
    const staff = await signedInClient(app, scene.staff.email);
    const pages = [
      await new TestClient(app).get('/sign-in'),
      await new TestClient(app).get('/jobs'),
      await new TestClient(app).get('/no-such-page'),
      await staff.get('/staff/messages'),
      await staff.get(`/staff/applications/${scene.application.id}`),
    ];
    for (const page of pages) {
      assert.doesNotMatch(page.body, /govuk-header|govuk-logo|govuk-footer__crown|govuk-footer__licence/);
      assert.doesNotMatch(page.body, /Crown copyright|Open Government Licence/);
      assert.match(page.body, /govuk-service-navigation__service-name/);
      assert.match(page.body, /\/public\/generated\/govuk-frontend\.css/);
    }
  });
});

describe('links from emails survive sign-in', () => {
  test('a signed-out jobseeker following their email is told why to sign in, then lands on the conversation', async () => {
    const scene = await createSchoolScene(container.db);
    const link = messagingUrls.jobseekerMessages(scene.application.id);
    const client = new TestClient(app);
    const first = await client.get(link);
    assert.equal(first.statusCode, 303);
    const signIn = await client.get(first.headers.location as string);
    assert.match(signIn.body, /Sign in to read your messages/);
    const signedIn = await client.post('/sign-in', {
      email: scene.jobseeker.email,
      password: testPassword,
      returnTo: link,
    });
    assert.equal(signedIn.headers.location, link);
    const back = await client.get(link);
    assert.equal(back.statusCode, 303);
    assert.equal(back.headers.location, `/applications/${scene.application.id}#messages`);
  });

  test("the send form's address answers a GET (a reload after a refused send) with the conversation", async () => {
    const scene = await createSchoolScene(container.db);
    const staff = await signedInClient(app, scene.staff.email);
    const response = await staff.get(messagingUrls.staffMessages(scene.application.id));
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/staff/applications/${scene.application.id}#messages`);
  });
});
