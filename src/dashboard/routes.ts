import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SignedInUser } from '../web/signed-in-user.ts';
import { isApplicationStatus, staffVisibleStatuses, statusLabel } from '../applications/status.ts';
import { applicationUrls } from '../applications/urls.ts';
import { requireJobseeker, requireStaff, signedInUser } from '../web/guards.ts';
import { formErrors, hasErrors, noErrors, type FormErrors } from '../web/form-errors.ts';
import { NotFoundError, requireUuid } from '../web/http-errors.ts';
import { dashboardPageSize, type DashboardService } from './service.ts';
import type { DashboardSort, DashboardTab } from './repository.ts';
import { parseSearch } from './search.ts';
import { dashboardUrl, dashboardUrls, type DashboardQuery } from './urls.ts';
import { liveUrls } from '../live/urls.ts';

declare module 'fastify' {
  interface Session {
    /** The conversations the last archive (or move to inbox) changed, so the confirmation can offer to undo it. */
    archiveUndo?: { conversationIds: string[]; archived: boolean };
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sorts: { value: DashboardSort; text: string }[] = [
  { value: 'unread', text: 'Unread first' },
  { value: 'newest', text: 'Newest first' },
  { value: 'oldest', text: 'Oldest first' },
];

function readQuery(source: Record<string, unknown>): DashboardQuery {
  const tab: DashboardTab = source.tab === 'archived' ? 'archived' : 'inbox';
  const sort = sorts.find((s) => s.value === source.sort)?.value ?? 'unread';
  const q = typeof source.q === 'string' ? source.q.slice(0, 200) : '';
  const page = typeof source.page === 'string' && /^\d{1,6}$/.test(source.page) ? Math.max(1, Number(source.page)) : 1;
  // Filters come from an address anyone can edit: anything unexpected means "no filter", never an error.
  const id = (value: unknown) => (typeof value === 'string' && uuidPattern.test(value) ? value.toLowerCase() : '');
  const status = isApplicationStatus(source.status) && source.status !== 'draft' ? source.status : '';
  const show = source.show === 'unread' || source.show === 'awaiting-reply' ? source.show : 'all';
  return {
    tab,
    sort,
    q,
    page,
    school: id(source.school),
    job: id(source.job),
    status,
    show,
    selectAll: source.select === 'all',
  };
}

/** The chosen conversations' ids; anything that is not a UUID is a 404 (never a database error). */
function idsFrom(value: unknown): string[] {
  const values: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.map((item) => requireUuid(item));
}

/** GOV.UK pagination items: first, last, the current page and its neighbours, with ellipses between. */
function paginationFor(query: DashboardQuery, total: number) {
  const pages = Math.max(1, Math.ceil(total / dashboardPageSize));
  if (pages === 1) return null;
  const shown = [...new Set([1, query.page - 1, query.page, query.page + 1, pages])]
    .filter((p) => p >= 1 && p <= pages)
    .sort((a, b) => a - b);
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  shown.forEach((page, index) => {
    const previous = shown[index - 1];
    if (previous !== undefined && page - previous > 1) items.push({ ellipsis: true });
    items.push({ number: page, href: dashboardUrl({ ...query, page }), current: page === query.page });
  });
  return {
    items,
    previous: query.page > 1 ? { href: dashboardUrl({ ...query, page: query.page - 1 }) } : undefined,
    next: query.page < pages ? { href: dashboardUrl({ ...query, page: query.page + 1 }) } : undefined,
  };
}

export function registerDashboardRoutes(app: FastifyInstance, services: { dashboard: DashboardService }): void {
  const { dashboard } = services;

  async function renderStaffDashboard(
    reply: FastifyReply,
    user: SignedInUser,
    query: DashboardQuery,
    errors: FormErrors = noErrors(),
    status = 200,
  ) {
    const search = parseSearch(query.q);
    const result = await dashboard.staffDashboard(
      user,
      {
        tab: query.tab,
        sort: query.sort,
        search,
        page: query.page,
        filters: {
          schoolId: query.school || null,
          vacancyId: query.job || null,
          status: query.status || null,
          show: query.show,
        },
      },
      { allowRedirect: !hasErrors(errors) },
    );
    if (result.outcome === 'redirect') return reply.redirect(dashboardUrl({ ...query, page: result.page }), 303);
    const { rows, counts, total, showSchool, schools, applied } = result;
    const undo = reply.request.session.get('archiveUndo');
    if (undo) reply.request.session.set('archiveUndo', undefined);
    const filtered =
      applied.schoolId !== null || applied.vacancyId !== null || applied.status !== null || applied.show !== 'all';
    reply.request.navigationCounts = result.navigationCounts;
    // "Select at least one conversation" leads to the first checkbox, as the GOV.UK pattern does.
    const firstRow = rows[0];
    if (errors.byField.conversations && firstRow) {
      errors = {
        ...errors,
        list: errors.list.map((error) =>
          error.href === '#conversations' ? { ...error, href: `#select-${firstRow.conversationId}` } : error,
        ),
      };
    }
    // Read state and archiving change what this page shows: Back must load it again, not show a kept copy.
    return reply
      .code(status)
      .header('Cache-Control', 'private, no-store')
      .render('dashboard/views/staff-dashboard.njk', {
        pageTitle: query.tab === 'archived' ? 'Archived messages' : 'Messages',
        query,
        search,
        total,
        counts,
        errors,
        showSchool,
        tabs: (['inbox', 'archived'] as const).map((tab) => ({
          tab,
          text: tab === 'inbox' ? 'Inbox' : 'Archived',
          count: tab === 'inbox' ? counts.inbox : counts.archived,
          href: dashboardUrl({ tab, sort: query.sort }),
          current: tab === query.tab,
        })),
        sorts: sorts.map((s) => ({ ...s, selected: s.value === query.sort })),
        filters: {
          applied: filtered,
          schools:
            schools.length > 1
              ? [
                  { value: '', text: 'All schools' },
                  ...schools.map((school) => ({
                    value: school.id,
                    text: school.name,
                    selected: school.id === applied.schoolId,
                  })),
                ]
              : null,
          // Someone who sees several schools picks one before its jobs are offered (the service lists one school's).
          jobs:
            schools.length > 1 && applied.schoolId === null && applied.vacancyId === null
              ? null
              : [
                  { value: '', text: 'All jobs' },
                  ...schools
                    .filter((school) => applied.schoolId === null || school.id === applied.schoolId)
                    .flatMap((school) =>
                      school.vacancies.map((vacancy) => ({
                        value: vacancy.id,
                        text: schools.length > 1 ? `${vacancy.title} (${school.name})` : vacancy.title,
                        selected: vacancy.id === applied.vacancyId,
                      })),
                    ),
                ],
          statuses: [
            { value: '', text: 'All statuses' },
            ...staffVisibleStatuses.map((status) => ({
              value: status,
              text: statusLabel(status),
              selected: status === applied.status,
            })),
          ],
          show: [
            { value: 'all', text: 'All conversations', checked: applied.show === 'all' },
            { value: 'unread', text: 'Unread only', checked: applied.show === 'unread' },
            {
              value: 'awaiting-reply',
              text: 'Awaiting our reply',
              hint: { text: 'The applicant sent the last message' },
              checked: applied.show === 'awaiting-reply',
            },
          ],
          clearUrl: dashboardUrl({ tab: query.tab, sort: query.sort, q: query.q }),
        },
        selectAll: query.selectAll === true,
        selectAllUrl: `${dashboardUrl({ ...query, selectAll: true })}#conversations`,
        undo: undo ? { ...undo, action: dashboardUrls.archiveSelected() } : null,
        rows: rows.map((row) => ({
          ...row,
          statusLabel: statusLabel(row.status),
          url: `${applicationUrls.staffApplication(row.applicationId)}#messages`,
        })),
        pagination: paginationFor(query, total),
        archiveAction: dashboardUrls.archiveSelected(),
        clearSearchUrl: dashboardUrl({ tab: query.tab, sort: query.sort }),
        liveEvents: liveUrls.events(Date.now()),
      });
  }

  app.get('/staff/messages', { preHandler: requireStaff }, async (request, reply) =>
    renderStaffDashboard(reply, signedInUser(request), readQuery(request.query as Record<string, unknown>)),
  );

  app.post('/staff/messages/archive', { preHandler: requireStaff }, async (request, reply) => {
    const user = signedInUser(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const query = readQuery(body);
    const archived = body.action !== 'unarchive';
    const ids = idsFrom(body.conversationIds);
    const result = await dashboard.archive(user, ids, archived);
    if (result.outcome === 'not-found') throw new NotFoundError();
    if (result.outcome === 'nothing-selected') {
      const text = archived
        ? 'Select at least one conversation to archive'
        : 'Select at least one conversation to move to your inbox';
      return renderStaffDashboard(reply, user, query, formErrors([{ field: 'conversations', text }]), 400);
    }
    const noun = result.count === 1 ? '1 conversation' : `${result.count} conversations`;
    request.session.set('flash', archived ? `${noun} archived` : `${noun} moved to your inbox`);
    request.session.set('archiveUndo', { conversationIds: [...new Set(ids)], archived });
    request.session.set('flashPlacement', 'dashboard');
    return reply.redirect(dashboardUrl({ ...query, selectAll: false }), 303);
  });

  async function conversationAction(
    request: FastifyRequest,
    reply: FastifyReply,
    action: 'archive' | 'unarchive' | 'unread',
  ) {
    const user = signedInUser(request);
    const conversationId = requireUuid((request.params as { conversationId: string }).conversationId);
    if (action === 'unread') {
      if (!(await dashboard.markUnread(user, conversationId))) throw new NotFoundError();
      request.session.set('flash', 'Conversation marked as unread');
      return reply.redirect(dashboardUrl(), 303);
    }
    const result = await dashboard.archive(user, [conversationId], action === 'archive');
    if (result.outcome !== 'done') throw new NotFoundError();
    request.session.set('flash', action === 'archive' ? 'Conversation archived' : 'Conversation moved to your inbox');
    return reply.redirect(dashboardUrl({ tab: action === 'archive' ? 'archived' : 'inbox' }), 303);
  }

  app.post('/staff/conversations/:conversationId/archive', { preHandler: requireStaff }, (request, reply) =>
    conversationAction(request, reply, 'archive'),
  );
  app.post('/staff/conversations/:conversationId/unarchive', { preHandler: requireStaff }, (request, reply) =>
    conversationAction(request, reply, 'unarchive'),
  );
  app.post('/staff/conversations/:conversationId/unread', { preHandler: requireStaff }, (request, reply) =>
    conversationAction(request, reply, 'unread'),
  );

  app.get('/messages', { preHandler: requireJobseeker }, async (request, reply) => {
    const rows = await dashboard.jobseekerConversations(signedInUser(request));
    return reply.header('Cache-Control', 'private, no-store').render('dashboard/views/jobseeker-messages.njk', {
      pageTitle: 'Messages',
      rows: rows.map((row) => ({
        ...row,
        statusLabel: statusLabel(row.status),
        lastSender: row.lastSenderKind === 'jobseeker' ? 'you' : row.lastSenderName,
        url: `${applicationUrls.jobseekerApplication(row.applicationId)}#messages`,
      })),
      liveEvents: liveUrls.events(Date.now()),
    });
  });
}
