/**
 * `npm run build:css`: compiles the Design System's styles with Parley's settings (src/web/styles) into
 * src/web/public/generated/, which is committed so that `npm start` needs no build step. A unit test fails when the
 * committed file differs from a fresh build.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compile, NodePackageImporter } from 'sass';

const root = path.resolve(import.meta.dirname, '..');
export const stylesSource = path.join(root, 'src/web/styles/govuk-frontend.scss');
export const stylesOutput = path.join(root, 'src/web/public/generated/govuk-frontend.css');

export function buildStyles(): string {
  const result = compile(stylesSource, {
    importers: [new NodePackageImporter(root)],
    style: 'compressed',
    quietDeps: true,
  });
  return `${result.css}\n`;
}

if (import.meta.main) {
  await mkdir(path.dirname(stylesOutput), { recursive: true });
  await writeFile(stylesOutput, buildStyles());
  process.stdout.write(`wrote ${path.relative(root, stylesOutput)}\n`);
}
