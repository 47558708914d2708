import { sql, type Kysely } from 'kysely';

/**
 * The front doors (issue 12): sign-up, password reset, colleagues and vacancies in the web pages.
 *
 * - account_tokens: the links Parley emails (verify an email address, reset a password, accept an invitation). Only
 *   the SHA-256 of each token is kept; a token is single use (used_at), expires (expires_at) and is superseded by a
 *   newer one of the same purpose for the same person (superseded_at).
 * - users.email_verified_at: when a jobseeker confirmed their address. Accounts made before (by the admin command
 *   line, the demo data) count as confirmed; sign-up leaves it empty until the link is followed.
 * - staff_memberships.role: an organisation's administrators manage its colleagues.
 * - organisation_audit_events: every change to an organisation's colleagues and vacancies, read by its
 *   administrators. Never updated or deleted.
 * - vacancies: drafts, a closing time (UK time; none for older vacancies: they close at the end of the closing
 *   date), contract and hours as free text.
 * - email_deliveries: a new kind, 'account', for the emails carrying those links.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table account_tokens (
      id uuid primary key,
      token_hash bytea not null unique,
      purpose text not null check (purpose in ('verify-email', 'reset-password', 'invitation')),
      user_id uuid references users (id),
      email text not null check (email = lower(email)),
      organisation_id uuid references organisations (id),
      role text check (role in ('admin', 'member')),
      created_by uuid references users (id),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz,
      superseded_at timestamptz,
      check (purpose <> 'invitation' or (organisation_id is not null and role is not null and created_by is not null)),
      check (purpose = 'invitation' or user_id is not null)
    );
    create index account_tokens_user_idx on account_tokens (user_id, purpose) where used_at is null and superseded_at is null;
    create index account_tokens_invitation_idx on account_tokens (organisation_id, email)
      where purpose = 'invitation' and used_at is null and superseded_at is null;

    alter table users add column email_verified_at timestamptz default now();
    update users set email_verified_at = created_at;

    alter table staff_memberships add column role text not null default 'member' check (role in ('admin', 'member'));

    create table organisation_audit_events (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations (id),
      actor_user_id uuid references users (id),
      action text not null,
      subject_user_id uuid references users (id),
      subject_email text,
      vacancy_id uuid references vacancies (id),
      detail text,
      created_at timestamptz not null default now()
    );
    create index organisation_audit_events_organisation_idx on organisation_audit_events (organisation_id, created_at desc);

    alter table vacancies drop constraint vacancies_status_check;
    alter table vacancies add constraint vacancies_status_check check (status in ('draft', 'published', 'closed'));
    alter table vacancies add column closing_time time;
    alter table vacancies add column contract text not null default '';
    alter table vacancies add column hours text not null default '';
    alter table vacancies add column published_at timestamptz;
    alter table vacancies add column closed_at timestamptz;
    update vacancies set published_at = created_at where status in ('published', 'closed');

    alter table email_deliveries drop constraint email_deliveries_kind_check;
    alter table email_deliveries add constraint email_deliveries_kind_check
      check (kind in ('jobseeker_messages', 'staff_daily', 'staff_message', 'reply_refused', 'account'));
  `.execute(db);
}
