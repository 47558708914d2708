import { sql, type Kysely } from 'kysely';

/**
 * Measured with `npm run bench` (see docs/performance.md) at a million messages:
 *
 * - application_watchers read its followers through a CTE, which PostgreSQL materialises for every application
 *   before filtering: 1.5 s to find the watchers of one application, in every jobseeker's send transaction and in
 *   each daily email. The same rows, written without the CTE (the "no visible follower" test spelt out as
 *   correlated EXISTS), let the planner narrow by application or person first: about 1 ms.
 * - The dashboard and the navigation count read four columns of each visible conversation and the person's own
 *   read state. Both indexes now carry those columns, so a trust's 10,000 conversations are read from the indexes
 *   (hundreds of pages) instead of one heap page per conversation.
 * - The daily email looks up vacancies by their creator (a default follower).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace view application_watchers as
      select af.application_id, af.user_id
      from application_followers af
      join applications a on a.id = af.application_id
      join vacancies v on v.id = a.vacancy_id
      join users u on u.id = af.user_id and u.closed_at is null and u.kind = 'staff'
      where exists (
        select 1 from staff_memberships m where m.user_id = af.user_id
          and (m.organisation_id = v.school_id
               or m.organisation_id in (select g.group_id from school_group_members g where g.school_id = v.school_id))
      )
      union
      -- No follower can see it: every staff member of the school. "No visible follower" is: no explicit follower
      -- who can see it, and not the vacancy's creator (unless they unfollowed) who can see it.
      select a.id, m.user_id
      from applications a
      join vacancies v on v.id = a.vacancy_id
      join staff_memberships m on m.organisation_id = v.school_id
      join users u on u.id = m.user_id and u.closed_at is null
      where not exists (
          select 1 from application_follows f
          join users fu on fu.id = f.user_id and fu.closed_at is null and fu.kind = 'staff'
          where f.application_id = a.id and f.following
            and exists (
              select 1 from staff_memberships fm where fm.user_id = f.user_id
                and (fm.organisation_id = v.school_id
                     or fm.organisation_id in (select g.group_id from school_group_members g where g.school_id = v.school_id))
            )
        )
        and not (
          v.created_by is not null
          and not exists (select 1 from application_follows f where f.application_id = a.id and f.user_id = v.created_by)
          and exists (select 1 from users cu where cu.id = v.created_by and cu.closed_at is null and cu.kind = 'staff')
          and exists (
            select 1 from staff_memberships cm where cm.user_id = v.created_by
              and (cm.organisation_id = v.school_id
                   or cm.organisation_id in (select g.group_id from school_group_members g where g.school_id = v.school_id))
          )
        );

    drop index conversations_school_last_message_idx;
    create index conversations_school_last_message_idx on conversations (school_id, last_message_at desc, id desc)
      include (application_id, last_message_id, jobseeker_message_count, last_jobseeker_message_at);

    drop index conversation_person_states_user_idx;
    create index conversation_person_states_user_idx on conversation_person_states (user_id)
      include (conversation_id, seen_count, archived_at);

    create index vacancies_created_by_idx on vacancies (created_by);
  `.execute(db);
}
