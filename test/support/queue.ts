import { setTimeout as pause } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db.ts';
import type { QueueName } from '../../src/platform/queue.ts';

/** Jobs of the given queues that are due or running: waiting, to be retried, or held by a worker (live or killed). */
export async function unsettledJobs(db: Db, queues: readonly QueueName[]): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    select count(*)::int as count from pgboss.job
    where name = any(${[...queues]})
      and (state in ('retry', 'active') or (state = 'created' and start_after <= now()))
  `.execute(db);
  return rows[0]?.count ?? 0;
}

/**
 * Waits until the queues have settled: no job of theirs is due, waiting for a retry or running. A job held by a worker
 * that was killed counts until pg-boss gives up on it (its heartbeat) and it is retried, so afterwards every
 * duplicate that could happen has happened. Polls with a deadline instead of sleeping for a guessed time.
 */
export async function waitForQueuesSettled(db: Db, queues: readonly QueueName[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = await unsettledJobs(db, queues);
    if (remaining === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`the queues ${queues.join(', ')} did not settle in ${timeoutMs} ms: ${remaining} job(s) left`);
    }
    await pause(200);
  }
}
