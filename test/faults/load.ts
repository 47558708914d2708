/**
 * A bounded load of signed-in visitors over real HTTP: each visitor opens their conversation page, then sends a
 * message on it (text, or with an attachment), again and again until the load is stopped. Every request's outcome
 * is kept with its time, and every message carries a marker of its own so that the test can count how often it was
 * stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Signer } from '@fastify/cookie';
import { setTimeout as sleep } from 'node:timers/promises';
import { messagingUrls } from '../../src/messaging/urls.ts';
import type { Db } from '../../src/platform/db.ts';
import { sessionCookieName } from '../../src/web/app.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
} from '../support/factories.ts';

export interface Outcome {
  visitor: number;
  action: 'read' | 'send' | 'upload';
  /** Milliseconds since the load started. */
  startedAt: number;
  endedAt: number;
  /** The HTTP status, or null when no response came (a refused or dropped connection, a timeout). */
  status: number | null;
  error: string | null;
  /** For sends: the marker in the message's text, and the form's key (a resubmission of the form carries it again). */
  marker: string | null;
  formKey: string | null;
  /** A send stored its message (303 to the conversation), or a read showed the page (200). */
  ok: boolean;
  body: string;
}

export interface Visitor {
  index: number;
  kind: 'staff' | 'jobseeker';
  userId: string;
  applicationId: string;
  baseUrl: string;
  cookies: Map<string, string>;
  csrfToken: string;
  formKey: string;
}

export interface Attachment {
  fileName: string;
  data: Buffer;
  type: string;
}

// Generous: on a shared 2-core machine a page can take seconds; a minute without an answer is a failure.
const requestTimeoutMs = 60_000;

function cookieHeader(visitor: Visitor): string {
  return [...visitor.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

export async function request(
  visitor: Visitor,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: string; location: string | null }> {
  const response = await fetch(`${visitor.baseUrl}${path}`, {
    ...init,
    redirect: 'manual',
    signal: AbortSignal.timeout(requestTimeoutMs),
    headers: { ...(init.headers as Record<string, string> | undefined), cookie: cookieHeader(visitor) },
  });
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(';');
    const [name, ...value] = (pair ?? '').split('=');
    if (name) visitor.cookies.set(name.trim(), value.join('='));
  }
  const body = await response.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  if (token) visitor.csrfToken = token;
  const formKey = /name="formKey" value="([^"]+)"/.exec(body)?.[1];
  if (formKey) visitor.formKey = formKey;
  return { status: response.status, body, location: response.headers.get('location') };
}

/** Where a sent message leads: the conversation, at its messages. */
export function conversationUrl(visitor: Visitor): string {
  return visitor.kind === 'staff'
    ? messagingUrls.staffConversation(visitor.applicationId)
    : messagingUrls.jobseekerConversation(visitor.applicationId);
}

export function conversationPath(visitor: Visitor): string {
  const url = conversationUrl(visitor);
  return url.split('#')[0] ?? url;
}

export function sendPath(visitor: Visitor): string {
  return visitor.kind === 'staff'
    ? messagingUrls.staffSend(visitor.applicationId)
    : messagingUrls.jobseekerSend(visitor.applicationId);
}

/**
 * `pairs` applications at interview stage in one school, each with its own staff member and jobseeker, all signed
 * in (2 visitors per application). Visitors are spread over the given web processes in turn.
 */
export async function createVisitors(
  db: Db,
  sessionSecret: string,
  pairs: number,
  baseUrls: string[],
): Promise<Visitor[]> {
  const school = await createOrganisation(db);
  const scenes = [];
  for (let i = 0; i < pairs; i += 1) {
    const staff = await createStaff(db, [school.id], `Staff ${i + 1}`);
    const vacancy = await createVacancy(db, school.id, { createdBy: staff.id });
    const jobseeker = await createJobseeker(db, `Applicant ${i + 1}`);
    const application = await createApplication(db, {
      vacancyId: vacancy.id,
      jobseeker,
      status: 'interviewing',
      staffId: staff.id,
    });
    scenes.push({ staff, jobseeker, application });
  }
  const visitors: Visitor[] = scenes.flatMap((scene, i) =>
    (['staff', 'jobseeker'] as const).map((kind, side) => ({
      index: i * 2 + side,
      kind,
      userId: kind === 'staff' ? scene.staff.id : scene.jobseeker.id,
      applicationId: scene.application.id,
      baseUrl: baseUrls[(i * 2 + side) % baseUrls.length] ?? '',
      cookies: new Map<string, string>(),
      csrfToken: '',
      formKey: '',
    })),
  );
  // Signed in as bench/sessions.ts does it: the session row written directly and its cookie signed with the
  // processes' SESSION_SECRET (signing in for real hashes each password with scrypt, seconds of CPU for 50 people).
  const signer = new Signer(sessionSecret, 'sha256');
  const lifetimeMs = 8 * 60 * 60 * 1000;
  for (const visitor of visitors) {
    const sessionId = randomBytes(24).toString('base64url');
    const expires = new Date(Date.now() + lifetimeMs);
    const data = {
      cookie: {
        originalMaxAge: lifetimeMs,
        expires: expires.toISOString(),
        httpOnly: true,
        path: '/',
        sameSite: 'lax',
      },
      userId: visitor.userId,
    };
    await db
      .insertInto('sessions')
      .values({ id: sessionId, data: JSON.stringify(data), expires_at: expires })
      .execute();
    visitor.cookies.set(sessionCookieName, encodeURIComponent(signer.sign(sessionId)));
  }
  return visitors;
}

/** The message form as a browser encodes it (multipart), with this visitor's CSRF token and form key. */
export async function messageForm(
  visitor: Visitor,
  marker: string,
  files: Attachment[],
  formKey = visitor.formKey,
): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  form.append('_csrf', visitor.csrfToken);
  form.append('formKey', formKey);
  form.append('format', 'text');
  form.append('body', `Fault load message ${marker}`);
  for (const file of files) {
    form.append('attachments', new Blob([new Uint8Array(file.data)], { type: file.type }), file.fileName);
  }
  const encoded = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    body: Buffer.from(await encoded.arrayBuffer()),
    contentType: encoded.headers.get('content-type') ?? '',
  };
}

/**
 * Sends a form again, as a person does who got an error page and presses "Send" again: the same words and form key,
 * with a fresh CSRF token from the conversation page.
 */
export async function resubmit(visitor: Visitor, marker: string, formKey: string): Promise<number> {
  await request(visitor, conversationPath(visitor));
  const form = await messageForm(visitor, marker, [], formKey);
  const response = await request(visitor, sendPath(visitor), {
    method: 'POST',
    body: new Uint8Array(form.body),
    headers: { 'content-type': form.contentType },
  });
  return response.status;
}

export interface Load {
  readonly outcomes: Outcome[];
  /** Milliseconds since the load started. */
  now(): number;
  /** Stops starting requests and waits for those in flight. */
  stop(): Promise<void>;
}

/**
 * Runs every visitor's loop until stopped. A visitor reads their conversation (which gives the form's key and CSRF
 * token), then sends; `attachment` decides, per send, whether it carries a file. `paceMs` is the pause a person
 * takes between pages (it shapes the load; nothing waits on it for a state).
 */
export function startLoad(
  visitors: Visitor[],
  options: { attachment?: (visitor: Visitor, round: number) => Attachment | null; paceMs?: number } = {},
): Load {
  const outcomes: Outcome[] = [];
  const started = performance.now();
  const now = () => Math.round(performance.now() - started);
  const state = { stopping: false };
  const isStopping = () => state.stopping;

  async function record(
    visitor: Visitor,
    action: Outcome['action'],
    marker: string | null,
    formKey: string | null,
    work: () => Promise<{ status: number; body: string; location: string | null }>,
    ok: (response: { status: number; location: string | null }) => boolean,
  ): Promise<Outcome> {
    const startedAt = now();
    let outcome: Outcome;
    try {
      const response = await work();
      outcome = {
        visitor: visitor.index,
        action,
        startedAt,
        endedAt: now(),
        status: response.status,
        error: null,
        marker,
        formKey,
        ok: ok(response),
        body: response.body,
      };
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      outcome = {
        visitor: visitor.index,
        action,
        startedAt,
        endedAt: now(),
        status: null,
        error: `${error instanceof Error ? error.message : String(error)}${cause}`,
        marker,
        formKey,
        ok: false,
        body: '',
      };
    }
    outcomes.push(outcome);
    return outcome;
  }

  async function loop(visitor: Visitor): Promise<void> {
    for (let round = 0; !state.stopping; round += 1) {
      const read = await record(
        visitor,
        'read',
        null,
        null,
        () => request(visitor, conversationPath(visitor)),
        (response) => response.status === 200,
      );
      if (isStopping()) break;
      await sleep(options.paceMs ?? 100);
      if (read.ok) {
        const marker = randomUUID();
        const file = options.attachment?.(visitor, round) ?? null;
        const formKey = visitor.formKey;
        const form = await messageForm(visitor, marker, file ? [file] : []);
        await record(
          visitor,
          file ? 'upload' : 'send',
          marker,
          formKey,
          () =>
            request(visitor, sendPath(visitor), {
              method: 'POST',
              body: new Uint8Array(form.body),
              headers: { 'content-type': form.contentType },
            }),
          (response) => response.status === 303 && response.location === conversationUrl(visitor),
        );
      }
      await sleep(options.paceMs ?? 100);
    }
  }

  const loops = visitors.map((visitor) => loop(visitor));
  return {
    outcomes,
    now,
    async stop() {
      state.stopping = true;
      await Promise.all(loops);
    },
  };
}
