/**
 * A bounded load of signed-in visitors over real HTTP: each visitor opens their conversation page, then sends a
 * message on it (text, or with an attachment), again and again until the load is stopped. Every request's outcome
 * is kept with its time, and every message carries a marker of its own so that the test can count how often it was
 * stored.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { messagingUrls } from '../../src/messaging/urls.ts';
import type { Db } from '../../src/platform/db.ts';
import {
  createApplication,
  createJobseeker,
  createOrganisation,
  createStaff,
  createVacancy,
  testPassword,
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
  /** For sends: the marker in the message's text. */
  marker: string | null;
  /** A send stored its message (303 to the conversation), or a read showed the page (200). */
  ok: boolean;
  body: string;
}

export interface Visitor {
  index: number;
  kind: 'staff' | 'jobseeker';
  email: string;
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

const requestTimeoutMs = 30_000;

function cookieHeader(visitor: Visitor): string {
  return [...visitor.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

async function request(
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
function conversationUrl(visitor: Visitor): string {
  return visitor.kind === 'staff'
    ? messagingUrls.staffConversation(visitor.applicationId)
    : messagingUrls.jobseekerConversation(visitor.applicationId);
}

function conversationPath(visitor: Visitor): string {
  const url = conversationUrl(visitor);
  return url.split('#')[0] ?? url;
}

function sendPath(visitor: Visitor): string {
  return visitor.kind === 'staff'
    ? messagingUrls.staffSend(visitor.applicationId)
    : messagingUrls.jobseekerSend(visitor.applicationId);
}

/**
 * `pairs` applications at interview stage in one school, each with its own staff member and jobseeker, all signed
 * in (2 visitors per application). Visitors are spread over the given web processes in turn.
 */
export async function createVisitors(db: Db, pairs: number, baseUrls: string[]): Promise<Visitor[]> {
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
      email: kind === 'staff' ? scene.staff.email : scene.jobseeker.email,
      applicationId: scene.application.id,
      baseUrl: baseUrls[(i * 2 + side) % baseUrls.length] ?? '',
      cookies: new Map<string, string>(),
      csrfToken: '',
      formKey: '',
    })),
  );
  // Signing in hashes the password (scrypt, deliberately slow): a few at a time.
  const queue = [...visitors];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let visitor = queue.shift(); visitor; visitor = queue.shift()) {
        await request(visitor, '/sign-in');
        const signedIn = await request(visitor, '/sign-in', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ email: visitor.email, password: testPassword, _csrf: visitor.csrfToken }),
        });
        if (signedIn.status !== 303) throw new Error(`sign-in failed for visitor ${visitor.index}: ${signedIn.status}`);
      }
    }),
  );
  return visitors;
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
  let stopping = false;

  async function record(
    visitor: Visitor,
    action: Outcome['action'],
    marker: string | null,
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
        ok: false,
        body: '',
      };
    }
    outcomes.push(outcome);
    return outcome;
  }

  async function loop(visitor: Visitor): Promise<void> {
    for (let round = 0; !stopping; round += 1) {
      const read = await record(
        visitor,
        'read',
        null,
        () => request(visitor, conversationPath(visitor)),
        (response) => response.status === 200,
      );
      if (stopping) break;
      await sleep(options.paceMs ?? 100);
      if (read.ok) {
        const marker = randomUUID();
        const file = options.attachment?.(visitor, round) ?? null;
        const form = new FormData();
        form.append('_csrf', visitor.csrfToken);
        form.append('formKey', visitor.formKey);
        form.append('format', 'text');
        form.append('body', `Fault load message ${marker}`);
        if (file) form.append('attachments', new Blob([new Uint8Array(file.data)], { type: file.type }), file.fileName);
        await record(
          visitor,
          file ? 'upload' : 'send',
          marker,
          () => request(visitor, sendPath(visitor), { method: 'POST', body: form }),
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
      stopping = true;
      await Promise.all(loops);
    },
  };
}
