import type { Logger } from 'pino';
import type { Db } from '../platform/db.ts';
import { EmailRejectedError, type EmailTransport, type OutgoingEmail } from '../platform/mail.ts';
import { noPauses, type DeliveryCheckpoint } from '../platform/test-pauses.ts';
import { claimEmail, markEmailFailed, markEmailSent, type LedgerEntry } from './repository.ts';

/** The queue job sending an email: its id owns the ledger entry, and its retry count tells the last attempt. */
export interface JobContext {
  id: string;
  retryCount: number;
  retryLimit: number;
}

/** 'refused': the transport said it can never be sent (recorded as failed, not retried). */
export type DeliveryOutcome = 'sent' | 'already-claimed' | 'refused';

/**
 * The one path every email takes (docs/decisions/0005-email-ledger.md, 0008-email-exactly-once.md): claim its ledger
 * entry; if an earlier attempt of the same job may have handed it over, ask the transport first (GOV.UK Notify, by
 * reference) and record it as sent if it has it; otherwise write it (the ledger id is its reference) and hand it
 * over; record the answer at once. A new kind of email calls `deliver` from its queue job with a ledger key unique to
 * that email and a function writing it; its kind is added to `EmailKind` (and the ledger's check constraint) and,
 * for GOV.UK Notify, given a template.
 */
export function createEmailDelivery(deps: {
  db: Db;
  transport: EmailTransport;
  logger: Logger;
  checkpoint?: DeliveryCheckpoint;
}) {
  const { db, transport, logger } = deps;
  const checkpoint = deps.checkpoint ?? noPauses;

  async function handOver(
    ledgerId: string,
    previousStatus: string | null,
    compose: () => OutgoingEmail | Promise<OutgoingEmail>,
  ) {
    if (previousStatus !== null && transport.findHandedOver) {
      const found = await transport.findHandedOver(ledgerId);
      if (found) {
        await markEmailSent(db, ledgerId, found.providerReference);
        logger.info({ ledgerId, previousStatus }, 'email already handed over by an earlier attempt: recorded as sent');
        return;
      }
    }
    const email = await compose();
    await checkpoint('before-handover', ledgerId);
    const { providerReference } = await transport.send(email);
    await checkpoint('after-handover', ledgerId);
    await markEmailSent(db, ledgerId, providerReference);
  }

  /**
   * Sends the email standing for `entry`, once. `compose` writes it with the ledger id as its reference. Transport
   * failures are recorded and thrown, so that the queue retries; the last one, or a permanent refusal, is recorded
   * as failed (and a permanent refusal is not thrown: there is nothing to retry).
   */
  async function deliver(
    entry: LedgerEntry,
    job: JobContext,
    compose: (reference: string) => OutgoingEmail | Promise<OutgoingEmail>,
  ): Promise<DeliveryOutcome> {
    const claim = await claimEmail(db, { ...entry, jobId: job.id });
    if (!claim) return 'already-claimed';
    try {
      await handOver(claim.id, claim.previousStatus, () => compose(claim.id));
      return 'sent';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const final = error instanceof EmailRejectedError || job.retryCount >= job.retryLimit;
      await markEmailFailed(db, claim.id, message, final);
      // Mail servers name the address in their refusals ("550 <sam@example.com>: unknown user"): not in the log.
      const logged = message.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '[email address]');
      if (final) {
        logger.error(
          { ledgerId: claim.id, kind: entry.kind, attempts: job.retryCount + 1, error: logged },
          'email not sent: giving up',
        );
        if (error instanceof EmailRejectedError) return 'refused';
      } else {
        logger.warn(
          { ledgerId: claim.id, kind: entry.kind, attempt: job.retryCount + 1, error: logged },
          'email not sent: will retry',
        );
      }
      throw error;
    }
  }

  return { deliver };
}

export type EmailDelivery = ReturnType<typeof createEmailDelivery>;
