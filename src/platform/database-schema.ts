import type { ColumnType, Generated } from 'kysely';
/**
 * The values the database allows in an application's status (the application_status enum). The status machine
 * (src/applications/status.ts) is checked against this list when the project is type-checked.
 */
export type ApplicationStatus =
  'draft' | 'submitted' | 'shortlisted' | 'interviewing' | 'offered' | 'declined' | 'not_progressing' | 'withdrawn';

/** The database as Kysely sees it. Kept by hand next to the migrations. */

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export type OrganisationKind = 'school' | 'multi_academy_trust' | 'local_authority';
export type UserKind = 'staff' | 'jobseeker';
export type VacancyStatus = 'draft' | 'published' | 'closed';

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  kind: OrganisationKind;
  created_at: CreatedAt;
}

export interface SchoolGroupMembersTable {
  group_id: string;
  school_id: string;
}

export interface UsersTable {
  id: Generated<string>;
  kind: UserKind;
  email: string;
  full_name: string;
  password_hash: string;
  closed_at: Date | null;
  email_notifications: Generated<boolean>;
  /** Staff: the daily summary, an email per new message from an applicant, or both. */
  message_emails: Generated<MessageEmails>;
  created_at: CreatedAt;
  /** When the owner confirmed the address (sign-up); null until then. */
  email_verified_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type MessageEmails = 'daily' | 'each' | 'both';

export interface StaffMembershipsTable {
  user_id: string;
  organisation_id: string;
  role: Generated<StaffRole>;
}

export type StaffRole = 'admin' | 'member';

export interface VacanciesTable {
  id: Generated<string>;
  school_id: string;
  title: string;
  description: string;
  closing_date: string;
  status: VacancyStatus;
  created_by: string | null;
  created_at: CreatedAt;
  /** UK time of day on the closing date; null: the end of that day. */
  closing_time: string | null;
  contract: Generated<string>;
  hours: Generated<string>;
  published_at: Date | null;
  closed_at: Date | null;
}

export interface ApplicationsTable {
  id: Generated<string>;
  vacancy_id: string;
  jobseeker_id: string;
  status: ApplicationStatus;
  candidate_name: string;
  contact_email: string;
  personal_statement: string;
  submitted_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ApplicationStatusChangesTable {
  id: Generated<string>;
  application_id: string;
  actor_user_id: string;
  from_status: ApplicationStatus | null;
  to_status: ApplicationStatus;
  changed_at: CreatedAt;
}

export interface SessionsTable {
  id: string;
  data: unknown;
  expires_at: Date;
}

export interface SignInAttemptsTable {
  id: Generated<string>;
  key: string;
  attempted_at: CreatedAt;
}

export interface ServiceFlagsTable {
  name: string;
  set_at: CreatedAt;
}

export interface ReplyAddressesTable {
  id: Generated<string>;
  token_hash: Buffer;
  user_id: string;
  application_id: string;
  created_at: CreatedAt;
  revoked_at: Date | null;
}

export interface InboundRepliesTable {
  id: Generated<string>;
  reply_address_id: string | null;
  received_at: CreatedAt;
  outcome: 'accepted' | 'duplicate' | 'ignored' | 'refused';
  refusal: string | null;
  message_id: string | null;
}

export interface Database {
  reply_addresses: ReplyAddressesTable;
  inbound_replies: InboundRepliesTable;
  service_flags: ServiceFlagsTable;
  notifications: NotificationsTable;
  application_follows: ApplicationFollowsTable;
  email_deliveries: EmailDeliveriesTable;
  daily_email_runs: DailyEmailRunsTable;
  application_watchers: ApplicationWatchersView;
  application_followers: ApplicationWatchersView;
  conversations: ConversationsTable;
  messages: MessagesTable;
  message_attachments: MessageAttachmentsTable;
  conversation_person_states: ConversationPersonStatesTable;
  organisations: OrganisationsTable;
  school_group_members: SchoolGroupMembersTable;
  users: UsersTable;
  staff_memberships: StaffMembershipsTable;
  vacancies: VacanciesTable;
  applications: ApplicationsTable;
  application_status_changes: ApplicationStatusChangesTable;
  sessions: SessionsTable;
  sign_in_attempts: SignInAttemptsTable;
  account_tokens: AccountTokensTable;
  organisation_audit_events: OrganisationAuditEventsTable;
  message_templates: MessageTemplatesTable;
  bulk_batches: BulkBatchesTable;
  bulk_recipients: BulkRecipientsTable;
  bulk_attachments: BulkAttachmentsTable;
  scheduled_messages: ScheduledMessagesTable;
  application_notes: ApplicationNotesTable;
  application_note_versions: ApplicationNoteVersionsTable;
  application_note_mentions: ApplicationNoteMentionsTable;
  audit_events: AuditEventsTable;
  retention_settings: RetentionSettingsTable;
  retention_holds: RetentionHoldsTable;
  retention_deletions: RetentionDeletionsTable;
  retention_pending_files: RetentionPendingFilesTable;
  retention_warnings: RetentionWarningsTable;
}

export type AccountTokenPurpose = 'verify-email' | 'reset-password' | 'invitation';

export interface AccountTokensTable {
  id: string;
  token_hash: Buffer;
  purpose: AccountTokenPurpose;
  user_id: string | null;
  email: string;
  organisation_id: string | null;
  role: StaffRole | null;
  created_by: string | null;
  created_at: CreatedAt;
  expires_at: Date;
  used_at: Date | null;
  superseded_at: Date | null;
}

export interface OrganisationAuditEventsTable {
  id: Generated<string>;
  organisation_id: string;
  actor_user_id: string | null;
  action: string;
  subject_user_id: string | null;
  subject_email: string | null;
  vacancy_id: string | null;
  detail: string | null;
  created_at: CreatedAt;
}

export interface ConversationsTable {
  id: Generated<string>;
  application_id: string;
  created_at: CreatedAt;
  last_message_at: Date;
  last_message_id: string | null;
  jobseeker_message_count: Generated<number>;
  staff_message_count: Generated<number>;
  last_jobseeker_message_at: Date | null;
  school_id: string;
  search_vector: Generated<string>;
  /** Kept by a trigger on message_attachments (migrations/0018-attachment-counts.ts). */
  attachment_count: Generated<number>;
}

export interface MessagesTable {
  id: Generated<string>;
  conversation_id: string;
  sender_user_id: string;
  sender_kind: UserKind;
  sender_display_name: string;
  side_position: number;
  body_html: string;
  body_text: string;
  form_key: string;
  sent_at: ColumnType<Date, Date | string | undefined, never>;
  /** When the other side's seen count first passed this message. */
  seen_by_recipient_at: Generated<Date | null>;
}

export interface MessageAttachmentsTable {
  id: Generated<string>;
  message_id: string;
  storage_key: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  scan_result: 'clean' | 'not_scanned';
  created_at: CreatedAt;
}

export interface ConversationPersonStatesTable {
  conversation_id: string;
  user_id: string;
  seen_count: Generated<number>;
  archived_at: Date | null;
}

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  application_id: string;
  message_id: string | null;
  text: string;
  link: string;
  created_at: CreatedAt;
  read_at: Date | null;
  /** How many messages an unread message notification stands for (one per conversation, not per message). */
  message_count: Generated<number>;
  /** A mention's notification: the note it is about (migration 0014). */
  note_id: Generated<string | null>;
}

export interface ApplicationFollowsTable {
  application_id: string;
  user_id: string;
  following: boolean;
  updated_at: UpdatedAt;
}

export type EmailKind = 'jobseeker_messages' | 'staff_daily' | 'staff_message' | 'reply_refused' | 'account';
export type EmailStatus = 'sending' | 'retrying' | 'sent' | 'failed' | 'skipped';

export interface EmailDeliveriesTable {
  id: Generated<string>;
  key: string;
  kind: EmailKind;
  /** null: an answer to a refused reply from an address that has no account. */
  recipient_user_id: string | null;
  application_id: string | null;
  up_to_position: number | null;
  window_end: Date | null;
  status: EmailStatus;
  job_id: string;
  attempts: Generated<number>;
  last_error: string | null;
  provider_reference: string | null;
  claimed_at: CreatedAt;
  sent_at: Date | null;
}

export interface DailyEmailRunsTable {
  run_date: string;
  cutoff: Date;
  created_at: CreatedAt;
}

export interface ApplicationWatchersView {
  application_id: string;
  user_id: string;
}

export interface MessageTemplatesTable {
  id: Generated<string>;
  author_user_id: string;
  /** null: a personal template; otherwise shared with this organisation. */
  organisation_id: string | null;
  name: string;
  body_html: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type BulkBatchState = 'draft' | 'sending' | 'done';

export interface BulkBatchesTable {
  id: Generated<string>;
  vacancy_id: string;
  sender_user_id: string;
  from_status: ApplicationStatus;
  state: Generated<BulkBatchState>;
  body_html: string | null;
  template_id: string | null;
  template_name: string | null;
  to_status: ApplicationStatus | null;
  send_at: Date | null;
  created_at: CreatedAt;
  finished_at: Date | null;
}

export type BulkRecipientOutcome = 'pending' | 'sent' | 'scheduled' | 'skipped';

export interface BulkRecipientsTable {
  batch_id: string;
  application_id: string;
  position: number;
  outcome: Generated<BulkRecipientOutcome>;
  reason: string | null;
  message_id: string | null;
}

export interface BulkAttachmentsTable {
  id: Generated<string>;
  batch_id: string;
  storage_key: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  scan_result: 'clean' | 'not_scanned';
  created_at: CreatedAt;
}

export type ScheduledMessageState = 'scheduled' | 'sent' | 'cancelled' | 'not_sent';

export interface ScheduledMessagesTable {
  id: Generated<string>;
  application_id: string;
  sender_user_id: string;
  batch_id: string | null;
  body_html: string;
  send_at: Date;
  state: Generated<ScheduledMessageState>;
  /** The stored files the message will carry: { storageKey, fileName, contentType, sizeBytes, scanResult }[]. */
  attachments: ColumnType<StoredFileJson[], string | undefined, string>;
  reason: string | null;
  message_id: string | null;
  /** The form's one-time key (a double-submitted "send later" schedules once), or the batch's key per recipient. */
  form_key: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface StoredFileJson {
  storageKey: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  scanResult: 'clean' | 'not_scanned';
}

// Team work and records (migration 0014) ----------------------------------------------------------------------------

export interface ApplicationNotesTable {
  id: Generated<string>;
  application_id: string;
  author_user_id: string;
  author_display_name: string;
  body_html: string;
  body_text: string;
  created_at: CreatedAt;
  edited_at: Date | null;
}

export interface ApplicationNoteVersionsTable {
  id: Generated<string>;
  note_id: string;
  body_html: string;
  body_text: string;
  written_at: Date;
  replaced_at: CreatedAt;
}

export interface ApplicationNoteMentionsTable {
  note_id: string;
  user_id: string;
}

export type AuditAction =
  | 'conversation_exported'
  | 'retention_hold_placed'
  | 'retention_hold_removed'
  | 'retention_settings_changed'
  | 'personal_data_downloaded'
  | 'account_deleted';

export interface AuditEventsTable {
  id: Generated<string>;
  occurred_at: CreatedAt;
  actor_user_id: string | null;
  organisation_id: string | null;
  application_id: string | null;
  action: AuditAction;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface RetentionSettingsTable {
  organisation_id: string;
  months_not_offered: number;
  months_offered: number;
  updated_by: string | null;
  updated_at: UpdatedAt;
}

export interface RetentionHoldsTable {
  application_id: string;
  reason: string;
  placed_by: string;
  placed_at: CreatedAt;
}

export interface RetentionDeletionsTable {
  run_date: string;
  organisation_id: string;
  applications: Generated<number>;
  messages: Generated<number>;
  notes: Generated<number>;
  attachments: Generated<number>;
  files_deleted: Generated<number>;
  started_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface RetentionPendingFilesTable {
  storage_key: string;
  run_date: string;
  organisation_id: string;
  recorded_at: CreatedAt;
}

export interface RetentionWarningsTable {
  application_id: string;
  deletes_on: string;
  warned_at: CreatedAt;
}
