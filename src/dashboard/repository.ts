import { sql, type RawBuilder } from 'kysely';
import { planEachTime, type DbExecutor } from '../platform/db.ts';
import type { ApplicationStatus } from '../applications/status.ts';
import { schoolsVisibleToStaff } from '../accounts/school-visibility.ts';
import type { SearchTerms } from './search.ts';

export type DashboardTab = 'inbox' | 'archived';
export type DashboardSort = 'unread' | 'newest' | 'oldest';

export interface DashboardRow {
  conversationId: string;
  applicationId: string;
  candidateName: string;
  status: ApplicationStatus;
  vacancyTitle: string;
  schoolName: string;
  lastMessageAt: Date;
  lastSenderName: string | null;
  preview: string | null;
  unreadCount: number;
  hasAttachments: boolean;
}

/** Narrowing a dashboard page: by job, status, unread only, or conversations whose last word is the applicant's. */
export interface DashboardFilters {
  vacancyId: string | null;
  status: ApplicationStatus | null;
  show: 'all' | 'unread' | 'awaiting-reply';
}

export interface VisibleSchool {
  id: string;
  name: string;
  vacancies: { id: string; title: string }[];
}

export interface DashboardCounts {
  inbox: number;
  archived: number;
  unreadConversations: number;
}

/**
 * Whether this person has archived the conversation: archived, and nothing new from the jobseeker since.
 * A jobseeker's message after the archiving brings the conversation back to the inbox.
 */
const isArchived = sql<boolean>`(s.archived_at is not null and (c.last_jobseeker_message_at is null or c.last_jobseeker_message_at <= s.archived_at))`;

function unreadFor(side: 'staff' | 'jobseeker') {
  const otherSideCount = side === 'staff' ? sql`c.jobseeker_message_count` : sql`c.staff_message_count`;
  return sql<number>`greatest(${otherSideCount} - coalesce(s.seen_count, 0), 0)`;
}

function searchCondition(search: SearchTerms | null): RawBuilder<unknown> {
  if (!search) return sql`true`;
  // Stems for every word; the last word also as a prefix, both stemmed and as typed (unaccented).
  const stems = search.words.length ? sql`plainto_tsquery('parley_search', ${search.words.join(' ')})` : null;
  const last = sql`(plainto_tsquery('parley_search', ${search.last})
                   || to_tsquery('parley_search', ${search.last} || ':*')
                   || to_tsquery('simple', unaccent(${search.last}) || ':*'))`;
  return stems ? sql`c.search_vector @@ (${stems} && ${last})` : sql`c.search_vector @@ ${last}`;
}

function orderBy(sort: DashboardSort) {
  switch (sort) {
    case 'newest':
      return sql`c.last_message_at desc, c.id desc`;
    case 'oldest':
      return sql`c.last_message_at asc, c.id asc`;
    case 'unread':
      return sql`(c.unread > 0) desc, c.last_message_at desc, c.id desc`;
  }
}

/**
 * The schools a staff member can see (not the trusts or local authorities grouping them), with their names, for the
 * dashboard's filters, in one query. Jobs come with one school only: the one chosen, the school of the job asked
 * for, or the person's only school. A trust's hundreds of jobs are never all listed (a select of hundreds of options
 * helps nobody and costs every page); its members choose a school first.
 */
export async function visibleSchoolsWithVacancies(
  db: DbExecutor,
  staffUserId: string,
  jobsOf: { schoolId: string | null; vacancyId: string | null },
): Promise<VisibleSchool[]> {
  const result = await sql<VisibleSchool>`
    with visible as (
      select o.id, o.name from ${schoolsVisibleToStaff(staffUserId)} as s(id)
      join organisations o on o.id = s.id and o.kind = 'school'
    )
    select o.id, o.name,
           coalesce(json_agg(json_build_object('id', v.id, 'title', v.title) order by v.title, v.id)
                    filter (where v.id is not null), '[]') as vacancies
    from visible o
    left join vacancies v on v.school_id = o.id
      and (o.id = ${jobsOf.schoolId}::uuid
           or o.id = (select jv.school_id from vacancies jv where jv.id = ${jobsOf.vacancyId}::uuid)
           or (select count(*) from visible) = 1)
    group by o.id, o.name
    order by o.name, o.id
  `.execute(db);
  return result.rows;
}

function filterConditions(filters: DashboardFilters): RawBuilder<unknown> {
  const conditions: RawBuilder<unknown>[] = [];
  if (filters.vacancyId || filters.status) {
    conditions.push(sql`exists (select 1 from applications fa where fa.id = c.application_id
      ${filters.vacancyId ? sql`and fa.vacancy_id = ${filters.vacancyId}` : sql``}
      ${filters.status ? sql`and fa.status = ${filters.status}` : sql``})`);
  }
  // The applicant's message is the conversation's last: it waits for an answer from the school.
  if (filters.show === 'awaiting-reply')
    conditions.push(
      sql`exists (select 1 from messages lm where lm.id = c.last_message_id and lm.sender_kind = 'jobseeker')`,
    );
  return conditions.length ? sql`and ${sql.join(conditions, sql` and `)}` : sql``;
}

export interface DashboardPage {
  rows: DashboardRow[];
  /** How many conversations the tab, filters and search hold: the pages' count. */
  total: number;
}

interface PageInput {
  staffUserId: string;
  /** The schools whose conversations are listed (worked out once per page). */
  schoolIds: string[];
  tab: DashboardTab;
  sort: DashboardSort;
  search: SearchTerms | null;
  filters: DashboardFilters;
  limit: number;
  offset: number;
  /** The person's kept counts (countStaffConversations): an inbox without search or filters needs no counting. */
  counts: DashboardCounts;
}

/**
 * One page of a staff member's conversations: every conversation in a school they can see (each once), in the
 * chosen tab and order, optionally searched or filtered.
 *
 * The inbox without search or filters (the page every visit starts on) costs one page of rows whatever the number of
 * conversations: its total is the kept count, and its rows come from walking the conversations newest (or oldest)
 * first, stopping at the page's end. "Unread first" is two such walks, the unread ones then the rest, split at the
 * kept unread count. The archived tab starts from the person's own archived states. Searches and filters count
 * their matches.
 */
export async function listStaffConversations(db: DbExecutor, input: PageInput): Promise<DashboardPage> {
  const plain =
    !input.search && !input.filters.vacancyId && !input.filters.status && input.filters.show !== 'awaiting-reply';
  if (!plain || input.tab === 'archived') return listCounted(db, input);
  const unreadOnly = input.filters.show === 'unread';
  const unreadTotal = input.counts.unreadConversations;
  const total = unreadOnly ? unreadTotal : input.counts.inbox;
  if (!unreadOnly && input.sort !== 'unread') {
    const walk: Walk = { read: 'any', limit: input.limit, offset: input.offset, sparse: false };
    return { rows: await listWalked(db, input, [walk]), total };
  }
  // The kept unread count says how many of the page's rows are unread, so both walks go in one statement. A walk
  // for rows that are few among the inbox (a handful of unread ones, say, which may be old) could read most of the
  // time index before finding them: such a part is taken from the person's schools and sorted instead.
  const unreadOnPage = Math.min(input.limit, Math.max(0, unreadTotal - input.offset));
  const sparse = (count: number) => count * sparseWalkRatio < input.counts.inbox;
  const parts: Walk[] = [];
  if (unreadOnPage > 0)
    parts.push({ read: 'unread', limit: input.limit, offset: input.offset, sparse: sparse(unreadTotal) });
  if (!unreadOnly && unreadOnPage < input.limit)
    parts.push({
      read: 'read',
      limit: input.limit - unreadOnPage,
      offset: Math.max(0, input.offset - unreadTotal),
      sparse: sparse(input.counts.inbox - unreadTotal),
    });
  return { rows: parts.length ? await listWalked(db, input, parts) : [], total };
}

/** A part of the inbox under one tenth of it is sorted rather than walked to. */
const sparseWalkRatio = 10;

/** A page's conversations in their order, with this person's unread count: chosen first, then decorated. */
interface PageEntry {
  id: string;
  unread: number;
}

/**
 * The page's rows with their details, in the page's order. A statement of its own, with the same text every time:
 * it is prepared once per connection and keeps its plan, where the statement choosing the page (planned afresh for
 * each person's schools) would otherwise plan these four joins on every view too. The paperclip is the
 * conversation's kept attachment count (migrations/0018-attachment-counts.ts).
 */
async function withDetails(db: DbExecutor, entries: PageEntry[]): Promise<DashboardRow[]> {
  if (entries.length === 0) return [];
  const result = await sql<DashboardRow>`
    select c.id as "conversationId", c.application_id as "applicationId",
           a.candidate_name as "candidateName", a.status, v.title as "vacancyTitle", o.name as "schoolName",
           c.last_message_at as "lastMessageAt", m.sender_display_name as "lastSenderName",
           left(m.body_text, 160) as preview, p.unread as "unreadCount", c.attachment_count > 0 as "hasAttachments"
    from unnest(${entries.map((entry) => entry.id)}::uuid[], ${entries.map((entry) => entry.unread)}::int[])
      with ordinality as p(id, unread, position)
    join conversations c on c.id = p.id
    join applications a on a.id = c.application_id
    join vacancies v on v.id = a.vacancy_id
    join organisations o on o.id = c.school_id
    left join messages m on m.id = c.last_message_id
    order by p.position
  `.execute(db);
  return result.rows;
}

interface Walk {
  read: 'any' | 'unread' | 'read';
  limit: number;
  offset: number;
  /** Few of the inbox's rows are of this kind: sort them rather than walk the time index to them. */
  sparse: boolean;
}

/**
 * Inbox rows in time order, each walk stopping at its own end (the conversations' time index, school by school or
 * all), the walks' rows one after the other. A sparse walk's rows are gathered first (a materialised CTE, which the
 * planner cannot turn into an index walk) from the person's schools, then sorted.
 */
async function listWalked(db: DbExecutor, input: PageInput, walks: Walk[]): Promise<DashboardRow[]> {
  const order = input.sort === 'oldest' ? sql`c.last_message_at asc, c.id asc` : sql`c.last_message_at desc, c.id desc`;
  const readCondition = (read: Walk['read']) =>
    read === 'unread'
      ? sql`and c.jobseeker_message_count > coalesce(s.seen_count, 0)`
      : read === 'read'
        ? sql`and c.jobseeker_message_count <= coalesce(s.seen_count, 0)`
        : sql``;
  const gathered: RawBuilder<unknown>[] = [];
  const selects = walks.map((walk, index) => {
    const rows = sql`
      select c.id, c.application_id, c.school_id, c.last_message_at, c.last_message_id,
             ${unreadFor('staff')} as unread, ${index} as walk
      from conversations c
      left join conversation_person_states s on s.conversation_id = c.id and s.user_id = ${input.staffUserId}
      where c.school_id = any(${input.schoolIds}::uuid[]) and not ${isArchived} ${readCondition(walk.read)}`;
    const name = sql.raw(`gathered_${index}`);
    if (walk.sparse) gathered.push(sql`${name} as materialized (${rows})`);
    return sql`(${walk.sparse ? sql`select * from ${name} c` : rows}
      order by ${order}
      limit ${walk.limit} offset ${walk.offset})`;
  });
  const result = await sql<PageEntry>`${planEachTime}
    with ${gathered.length ? sql`${sql.join(gathered)},` : sql``}
    page as (${sql.join(selects, sql` union all `)})
    select c.id, c.unread::int as unread
    from page c
    order by c.walk, ${order}
  `.execute(db);
  return withDetails(db, result.rows);
}

/**
 * Any tab, search or filter, with its matches counted. The page is chosen first over the conversations alone (their
 * school, search and time indexes; the archived tab from the person's own archived states), then only its rows are
 * joined to their details.
 */
async function listCounted(db: DbExecutor, input: PageInput): Promise<DashboardPage> {
  const candidates =
    input.tab === 'archived'
      ? sql`from conversation_person_states s
            join conversations c on c.id = s.conversation_id
            where s.user_id = ${input.staffUserId} and s.archived_at is not null`
      : sql`from conversations c
            left join conversation_person_states s on s.conversation_id = c.id and s.user_id = ${input.staffUserId}
            where true`;
  const result = await sql<PageEntry & { total: number }>`${planEachTime}
    with page as (
      select c.id, c.application_id, c.school_id, c.last_message_at, c.last_message_id, c.unread, count(*) over () as total
      from (
        select c.*, ${unreadFor('staff')} as unread, ${isArchived} as archived
        ${candidates}
          and c.school_id = any(${input.schoolIds}::uuid[])
          and ${searchCondition(input.search)}
          ${filterConditions(input.filters)}
      ) c
      where c.archived = ${input.tab === 'archived'}
        ${input.filters.show === 'unread' ? sql`and c.unread > 0` : sql``}
      order by ${orderBy(input.sort)}
      limit ${input.limit} offset ${input.offset}
    )
    select c.id, c.unread::int as unread, c.total::int as total
    from page c
    order by ${orderBy(input.sort)}
  `.execute(db);
  const first = result.rows[0];
  if (first) return { rows: await withDetails(db, result.rows), total: first.total };
  // Past the last page (after archiving everything on it, say) no row carries the total: the first page's does.
  if (input.offset === 0) return { rows: [], total: 0 };
  return { rows: [], total: (await listCounted(db, { ...input, limit: 1, offset: 0 })).total };
}

/**
 * The tab counts and the number of inbox conversations with unread messages: the one unread figure the navigation,
 * the dashboard and its Inbox tab all show (an archived conversation leaves the count with the inbox). Read from the
 * counts kept on write (migrations/0017-kept-counts.ts): one row per school the person can see, whatever the number
 * of conversations.
 */
export async function countStaffConversations(
  db: DbExecutor,
  staffUserId: string,
  schoolIds: string[],
): Promise<DashboardCounts> {
  return keptCounts(db, staffUserId, sql`unnest(${schoolIds}::uuid[])`);
}

/** The same counts for a person whose schools are not yet known (the navigation on every page): one statement. */
export async function countStaffConversationsVisibleTo(db: DbExecutor, staffUserId: string): Promise<DashboardCounts> {
  return keptCounts(db, staffUserId, schoolsVisibleToStaff(staffUserId));
}

async function keptCounts(db: DbExecutor, staffUserId: string, schools: RawBuilder<unknown>): Promise<DashboardCounts> {
  const result = await sql<DashboardCounts>`
    select (coalesce(sum(t.conversations), 0) - coalesce(sum(p.archived), 0))::int as inbox,
           coalesce(sum(p.archived), 0)::int as archived,
           (coalesce(sum(t.with_applicant_messages), 0) - coalesce(sum(p.settled), 0))::int as "unreadConversations"
    from ${schools} as v(school_id)
    left join school_conversation_counts t on t.school_id = v.school_id
    left join staff_school_conversation_counts p on p.user_id = ${staffUserId} and p.school_id = v.school_id
  `.execute(db);
  return result.rows[0] ?? { inbox: 0, archived: 0, unreadConversations: 0 };
}

export interface JobseekerConversationRow {
  conversationId: string;
  applicationId: string;
  status: ApplicationStatus;
  vacancyTitle: string;
  schoolName: string;
  lastMessageAt: Date;
  lastSenderName: string | null;
  lastSenderKind: 'staff' | 'jobseeker' | null;
  preview: string | null;
  unreadCount: number;
}

/** A jobseeker's conversations (one per application that has one), unread first, then newest. */
export async function listJobseekerConversations(
  db: DbExecutor,
  jobseekerId: string,
): Promise<JobseekerConversationRow[]> {
  const result = await sql<JobseekerConversationRow>`
    select c.id as "conversationId", c.application_id as "applicationId", a.status, v.title as "vacancyTitle",
           o.name as "schoolName", c.last_message_at as "lastMessageAt", m.sender_display_name as "lastSenderName",
           m.sender_kind as "lastSenderKind", left(m.body_text, 160) as preview,
           ${unreadFor('jobseeker')}::int as "unreadCount"
    from applications a
    join conversations c on c.application_id = a.id
    join vacancies v on v.id = a.vacancy_id
    join organisations o on o.id = c.school_id
    left join conversation_person_states s on s.conversation_id = c.id and s.user_id = ${jobseekerId}
    left join messages m on m.id = c.last_message_id
    where a.jobseeker_id = ${jobseekerId}
    order by (${unreadFor('jobseeker')} > 0) desc, c.last_message_at desc, c.id desc
  `.execute(db);
  return result.rows;
}

export async function countJobseekerUnreadConversations(db: DbExecutor, jobseekerId: string): Promise<number> {
  const result = await sql<{ count: number }>`
    select count(*)::int as count
    from applications a
    join conversations c on c.application_id = a.id
    left join conversation_person_states s on s.conversation_id = c.id and s.user_id = ${jobseekerId}
    where a.jobseeker_id = ${jobseekerId} and ${unreadFor('jobseeker')} > 0
  `.execute(db);
  return result.rows[0]?.count ?? 0;
}

/** The ids among these that the staff member can see (the rest do not exist, as far as they are concerned). */
export async function visibleConversationIds(
  db: DbExecutor,
  staffUserId: string,
  conversationIds: string[],
): Promise<string[]> {
  if (conversationIds.length === 0) return [];
  const rows = await db
    .selectFrom('conversations as c')
    .select('c.id')
    .where('c.id', 'in', conversationIds)
    .where(sql<boolean>`c.school_id in ${schoolsVisibleToStaff(staffUserId)}`)
    .execute();
  return rows.map((row) => row.id);
}

export async function setArchived(
  db: DbExecutor,
  userId: string,
  conversationIds: string[],
  archived: boolean,
): Promise<void> {
  if (conversationIds.length === 0) return;
  const archivedAt = archived ? sql<Date>`now()` : null;
  await db
    .insertInto('conversation_person_states')
    .values(conversationIds.map((id) => ({ conversation_id: id, user_id: userId, archived_at: archivedAt })))
    .onConflict((c) => c.columns(['conversation_id', 'user_id']).doUpdateSet({ archived_at: archivedAt }))
    .execute();
}

/** Marks the conversation unread for this person: the other side's last message counts as not seen. */
export async function markUnread(
  db: DbExecutor,
  userId: string,
  conversationId: string,
  side: 'staff' | 'jobseeker',
): Promise<void> {
  const otherSideCount = side === 'staff' ? sql<number>`c.jobseeker_message_count` : sql<number>`c.staff_message_count`;
  await sql`
    insert into conversation_person_states (conversation_id, user_id, seen_count)
    select c.id, ${userId}, greatest(${otherSideCount} - 1, 0) from conversations c where c.id = ${conversationId}
    on conflict (conversation_id, user_id) do update set seen_count = excluded.seen_count
  `.execute(db);
}

export async function findConversationArchivedState(
  db: DbExecutor,
  userId: string,
  conversationId: string,
): Promise<boolean> {
  const result = await sql<{ archived: boolean }>`
    select ${isArchived} as archived from conversations c
    left join conversation_person_states s on s.conversation_id = c.id and s.user_id = ${userId}
    where c.id = ${conversationId}
  `.execute(db);
  return result.rows[0]?.archived ?? false;
}
