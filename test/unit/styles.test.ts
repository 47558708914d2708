import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { buildStyles, stylesOutput } from '../../scripts/build-css.ts';

test('the committed Design System styles are what `npm run build:css` makes from src/web/styles', async () => {
  assert.equal(await readFile(stylesOutput, 'utf8'), buildStyles(), 'run `npm run build:css` and commit the result');
});

test('Parley does not use the GOV.UK typeface (GDS Transport is for services on GOV.UK)', async () => {
  const css = await readFile(stylesOutput, 'utf8');
  assert.ok(!css.includes('GDS Transport'));
  assert.ok(!css.includes('@font-face'));
  assert.match(css, /font-family:arial,sans-serif/);
});
