import { isUuid } from '../platform/uuid.ts';

/** Ordinary outcomes that one error handler turns into GOV.UK pages. */
export class NotFoundError extends Error {
  readonly statusCode = 404;
  constructor(message = 'Not found') {
    super(message);
  }
}

export class ForbiddenError extends Error {
  readonly statusCode = 403;
  constructor(message = 'Forbidden') {
    super(message);
  }
}

/** Ids in URLs are UUIDs; anything else is a 404, never a database error. */
export function requireUuid(value: unknown): string {
  if (!isUuid(value)) throw new NotFoundError();
  return value.toLowerCase();
}
