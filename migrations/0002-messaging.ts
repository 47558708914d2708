import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- One conversation per application, created with its first message.
    create table conversations (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null unique references applications (id),
      created_at timestamptz not null default now(),
      -- Denormalised, kept by the send transaction, so lists never count messages.
      last_message_at timestamptz not null,
      last_message_id uuid,
      jobseeker_message_count integer not null default 0,
      staff_message_count integer not null default 0,
      last_jobseeker_message_at timestamptz
    );

    -- Messages are never updated or deleted: they are part of the audit trail.
    create table messages (
      id uuid primary key default gen_random_uuid(),
      conversation_id uuid not null references conversations (id),
      sender_user_id uuid not null references users (id),
      sender_kind text not null check (sender_kind in ('staff', 'jobseeker')),
      -- "Amara Okafor, Oakfield Primary School", as it was when the message was sent.
      sender_display_name text not null,
      -- The n-th message from this side of the conversation; read state is "seen up to n".
      side_position integer not null,
      body_html text not null,
      body_text text not null,
      -- The one-time key of the form that sent it: a second submit of the same form finds it.
      form_key uuid not null,
      sent_at timestamptz not null default now(),
      unique (sender_user_id, form_key)
    );
    create index messages_conversation_idx on messages (conversation_id, sent_at, id);

    create table message_attachments (
      id uuid primary key default gen_random_uuid(),
      message_id uuid not null references messages (id),
      storage_key text not null unique,
      file_name text not null,
      content_type text not null,
      size_bytes integer not null check (size_bytes > 0),
      scan_result text not null check (scan_result in ('clean', 'not_scanned')),
      created_at timestamptz not null default now()
    );
    create index message_attachments_message_idx on message_attachments (message_id);

    -- Each person's own state of a conversation: how many of the other side's messages they have seen, and
    -- whether (and when) they archived it.
    create table conversation_person_states (
      conversation_id uuid not null references conversations (id),
      user_id uuid not null references users (id),
      seen_count integer not null default 0,
      archived_at timestamptz,
      primary key (conversation_id, user_id)
    );
    -- With the person's own state in the index, the dashboard reads it without visiting the table.
    create index conversation_person_states_user_idx on conversation_person_states (user_id)
      include (conversation_id, seen_count, archived_at);
  `.execute(db);
}
