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

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in URLs are UUIDs; anything else is a 404, never a database error. */
export function requireUuid(value: unknown): string {
  if (typeof value !== 'string' || !uuidPattern.test(value)) throw new NotFoundError();
  return value.toLowerCase();
}
