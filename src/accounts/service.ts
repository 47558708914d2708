import { randomUUID } from 'node:crypto';
import type { Clock } from '../platform/clock.ts';
import type { AccountTokenPurpose, StaffRole } from '../platform/database-schema.ts';
import type { Db, DbTransaction } from '../platform/db.ts';
import type { OutgoingEmail } from '../platform/mail.ts';
import { queueDefinitions, type JobQueue } from '../platform/queue.ts';
import {
  checkToken,
  hashAccountToken,
  newTokenId,
  signedToken,
  tokenLifetimesMs,
  type TokenCheck,
} from './account-tokens.ts';
import { normaliseEmailAddress } from './email-address.ts';
import { alreadyRegisteredEmail, invitationEmail, resetPasswordEmail, verifyEmailEmail } from './emails.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from './password.ts';
import {
  clearSignInAttempts,
  countRecentFailedSignIns,
  deleteSessionsOf,
  findAccountTokenByHash,
  findAccountTokenById,
  findOrganisationName,
  findUserByEmail,
  findSignedInUserRow,
  findUserById,
  insertAccountToken,
  insertUnverifiedJobseeker,
  markAccountTokenUsed,
  markEmailVerified,
  recordFailedSignIn,
  setPasswordHash,
  supersedeAccountTokens,
  type AccountTokenRecord,
} from './repository.ts';
import { accountUrls } from './urls.ts';
import type { SignedInUser } from '../web/signed-in-user.ts';

export type { SignedInUser };

export type SignInResult =
  { outcome: 'signed-in'; user: SignedInUser } | { outcome: 'wrong-credentials' } | { outcome: 'too-many-attempts' };

const attemptWindowMinutes = 15;

export function createAccountsService(deps: { db: Db; signInAttemptsPer15Minutes: number }) {
  const { db } = deps;

  async function loadSignedInUser(userId: string): Promise<SignedInUser | undefined> {
    // On every request: the person and their organisations in one query.
    const user = await findSignedInUserRow(db, userId);
    if (!user || user.closedAt) return undefined;
    // A member of staff removed from their last organisation has no access left: they are signed out.
    if (user.kind === 'staff' && user.organisationNames.length === 0) return undefined;
    return {
      id: user.id,
      kind: user.kind,
      email: user.email,
      fullName: user.fullName,
      organisationNames: user.organisationNames,
      emailVerified: user.emailVerifiedAt !== null,
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
      const email = normaliseEmailAddress(input.email);
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

/** The data of an account email's queue job: a link's id (never the token), or a note to an existing account. */
export type AccountEmailJob =
  { tokenId: string; returnTo?: string } | { notice: 'already-registered'; userId: string; key: string };

interface JobContext {
  id: string;
  retryCount: number;
  retryLimit: number;
}

type DeliverEmail = (
  claim: { key: string; kind: 'account'; recipientUserId: string | null },
  job: JobContext,
  build: (reference: string) => Promise<OutgoingEmail>,
) => Promise<string>;

export type LinkOutcome<T> = ({ outcome: 'done' } & T) | { outcome: Exclude<TokenCheck, 'valid'> };

const attemptsWindowMinutes = 15;

/**
 * The emailed links about an account: sign-up and confirming the address, forgotten passwords, and (for the
 * colleagues feature) invitations. Every link is a signed, single-use, expiring token stored as a hash; the email
 * goes through a queue job enqueued in the same transaction, and through the ledger.
 */
export function createAccountLinksService(deps: {
  db: Db;
  queue: JobQueue;
  clock: Clock;
  baseUrl: string;
  secret: string;
  attemptsPer15Minutes: number;
  deliverEmail: DeliverEmail;
}) {
  const { db, queue, clock, baseUrl, secret } = deps;

  /** Counts this attempt and answers whether the email address or the client address is over the limit. */
  async function overLimit(action: string, email: string, clientAddress: string): Promise<boolean> {
    const keys = [`${action}:email:${normaliseEmailAddress(email)}`, `${action}:address:${clientAddress}`] as const;
    const counts = await countRecentFailedSignIns(db, [...keys], attemptsWindowMinutes);
    if (
      (counts.get(keys[0]) ?? 0) >= deps.attemptsPer15Minutes ||
      (counts.get(keys[1]) ?? 0) >= deps.attemptsPer15Minutes * 5
    )
      return true;
    await recordFailedSignIn(db, [...keys]);
    return false;
  }

  /** Stores a new link (superseding older ones of the same purpose) and enqueues its email, in the caller's transaction. */
  async function issueToken(
    trx: DbTransaction,
    token: {
      purpose: AccountTokenPurpose;
      userId: string | null;
      email: string;
      organisationId?: string;
      role?: StaffRole;
      createdBy?: string;
      returnTo?: string;
    },
  ): Promise<string> {
    const id = newTokenId();
    const tokenHash = hashAccountToken(signedToken(secret, id));
    if (!tokenHash) throw new Error('a signed token is not shaped as one');
    const { returnTo, ...stored } = token;
    await insertAccountToken(trx, {
      ...stored,
      id,
      tokenHash,
      expiresAt: new Date(clock.now().getTime() + tokenLifetimesMs[token.purpose]),
    });
    const job: AccountEmailJob = { tokenId: id, ...(returnTo && returnTo !== '/' ? { returnTo } : {}) };
    await queue.sendInTransaction(trx, queueDefinitions.accountEmail.name, job);
    return id;
  }

  /** Looks a link up without using it: for the page it opens. */
  async function checkLink(
    purpose: AccountTokenPurpose,
    token: unknown,
  ): Promise<{ check: TokenCheck; record?: AccountTokenRecord }> {
    const hash = hashAccountToken(token);
    const record = hash ? await findAccountTokenByHash(db, hash) : undefined;
    const check = checkToken(record, purpose, clock.now());
    return check === 'valid' && record ? { check, record } : { check };
  }

  /** Uses a link inside the caller's transaction: locked, checked again, marked used. */
  async function useToken(
    trx: DbTransaction,
    purpose: AccountTokenPurpose,
    token: unknown,
  ): Promise<{ check: 'valid'; record: AccountTokenRecord } | { check: Exclude<TokenCheck, 'valid'> }> {
    const hash = hashAccountToken(token);
    const record = hash ? await findAccountTokenByHash(trx, hash, { lock: true }) : undefined;
    const check = checkToken(record, purpose, clock.now());
    if (check !== 'valid' || !record) return { check: check === 'valid' ? 'unknown' : check };
    await markAccountTokenUsed(trx, record.id);
    return { check, record };
  }

  function linkFor(record: AccountTokenRecord, returnTo: string | undefined): string {
    const token = signedToken(secret, record.id);
    switch (record.purpose) {
      case 'verify-email':
        return `${baseUrl}${accountUrls.verifyEmail(token, returnTo)}`;
      case 'reset-password':
        return `${baseUrl}${accountUrls.resetPassword(token)}`;
      case 'invitation':
        return `${baseUrl}${accountUrls.acceptInvitation(token)}`;
    }
  }

  return {
    issueToken,
    checkLink,
    useToken,

    /** A new password's hash, for an account made from an invitation. */
    hashNewPassword: (password: string) => hashPassword(password),

    /** Signs an account out everywhere, in the caller's transaction. */
    endSessions: (trx: DbTransaction, userId: string) => deleteSessionsOf(trx, userId),

    /**
     * A jobseeker signs up. The answer is the same whether or not the address has an account: a new account gets
     * a link to confirm the address; an unconfirmed one gets a fresh link; any other gets an email saying it
     * already has an account.
     */
    async signUp(input: {
      fullName: string;
      email: string;
      password: string;
      clientAddress: string;
      returnTo?: string;
    }): Promise<'sent' | 'too-many-attempts'> {
      if (await overLimit('sign-up', input.email, input.clientAddress)) return 'too-many-attempts';
      const email = normaliseEmailAddress(input.email);
      // Hashed whether or not it is used, so that the time taken does not tell.
      const passwordHash = await hashPassword(input.password);
      await db.transaction().execute(async (trx) => {
        const existing = await findUserByEmail(trx, email);
        if (!existing) {
          const userId = await insertUnverifiedJobseeker(trx, { email, fullName: input.fullName.trim(), passwordHash });
          if (userId) {
            await issueToken(trx, {
              purpose: 'verify-email',
              userId,
              email,
              ...(input.returnTo ? { returnTo: input.returnTo } : {}),
            });
            return;
          }
        }
        const owner = existing ?? (await findUserByEmail(trx, email));
        if (!owner || owner.closedAt) return;
        if (owner.kind === 'jobseeker' && !owner.emailVerifiedAt) {
          await issueToken(trx, {
            purpose: 'verify-email',
            userId: owner.id,
            email,
            ...(input.returnTo ? { returnTo: input.returnTo } : {}),
          });
          return;
        }
        const job: AccountEmailJob = { notice: 'already-registered', userId: owner.id, key: randomUUID() };
        await queue.sendInTransaction(trx, queueDefinitions.accountEmail.name, job);
      });
      return 'sent';
    },

    /** Another link to confirm the address, for a signed-in jobseeker who has not confirmed it yet. */
    async resendVerification(
      userId: string,
      clientAddress: string,
      returnTo?: string,
    ): Promise<'sent' | 'already-confirmed' | 'too-many-attempts'> {
      const user = await findUserById(db, userId);
      if (!user || user.kind !== 'jobseeker') return 'already-confirmed';
      if (user.emailVerifiedAt) return 'already-confirmed';
      if (await overLimit('verify', user.email, clientAddress)) return 'too-many-attempts';
      await db.transaction().execute((trx) =>
        issueToken(trx, {
          purpose: 'verify-email',
          userId,
          email: user.email,
          ...(returnTo ? { returnTo } : {}),
        }),
      );
      return 'sent';
    },

    /** Confirms the address the link was sent to. */
    async confirmEmail(token: unknown): Promise<LinkOutcome<{ userId: string }>> {
      return db.transaction().execute(async (trx) => {
        const used = await useToken(trx, 'verify-email', token);
        if (used.check !== 'valid') return { outcome: used.check };
        const userId = used.record.userId ?? '';
        await markEmailVerified(trx, userId);
        return { outcome: 'done' as const, userId };
      });
    },

    /** A reset link for the account with this address, if there is one; the answer is the same either way. */
    async requestPasswordReset(input: { email: string; clientAddress: string }): Promise<'sent' | 'too-many-attempts'> {
      if (await overLimit('reset', input.email, input.clientAddress)) return 'too-many-attempts';
      await db.transaction().execute(async (trx) => {
        const user = await findUserByEmail(trx, input.email);
        if (!user || user.closedAt) return;
        await issueToken(trx, { purpose: 'reset-password', userId: user.id, email: user.email });
      });
      return 'sent';
    },

    /**
     * Sets a new password with a reset link: the link and every other reset link of the account stop working, the
     * address counts as confirmed (the link proved it), and every session of the account ends.
     */
    async resetPassword(token: unknown, password: string): Promise<LinkOutcome<{ userId: string }>> {
      const passwordHash = await hashPassword(password);
      return db.transaction().execute(async (trx) => {
        const used = await useToken(trx, 'reset-password', token);
        if (used.check !== 'valid') return { outcome: used.check };
        const userId = used.record.userId ?? '';
        await setPasswordHash(trx, userId, passwordHash);
        await supersedeAccountTokens(trx, userId, 'reset-password');
        await markEmailVerified(trx, userId);
        await deleteSessionsOf(trx, userId);
        await clearSignInAttempts(trx, `email:${used.record.email}`);
        return { outcome: 'done' as const, userId };
      });
    },

    /** The queue job: writes the email for a link (or the note to an existing account) and sends it once. */
    async sendAccountEmail(data: AccountEmailJob, job: JobContext): Promise<string> {
      if ('notice' in data) {
        const user = await findUserById(db, data.userId);
        if (!user) return 'nothing-to-send';
        return deps.deliverEmail(
          { key: `account:notice:${data.key}`, kind: 'account', recipientUserId: user.id },
          job,
          (reference) =>
            Promise.resolve(
              alreadyRegisteredEmail({
                to: user.email,
                fullName: user.fullName,
                signInLink: `${baseUrl}${accountUrls.signIn()}`,
                resetLink: `${baseUrl}${accountUrls.forgottenPassword()}`,
                reference,
              }),
            ),
        );
      }
      const record = await findAccountTokenById(db, data.tokenId);
      // A newer link replaced it, or it was used already: nothing worth sending.
      if (!record || record.usedAt || record.supersededAt) return 'nothing-to-send';
      const link = linkFor(record, data.returnTo);
      const user = record.userId ? await findUserById(db, record.userId) : undefined;
      return deps.deliverEmail(
        { key: `account:${record.id}`, kind: 'account', recipientUserId: record.userId },
        job,
        async (reference) => {
          switch (record.purpose) {
            case 'verify-email':
              return verifyEmailEmail({ to: record.email, fullName: user?.fullName ?? '', link, reference });
            case 'reset-password':
              return resetPasswordEmail({ to: record.email, fullName: user?.fullName ?? '', link, reference });
            case 'invitation': {
              const inviter = record.createdBy ? await findUserById(db, record.createdBy) : undefined;
              return invitationEmail({
                to: record.email,
                organisationName: (await findOrganisationName(db, record.organisationId ?? '')) ?? 'an organisation',
                invitedBy: inviter?.fullName ?? 'An administrator',
                link,
                reference,
              });
            }
          }
        },
      );
    },
  };
}

export type AccountLinksService = ReturnType<typeof createAccountLinksService>;
