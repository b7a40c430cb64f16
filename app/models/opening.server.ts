import { memberRoleOf } from "./audit.server";
/**
 * The remote opening (不见面开标, DOMAIN.md "Remote opening, step by step").
 *
 *   waiting ──start──▶ decrypting ──(window ends)──▶ reading (唱标) ──close──▶ closed
 *      │                    │                              │
 *      └──── fewer than the minimum valid bids: failed (流标), reason recorded
 *
 * Nothing about the bidders is shown before the deadline (sign-ins included).
 * Decryption happens in the bidder's browser; the browser hands the data key
 * over after the deadline and the server opens the ciphertext it has held
 * since the receipt, checking it against the commitment. A bid not decrypted
 * when the window ends counts as revoked by the bidder (视为撤销) — unless a
 * platform incident was logged in the window and the host extended it, in
 * which case a bid still not decrypted counts as withdrawn (视为撤回,
 * 电子招标投标办法 §31). One failure never blocks the others.
 *
 * The opening's states and a bid's at it are the tables OPENING_TRANSITIONS
 * and BID_OPENING_TRANSITIONS (lifecycle.ts), written only by their writers
 * (lifecycle.server.ts); a hall event that is such a move is the move's audit row.
 */
import { randomBytes } from "node:crypto";
import { and, asc, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole, type Project, type Tender } from "~/utils/db.server";
import { formatFen } from "~/utils/money";
import { SYSTEM_ACTOR, type Actor } from "./audit.server";
import { bidContentRevealed } from "./reveal";
import { actsForVillage } from "./agent.server";
import { openSealedBid } from "./bid-open.server";
import { manifestTerms, orderedReasons, readManifest, storableFileName, unreadableManifest } from "./bid-manifest";
import { reasonKey } from "./bid-rules";
import { busyProjectManagerIds } from "./bid.server";
import { getCountySettings } from "./county-settings.server";
import { recordTrace } from "./trace.server";
import { notify, usersOfOrgs } from "./notification.server";
import { formatBeijing } from "~/utils/time";
import { DomainError } from "./errors";
import { putBytes, readBytes, type FileStore } from "./file-store.server";
import { appendHallEvent, recordHallEvent, type HallEventKind } from "./hall-events.server";
import { effectiveState } from "./lifecycle";
import { assertProjectAction, closeBidding, insertBidOpenings, insertOpening, transition, type AuditOf } from "./lifecycle.server";
import { lockCurrentTender } from "./tender-qa.server";

const { openings, openingSignins, bidOpenings, bids, bidVersions, bidKeyWraps, projects, orgs, files, projectManagers, hallEvents } = schema;

type Locked = { tender: Tender; project: Project };
type HallActor = Actor & { userId: string };

// ── Who is in the hall ──────────────────────────────────────────────────

export type HallRole = "host" | "bidder" | "observer";

/**
 * The viewer's place in the hall: the village side (committee or its agent)
 * hosts; a company with a bid on the tender is a bidder; the township's
 * supervisor and the county administrator watch read-only. Anyone else: null.
 */
export async function hallRole(db: Db, p: Project, m: { role: MemberRole; orgId: string }, tenderId: string): Promise<HallRole | null> {
  if ((m.role === "committee" || m.role === "agent") && (await actsForVillage(db, p, m.role, m.orgId))) return "host";
  if (m.role === "supervisor" && p.townshipId === m.orgId) return "observer";
  if (m.role === "county_admin" && p.countyId === m.orgId) return "observer";
  if (m.role === "contractor") {
    const [b] = await db
      .select({ id: bids.id })
      .from(bids)
      .where(and(eq(bids.tenderId, tenderId), eq(bids.companyId, m.orgId)));
    if (b) return "bidder";
  }
  return null;
}

/** The hall names a project not at this step in its own words (the opening's "not now"); the status stays the writer's (409). */
const NOT_NOW = { stateKey: "errors.opening.notNow" };

async function assertHost(tx: Db, locked: Locked, actor: HallActor, actingOrgId: string) {
  if (!(await actsForVillage(tx, locked.project, memberRoleOf(actor), actingOrgId))) throw new DomainError("errors.forbidden", { status: 403 });
}

async function lockOpening(tx: Db, tenderId: string) {
  const [o] = await tx.select().from(openings).where(eq(openings.tenderId, tenderId)).for("update");
  return o ?? null;
}

function scope(locked: Locked) {
  return { countyId: locked.project.countyId, townshipId: locked.project.townshipId };
}

async function event(tx: Db, clock: Clock, actor: Actor, locked: Locked, kind: HallEventKind, payload: Record<string, unknown>, companyId?: string) {
  return appendHallEvent(tx, clock, actor, { tenderId: locked.tender.id, kind, payload, companyId, ...scope(locked) });
}

/**
 * The hall event that is a transition of the opening or of a bid at it, as
 * the writer's `audit`: recorded after the state is written (its payload may
 * read it, e.g. the rows read out), its audit row appended by the writer.
 */
function eventOf(
  tx: Db,
  clock: Clock,
  actor: Actor,
  locked: Locked,
  kind: HallEventKind,
  payload: () => Record<string, unknown> | Promise<Record<string, unknown>>,
  companyId?: string,
) {
  return async (): Promise<AuditOf> => (await recordHallEvent(tx, clock, actor, { tenderId: locked.tender.id, kind, payload: await payload(), companyId })).audit;
}

/** The project moves with the opening (opening → evaluating / failed) through its writer. */
async function moveProject(tx: Db, clock: Clock, actor: Actor, locked: Locked, action: "open_bids" | "fail_tender") {
  await transition(tx, { lifecycle: "project", clock, actor, id: locked.project.id, action, detail: { tenderId: locked.tender.id } });
}

// ── Before the deadline: sign in ────────────────────────────────────────

/** 签到: a bidding company says it is present. Recorded (with IP and device), shown to nobody until the deadline. */
export async function signIn(db: Db, { clock, actor, companyId, tenderId }: { clock: Clock; actor: HallActor; companyId: string; tenderId: string }) {
  return db.transaction(async (tx) => {
    const locked = await lockCurrentTender(tx, tenderId);
    const now = clock.now();
    assertProjectAction(effectiveState(locked.project.state, locked.tender.deadline, now), "sign_in", actor, NOT_NOW);
    const [bid] = await tx
      .select()
      .from(bids)
      .where(and(eq(bids.tenderId, tenderId), eq(bids.companyId, companyId), eq(bids.status, "sealed")));
    if (!bid) throw new DomainError("errors.opening.noBid", { status: 409 });
    await tx
      .insert(openingSignins)
      .values({ tenderId, companyId, userId: actor.userId, at: now, ip: actor.ip, userAgent: actor.userAgent ?? null })
      .onConflictDoNothing();
    await recordTrace(tx, clock, actor, { tenderId, companyId, kind: "sign_in" });
  });
}

// ── From the deadline: the host runs the hall ───────────────────────────

/**
 * Start decryption. The bids in force at the deadline are counted; too few
 * and the tender fails (流标) at once, with the reason. Otherwise every bidder
 * has the tender's decryption window from now.
 */
export async function startDecryption(db: Db, { clock, actor, actingOrgId, tenderId }: { clock: Clock; actor: HallActor; actingOrgId: string; tenderId: string }) {
  return db.transaction(async (tx) => {
    const locked = await lockCurrentTender(tx, tenderId);
    await assertHost(tx, locked, actor, actingOrgId);
    const now = clock.now();
    assertProjectAction(effectiveState(locked.project.state, locked.tender.deadline, now), "host_opening", actor, NOT_NOW);
    // The deadline has passed (checked just above): the host's start records the close of bidding if the scheduler has not yet.
    if (locked.project.state === "published") await closeBidding(tx, clock, locked.project.id, locked.tender.deadline);
    const existing = await lockOpening(tx, tenderId);
    if (existing && existing.state !== "waiting") throw new DomainError("errors.opening.alreadyStarted", { status: 409 });
    const all = await tx
      .select({ bid: bids, company: orgs.name })
      .from(bids)
      .innerJoin(orgs, eq(orgs.id, bids.companyId))
      .where(eq(bids.tenderId, tenderId))
      .orderBy(asc(bids.createdAt));
    const sealed = all.filter((b) => b.bid.status === "sealed");
    const signins = await tx
      .select({ companyId: openingSignins.companyId, at: openingSignins.at, company: orgs.name })
      .from(openingSignins)
      .innerJoin(orgs, eq(orgs.id, openingSignins.companyId))
      .where(eq(openingSignins.tenderId, tenderId))
      .orderBy(asc(openingSignins.at));
    const settings = await getCountySettings(tx, locked.project.countyId);
    const values = {
      hostUserId: actor.userId,
      bidCount: sealed.length,
      bidderSet: sealed
        .map((b) => b.bid.companyId)
        .sort()
        .join(","),
      decryptionStartedAt: now,
      windowEndsAt: new Date(now.getTime() + locked.tender.decryptionWindowMinutes * 60_000),
    };
    if (!existing) await insertOpening(tx, { tenderId, createdAt: now });
    await insertBidOpenings(
      tx,
      tenderId,
      all.map((b) => ({ bidId: b.bid.id, bidStatus: b.bid.status })),
    );
    // The hall's "opened" (bids counted, sign-ins shown) is the opening's start.
    await transition(tx, {
      lifecycle: "opening",
      clock,
      actor,
      id: tenderId,
      action: "start_decryption",
      set: values,
      audit: eventOf(tx, clock, actor, locked, "opened", () => ({
        bidders: all.map((b) => ({ company: b.company, withdrawn: b.bid.status !== "sealed" })),
        signins: signins.map((s) => ({ company: s.company, at: s.at.toISOString() })),
        count: sealed.length,
        minValid: settings.minValidBids,
      })),
    });
    if (sealed.length < settings.minValidBids) {
      await failIn(tx, clock, actor, locked, { key: "opening.failReason.tooFewBids", values: { count: sealed.length, min: settings.minValidBids } });
      return { failed: true };
    }
    await event(tx, clock, actor, locked, "decryption_started", { windowEndsAt: values.windowEndsAt.toISOString(), minutes: locked.tender.decryptionWindowMinutes });
    // Each bidder's window closes at a stated time; a bid not decrypted by then through the bidder's fault counts as revoked (视为撤销).
    await notify(tx, {
      clock,
      userIds: await usersOfOrgs(
        tx,
        sealed.map((b) => b.bid.companyId),
        ["contractor"],
      ),
      kind: "opening.decryption",
      params: { project: locked.project.name, until: formatBeijing(values.windowEndsAt) },
      link: `/notices/${tenderId}/hall`,
    });
    return { failed: false };
  });
}

type Reason = { key: string; values?: Record<string, string | number> };

/** 流标: the project fails its tender, then the opening fails with the reason (the hall's "failed"). */
async function failIn(tx: Db, clock: Clock, actor: Actor, locked: Locked, reason: Reason) {
  await moveProject(tx, clock, actor, locked, "fail_tender");
  await transition(tx, {
    lifecycle: "opening",
    clock,
    actor,
    id: locked.tender.id,
    action: "fail",
    set: { failReason: JSON.stringify(reason), closedAt: clock.now() },
    audit: eventOf(tx, clock, actor, locked, "failed", () => ({ reason })),
  });
}

const extendSchema = z.object({
  minutes: z.coerce
    .number({ message: "errors.opening.extendMinutes" })
    .int("errors.opening.extendMinutes")
    .min(5, "errors.opening.extendMinutes")
    .max(240, "errors.opening.extendMinutes"),
  reason: z.string().trim().min(4, "errors.opening.reasonRequired").max(1000, "errors.opening.reasonRequired"),
});

/** Extend the decryption window once, with the reason recorded (required after a platform incident). */
export async function extendWindow(
  db: Db,
  { clock, actor, actingOrgId, tenderId, input }: { clock: Clock; actor: HallActor; actingOrgId: string; tenderId: string; input: unknown },
) {
  const r = extendSchema.safeParse(input);
  if (!r.success) throw new DomainError(r.error.issues[0].message, { field: String(r.error.issues[0].path[0] ?? "form") });
  return db.transaction(async (tx) => {
    const locked = await lockCurrentTender(tx, tenderId);
    await assertHost(tx, locked, actor, actingOrgId);
    const o = await lockOpening(tx, tenderId);
    if (o?.state !== "decrypting") throw new DomainError("errors.opening.notNow", { status: 409 });
    if (o.extendedAt) throw new DomainError("errors.opening.extendedOnce", { status: 409 });
    const now = clock.now();
    // From the later of now and the current end: an extension after the window ran out still gives the full time.
    const base = Math.max(now.getTime(), o.windowEndsAt!.getTime());
    const windowEndsAt = new Date(base + r.data.minutes * 60_000);
    await transition(tx, {
      lifecycle: "opening",
      clock,
      actor,
      id: tenderId,
      action: "extend_window",
      set: { windowEndsAt, extendedAt: now, extendReason: r.data.reason },
      audit: eventOf(tx, clock, actor, locked, "window_extended", () => ({ windowEndsAt: windowEndsAt.toISOString(), minutes: r.data.minutes, reason: r.data.reason })),
    });
  });
}

const INCIDENT_REF = /^INC-[0-9A-F]{8}$/;

/** A reference for one platform incident: shown in the hall and to the bidder, and logged on the server beside the details. */
export function newIncidentRef(): string {
  return `INC-${randomBytes(4).toString("hex").toUpperCase()}`;
}

/**
 * A platform error during the window: logged for the host, who must then
 * extend the window. The hall sees the reference only; what went wrong
 * (statements, parameters, stacks) stays in the server's log.
 */
export async function recordIncident(db: Db, clock: Clock, tenderId: string, ref: string) {
  if (!INCIDENT_REF.test(ref)) throw new TypeError("recordIncident takes a reference from newIncidentRef()");
  return db.transaction(async (tx) => {
    const locked = await lockCurrentTender(tx, tenderId);
    const o = await lockOpening(tx, tenderId);
    if (o?.state !== "decrypting") return;
    await event(tx, clock, { userId: null, role: "system", ip: null }, locked, "incident", { ref });
  });
}

async function incidentsIn(tx: Db, tenderId: string, from: Date) {
  const rows = await tx
    .select({ at: hallEvents.at })
    .from(hallEvents)
    .where(and(eq(hallEvents.tenderId, tenderId), eq(hallEvents.kind, "incident"), gte(hallEvents.at, from)));
  return rows;
}

/**
 * When the window has ended, settle every bid still waiting: revoked by the
 * bidder (视为撤销), or withdrawn (视为撤回) when the platform was at fault —
 * an incident logged in the window that the host answered with an extension.
 */
async function settleWindow(tx: Db, clock: Clock, locked: Locked, o: typeof openings.$inferSelect) {
  const waiting = await tx
    .select()
    .from(bidOpenings)
    .where(and(eq(bidOpenings.tenderId, locked.tender.id), eq(bidOpenings.status, "waiting")));
  const platformFault = o.extendedAt !== null && (await incidentsIn(tx, locked.tender.id, o.decryptionStartedAt!)).length > 0;
  const status = platformFault ? ("platform_withdrawn" as const) : ("revoked" as const);
  // Each bid through its writer, by the clock: each its own audit row (which bid, from waiting to what); the hall hears of them together.
  for (const w of waiting) {
    await transition(tx, {
      lifecycle: "bid_opening",
      clock,
      actor: SYSTEM_ACTOR,
      id: w.bidId,
      action: platformFault ? "platform_withdraw" : "revoke",
      dueAt: o.windowEndsAt!,
      set: { reason: platformFault ? "opening.reason.platformFault" : "opening.reason.notDecrypted" },
    });
  }
  await event(tx, clock, SYSTEM_ACTOR, locked, "window_ended", { unopened: waiting.length, status });
}

/**
 * 唱标: once the window has ended (or every bid is decrypted or settled),
 * read out each valid bid — bidder, price, duration, project manager, bid
 * security — with the ceiling restated. Too few valid bids: 流标.
 */
export async function startReading(db: Db, { clock, actor, actingOrgId, tenderId }: { clock: Clock; actor: HallActor; actingOrgId: string; tenderId: string }) {
  return db.transaction(async (tx) => {
    const locked = await lockCurrentTender(tx, tenderId);
    await assertHost(tx, locked, actor, actingOrgId);
    const o = await lockOpening(tx, tenderId);
    if (o?.state !== "decrypting") throw new DomainError("errors.opening.notNow", { status: 409 });
    const now = clock.now();
    const rows = await tx.select().from(bidOpenings).where(eq(bidOpenings.tenderId, tenderId));
    const stillWaiting = rows.some((r) => r.status === "waiting");
    if (stillWaiting && now < o.windowEndsAt!) throw new DomainError("errors.opening.windowOpen", { status: 409 });
    if (stillWaiting && !o.extendedAt && (await incidentsIn(tx, tenderId, o.decryptionStartedAt!)).length > 0) throw new DomainError("errors.opening.mustExtend", { status: 409 });
    if (stillWaiting) await settleWindow(tx, clock, locked, o);
    const settings = await getCountySettings(tx, locked.project.countyId);
    const valid = (
      await tx
        .select()
        .from(bidOpenings)
        .where(and(eq(bidOpenings.tenderId, tenderId), eq(bidOpenings.status, "decrypted")))
    ).length;
    if (valid < settings.minValidBids) {
      await failIn(tx, clock, actor, locked, { key: "opening.failReason.tooFewValid", values: { count: valid, min: settings.minValidBids } });
      return { failed: true };
    }
    const confirmEndsAt = new Date(now.getTime() + settings.confirmationWindowMinutes * 60_000);
    await transition(tx, {
      lifecycle: "opening",
      clock,
      actor,
      id: tenderId,
      action: "start_reading",
      set: { readingStartedAt: now, confirmEndsAt },
      // The rows are read out as the reading has started (revealed).
      audit: eventOf(tx, clock, actor, locked, "reading", async () => ({
        ceiling: formatFen(locked.project.ceilingFen),
        rows: await readingRows(tx, tenderId),
        confirmEndsAt: confirmEndsAt.toISOString(),
      })),
    });
    return { failed: false };
  });
}

/**
 * The 唱标 rows, in order of bidding: every bid with its result. Before the
 * price reading (reveal.ts) a row says only who has opened, not what: an
 * invalid bid shows as opened, its reason comes with the prices.
 */
export async function readingRows(db: Db, tenderId: string) {
  const [progress] = await db.select({ state: openings.state, readingStartedAt: openings.readingStartedAt }).from(openings).where(eq(openings.tenderId, tenderId));
  const revealed = bidContentRevealed(progress);
  const rows = await db
    .select({ o: bidOpenings, company: orgs.name, companyId: orgs.id })
    .from(bidOpenings)
    .innerJoin(bids, eq(bids.id, bidOpenings.bidId))
    .innerJoin(orgs, eq(orgs.id, bids.companyId))
    .where(eq(bidOpenings.tenderId, tenderId))
    .orderBy(asc(bids.createdAt));
  return rows.map(({ o, company, companyId }) =>
    revealed
      ? {
          companyId,
          company,
          status: o.status,
          price: o.priceFen === null ? null : formatFen(o.priceFen),
          priceFen: o.priceFen,
          durationDays: o.durationDays,
          projectManager: o.projectManagerName ? `${o.projectManagerName}（${o.projectManagerCertificate}）` : null,
          securityOk: o.securityOk,
          reason: o.reason,
          confirmation: o.confirmation,
        }
      : {
          companyId,
          company,
          status: o.status === "rejected" ? ("decrypted" as const) : o.status,
          price: null,
          priceFen: null,
          durationDays: null,
          projectManager: null,
          securityOk: null,
          reason: null,
          confirmation: o.confirmation,
        },
  );
}

// ── The bidder decrypts ─────────────────────────────────────────────────

async function ownCurrentVersion(tx: Db, tenderId: string, companyId: string) {
  const [row] = await tx
    .select({ bid: bids, v: bidVersions })
    .from(bids)
    .innerJoin(bidVersions, and(eq(bidVersions.bidId, bids.id), eq(bidVersions.seq, bids.currentVersion)))
    .where(and(eq(bids.tenderId, tenderId), eq(bids.companyId, companyId)));
  return row ?? null;
}

/** What the bidder's browser needs to decrypt, during the window only: its wraps and receipt (the ciphertext is fetched separately). */
export async function decryptionMaterial(db: Db, clock: Clock, companyId: string, tenderId: string) {
  const [o] = await db.select().from(openings).where(eq(openings.tenderId, tenderId));
  if (o?.state !== "decrypting" || clock.now() >= o.windowEndsAt!) return null;
  const own = await ownCurrentVersion(db, tenderId, companyId);
  if (!own || own.bid.status !== "sealed" || own.v.kind !== "sealed") return null;
  const [bo] = await db.select().from(bidOpenings).where(eq(bidOpenings.bidId, own.bid.id));
  if (bo?.status !== "waiting") return null;
  const wraps = await db
    .select()
    .from(bidKeyWraps)
    .where(and(eq(bidKeyWraps.versionId, own.v.id), isNull(bidKeyWraps.retiredAt)));
  return {
    submissionId: own.v.submissionId,
    ciphertextSha256: own.v.ciphertextSha256!,
    receipt: { ciphertextHash: own.v.ciphertextSha256!, plaintextHash: own.v.plaintextHash!, commitment: own.v.commitment },
    wraps: wraps.map((w) => ({ kind: w.kind, credentialId: w.credentialId, epk: w.epk, iv: w.iv, wrapped: w.wrapped })),
  };
}

const KEY = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "errors.opening.wrongKey");

/**
 * The bidder's browser hands over the data key (after the deadline, in the
 * window). The server opens the ciphertext it holds, checks it against the
 * commitment and reads the bid against the tender (bid-manifest.ts). The
 * opening only records: a value outside the tender's terms (a price above the
 * ceiling, a duration beyond the planned one, short or expiring security, a
 * busy or foreign project manager, a file that is not a PDF…) is recorded as
 * submitted, or as unreadable, with its legal reason for the panel, which
 * decides validity. The manager's name and certificate come from the
 * company's record, never from the bid's text. Nothing a bidder sealed can
 * make this fail: a failure here is the platform's. A wrong key changes
 * nothing: the bidder may try again until the window ends.
 */
export async function submitDataKey(
  db: Db,
  { clock, store, actor, companyId, tenderId, rawKey }: { clock: Clock; store: FileStore; actor: HallActor; companyId: string; tenderId: string; rawKey: unknown },
) {
  const parsed = KEY.safeParse(rawKey);
  if (!parsed.success) throw new DomainError("errors.opening.wrongKey", { status: 400 });
  const dataKey = Buffer.from(parsed.data, "base64url");
  // Read the ciphertext before the transaction (it never changes once receipted).
  const material = await decryptionMaterial(db, clock, companyId, tenderId);
  if (!material) throw new DomainError("errors.opening.notNow", { status: 409 });
  const ciphertext = await readBytes(store, material.ciphertextSha256);
  const opened = (() => {
    try {
      return openSealedBid(ciphertext, dataKey, { tenderId, submissionId: material.submissionId }, material.receipt);
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
  })();
  // The files go to the store before the row that names them commits.
  if (!(opened instanceof DomainError) && opened.readable) {
    for (const f of opened.files) {
      if (f.bytes.subarray(0, 5).toString("latin1") !== "%PDF-") continue;
      await putBytes(store, f.bytes);
    }
  }
  return db.transaction(async (tx) => {
    const locked = await lockCurrentTender(tx, tenderId);
    assertProjectAction(effectiveState(locked.project.state, locked.tender.deadline, clock.now()), "decrypt", actor, NOT_NOW);
    const o = await lockOpening(tx, tenderId);
    const now = clock.now();
    if (o?.state !== "decrypting" || now >= o.windowEndsAt!) throw new DomainError("errors.opening.windowClosed", { status: 409 });
    const own = await ownCurrentVersion(tx, tenderId, companyId);
    const [bo] = own ? await tx.select().from(bidOpenings).where(eq(bidOpenings.bidId, own.bid.id)).for("update") : [];
    if (!own || bo?.status !== "waiting" || own.v.submissionId !== material.submissionId) throw new DomainError("errors.opening.notNow", { status: 409 });
    const [company] = await tx.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, companyId));
    if (opened instanceof DomainError) {
      await event(tx, clock, actor, locked, "decrypt_failed", { company: company.name, reason: opened.key }, companyId);
      return { ok: false as const, error: opened.key };
    }
    const settings = await getCountySettings(tx, locked.project.countyId);
    const read = opened.readable ? readManifest(opened.manifest, manifestTerms(locked.project, locked.tender), settings) : unreadableManifest();
    const problems = [...read.reasons];
    // The manager named by id, in the company's own record: the name and certificate read out are the record's.
    const [pm] = read.projectManagerId
      ? await tx
          .select()
          .from(projectManagers)
          .where(and(eq(projectManagers.companyId, companyId), eq(projectManagers.id, read.projectManagerId)))
      : [];
    if (opened.readable) {
      if (!pm) problems.push(reasonKey("projectManager"));
      else if (settings.blockBusyProjectManagers && (await busyProjectManagerIds(tx, companyId)).has(pm.id)) problems.push(reasonKey("projectManagerBusy"));
      if (pm && read.projectManagerClaim && (read.projectManagerClaim.name !== pm.name || read.projectManagerClaim.certificateNumber !== pm.certificateNumber))
        problems.push(reasonKey("projectManagerMismatch"));
    }
    const opens = opened.readable ? opened.files : [];
    const isPdf = (b: Buffer) => b.subarray(0, 5).toString("latin1") === "%PDF-";
    if (opens.some((f) => !isPdf(f.bytes))) problems.push(reasonKey("notPdf"));
    for (const f of opens) {
      if (isPdf(f.bytes)) await tx.insert(files).values({ sha256: f.sha256, size: f.bytes.length, mime: "application/pdf", createdAt: now }).onConflictDoNothing();
    }
    const reasons = orderedReasons(problems);
    // Opened is opened: the panel, not the opening, decides whether a marked bid is valid.
    const { after } = await transition(tx, {
      lifecycle: "bid_opening",
      clock,
      actor,
      id: own.bid.id,
      action: "decrypt",
      set: {
        decryptedAt: now,
        decryptedBy: actor.userId,
        priceFen: read.priceFen,
        durationDays: read.durationDays,
        projectManagerId: pm?.id ?? null,
        projectManagerName: pm?.name ?? null,
        projectManagerCertificate: pm?.certificateNumber ?? null,
        quality: read.quality,
        security: read.security,
        securityOk: read.securityOk,
        nonce: opened.readable ? opened.nonce : null,
        files: opens.map((f) => ({ name: storableFileName(f.name, f.sha256), size: f.bytes.length, sha256: f.sha256 })),
        reason: reasons.length ? reasons.join(",") : null,
      },
      // The hall learns that the bid opened; what it says, and its reasons, are read out together at 唱标.
      audit: eventOf(tx, clock, actor, locked, "decrypted", () => ({ company: company.name }), companyId),
    });
    if (pm) await tx.update(bids).set({ openedProjectManagerId: pm.id }).where(eq(bids.id, own.bid.id));
    await recordTrace(tx, clock, actor, { tenderId, companyId, kind: "decrypt" });
    return { ok: true as const, status: after.status };
  });
}

// ── Confirmations and objections ────────────────────────────────────────

async function readingContext(tx: Db, tenderId: string, companyId: string) {
  const o = await lockOpening(tx, tenderId);
  if (o?.state !== "reading") throw new DomainError("errors.opening.notNow", { status: 409 });
  const [row] = await tx
    .select({ bo: bidOpenings })
    .from(bidOpenings)
    .innerJoin(bids, eq(bids.id, bidOpenings.bidId))
    .where(and(eq(bidOpenings.tenderId, tenderId), eq(bids.companyId, companyId)));
  return { o, bo: row?.bo ?? null };
}

/** A bidder confirms its row of the 唱标 (silence until the set time counts as confirmation). */
export async function confirmRow(db: Db, { clock, actor, companyId, tenderId }: { clock: Clock; actor: HallActor; companyId: string; tenderId: string }) {
  return db.transaction(async (tx) => {
    const locked = await lockCurrentTender(tx, tenderId);
    assertProjectAction(effectiveState(locked.project.state, locked.tender.deadline, clock.now()), "decrypt", actor, NOT_NOW);
    const { o, bo } = await readingContext(tx, tenderId, companyId);
    if (!bo || bo.status === "withdrawn") throw new DomainError("errors.opening.noBid", { status: 409 });
    if (clock.now() >= o.confirmEndsAt!) throw new DomainError("errors.opening.confirmClosed", { status: 409 });
    if (bo.confirmation !== "pending") throw new DomainError("errors.opening.alreadyConfirmed", { status: 409 });
    await tx.update(bidOpenings).set({ confirmation: "confirmed", confirmedAt: clock.now() }).where(eq(bidOpenings.bidId, bo.bidId));
    const [company] = await tx.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, companyId));
    await event(tx, clock, actor, locked, "confirmed", { company: company.name }, companyId);
  });
}

const textSchema = z.string().trim().min(2, "errors.opening.textLength").max(2000, "errors.opening.textLength");

/** An objection (异议) raised online during the opening: recorded, shown to the hall, to be answered by the host. */
export async function raiseObjection(db: Db, { clock, actor, companyId, tenderId, raw }: { clock: Clock; actor: HallActor; companyId: string; tenderId: string; raw: unknown }) {
  const text = textSchema.safeParse(raw);
  if (!text.success) throw new DomainError(text.error.issues[0].message, { field: "text" });
  return db.transaction(async (tx) => {
    const locked = await lockCurrentTender(tx, tenderId);
    assertProjectAction(effectiveState(locked.project.state, locked.tender.deadline, clock.now()), "decrypt", actor, NOT_NOW);
    const o = await lockOpening(tx, tenderId);
    if (o?.state !== "decrypting" && o?.state !== "reading") throw new DomainError("errors.opening.notNow", { status: 409 });
    const [row] = await tx
      .select({ bo: bidOpenings })
      .from(bidOpenings)
      .innerJoin(bids, eq(bids.id, bidOpenings.bidId))
      .where(and(eq(bidOpenings.tenderId, tenderId), eq(bids.companyId, companyId)));
    if (!row) throw new DomainError("errors.opening.noBid", { status: 409 });
    if (o.state === "reading" && row.bo.confirmation === "pending")
      await tx.update(bidOpenings).set({ confirmation: "objected", confirmedAt: clock.now() }).where(eq(bidOpenings.bidId, row.bo.bidId));
    const [company] = await tx.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, companyId));
    return event(tx, clock, actor, locked, "objection", { company: company.name, text: text.data }, companyId);
  });
}

/** The host answers an objection, online and on the record. */
export async function answerObjection(
  db: Db,
  { clock, actor, actingOrgId, tenderId, objectionId, raw }: { clock: Clock; actor: HallActor; actingOrgId: string; tenderId: string; objectionId: unknown; raw: unknown },
) {
  const text = textSchema.safeParse(raw);
  if (!text.success) throw new DomainError(text.error.issues[0].message, { field: "text" });
  return db.transaction(async (tx) => {
    const locked = await lockCurrentTender(tx, tenderId);
    await assertHost(tx, locked, actor, actingOrgId);
    const o = await lockOpening(tx, tenderId);
    if (o?.state !== "decrypting" && o?.state !== "reading") throw new DomainError("errors.opening.notNow", { status: 409 });
    const id = Number(objectionId);
    const [obj] = Number.isSafeInteger(id)
      ? await tx
          .select()
          .from(hallEvents)
          .where(and(eq(hallEvents.id, id), eq(hallEvents.tenderId, tenderId), eq(hallEvents.kind, "objection")))
      : [];
    if (!obj) throw new DomainError("errors.notFound", { status: 404 });
    if (await answered(tx, tenderId, id)) throw new DomainError("errors.opening.alreadyAnswered", { status: 409 });
    await event(tx, clock, actor, locked, "answer", { objectionId: id, text: text.data });
  });
}

async function answered(tx: Db, tenderId: string, objectionId: number) {
  const [a] = await tx
    .select({ id: hallEvents.id })
    .from(hallEvents)
    .where(and(eq(hallEvents.tenderId, tenderId), eq(hallEvents.kind, "answer"), sql`(${hallEvents.payload}->>'objectionId')::bigint = ${objectionId}`));
  return Boolean(a);
}

/**
 * Close the opening: every objection answered, and every row confirmed or
 * the confirmation time over (silence = confirmation). The bids go to the
 * evaluation.
 */
export async function closeOpening(db: Db, { clock, actor, actingOrgId, tenderId }: { clock: Clock; actor: HallActor; actingOrgId: string; tenderId: string }) {
  return db.transaction(async (tx) => {
    const locked = await lockCurrentTender(tx, tenderId);
    await assertHost(tx, locked, actor, actingOrgId);
    const o = await lockOpening(tx, tenderId);
    if (o?.state !== "reading") throw new DomainError("errors.opening.notNow", { status: 409 });
    const now = clock.now();
    const rows = await tx.select().from(bidOpenings).where(eq(bidOpenings.tenderId, tenderId));
    const pending = rows.filter((r) => r.status !== "withdrawn" && r.confirmation === "pending");
    if (pending.length && now < o.confirmEndsAt!) throw new DomainError("errors.opening.confirmOpen", { status: 409 });
    const objections = await tx
      .select({ id: hallEvents.id })
      .from(hallEvents)
      .where(and(eq(hallEvents.tenderId, tenderId), eq(hallEvents.kind, "objection")));
    for (const ob of objections) if (!(await answered(tx, tenderId, ob.id))) throw new DomainError("errors.opening.unanswered", { status: 409 });
    if (pending.length)
      await tx
        .update(bidOpenings)
        .set({ confirmation: "silent", confirmedAt: now })
        .where(
          inArray(
            bidOpenings.bidId,
            pending.map((p) => p.bidId),
          ),
        );
    // The bids go to the evaluation; the hall's "closed" is the opening's close.
    await moveProject(tx, clock, actor, locked, "open_bids");
    await transition(tx, {
      lifecycle: "opening",
      clock,
      actor,
      id: tenderId,
      action: "close",
      set: { closedAt: now },
      audit: eventOf(tx, clock, actor, locked, "closed", async () => ({ rows: await readingRows(tx, tenderId) })),
    });
  });
}

/** After 流标 the committee starts a new round: the project is approved again and a new notice can be published. */
export async function retender(db: Db, { clock, actor, villageId, projectId }: { clock: Clock; actor: HallActor; villageId: string; projectId: string }) {
  return db.transaction(async (tx) => {
    await transition(tx, {
      lifecycle: "project",
      clock,
      actor,
      id: projectId,
      action: "retender",
      precheck: (p) => {
        if (p.villageId !== villageId) throw new DomainError("errors.forbidden", { status: 403 });
      },
    });
  });
}

// ── What the hall shows ─────────────────────────────────────────────────

/**
 * The hall as this viewer may see it now. Before the deadline: the countdown
 * and, for a bidder, its own sign-in — no names, no counts. From the
 * deadline: the opening's state, the bidders' statuses and, from 唱标, the rows.
 */
export async function hallView(db: Db, clock: Clock, tenderId: string, viewer: { role: HallRole; companyId: string | null }) {
  const now = clock.now();
  const [row] = await db
    .select({ tender: schema.tenders, project: projects })
    .from(schema.tenders)
    .innerJoin(projects, eq(projects.id, schema.tenders.projectId))
    .where(eq(schema.tenders.id, tenderId));
  if (!row) return null;
  const { tender, project } = row;
  const beforeDeadline = now < tender.deadline;
  const [o] = await db.select().from(openings).where(eq(openings.tenderId, tenderId));
  const ownSignin = viewer.companyId
    ? ((
        await db
          .select()
          .from(openingSignins)
          .where(and(eq(openingSignins.tenderId, tenderId), eq(openingSignins.companyId, viewer.companyId)))
      )[0] ?? null)
    : null;
  const ownBid = viewer.companyId
    ? ((
        await db
          .select()
          .from(bids)
          .where(and(eq(bids.tenderId, tenderId), eq(bids.companyId, viewer.companyId)))
      )[0] ?? null)
    : null;
  const base = {
    tender,
    project,
    now,
    beforeDeadline,
    opening: o ?? null,
    ownSignin,
    ownBidStatus: ownBid?.status ?? null,
    ownBidOpening: ownBid ? ((await db.select().from(bidOpenings).where(eq(bidOpenings.bidId, ownBid.id)))[0] ?? null) : null,
  };
  if (beforeDeadline) return { ...base, signins: [], rows: [], reading: false };
  const signins = await db
    .select({ company: orgs.name, at: openingSignins.at })
    .from(openingSignins)
    .innerJoin(orgs, eq(orgs.id, openingSignins.companyId))
    .where(eq(openingSignins.tenderId, tenderId))
    .orderBy(asc(openingSignins.at));
  return { ...base, signins, rows: await readingRows(db, tenderId), reading: bidContentRevealed(o) };
}
