import type { Logger } from 'pino';

/**
 * The points in sending one email where a fault test may stop a worker process, to kill it there (SIGKILL):
 * after the ledger claim and before the transport has it; while the transport writes it (the file transport only:
 * SMTP and GOV.UK Notify are held by the test's servers instead); after the transport took it and before the ledger
 * records it.
 */
export const deliveryPoints = ['before-handover', 'during-handover', 'after-handover'] as const;
export type DeliveryPoint = (typeof deliveryPoints)[number];

/** Called at each point with the email's ledger id. In production it returns at once and does nothing. */
export type DeliveryCheckpoint = (point: DeliveryPoint, ledgerId: string) => Promise<void>;

export const noPauses: DeliveryCheckpoint = () => Promise.resolve();

/**
 * For tests only (EMAIL_TEST_PAUSES, refused unless NODE_ENV=test): the n-th email this process sends stops for good
 * at the n-th point listed, after saying so in the log ("test pause"); later emails go on. The test then kills the
 * process. A retry of an email in the same process keeps its place in the list.
 */
export function createTestPauses(points: readonly DeliveryPoint[], logger: Logger): DeliveryCheckpoint {
  if (points.length === 0) return noPauses;
  const order = new Map<string, number>();
  return (point, ledgerId) => {
    let index = order.get(ledgerId);
    if (index === undefined) {
      index = order.size;
      order.set(ledgerId, index);
    }
    if (points[index] !== point) return Promise.resolve();
    logger.warn({ point, ledgerId }, 'test pause');
    return new Promise<void>(() => undefined); // never goes on: the test kills the process here
  };
}
