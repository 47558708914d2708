/** Time comes from here, so tests can set it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(initial: Date): Clock & { set(date: Date): void; advance(ms: number): void } {
  let current = initial;
  return {
    now: () => new Date(current),
    set(date: Date) {
      current = date;
    },
    advance(ms: number) {
      current = new Date(current.getTime() + ms);
    },
  };
}
