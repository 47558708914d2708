import { sql, type Kysely } from 'kysely';

/**
 * The dashboard's and the navigation's counts kept on write (issue 17, docs/decisions/0017-kept-counts.md), so a
 * trust member's counts cost one row per school they can see rather than one per conversation.
 *
 * - `school_conversation_counts`: each school's conversations, and how many have a message from the applicant.
 * - `staff_school_conversation_counts`: per staff member and school, how many of that school's conversations they
 *   have archived (and nothing new from the applicant since), and how many with a message from the applicant they
 *   have "settled": read to the end, or archived.
 *
 * Then, summed over the schools a person can see: inbox = conversations − archived; archived = archived;
 * unread inbox conversations = conversations with an applicant message − settled (a conversation nobody opened has
 * no person state, so it is unread for everyone until they open it).
 *
 * Triggers keep both tables, so every writer (sending, reading, archiving, marking unread, retention, data rights,
 * the demo) keeps them without knowing they exist. A conversation's applicant messages change the "settled" state
 * of the people who had read it to the end or archived it: that fan-out is one row per such person, found by the
 * person states' primary key. A person state takes a share lock on its conversation before reading its counts, so a
 * state written while a send is changing those counts waits for the send and counts from its result.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table school_conversation_counts (
      school_id uuid primary key references organisations (id) on delete cascade,
      conversations integer not null default 0,
      with_applicant_messages integer not null default 0
    );

    create table staff_school_conversation_counts (
      user_id uuid not null references users (id) on delete cascade,
      school_id uuid not null references organisations (id) on delete cascade,
      archived integer not null default 0,
      settled integer not null default 0,
      primary key (user_id, school_id)
    );

    -- Archived, and nothing new from the applicant since (the dashboard's own rule, in src/dashboard/repository.ts).
    create function parley_is_archived(archived_at timestamptz, last_jobseeker_message_at timestamptz)
      returns boolean language sql immutable
      return archived_at is not null
             and (last_jobseeker_message_at is null or last_jobseeker_message_at <= archived_at);

    -- Has a message from the applicant, and the person has read them all or archived the conversation.
    create function parley_is_settled(jobseeker_message_count integer, last_jobseeker_message_at timestamptz,
                                      seen_count integer, archived_at timestamptz)
      returns boolean language sql immutable
      return jobseeker_message_count > 0
             and (seen_count >= jobseeker_message_count
                  or parley_is_archived(archived_at, last_jobseeker_message_at));

    create function parley_count_person_state() returns trigger language plpgsql as $$
    declare
      state_user uuid := coalesce(new.user_id, old.user_id);
      c record;
      archived_change integer := 0;
      settled_change integer := 0;
    begin
      if (select kind from users where id = state_user) is distinct from 'staff' then
        return null;
      end if;
      select school_id, jobseeker_message_count, last_jobseeker_message_at into c
        from conversations where id = coalesce(new.conversation_id, old.conversation_id) for share;
      if not found then
        return null;
      end if;
      if tg_op <> 'INSERT' then
        archived_change := archived_change - parley_is_archived(old.archived_at, c.last_jobseeker_message_at)::int;
        settled_change := settled_change - parley_is_settled(c.jobseeker_message_count,
          c.last_jobseeker_message_at, old.seen_count, old.archived_at)::int;
      end if;
      if tg_op <> 'DELETE' then
        archived_change := archived_change + parley_is_archived(new.archived_at, c.last_jobseeker_message_at)::int;
        settled_change := settled_change + parley_is_settled(c.jobseeker_message_count,
          c.last_jobseeker_message_at, new.seen_count, new.archived_at)::int;
      end if;
      if archived_change <> 0 or settled_change <> 0 then
        insert into staff_school_conversation_counts as k (user_id, school_id, archived, settled)
        values (state_user, c.school_id, archived_change, settled_change)
        on conflict (user_id, school_id) do update
          set archived = k.archived + excluded.archived, settled = k.settled + excluded.settled;
      end if;
      return null;
    end $$;

    create trigger conversation_person_states_count
      after insert or update or delete on conversation_person_states
      for each row execute function parley_count_person_state();

    create function parley_count_conversation() returns trigger language plpgsql as $$
    declare
      school_changed boolean := tg_op <> 'UPDATE' or old.school_id is distinct from new.school_id
        or (old.jobseeker_message_count > 0) is distinct from (new.jobseeker_message_count > 0);
    begin
      -- The school's row only changes with a conversation's first message from the applicant (or its arrival or
      -- deletion), so sends in one school do not queue on it.
      if tg_op in ('UPDATE', 'DELETE') and school_changed then
        insert into school_conversation_counts as k (school_id, conversations, with_applicant_messages)
        values (old.school_id, -1, -(old.jobseeker_message_count > 0)::int)
        on conflict (school_id) do update
          set conversations = k.conversations + excluded.conversations,
              with_applicant_messages = k.with_applicant_messages + excluded.with_applicant_messages;
      end if;
      if tg_op in ('UPDATE', 'INSERT') and school_changed then
        insert into school_conversation_counts as k (school_id, conversations, with_applicant_messages)
        values (new.school_id, 1, (new.jobseeker_message_count > 0)::int)
        on conflict (school_id) do update
          set conversations = k.conversations + excluded.conversations,
              with_applicant_messages = k.with_applicant_messages + excluded.with_applicant_messages;
      end if;
      if tg_op = 'UPDATE' then
        -- The people who had this conversation settled or archived: their state may change with the applicant's
        -- message. One row per person, in a fixed order (two sends never wait on each other in a cycle).
        insert into staff_school_conversation_counts as k (user_id, school_id, archived, settled)
        select change.user_id, change.school_id, sum(change.archived), sum(change.settled)
        from (
          select s.user_id, old.school_id,
                 -parley_is_archived(s.archived_at, old.last_jobseeker_message_at)::int,
                 -parley_is_settled(old.jobseeker_message_count, old.last_jobseeker_message_at, s.seen_count,
                                    s.archived_at)::int
          from conversation_person_states s join users u on u.id = s.user_id and u.kind = 'staff'
          where s.conversation_id = old.id
          union all
          select s.user_id, new.school_id,
                 parley_is_archived(s.archived_at, new.last_jobseeker_message_at)::int,
                 parley_is_settled(new.jobseeker_message_count, new.last_jobseeker_message_at, s.seen_count,
                                   s.archived_at)::int
          from conversation_person_states s join users u on u.id = s.user_id and u.kind = 'staff'
          where s.conversation_id = new.id
        ) as change (user_id, school_id, archived, settled)
        group by change.user_id, change.school_id
        having sum(change.archived) <> 0 or sum(change.settled) <> 0
        order by change.user_id, change.school_id
        on conflict (user_id, school_id) do update
          set archived = k.archived + excluded.archived, settled = k.settled + excluded.settled;
      end if;
      return null;
    end $$;

    create trigger conversations_count_insert_delete
      after insert or delete on conversations
      for each row execute function parley_count_conversation();

    create trigger conversations_count_update
      after update of school_id, jobseeker_message_count, last_jobseeker_message_at on conversations
      for each row
      when (old.school_id is distinct from new.school_id
            or old.jobseeker_message_count is distinct from new.jobseeker_message_count
            or old.last_jobseeker_message_at is distinct from new.last_jobseeker_message_at)
      execute function parley_count_conversation();

    -- Both tables worked out from scratch: here for the data already present, and by the benchmark after loading
    -- its data set with triggers off.
    create function parley_recount_conversations() returns void language sql as $$
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
    $$;

    select parley_recount_conversations();

    -- The inbox's pages across many schools: the conversations in time order, so a trust member's page walks the
    -- newest conversations and stops at the page's end instead of sorting all of the trust's (one school's page
    -- still walks that school's index).
    create index conversations_last_message_idx on conversations (last_message_at desc, id desc)
      include (school_id, application_id, last_message_id, jobseeker_message_count, last_jobseeker_message_at);
  `.execute(db);
}
