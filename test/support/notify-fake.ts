import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for GOV.UK Notify's "send an email" API (POST /v2/notifications/email) and its list of
 * notifications (GET /v2/notifications, filtered by template_type, status and reference, newest first, 250 a page
 * with `older_than`), strict where Notify is: the Bearer token is a JWT signed (HS256) with the API key's secret,
 * whose `iss` is the service id and whose `iat` is within 30 seconds of now; the body has exactly Notify's fields, a
 * known template and every placeholder the template uses; the query only Notify's parameters. It answers as Notify
 * does (201 with the notification, 200 with `{ notifications, links }`, or `{ status_code, errors: [...] }`) and
 * records every request, accepted or not. It can also accept an email and hold its answer (the sender never hears).
 */

export interface NotifyEmailRequest {
  email_address: string;
  template_id: string;
  personalisation?: Record<string, unknown>;
  reference?: string;
  email_reply_to_id?: string;
  one_click_unsubscribe_url?: string;
}

export interface RecordedNotifyRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined if it was not JSON). */
  body: unknown;
  /** The token's claims, when its signature was good. */
  claims?: { iss: string; iat: number };
  status: number;
  response: unknown;
}

export interface AcceptedNotification {
  id: string;
  request: NotifyEmailRequest;
  subject: string;
  body: string;
  createdAt: Date;
}

export interface NotifyTemplate {
  subject: string;
  body: string;
}

export interface NotifyFake {
  /** The base URL to give as NOTIFY_BASE_URL. */
  readonly url: string;
  readonly serviceId: string;
  /** An API key in Notify's format: "<key name>-<service id>-<secret>". */
  readonly apiKey: string;
  readonly templateIds: { jobseeker_messages: string; staff_daily: string };
  readonly requests: RecordedNotifyRequest[];
  readonly accepted: AcceptedNotification[];
  /** Answers the next `count` emails with this error instead of sending them (a 500, a 429, a 400 ...). */
  failNext(count: number, status: number, error: string, message: string): void;
  /** From now on, accepts each email (it is sent, and listed) but never answers the request. */
  holdAnswers(): void;
  /** Answers later emails at once again (held answers stay unanswered). */
  stopHolding(): void;
  /** Emails accepted whose answer was held. */
  readonly held: AcceptedNotification[];
  close(): Promise<void>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const allowedFields = new Set([
  'email_address',
  'template_id',
  'personalisation',
  'reference',
  'email_reply_to_id',
  'one_click_unsubscribe_url',
]);

type Refusal = { status: number; errors: { error: string; message: string }[] };

function refuse(status: number, error: string, message: string): Refusal {
  return { status, errors: [{ error, message }] };
}

function fromBase64Url(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
}

/** Checks the Bearer token as Notify does; returns the claims or why it was refused. */
function checkToken(
  header: string | undefined,
  serviceId: string,
  secret: string,
): { claims: { iss: string; iat: number } } | Refusal {
  if (!header?.startsWith('Bearer '))
    return refuse(401, 'AuthError', 'Unauthorized: authentication token must be provided');
  const token = header.slice('Bearer '.length);
  const parts = token.split('.');
  if (parts.length !== 3) return refuse(403, 'AuthError', 'Invalid token: signature, api token is not valid');
  const [headerPart = '', payloadPart = '', signature = ''] = parts;
  let jwtHeader: unknown;
  let payload: unknown;
  try {
    jwtHeader = fromBase64Url(headerPart);
    payload = fromBase64Url(payloadPart);
  } catch {
    return refuse(403, 'AuthError', 'Invalid token: signature, api token is not valid');
  }
  if (typeof jwtHeader !== 'object' || jwtHeader === null || (jwtHeader as { alg?: unknown }).alg !== 'HS256') {
    return refuse(403, 'AuthError', 'Invalid token: algorithm used is not HS256');
  }
  const claims = payload as { iss?: unknown; iat?: unknown };
  if (typeof claims.iss !== 'string') return refuse(403, 'AuthError', 'Invalid token: iss field not provided');
  if (claims.iss !== serviceId) return refuse(403, 'AuthError', 'Invalid token: service not found');
  const expected = Buffer.from(createHmac('sha256', secret).update(`${headerPart}.${payloadPart}`).digest('base64url'));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return refuse(403, 'AuthError', 'Invalid token: API key not found');
  }
  if (typeof claims.iat !== 'number') return refuse(403, 'AuthError', 'Invalid token: iat field not provided');
  if (Math.abs(Date.now() / 1000 - claims.iat) > 30) {
    return refuse(403, 'AuthError', 'Error: Your system clock must be accurate to within 30 seconds');
  }
  return { claims: { iss: claims.iss, iat: claims.iat } };
}

const templateTypes = ['sms', 'email', 'letter'];
const notificationStatuses = [
  'cancelled',
  'created',
  'sending',
  'sent',
  'delivered',
  'pending',
  'failed',
  'technical-failure',
  'temporary-failure',
  'permanent-failure',
  'pending-virus-check',
  'validation-failed',
  'virus-scan-failed',
  'returned-letter',
  'accepted',
  'received',
];
const listParameters = new Set(['template_type', 'status', 'reference', 'older_than', 'include_jobs']);
const pageSize = 250;

/** Checks GET /v2/notifications's query as Notify's schema does; returns the filters or why it was refused. */
function checkListQuery(
  query: URLSearchParams,
): { types: string[]; statuses: string[]; reference: string | undefined; olderThan: string | undefined } | Refusal {
  const errors: { error: string; message: string }[] = [];
  for (const key of new Set(query.keys())) {
    if (!listParameters.has(key))
      errors.push({
        error: 'ValidationError',
        message: `Additional properties are not allowed (${key} was unexpected)`,
      });
  }
  const types = query.getAll('template_type');
  for (const type of types.filter((t) => !templateTypes.includes(t)))
    errors.push({ error: 'ValidationError', message: `template_type ${type} is not one of [sms, email, letter]` });
  const statuses = query.getAll('status');
  for (const status of statuses.filter((s) => !notificationStatuses.includes(s)))
    errors.push({
      error: 'ValidationError',
      message: `status ${status} is not one of [${notificationStatuses.join(', ')}]`,
    });
  const olderThan = query.get('older_than') ?? undefined;
  if (olderThan !== undefined && !uuidPattern.test(olderThan))
    errors.push({ error: 'ValidationError', message: 'older_than is not a valid UUID' });
  if (errors.length > 0) return { status: 400, errors };
  return { types, statuses, reference: query.get('reference') ?? undefined, olderThan };
}

function placeholders(template: NotifyTemplate): string[] {
  return [...`${template.subject}\n${template.body}`.matchAll(/\(\(([^)]+)\)\)/g)].map((match) => match[1] ?? '');
}

function fill(text: string, values: Record<string, unknown>): string {
  return text.replace(/\(\(([^)]+)\)\)/g, (_match, name: string) => {
    const value = values[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  });
}

/** Checks the body's fields as Notify's schema does; returns the request or why it was refused. */
function checkBody(
  body: unknown,
  templates: Map<string, NotifyTemplate>,
): { request: NotifyEmailRequest; template: NotifyTemplate } | Refusal {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return refuse(400, 'BadRequestError', 'Invalid JSON supplied in POST data');
  const fields = body as Record<string, unknown>;
  const errors: { error: string; message: string }[] = [];
  for (const key of Object.keys(fields)) {
    if (!allowedFields.has(key))
      errors.push({
        error: 'ValidationError',
        message: `Additional properties are not allowed (${key} was unexpected)`,
      });
  }
  if (typeof fields.email_address !== 'string')
    errors.push({ error: 'ValidationError', message: 'email_address is a required property' });
  else if (!emailPattern.test(fields.email_address))
    errors.push({ error: 'ValidationError', message: 'email_address Not a valid email address' });
  if (typeof fields.template_id !== 'string')
    errors.push({ error: 'ValidationError', message: 'template_id is a required property' });
  else if (!uuidPattern.test(fields.template_id))
    errors.push({ error: 'ValidationError', message: 'template_id is not a valid UUID' });
  if (
    'personalisation' in fields &&
    (typeof fields.personalisation !== 'object' ||
      fields.personalisation === null ||
      Array.isArray(fields.personalisation))
  ) {
    errors.push({ error: 'ValidationError', message: 'personalisation is not of type object' });
  }
  if ('reference' in fields && typeof fields.reference !== 'string')
    errors.push({ error: 'ValidationError', message: 'reference is not of type string' });
  if (
    'email_reply_to_id' in fields &&
    (typeof fields.email_reply_to_id !== 'string' || !uuidPattern.test(fields.email_reply_to_id))
  ) {
    errors.push({ error: 'ValidationError', message: 'email_reply_to_id is not a valid UUID' });
  }
  if ('one_click_unsubscribe_url' in fields) {
    const url = fields.one_click_unsubscribe_url;
    if (typeof url !== 'string' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      errors.push({ error: 'ValidationError', message: 'one_click_unsubscribe_url is not a valid URL' });
    }
  }
  if (errors.length > 0) return { status: 400, errors };
  const request = fields as unknown as NotifyEmailRequest;
  const template = templates.get(request.template_id);
  if (!template) return refuse(400, 'BadRequestError', 'Template not found');
  const values = request.personalisation ?? {};
  const missing = placeholders(template).filter((name) => !(name in values));
  if (missing.length > 0) return refuse(400, 'BadRequestError', `Missing personalisation: ${missing.join(', ')}`);
  return { request, template };
}

export async function startNotifyFake(
  options: { templates?: Partial<Record<'jobseeker_messages' | 'staff_daily', NotifyTemplate>> } = {},
): Promise<NotifyFake> {
  const serviceId = randomUUID();
  const secret = randomUUID();
  const templateIds = { jobseeker_messages: randomUUID(), staff_daily: randomUUID() };
  // Parley's templates are "((subject))" and "((body))": the words are written by Parley, the layout by Notify.
  const standard: NotifyTemplate = { subject: '((subject))', body: '((body))' };
  const templates = new Map<string, NotifyTemplate>([
    [templateIds.jobseeker_messages, options.templates?.jobseeker_messages ?? standard],
    [templateIds.staff_daily, options.templates?.staff_daily ?? standard],
  ]);
  const requests: RecordedNotifyRequest[] = [];
  const accepted: AcceptedNotification[] = [];
  const failures: { status: number; error: string; message: string }[] = [];
  const held: AcceptedNotification[] = [];
  let holding = false;
  let baseUrl = '';

  /** A notification as Notify lists it (an email, in the "sending" state once accepted). */
  const listed = (notification: AcceptedNotification) => ({
    id: notification.id,
    reference: notification.request.reference ?? null,
    email_address: notification.request.email_address,
    phone_number: null,
    line_1: null,
    line_2: null,
    line_3: null,
    line_4: null,
    line_5: null,
    line_6: null,
    postcode: null,
    postage: null,
    type: 'email',
    status: 'sending',
    template: {
      id: notification.request.template_id,
      version: 1,
      uri: `${baseUrl}/v2/template/${notification.request.template_id}/version/1`,
    },
    body: notification.body,
    subject: notification.subject,
    created_at: notification.createdAt.toISOString(),
    created_by_name: null,
    sent_at: notification.createdAt.toISOString(),
    completed_at: null,
    scheduled_for: null,
    one_click_unsubscribe_url: notification.request.one_click_unsubscribe_url ?? null,
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        body = undefined;
      }
      const record: RecordedNotifyRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        status: 0,
        response: null,
      };
      requests.push(record);
      const answer = (status: number, response: unknown) => {
        record.status = status;
        record.response = response;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(response));
      };
      const answerRefusal = (refusal: Refusal) =>
        answer(refusal.status, { status_code: refusal.status, errors: refusal.errors });

      const url = new URL(req.url ?? '/', 'http://notify.invalid');
      if (url.pathname === '/v2/notifications') {
        if (req.method !== 'GET') return answerRefusal(refuse(405, 'MethodNotAllowed', 'Method not allowed'));
        const auth = checkToken(req.headers.authorization, serviceId, secret);
        if ('errors' in auth) return answerRefusal(auth);
        record.claims = auth.claims;
        const filters = checkListQuery(url.searchParams);
        if ('errors' in filters) return answerRefusal(filters);
        // Newest first; a page ends before the notification named by older_than.
        let matching = [...accepted]
          .reverse()
          .filter(
            (n) =>
              (filters.types.length === 0 || filters.types.includes('email')) &&
              (filters.statuses.length === 0 || filters.statuses.includes('sending')) &&
              (filters.reference === undefined || n.request.reference === filters.reference),
          );
        if (filters.olderThan !== undefined) {
          const index = matching.findIndex((n) => n.id === filters.olderThan);
          matching = index === -1 ? [] : matching.slice(index + 1);
        }
        const page = matching.slice(0, pageSize);
        const current = `${baseUrl}${url.pathname}${url.search}`;
        const last = page.at(-1);
        const next = new URLSearchParams(url.searchParams);
        if (last) next.set('older_than', last.id);
        return answer(200, {
          notifications: page.map(listed),
          links: last ? { current, next: `${baseUrl}${url.pathname}?${next.toString()}` } : { current },
        });
      }
      if (url.pathname !== '/v2/notifications/email')
        return answerRefusal(refuse(404, 'ResourceNotFound', 'Resource not found'));
      if (req.method !== 'POST') return answerRefusal(refuse(405, 'MethodNotAllowed', 'Method not allowed'));
      const auth = checkToken(req.headers.authorization, serviceId, secret);
      if ('errors' in auth) return answerRefusal(auth);
      record.claims = auth.claims;
      if (!req.headers['content-type']?.startsWith('application/json') || body === undefined) {
        return answerRefusal(refuse(400, 'BadRequestError', 'Invalid JSON supplied in POST data'));
      }
      const checked = checkBody(body, templates);
      if ('errors' in checked) return answerRefusal(checked);
      const failure = failures.shift();
      if (failure) return answerRefusal(refuse(failure.status, failure.error, failure.message));

      const values = checked.request.personalisation ?? {};
      const id = randomUUID();
      const notification = {
        id,
        request: checked.request,
        subject: fill(checked.template.subject, values),
        body: fill(checked.template.body, values),
        createdAt: new Date(),
      };
      accepted.push(notification);
      if (holding) {
        held.push(notification);
        return;
      }
      return answer(201, {
        id,
        reference: checked.request.reference ?? null,
        content: {
          subject: notification.subject,
          body: notification.body,
          from_email: 'parley@notifications.service.gov.uk',
          one_click_unsubscribe_url: checked.request.one_click_unsubscribe_url ?? null,
        },
        uri: `${baseUrl}/v2/notifications/${id}`,
        template: {
          id: checked.request.template_id,
          version: 1,
          uri: `${baseUrl}/v2/template/${checked.request.template_id}/version/1`,
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    serviceId,
    apiKey: `parley_test-${serviceId}-${secret}`,
    templateIds,
    requests,
    accepted,
    failNext(count, status, error, message) {
      for (let i = 0; i < count; i += 1) failures.push({ status, error, message });
    },
    holdAnswers() {
      holding = true;
    },
    stopHolding() {
      holding = false;
    },
    held,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
