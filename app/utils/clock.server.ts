/**
 * The application clock. Every rule compares against clock.now(), never
 * against PostgreSQL now() (which is frozen at the start of a transaction),
 * so tests can move time and a deadline is decided by one clock.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and move. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date | string = "2026-11-20T02:00:00Z") {
    this.t = new Date(start).getTime();
  }
  now() {
    return new Date(this.t);
  }
  set(d: Date | string) {
    this.t = new Date(d).getTime();
  }
  advance(ms: number) {
    this.t += ms;
  }
}

/**
 * A clock running at real speed from a movable offset. Used when the server
 * is started with TEST_CLOCK=1 (end-to-end tests), never in production.
 */
export class OffsetClock implements Clock {
  offsetMs = 0;
  now() {
    return new Date(Date.now() + this.offsetMs);
  }
}
