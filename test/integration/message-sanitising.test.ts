import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { DomUtils, ElementType, parseDocument } from 'htmlparser2';
import type { LightMyRequestResponse } from 'fastify';
import { testApp, testContainer } from '../support/context.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
} from '../support/factories.ts';
import { signedInClient, type TestClient } from '../support/http.ts';
import { hostileHtml, type HostileHtml } from '../fixtures/hostile-html.ts';
import { html as htmlFile } from '../support/sample-files.ts';
import { htmlToPlainText, sanitiseMessageHtml } from '../../src/messaging/rich-text.ts';

/**
 * Every hostile input of the fixture goes through the real send route, as the rich-text editor would send it
 * (format=html), and a few as typed text. Then both the stored body_html and the rendered application pages are
 * parsed and walked: message bodies may hold only p, br, strong, em, ul, ol, li and a elements, with only href and
 * rel attributes, and links only to http, https and mailto. Inputs that sanitise to nothing are refused with "Enter
 * a message"; the page that says so must echo the input back as inert text.
 */
const container = testContainer();
const app = await testApp(container);
const db = container.db;

const school = await createOrganisation(db);
const staff = await createStaff(db, [school.id], 'Amara Okafor');
const jobseeker = await createJobseeker(db, 'Sam Taylor');

/** Interviewing: both sides may write, and every page has the same forms (so element counts compare). */
async function newApplication(): Promise<string> {
  const vacancy = await createVacancy(db, school.id, { createdBy: staff.id });
  return (await createApplication(db, { vacancyId: vacancy.id, jobseeker, status: 'interviewing', staffId: staff.id }))
    .id;
}

type Side = 'staff' | 'jobseeker';
const pageUrl = (side: Side, applicationId: string): string =>
  side === 'staff' ? `/staff/applications/${applicationId}` : `/applications/${applicationId}`;

const clients: Record<Side, TestClient> = {
  staff: await signedInClient(app, staff.email),
  jobseeker: await signedInClient(app, jobseeker.email),
};

// ---------------------------------------------------------------------------------------------
// What a message body may contain

type Node = ReturnType<typeof parseDocument>['children'][number];
type Element = ReturnType<typeof DomUtils.findAll>[number];

const allowedElements = new Set(['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a']);
const allowedProtocols = new Set(['http:', 'https:', 'mailto:']);

/** Every way the nodes break the allow-list, described; empty when they are safe. */
function problemsIn(nodes: readonly Node[], where: string): string[] {
  const problems: string[] = [];
  for (const node of nodes) {
    if (node.type === ElementType.Text) continue;
    if (!(ElementType.isTag(node) && 'attribs' in node)) {
      problems.push(`${where}: a ${node.type} node`);
      continue;
    }
    const here = `${where} > ${node.name}`;
    if (!allowedElements.has(node.name)) problems.push(`${here}: element not allowed`);
    for (const [name, value] of Object.entries(node.attribs)) {
      if (node.name !== 'a' || (name !== 'href' && name !== 'rel')) {
        problems.push(`${here}: attribute ${name}="${value}"`);
      } else if (name === 'href') {
        if (!URL.canParse(value) || !allowedProtocols.has(new URL(value).protocol))
          problems.push(`${here}: href "${value}"`);
      } else if (value !== 'noopener noreferrer') {
        problems.push(`${here}: rel "${value}"`);
      }
    }
    if (node.name === 'a' && node.attribs.href === undefined) problems.push(`${here}: a link without href`);
    problems.push(...problemsIn(node.children, here));
  }
  return problems;
}

/** The same rules, checked on the markup as text: a second, independent look at what the browser will get. */
function markupProblems(html: string, where: string): string[] {
  const problems: string[] = [];
  if (/<script/i.test(html)) problems.push(`${where}: <script`);
  const banned =
    /<\/?\s*(style|iframe|frame|svg|math|object|embed|form|base|meta|link|img|template|noscript|textarea|input|button)\b/i.exec(
      html,
    );
  if (banned) problems.push(`${where}: <${banned[1]}>`);
  for (const [tag] of html.matchAll(/<[^>]*>/g)) {
    if (/[\s/"']on\w+\s*=/i.test(tag)) problems.push(`${where}: event handler in ${tag}`);
    if (/\bstyle\s*=/i.test(tag)) problems.push(`${where}: style attribute in ${tag}`);
    if (/href\s*=\s*["']?\s*(javascript|data|vbscript):/i.test(tag))
      problems.push(`${where}: dangerous href in ${tag}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The page as a whole

const riskyElements = [
  'script',
  'style',
  'iframe',
  'frame',
  'object',
  'embed',
  'form',
  'base',
  'meta',
  'link',
  'svg',
  'math',
  'img',
  'template',
  'noscript',
  'textarea',
  'input',
  'button',
  'select',
  'video',
  'audio',
];

/** How many of each risky element the page has: messages and echoed input must not add any. */
function riskyElementCounts(page: string): Record<string, number> {
  const all = DomUtils.findAll(() => true, parseDocument(page).children);
  return Object.fromEntries(riskyElements.map((name) => [name, all.filter((element) => element.name === name).length]));
}

/** Anything on the whole page that runs script: event handler attributes and script-scheme URLs. */
function pageWideProblems(page: string): string[] {
  const problems: string[] = [];
  for (const element of DomUtils.findAll(() => true, parseDocument(page).children)) {
    for (const [name, value] of Object.entries(element.attribs)) {
      if (/^on/i.test(name)) problems.push(`<${element.name} ${name}="${value}">`);
      if (
        /^(href|src|action|formaction|xlink:href|poster|data|srcdoc)$/i.test(name) &&
        /^\s*(javascript|data|vbscript):/i.test(value)
      ) {
        problems.push(`<${element.name} ${name}="${value}">`);
      }
    }
  }
  return problems;
}

const hasClass = (element: Element, name: string): boolean => (element.attribs.class ?? '').split(/\s+/).includes(name);

function messageBodies(page: string): Element[] {
  return DomUtils.findAll(
    (element) => element.name === 'div' && hasClass(element, 'parley-message__body'),
    parseDocument(page).children,
  );
}

function errorSummaryOf(page: string): { text: string; href: string | undefined }[] {
  const [summary] = DomUtils.findAll(
    (element) => hasClass(element, 'govuk-error-summary'),
    parseDocument(page).children,
  );
  if (!summary) return [];
  return DomUtils.findAll((element) => element.name === 'a', summary.children).map((link) => ({
    text: DomUtils.textContent(link).trim(),
    href: link.attribs.href,
  }));
}

/** A form field as the app receives it: the browser sends every line break as CR LF; the app drops NUL characters. */
const asReceived = (text: string): string => text.replace(/\r\n|\r|\n/g, '\r\n').replaceAll('\u0000', '');

const textOf = (nodes: Node | Node[]): string => DomUtils.textContent(nodes).replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------------------------------------

interface Batch {
  title: string;
  sender: Side;
  format: 'html' | 'text';
  entries: HostileHtml[];
}

const batchSize = 30;
const batches: Batch[] = [];
for (let start = 0; start < hostileHtml.length; start += batchSize) {
  batches.push({
    title: `rich text ${start + 1}–${Math.min(start + batchSize, hostileHtml.length)} of ${hostileHtml.length}, sent by staff`,
    sender: 'staff',
    format: 'html',
    entries: hostileHtml.slice(start, start + batchSize),
  });
}
batches.push({
  title: 'typed as plain text, sent by the applicant',
  sender: 'jobseeker',
  format: 'text',
  entries: hostileHtml.filter((_, index) => index % 16 === 0),
});

test('the checks below catch what they look for', () => {
  const unsafe = [
    '<p onclick="alert(1)">x</p>',
    '<script>alert(1)</script>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html,x" rel="noopener noreferrer">x</a>',
    '<p style="color:red">x</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg><a href="https://ok.example">x</a></svg>',
    '<p><!-- a comment --></p>',
    '<a href="https://ok.example" rel="noopener noreferrer" target="_blank">x</a>',
  ];
  for (const html of unsafe) {
    assert.notDeepEqual(problemsIn(parseDocument(html).children, 'sample'), [], html);
  }
  for (const html of unsafe.slice(0, 6)) assert.notDeepEqual(markupProblems(html, 'sample'), [], html);
  assert.deepEqual(pageWideProblems('<p>Fine</p>'), []);
  assert.notDeepEqual(pageWideProblems('<button onclick="alert(1)">x</button>'), []);
  assert.notDeepEqual(pageWideProblems('<a href=" javascript:alert(1)">x</a>'), []);
  const safe =
    '<p>Hello <strong>there</strong><br><em>a</em></p><ul><li><a href="https://ok.example/" rel="noopener noreferrer">ok</a></li></ul><ol><li>1</li></ol>';
  assert.deepEqual(problemsIn(parseDocument(safe).children, 'sample'), []);
  assert.deepEqual(markupProblems(safe, 'sample'), []);
});

test('the fixture has every hostile input, with unique names', () => {
  assert.equal(hostileHtml.length, 209);
  assert.equal(new Set(hostileHtml.map((entry) => entry.name)).size, hostileHtml.length);
  assert.equal(
    batches.filter((batch) => batch.format === 'html').reduce((sum, batch) => sum + batch.entries.length, 0),
    209,
  );
});

for (const batch of batches) {
  describe(batch.title, () => {
    const sent = new Map<HostileHtml, { formKey: string; response: LightMyRequestResponse }>();
    const pages = {} as Record<Side, string>;
    /** Each side's page, parsed once: message id -> its list item, with positions in the page's text. */
    const itemsById = {} as Record<Side, Map<string, Element>>;
    /** The risky elements each side's page has before any hostile message: messages must not add any. */
    const baseline = {} as Record<Side, Record<string, number>>;
    let applicationId: string;

    before(async () => {
      applicationId = await newApplication();
      // An ordinary message from each side first, so the page already shows everything a conversation brings.
      for (const side of ['staff', 'jobseeker'] as const) {
        await clients[side].get(pageUrl(side, applicationId));
        const response = await clients[side].postMultipart(`${pageUrl(side, applicationId)}/messages`, {
          formKey: randomUUID(),
          format: 'text',
          body: `Hello from ${side}`,
        });
        assert.equal(response.statusCode, 303);
      }
      for (const side of ['staff', 'jobseeker'] as const) {
        const page = await clients[side].get(pageUrl(side, applicationId));
        assert.deepEqual(pageWideProblems(page.body), [], 'the page is clean before the hostile messages');
        baseline[side] = riskyElementCounts(page.body);
      }
      const client = clients[batch.sender];
      for (const entry of batch.entries) {
        const formKey = randomUUID();
        const response = await client.postMultipart(`${pageUrl(batch.sender, applicationId)}/messages`, {
          formKey,
          format: batch.format,
          body: entry.html,
        });
        sent.set(entry, { formKey, response });
      }
      for (const side of ['staff', 'jobseeker'] as const) {
        const page = await clients[side].get(pageUrl(side, applicationId));
        assert.equal(page.statusCode, 200);
        pages[side] = page.body;
        const document = parseDocument(page.body, { withStartIndices: true, withEndIndices: true });
        const items = DomUtils.findAll(
          (element) => element.name === 'li' && hasClass(element, 'parley-message'),
          document.children,
        );
        itemsById[side] = new Map(items.map((item) => [(item.attribs.id ?? '').replace(/^message-/, ''), item]));
      }
    });

    for (const entry of batch.entries) {
      test(entry.name, async () => {
        const result = sent.get(entry);
        assert.ok(result);
        const { response, formKey } = result;
        const stored = await db
          .selectFrom('messages')
          .select(['id', 'body_html', 'body_text'])
          .where('form_key', '=', formKey)
          .executeTakeFirst();

        if (response.statusCode === 400) {
          // Nothing was left to send: refused, and the message box gets back what the sanitiser kept (nothing).
          assert.equal(batch.format, 'html', 'typed text is never empty after formatting');
          assert.equal(stored, undefined);
          assert.deepEqual(errorSummaryOf(response.body), [{ text: 'Enter a message', href: '#body' }]);
          const [textarea] = DomUtils.findAll(
            (element) => element.name === 'textarea',
            parseDocument(response.body).children,
          );
          assert.ok(textarea);
          assert.equal(DomUtils.textContent(textarea), sanitiseMessageHtml(asReceived(entry.html)));
          assert.deepEqual(riskyElementCounts(response.body), baseline[batch.sender]);
          assert.deepEqual(pageWideProblems(response.body), []);
          return;
        }

        assert.equal(response.statusCode, 303, `sent or refused as empty, not ${response.statusCode}`);
        assert.ok(stored, 'the message was stored');
        assert.deepEqual(problemsIn(parseDocument(stored.body_html).children, 'stored'), []);
        assert.deepEqual(markupProblems(stored.body_html, 'stored'), []);
        if (batch.format === 'text' && entry.html.includes('<')) {
          assert.ok(stored.body_text.includes('<'), 'typed markup is kept as text');
        }

        for (const side of ['staff', 'jobseeker'] as const) {
          const page = pages[side];
          const item = itemsById[side].get(stored.id);
          assert.ok(item, `${side} page shows the message`);
          assert.ok(item.startIndex !== null && item.endIndex !== null);
          // The template puts the stored HTML in the message as it is...
          const rendered = `<div class="govuk-body parley-message__body">${stored.body_html}</div>`;
          assert.ok(
            page.slice(item.startIndex, item.endIndex + 1).includes(rendered),
            `${side} page shows the stored body`,
          );
          // ...and once parsed, the message's body holds exactly that: nothing escaped from it or into it.
          const body = DomUtils.findOne((element) => hasClass(element, 'parley-message__body'), item.children);
          assert.ok(body);
          assert.deepEqual(problemsIn(body.children, `${side} page`), []);
          assert.equal(textOf(body.children), textOf(parseDocument(stored.body_html).children));
          assert.ok(body.startIndex !== null && body.endIndex !== null);
          assert.deepEqual(markupProblems(page.slice(body.startIndex, body.endIndex + 1), `${side} page`), []);
        }
      });
    }

    test('the pages as a whole: no script, handler or embedded document added, every message in its own body', async () => {
      const storedCount = (
        await db
          .selectFrom('messages as m')
          .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
          .select('m.id')
          .where('c.application_id', '=', applicationId)
          .execute()
      ).length;
      assert.ok(storedCount > 0);
      for (const side of ['staff', 'jobseeker'] as const) {
        const page = pages[side];
        assert.deepEqual(pageWideProblems(page), [], side);
        const counts = riskyElementCounts(page);
        assert.deepEqual(counts, baseline[side], side);
        const bodies = messageBodies(page);
        assert.equal(bodies.length, storedCount, `${side}: one body per stored message`);
        for (const body of bodies) {
          const article = DomUtils.getParent(body);
          const item = article && DomUtils.getParent(article);
          assert.ok(article && 'name' in article && article.name === 'article', 'each body sits in its message');
          assert.ok(item && 'name' in item && item.name === 'li' && hasClass(item, 'parley-message'));
          assert.deepEqual(problemsIn(body.children, side), []);
        }
      }
    });
  });
}

describe('a refused message gives back only what would be sent', () => {
  const hostile =
    '<p onclick="alert(1)" style="position:fixed">Dear <img src="https://evil.example/pixel.png">Sam,</p>' +
    '<style>body{display:none}</style><base href="https://evil.example/"><li>stray item</li>' +
    '<div>See <a href="javascript:alert(1)">this</a> and <a href="https://ok.example/">that</a></div>';

  test('refused for a file: the message box holds our sanitised HTML, which the editor then loads', async () => {
    const applicationId = await newApplication();
    const page = await clients.staff.get(pageUrl('staff', applicationId));
    assert.equal(page.statusCode, 200);
    const response = await clients.staff.postMultipart(
      `${pageUrl('staff', applicationId)}/messages`,
      { formKey: randomUUID(), format: 'html', body: hostile },
      [{ fileName: 'cv.pdf', data: htmlFile(), type: 'application/pdf' }],
    );
    assert.equal(response.statusCode, 400);
    const document = parseDocument(response.body);
    const textarea = DomUtils.findOne(
      (element) => element.name === 'textarea' && element.attribs.id === 'body',
      document.children,
    );
    assert.ok(textarea);
    const kept = DomUtils.textContent(textarea);
    assert.equal(kept, sanitiseMessageHtml(hostile));
    assert.equal(
      kept,
      '<p>Dear Sam,</p><ul><li>stray item</li></ul><p>See this and <a href="https://ok.example/" rel="noopener noreferrer">that</a></p>',
    );
    const format = DomUtils.findOne((element) => element.attribs.name === 'format', document.children);
    assert.equal(format?.attribs.value, 'html');
  });

  test('refused because the applicant withdrew: the read-only copy shows the words, not markup', async () => {
    const applicationId = await newApplication();
    const page = await clients.staff.get(pageUrl('staff', applicationId));
    assert.equal(page.statusCode, 200);
    const withdrawn = await container.applications.changeStatus({
      applicationId,
      actorUserId: jobseeker.id,
      actor: 'jobseeker',
      expectedStatus: 'interviewing',
      to: 'withdrawn',
    });
    assert.equal(withdrawn.outcome, 'changed');
    const body = '<div>Hello</div><div><strong>Can you come</strong> on Tuesday?</div>' + hostile;
    const response = await clients.staff.postMultipart(`${pageUrl('staff', applicationId)}/messages`, {
      formKey: randomUUID(),
      format: 'html',
      body,
    });
    assert.equal(response.statusCode, 409);
    const textarea = DomUtils.findOne(
      (element) => element.name === 'textarea' && element.attribs.id === 'body',
      parseDocument(response.body).children,
    );
    assert.ok(textarea);
    assert.equal(textarea.attribs.name, 'unsent');
    const shown = DomUtils.textContent(textarea);
    assert.equal(shown, htmlToPlainText(body));
    assert.ok(shown.startsWith('Hello\n\nCan you come on Tuesday?\n\nDear Sam,'), shown);
    assert.doesNotMatch(shown, /[<>]/);
  });
});
