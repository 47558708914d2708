// Progressive enhancement. Every page works without this file; with it, govuk-frontend's components start and the
// message text box becomes a rich-text editor (Trix) with an accessible toolbar.
import { initAll } from '/public/govuk-frontend.min.js';

initAll();

const toolbarHtml = (id) => `
  <div class="parley-editor-toolbar" role="toolbar" aria-label="Formatting" aria-controls="${id}-editor">
    <button type="button" class="govuk-button govuk-button--secondary parley-editor-button" data-trix-attribute="bold" data-trix-key="b" aria-label="Bold"><strong aria-hidden="true">B</strong></button>
    <button type="button" class="govuk-button govuk-button--secondary parley-editor-button" data-trix-attribute="italic" data-trix-key="i" aria-label="Italic"><em aria-hidden="true">I</em></button>
    <button type="button" class="govuk-button govuk-button--secondary parley-editor-button" data-trix-attribute="bullet">Bullets</button>
    <button type="button" class="govuk-button govuk-button--secondary parley-editor-button" data-trix-attribute="number">Numbers</button>
    <button type="button" class="govuk-button govuk-button--secondary parley-editor-button" data-trix-attribute="href" data-trix-action="link" data-trix-key="k">Link</button>
  </div>
  <div class="parley-editor-dialogs" data-trix-dialogs>
    <div class="parley-editor-dialog" data-trix-dialog="href" data-trix-dialog-attribute="href">
      <label class="govuk-label" for="${id}-link">Web address</label>
      <input class="govuk-input govuk-!-width-two-thirds" id="${id}-link" type="url" name="href" data-trix-input required>
      <div class="govuk-button-group">
        <button type="button" class="govuk-button govuk-button--secondary" data-trix-method="setAttribute">Add link</button>
        <button type="button" class="govuk-button govuk-button--secondary" data-trix-method="removeAttribute">Remove link</button>
      </div>
    </div>
  </div>`;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Plain text typed before the editor loaded (or kept after an error) becomes editor HTML, line by line. */
function textToEditorHtml(text) {
  return text
    .split(/\r?\n/)
    .map((line) => `<div>${escapeHtml(line) || '<br>'}</div>`)
    .join('');
}

async function enhanceMessageForms() {
  const forms = document.querySelectorAll('[data-parley-message-form]');
  if (forms.length === 0) return;
  await import('/public/trix.esm.min.js');
  document.addEventListener('trix-file-accept', (event) => event.preventDefault()); // files go in the file input
  forms.forEach((form) => {
    const textarea = form.querySelector('textarea[name="body"]');
    const format = form.querySelector('[data-parley-format]');
    if (!textarea || !format) return;
    const id = textarea.id;
    const label = form.querySelector(`label[for="${id}"]`);
    const hidden = document.createElement('input');
    hidden.type = 'hidden';
    hidden.name = 'body';
    hidden.id = `${id}-html`;
    hidden.value = format.value === 'html' ? textarea.value : textToEditorHtml(textarea.value);
    const toolbar = document.createElement('trix-toolbar');
    toolbar.id = `${id}-toolbar`;
    toolbar.innerHTML = toolbarHtml(id);
    const editor = document.createElement('trix-editor');
    editor.id = `${id}-editor`;
    editor.setAttribute('input', hidden.id);
    editor.setAttribute('toolbar', toolbar.id);
    editor.className = 'govuk-textarea parley-editor';
    if (label) {
      label.id = label.id || `${id}-label`;
      label.setAttribute('for', editor.id);
      editor.setAttribute('aria-labelledby', label.id);
    }
    const describedBy = textarea.getAttribute('aria-describedby');
    if (describedBy) editor.setAttribute('aria-describedby', describedBy.replace(`${id}-hint`, '').trim() || describedBy);
    form.querySelector('[data-parley-plain-hint]')?.setAttribute('hidden', '');
    if (describedBy) editor.setAttribute('aria-describedby', describedBy.split(' ').filter((part) => part !== `${id}-hint`).join(' '));
    if (!editor.getAttribute('aria-describedby')) editor.removeAttribute('aria-describedby');
    if (textarea.classList.contains('govuk-textarea--error')) editor.classList.add('govuk-textarea--error');
    textarea.replaceWith(hidden, toolbar, editor);
    format.value = 'html';
    form.addEventListener('submit', () => {
      // Clicking a link in the editor's dialog must not leave the dialog open on the next page.
      toolbar.querySelectorAll('[data-trix-dialog]').forEach((dialog) => dialog.removeAttribute('data-trix-active'));
    });
  });
}

enhanceMessageForms();

