import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from '@playwright/test';
import { messagingUrls } from '../../src/messaging/urls.ts';
import { testApp, testContainer } from '../support/context.ts';
import { createSchoolScene } from '../support/factories.ts';
import { signedInClient } from '../support/http.ts';
import { freePort } from '../support/ports.ts';

const container = testContainer();
const app = await testApp(container);
const port = await freePort();
await app.listen({ host: '127.0.0.1', port });
const scene = await createSchoolScene(container.db, 'interviewing');

// The two-step multipart read over a real socket, as the browser tests' client sends a form (not only fastify.inject).
test('a message sent over HTTP as Playwright sends it is accepted', { timeout: 30_000 }, async () => {
  const staff = await signedInClient(app, scene.staff.email);
  await staff.get(`/staff/applications/${scene.application.id}`);
  const context = await request.newContext({
    baseURL: `http://127.0.0.1:${port}`,
    extraHTTPHeaders: { cookie: [...staff.cookies].map(([n, v]) => `${n}=${v}`).join('; ') },
  });
  const response = await context.post(messagingUrls.staffSend(scene.application.id), {
    multipart: {
      _csrf: staff.csrfToken!,
      formKey: crypto.randomUUID(),
      format: 'text',
      body: 'Dear Sam,\u0000 welcome',
    },
    maxRedirects: 0,
    timeout: 20_000,
  });
  assert.equal(response.status(), 303);
  await context.dispose();
});
