import { sql, type Kysely } from 'kysely';

/**
 * Replies by email, staff emails per message, and "seen by the applicant".
 *
 * - reply_addresses: one row per Reply-To address put in an email. The address holds a random token; only its
 *   SHA-256 is kept. It is bound to one person and one application (its conversation), and can be revoked.
 * - inbound_replies: every email the receiver took for one of those addresses (or for an unknown one), with what
 *   became of it. Rate limits count these rows; nothing of the email's text is kept here.
 * - users.message_emails: how staff hear about applicants' messages: the daily summary (default), an email per new
 *   message, or both.
 * - messages.seen_by_recipient_at: when the other side's seen count first passed this message (staff are shown when
 *   the applicant first read theirs).
 * - email_deliveries: two new kinds (a staff email per message, a refused reply's answer); a refused reply's answer
 *   may go to someone who has no account (a From address that is not the token's owner).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table reply_addresses (
      id uuid primary key default gen_random_uuid(),
      token_hash bytea not null unique,
      user_id uuid not null references users (id),
      application_id uuid not null references applications (id),
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    );
    create index reply_addresses_person_idx on reply_addresses (application_id, user_id) where revoked_at is null;

    create table inbound_replies (
      id uuid primary key default gen_random_uuid(),
      reply_address_id uuid references reply_addresses (id),
      received_at timestamptz not null default now(),
      outcome text not null check (outcome in ('accepted', 'duplicate', 'ignored', 'refused')),
      refusal text,
      message_id uuid references messages (id)
    );
    create index inbound_replies_address_idx on inbound_replies (reply_address_id, received_at);

    alter table users add column message_emails text not null default 'daily'
      check (message_emails in ('daily', 'each', 'both'));

    alter table messages add column seen_by_recipient_at timestamptz;

    alter table email_deliveries drop constraint email_deliveries_kind_check;
    alter table email_deliveries add constraint email_deliveries_kind_check
      check (kind in ('jobseeker_messages', 'staff_daily', 'staff_message', 'reply_refused'));
    alter table email_deliveries alter column recipient_user_id drop not null;
  `.execute(db);
}
