import { hostileHtml, type HostileHtml } from '../test/fixtures/hostile-html.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
} from '../test/support/factories.ts';
import { html as htmlFile, minimalPdf } from '../test/support/sample-files.ts';
import { expect, expectNoAxeViolations, signInTo, signOut, test } from './fixtures.ts';
import { postMessage, withdrawApplication } from './messaging-support.ts';
import { Conversation } from './pages/conversation.ts';
import { clickAndLoad } from './pages/common.ts';
import { conversationPageSize } from '../src/messaging/service.ts';
import type { Page } from '@playwright/test';

/**
 * Hostile message bodies, sent through the real send route (so they are sanitised exactly as in production) and then
 * shown to both sides in a real browser, with scripts on. Nothing may run: no dialog, no sentinel global set, no
 * inline code even reaching the Content Security Policy (which would block it, but the sanitiser must not rely on
 * that), and the bodies hold only the allowed elements and attributes.
 */

/** A spread of the sanitiser's hostile inputs (test/fixtures/hostile-html.ts), one or more of each kind of trick. */
const sampleNames = [
  'onmouseover on allowed <a>',
  'onerror/onfocus on disallowed <img>',
  'event handler after a quoted attribute with no space',
  'duplicate href, second one hostile',
  'script inside a paragraph',
  'unclosed script swallows the rest',
  'script inside a comment-looking string',
  'entity tab inside javascript:',
  'decimal entity-encoded javascript:',
  'data: text/html',
  'https with credentials phishing trick',
  'href containing a quote and tag',
  'style attribute hiding a fake form',
  'iframe with srcdoc',
  'form posting elsewhere',
  'base href hijack',
  'meta refresh',
  'input autofocus onfocus',
  'svg animate changing href',
  'math mtext with table mutation',
  'noscript title breakout',
  'textarea solidus mis-close',
  'comment closed early with --!>',
  'less-than signs in text',
];

function sample(): HostileHtml[] {
  return sampleNames.map((name) => {
    const entry = hostileHtml.find((candidate) => candidate.name === name);
    if (!entry) throw new Error(`test/fixtures/hostile-html.ts has no entry named "${name}"`);
    return entry;
  });
}

/** Payloads of our own that would set a global the page can be asked about, were they to run. */
const sentinelPayloads: HostileHtml[] = [
  { name: 'img onerror sets a global', html: '<img src="x" onerror="window.pwned = 1">' },
  { name: 'javascript: link sets a global', html: '<a href="javascript:window.pwned=1">open</a>' },
  { name: 'svg onload sets a global', html: '<svg onload="window.__pwned = 1"><circle r="1"/></svg>' },
  {
    name: 'details ontoggle sets a global',
    html: '<details open ontoggle="window.pwned = 1"><summary>s</summary>d</details>',
  },
  {
    name: 'CSS animation start sets a global',
    html: '<style>@keyframes p{}</style><p style="animation:p 1ms" onanimationstart="window.pwned = 1">animated</p>',
  },
  { name: 'iframe srcdoc reaches the parent', html: '<iframe srcdoc="<script>parent.pwned = 1</script>"></iframe>' },
  {
    name: 'focus handler on an allowed link',
    html: '<a href="https://ok.example/" onfocus="window.pwned = 1" autofocus>focus</a>',
  },
  { name: 'mXSS via noscript', html: '<noscript><p title="</noscript><img src=x onerror=window.pwned=1>"></noscript>' },
  { name: 'script that survives as text', html: '<p>&lt;script&gt;window.pwned = 1&lt;/script&gt;</p>' },
];

/** Typed into the plain textarea (no JavaScript): escaped, then web addresses become links. */
const plainTextPayloads = [
  '<script>window.pwned = 1</script> is only text',
  'See https://ok.example/"><img src=x onerror="window.pwned=1"> and www.ok.example/<svg/onload=window.pwned=1>',
];

const allowedTags = ['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a'];

/**
 * Watches the page for anything a payload could do. Dialogs (alert, confirm, prompt) are dismissed and recorded;
 * Content Security Policy reports are recorded from the console, where Chromium writes every one.
 */
function watch(page: Page) {
  const dialogs: string[] = [];
  const cspReports: string[] = [];
  const pageErrors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspReports.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { dialogs, cspReports, pageErrors };
}

/** Gives any payload its chance (events, animations), then proves none ran and the bodies are clean. */
async function expectNothingRan(page: Page, watched: ReturnType<typeof watch>, path: string): Promise<void> {
  await page.evaluate(() => {
    for (const element of document.querySelectorAll('.parley-message__body, .parley-message__body *')) {
      for (const type of ['mouseover', 'mouseenter', 'focus', 'load', 'error', 'animationstart', 'toggle']) {
        element.dispatchEvent(new Event(type));
      }
    }
  });
  // Wait for the states a payload could use rather than for a fixed time: every image loaded or failed (onload,
  // onerror) and two frames painted (animations started, focus and toggle events delivered).
  await page.waitForFunction(() => Array.from(document.images).every((image) => image.complete));
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );

  const state = await page.evaluate((allowed) => {
    const problems: string[] = [];
    for (const element of document.querySelectorAll('.parley-message__body *')) {
      const tag = element.tagName.toLowerCase();
      if (!allowed.includes(tag)) problems.push(`<${tag}> in a message`);
      for (const attribute of Array.from(element.attributes)) {
        if (tag !== 'a' || !['href', 'rel'].includes(attribute.name))
          problems.push(`<${tag} ${attribute.name}> in a message`);
      }
      if (element instanceof HTMLAnchorElement) {
        if (!['http:', 'https:', 'mailto:'].includes(new URL(element.href).protocol))
          problems.push(`link to ${element.href}`);
        if (element.rel !== 'noopener noreferrer') problems.push(`link with rel "${element.rel}"`);
        if (new URL(element.href).username) problems.push(`link with a user name: ${element.href}`);
      }
    }
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of Array.from(element.attributes)) {
        if (attribute.name.startsWith('on')) problems.push(`${attribute.name} on <${element.tagName.toLowerCase()}>`);
      }
    }
    const embedded = document.querySelectorAll('iframe, frame, object, embed, base, meta[http-equiv]');
    if (embedded.length) problems.push(`${embedded.length} embedded or redirecting elements`);
    const globals = window as unknown as Record<string, unknown>;
    return { problems, pwned: globals.pwned, underscorePwned: globals.__pwned };
  }, allowedTags);

  expect(new URL(page.url()).pathname, 'the page a payload could have redirected').toBe(path);
  expect(watched.dialogs, 'dialogs opened by a payload').toEqual([]);
  expect(state.pwned, 'window.pwned, set by a payload that ran').toBeUndefined();
  expect(state.underscorePwned, 'window.__pwned, set by a payload that ran').toBeUndefined();
  // No CSP report is expected: our own pages have none, so any report is a payload that reached the browser.
  expect(watched.cspReports, 'Content Security Policy reports').toEqual([]);
  expect(watched.pageErrors, 'script errors on the page').toEqual([]);
  expect(state.problems, 'markup that the sanitiser should have removed').toEqual([]);
}

test('hostile messages are shown to both sides as harmless text and markup', async ({ page, db }) => {
  test.setTimeout(240_000); // about 35 sends and four sign-ins: slow on a busy two-core machine
  // Names are shown too (sender, header, page title): make those hostile as well.
  const school = await createOrganisation(db);
  const staff = await createStaff(db, [school.id], 'Amara <img src=x onerror="window.pwned=1"> Okafor');
  const vacancy = await createVacancy(db, school.id, {
    createdBy: staff.id,
    title: 'Teacher <script>window.pwned=1</script>',
  });
  const jobseeker = await createJobseeker(db, 'Sam <svg onload="window.__pwned=1"> Taylor');
  const application = await createApplication(db, {
    vacancyId: vacancy.id,
    jobseeker,
    status: 'submitted',
    staffId: staff.id,
  });
  const watched = watch(page);
  const conversation = new Conversation(page);
  const hostile = [...sample(), ...sentinelPayloads];

  const staffPath = `/staff/applications/${application.id}`;
  const jobseekerPath = `/applications/${application.id}`;

  await signInTo(page, staffPath, staff.email);
  for (const [index, entry] of hostile.entries()) {
    const status = await postMessage(page, `<p>Sample ${String(index + 1)}: ${entry.name}</p>${entry.html}`);
    expect(status, `sending "${entry.name}"`).toBe(303);
  }
  for (const text of plainTextPayloads) expect(await postMessage(page, text, { format: 'text' })).toBe(303);
  const hostileFileName = '"><img src=x onerror="window.pwned=1">.pdf';
  const withFile = await postMessage(page, 'A file with a hostile name', {
    file: { name: hostileFileName, mimeType: 'application/pdf', buffer: minimalPdf() },
  });
  expect(withFile, 'sending a PDF with a hostile name').toBe(303);
  const sent = hostile.length + plainTextPayloads.length + 1;

  await page.reload();
  await expectNothingRan(page, watched, staffPath);
  await expectNoAxeViolations(page);
  await expect(conversation.messages).toHaveCount(sent);

  await signOut(page);
  await signInTo(page, jobseekerPath, jobseeker.email);
  await expectNothingRan(page, watched, jobseekerPath);
  await expect(conversation.messages).toHaveCount(sent);
  await expect(conversation.unreadSummary).toHaveText(`${String(sent)} unread messages`);
  // What survives is the words: the script's text, the link's words, the file's name.
  await expect(conversation.message('script inside a paragraph')).toContainText('Dear applicant, welcome');
  await expect(conversation.message(plainTextPayloads[0] ?? '')).toBeVisible();
  await expect(conversation.message('A file with a hostile name').getByRole('link', { name: /\.pdf$/ })).toBeVisible();

  const status = await postMessage(page, '<p onclick="window.pwned=1">Thanks</p><img src=x onerror="window.pwned=1">');
  expect(status, 'the jobseeker replies').toBe(303);
  await page.reload();
  await expectNothingRan(page, watched, jobseekerPath);
  await expectNoAxeViolations(page);

  await signOut(page);
  await signInTo(page, staffPath, staff.email);
  await expectNothingRan(page, watched, staffPath);
  await expect(conversation.messages).toHaveCount(sent + 1);
  await expect(conversation.unreadMarkOf(conversation.message('Thanks'))).toBeVisible();
});

test('a message with a NUL character is refused or cleaned, not a server error', async ({ page, scene }) => {
  // PostgreSQL text cannot hold U+0000: the service removes it from every form field before anything reads it.
  const { staff, application } = await scene('submitted');
  await signInTo(page, `/staff/applications/${application.id}`, staff.email);
  expect(await postMessage(page, 'Dear Sam,\u0000 welcome', { format: 'text' })).toBe(303);
  expect(await postMessage(page, '<p>Dear <scr\u0000ipt>Sam</scr\u0000ipt></p>')).toBe(303);
});

test('every payload of the hostile corpus stays inside its own message in the real page', async ({
  page,
  scene,
  db,
}) => {
  // The whole corpus (about 200 sends), then one page holding every message that was kept.
  test.setTimeout(300_000);
  const { staff, application } = await scene('submitted');
  const path = `/staff/applications/${application.id}`;
  await signInTo(page, path, staff.email);
  for (const entry of hostileHtml) {
    // 303: sent; 400: nothing was left to send ("Enter a message").
    expect([303, 400], `sending "${entry.name}"`).toContain(await postMessage(page, entry.html));
  }
  const stored = await db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select(['messages.id', 'messages.body_html'])
    .where('conversations.application_id', '=', application.id)
    .orderBy('messages.sent_at')
    .orderBy('messages.id')
    .execute();
  expect(stored.length, 'most of the corpus leaves something to send').toBeGreaterThan(hostileHtml.length / 2);

  // The conversation shows its latest page of messages, and earlier ones a link away: every page is checked.
  await page.reload();
  const conversation = new Conversation(page);
  for (let end = stored.length; end > 0; end -= conversationPageSize) {
    await expectNoAxeViolations(page); // a list item outside its list is an axe violation too
    const shown = stored.slice(Math.max(0, end - conversationPageSize), end);
    await expect(conversation.messages).toHaveCount(shown.length);
    const problems = await page.evaluate(
      (messages) => {
        const found: string[] = [];
        const list = document.querySelector('ol.parley-message-list');
        if (!list) return ['no list of messages'];
        const ids = Array.from(list.children, (child) => `${child.tagName.toLowerCase()}#${child.id}`);
        const expected = messages.map((message) => `li#message-${message.id}`);
        if (JSON.stringify(ids) !== JSON.stringify(expected)) {
          found.push(`the list holds ${ids.join(' ')}; stored: ${expected.join(' ')}`);
        }
        for (const message of messages) {
          const item = document.getElementById(`message-${message.id}`);
          if (item?.parentElement !== list) {
            found.push(`message ${message.id} is not an item of the list`);
            continue;
          }
          const bodies = item.querySelectorAll('.parley-message__body');
          if (bodies.length !== 1) found.push(`message ${message.id} holds ${String(bodies.length)} bodies`);
          // The body as parsed on its own (inert, in a template) must be exactly what the page shows in the message.
          const alone = document.createElement('template');
          alone.innerHTML = message.html;
          const shown = bodies[0]?.innerHTML;
          if (shown !== alone.innerHTML)
            found.push(`message ${message.id} shows ${String(shown)}, stored ${alone.innerHTML}`);
        }
        for (const element of document.querySelectorAll('strong')) {
          if (element.textContent.includes('Ben Hughes') && !element.closest('.parley-message__body'))
            found.push('a sender line from a message body is outside the body');
        }
        return found;
      },
      shown.map((message) => ({ id: message.id, html: message.body_html })),
    );
    expect(problems).toEqual([]);
    if (end > conversationPageSize)
      await clickAndLoad(conversation.section.getByRole('link', { name: 'Show earlier messages' }));
  }
});

test('a refused message comes back to the editor as sanitised HTML, and as words when it cannot be sent', async ({
  page,
  scene,
  db,
}) => {
  test.setTimeout(120_000); // three people's worth of page loads and scans, as in messaging.spec.ts
  const { staff, jobseeker, application } = await scene('submitted');
  const conversation = new Conversation(page);
  await signInTo(page, `/staff/applications/${application.id}`, staff.email);
  await conversation.messageBox('Send a message to the applicant').click();
  await conversation.type('Dear Sam');
  // More than the editor would ever send (a hostile client, or a bug in the editor): it must not come back as it is.
  const hostileBody =
    '<p onclick="window.pwned = 1" style="color: red">Dear Sam,</p><img src="https://evil.example/pixel.png">' +
    '<style>body { display: none }</style><base href="https://evil.example/"><li>stray item</li>' +
    '<div>See <a href="javascript:window.pwned = 1">this</a> and <a href="https://ok.example/">that</a></div>';
  await page.locator('input[type="hidden"][name="body"]').evaluate((input: HTMLInputElement, body) => {
    input.value = body;
  }, hostileBody);
  await conversation.attach({ name: 'cv.pdf', mimeType: 'application/pdf', buffer: htmlFile() });
  await conversation.send();
  await expectNoAxeViolations(page);
  await expect(page).toHaveTitle(/^Error: /);
  await expect(conversation.editor).toContainText('Dear Sam,');
  await expect(conversation.editor).toContainText('stray item');
  await expect(conversation.editor.locator('img, style, base, [style], [onclick]')).toHaveCount(0);
  await expect(conversation.editor.getByRole('link')).toHaveCount(1);
  await expect(conversation.editor.getByRole('link', { name: 'that' })).toHaveAttribute('href', 'https://ok.example/');

  // The applicant withdraws before it is sent: the words come back read-only, as text, not as the editor's markup.
  await withdrawApplication(db, application.id, jobseeker.id);
  await conversation.send();
  await expectNoAxeViolations(page);
  await expect(conversation.notAllowed).toHaveText(
    'You cannot send a message because the applicant withdrew their application. The conversation stays here as a record.',
  );
  const unsent = conversation.section.getByRole('textbox', { name: 'Your message, not sent' });
  await expect(unsent).toHaveValue(/^Dear Sam,\n\n- stray item\n\nSee this and that$/);
  expect(await page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned)).toBeUndefined();
});
