/**
 * How many long-lived streams (the opening hall's server-sent events) one caller may hold open at
 * once on this instance: a few per session (a phone and a laptop, a reconnect overlapping its old
 * stream) and more per address (a village office behind one address), so one session or one
 * machine cannot tie up the server's connections and subscriptions. Counted in memory, per
 * instance; a stream gives its place back when it ends, however it ends.
 */
export const HALL_STREAMS = { perSession: 4, perAddress: 20 } as const;

export class StreamLimits {
  private readonly open = new Map<string, number>();
  constructor(private readonly limits: { perSession: number; perAddress: number }) {}

  /** Take a place for a stream of this session (and address, when known); null when either is full. The release works once. */
  acquire(sessionId: string, address: string | null): (() => void) | null {
    const keys = [`session:${sessionId}`, ...(address ? [`address:${address}`] : [])];
    const limitOf = (key: string) => (key.startsWith("session:") ? this.limits.perSession : this.limits.perAddress);
    if (keys.some((k) => (this.open.get(k) ?? 0) >= limitOf(k))) return null;
    for (const k of keys) this.open.set(k, (this.open.get(k) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of keys) {
        const n = (this.open.get(k) ?? 1) - 1;
        if (n > 0) this.open.set(k, n);
        else this.open.delete(k);
      }
    };
  }

  /** Streams open now for a key (`session:<id>` or `address:<ip>`). */
  count(key: string): number {
    return this.open.get(key) ?? 0;
  }
}

/** The opening hall's streams on this instance. */
export const hallStreams = new StreamLimits(HALL_STREAMS);
