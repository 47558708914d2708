import { sql, type Kysely } from 'kysely';

/**
 * Team work and records (issue 16): staff notes with mentions, the audit log (exports, holds, settings), retention
 * settings and holds, and the retention job's bookkeeping (deletion records and the files still to delete).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Notes staff write on an application. Never shown to the jobseeker; not part of the conversation's search
    -- document. Never deleted by anyone (only by retention, with the application).
    create table application_notes (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null references applications (id),
      author_user_id uuid not null references users (id),
      author_display_name text not null,
      body_html text not null,
      body_text text not null,
      created_at timestamptz not null default clock_timestamp(),
      edited_at timestamptz
    );
    create index application_notes_application_idx on application_notes (application_id, created_at);

    -- Every earlier wording of an edited note, kept.
    create table application_note_versions (
      id uuid primary key default gen_random_uuid(),
      note_id uuid not null references application_notes (id),
      body_html text not null,
      body_text text not null,
      written_at timestamptz not null,
      replaced_at timestamptz not null default clock_timestamp()
    );
    create index application_note_versions_note_idx on application_note_versions (note_id, replaced_at);

    create table application_note_mentions (
      note_id uuid not null references application_notes (id),
      user_id uuid not null references users (id),
      primary key (note_id, user_id)
    );

    -- A mention's in-service notification points at its note.
    alter table notifications add column note_id uuid references application_notes (id);

    -- Who did what to records, and when: exports, holds, retention settings, data downloads, account deletions.
    -- No foreign keys: the log outlives what it speaks of.
    create table audit_events (
      id uuid primary key default gen_random_uuid(),
      occurred_at timestamptz not null default now(),
      actor_user_id uuid,
      organisation_id uuid,
      application_id uuid,
      action text not null check (action in (
        'conversation_exported', 'retention_hold_placed', 'retention_hold_removed', 'retention_settings_changed',
        'personal_data_downloaded', 'account_deleted'
      )),
      details jsonb not null default '{}'::jsonb
    );
    create index audit_events_organisation_idx on audit_events (organisation_id, occurred_at desc);
    create index audit_events_application_idx on audit_events (application_id, occurred_at desc);

    -- How long a school keeps applications after the vacancy's closing date. A school without a row keeps them for
    -- the defaults: 6 months for applicants who were not offered the job, 12 for those who were.
    create table retention_settings (
      organisation_id uuid primary key references organisations (id),
      months_not_offered integer not null check (months_not_offered between 1 and 120),
      months_offered integer not null check (months_offered between 1 and 120),
      updated_by uuid references users (id),
      updated_at timestamptz not null default now()
    );

    -- An application that must not be deleted yet, and why.
    create table retention_holds (
      application_id uuid primary key references applications (id),
      reason text not null,
      placed_by uuid not null references users (id),
      placed_at timestamptz not null default now()
    );

    -- What each day's retention run deleted for each organisation: counts, never content.
    create table retention_deletions (
      run_date date not null,
      organisation_id uuid not null,
      applications integer not null default 0,
      messages integer not null default 0,
      notes integer not null default 0,
      attachments integer not null default 0,
      files_deleted integer not null default 0,
      started_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (run_date, organisation_id)
    );

    -- Stored files whose rows are gone: written in the same transaction as the deletion, removed once the file is.
    create table retention_pending_files (
      storage_key text primary key,
      run_date date not null,
      organisation_id uuid not null,
      recorded_at timestamptz not null default now()
    );

    -- The warning a week before: once per application and deletion date.
    create table retention_warnings (
      application_id uuid not null references applications (id),
      deletes_on date not null,
      warned_at timestamptz not null default now(),
      primary key (application_id, deletes_on)
    );

    create index vacancies_closing_date_idx on vacancies (closing_date);
  `.execute(db);
}
