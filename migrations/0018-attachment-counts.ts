import { sql, type Kysely } from 'kysely';

/**
 * Each conversation's number of attachments, kept on write (issue 17, docs/decisions/0020-dashboard-page-in-two-steps.md),
 * so the dashboard's paperclip costs one column instead of reading every message of each listed conversation.
 *
 * A trigger keeps it, as the dashboard's other counts are kept (migrations/0017-kept-counts.ts): sending, retention
 * and data rights keep it without knowing. `parley_recount_conversations()` now works it out from scratch too, for
 * the benchmark's load (which runs with triggers off).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table conversations add column attachment_count integer not null default 0;

    create function parley_count_attachment() returns trigger language plpgsql as $$
    begin
      update conversations c set attachment_count = c.attachment_count + (case when tg_op = 'INSERT' then 1 else -1 end)
      from messages m
      where m.id = coalesce(new.message_id, old.message_id) and c.id = m.conversation_id;
      return null;
    end $$;

    create trigger message_attachments_count
      after insert or delete on message_attachments
      for each row execute function parley_count_attachment();

    create or replace function parley_recount_conversations() returns void language sql as $$
      delete from school_conversation_counts;
      delete from staff_school_conversation_counts;
      insert into school_conversation_counts (school_id, conversations, with_applicant_messages)
        select school_id, count(*), count(*) filter (where jobseeker_message_count > 0)
        from conversations group by school_id;
      insert into staff_school_conversation_counts (user_id, school_id, archived, settled)
        select s.user_id, c.school_id,
               count(*) filter (where parley_is_archived(s.archived_at, c.last_jobseeker_message_at)),
               count(*) filter (where parley_is_settled(c.jobseeker_message_count, c.last_jobseeker_message_at,
                                                        s.seen_count, s.archived_at))
        from conversation_person_states s
        join conversations c on c.id = s.conversation_id
        join users u on u.id = s.user_id and u.kind = 'staff'
        group by s.user_id, c.school_id;
      update conversations c set attachment_count = f.count
        from (select m.conversation_id, count(*)::int as count
              from message_attachments a join messages m on m.id = a.message_id
              group by m.conversation_id) f
        where c.id = f.conversation_id and c.attachment_count <> f.count;
    $$;

    update conversations c set attachment_count = f.count
      from (select m.conversation_id, count(*)::int as count
            from message_attachments a join messages m on m.id = a.message_id
            group by m.conversation_id) f
      where c.id = f.conversation_id;
  `.execute(db);
}
