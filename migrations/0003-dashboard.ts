import { sql, type Kysely } from 'kysely';

/**
 * The messages dashboard: conversations carry their school (so visibility is one indexed condition) and a search
 * document (candidate name, job title and school name weighted first, then every message and attachment name).
 * Search ignores case and accents (unaccent) and word forms (English stemming).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create extension if not exists unaccent;
    create text search configuration parley_search (copy = english);
    alter text search configuration parley_search
      alter mapping for hword, hword_part, word, asciihword, asciiword, hword_asciipart with unaccent, english_stem;

    alter table conversations
      add column school_id uuid references organisations (id),
      add column search_vector tsvector not null default ''::tsvector;

    update conversations c set school_id = v.school_id
    from applications a join vacancies v on v.id = a.vacancy_id
    where a.id = c.application_id;

    update conversations c set search_vector =
      setweight(to_tsvector('parley_search', a.candidate_name || ' ' || v.title || ' ' || s.name), 'A')
      || coalesce((select to_tsvector('parley_search', string_agg(m.body_text || ' ' || regexp_replace(m.body_text, '[^[:alnum:][:space:]]+', ' ', 'g'), ' '))
                   from messages m where m.conversation_id = c.id), ''::tsvector)
      || coalesce((select to_tsvector('parley_search', string_agg(f.file_name || ' ' || regexp_replace(f.file_name, '[^[:alnum:]]+', ' ', 'g'), ' '))
                   from message_attachments f join messages m on m.id = f.message_id where m.conversation_id = c.id), ''::tsvector)
    from applications a join vacancies v on v.id = a.vacancy_id join organisations s on s.id = v.school_id
    where a.id = c.application_id;

    alter table conversations alter column school_id set not null;

    -- The dashboard's pages: a school's conversations by the time of their last message. The index carries the
    -- columns the dashboard and the navigation count read, so a trust's 10,000 conversations are read from the index
    -- (hundreds of pages) instead of one table page per conversation (measured: docs/performance.md).
    create index conversations_school_last_message_idx on conversations (school_id, last_message_at desc, id desc)
      include (application_id, last_message_id, jobseeker_message_count, last_jobseeker_message_at);
    create index conversations_search_idx on conversations using gin (search_vector);
  `.execute(db);
}
