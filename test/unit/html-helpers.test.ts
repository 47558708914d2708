import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorSummary, fieldValue, findAll, findOne, pageTitle, textOf, textsOf } from '../support/html.ts';

const page = `<!doctype html><html><head><title>Error: Messages – Parley</title></head><body>
  <div class="govuk-error-summary"><ul><li><a href="#body">Enter a message</a></li></ul></div>
  <main id="main">
    <ul><li class="parley-message parley-message--unread" id="message-1"><p class="parley-message__body">Hello
      <strong>there</strong></p></li>
      <li class="parley-message"><p class="parley-message__body">Second</p></li></ul>
    <form><input type="hidden" name="formKey" value="k-1"><textarea name="body">typed  text</textarea>
      <select name="sort"><option value="newest">Newest</option><option value="oldest" selected>Oldest</option></select>
      <a href="/attachments/abc">cv.pdf</a></form>
  </main>
  <footer><p class="parley-message__body">Not a message</p></footer>
</body></html>`;

describe('test/support/html.ts', () => {
  test('finds by tag, id, class, attribute and inside another element', () => {
    assert.equal(findAll(page, 'li.parley-message').length, 2);
    assert.equal(findAll(page, '.parley-message.parley-message--unread').length, 1);
    assert.deepEqual(textsOf(page, '#main .parley-message__body'), ['Hello there', 'Second']);
    assert.equal(findAll(page, '.parley-message__body').length, 3);
    assert.equal(findOne(page, 'a[href^="/attachments/"]')?.attribs.href, '/attachments/abc');
    assert.equal(findOne(page, 'a[href="/attachments/"]'), undefined);
    assert.equal(findAll(page, 'option[selected]').length, 1);
    assert.throws(() => findAll(page, 'li > p'), /unsupported selector/);
  });

  test('reads text, titles, fields and the error summary', () => {
    assert.equal(textOf(findOne(page, '#message-1')!), 'Hello there');
    assert.equal(pageTitle(page), 'Error: Messages – Parley');
    assert.equal(fieldValue(page, 'formKey'), 'k-1');
    assert.equal(fieldValue(page, 'body'), 'typed  text');
    assert.equal(fieldValue(page, 'sort'), 'oldest');
    assert.equal(fieldValue(page, 'missing'), undefined);
    assert.deepEqual(errorSummary(page), [{ text: 'Enter a message', href: '#body' }]);
  });
});
