import path from 'node:path';
import nunjucks from 'nunjucks';
import { formatDate, formatDateTime, formatTime } from './format.ts';

/** One Nunjucks environment for the whole service: our layouts, each feature's views and govuk-frontend's macros. */
export function createViewEnvironment(projectRoot: string): nunjucks.Environment {
  const src = path.join(projectRoot, 'src');
  const environment = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(
      [
        path.join(src, 'web/views'),
        src, // features are referenced by folder: "applications/views/...".
        path.join(projectRoot, 'node_modules/govuk-frontend/dist'),
      ],
      { noCache: false },
    ),
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  environment.addFilter('date', (value: Date | string) => formatDate(value));
  environment.addFilter('time', (value: Date) => formatTime(value));
  environment.addFilter('dateTime', (value: Date) => formatDateTime(value));
  environment.addFilter('isoDateTime', (value: Date) => value.toISOString());
  return environment;
}
