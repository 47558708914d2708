import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db.ts';

/**
 * The dashboard's kept counts (migrations/0017-kept-counts.ts) for these schools must equal the same counts worked
 * out from scratch from the conversations and the person states, in one statement (one snapshot). Rows that are all
 * zero are the same as no row. So must each conversation's kept attachment count.
 */
export async function assertKeptCountsAgree(db: Db, schoolIds: string[]): Promise<void> {
  const result = await sql<{ kept: string | null; computed: string | null }>`
    with computed_schools as (
      select school_id, count(*)::int as conversations,
             (count(*) filter (where jobseeker_message_count > 0))::int as with_applicant_messages
      from conversations where school_id = any(${schoolIds}::uuid[]) group by school_id
    ),
    computed_people as (
      select s.user_id, c.school_id,
             (count(*) filter (where s.archived_at is not null
               and (c.last_jobseeker_message_at is null or c.last_jobseeker_message_at <= s.archived_at)))::int as archived,
             (count(*) filter (where c.jobseeker_message_count > 0 and (s.seen_count >= c.jobseeker_message_count
               or (s.archived_at is not null
                   and (c.last_jobseeker_message_at is null or c.last_jobseeker_message_at <= s.archived_at)))))::int
               as settled
      from conversation_person_states s
      join conversations c on c.id = s.conversation_id
      join users u on u.id = s.user_id and u.kind = 'staff'
      where c.school_id = any(${schoolIds}::uuid[])
      group by s.user_id, c.school_id
    ),
    kept_schools as (
      select school_id, conversations, with_applicant_messages from school_conversation_counts
      where school_id = any(${schoolIds}::uuid[]) and (conversations, with_applicant_messages) <> (0, 0)
    ),
    kept_people as (
      select user_id, school_id, archived, settled from staff_school_conversation_counts
      where school_id = any(${schoolIds}::uuid[]) and (archived, settled) <> (0, 0)
    )
    select
      (select json_agg(k order by k.school_id)::text from kept_schools k) || ' / ' ||
      coalesce((select json_agg(k order by k.user_id, k.school_id)::text from kept_people k), '[]') as kept,
      (select json_agg(k order by k.school_id)::text from computed_schools k) || ' / ' ||
      coalesce((select json_agg(k order by k.user_id, k.school_id)::text
                from computed_people k where (k.archived, k.settled) <> (0, 0)), '[]') as computed
  `.execute(db);
  const row = result.rows[0];
  assert.ok(row);
  assert.equal(row.kept, row.computed, 'the kept counts differ from the counts worked out from scratch');
  // Each conversation's attachments (migrations/0018-attachment-counts.ts), for the dashboard's "Has attachments".
  const attachments = await sql<{ id: string; kept: number; computed: number }>`
    select c.id, c.attachment_count as kept,
           (select count(*)::int from message_attachments f join messages m on m.id = f.message_id
            where m.conversation_id = c.id) as computed
    from conversations c where c.school_id = any(${schoolIds}::uuid[])
  `.execute(db);
  const differing = attachments.rows.filter((conversation) => conversation.kept !== conversation.computed);
  assert.deepEqual(differing, [], 'kept attachment counts differ from the attachments');
}
