import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { replyTextOf } from '../../src/replies/reply-text.ts';
import { replyStyles } from '../fixtures/email-replies.ts';

const words = 'Thank you, Tuesday at 10am suits me.\n\nI will bring my certificates.';

describe('the words of an emailed reply, without quoted history or signature', () => {
  for (const style of replyStyles) {
    if (style.text) {
      test(`${style.name}: the text part`, () => {
        assert.equal(replyTextOf({ text: style.text?.(words), html: style.html?.(words) }), words);
      });
    }
    if (style.html) {
      test(`${style.name}: the HTML part alone`, () => {
        assert.equal(replyTextOf({ html: style.html?.(words) }), words);
      });
    }
  }

  test('a reply with nothing above the quote is empty', () => {
    const gmail = replyStyles[0];
    assert.ok(gmail?.text);
    assert.equal(replyTextOf({ text: gmail.text('') }), '');
  });

  test('a reply that quotes nothing is kept whole, line breaks and all', () => {
    assert.equal(replyTextOf({ text: 'Yes.\r\n\r\nSee you then.\r\n' }), 'Yes.\n\nSee you then.');
  });

  test('a ">" inside the words (not at a line start) is kept', () => {
    assert.equal(replyTextOf({ text: 'Salary > £30,000 is fine.' }), 'Salary > £30,000 is fine.');
  });
});
