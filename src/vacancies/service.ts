/**
 * Vacancy pages: the public job adverts, and the staff's vacancies with their applications by status.
 * Each function is one page's use case and returns what the page shows.
 */
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db, DbTransaction } from '../platform/db.ts';
import type { ApplicationsService } from '../applications/service.ts';
import { statusLabel, staffVisibleStatuses, type ApplicationStatus } from '../applications/status.ts';
import { applicationUrls } from '../applications/urls.ts';
import { decideSend } from '../messaging/policy.ts';
import { bulkUrls } from '../bulk/urls.ts';
import { maximumBulkRecipients } from '../templates/rules.ts';
import { vacancyUrls } from './urls.ts';
import {
  findAdvertisedVacancy,
  findPublishedVacancy,
  findVacancyForStaff,
  insertVacancy,
  listPublishedVacancies,
  listSchoolsForStaff,
  listVacanciesForStaff,
  lockVacancyForStaff,
  setVacancyStatus,
  updateVacancy,
} from './repository.ts';
import { closesAt, closingTimeText, ukDateTimeString, vacancyActions, vacancyIsOpen } from './rules.ts';
import { checkVacancyForm, type VacancyFormValues } from './schemas.ts';

/** A change to a vacancy, told to listeners inside its transaction (search documents, the audit log). */
export interface VacancyChange {
  vacancyId: string;
  schoolId: string;
  actorUserId: string;
  action: 'created' | 'edited' | 'published' | 'closed';
  title: string;
  /** The job title or the school changed: conversations' headings follow. */
  headingChanged: boolean;
}

export type VacancyChangeListener = (trx: DbTransaction, change: VacancyChange) => Promise<void>;

export type VacancySaveResult =
  | { outcome: 'saved'; vacancyId: string }
  | { outcome: 'invalid'; errors: { field: string; text: string }[] }
  | { outcome: 'not-found' }
  | { outcome: 'not-allowed'; message: string };

export function createVacanciesService(deps: {
  db: Db;
  clock: Clock;
  applications: ApplicationsService;
  onVacancyChange?: VacancyChangeListener[];
}) {
  const { db, clock, applications } = deps;
  const listeners = deps.onVacancyChange ?? [];

  async function tell(trx: DbTransaction, change: VacancyChange) {
    for (const listener of listeners) await listener(trx, change);
  }

  return {
    /** Published vacancies, as the public sees them. */
    async jobsPage() {
      const vacancies = await listPublishedVacancies(db);
      const now = clock.now();
      return vacancies.map((vacancy) => ({ ...vacancy, open: vacancyIsOpen(vacancy, now) }));
    },

    /** One job advert, and the jobseeker's own application to it if they have one. */
    async jobPage(vacancyId: string, viewer: SignedInUser | null) {
      const vacancy = await findAdvertisedVacancy(db, vacancyId);
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
        actions: vacancyActions(vacancy.status),
        open: vacancyIsOpen(vacancy, clock.now()),
        tabs: staffVisibleStatuses.map((tab) => ({ status: tab, count: counts.get(tab) ?? 0 })),
        applications: rows,
      };
    },

    /** The schools this member of staff may advertise for. */
    schoolsFor: (user: SignedInUser) => listSchoolsForStaff(db, user.id),

    /** A vacancy as staff edit it; undefined if they cannot see it. */
    async vacancyForEditing(user: SignedInUser, vacancyId: string) {
      const vacancy = await findVacancyForStaff(db, vacancyId, user.id);
      if (!vacancy) return undefined;
      return { vacancy, actions: vacancyActions(vacancy.status) };
    },

    /** A new vacancy, saved as a draft for a school the person can see. */
    async createVacancy(user: SignedInUser, form: VacancyFormValues): Promise<VacancySaveResult> {
      const schools = await listSchoolsForStaff(db, user.id);
      const checked = checkVacancyForm(
        form,
        schools.map((school) => school.id),
        clock.now(),
      );
      if (!checked.ok) return { outcome: 'invalid', errors: checked.errors };
      const fields = checked.vacancy;
      const vacancyId = await db.transaction().execute(async (trx) => {
        const id = await insertVacancy(trx, { ...fields, status: 'draft', createdBy: user.id });
        await tell(trx, {
          vacancyId: id,
          schoolId: fields.schoolId,
          actorUserId: user.id,
          action: 'created',
          title: fields.title,
          headingChanged: false,
        });
        return id;
      });
      return { outcome: 'saved', vacancyId };
    },

    /** Saves changes to a draft or published vacancy; a closed one is not changed. */
    async editVacancy(user: SignedInUser, vacancyId: string, form: VacancyFormValues): Promise<VacancySaveResult> {
      const schools = await listSchoolsForStaff(db, user.id);
      const checked = checkVacancyForm(
        form,
        schools.map((school) => school.id),
        clock.now(),
      );
      return db.transaction().execute(async (trx): Promise<VacancySaveResult> => {
        const vacancy = await lockVacancyForStaff(trx, vacancyId, user.id);
        if (!vacancy) return { outcome: 'not-found' };
        if (!vacancyActions(vacancy.status).edit)
          return { outcome: 'not-allowed', message: 'This vacancy has closed. It can no longer be changed.' };
        if (!checked.ok) return { outcome: 'invalid', errors: checked.errors };
        const fields = checked.vacancy;
        await updateVacancy(trx, vacancyId, fields);
        await tell(trx, {
          vacancyId,
          schoolId: fields.schoolId,
          actorUserId: user.id,
          action: 'edited',
          title: fields.title,
          headingChanged: fields.title !== vacancy.title || fields.schoolId !== vacancy.schoolId,
        });
        return { outcome: 'saved', vacancyId };
      });
    },

    /** Publishes a draft: it appears at /jobs. Its closing date and time must still be to come. */
    async publishVacancy(user: SignedInUser, vacancyId: string): Promise<VacancySaveResult> {
      return db.transaction().execute(async (trx): Promise<VacancySaveResult> => {
        const vacancy = await lockVacancyForStaff(trx, vacancyId, user.id);
        if (!vacancy) return { outcome: 'not-found' };
        if (!vacancyActions(vacancy.status).publish)
          return { outcome: 'not-allowed', message: 'Only a draft vacancy can be published.' };
        if (closesAt(vacancy) <= ukDateTimeString(clock.now()))
          return {
            outcome: 'not-allowed',
            message: 'The closing date and time have passed. Change them before you publish the vacancy.',
          };
        await setVacancyStatus(trx, vacancyId, 'published');
        await tell(trx, {
          vacancyId,
          schoolId: vacancy.schoolId,
          actorUserId: user.id,
          action: 'published',
          title: vacancy.title,
          headingChanged: false,
        });
        return { outcome: 'saved', vacancyId };
      });
    },

    /** Closes a published vacancy early: no new applications; those made carry on. */
    async closeVacancy(user: SignedInUser, vacancyId: string): Promise<VacancySaveResult> {
      return db.transaction().execute(async (trx): Promise<VacancySaveResult> => {
        const vacancy = await lockVacancyForStaff(trx, vacancyId, user.id);
        if (!vacancy) return { outcome: 'not-found' };
        if (!vacancyActions(vacancy.status).close)
          return { outcome: 'not-allowed', message: 'Only a published vacancy can be closed.' };
        await setVacancyStatus(trx, vacancyId, 'closed');
        await tell(trx, {
          vacancyId,
          schoolId: vacancy.schoolId,
          actorUserId: user.id,
          action: 'closed',
          title: vacancy.title,
          headingChanged: false,
        });
        return { outcome: 'saved', vacancyId };
      });
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
        statusLabel: { draft: 'Draft', published: 'Published', closed: 'Closed' }[vacancy.status],
        closingTime: closingTimeText(vacancy.closingTime),
        actions: page.actions,
        actionUrls: {
          publish: vacancyUrls.publishVacancy(vacancyId),
          edit: vacancyUrls.editVacancy(vacancyId),
          close: vacancyUrls.closeVacancy(vacancyId),
          advert: vacancyUrls.job(vacancyId),
        },
        selectedLabel: statusLabel(selected),
        tabs: page.tabs.map(({ status, count }) => ({
          status,
          label: statusLabel(status),
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
