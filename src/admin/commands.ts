import type { OrganisationKind } from '../platform/database-schema.ts';
import type { Db, DbExecutor } from '../platform/db.ts';
import {
  addSchoolToGroup,
  addStaffMembership,
  findUserByEmail,
  insertOrganisation,
  insertUser,
} from '../accounts/repository.ts';
import { kindLabel, organisationKinds, type AdminCommand } from './arguments.ts';
import { chooseOrganisation, type OrganisationCandidate } from './organisation-match.ts';
import { findOrganisationCandidates, isSchoolInGroup } from './repository.ts';

/**
 * The admin commands' work against the database: look everything up, report every problem at once, and only then
 * write, all in one transaction.
 */

export type DatabaseCommand = Exclude<AdminCommand, { command: 'help' }>;

/** What the operator is told: `output` is the result for scripts (stdout), `notes` are for people (stderr). */
export type AdminOutcome = { ok: true; output: string; notes: string[] } | { ok: false; problems: string[] };

export const duplicateEmailProblem = 'An account with that email address already exists';

const groupKinds: readonly OrganisationKind[] = ['multi_academy_trust', 'local_authority'];

type Plan =
  | { command: 'create-organisation'; name: string; kind: OrganisationKind; sharedName: boolean }
  | {
      command: 'add-school-to-group';
      group: OrganisationCandidate;
      school: OrganisationCandidate;
      alreadyMember: boolean;
    }
  | { command: 'create-staff'; email: string; fullName: string; organisations: OrganisationCandidate[] }
  | { command: 'create-jobseeker'; email: string; fullName: string };

type Checked = { ok: true; plan: Plan } | { ok: false; problems: string[] };

async function emailProblems(db: DbExecutor, email: string): Promise<string[]> {
  return (await findUserByEmail(db, email)) ? [duplicateEmailProblem] : [];
}

/** Looks up what the command refers to; reads only. */
async function check(db: DbExecutor, command: DatabaseCommand): Promise<Checked> {
  switch (command.command) {
    case 'create-organisation': {
      const sameName = await findOrganisationCandidates(db, { by: 'name', name: command.name, text: command.name });
      return { ok: true, plan: { ...command, sharedName: sameName.length > 0 } };
    }
    case 'add-school-to-group': {
      const group = chooseOrganisation(
        '--group',
        command.group,
        await findOrganisationCandidates(db, command.group),
        groupKinds,
      );
      const school = chooseOrganisation(
        '--school',
        command.school,
        await findOrganisationCandidates(db, command.school),
        ['school'],
      );
      if (!group.ok || !school.ok) {
        return { ok: false, problems: [group, school].flatMap((match) => (match.ok ? [] : [match.problem])) };
      }
      const alreadyMember = await isSchoolInGroup(db, group.organisation.id, school.organisation.id);
      return {
        ok: true,
        plan: { command: command.command, group: group.organisation, school: school.organisation, alreadyMember },
      };
    }
    case 'create-staff': {
      const problems = await emailProblems(db, command.email);
      const organisations = new Map<string, OrganisationCandidate>();
      for (const reference of command.organisations) {
        const match = chooseOrganisation(
          '--organisation',
          reference,
          await findOrganisationCandidates(db, reference),
          organisationKinds,
        );
        if (match.ok) organisations.set(match.organisation.id, match.organisation);
        else problems.push(match.problem);
      }
      if (problems.length) return { ok: false, problems };
      return { ok: true, plan: { ...command, organisations: [...organisations.values()] } };
    }
    case 'create-jobseeker': {
      const problems = await emailProblems(db, command.email);
      if (problems.length) return { ok: false, problems };
      return { ok: true, plan: command };
    }
  }
}

/**
 * Checks a command without changing anything, so that problems are reported before a person is asked to type a
 * password. `runAdminCommand` checks again inside its transaction.
 */
export async function checkAdminCommand(db: DbExecutor, command: DatabaseCommand): Promise<string[]> {
  const checked = await check(db, command);
  return checked.ok ? [] : checked.problems;
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === '23505' &&
    'constraint' in error &&
    error.constraint === constraint
  );
}

async function apply(db: DbExecutor, plan: Plan, passwordHash: string | undefined): Promise<AdminOutcome> {
  switch (plan.command) {
    case 'create-organisation': {
      const id = await insertOrganisation(db, { name: plan.name, kind: plan.kind });
      const notes = [`Created ${kindLabel(plan.kind)} ${JSON.stringify(plan.name)}`];
      if (plan.sharedName) notes.push('Another organisation already has that name: refer to this one by its id');
      return { ok: true, output: id, notes };
    }
    case 'add-school-to-group': {
      await addSchoolToGroup(db, plan.group.id, plan.school.id);
      const what = `${JSON.stringify(plan.school.name)} ${plan.alreadyMember ? 'was already' : 'is now'} in ${JSON.stringify(plan.group.name)}`;
      return { ok: true, output: what, notes: [] };
    }
    case 'create-staff':
    case 'create-jobseeker': {
      if (passwordHash === undefined) throw new Error(`${plan.command} needs a password hash`);
      const kind = plan.command === 'create-staff' ? 'staff' : 'jobseeker';
      const id = await insertUser(db, { kind, email: plan.email, fullName: plan.fullName, passwordHash });
      if (plan.command === 'create-jobseeker') {
        return { ok: true, output: id, notes: [`Created jobseeker account ${plan.email}`] };
      }
      // Bootstrapping: the account is an administrator of its organisations, who invites the rest in the web pages.
      for (const organisation of plan.organisations) await addStaffMembership(db, id, organisation.id, 'admin');
      const names = plan.organisations.map((organisation) => JSON.stringify(organisation.name)).join(', ');
      return {
        ok: true,
        output: id,
        notes: [
          `Created hiring staff account ${plan.email}, an administrator of ${names}`,
          'Invite their colleagues in Parley: Colleagues, then Invite a colleague.',
        ],
      };
    }
  }
}

/**
 * Runs a command in one transaction: nothing is written unless every check passes. `passwordHash` is required by
 * create-staff and create-jobseeker.
 */
export async function runAdminCommand(db: Db, command: DatabaseCommand, passwordHash?: string): Promise<AdminOutcome> {
  try {
    return await db.transaction().execute(async (trx) => {
      const checked = await check(trx, command);
      if (!checked.ok) return checked;
      return apply(trx, checked.plan, passwordHash);
    });
  } catch (error) {
    // Someone else took the address between our check and our insert.
    if (isUniqueViolation(error, 'users_email_idx')) return { ok: false, problems: [duplicateEmailProblem] };
    throw error;
  }
}
