/**
 * Vacancy pages: the public job adverts, and the staff's vacancies with their applications by status.
 * Each function is one page's use case and returns what the page shows.
 */
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db.ts';
import type { ApplicationsService } from '../applications/service.ts';
import { staffStatusLabel, staffVisibleStatuses, type ApplicationStatus } from '../applications/status.ts';
import { applicationUrls } from '../applications/urls.ts';
import { decideSend } from '../messaging/policy.ts';
import { bulkUrls } from '../bulk/urls.ts';
import { maximumBulkRecipients } from '../templates/rules.ts';
import { vacancyUrls } from './urls.ts';
import {
  findPublishedVacancy,
  findVacancyForStaff,
  listPublishedVacancies,
  listVacanciesForStaff,
} from './repository.ts';
import { vacancyIsOpen } from './rules.ts';

export function createVacanciesService(deps: { db: Db; clock: Clock; applications: ApplicationsService }) {
  const { db, clock, applications } = deps;

  return {
    /** Published vacancies, as the public sees them. */
    async jobsPage() {
      const vacancies = await listPublishedVacancies(db);
      const now = clock.now();
      return vacancies.map((vacancy) => ({ ...vacancy, open: vacancyIsOpen(vacancy, now) }));
    },

    /** One job advert, and the jobseeker's own application to it if they have one. */
    async jobPage(vacancyId: string, viewer: SignedInUser | null) {
      const vacancy = await findPublishedVacancy(db, vacancyId);
      if (!vacancy) return undefined;
      const existing =
        viewer?.kind === 'jobseeker' ? await applications.findForVacancy(vacancyId, viewer.id) : undefined;
      return { vacancy, open: vacancyIsOpen(vacancy, clock.now()), existing };
    },

    findPublished: (vacancyId: string) => findPublishedVacancy(db, vacancyId),

    staffVacancies: (user: SignedInUser) => listVacanciesForStaff(db, user.id),

    /** A vacancy's applications with the given status, and how many there are in each status. */
    async staffVacancyPage(user: SignedInUser, vacancyId: string, status: ApplicationStatus) {
      const vacancy = await findVacancyForStaff(db, vacancyId, user.id);
      if (!vacancy) return undefined;
      const [counts, rows] = await Promise.all([
        applications.countByStatus(vacancyId),
        applications.listForVacancy(vacancyId, status),
      ]);
      return {
        vacancy,
        tabs: staffVisibleStatuses.map((tab) => ({ status: tab, count: counts.get(tab) ?? 0 })),
        applications: rows,
      };
    },

    /**
     * The staff's page of a vacancy's applications on one status tab, as the template shows it: the tabs, the rows
     * with a tick box each, and the bulk message form when applicants on this tab can be messaged.
     */
    async staffVacancyView(user: SignedInUser, vacancyId: string, selected: ApplicationStatus) {
      const page = await this.staffVacancyPage(user, vacancyId, selected);
      if (!page) return undefined;
      const { vacancy } = page;
      const canMessage = decideSend({ actor: 'staff', status: selected, conversationHasMessages: true }).allowed;
      return {
        pageTitle: `${vacancy.title} – applications`,
        vacancy,
        selected,
        selectedLabel: staffStatusLabel(selected),
        tabs: page.tabs.map(({ status, count }) => ({
          status,
          label: staffStatusLabel(status),
          count,
          url: vacancyUrls.staffVacancy(vacancyId, status),
          current: status === selected,
        })),
        applications: page.applications.map((a) => ({ ...a, url: applicationUrls.staffApplication(a.id) })),
        bulk:
          canMessage && page.applications.length > 0
            ? { action: bulkUrls.start(vacancyId), maximum: maximumBulkRecipients }
            : null,
        backLink: { href: vacancyUrls.staffVacancies(), text: 'All vacancies' },
      };
    },
  };
}

export type VacanciesService = ReturnType<typeof createVacanciesService>;
