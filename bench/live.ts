/**
 * Live pages under load: how much memory one web process needs to hold many open event streams, and how long a
 * message sent through one web process takes to reach a page held open on another (PostgreSQL LISTEN/NOTIFY between
 * them). Streams are real HTTP connections from this process, read as a browser's EventSource reads them.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { liveUrls } from '../src/live/urls.ts';
import { EventStreamClient } from '../test/support/event-stream.ts';
import { multipartBody } from './http.ts';
import { residentMemoryMb } from './processes.ts';
import { createVisitors, visitorHeaders, type Visitor } from './sessions.ts';
import { summarise } from './stats.ts';

export interface LiveConnectionsResult {
  connections: number;
  people: number;
  refused: number;
  openSeconds: number;
  rssBeforeMb: number;
  rssOpenMb: number;
  extraMb: number;
  perConnectionKb: number;
  /** Resident memory once every stream has closed again. */
  rssAfterMb: number;
}

export interface LiveLatencyResult {
  sends: number;
  streams: number;
  /** From the start of the send's request on web 1 to the event on web 2. */
  fromRequest: { p50: number; p95: number; p99: number; max: number };
  /** From the send's response (the transaction committed) to the event. */
  fromResponse: { p50: number; p95: number; p99: number };
  missed: number;
}

async function openAll(
  baseUrl: string,
  plan: { visitor: Visitor; path: string }[],
  concurrency: number,
): Promise<{ open: EventStreamClient[]; refused: number }> {
  const open: EventStreamClient[] = [];
  let refused = 0;
  const queue = [...plan];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        const stream = await EventStreamClient.open(baseUrl, entry.path, { headers: visitorHeaders(entry.visitor) });
        if (stream.status !== 200) {
          refused += 1;
          stream.close();
          continue;
        }
        await stream.waitFor((event) => event.event === 'ready', 60_000, 'ready');
        open.push(stream);
      }
    }),
  );
  return { open, refused };
}

/**
 * Opens `count` streams on one web process, shared among the given people (each a conversation's stream and their
 * whole-account stream in turn), and reports the process's resident memory before, while they are open, and after.
 */
export async function measureLiveConnections(input: {
  baseUrl: string;
  webPid: number;
  visitors: Visitor[];
  applicationOf: Map<string, string>;
  count: number;
  log: (line: string) => void;
}): Promise<LiveConnectionsResult> {
  const { baseUrl, webPid, visitors, count, log } = input;
  const plan = Array.from({ length: count }, (_, index) => {
    const visitor = visitors[index % visitors.length];
    if (!visitor) throw new Error('no visitors');
    const applicationId = input.applicationOf.get(visitor.userId);
    const path = index % 2 === 0 && applicationId ? liveUrls.applicationEvents(applicationId) : liveUrls.events();
    return { visitor, path };
  });
  // A few streams first, so that the code paths are warm and the listening connection is open.
  const warm = await openAll(baseUrl, plan.slice(0, 20), 5);
  for (const stream of warm.open) stream.close();
  await sleep(1_000);
  const rssBeforeMb = await residentMemoryMb(webPid);
  const started = performance.now();
  const { open, refused } = await openAll(baseUrl, plan, 50);
  const openSeconds = (performance.now() - started) / 1000;
  log(`    ${open.length} streams open in ${openSeconds.toFixed(1)} s (${refused} refused)`);
  await sleep(3_000);
  const rssOpenMb = await residentMemoryMb(webPid);
  for (const stream of open) stream.close();
  await sleep(3_000);
  const rssAfterMb = await residentMemoryMb(webPid);
  const extraMb = rssOpenMb - rssBeforeMb;
  return {
    connections: open.length,
    people: visitors.length,
    refused,
    openSeconds,
    rssBeforeMb,
    rssOpenMb,
    extraMb,
    perConnectionKb: open.length ? (extraMb * 1024) / open.length : 0,
    rssAfterMb,
  };
}

/**
 * Staff send messages through web 1 (real form posts, `concurrency` at a time); the applicants' conversation pages
 * are held open on web 2. Each send is timed to the event on the applicant's stream.
 */
export async function measureLiveLatency(input: {
  client: pg.Client;
  senderUrl: string;
  receiverUrl: string;
  sessionSecret: string;
  staffSenders: { userId: string; applicationId: string }[];
  sends: number;
  concurrency: number;
  log: (line: string) => void;
}): Promise<LiveLatencyResult> {
  const { client, senderUrl, receiverUrl, log } = input;
  const applicationIds = input.staffSenders.map((sender) => sender.applicationId);
  const owners = await client.query<{ id: string; jobseeker_id: string }>(
    `select id, jobseeker_id from applications where id = any($1::uuid[])`,
    [applicationIds],
  );
  const jobseekerOf = new Map(owners.rows.map((row) => [row.id, row.jobseeker_id]));
  const senders = input.staffSenders.filter((sender) => jobseekerOf.has(sender.applicationId));
  const staffVisitors = await createVisitors(
    client,
    senderUrl,
    input.sessionSecret,
    senders.map((sender) => ({ id: sender.userId, kind: 'staff' as const })),
  );
  const staffBy = new Map(staffVisitors.map((visitor) => [visitor.userId, visitor]));
  const jobseekerIds = [...new Set(senders.map((sender) => jobseekerOf.get(sender.applicationId) ?? ''))];
  const jobseekerVisitors = await createVisitors(
    client,
    receiverUrl,
    input.sessionSecret,
    jobseekerIds.map((id) => ({ id, kind: 'jobseeker' as const })),
  );
  const jobseekerBy = new Map(jobseekerVisitors.map((visitor) => [visitor.userId, visitor]));

  // Each applicant's conversation page, held open on web 2.
  const streams = new Map<string, EventStreamClient>();
  await Promise.all(
    senders.map(async (sender) => {
      const visitor = jobseekerBy.get(jobseekerOf.get(sender.applicationId) ?? '');
      if (!visitor || streams.has(sender.applicationId)) return;
      const stream = await EventStreamClient.open(receiverUrl, liveUrls.applicationEvents(sender.applicationId), {
        headers: visitorHeaders(visitor),
      });
      if (stream.status !== 200) throw new Error(`the stream was refused: ${stream.status}`);
      await stream.waitFor((event) => event.event === 'ready', 60_000, 'ready');
      streams.set(sender.applicationId, stream);
    }),
  );
  log(`    ${streams.size} conversation pages open on web 2`);

  const fromRequest: number[] = [];
  const fromResponse: number[] = [];
  let missed = 0;
  let next = 0;
  const plan = senders.filter((sender) => streams.has(sender.applicationId));
  // One send at a time per application, so that each event belongs to one send.
  const busy = new Set<string>();
  await Promise.all(
    Array.from({ length: input.concurrency }, async (_, worker) => {
      let index = worker;
      while (next < input.sends) {
        const sender = plan[index % plan.length];
        index += input.concurrency;
        if (!sender || busy.has(sender.applicationId)) continue;
        const visitor = staffBy.get(sender.userId);
        const stream = streams.get(sender.applicationId);
        if (!visitor || !stream) continue;
        next += 1;
        busy.add(sender.applicationId);
        const seen = stream.named('new-message').length;
        const form = multipartBody({
          _csrf: visitor.csrfToken,
          formKey: randomUUID(),
          format: 'text',
          body: 'Could you come in for a short visit on Monday at 10 o’clock?',
        });
        const started = performance.now();
        const arrived = stream
          .waitFor(
            (() => {
              let count = 0;
              return (event) => event.event === 'new-message' && ++count > seen;
            })(),
            10_000,
            'the event',
          )
          .then(
            () => performance.now(),
            () => null,
          );
        const response = await fetch(`${senderUrl}/staff/applications/${sender.applicationId}/messages`, {
          method: 'POST',
          headers: { ...visitorHeaders(visitor), 'content-type': form.contentType },
          body: new Uint8Array(form.body),
          redirect: 'manual',
        });
        await response.arrayBuffer();
        const answered = performance.now();
        if (response.status !== 303) throw new Error(`the send failed: HTTP ${response.status}`);
        const at = await arrived;
        busy.delete(sender.applicationId);
        if (at === null) {
          missed += 1;
          continue;
        }
        fromRequest.push(at - started);
        fromResponse.push(Math.max(0, at - answered));
      }
    }),
  );
  for (const stream of streams.values()) stream.close();
  const request = summarise(fromRequest);
  const response = summarise(fromResponse);
  return {
    sends: fromRequest.length + missed,
    streams: streams.size,
    fromRequest: { p50: request.p50, p95: request.p95, p99: request.p99, max: Math.max(0, ...fromRequest) },
    fromResponse: { p50: response.p50, p95: response.p95, p99: response.p99 },
    missed,
  };
}
