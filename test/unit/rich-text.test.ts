import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Parser } from 'htmlparser2';
import {
  htmlToPlainText,
  messageTextLimit,
  plainTextToHtml,
  prepareMessageBody,
  sanitiseMessageHtml,
} from '../../src/messaging/rich-text.ts';
import { hostileHtml } from '../fixtures/hostile-html.ts';

const allowedElements = new Set(['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a']);

/**
 * Everything wrong with `html` as message output, checked independently of the sanitiser:
 * once by re-parsing it with htmlparser2, and once by reading its tags as plain strings.
 */
function problemsWith(html: string): string[] {
  const problems: string[] = [];

  const parser = new Parser(
    {
      onopentag(name) {
        if (!allowedElements.has(name)) problems.push(`element <${name}>`);
      },
      onattribute(name, value) {
        // The parser has already decoded entities, as a browser would.
        if (name === 'rel') {
          if (value !== 'noopener noreferrer') problems.push(`rel="${value}"`);
        } else if (name === 'href') {
          if (!isSafeHref(value)) problems.push(`href="${value}"`);
        } else {
          problems.push(`attribute ${name}`);
        }
      },
      oncomment(data) {
        problems.push(`comment ${data}`);
      },
      oncdatastart() {
        problems.push('CDATA');
      },
      onprocessinginstruction(name) {
        problems.push(`processing instruction ${name}`);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();

  // The same check on the raw string: each tag must be one of a few exact spellings, and
  // no `<` or `>` may appear outside a tag.
  const tagPatterns = [
    /^<(p|strong|em|ul|ol|li)>$/,
    /^<\/(p|strong|em|ul|ol|li|a)>$/,
    /^<br \/>$/,
    /^<a href="[^"<>]*" rel="noopener noreferrer">$/,
  ];
  for (const token of html.split(/(<[^>]*>)/)) {
    if (token.startsWith('<') && token.endsWith('>')) {
      if (!tagPatterns.some((pattern) => pattern.test(token))) problems.push(`tag ${token}`);
      if (/\son[a-z]*\s*=/i.test(token)) problems.push(`event handler in ${token}`);
    } else if (/[<>]/.test(token)) {
      problems.push(`unescaped angle bracket in text ${JSON.stringify(token)}`);
    }
  }
  return problems;
}

/**
 * Everything wrong with the structure of `html`, as a browser would meet it: an element the HTML parser would close
 * or move (a list item outside a list, a list inside a paragraph, a link inside a link), or one left for the parser
 * to close. Well-formed output is the same tree wherever it is placed, so a body cannot leave its message.
 */
function structureProblemsWith(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = ['body'];
  const holdsBlocks = new Set(['body', 'li']);
  const parser = new Parser({
    onopentag(name) {
      const parent = stack.at(-1) ?? 'body';
      if (name === 'li' && parent !== 'ul' && parent !== 'ol') problems.push(`<li> in <${parent}>`);
      if (['p', 'ul', 'ol'].includes(name) && !holdsBlocks.has(parent)) problems.push(`<${name}> in <${parent}>`);
      if (['br', 'strong', 'em', 'a'].includes(name) && (parent === 'ul' || parent === 'ol'))
        problems.push(`<${name}> in <${parent}>`);
      if (name === 'a' && stack.includes('a')) problems.push('<a> in <a>');
      if (name !== 'br') stack.push(name);
    },
    ontext(text) {
      const parent = stack.at(-1);
      if ((parent === 'ul' || parent === 'ol') && !/^[ \t\n\f\r]*$/.test(text)) problems.push(`text in <${parent}>`);
    },
    onclosetag(name, isImplied) {
      if (name === 'br') return;
      if (isImplied) problems.push(`<${name}> left for the parser to close`);
      stack.pop();
    },
  });
  parser.write(html);
  parser.end();
  return problems;
}

function isSafeHref(href: string): boolean {
  // Two ways: what a browser's URL parser makes of it, and a blunt look at how it starts
  // once anything a browser would ignore (spaces, control characters) is removed.
  if (!URL.canParse(href)) return false;
  if (!['http:', 'https:', 'mailto:'].includes(new URL(href).protocol)) return false;
  const squashed = Array.from(href)
    .filter((c) => c.charCodeAt(0) > 0x20 && c !== '\u007f')
    .join('')
    .toLowerCase();
  return /^(https?:\/\/[^/\\]|mailto:)/.test(squashed);
}

describe('sanitiseMessageHtml: hostile input', () => {
  test('the corpus is big enough and its names are unique', () => {
    assert.ok(hostileHtml.length >= 110, `only ${String(hostileHtml.length)} entries`);
    assert.equal(new Set(hostileHtml.map((entry) => entry.name)).size, hostileHtml.length);
  });

  test('the independent checker does catch bad output', () => {
    assert.deepEqual(problemsWith('<p>fine <a href="https://example.com/" rel="noopener noreferrer">ok</a></p>'), []);
    assert.ok(problemsWith('<img src=x onerror=alert(1)>').length > 0);
    assert.ok(problemsWith('<a href="javascript:alert(1)" rel="noopener noreferrer">x</a>').length > 0);
    assert.ok(problemsWith('<a href="&#106;avascript:alert(1)" rel="noopener noreferrer">x</a>').length > 0);
    assert.ok(problemsWith('<a href="//evil.example" rel="noopener noreferrer">x</a>').length > 0);
    assert.ok(problemsWith('<p title="x">x</p>').length > 0);
    assert.ok(problemsWith('<!-- x -->').length > 0);
    assert.ok(problemsWith('a > b').length > 0);
    assert.deepEqual(
      structureProblemsWith('<p>a<br />b</p><ul><li>c<ol><li><strong>d</strong></li></ol></li></ul>'),
      [],
    );
    for (const broken of [
      '<p>a</p><li>b</li>',
      '<p>a<ul><li>b</li></ul></p>',
      '<strong><p>a</p></strong>',
      '<ul>a<li>b</li></ul>',
      '<ul><strong>a</strong></ul>',
      '<a href="https://a.example/"><a href="https://b.example/">x</a></a>',
      '<ul><li>a<li>b</ul>',
      '<p>unclosed',
    ]) {
      assert.ok(structureProblemsWith(broken).length > 0, broken);
    }
  });

  for (const { name, html } of hostileHtml) {
    test(name, () => {
      const output = sanitiseMessageHtml(html);
      assert.deepEqual(problemsWith(output), [], `output: ${output}`);
      assert.deepEqual(structureProblemsWith(output), [], `output: ${output}`);
      assert.equal(sanitiseMessageHtml(output), output, 'sanitising again changes nothing');
      assert.equal(typeof htmlToPlainText(html), 'string');
    });
  }
});

describe('sanitiseMessageHtml: random mixtures', () => {
  // Splice corpus entries and loose bits of markup together, with a fixed seed so a failure
  // can be reproduced. Catches problems that only show up when tricks are combined.
  const pieces = [
    ...hostileHtml.map((entry) => entry.html),
    ...['<p>', '</p>', '<ul>', '<li>', '</li>', '<ol>', '<b>', '</em>', '<br>', '<div>', '</div>', '<td>'],
    ...['</ul>', '</ol>', '<tr>', '<option>', '<form>', '</form>', '<a href="https://y.example">', '<strong>'],
    ...['<a href="https://x.example">', '</a>', '<', '>', '"', "'", '=', '/', '&', '&amp;', '<!--', '-->', 'text', ' '],
  ];
  test('2,000 mixtures all come out clean and stable', () => {
    let seed = 20_240_901;
    const random = (below: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor((seed / 2_147_483_648) * below);
    };
    for (let i = 0; i < 2_000; i += 1) {
      let html = '';
      for (let j = random(10); j >= 0; j -= 1) html += pieces[random(pieces.length)] ?? '';
      const output = sanitiseMessageHtml(html);
      assert.deepEqual(problemsWith(output), [], `input: ${html}\noutput: ${output}`);
      assert.deepEqual(structureProblemsWith(output), [], `input: ${html}\noutput: ${output}`);
      assert.equal(sanitiseMessageHtml(output), output, `input: ${html}`);
    }
  });
});

describe('sanitiseMessageHtml: ordinary formatting', () => {
  test('keeps paragraphs, bold, italic, lists and line breaks', () => {
    const html =
      '<p><strong>Good news</strong> and <em>next steps</em><br>see below</p><ul><li>one</li></ul><ol><li>two</li></ol>';
    assert.equal(
      sanitiseMessageHtml(html),
      '<p><strong>Good news</strong> and <em>next steps</em><br />see below</p><ul><li>one</li></ul><ol><li>two</li></ol>',
    );
  });

  test('turns <b> into <strong> and <i> into <em>', () => {
    assert.equal(
      sanitiseMessageHtml('<b>bold</b> <i>italic</i> <B>loud</B>'),
      '<strong>bold</strong> <em>italic</em> <strong>loud</strong>',
    );
  });

  test('keeps http, https and mailto links with rel="noopener noreferrer" and nothing else', () => {
    assert.equal(
      sanitiseMessageHtml('<a href="https://example.com/jobs" target="_blank" title="t" class="c">jobs</a>'),
      '<a href="https://example.com/jobs" rel="noopener noreferrer">jobs</a>',
    );
    assert.equal(
      sanitiseMessageHtml('<a href="http://example.com/">x</a>'),
      '<a href="http://example.com/" rel="noopener noreferrer">x</a>',
    );
    assert.equal(
      sanitiseMessageHtml('<a href="mailto:office@school.example">email us</a>'),
      '<a href="mailto:office@school.example" rel="noopener noreferrer">email us</a>',
    );
    assert.equal(
      sanitiseMessageHtml('<a href="https://example.com/?a=1&amp;b=2">x</a>'),
      '<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer">x</a>',
    );
  });

  test('unwraps links it will not keep, keeping their words', () => {
    assert.equal(sanitiseMessageHtml('<p><a href="javascript:alert(1)">click</a> here</p>'), '<p>click here</p>');
    assert.equal(sanitiseMessageHtml('<a href="/relative">relative</a>'), 'relative');
    assert.equal(sanitiseMessageHtml('<a href="//evil.example">protocol-relative</a>'), 'protocol-relative');
    assert.equal(sanitiseMessageHtml('<a name="anchor">no href</a>'), 'no href');
  });

  test('drops unknown tags but keeps their words; blocks become paragraphs', () => {
    assert.equal(sanitiseMessageHtml('<span>a</span> <u>b</u> <code>c</code>'), 'a b c');
    assert.equal(sanitiseMessageHtml('first<div>second</div><h2>third</h2>'), 'first<p>second</p><p>third</p>');
    assert.equal(sanitiseMessageHtml('<div><div>nested</div>after</div>'), '<p>nested</p>after');
  });

  test('removes scripts, styles, embedded documents and foreign markup along with their contents', () => {
    assert.equal(
      sanitiseMessageHtml(
        'a<script>evil()</script>b<style>p{}</style>c<iframe>frame</iframe>d<svg><text>svg</text></svg>e<math><mi>x</mi></math>f',
      ),
      'abcdef',
    );
  });

  test('removes empty paragraphs, list items and formatting', () => {
    assert.equal(
      sanitiseMessageHtml('<p>Hello</p><p><br></p><p>&nbsp;</p><p> </p><p>Bye</p>'),
      '<p>Hello</p><p>Bye</p>',
    );
    assert.equal(sanitiseMessageHtml('<ul><li></li><li><br></li></ul><strong></strong>'), '');
    assert.equal(sanitiseMessageHtml('a<strong> </strong>b'), 'a b');
  });

  test('drops elements nested more than 20 deep, keeping their words', () => {
    const output = sanitiseMessageHtml(`${'<em>'.repeat(30)}deep${'</em>'.repeat(30)}`);
    assert.equal(output, `${'<em>'.repeat(20)}deep${'</em>'.repeat(20)}`);
  });

  test('keeps escaped text escaped', () => {
    assert.equal(sanitiseMessageHtml('<p>5 &lt; 6 &amp;&amp; 7 &gt; 6</p>'), '<p>5 &lt; 6 &amp;&amp; 7 &gt; 6</p>');
    assert.equal(sanitiseMessageHtml('Fish & chips'), 'Fish &amp; chips');
  });
});

describe('sanitiseMessageHtml: structure', () => {
  test('a stray list item becomes a list of its own, inside the message', () => {
    assert.equal(
      sanitiseMessageHtml(
        '<p>Orphan test</p><li><strong>Ben Hughes, Oakfield Primary School</strong> Please reply</li><p>tail</p>',
      ),
      '<p>Orphan test</p><ul><li><strong>Ben Hughes, Oakfield Primary School</strong> Please reply</li></ul><p>tail</p>',
    );
    assert.equal(sanitiseMessageHtml('<li>a</li>\n<li>b</li>'), '<ul><li>a</li>\n<li>b</li></ul>');
  });

  test('blocks move out of paragraphs, formatting and links, splitting them', () => {
    assert.equal(sanitiseMessageHtml('<p>a<li>b</li>c</p>'), '<p>a</p><ul><li>b</li></ul><p>c</p>');
    assert.equal(
      sanitiseMessageHtml('<strong>a<ul><li>b</li></ul>c</strong>'),
      '<strong>a</strong><ul><li>b</li></ul><strong>c</strong>',
    );
    assert.equal(
      sanitiseMessageHtml('<a href="https://x.example/"><p>words</p></a>'),
      '<p><a href="https://x.example/" rel="noopener noreferrer">words</a></p>',
    );
  });

  test('a list item in a list item becomes the next item; a link in a link ends the first', () => {
    assert.equal(
      sanitiseMessageHtml('<ul><li>a<em><li>b</li></em>c</li></ul>'),
      '<ul><li>a</li><li>b</li><li>c</li></ul>',
    );
    assert.equal(
      sanitiseMessageHtml('<a href="https://x.example/">1<a href="https://y.example/">2</a>3</a>'),
      '<a href="https://x.example/" rel="noopener noreferrer">1</a><a href="https://y.example/" rel="noopener noreferrer">2</a>3',
    );
  });

  test('what is not a list item moves out of its list', () => {
    assert.equal(sanitiseMessageHtml('<ul>stray<li>a</li></ul>'), 'stray<ul><li>a</li></ul>');
    assert.equal(
      sanitiseMessageHtml('<ul><li>a</li><p>b</p><li>c</li></ul>'),
      '<ul><li>a</li></ul><p>b</p><ul><li>c</li></ul>',
    );
    assert.equal(
      sanitiseMessageHtml('<ul><li>a<ul>b<li>c</li></ul></li></ul>'),
      '<ul><li>ab<ul><li>c</li></ul></li></ul>',
    );
  });

  test('tables, options and forms are taken apart, keeping their words', () => {
    assert.equal(sanitiseMessageHtml('<p>a</p><tr><td>cell</td></tr>'), '<p>a</p><p>cell</p>');
    assert.equal(sanitiseMessageHtml('<form><p>a</p><form><p>b</p></form></form>'), '<p>a</p><p>b</p>');
    assert.equal(sanitiseMessageHtml('<p>a</p><option>b</option>'), '<p>a</p>');
  });

  test('lists deeper than the nesting limit become their words', () => {
    const output = sanitiseMessageHtml(`${'<ul><li>'.repeat(12)}deep`);
    assert.deepEqual(structureProblemsWith(output), []);
    assert.equal(sanitiseMessageHtml(output), output);
    assert.ok(output.includes('deep'));
  });
});

describe('plainTextToHtml', () => {
  test('blank lines make paragraphs and single newlines make line breaks', () => {
    assert.equal(
      plainTextToHtml('Dear Sam,\n\nThanks for applying.\nWe will be in touch.\r\n\r\n\r\nBest wishes'),
      '<p>Dear Sam,</p><p>Thanks for applying.<br />We will be in touch.</p><p>Best wishes</p>',
    );
  });

  test('lines starting "- " or "* " make a bulleted list', () => {
    assert.equal(
      plainTextToHtml('Please bring:\n- your passport\n* a utility bill\nThanks'),
      '<p>Please bring:</p><ul><li>your passport</li><li>a utility bill</li></ul><p>Thanks</p>',
    );
    assert.equal(plainTextToHtml('-not a bullet\n*nor this'), '<p>-not a bullet<br />*nor this</p>');
  });

  test('escapes HTML so it shows as typed', () => {
    assert.equal(
      plainTextToHtml('<script>alert("hi")</script> & <b>bold</b>'),
      '<p>&lt;script&gt;alert("hi")&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>',
    );
  });

  test('turns web and email addresses into links', () => {
    assert.equal(
      plainTextToHtml('See https://example.com/jobs?id=1&x=2.'),
      '<p>See <a href="https://example.com/jobs?id=1&amp;x=2" rel="noopener noreferrer">https://example.com/jobs?id=1&amp;x=2</a>.</p>',
    );
    assert.equal(
      plainTextToHtml('Visit www.gov.uk, or http://example.org'),
      '<p>Visit <a href="https://www.gov.uk/" rel="noopener noreferrer">www.gov.uk</a>, or <a href="http://example.org/" rel="noopener noreferrer">http://example.org</a></p>',
    );
    assert.equal(
      plainTextToHtml('Email office@school.example.'),
      '<p>Email <a href="mailto:office@school.example" rel="noopener noreferrer">office@school.example</a>.</p>',
    );
    assert.equal(
      plainTextToHtml('(see https://en.wikipedia.org/wiki/Foo_(bar))'),
      '<p>(see <a href="https://en.wikipedia.org/wiki/Foo_(bar)" rel="noopener noreferrer">https://en.wikipedia.org/wiki/Foo_(bar)</a>)</p>',
    );
    assert.equal(
      plainTextToHtml('WWW.EXAMPLE.COM or mailto:office@school.example'),
      '<p><a href="https://www.example.com/" rel="noopener noreferrer">WWW.EXAMPLE.COM</a> or <a href="mailto:office@school.example" rel="noopener noreferrer">mailto:office@school.example</a></p>',
    );
    assert.equal(
      plainTextToHtml('- item at www.example.com'),
      '<ul><li>item at <a href="https://www.example.com/" rel="noopener noreferrer">www.example.com</a></li></ul>',
    );
  });

  test('does not link other schemes or half addresses', () => {
    assert.equal(
      plainTextToHtml('javascript:alert(1) ftp://x.example http:// name@host'),
      '<p>javascript:alert(1) ftp://x.example http:// name@host</p>',
    );
    assert.equal(plainTextToHtml('example.com, notes.md and report.pl'), '<p>example.com, notes.md and report.pl</p>');
    assert.equal(plainTextToHtml('//evil.example and ftp://x.example'), '<p>//evil.example and ftp://x.example</p>');
    // linkify-it needs a known top-level domain after www. (".example" is reserved, never a real site).
    assert.equal(plainTextToHtml('www.school.example'), '<p>www.school.example</p>');
  });

  test('quotes and angle brackets in an address stay harmless', () => {
    // linkify-it keeps a quote inside an address; the URL parser then encodes it, and the text is escaped.
    assert.equal(
      plainTextToHtml('https://x.example/"onmouseover="alert(1)'),
      '<p><a href="https://x.example/%22onmouseover=%22alert(1)" rel="noopener noreferrer">https://x.example/"onmouseover="alert(1)</a></p>',
    );
    assert.equal(
      plainTextToHtml('https://x.example/"><img src=x>'),
      '<p><a href="https://x.example/" rel="noopener noreferrer">https://x.example/</a>"&gt;&lt;img src=x&gt;</p>',
    );
  });

  test('returns nothing for blank text, and its output is already sanitised', () => {
    assert.equal(plainTextToHtml(''), '');
    assert.equal(plainTextToHtml(' \n\t\n '), '');
    const html = plainTextToHtml('a <i>b</i>\n\n- www.example.com\n- c@d.example');
    assert.equal(sanitiseMessageHtml(html), html);
    assert.deepEqual(problemsWith(html), []);
  });
});

describe('htmlToPlainText', () => {
  test('separates paragraphs with a blank line and keeps line breaks', () => {
    assert.equal(htmlToPlainText('<p>Dear Sam,</p><p>Thanks.<br>More soon.</p>'), 'Dear Sam,\n\nThanks.\nMore soon.');
  });

  test('puts list items on their own lines', () => {
    assert.equal(
      htmlToPlainText(
        '<p>Bring:</p><ul><li>passport</li><li><strong>bill</strong></li></ul><ol><li>first</li><li>second</li></ol><p>End</p>',
      ),
      'Bring:\n\n- passport\n- bill\n\n1. first\n2. second\n\nEnd',
    );
    assert.equal(htmlToPlainText('<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>'), '- a\n  - b\n- c');
    // Words that are not in an item move out of the list (rich-text-structure.ts): after it, as a paragraph would be.
    assert.equal(htmlToPlainText('<ul><li>a</li>stray</ul>'), '- a\n\nstray');
  });

  test('decodes entities and collapses whitespace', () => {
    assert.equal(htmlToPlainText('<p>Fish &amp; chips &lt;3&nbsp;&nbsp;today</p>'), 'Fish & chips <3 today');
    assert.equal(
      htmlToPlainText('<p>\n   spread\n   over   lines\n</p>\n\n<p>  next </p>'),
      'spread over lines\n\nnext',
    );
    assert.equal(htmlToPlainText('<strong>a</strong> <em>b</em><a href="https://x.example">c</a>'), 'a bc');
  });

  test('leaves out what the sanitiser removes', () => {
    assert.equal(htmlToPlainText('Hi<script>alert(1)</script><style>p{}</style> there'), 'Hi there');
  });

  test('round-trips what someone typed', () => {
    const typed = 'Dear Sam,\n\nThanks for applying.\nSee www.example.com\n\n- one\n- two\n\nBest wishes';
    assert.equal(htmlToPlainText(plainTextToHtml(typed)), typed);
  });
});

describe('prepareMessageBody', () => {
  test('formats both kinds of body and returns html and text', () => {
    assert.deepEqual(prepareMessageBody({ format: 'html', body: '<p><b>Hello</b></p><p><br></p>' }), {
      ok: true,
      html: '<p><strong>Hello</strong></p>',
      text: 'Hello',
    });
    assert.deepEqual(prepareMessageBody({ format: 'text', body: 'Hello\n\n- a <b>' }), {
      ok: true,
      html: '<p>Hello</p><ul><li>a &lt;b&gt;</li></ul>',
      text: 'Hello\n\n- a <b>',
    });
  });

  test('refuses an empty message', () => {
    for (const body of [
      '',
      '   ',
      '\n\n',
      '<p><br></p>',
      '<p>&nbsp;</p>',
      '<p></p><ul><li> </li></ul>',
      '<script>x()</script>',
      '<img src=x>',
    ]) {
      assert.deepEqual(prepareMessageBody({ format: 'html', body }), { ok: false, error: 'Enter a message' }, body);
    }
    for (const body of ['', '  \n \t\n ']) {
      assert.deepEqual(prepareMessageBody({ format: 'text', body }), { ok: false, error: 'Enter a message' });
    }
  });

  test('allows exactly 10,000 characters and refuses one more', () => {
    assert.equal(messageTextLimit, 10_000);
    const tooLong = { ok: false, error: 'Message must be 10,000 characters or fewer' };
    for (const format of ['html', 'text'] as const) {
      const atLimit = prepareMessageBody({ format, body: 'x'.repeat(10_000) });
      assert.equal(atLimit.ok, true);
      assert.equal(atLimit.text.length, 10_000);
      assert.deepEqual(prepareMessageBody({ format, body: 'x'.repeat(10_001) }), tooLong);
    }
  });

  test('counts the plain text, not the markup', () => {
    const body = `<p><strong>${'x'.repeat(5_000)}</strong></p><p><a href="https://example.com/${'y'.repeat(500)}">${'z'.repeat(4_998)}</a></p>`;
    const result = prepareMessageBody({ format: 'html', body });
    assert.equal(result.ok && result.text.length, 10_000); // 5,000 + blank line + 4,998
    assert.equal(prepareMessageBody({ format: 'html', body: `<p>${'x'.repeat(9_999)}</p><p>x</p>` }).ok, false);
    assert.equal(prepareMessageBody({ format: 'html', body: `<p>${'&amp;'.repeat(10_000)}</p>` }).ok, true);
  });

  test('counts characters, not UTF-16 code units', () => {
    assert.equal(prepareMessageBody({ format: 'text', body: '👋'.repeat(10_000) }).ok, true);
    assert.equal(prepareMessageBody({ format: 'text', body: '👋'.repeat(10_001) }).ok, false);
  });

  test('refuses a huge body before parsing it', () => {
    assert.deepEqual(prepareMessageBody({ format: 'html', body: '<p></p>'.repeat(20_000) }), {
      ok: false,
      error: 'Message must be 10,000 characters or fewer',
    });
  });
});

describe('light markup in the plain textarea (issue 11: bold and italics without JavaScript)', () => {
  const cases: [string, string][] = [
    [
      'Please bring **two forms of ID** to the interview',
      '<p>Please bring <strong>two forms of ID</strong> to the interview</p>',
    ],
    ['It is _really_ important', '<p>It is <em>really</em> important</p>'],
    ['**Bold** and _italic_ together', '<p><strong>Bold</strong> and <em>italic</em> together</p>'],
    ['a file_name_here stays', '<p>a file_name_here stays</p>'],
    ['2 ** 3 is not bold', '<p>2 ** 3 is not bold</p>'],
    ['- **first** item', '<ul><li><strong>first</strong> item</li></ul>'],
    [
      'See https://example.com/a_b_c and _this_',
      '<p>See <a href="https://example.com/a_b_c" rel="noopener noreferrer">https://example.com/a_b_c</a> and <em>this</em></p>',
    ],
    ['**<script>alert(1)</script>**', '<p><strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong></p>'],
  ];
  for (const [typed, expected] of cases) {
    test(JSON.stringify(typed), () => {
      assert.equal(plainTextToHtml(typed), expected);
    });
  }
});
