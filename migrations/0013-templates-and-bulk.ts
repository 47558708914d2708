import { sql, type Kysely } from 'kysely';

/**
 * Acting on many applicants at once (issue 14): message templates, bulk messages, and messages sent later.
 *
 * - message_templates: a named template, personal (organisation_id null) or shared with one of its author's
 *   organisations. body_html is our sanitised message HTML with placeholders such as ((first name)) in its text.
 * - bulk_batches: one bulk send from a vacancy's applications list. Its id is the idempotency key: sending it twice
 *   (a double submit, a retry) sends each recipient's message once, because each recipient row is claimed under a
 *   row lock. The batch keeps what was composed (body, template, status change, time to send) and its shared files.
 * - bulk_recipients: the ticked applications, with the status each had when ticked, and what became of each.
 * - bulk_attachments: files scanned and stored once for the batch; each message gets its own attachment rows
 *   pointing at the same stored file, so each recipient's access is checked as for any attachment. A stored file's key
 *   is therefore no longer unique among message attachments (it stays indexed).
 * - scheduled_messages: a message to send at a time (single or one of a batch's). A worker claims it under a row lock
 *   and sends it (or records why not) in the same transaction, so it goes once even with two workers or a killed one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table message_attachments drop constraint message_attachments_storage_key_key;
    create index message_attachments_storage_key_idx on message_attachments (storage_key);

    create table message_templates (
      id uuid primary key default gen_random_uuid(),
      author_user_id uuid not null references users (id),
      organisation_id uuid references organisations (id),
      name text not null,
      body_html text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index message_templates_author_idx on message_templates (author_user_id);
    create index message_templates_organisation_idx on message_templates (organisation_id) where organisation_id is not null;

    create table bulk_batches (
      id uuid primary key default gen_random_uuid(),
      vacancy_id uuid not null references vacancies (id),
      sender_user_id uuid not null references users (id),
      from_status text not null,
      state text not null default 'draft' check (state in ('draft', 'sending', 'done')),
      body_html text,
      template_id uuid,
      template_name text,
      to_status text,
      send_at timestamptz,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index bulk_batches_sender_idx on bulk_batches (sender_user_id, created_at);

    create table bulk_recipients (
      batch_id uuid not null references bulk_batches (id) on delete cascade,
      application_id uuid not null references applications (id),
      position integer not null,
      outcome text not null default 'pending' check (outcome in ('pending', 'sent', 'scheduled', 'skipped')),
      reason text,
      message_id uuid references messages (id),
      primary key (batch_id, application_id)
    );

    create table bulk_attachments (
      id uuid primary key default gen_random_uuid(),
      batch_id uuid not null references bulk_batches (id) on delete cascade,
      storage_key text not null,
      file_name text not null,
      content_type text not null,
      size_bytes integer not null,
      scan_result text not null check (scan_result in ('clean', 'not_scanned')),
      created_at timestamptz not null default now()
    );

    create table scheduled_messages (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null references applications (id),
      sender_user_id uuid not null references users (id),
      batch_id uuid references bulk_batches (id),
      body_html text not null,
      send_at timestamptz not null,
      state text not null default 'scheduled' check (state in ('scheduled', 'sent', 'cancelled', 'not_sent')),
      attachments jsonb not null default '[]',
      reason text,
      message_id uuid references messages (id),
      form_key uuid not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (sender_user_id, form_key)
    );
    create index scheduled_messages_application_idx on scheduled_messages (application_id) where state = 'scheduled';
    create index scheduled_messages_due_idx on scheduled_messages (send_at) where state = 'scheduled';
  `.execute(db);
}
