import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table organisations (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      kind text not null check (kind in ('school', 'multi_academy_trust', 'local_authority')),
      created_at timestamptz not null default now()
    );

    -- A school group (trust or local authority) contains schools.
    create table school_group_members (
      group_id uuid not null references organisations (id),
      school_id uuid not null references organisations (id),
      primary key (group_id, school_id)
    );
    create index school_group_members_school_idx on school_group_members (school_id);

    create table users (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind in ('staff', 'jobseeker')),
      email text not null check (email = lower(email)),
      full_name text not null,
      password_hash text not null,
      closed_at timestamptz,
      created_at timestamptz not null default now()
    );
    create unique index users_email_idx on users (email);

    create table staff_memberships (
      user_id uuid not null references users (id),
      organisation_id uuid not null references organisations (id),
      primary key (user_id, organisation_id)
    );
    create index staff_memberships_organisation_idx on staff_memberships (organisation_id);

    create table vacancies (
      id uuid primary key default gen_random_uuid(),
      school_id uuid not null references organisations (id),
      title text not null,
      description text not null,
      closing_date date not null,
      status text not null check (status in ('published', 'closed')),
      created_by uuid references users (id),
      created_at timestamptz not null default now()
    );
    create index vacancies_school_idx on vacancies (school_id, closing_date);

    create table applications (
      id uuid primary key default gen_random_uuid(),
      vacancy_id uuid not null references vacancies (id),
      jobseeker_id uuid not null references users (id),
      status text not null check (status in
        ('draft', 'submitted', 'shortlisted', 'interviewing', 'offered', 'declined', 'not_progressing', 'withdrawn')),
      candidate_name text not null,
      contact_email text not null,
      personal_statement text not null,
      submitted_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (vacancy_id, jobseeker_id)
    );
    create index applications_vacancy_status_idx on applications (vacancy_id, status);
    create index applications_jobseeker_idx on applications (jobseeker_id, updated_at desc);

    -- The audit trail: every status change, who made it and when. Never updated or deleted.
    create table application_status_changes (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null references applications (id),
      actor_user_id uuid not null references users (id),
      from_status text,
      to_status text not null,
      changed_at timestamptz not null default now()
    );
    create index application_status_changes_application_idx on application_status_changes (application_id, changed_at);

    create table sessions (
      id text primary key,
      data jsonb not null,
      expires_at timestamptz not null
    );
    create index sessions_expires_idx on sessions (expires_at);

    -- One-off facts about this installation, such as "the demo data has been loaded".
    create table service_flags (
      name text primary key,
      set_at timestamptz not null default now()
    );

    create table sign_in_attempts (
      id uuid primary key default gen_random_uuid(),
      key text not null,
      attempted_at timestamptz not null default now()
    );
    create index sign_in_attempts_key_idx on sign_in_attempts (key, attempted_at);
  `.execute(db);
}
