import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fillPlaceholders,
  missingValuesReason,
  placeholderErrors,
  placeholders,
  placeholdersUsed,
} from '../../src/templates/rules.ts';
import { htmlToTypedText, plainTextToHtml, prepareMessageBody } from '../../src/messaging/rich-text.ts';

const values = {
  candidateName: 'Sam  Taylor-Jones',
  vacancyTitle: 'Year 3 class teacher',
  schoolName: 'Oakfield <Primary> & Co',
  senderName: 'Amara Okafor',
};

function errorsOf(typed: string): string[] {
  const prepared = prepareMessageBody({ format: 'text', body: typed });
  assert.ok(prepared.ok);
  return placeholderErrors(prepared.html, prepared.text);
}

describe('the placeholder list', () => {
  test('is the documented one, in order', () => {
    assert.deepEqual(
      placeholders.map((p) => p.name),
      ['first name', 'full name', 'job title', 'school name', 'sender name'],
    );
  });
});

describe('placeholderErrors', () => {
  const table: [string, string[]][] = [
    ['Dear ((first name)), thank you', []],
    ['Dear (( First   Name )) at ((school name)) from ((sender name)) for ((job title)) ((full name))', []],
    ['No placeholders at all (really)', []],
    [
      'Dear ((frist name)) and ((surname)) and ((frist name))',
      [
        '((frist name)) is not a placeholder you can use. Use one from the list of placeholders',
        '((surname)) is not a placeholder you can use. Use one from the list of placeholders',
      ],
    ],
    ['Dear ((first name), welcome', ['A placeholder must start with (( and end with )), like ((first name))']],
    ['Dear first name)), welcome', ['A placeholder must start with (( and end with )), like ((first name))']],
    [
      'Dear ((**first** name))',
      ['A placeholder must not be partly bold, italic or a link. Format the whole placeholder, or none of it'],
    ],
  ];
  for (const [typed, expected] of table) {
    test(typed, () => assert.deepEqual(errorsOf(typed), expected));
  }
});

describe('fillPlaceholders', () => {
  test('puts each value in, escaped as text, and leaves the rest alone', () => {
    const html = plainTextToHtml('Dear ((first name)),\n**((school name))** for ((job title)), from ((Sender Name))');
    const filled = fillPlaceholders(html, values);
    assert.deepEqual(filled, {
      ok: true,
      html: '<p>Dear Sam,<br /><strong>Oakfield &lt;Primary&gt; &amp; Co</strong> for Year 3 class teacher, from Amara Okafor</p>',
    });
  });

  test('refuses a copy with a blank value, naming each placeholder once', () => {
    const html = plainTextToHtml('Dear ((first name)) ((full name)) ((first name))');
    assert.deepEqual(fillPlaceholders(html, { ...values, candidateName: '   ' }), {
      ok: false,
      missing: ['first name', 'full name'],
    });
    assert.equal(
      missingValuesReason(['first name', 'full name']),
      'Not sent: there is no value for ((first name)), ((full name)) for this applicant',
    );
  });

  test('knows which placeholders a text uses', () => {
    assert.deepEqual(placeholdersUsed(plainTextToHtml('((job title)) ((JOB TITLE)) ((first name)) ((nope))')), [
      'job title',
      'first name',
    ]);
  });
});

describe('htmlToTypedText', () => {
  const table: [string, string][] = [
    ['<p>One</p><p>Two<br>lines</p>', 'One\n\nTwo\nlines'],
    ['<p><strong>Bold</strong> and <em>italic</em></p>', '**Bold** and _italic_'],
    ['<p>Intro</p><ul><li>one</li><li>two</li></ul><p>End</p>', 'Intro\n\n- one\n- two\n\nEnd'],
    ['<p><a href="https://www.example.com/">www.example.com</a></p>', 'www.example.com'],
    ['<p><a href="https://example.com/book">Book a slot</a></p>', 'Book a slot (https://example.com/book)'],
    ['<p>a &lt;b&gt; &amp; c</p>', 'a <b> & c'],
  ];
  for (const [html, typed] of table) {
    test(html, () => assert.equal(htmlToTypedText(html), typed));
  }

  test('reads back as the same message through the plain text box', () => {
    for (const html of [
      '<p>Dear ((first name)),</p><p>You are <strong>shortlisted</strong>.</p><ul><li>Bring ID</li><li>Arrive <em>early</em></li></ul>',
      '<p>Visit <a href="https://www.example.com/" rel="noopener noreferrer">www.example.com</a> today</p>',
    ]) {
      assert.equal(plainTextToHtml(htmlToTypedText(html)), html);
    }
  });
});
