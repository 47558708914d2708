import { sql, type Kysely } from 'kysely';

/**
 * A person's state in one conversation, found by both keys whichever index the planner takes (issue 17,
 * docs/decisions/0020-dashboard-page-in-two-steps.md).
 *
 * The per-person index was `(user_id) include (conversation_id, …)`. A prepared statement's generic plan for "this
 * person's state in this conversation" preferred it to the primary key (it needs no table visit), with the
 * conversation as a filter: it read every state the person has (7,510 rows, 0.5–0.7 ms, for the benchmark's trust
 * member) on every conversation page, growing with what they have read. With the conversation in the key, that
 * plan is a single lookup too; the dashboard's uses (the person's states, the archived tab) read a prefix of it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index conversation_person_states_user_conversation_idx
      on conversation_person_states (user_id, conversation_id) include (seen_count, archived_at);
    drop index conversation_person_states_user_idx;
    alter index conversation_person_states_user_conversation_idx rename to conversation_person_states_user_idx;
  `.execute(db);
}
