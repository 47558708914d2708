import type { SignedInUser } from '../web/signed-in-user.ts';
import type { Db } from '../platform/db.ts';
import type { NavigationCounts } from '../web/navigation.ts';
import {
  countJobseekerUnreadConversations,
  countStaffConversations,
  countStaffConversationsVisibleTo,
  findConversationArchivedState,
  listJobseekerConversations,
  listStaffConversations,
  markUnread,
  setArchived,
  visibleConversationIds,
  visibleSchoolsWithVacancies,
  type DashboardCounts,
  type DashboardFilters,
  type VisibleSchool,
  type DashboardRow,
  type DashboardSort,
  type DashboardTab,
} from './repository.ts';
import type { SearchTerms } from './search.ts';
import { isUuid } from '../platform/uuid.ts';

export const dashboardPageSize = 20;

export type ArchiveResult =
  { outcome: 'done'; count: number } | { outcome: 'nothing-selected' } | { outcome: 'not-found' };

export type StaffDashboardResult =
  /** The page asked for no longer exists (its conversations were archived, or fewer match): show this one. */
  | { outcome: 'redirect'; page: number }
  | {
      outcome: 'page';
      rows: DashboardRow[];
      counts: DashboardCounts;
      total: number;
      /** Staff who see more than one school (a trust's or local authority's) need the school on each row. */
      showSchool: boolean;
      /** The schools and jobs this person can filter by, and the filters that were applied (unknown ones dropped). */
      schools: VisibleSchool[];
      applied: { schoolId: string | null } & DashboardFilters;
      /** The navigation's numbers, from the same counts: the page seeds them rather than counting twice. */
      navigationCounts: NavigationCounts;
    };

export function createDashboardService(deps: {
  db: Db;
  /** The person's unread notifications (the notifications feature counts them). */
  countUnreadNotifications: (user: SignedInUser) => Promise<number>;
}) {
  const { db } = deps;

  /** Every id must be one this person can see; otherwise nothing changes and the answer is "not found". */
  async function archive(user: SignedInUser, conversationIds: string[], archived: boolean): Promise<ArchiveResult> {
    const unique = [...new Set(conversationIds)];
    if (unique.length === 0) return { outcome: 'nothing-selected' };
    const visible = await visibleConversationIds(db, user.id, unique);
    if (visible.length !== unique.length) return { outcome: 'not-found' };
    await setArchived(db, user.id, unique, archived);
    return { outcome: 'done', count: unique.length };
  }

  async function unreadConversationCount(user: SignedInUser): Promise<number> {
    if (user.kind !== 'staff') return countJobseekerUnreadConversations(db, user.id);
    return (await countStaffConversationsVisibleTo(db, user.id)).unreadConversations;
  }

  return {
    /**
     * The staff messages dashboard: one page of conversations, the tab counts, the navigation's numbers and whether
     * the page asked for still exists. The visible schools are worked out once and shared by every query.
     */
    async staffDashboard(
      user: SignedInUser,
      input: {
        tab: DashboardTab;
        sort: DashboardSort;
        search: SearchTerms | null;
        page: number;
        filters?: { schoolId: string | null } & DashboardFilters;
      },
      options: { allowRedirect: boolean },
    ): Promise<StaffDashboardResult> {
      // Ids from the address that are not even UUIDs are no filter, as are ones this person cannot see (below).
      const askedSchool = isUuid(input.filters?.schoolId) ? input.filters.schoolId : null;
      const askedVacancy = isUuid(input.filters?.vacancyId) ? input.filters.vacancyId : null;
      const schools = await visibleSchoolsWithVacancies(db, user.id, {
        schoolId: askedSchool,
        vacancyId: askedSchool ? null : askedVacancy,
      });
      const schoolIds = schools.map((school) => school.id);
      // A school or job this person cannot see is not an error, only no filter (the ids came from an address).
      const schoolId = schoolIds.find((id) => id === input.filters?.schoolId) ?? null;
      const vacancyId =
        schools
          .filter((school) => schoolId === null || school.id === schoolId)
          .flatMap((school) => school.vacancies)
          .find((vacancy) => vacancy.id === input.filters?.vacancyId)?.id ?? null;
      const applied = {
        schoolId,
        vacancyId,
        status: input.filters?.status ?? null,
        show: input.filters?.show ?? 'all',
      } as const;
      const [counts, notifications] = await Promise.all([
        countStaffConversations(db, user.id, schoolIds),
        deps.countUnreadNotifications(user),
      ]);
      const { rows, total } = await listStaffConversations(db, {
        staffUserId: user.id,
        schoolIds: schoolId ? [schoolId] : schoolIds,
        tab: input.tab,
        sort: input.sort,
        search: input.search,
        filters: applied,
        limit: dashboardPageSize,
        offset: (input.page - 1) * dashboardPageSize,
        // One school's view counts that school alone.
        counts: schoolId && schoolIds.length > 1 ? await countStaffConversations(db, user.id, [schoolId]) : counts,
      });
      const lastPage = Math.max(1, Math.ceil(total / dashboardPageSize));
      if (options.allowRedirect && input.page > lastPage) return { outcome: 'redirect', page: lastPage };
      return {
        outcome: 'page',
        rows,
        counts,
        total,
        showSchool: schoolIds.length > 1,
        schools,
        applied,
        navigationCounts: { messages: counts.unreadConversations, notifications },
      };
    },

    jobseekerConversations: (user: SignedInUser) => listJobseekerConversations(db, user.id),

    /** The number of conversations with messages this person has not read, for the navigation. */
    unreadConversationCount,

    /** The navigation's numbers for any signed-in page. */
    async navigationCounts(user: SignedInUser): Promise<NavigationCounts> {
      const [messages, notifications] = await Promise.all([
        unreadConversationCount(user),
        deps.countUnreadNotifications(user),
      ]);
      return { messages, notifications };
    },

    archive,

    async markUnread(user: SignedInUser, conversationId: string): Promise<boolean> {
      if (user.kind !== 'staff') return false;
      const visible = await visibleConversationIds(db, user.id, [conversationId]);
      if (visible.length === 0) return false;
      await markUnread(db, user.id, conversationId, 'staff');
      return true;
    },

    isArchived: (user: SignedInUser, conversationId: string) =>
      findConversationArchivedState(db, user.id, conversationId),
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
