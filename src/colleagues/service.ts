/**
 * Colleagues: an organisation's administrators invite people by email, see who is in the organisation, change who
 * is an administrator and remove people; every change goes in the organisation's audit log. A trust's
 * administrators manage the trust's own staff, a school's administrators the school's. Each function is one page's
 * use case; anyone who is not an administrator of the organisation gets undefined (a 404).
 */
import type { Clock } from '../platform/clock.ts';
import type { Db, DbTransaction } from '../platform/db.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { AccountLinksService } from '../accounts/service.ts';
import { emailAddressError, fullNameError, newPasswordError, normaliseEmailAddress } from '../accounts/schemas.ts';
import type { VacancyChange } from '../vacancies/service.ts';
import {
  addMembership,
  deleteMembership,
  findMembership,
  findOrganisation,
  findUserForInvitation,
  insertStaffUser,
  listAuditEvents,
  listColleagues,
  listMemberships,
  listPendingInvitations,
  recordAuditEvent,
  setRole,
  type AuditEventRecord,
} from './repository.ts';
import { decideColleagueChange, roleLabels, type StaffRole } from './rules.ts';

export type ColleagueResult =
  | { outcome: 'done'; message: string }
  | { outcome: 'not-found' }
  | { outcome: 'refused'; message: string }
  | { outcome: 'invalid'; errors: { field: string; text: string }[] };

/** An audit event in words. */
export function describeAuditEvent(event: AuditEventRecord): string {
  const actor = event.actorName ?? 'Someone';
  const subject = event.subjectName ?? event.subjectEmail ?? 'someone';
  switch (event.action) {
    case 'colleague-invited':
      return `${actor} invited ${event.subjectEmail ?? subject} as ${event.detail === 'admin' ? 'an administrator' : 'a member'}`;
    case 'colleague-joined':
      return `${subject} accepted an invitation and joined as ${event.detail === 'admin' ? 'an administrator' : 'a member'}`;
    case 'role-changed':
      return event.detail === 'admin'
        ? `${actor} made ${subject} an administrator`
        : `${actor} made ${subject} a member (not an administrator)`;
    case 'colleague-removed':
      return `${actor} removed ${subject}`;
    case 'vacancy-created':
      return `${actor} created the vacancy ${event.detail ?? ''} as a draft`;
    case 'vacancy-edited':
      return `${actor} changed the vacancy ${event.detail ?? ''}`;
    case 'vacancy-published':
      return `${actor} published the vacancy ${event.detail ?? ''}`;
    case 'vacancy-closed':
      return `${actor} closed the vacancy ${event.detail ?? ''}`;
    default:
      return `${actor}: ${event.action}`;
  }
}

export function createColleaguesService(deps: { db: Db; clock: Clock; accountLinks: AccountLinksService }) {
  const { db, clock, accountLinks } = deps;

  /** The organisation, if the person is one of its administrators. */
  async function administered(user: SignedInUser, organisationId: string) {
    if (user.kind !== 'staff') return undefined;
    const membership = await findMembership(db, user.id, organisationId);
    return membership?.role === 'admin' ? membership : undefined;
  }

  /** Changes a colleague's role or removes them: locked, decided by the rule, written with its audit entry. */
  async function changeColleague(
    user: SignedInUser,
    organisationId: string,
    colleagueId: string,
    change: { kind: 'remove' } | { kind: 'set-role'; role: StaffRole },
  ): Promise<ColleagueResult> {
    return db.transaction().execute(async (trx): Promise<ColleagueResult> => {
      const colleagues = await listColleagues(trx, organisationId, { lock: true });
      const actor = colleagues.find((c) => c.userId === user.id);
      if (actor?.role !== 'admin') return { outcome: 'not-found' };
      const target = colleagues.find((c) => c.userId === colleagueId);
      if (!target) return { outcome: 'not-found' };
      const decision = decideColleagueChange(
        { role: actor.role },
        { role: target.role, isActor: target.userId === user.id },
        colleagues.filter((c) => c.role === 'admin').length,
        change,
      );
      if (!decision.allowed) return { outcome: 'refused', message: decision.reason };
      if (change.kind === 'remove') {
        await deleteMembership(trx, colleagueId, organisationId);
        // Their access ends at once: every session of theirs ends (other organisations' access resumes when they
        // sign in again). Their messages and status changes keep their name.
        await accountLinks.endSessions(trx, colleagueId);
        await recordAuditEvent(trx, {
          organisationId,
          actorUserId: user.id,
          action: 'colleague-removed',
          subjectUserId: colleagueId,
        });
        return { outcome: 'done', message: `${target.fullName} has been removed` };
      }
      if (change.role === target.role)
        return { outcome: 'done', message: `${target.fullName} is already ${roleLabels[change.role].toLowerCase()}` };
      await setRole(trx, colleagueId, organisationId, change.role);
      await recordAuditEvent(trx, {
        organisationId,
        actorUserId: user.id,
        action: 'role-changed',
        subjectUserId: colleagueId,
        detail: change.role,
      });
      return {
        outcome: 'done',
        message:
          change.role === 'admin'
            ? `${target.fullName} is now an administrator`
            : `${target.fullName} is no longer an administrator`,
      };
    });
  }

  /** What an invitation link opens: whom it is for, and whether they already have a staff account. */
  async function invitationPage(token: unknown) {
    const { check, record } = await accountLinks.checkLink('invitation', token);
    if (check !== 'valid' || !record) return { check } as const;
    const organisation = await findOrganisation(db, record.organisationId ?? '');
    const existing = await findUserForInvitation(db, record.email);
    return {
      check,
      email: record.email,
      organisationName: organisation?.name ?? '',
      account: !existing ? ('new' as const) : existing.kind === 'staff' ? ('staff' as const) : ('jobseeker' as const),
    };
  }

  return {
    /** The organisations someone belongs to, with their role. */
    memberships: (user: SignedInUser) => listMemberships(db, user.id),

    async colleaguesPage(user: SignedInUser, organisationId: string) {
      const organisation = await administered(user, organisationId);
      if (!organisation) return undefined;
      const [colleagues, invitations] = await Promise.all([
        listColleagues(db, organisationId),
        listPendingInvitations(db, organisationId, clock.now()),
      ]);
      return { organisation, colleagues, invitations };
    },

    async colleaguePage(user: SignedInUser, organisationId: string, colleagueId: string) {
      const organisation = await administered(user, organisationId);
      if (!organisation) return undefined;
      const colleague = (await listColleagues(db, organisationId)).find((c) => c.userId === colleagueId);
      if (!colleague) return undefined;
      return { organisation, colleague };
    },

    async auditPage(user: SignedInUser, organisationId: string) {
      const organisation = await administered(user, organisationId);
      if (!organisation) return undefined;
      const events = await listAuditEvents(db, organisationId, 200);
      return { organisation, events: events.map((event) => ({ ...event, text: describeAuditEvent(event) })) };
    },

    organisationFor: administered,

    /**
     * Invites someone by email. Refused for an address that is already a colleague here, or that belongs to a
     * jobseeker account (one account is staff or jobseeker, not both).
     */
    async invite(
      user: SignedInUser,
      organisationId: string,
      form: { email: string; role: string },
    ): Promise<ColleagueResult> {
      const organisation = await administered(user, organisationId);
      if (!organisation) return { outcome: 'not-found' };
      const errors: { field: string; text: string }[] = [];
      const emailError = emailAddressError(form.email);
      if (emailError) errors.push({ field: 'email', text: emailError.replace('your email', 'their email') });
      if (form.role !== 'admin' && form.role !== 'member')
        errors.push({ field: 'role', text: 'Select whether they will be an administrator' });
      if (errors.length) return { outcome: 'invalid', errors };
      const email = normaliseEmailAddress(form.email);
      const role: StaffRole = form.role === 'admin' ? 'admin' : 'member';
      return db.transaction().execute(async (trx): Promise<ColleagueResult> => {
        const existing = await findUserForInvitation(trx, email);
        if (existing?.kind === 'jobseeker')
          return {
            outcome: 'invalid',
            errors: [
              {
                field: 'email',
                text: 'This email address belongs to a jobseeker account. Ask your colleague for their work email address.',
              },
            ],
          };
        if (existing && (await findMembership(trx, existing.id, organisationId)))
          return {
            outcome: 'invalid',
            errors: [{ field: 'email', text: `${email} is already a colleague in ${organisation.organisationName}` }],
          };
        await accountLinks.issueToken(trx, {
          purpose: 'invitation',
          userId: existing?.id ?? null,
          email,
          organisationId,
          role,
          createdBy: user.id,
        });
        await recordAuditEvent(trx, {
          organisationId,
          actorUserId: user.id,
          action: 'colleague-invited',
          subjectUserId: existing?.id ?? null,
          subjectEmail: email,
          detail: role,
        });
        return { outcome: 'done', message: `We have sent an invitation to ${email}` };
      });
    },

    setRole: (user: SignedInUser, organisationId: string, colleagueId: string, role: StaffRole) =>
      changeColleague(user, organisationId, colleagueId, { kind: 'set-role', role }),

    remove: (user: SignedInUser, organisationId: string, colleagueId: string) =>
      changeColleague(user, organisationId, colleagueId, { kind: 'remove' }),

    invitationPage,

    /**
     * Accepts an invitation: a new account (name and password) or the organisation added to an existing staff
     * account. The link is used once.
     */
    async acceptInvitation(
      token: unknown,
      form: { fullName: string; password: string },
    ): Promise<ColleagueResult | { outcome: 'link'; check: 'unknown' | 'used' | 'superseded' | 'expired' }> {
      const page = await invitationPage(token);
      if (page.check !== 'valid') return { outcome: 'link', check: page.check };
      if (page.account === 'jobseeker')
        return { outcome: 'refused', message: 'This email address belongs to a jobseeker account.' };
      let passwordHash: string | undefined;
      if (page.account === 'new') {
        const errors = [
          { field: 'fullName', text: fullNameError(form.fullName) },
          { field: 'password', text: newPasswordError(form.password) },
        ].filter((e): e is { field: string; text: string } => e.text !== null);
        if (errors.length) return { outcome: 'invalid', errors };
        passwordHash = await accountLinks.hashNewPassword(form.password);
      }
      return db.transaction().execute(async (trx) => {
        const used = await accountLinks.useToken(trx, 'invitation', token);
        if (used.check !== 'valid') return { outcome: 'link' as const, check: used.check };
        const invitation = used.record;
        const organisationId = invitation.organisationId ?? '';
        let userId = (await findUserForInvitation(trx, invitation.email))?.id;
        if (!userId) {
          if (!passwordHash) return { outcome: 'refused' as const, message: 'Choose a password' };
          userId = await insertStaffUser(trx, {
            email: invitation.email,
            fullName: form.fullName.trim(),
            passwordHash,
          });
          if (!userId) return { outcome: 'refused' as const, message: 'This invitation could not be accepted.' };
        }
        await addMembership(trx, { userId, organisationId, role: invitation.role ?? 'member' });
        await recordAuditEvent(trx, {
          organisationId,
          actorUserId: userId,
          action: 'colleague-joined',
          subjectUserId: userId,
          subjectEmail: invitation.email,
          detail: invitation.role,
        });
        return { outcome: 'done' as const, message: `You have joined ${page.organisationName}. Sign in to continue.` };
      });
    },

    /** Told by the vacancies feature inside its transaction: the school's audit log records the change. */
    async onVacancyChanged(trx: DbTransaction, change: VacancyChange) {
      await recordAuditEvent(trx, {
        organisationId: change.schoolId,
        actorUserId: change.actorUserId,
        action: `vacancy-${change.action}`,
        vacancyId: change.vacancyId,
        detail: change.title,
      });
    },
  };
}

export type ColleaguesService = ReturnType<typeof createColleaguesService>;
