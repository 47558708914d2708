import type { Db } from '../platform/db.ts';
import { decoyPasswordHash, verifyPassword } from './password.ts';
import {
  clearSignInAttempts,
  countRecentFailedSignIns,
  findUserByEmail,
  findUserById,
  listStaffOrganisations,
  recordFailedSignIn,
} from './repository.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';

export type { SignedInUser };

export type SignInResult =
  { outcome: 'signed-in'; user: SignedInUser } | { outcome: 'wrong-credentials' } | { outcome: 'too-many-attempts' };

const attemptWindowMinutes = 15;

export function createAccountsService(deps: { db: Db; signInAttemptsPer15Minutes: number }) {
  const { db } = deps;

  async function loadSignedInUser(userId: string): Promise<SignedInUser | undefined> {
    const user = await findUserById(db, userId);
    if (!user || user.closedAt) return undefined;
    const organisations = user.kind === 'staff' ? await listStaffOrganisations(db, user.id) : [];
    return {
      id: user.id,
      kind: user.kind,
      email: user.email,
      fullName: user.fullName,
      organisationNames: organisations.map((o) => o.name),
    };
  }

  return {
    loadSignedInUser,

    /**
     * Checks an email and password. Failed attempts are limited per email address (the limit) and per client
     * address (five times the limit, as a school's staff may share one address) over 15 minutes, counted in the
     * database so every web process shares the limit. A wrong email and a wrong password look the same.
     */
    async signIn(input: { email: string; password: string; clientAddress: string }): Promise<SignInResult> {
      const email = input.email.trim().toLowerCase();
      const keys = [`email:${email}`, `address:${input.clientAddress}`] as const;
      const failures = await countRecentFailedSignIns(db, [...keys], attemptWindowMinutes);
      if (
        (failures.get(keys[0]) ?? 0) >= deps.signInAttemptsPer15Minutes ||
        (failures.get(keys[1]) ?? 0) >= deps.signInAttemptsPer15Minutes * 5
      ) {
        return { outcome: 'too-many-attempts' };
      }
      const user = await findUserByEmail(db, email);
      const passwordMatches = await verifyPassword(input.password, user?.passwordHash ?? (await decoyPasswordHash()));
      if (!user || !passwordMatches || user.closedAt) {
        await recordFailedSignIn(db, [...keys]);
        return { outcome: 'wrong-credentials' };
      }
      await clearSignInAttempts(db, keys[0]);
      const signedIn = await loadSignedInUser(user.id);
      if (!signedIn) return { outcome: 'wrong-credentials' };
      return { outcome: 'signed-in', user: signedIn };
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
