import { sql, type Kysely } from 'kysely';

/**
 * One count model (issue 11): a conversation's new messages make one unread notification per person, which counts
 * its messages, rather than one notification per message. Unread message notifications already stored for the same
 * person and application are folded into their newest one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table notifications add column message_count integer not null default 1;

    with groups as (
      select id, count(*) over (partition by user_id, application_id) as messages,
             row_number() over (partition by user_id, application_id order by created_at desc, id desc) as newest
      from notifications
      where read_at is null and message_id is not null
    )
    update notifications n set message_count = g.messages
    from groups g where g.id = n.id and g.newest = 1 and g.messages > 1;

    delete from notifications n
    using (
      select id, row_number() over (partition by user_id, application_id order by created_at desc, id desc) as newest
      from notifications
      where read_at is null and message_id is not null
    ) g
    where g.id = n.id and g.newest > 1;
  `.execute(db);
}
