// Progressive enhancement. Every page works without this file; with it, govuk-frontend's components start and the
// message text box becomes a rich-text editor (Trix) with an accessible toolbar.
import { initAll } from '/public/govuk-frontend.min.js';

initAll();

const toolbarHtml = (id) => `
  <div class="parley-editor-toolbar" role="toolbar" aria-label="Formatting" aria-controls="${id}-editor">
    <button type="button" class="govuk-button govuk-button--secondary parley-editor-button" data-trix-attribute="bold" data-trix-key="b"><strong>Bold</strong></button>
    <button type="button" class="govuk-button govuk-button--secondary parley-editor-button" data-trix-attribute="italic" data-trix-key="i"><em>Italic</em></button>
    <button type="button" class="govuk-button govuk-button--secondary parley-editor-button" data-trix-attribute="bullet">Bullets</button>
    <button type="button" class="govuk-button govuk-button--secondary parley-editor-button" data-trix-attribute="number">Numbers</button>
    <button type="button" class="govuk-button govuk-button--secondary parley-editor-button" data-trix-attribute="href" data-trix-action="link" data-trix-key="k" aria-controls="${id}-link-dialog" aria-expanded="false">Link</button>
  </div>
  <div class="parley-editor-dialogs" data-trix-dialogs>
    <div class="parley-editor-dialog" id="${id}-link-dialog" data-trix-dialog="href" data-trix-dialog-attribute="href">
      <div class="govuk-form-group">
        <label class="govuk-label" for="${id}-link">Web address</label>
        <div class="govuk-hint" id="${id}-link-hint">For example, https://www.example.com</div>
        <div aria-live="polite" data-parley-link-error></div>
        <input class="govuk-input govuk-!-width-two-thirds" id="${id}-link" type="url" name="href" aria-describedby="${id}-link-hint" data-trix-input data-trix-validate-href required>
      </div>
      <div class="govuk-button-group">
        <button type="button" class="govuk-button govuk-button--secondary" data-trix-method="setAttribute">Add link</button>
        <button type="button" class="govuk-button govuk-button--secondary" data-trix-method="removeAttribute">Remove link</button>
      </div>
    </div>
  </div>`;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/**
 * What Trix leaves out for keyboard and screen reader users of our toolbar:
 * - Trix acts on a toolbar button's mousedown (so the editor keeps its selection) and cancels the click. Enter and
 *   Space on a focused button only click it, so they did nothing. A click no pointer made (detail 0) is handed to
 *   Trix as the mousedown it listens for; Trix then applies the format and puts focus back in the editor.
 * - Trix shows a format is on with a class only: the buttons get aria-pressed, the Link button aria-expanded.
 * - Trix refuses a web address it cannot use by colouring the field: we also say why, in words.
 * - role="toolbar" leads people to expect the arrow keys to move between its buttons, so they do (Tab still does).
 */
function makeToolbarAccessible(toolbar, id) {
  const bar = toolbar.querySelector('[role="toolbar"]');
  const linkButton = toolbar.querySelector('[data-trix-action="link"]');
  const dialog = toolbar.querySelector('[data-trix-dialog="href"]');
  const linkInput = toolbar.querySelector(`#${id}-link`);
  const linkError = toolbar.querySelector('[data-parley-link-error]');
  if (!bar || !linkButton || !dialog || !linkInput || !linkError) return;

  toolbar.addEventListener('click', (event) => {
    const button =
      event.target instanceof Element ? event.target.closest('[data-trix-attribute], [data-trix-action]') : null;
    if (!button || event.detail !== 0) return;
    button.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, cancelable: true, view: window }));
  });

  bar.addEventListener('keydown', (event) => {
    const buttons = Array.from(bar.querySelectorAll('button:not([disabled])'));
    const index = buttons.indexOf(document.activeElement);
    const target = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (index === -1 || target === undefined) return;
    event.preventDefault();
    buttons[(target + buttons.length) % buttons.length].focus();
  });

  const showState = () => {
    bar.querySelectorAll('[data-trix-attribute]:not([data-trix-action])').forEach((button) => {
      button.setAttribute('aria-pressed', String(button.hasAttribute('data-trix-active')));
    });
    linkButton.setAttribute('aria-expanded', String(dialog.hasAttribute('data-trix-active')));
    const invalid = linkInput.hasAttribute('data-trix-validate');
    if (invalid === linkInput.hasAttribute('aria-invalid')) return;
    linkInput.closest('.govuk-form-group')?.classList.toggle('govuk-form-group--error', invalid);
    linkInput.classList.toggle('govuk-input--error', invalid);
    if (invalid) {
      linkInput.setAttribute('aria-invalid', 'true');
      linkInput.setAttribute('aria-describedby', `${id}-link-hint ${id}-link-error`);
      linkError.innerHTML = `<p class="govuk-error-message" id="${id}-link-error"><span class="govuk-visually-hidden">Error:</span> Enter a web address in the correct format, like https://www.example.com</p>`;
    } else {
      linkInput.removeAttribute('aria-invalid');
      linkInput.setAttribute('aria-describedby', `${id}-link-hint`);
      linkError.replaceChildren();
    }
  };
  showState();
  new MutationObserver(showState).observe(toolbar, {
    subtree: true,
    attributes: true,
    attributeFilter: ['data-trix-active', 'data-trix-validate'],
  });
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
    // A saved rich text (a template) comes as typed text for the plain box, and as HTML for the editor.
    hidden.value =
      textarea.dataset.parleyHtml ?? (format.value === 'html' ? textarea.value : textToEditorHtml(textarea.value));
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
    if (describedBy)
      editor.setAttribute('aria-describedby', describedBy.replace(`${id}-hint`, '').trim() || describedBy);
    form.querySelector('[data-parley-plain-hint]')?.setAttribute('hidden', '');
    if (describedBy)
      editor.setAttribute(
        'aria-describedby',
        describedBy
          .split(' ')
          .filter((part) => part !== `${id}-hint`)
          .join(' '),
      );
    if (!editor.getAttribute('aria-describedby')) editor.removeAttribute('aria-describedby');
    if (textarea.classList.contains('govuk-textarea--error')) editor.classList.add('govuk-textarea--error');
    textarea.replaceWith(hidden, toolbar, editor);
    makeToolbarAccessible(toolbar, id);
    // The error summary's "Enter a message" leads to the editor, which now stands where the text box was.
    document.querySelectorAll(`.govuk-error-summary a[href="#${id}"]`).forEach((link) => {
      link.setAttribute('href', `#${editor.id}`);
    });
    format.value = 'html';
    form.addEventListener('submit', () => {
      // Clicking a link in the editor's dialog must not leave the dialog open on the next page.
      toolbar.querySelectorAll('[data-trix-dialog]').forEach((dialog) => dialog.removeAttribute('data-trix-active'));
    });
  });
}

/**
 * Files are checked in the browser before they are sent, so that an 11MB file is not uploaded only to be refused.
 * The server checks everything again: this only saves the wait.
 */
function checkFilesBeforeUpload() {
  document.querySelectorAll('input[type="file"][data-parley-max-bytes]').forEach((input) => {
    const form = input.form;
    if (!form) return;
    const maxBytes = Number(input.dataset.parleyMaxBytes);
    const maxFiles = Number(input.dataset.parleyMaxFiles);
    const extensions = (input.getAttribute('accept') || '').split(',').filter(Boolean);
    const group = input.closest('.govuk-form-group');
    form.addEventListener(
      'submit',
      (event) => {
        const files = Array.from(input.files || []);
        const problems = [];
        if (maxFiles && files.length > maxFiles)
          problems.push(`You can only select up to ${maxFiles} files at the same time`);
        for (const file of files) {
          const dot = file.name.lastIndexOf('.');
          const extension = dot > 0 ? file.name.slice(dot).toLowerCase() : '';
          if (file.size === 0) problems.push(`${file.name}: The selected file is empty`);
          else if (file.size > maxBytes) problems.push(`${file.name}: ${input.dataset.parleyTooBig}`);
          else if (extensions.length && !extensions.includes(extension))
            problems.push(`${file.name}: ${input.dataset.parleyWrongType}`);
        }
        group?.querySelector('[data-parley-file-error]')?.remove();
        if (problems.length === 0) {
          group?.classList.remove('govuk-form-group--error');
          return;
        }
        event.preventDefault();
        event.stopImmediatePropagation();
        const message = document.createElement('p');
        message.className = 'govuk-error-message';
        message.id = `${input.id}-client-error`;
        message.dataset.parleyFileError = '';
        message.innerHTML = problems
          .map((problem) => `<span class="govuk-visually-hidden">Error:</span> ${escapeHtml(problem)}`)
          .join('<br>');
        input.before(message);
        group?.classList.add('govuk-form-group--error');
        input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${message.id}`.trim());
        input.focus();
        // The send button's double-click guard must not leave the form unsendable after the person fixes it.
        form
          .querySelectorAll('button[type="submit"], button:not([type])')
          .forEach((button) => button.removeAttribute('disabled'));
      },
      true,
    );
  });
}

checkFilesBeforeUpload();
enhanceMessageForms();

/** "Select all conversations on this page": without JavaScript a link that reloads the page ticked; here, in place. */
function selectAllInPlace() {
  document.querySelectorAll('[data-parley-select-all]').forEach((link) => {
    const form = link.closest('form');
    if (!form) return;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const boxes = Array.from(form.querySelectorAll('input[name="conversationIds"]'));
      const select = boxes.some((box) => !box.checked);
      boxes.forEach((box) => {
        box.checked = select;
      });
      link.textContent = select ? 'Clear all selections on this page' : 'Select all conversations on this page';
    });
  });
}
selectAllInPlace();

// Live pages (src/live): only pages that ask for them load the script.
if (document.querySelector('[data-parley-live]')) {
  import('/public/live.js').then((live) => live.startLivePages());
}
