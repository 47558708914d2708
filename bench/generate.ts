/**
 * Generates the benchmark's data set inside PostgreSQL: `insert ... select` over generate_series, so the rows are
 * made and written by the server itself with no client round trip per row (pg-copy-streams, which COPY FROM STDIN
 * needs with node-postgres, is not installed, and server-side generation avoids shipping ~400 MB over the socket).
 * Randomness is a hash of each row's number (hashint8extended), so a given scale always makes the same shapes.
 *
 * The two heavy steps (messages and their conversations' counters and search documents) run on two connections at
 * once, one per half of the conversations, to use both cores. Secondary indexes of the big tables are dropped
 * before the load and built again after it (faster than maintaining them row by row), then everything is
 * vacuumed and analysed, as autovacuum would have left a live database.
 */
import pg from 'pg';
import { hashPassword } from '../src/accounts/password.ts';
import { prepareMessageBody } from '../src/messaging/rich-text.ts';
import { searchableText } from '../src/messaging/service.ts';
import { benchPassword, type DataShape } from './shape.ts';
import { firstNames, jobTitles, messageWords, placeNames, schoolKinds, surnames } from './vocabulary.ts';

type Log = (line: string) => void;

/** Tables whose non-constraint indexes are built after the load. */
const bulkTables = [
  'applications',
  'application_status_changes',
  'conversations',
  'messages',
  'message_attachments',
  'conversation_person_states',
  'application_follows',
  'notifications',
];

const sentenceCount = 20_000;

async function timed<T>(log: Log, label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  log(`  ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** Two halves of the conversations, for the steps that run on both connections at once. */
function halves(shape: DataShape): [[number, number], [number, number]] {
  const middle = Math.floor(shape.conversations / 2);
  return [
    [0, middle - 1],
    [middle, shape.conversations - 1],
  ];
}

async function openClient(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: 'parley-bench-load' });
  await client.connect();
  await client.query(`set work_mem = '512MB'; set maintenance_work_mem = '1GB'; set synchronous_commit = off`);
  return client;
}

export interface LoadResult {
  seconds: number;
  rows: Record<string, number>;
}

export async function loadDataSet(connectionString: string, shape: DataShape, log: Log): Promise<LoadResult> {
  const started = performance.now();
  const a = await openClient(connectionString);
  const b = await openClient(connectionString);
  const both = async (statement: (from: number, to: number) => string) => {
    const [first, second] = halves(shape);
    await Promise.all([a.query(statement(...first)), b.query(statement(...second))]);
  };
  try {
    const s = shape;
    const passwordHash = await hashPassword(benchPassword);

    // Foreign keys are checked by triggers; as a superuser the load skips them (the data is made consistent and
    // checked afterwards). Without superuser rights they are simply checked.
    for (const client of [a, b]) {
      await client
        .query(`set session_replication_role = replica`)
        .catch(() => log('  (not a superuser: foreign keys are checked row by row)'));
    }

    const dropped = await timed(log, 'drop secondary indexes', async () => {
      const { rows } = await a.query<{ indexname: string; indexdef: string }>(
        `select i.indexname, i.indexdef from pg_indexes i
         where i.schemaname = 'public' and i.tablename = any($1)
           and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
        [bulkTables],
      );
      for (const row of rows) await a.query(`drop index "${row.indexname}"`);
      return rows;
    });

    await timed(log, 'vocabulary and sentences', async () => {
      await a.query(`
        drop schema if exists bench_gen cascade;
        create schema bench_gen;
        -- A uniform number in [0, 1) from a row number and a seed.
        create function bench_gen.u(x bigint, seed int) returns float8 language sql immutable parallel safe
          as $$ select ((hashint8extended(x, seed) >> 11) & 9007199254740991)::float8 / 9007199254740992.0 $$;
        create function bench_gen.pick(x bigint, seed int, n int) returns int language sql immutable parallel safe
          as $$ select least(floor(bench_gen.u(x, seed) * n)::int, n - 1) $$;
        -- tsvector || tsvector as an aggregate: the search document exactly as the send transaction builds it.
        create aggregate bench_gen.tsvector_agg(tsvector) (sfunc = tsvector_concat, stype = tsvector, initcond = '');
        create table bench_gen.list (kind text, n int, value text, primary key (kind, n));
      `);
      const lists: Record<string, string[]> = {
        word: messageWords,
        first: firstNames,
        surname: surnames,
        title: jobTitles,
        place: placeNames,
        school_kind: schoolKinds,
      };
      for (const [kind, values] of Object.entries(lists)) {
        await a.query(
          `insert into bench_gen.list select $1, (o - 1)::int, v from unnest($2::text[]) with ordinality as t(v, o)`,
          [kind, values],
        );
      }
      await a.query(`
        create function bench_gen.item(kind text, x bigint, seed int) returns text language sql stable parallel safe
          as $$ select value from bench_gen.list l where l.kind = $1
                and l.n = bench_gen.pick($2, $3, (select count(*)::int from bench_gen.list c where c.kind = $1)) $$;
        create table bench_gen.sentences (n int primary key, text text not null);
        -- Sentences of 4 to 15 words; the first words of the list are the common ones.
        insert into bench_gen.sentences
        select s, upper(left(x.body, 1)) || substr(x.body, 2) || case when bench_gen.u(s, 13) < 0.1 then '?' else '.' end
        from generate_series(0, ${sentenceCount - 1}) s
        cross join lateral (
          select string_agg(w.value, ' ' order by i) as body
          from generate_series(1, 4 + bench_gen.pick(s, 11, 12)) i
          join bench_gen.list w on w.kind = 'word'
            and w.n = least(floor(${messageWords.length} * power(bench_gen.u(s * 100 + i, 12), 2.2))::int, ${messageWords.length - 1})
        ) x;
      `);
    });

    await timed(log, 'organisations, staff, jobseekers, vacancies', async () => {
      await a.query(`
        create table bench_gen.groups as
        select g as n, gen_random_uuid() as id,
               case when g = 0 then 'Northgate Learning Trust'
                    when g % 4 = 3 then bench_gen.item('place', g, 21) || ' Council'
                    else bench_gen.item('place', g, 21) || ' Academy Trust' end as name,
               case when g % 4 = 3 then 'local_authority' else 'multi_academy_trust' end as kind
        from generate_series(0, ${s.groups - 1}) g;

        create table bench_gen.schools as
        select n, gen_random_uuid() as id,
               bench_gen.item('place', n, 22) || ' ' || bench_gen.item('school_kind', n, 23) as name,
               case when n < ${s.bigTrustSchools} or ${s.groups} = 1 then 0 else 1 + (n - ${s.bigTrustSchools}) % ${Math.max(1, s.groups - 1)} end as group_n
        from generate_series(0, ${s.schools - 1}) n;
        alter table bench_gen.schools add primary key (n);

        -- Staff 0-4 belong to the big trust (staff 0 is the one the dashboard is measured for), then two per other
        -- group; the rest belong to schools, round robin.
        create table bench_gen.staff as
        select n, gen_random_uuid() as id,
               bench_gen.item('first', n, 31) || ' ' || bench_gen.item('surname', n, 32) as full_name,
               case when n < ${s.groupStaff} then null else (n - ${s.groupStaff}) % ${s.schools} end as school_n,
               case when n < 5 then 0 when n < ${s.groupStaff} then 1 + (n - 5) / 2 end as group_n
        from generate_series(0, ${s.staff - 1}) n;
        alter table bench_gen.staff add primary key (n);
        alter table bench_gen.staff add column org_id uuid, add column org_name text;
        update bench_gen.staff t set org_id = coalesce(sc.id, g.id), org_name = coalesce(sc.name, g.name)
        from bench_gen.staff x left join bench_gen.schools sc on sc.n = x.school_n left join bench_gen.groups g on g.n = x.group_n
        where x.n = t.n;

        create table bench_gen.jobseekers as
        select n, gen_random_uuid() as id, bench_gen.item('first', n, 35) || ' ' || bench_gen.item('surname', n, 36) as full_name
        from generate_series(0, ${s.jobseekers - 1}) n;
        alter table bench_gen.jobseekers add primary key (n);

        -- Five vacancies per school, each created by one of its staff.
        create table bench_gen.vacancies as
        select n, gen_random_uuid() as id, n % ${s.schools} as school_n, n / ${s.schools} as idx,
               bench_gen.item('title', n, 41) as title, (now() + make_interval(days => bench_gen.pick(n, 42, 120) - 60))::date as closing_date
        from generate_series(0, ${s.schools * 5 - 1}) n;
        alter table bench_gen.vacancies add primary key (n);
        alter table bench_gen.vacancies add column creator_n int;
        update bench_gen.vacancies set creator_n = ${s.groupStaff} + school_n
          + (idx % ((${s.staff - s.groupStaff} - school_n + ${s.schools} - 1) / ${s.schools})) * ${s.schools};

        insert into organisations (id, name, kind, created_at)
        select id, name, kind, now() - interval '3 years' from bench_gen.groups
        union all select id, name, 'school', now() - interval '3 years' from bench_gen.schools;
        insert into school_group_members (group_id, school_id)
        select g.id, sc.id from bench_gen.schools sc join bench_gen.groups g on g.n = sc.group_n;

      `);
      await a.query(
        `
        insert into users (id, kind, email, full_name, password_hash, closed_at, email_notifications, created_at)
        select id, 'staff', 'staff' || n || '@' || coalesce('school' || school_n, 'group' || group_n) || '.bench.example', full_name, $1,
               case when n >= 5 and n % 211 = 17 then now() - interval '30 days' end,
               not (n >= 5 and n % 37 = 11),
               now() - interval '2 years'
        from bench_gen.staff
        union all
        select id, 'jobseeker', 'jobseeker' || n || '@bench.example', full_name, $1, null, n % 23 <> 4, now() - interval '1 year'
        from bench_gen.jobseekers`,
        [passwordHash],
      );
      await a.query(`
        insert into staff_memberships (user_id, organisation_id) select id, org_id from bench_gen.staff;

        insert into vacancies (id, school_id, title, description, closing_date, status, created_by, created_at)
        select v.id, sc.id, v.title, 'We are looking for a ' || lower(v.title) || ' to join our team.', v.closing_date,
               case when v.closing_date >= current_date then 'published' else 'closed' end, st.id, now() - interval '200 days'
        from bench_gen.vacancies v join bench_gen.schools sc on sc.n = v.school_n join bench_gen.staff st on st.n = v.creator_n;
      `);
    });

    await timed(log, 'applications', async () => {
      // Conversation n: the first ones belong to the big trust's schools; conversation 0 is the 200-message one.
      // The message count of the others is 1 + an exponential (mean ~10), adjusted below to the exact total.
      const meanExtra = (s.messages - 200) / (s.conversations - 1) - 1;
      const lambda = 1 / Math.log(1 + 1 / Math.max(meanExtra, 0.05));
      await a.query(`
        create table bench_gen.convs as
        select n, gen_random_uuid() as application_id, gen_random_uuid() as conversation_id,
               case when n < ${s.bigTrustConversations} then n % ${s.bigTrustSchools}
                    else ${s.bigTrustSchools} + (n - ${s.bigTrustConversations}) % ${Math.max(1, s.schools - s.bigTrustSchools)} end as school_n,
               ((n::bigint * 7919 + 13) % ${s.jobseekers})::int as jobseeker_n,
               case when n = 0 then 'interviewing'
                    else (array['submitted', 'shortlisted', 'interviewing', 'offered', 'declined', 'not_progressing', 'withdrawn'])[
                      1 + (bench_gen.u(n, 52) >= 0.33)::int + (bench_gen.u(n, 52) >= 0.52)::int + (bench_gen.u(n, 52) >= 0.70)::int
                        + (bench_gen.u(n, 52) >= 0.76)::int + (bench_gen.u(n, 52) >= 0.79)::int + (bench_gen.u(n, 52) >= 0.95)::int] end as status,
               case when n = 0 then 200 else least(80, 1 + floor(-ln(1 - bench_gen.u(n, 53)) * ${lambda})::int) end as msg_count,
               case when n = 0 then now() - interval '2 hours'
                    else now() - make_interval(secs => 150 * 86400 * power(bench_gen.u(n, 54), 2.2)) end as end_at,
               case when n = 0 then 3 * 3600 else (1 + 47 * bench_gen.u(n, 55)) * 3600 end as gap_s
        from generate_series(0, ${s.conversations - 1}) n;
        alter table bench_gen.convs add primary key (n);
      `);
      const { rows } = await a.query<{ total: string }>(`select sum(msg_count) as total from bench_gen.convs`);
      const difference = s.messages - Number(rows[0]?.total ?? 0);
      if (difference !== 0) {
        await a.query(`
          update bench_gen.convs set msg_count = msg_count + ${Math.sign(difference)}
          where n in (select n from bench_gen.convs where n > 0 and (${difference} > 0 or msg_count >= 2) order by bench_gen.u(n, 56) limit ${Math.abs(difference)})
        `);
      }
      await a.query(`
        alter table bench_gen.convs
          add column vacancy_n int, add column school_id uuid, add column school_name text, add column group_n int,
          add column title text, add column vacancy_id uuid, add column creator_id uuid, add column jobseeker_id uuid,
          add column candidate_name text, add column staff_per_school int, add column group_base int, add column group_count int,
          add column submitted_at timestamptz;
        update bench_gen.convs c set
          vacancy_n = v.n, school_id = sc.id, school_name = sc.name, group_n = sc.group_n, title = v.title, vacancy_id = v.id,
          creator_id = cr.id, jobseeker_id = j.id, candidate_name = j.full_name,
          staff_per_school = (${s.staff - s.groupStaff} - c.school_n + ${s.schools} - 1) / ${s.schools},
          group_base = case when sc.group_n = 0 then 0 else 5 + 2 * (sc.group_n - 1) end,
          group_count = case when sc.group_n = 0 then 5 else 2 end,
          submitted_at = c.end_at - make_interval(secs => (c.msg_count - 1) * c.gap_s) - interval '3 days'
        from bench_gen.schools sc, bench_gen.vacancies v, bench_gen.staff cr, bench_gen.jobseekers j
        where sc.n = c.school_n and v.n = bench_gen.pick(c.n, 51, 5) * ${s.schools} + c.school_n and cr.n = v.creator_n and j.n = c.jobseeker_n;

        insert into applications (id, vacancy_id, jobseeker_id, status, candidate_name, contact_email, personal_statement, submitted_at, created_at, updated_at)
        select c.application_id, c.vacancy_id, c.jobseeker_id, c.status, c.candidate_name, 'jobseeker' || c.jobseeker_n || '@bench.example',
               (select text from bench_gen.sentences where n = bench_gen.pick(c.n, 57, ${sentenceCount})) || ' '
                 || (select text from bench_gen.sentences where n = bench_gen.pick(c.n, 58, ${sentenceCount})),
               c.submitted_at, c.submitted_at - interval '1 day', c.submitted_at + case when c.status = 'submitted' then interval '0' else interval '1 day' end
        from bench_gen.convs c;

        insert into application_status_changes (application_id, actor_user_id, from_status, to_status, changed_at)
        select application_id, jobseeker_id, 'draft', 'submitted', submitted_at from bench_gen.convs
        union all
        select application_id, case when status = 'withdrawn' then jobseeker_id else creator_id end, 'submitted', status, submitted_at + interval '1 day'
        from bench_gen.convs where status <> 'submitted';
      `);
    });

    await timed(log, 'messages (staging, two connections)', async () => {
      await a.query(`
        create unlogged table bench_gen.msg (
          conv_n int not null, j int not null, id uuid not null, kind text not null, sender_n int not null,
          sent_at timestamptz not null, side_position int not null, body_text text not null, attachment text
        )`);
      // Most of a conversation's staff messages come from one person; 12% of staff messages in a group's schools
      // come from the group's own staff. Message texts are 1 to 30 sentences, in one or more paragraphs.
      await both(
        (from, to) => `
        insert into bench_gen.msg
        select c.n, j, gen_random_uuid(), k.kind,
               case when k.kind = 'jobseeker' then c.jobseeker_n
                    when k.v < 0.12 then c.group_base + least(floor(k.v / 0.12 * c.group_count)::int, c.group_count - 1)
                    else ${s.groupStaff} + c.school_n + least(floor((k.v - 0.12) / 0.88 * c.staff_per_school)::int, c.staff_per_school - 1) * ${s.schools} end,
               c.end_at - make_interval(secs => (c.msg_count - 1 - j) * c.gap_s)
                 + case when j < c.msg_count - 1 then make_interval(secs => bench_gen.u(c.n::bigint * 1000 + j, 68) * 0.45 * c.gap_s) else interval '0' end,
               row_number() over (partition by c.n, k.kind order by j),
               body.text,
               case when bench_gen.u(c.n::bigint * 1000 + j, 69) < 0.02
                    then case k.kind when 'jobseeker' then 'CV ' || c.candidate_name || '.pdf' else 'Interview timetable ' || (j + 1) || '.docx' end end
        from bench_gen.convs c
        cross join lateral generate_series(0, c.msg_count - 1) j
        cross join lateral (
          select case when j = 0 then 'staff'
                      when c.n = 0 then case when j % 2 = 1 then 'jobseeker' else 'staff' end
                      when bench_gen.u(c.n::bigint * 1000 + j, 61) < 0.5 then 'jobseeker' else 'staff' end as kind,
                 case when bench_gen.u(c.n::bigint * 1000 + j, 65) < 0.8 then bench_gen.u(c.n, 66) else bench_gen.u(c.n::bigint * 1000 + j, 67) end as v
        ) k
        cross join lateral (
          select string_agg(st.text, case when bench_gen.u(c.n::bigint * 100000 + j * 100 + i, 63) < 0.2 then E'\\n\\n' else ' ' end order by i) as text
          from generate_series(1, least(30, 1 + floor(-ln(1 - bench_gen.u(c.n::bigint * 1000 + j, 62)) * 2.5)::int)) i
          join bench_gen.sentences st on st.n = bench_gen.pick(c.n::bigint * 100000 + j * 100 + i, 64, ${sentenceCount})
        ) body
        where c.n between ${from} and ${to}`,
      );
      await a.query(`create index on bench_gen.msg (conv_n, j)`);
    });

    await timed(log, 'conversations: counters and search documents (two connections)', async () => {
      await both(
        (from, to) => `
        insert into conversations (id, application_id, created_at, last_message_at, last_message_id, jobseeker_message_count,
                                   staff_message_count, last_jobseeker_message_at, school_id, search_vector)
        select c.conversation_id, c.application_id, min(m.sent_at), max(m.sent_at), (array_agg(m.id order by m.sent_at desc, m.id desc))[1],
               count(*) filter (where m.kind = 'jobseeker'), count(*) filter (where m.kind = 'staff'),
               max(m.sent_at) filter (where m.kind = 'jobseeker'), c.school_id,
               setweight(to_tsvector('parley_search', c.candidate_name || ' ' || c.title || ' ' || c.school_name), 'A')
                 || bench_gen.tsvector_agg(to_tsvector('parley_search', m.body_text || coalesce(' ' || m.attachment || coalesce(' ' || (
                      -- searchableText(): words joined by punctuation ("Taylor.pdf") are added again split ("Taylor pdf").
                      -- Only file names have such words here: the message texts' punctuation ends their words.
                      select string_agg(regexp_replace(t[1], '[^[:alnum:]]+', ' ', 'g'), ' ')
                      from regexp_matches(m.attachment, '(\\S*[[:alnum:]][^[:space:][:alnum:]]+[[:alnum:]]\\S*)', 'g') as t), ''), ''))
                    order by m.sent_at, m.id)
        from bench_gen.convs c join bench_gen.msg m on m.conv_n = c.n
        where c.n between ${from} and ${to}
        group by c.n, c.conversation_id, c.application_id, c.school_id, c.candidate_name, c.title, c.school_name`,
      );
    });

    await timed(log, 'messages (two connections, in the order they were sent)', async () => {
      await both(
        (from, to) => `
        insert into messages (id, conversation_id, sender_user_id, sender_kind, sender_display_name, side_position, body_html, body_text, form_key, sent_at)
        select m.id, c.conversation_id, case m.kind when 'staff' then st.id else c.jobseeker_id end, m.kind,
               case m.kind when 'staff' then st.full_name || ', ' || st.org_name else c.candidate_name end,
               m.side_position, '<p>' || replace(m.body_text, E'\\n\\n', '</p><p>') || '</p>', m.body_text, gen_random_uuid(), m.sent_at
        from bench_gen.msg m join bench_gen.convs c on c.n = m.conv_n
        left join bench_gen.staff st on st.n = m.sender_n and m.kind = 'staff'
        where c.n between ${from} and ${to}
        order by m.sent_at`,
      );
      await a.query(`
        insert into message_attachments (message_id, storage_key, file_name, content_type, size_bytes, scan_result, created_at)
        select id, 'bench-' || id, attachment,
               case when attachment like '%.pdf' then 'application/pdf' else 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' end,
               20000 + bench_gen.pick(conv_n::bigint * 1000 + j, 70, 400000), 'clean', sent_at
        from bench_gen.msg where attachment is not null`);
    });

    await timed(log, 'read states, follows, notifications', async () => {
      await a.query(`
        -- Staff who wrote have seen the jobseeker's messages before their last one; one in ten archived it a day later.
        create table bench_gen.staff_seen as
        select distinct on (m.conv_n, m.sender_n) m.conv_n, m.sender_n, m.j - m.side_position + 1 as seen, m.sent_at
        from bench_gen.msg m where m.kind = 'staff'
        order by m.conv_n, m.sender_n, m.j desc;

        insert into conversation_person_states (conversation_id, user_id, seen_count, archived_at)
        select conversation_id, user_id, max(seen), max(archived_at) from (
          -- the jobseeker: a quarter have not read the latest one or two staff messages
          select c.conversation_id, c.jobseeker_id as user_id,
                 greatest(cv.staff_message_count - case when bench_gen.u(c.n, 71) < 0.25 then 1 + bench_gen.pick(c.n, 72, 2) else 0 end, 0) as seen,
                 null::timestamptz as archived_at
          from bench_gen.convs c join conversations cv on cv.id = c.conversation_id
          union all
          select c.conversation_id, st.id, ss.seen,
                 case when bench_gen.u(ss.conv_n::bigint * 100000 + ss.sender_n, 73) < 0.1 and ss.sent_at + interval '1 day' < now()
                      then ss.sent_at + interval '1 day' end
          from bench_gen.staff_seen ss join bench_gen.convs c on c.n = ss.conv_n join bench_gen.staff st on st.n = ss.sender_n
          union all
          -- the vacancy's creator has read most of it
          select c.conversation_id, c.creator_id,
                 case when bench_gen.u(c.n, 74) < 0.8 then cv.jobseeker_message_count
                      else greatest(cv.jobseeker_message_count - 1 - bench_gen.pick(c.n, 75, 2), 0) end,
                 null
          from bench_gen.convs c join conversations cv on cv.id = c.conversation_id
          union all
          -- the measured trust member has opened 70% of the trust's conversations and archived some
          select c.conversation_id, (select id from bench_gen.staff where n = 0),
                 case when bench_gen.u(c.n, 76) < 0.55 then cv.jobseeker_message_count
                      else greatest(cv.jobseeker_message_count - 1 - bench_gen.pick(c.n, 78, 3), 0) end,
                 case when bench_gen.u(c.n, 77) < 0.06 then least(cv.last_message_at + interval '1 hour', now() - interval '1 minute')
                      when bench_gen.u(c.n, 77) < 0.10 then cv.last_message_at - interval '2 days' end
          from bench_gen.convs c join conversations cv on cv.id = c.conversation_id
          where c.group_n = 0 and c.n > 0 and bench_gen.u(c.n, 76) < 0.7
        ) states
        group by conversation_id, user_id;

        insert into application_follows (application_id, user_id, following, updated_at)
        select c.application_id, st.id, true, min(ss.sent_at)
        from bench_gen.staff_seen ss join bench_gen.convs c on c.n = ss.conv_n join bench_gen.staff st on st.n = ss.sender_n
        group by c.application_id, st.id;
      `);
      // One notification per message: to the jobseeker for staff messages, to the vacancy's creator for the
      // jobseeker's; read if its recipient has seen that message.
      await both(
        (from, to) => `
        insert into notifications (user_id, application_id, message_id, text, link, created_at, read_at)
        select r.user_id, c.application_id, m.id,
               case m.kind when 'staff' then c.school_name || ' sent you a message about ' || c.title
                           else c.candidate_name || ' replied about ' || c.title end,
               case m.kind when 'staff' then '/applications/' || c.application_id || '#messages'
                           else '/staff/applications/' || c.application_id || '#messages' end,
               m.sent_at,
               case when m.side_position <= coalesce(ps.seen_count, 0) then least(m.sent_at + interval '2 hours', now()) end
        from bench_gen.msg m join bench_gen.convs c on c.n = m.conv_n
        cross join lateral (select case m.kind when 'staff' then c.jobseeker_id else c.creator_id end as user_id) r
        left join conversation_person_states ps on ps.conversation_id = c.conversation_id and ps.user_id = r.user_id
        where c.n between ${from} and ${to}`,
      );
    });

    await timed(log, 'build indexes', async () => {
      // Two at a time, one per connection (each may also use parallel workers).
      const queue = [...dropped];
      await Promise.all(
        [a, b].map(async (client) => {
          for (let next = queue.shift(); next; next = queue.shift()) await client.query(next.indexdef);
        }),
      );
    });

    // The dashboard's kept counts (migrations/0017-kept-counts.ts), which the load's triggers did not keep.
    await timed(log, 'kept counts', () => a.query(`select parley_recount_conversations()`));

    const rows = await timed(log, 'check consistency', async () => {
      await checkAgainstParley(a);
      return checkConsistency(a);
    });

    await timed(log, 'vacuum and analyse', async () => {
      await a.query(`drop schema bench_gen cascade`);
      await a.query(`vacuum (analyze)`);
    });
    return { seconds: (performance.now() - started) / 1000, rows };
  } finally {
    await a.end();
    await b.end();
  }
}

/**
 * Proves the denormalised fields agree with the rows they summarise (what the send transaction would have kept),
 * and returns the row counts. Throws on any disagreement.
 */
async function checkConsistency(client: pg.Client): Promise<Record<string, number>> {
  const problems: string[] = [];
  const check = async (label: string, query: string) => {
    const { rows } = await client.query<{ bad: string }>(query);
    const bad = Number(rows[0]?.bad ?? 0);
    if (bad > 0) problems.push(`${label}: ${bad}`);
  };
  await check(
    'conversation counters',
    `select count(*) as bad from conversations c join (
       select conversation_id, count(*) filter (where sender_kind = 'jobseeker') as js, count(*) filter (where sender_kind = 'staff') as st,
              max(sent_at) as last_at, max(sent_at) filter (where sender_kind = 'jobseeker') as last_js,
              max(side_position) filter (where sender_kind = 'jobseeker') as js_pos, max(side_position) filter (where sender_kind = 'staff') as st_pos
       from messages group by conversation_id) m on m.conversation_id = c.id
     where c.jobseeker_message_count <> m.js or c.staff_message_count <> m.st or c.last_message_at <> m.last_at
        or c.last_jobseeker_message_at is distinct from m.last_js or coalesce(m.js_pos, 0) <> m.js or coalesce(m.st_pos, 0) <> m.st`,
  );
  await check(
    'last message',
    `select count(*) as bad from conversations c join messages m on m.id = c.last_message_id
     where m.conversation_id <> c.id or m.sent_at <> c.last_message_at`,
  );
  await check(
    'conversation school',
    `select count(*) as bad from conversations c join applications a on a.id = c.application_id join vacancies v on v.id = a.vacancy_id
     where v.school_id <> c.school_id`,
  );
  await check(
    'read state beyond the count',
    `select count(*) as bad from conversation_person_states s join conversations c on c.id = s.conversation_id
     join users u on u.id = s.user_id
     where s.seen_count > case u.kind when 'staff' then c.jobseeker_message_count else c.staff_message_count end`,
  );
  await check(
    'messages without a sender',
    `select count(*) as bad from messages m left join users u on u.id = m.sender_user_id where u.id is null or u.kind <> m.sender_kind`,
  );
  const { rows } = await client.query<{ name: string; count: string }>(`
    select 'organisations' as name, count(*) from organisations union all
    select 'users (staff)', count(*) from users where kind = 'staff' union all
    select 'users (jobseekers)', count(*) from users where kind = 'jobseeker' union all
    select 'vacancies', count(*) from vacancies union all
    select 'applications', count(*) from applications union all
    select 'conversations', count(*) from conversations union all
    select 'messages', count(*) from messages union all
    select 'message attachments', count(*) from message_attachments union all
    select 'read states', count(*) from conversation_person_states union all
    select 'archived (person states)', count(*) from conversation_person_states where archived_at is not null union all
    select 'follows', count(*) from application_follows union all
    select 'notifications', count(*) from notifications union all
    select 'unread notifications', count(*) from notifications where read_at is null`);
  if (problems.length) throw new Error(`The generated data is inconsistent:\n  ${problems.join('\n  ')}`);
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.count)]));
}

/**
 * Samples conversations and rebuilds what Parley itself would have stored for them: each message's HTML and text
 * from prepareMessageBody(), and the search document the way the send transaction grows it (the heading at weight
 * A, then to_tsvector(searchableText(text and file names)) appended message by message). Throws on a difference.
 */
async function checkAgainstParley(client: pg.Client): Promise<void> {
  const problems: string[] = [];
  const sample = await client.query<{ id: string; heading: string; search_vector: string }>(`
    select c.id, a.candidate_name || ' ' || v.title || ' ' || o.name as heading, c.search_vector::text as search_vector
    from conversations c join applications a on a.id = c.application_id join vacancies v on v.id = a.vacancy_id
    join organisations o on o.id = c.school_id
    where c.id in (select m.conversation_id from messages m join message_attachments f on f.message_id = m.id limit 20)
       or c.id in (select id from conversations tablesample system (1) limit 30)`);
  for (const conversation of sample.rows) {
    const messages = await client.query<{ body_html: string; body_text: string; files: string[] | null }>(
      `select m.body_html, m.body_text, (select array_agg(f.file_name order by f.created_at, f.id) from message_attachments f where f.message_id = m.id) as files
       from messages m where m.conversation_id = $1 order by m.sent_at, m.id`,
      [conversation.id],
    );
    let vector =
      (
        await client.query<{ v: string }>(`select setweight(to_tsvector('parley_search', $1), 'A')::text as v`, [
          conversation.heading,
        ])
      ).rows[0]?.v ?? '';
    for (const message of messages.rows) {
      const prepared = prepareMessageBody({ format: 'text', body: message.body_text });
      if (!prepared.ok || prepared.html !== message.body_html || prepared.text !== message.body_text) {
        problems.push(`message text or HTML of conversation ${conversation.id}`);
      }
      const text = searchableText([message.body_text, ...(message.files ?? [])]);
      vector =
        (
          await client.query<{ v: string }>(`select ($1::tsvector || to_tsvector('parley_search', $2))::text as v`, [
            vector,
            text,
          ])
        ).rows[0]?.v ?? '';
    }
    if (vector !== conversation.search_vector) problems.push(`search document of conversation ${conversation.id}`);
  }
  if (problems.length)
    throw new Error(
      `The generated data differs from what Parley would have written:\n  ${problems.slice(0, 10).join('\n  ')}`,
    );
}
