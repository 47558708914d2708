import type { SignedInUser } from '../accounts/service.ts';
import type { Db } from '../platform/db.ts';
import {
  countJobseekerUnreadConversations,
  countVisibleSchools,
  countStaffConversations,
  findConversationArchivedState,
  listJobseekerConversations,
  listStaffConversations,
  markUnread,
  setArchived,
  visibleConversationIds,
  type DashboardSort,
  type DashboardTab,
} from './repository.ts';
import type { SearchTerms } from './search.ts';

export const dashboardPageSize = 20;

export type ArchiveResult =
  { outcome: 'done'; count: number } | { outcome: 'nothing-selected' } | { outcome: 'not-found' };

export function createDashboardService(deps: { db: Db }) {
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

  return {
    async staffDashboard(
      user: SignedInUser,
      input: { tab: DashboardTab; sort: DashboardSort; search: SearchTerms | null; page: number },
    ) {
      const list = (limit: number, offset: number) =>
        listStaffConversations(db, {
          staffUserId: user.id,
          tab: input.tab,
          sort: input.sort,
          search: input.search,
          limit,
          offset,
        });
      const [rows, counts] = await Promise.all([
        list(dashboardPageSize, (input.page - 1) * dashboardPageSize),
        countStaffConversations(db, user.id),
      ]);
      // Past the last page (after archiving everything on it, say) no row carries the total: the first row does.
      const total = rows[0]?.total ?? (input.page > 1 ? ((await list(1, 0))[0]?.total ?? 0) : 0);
      return { rows, counts, total, lastPage: Math.max(1, Math.ceil(total / dashboardPageSize)) };
    },

    jobseekerConversations: (user: SignedInUser) => listJobseekerConversations(db, user.id),

    /** The number of conversations with messages this person has not read, for the navigation. */
    async unreadConversationCount(user: SignedInUser): Promise<number> {
      return user.kind === 'staff'
        ? (await countStaffConversations(db, user.id)).unreadConversations
        : countJobseekerUnreadConversations(db, user.id);
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

    /** Staff who see more than one school (a trust's or local authority's) need the school on each row. */
    visibleSchoolCount: (user: SignedInUser) => countVisibleSchools(db, user.id),
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
