/**
 * The opening hall's event log and its live fan-out.
 *
 * Every event is a row in hall_events, written in the same transaction as the
 * change it reports, and announced with NOTIFY on commit. Each app instance
 * LISTENs once and wakes the hall streams it serves; a stream then reads the
 * rows after the last id it sent. So the database is the only source of
 * truth: a client that reconnects (Last-Event-ID) or is served by another
 * instance behind the load balancer gets exactly the same sequence.
 */
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { formatBeijing } from "~/utils/time";
import { appendAudit, type Actor, type AuditEntry } from "./audit.server";

const { hallEvents } = schema;

export const HALL_CHANNEL = "cyz_hall";

export type HallEventKind =
  | "opened" // the deadline passed: bids counted, sign-ins shown
  | "decryption_started"
  | "decrypted"
  | "decrypt_failed"
  | "window_extended"
  | "window_ended"
  | "incident"
  | "reading" // 唱标
  | "confirmed"
  | "objection"
  | "answer"
  | "closed"
  | "failed"; // 流标

/**
 * Record an event of the hall (and the audit trail, with who and from where)
 * inside the caller's transaction; listeners hear of it when that commits.
 */
export async function appendHallEvent(
  tx: Db,
  clock: Clock,
  actor: Actor,
  e: { tenderId: string; kind: HallEventKind; payload: Record<string, unknown>; companyId?: string | null; countyId: string; townshipId: string },
) {
  const { row, audit } = await recordHallEvent(tx, clock, actor, e);
  await appendAudit(tx, clock, actor, { ...audit, countyId: e.countyId, townshipId: e.townshipId });
  return row;
}

/**
 * Record an event of the hall without its audit row, and return that row's
 * content: for an event that is a lifecycle's transition (the opening
 * started, a bid decrypted …), whose writer appends it (lifecycle.server.ts).
 */
export async function recordHallEvent(
  tx: Db,
  clock: Clock,
  actor: Actor,
  e: { tenderId: string; kind: HallEventKind; payload: Record<string, unknown>; companyId?: string | null },
): Promise<{ row: typeof hallEvents.$inferSelect; audit: Omit<AuditEntry, "countyId" | "townshipId"> }> {
  const [row] = await tx
    .insert(hallEvents)
    .values({
      tenderId: e.tenderId,
      at: clock.now(),
      kind: e.kind,
      actorUserId: actor.userId,
      actorRole: actor.role,
      companyId: e.companyId ?? null,
      ip: actor.ip,
      userAgent: actor.userAgent ?? null,
      payload: e.payload,
    })
    .returning();
  await tx.execute(sql`select pg_notify(${HALL_CHANNEL}, ${e.tenderId})`);
  return {
    row,
    audit: { action: `opening.${e.kind}`, objectType: "tender", objectId: e.tenderId, detail: { hallEvent: row.id, ...(e.companyId ? { companyId: e.companyId } : {}) } },
  };
}

export type EventReason = { key: string; values?: Record<string, string | number> };

/**
 * An event's words, for the hall page and the opening record alike: its
 * text values (instants as Beijing time, under `at`) for the translation
 * `opening.event.<kind>`, and the reason of a 流标.
 */
export function eventWords(payload: unknown): { vars: Record<string, string>; reason: EventReason | null } {
  const p = (payload ?? {}) as Record<string, unknown>;
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) if (typeof v === "string" || typeof v === "number") vars[k] = String(v);
  for (const k of ["windowEndsAt", "confirmEndsAt"]) if (typeof p[k] === "string") vars.at = formatBeijing(p[k] as string, "yyyy-MM-dd HH:mm:ss");
  return { vars, reason: p.reason && typeof p.reason === "object" ? (p.reason as EventReason) : null };
}

/** The hall's events after `afterId`, oldest first — what a (re)connecting stream replays. */
export async function hallEventsAfter(db: Db, tenderId: string, afterId: number, limit = 1000) {
  return db
    .select({ id: hallEvents.id, at: hallEvents.at, kind: hallEvents.kind, payload: hallEvents.payload })
    .from(hallEvents)
    .where(and(eq(hallEvents.tenderId, tenderId), gt(hallEvents.id, afterId)))
    .orderBy(asc(hallEvents.id))
    .limit(limit);
}

export type HallEventRow = Awaited<ReturnType<typeof hallEventsAfter>>[number];
type Listener = (events: HallEventRow[]) => void;

/**
 * One LISTEN per database handle. On each NOTIFY the hub reads the tender's
 * new rows once and hands them to every stream of that tender (so 500
 * watchers cost one query, not 500). Rows of one tender commit in id order:
 * every writer holds the tender's lock (lockCurrentTender) until it commits.
 */
export class HallHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly seen = new Map<string, number>();
  private readonly reading = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private started: Promise<() => Promise<void>> | null = null;

  constructor(private readonly database: Pick<Database, "listen" | "db">) {}

  private start() {
    this.started ??= this.database.listen(HALL_CHANNEL, (tenderId) => void this.fetch(tenderId));
    return this.started;
  }

  /** Read what is new for the tender (one read at a time; a notice during a read triggers one more). */
  private async fetch(tenderId: string): Promise<void> {
    if (!this.listeners.has(tenderId)) return;
    if (this.reading.has(tenderId)) {
      this.again.add(tenderId);
      return this.reading.get(tenderId);
    }
    const run = (async () => {
      do {
        this.again.delete(tenderId);
        const rows = await hallEventsAfter(this.database.db, tenderId, this.seen.get(tenderId) ?? 0).catch(() => []);
        if (rows.length === 0) continue;
        this.seen.set(tenderId, rows.at(-1)!.id);
        for (const fn of this.listeners.get(tenderId) ?? []) fn(rows);
      } while (this.again.has(tenderId));
    })().finally(() => this.reading.delete(tenderId));
    this.reading.set(tenderId, run);
    return run;
  }

  /** Call `fn` with the tender's new events whenever some commit; returns the unsubscribe. */
  async subscribe(tenderId: string, fn: Listener): Promise<() => void> {
    await this.start();
    let set = this.listeners.get(tenderId);
    if (!set) {
      this.listeners.set(tenderId, (set = new Set()));
      const [last] = await this.database.db.select({ id: hallEvents.id }).from(hallEvents).where(eq(hallEvents.tenderId, tenderId)).orderBy(desc(hallEvents.id)).limit(1);
      if (!this.seen.has(tenderId)) this.seen.set(tenderId, last?.id ?? 0);
    }
    set.add(fn);
    return () => {
      set!.delete(fn);
      if (set!.size === 0) {
        this.listeners.delete(tenderId);
        this.seen.delete(tenderId);
      }
    };
  }

  /** Streams currently connected (for the health page and the benchmark). */
  get connections(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  async close() {
    if (this.started) await (await this.started)();
    this.started = null;
    this.listeners.clear();
  }
}

const hubs = new WeakMap<object, HallHub>();

/** The hub of this process for a database handle. */
export function hallHub(database: Pick<Database, "listen" | "db">): HallHub {
  let hub = hubs.get(database);
  if (!hub) hubs.set(database, (hub = new HallHub(database)));
  return hub;
}
