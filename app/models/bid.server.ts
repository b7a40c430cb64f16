/**
 * Sealed bids (DOMAIN.md "Sealed bids", step 6).
 *
 * The browser seals the bid with public/seal/v1.js and uploads only the
 * ciphertext (a tus upload of kind "sealed"), the wrapped data keys and the
 * hashes. This module checks what it can without seeing the bid — who may
 * bid, the deadline by the server's clock at commit, that the ciphertext it
 * stored is the one committed to, that every wrapped key belongs to this
 * company's members and was never used before — and writes the version and
 * its receipt in one transaction. Until the deadline the platform knows who
 * bid, when and how many bytes; nobody but the bidding company is shown even
 * that, and the audit rows stay off the audit page until the deadline.
 *
 * Withdrawing or replacing a sealed bid undoes the company's offer, so a password alone is not
 * enough: the bidder approves the act with one of their passkeys just then, or the session has
 * proved a code from the bidder's own channel (step-up). After an official reset the account's
 * password, the account may not do either for a county-set time (ADR 0033).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { beijingDay, formatBeijing } from "~/utils/time";
import { schema, type Db } from "~/utils/db.server";
import { appendAudit, type Actor } from "./audit.server";
import { guaranteeCover, MAX_BID_FILES, SEALING_SCRIPT } from "./bid-rules";
import { biddingEligibility } from "./company.server";
import { blacklistedUntil } from "./credit.server";
import { getCountySettings } from "./county-settings.server";
import { recordTrace } from "./trace.server";
import { DomainError } from "./errors";
import type { FileStore } from "./file-store.server";
import { effectiveState, FINAL_STATES } from "./lifecycle";
import { assertProjectAction, insertBid, transition } from "./lifecycle.server";
import { approvalOptions, verifyApproval, type RelyingParty } from "./passkey.server";
import { lastOfficialResetAt, stepUpState } from "./reset-code.server";
import { finishedUpload } from "./resumable-upload.server";
import { isRegistered, lockCurrentTender } from "./tender-qa.server";
import { getPublicNotice } from "./tender.server";

const { bids, bidVersions, bidKeyWraps, tenders, projects, passkeys, memberships, users, projectManagers, files, sessions, poolMemberships } = schema;

// ── The sealing script ──────────────────────────────────────────────────

let script: { version: string; path: string; sha256: string; size: number } | null = null;

/** The sealing script as served, with its SHA-256 (published on /sealing and in every receipt). */
export function sealingScript() {
  if (!script) {
    const bytes = readFileSync(path.join(process.cwd(), "public", SEALING_SCRIPT.path));
    script = { ...SEALING_SCRIPT, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
  }
  return script;
}

// ── Receipts ────────────────────────────────────────────────────────────

export interface Receipt {
  id: string;
  tenderId: string;
  seq: number;
  kind: "sealed" | "withdrawal";
  receivedAt: Date;
  commitment: string;
  ciphertextHash: string | null;
  plaintextHash: string | null;
  ciphertextSize: number | null;
  scriptVersion: string | null;
  scriptSha256: string | null;
}

function receiptOf(tenderId: string, v: typeof bidVersions.$inferSelect): Receipt {
  return {
    id: v.id,
    tenderId,
    seq: v.seq,
    kind: v.kind,
    receivedAt: v.receivedAt,
    commitment: v.commitment,
    ciphertextHash: v.ciphertextSha256,
    plaintextHash: v.plaintextHash,
    ciphertextSize: v.ciphertextSize,
    scriptVersion: v.sealingScriptVersion,
    scriptSha256: v.sealingScriptSha256,
  };
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** commitment = SHA-256("cyz-commit-v1" || ciphertext hash || manifest hash) — the same formula as the sealing script. */
export function commitmentOf(ciphertextHash: string, plaintextHash: string): string {
  return createHash("sha256").update("cyz-commit-v1").update(Buffer.from(ciphertextHash, "hex")).update(Buffer.from(plaintextHash, "hex")).digest("hex");
}

// ── Input ───────────────────────────────────────────────────────────────

const HEX64 = /^[0-9a-f]{64}$/;
const b64u = (bytes: number) => z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`), "errors.bid.badWrap");

const wrapSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("passkey"), credentialId: z.string().min(1).max(1024), epk: b64u(32), iv: b64u(12), wrapped: b64u(48) }),
  z.object({ kind: z.literal("backup"), iv: b64u(12), wrapped: b64u(48) }),
]);

export const submitSchema = z.object({
  submissionId: z.string().uuid("errors.bid.submissionId"),
  uploadId: z.string().min(1).max(64),
  ciphertextHash: z.string().regex(HEX64, "errors.bid.badHash"),
  plaintextHash: z.string().regex(HEX64, "errors.bid.badHash"),
  commitment: z.string().regex(HEX64, "errors.bid.badHash"),
  scriptVersion: z.string().max(16),
  scriptSha256: z.string().regex(HEX64, "errors.bid.badHash"),
  wraps: z.array(wrapSchema).min(1).max(20),
});
export type SubmitInput = z.output<typeof submitSchema>;

function parse<T extends z.ZodTypeAny>(s: T, input: unknown): z.output<T> {
  const r = s.safeParse(input);
  if (!r.success) throw new DomainError(r.error.issues[0]?.message.startsWith("errors.") ? r.error.issues[0].message : "errors.invalidInput", { status: 400 });
  return r.data;
}

// ── Who may bid ─────────────────────────────────────────────────────────

/** Project managers of this company who manage an awarded, unfinished (在建) contract. */
export async function busyProjectManagerIds(db: Db, companyId: string): Promise<Set<string>> {
  const rows = await db
    .select({ id: bids.openedProjectManagerId })
    .from(bids)
    .innerJoin(tenders, eq(tenders.id, bids.tenderId))
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .where(and(eq(bids.companyId, companyId), isNotNull(bids.awardedAt), isNotNull(bids.openedProjectManagerId), notInArray(projects.state, [...FINAL_STATES])));
  return new Set(rows.map((r) => r.id!));
}

/** The company's project managers, each marked when the county's 在建 rule keeps them off a new bid. */
export async function projectManagerChoices(db: Db, companyId: string, countyId: string) {
  const settings = await getCountySettings(db, countyId);
  const busy = settings.blockBusyProjectManagers ? await busyProjectManagerIds(db, companyId) : new Set<string>();
  const rows = await db
    .select({ id: projectManagers.id, name: projectManagers.name, certificateNumber: projectManagers.certificateNumber })
    .from(projectManagers)
    .where(and(eq(projectManagers.companyId, companyId), isNull(projectManagers.removedAt)))
    .orderBy(asc(projectManagers.createdAt));
  return rows.map((r) => ({ ...r, busy: busy.has(r.id) }));
}

/**
 * The passkeys a bid of this company can be sealed to: every prepared passkey
 * of every contractor member of the company (so the opening does not depend
 * on one person or one phone).
 */
export async function sealingHolders(db: Db, companyId: string) {
  return db
    .select({ credentialId: passkeys.id, publicKey: passkeys.openingPublicKey, name: passkeys.name, userId: users.id, userName: users.name })
    .from(passkeys)
    .innerJoin(users, eq(users.id, passkeys.userId))
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, companyId), eq(memberships.role, "contractor")))
    .where(isNotNull(passkeys.openingPublicKey))
    .orderBy(asc(users.name), asc(passkeys.createdAt))
    .then((rows) => rows.map((r) => ({ ...r, publicKey: r.publicKey! })));
}

type Locked = Awaited<ReturnType<typeof lockCurrentTender>>;

/**
 * A bidder's acts on a tender: the tender shared with the other bidders (nothing they do changes
 * it), and this company's own bid exclusively, so its versions are numbered one at a time.
 */
async function lockForBidder(tx: Db, tenderId: string, companyId: string): Promise<Locked> {
  const locked = await lockCurrentTender(tx, tenderId, "share");
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`bid:${tenderId}:${companyId}`}, 0))`);
  return locked;
}

/** Everything that must hold at the instant of a bid action, checked under the tender's lock. */
async function assertMayBid(tx: Db, locked: Locked, actor: Actor, companyId: string, now: Date) {
  const { project, tender } = locked;
  // The project's step, with the writer's mapping (403 wrong role; 409 bidding closed, in the bid's words).
  assertProjectAction(effectiveState(project.state, tender.deadline, now), "bid", actor, { stateKey: "errors.bid.closed" });
  // A blacklisting in force on this Beijing day (credit.server.ts) bars the company everywhere in the county.
  if (await blacklistedUntil(tx, companyId, beijingDay(now))) throw new DomainError("errors.bid.blacklisted", { status: 403 });
  const eligibility = await biddingEligibility(tx, companyId, project.townshipId, now);
  if (!eligibility.ok) throw new DomainError(eligibility.problems[0], { status: 403 });
  const settings = await getCountySettings(tx, project.countyId);
  if (settings.registrationStepRequired && !(await isRegistered(tx, tender.id, companyId))) throw new DomainError("errors.qa.registerFirst", { status: 409 });
}

async function currentBid(tx: Db, tenderId: string, companyId: string) {
  const [bid] = await tx
    .select()
    .from(bids)
    .where(and(eq(bids.tenderId, tenderId), eq(bids.companyId, companyId)));
  return bid ?? null;
}

/** A repeated submit (same idempotency key) gets the first receipt; a key used for anything else is refused. */
async function replayed(tx: Db, submissionId: string, bidOf: { tenderId: string; companyId: string }, same: (v: typeof bidVersions.$inferSelect) => boolean) {
  const [row] = await tx.select({ v: bidVersions, bid: bids }).from(bidVersions).innerJoin(bids, eq(bids.id, bidVersions.bidId)).where(eq(bidVersions.submissionId, submissionId));
  if (!row) return null;
  if (row.bid.tenderId !== bidOf.tenderId || row.bid.companyId !== bidOf.companyId || !same(row.v)) throw new DomainError("errors.bid.submissionReused", { status: 409 });
  return receiptOf(row.bid.tenderId, row.v);
}

function auditScope(locked: Locked) {
  return { countyId: locked.project.countyId, townshipId: locked.project.townshipId };
}

/** Bid audit rows stay off the audit page until the deadline (listAudit): even their number would tell how many bid. */
function sealedDetail(tenderId: string, extra: Record<string, unknown>) {
  return { sealedTender: tenderId, ...extra };
}

// ── Proving a withdrawal or a replacement ───────────────────────────────

/** What a withdrawal or a replacement comes with, besides the signed-in session. */
export interface BidActProof {
  /** The request's session: a step-up it proved within STEP_UP_MS counts. */
  sessionId: string;
  rp: RelyingParty;
  /** The browser's answer to bidActOptions for this very act (a WebAuthn assertion), if any. */
  approval?: unknown;
}

/** The bid page's own form (withdraw, and the step-up code that may prove it), parsed by one schema. */
export const bidPageActionSchema = z.discriminatedUnion("intent", [
  // `approval`: the passkey's answer to bid/seal "approve-options", added by the page's script (JSON).
  z.object({ intent: z.literal("withdraw"), key: z.string().max(64), approval: z.string().max(16_384).optional() }),
  z.object({ intent: z.literal("step-up-request") }),
  z.object({ intent: z.literal("step-up-confirm"), code: z.string().max(40) }),
]);

export type BidAct = "withdraw" | "replace";
const PURPOSE = { withdraw: "bid_withdraw", replace: "bid_replace" } as const;
type Proved = { by: "passkey"; passkeyId: string } | { by: "step_up" };

/** A single-use challenge for the bidder to approve withdrawing or replacing with one of their passkeys. */
export function bidActOptions(db: Db, { clock, rp, userId, act }: { clock: Clock; rp: RelyingParty; userId: string; act: BidAct }) {
  return approvalOptions(db, { clock, rp, userId, purpose: PURPOSE[act] });
}

/** Check a passkey approval of `act`, using up its challenge; an approval that fails is refused outright. */
async function approvalOf(db: Db, clock: Clock, userId: string, act: BidAct, proof: BidActProof | undefined, submissionId: string): Promise<Proved | null> {
  if (!proof?.approval) return null;
  // A retry of an act already on record gets its receipt (replayed) and needs no second approval.
  const [known] = await db.select({ id: bidVersions.id }).from(bidVersions).where(eq(bidVersions.submissionId, submissionId)).limit(1);
  if (known) return null;
  try {
    const passkey = await verifyApproval(db, { clock, rp: proof.rp, userId, purpose: PURPOSE[act], response: proof.approval });
    return { by: "passkey", passkeyId: passkey.id };
  } catch (e) {
    if (e instanceof DomainError) throw new DomainError(e.key, { status: 403 });
    throw e;
  }
}

/** Under the bidder's lock: approved with a passkey just now, or the session proved a step-up code lately. */
async function requireProof(tx: Db, clock: Clock, userId: string, proof: BidActProof | undefined, approved: Proved | null): Promise<Proved> {
  if (approved) return approved;
  if (proof) {
    const [session] = await tx
      .select()
      .from(sessions)
      .where(and(eq(sessions.id, proof.sessionId), eq(sessions.userId, userId), gt(sessions.expiresAt, clock.now())));
    if (session && (await stepUpState(tx, clock, session)).proved) return { by: "step_up" };
  }
  throw new DomainError("errors.bid.proofRequired", { status: 403 });
}

const HOUR = 3_600_000;

/**
 * When the block after an official's password reset ends for a tender: `hours` after the reset, but
 * never later than one hour before the deadline, so the bidder keeps the right to withdraw. Null when
 * there is nothing to block.
 */
export function withdrawBlockEnd(resetAt: Date | null, hours: number, deadline: Date): Date | null {
  if (!resetAt || hours <= 0) return null;
  return new Date(Math.min(resetAt.getTime() + hours * HOUR, deadline.getTime() - HOUR));
}

/** Until when this account may not withdraw or replace bids on this tender, or null. */
async function blockedUntil(db: Db, userId: string, countyId: string, deadline: Date, now: Date): Promise<Date | null> {
  const settings = await getCountySettings(db, countyId);
  const end = withdrawBlockEnd(await lastOfficialResetAt(db, userId), settings.withdrawBlockAfterOfficialResetHours, deadline);
  return end && now < end ? end : null;
}

async function assertNotBlocked(tx: Db, userId: string, locked: Locked, now: Date) {
  const until = await blockedUntil(tx, userId, locked.project.countyId, locked.tender.deadline, now);
  if (until) throw new DomainError("errors.bid.blockedAfterReset", { status: 403, values: { until: formatBeijing(until) } });
}

/**
 * Whether this company may send sealed bids at all (admitted to a township's pool): only such a
 * company's members get sealed uploads, which the daily upload limit leaves alone, so that bids
 * at a deadline are never refused by it.
 */
export async function maySendSealedBids(db: Db, companyId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: poolMemberships.id })
    .from(poolMemberships)
    .where(and(eq(poolMemberships.companyId, companyId), eq(poolMemberships.status, "admitted")))
    .limit(1);
  return row !== undefined;
}

// ── Submit, replace, withdraw ───────────────────────────────────────────

/**
 * Submit (or replace) a sealed bid. The ciphertext must already be in the
 * store (a finished upload of kind "sealed" by this user). Replacing a sealed
 * bid needs `proof` (a passkey approval or a step-up). Returns the receipt.
 */
export async function submitBid(
  db: Db,
  {
    clock,
    store,
    actor,
    companyId,
    tenderId,
    raw,
    proof,
  }: { clock: Clock; store: FileStore; actor: Actor & { userId: string }; companyId: string; tenderId: string; raw: unknown; proof?: BidActProof },
): Promise<Receipt> {
  const input = parse(submitSchema, raw);
  const upload = await finishedUpload(store, input.uploadId, actor.userId, "sealed");
  if (!upload.ok) throw new DomainError(upload.error, { status: 400 });
  if (upload.upload.sha256 !== input.ciphertextHash) throw new DomainError("errors.bid.ciphertextMismatch", { status: 400 });
  if (upload.upload.size < 8 + 12 + 16 + 4) throw new DomainError("errors.upload.notSealed", { status: 400 });
  if (commitmentOf(input.ciphertextHash, input.plaintextHash) !== input.commitment) throw new DomainError("errors.bid.commitmentMismatch", { status: 400 });
  const served = sealingScript();
  if (input.scriptVersion !== served.version || input.scriptSha256 !== served.sha256) throw new DomainError("errors.bid.oldScript", { status: 409 });
  const backups = input.wraps.filter((w) => w.kind === "backup");
  if (backups.length !== 1) throw new DomainError("errors.bid.backupWrap", { status: 400 });
  const passkeyWraps = input.wraps.filter((w): w is Extract<typeof w, { kind: "passkey" }> => w.kind === "passkey");
  if (new Set(passkeyWraps.map((w) => w.credentialId)).size !== passkeyWraps.length) throw new DomainError("errors.bid.badWrap", { status: 400 });
  const approved = await approvalOf(db, clock, actor.userId, "replace", proof, input.submissionId);

  return db.transaction(async (tx) => {
    const locked = await lockForBidder(tx, tenderId, companyId);
    // The server's clock decides, read under the lock: an amendment, the close of bidding and the opening wait for this bid to commit.
    const now = clock.now();
    const again = await replayed(tx, input.submissionId, { tenderId, companyId }, (v) => v.kind === "sealed" && v.commitment === input.commitment);
    if (again) return again;
    await assertMayBid(tx, locked, actor, companyId, now);

    const holders = new Map((await sealingHolders(tx, companyId)).map((h) => [h.credentialId, h]));
    for (const w of passkeyWraps) if (!holders.has(w.credentialId)) throw new DomainError("errors.bid.unknownHolder", { status: 400 });
    const hashes = input.wraps.map((w) => sha256(w.wrapped));
    const seen = await tx.select({ h: bidKeyWraps.wrappedSha256 }).from(bidKeyWraps).where(inArray(bidKeyWraps.wrappedSha256, hashes));
    if (seen.length > 0 || new Set(hashes).size !== hashes.length) throw new DomainError("errors.bid.wrapReplayed", { status: 400 });

    const existing = await currentBid(tx, tenderId, companyId);
    // Replacing the sealed bid in force undoes it: the same proof as a withdrawal.
    const proved = existing?.status === "sealed" ? (await assertNotBlocked(tx, actor.userId, locked, now), await requireProof(tx, clock, actor.userId, proof, approved)) : null;
    const seq = (existing?.currentVersion ?? 0) + 1;
    const detail = sealedDetail(tenderId, {
      companyId,
      seq,
      commitment: input.commitment,
      ciphertextSize: upload.upload.size,
      holders: passkeyWraps.length,
      ...(proved ? { proof: proved } : {}),
    });
    // A new sealed version: the first makes the bid (its audit row follows with the version); a later one replaces it through the bid's writer.
    const bid = existing
      ? (
          await transition(tx, {
            lifecycle: "bid",
            clock,
            actor,
            id: existing.id,
            action: "replace",
            set: { currentVersion: seq },
            audit: ({ after }) => ({ action: "bid.replace", objectType: "bid", objectId: after.id, detail }),
          })
        ).after
      : await insertBid(tx, { tenderId, companyId, currentVersion: seq, createdAt: now, updatedAt: now });
    await tx.insert(files).values({ sha256: input.ciphertextHash, size: upload.upload.size, mime: "application/x-cyz-sealed-bid", createdAt: now }).onConflictDoNothing();
    const [version] = await tx
      .insert(bidVersions)
      .values({
        bidId: bid.id,
        seq,
        kind: "sealed",
        submissionId: input.submissionId,
        ciphertextSha256: input.ciphertextHash,
        ciphertextSize: upload.upload.size,
        plaintextHash: input.plaintextHash,
        commitment: input.commitment,
        sealingScriptVersion: served.version,
        sealingScriptSha256: served.sha256,
        receivedAt: now,
        submittedBy: actor.userId,
      })
      .returning();
    await tx.insert(bidKeyWraps).values(
      input.wraps.map((w, i) => ({
        versionId: version.id,
        kind: w.kind,
        credentialId: w.kind === "passkey" ? w.credentialId : null,
        userId: w.kind === "passkey" ? holders.get(w.credentialId)!.userId : null,
        epk: w.kind === "passkey" ? w.epk : null,
        iv: w.iv,
        wrapped: w.wrapped,
        wrappedSha256: hashes[i],
      })),
    );
    if (!existing) await appendAudit(tx, clock, actor, { action: "bid.submit", objectType: "bid", objectId: bid.id, ...auditScope(locked), detail });
    await recordTrace(tx, clock, actor, { tenderId, companyId, kind: "bid" });
    return receiptOf(tenderId, version);
  });
}

/**
 * Withdraw the bid before the deadline: a new version with its own receipt; the sealed versions stay
 * on record. Needs `proof` (a passkey approval or a step-up), and no block after an official's reset.
 */
export async function withdrawBid(
  db: Db,
  {
    clock,
    actor,
    companyId,
    tenderId,
    submissionId,
    proof,
  }: { clock: Clock; actor: Actor & { userId: string }; companyId: string; tenderId: string; submissionId: unknown; proof?: BidActProof },
): Promise<Receipt> {
  const id = parse(z.string().uuid("errors.bid.submissionId"), submissionId);
  const approved = await approvalOf(db, clock, actor.userId, "withdraw", proof, id);
  return db.transaction(async (tx) => {
    const locked = await lockForBidder(tx, tenderId, companyId);
    const now = clock.now();
    const again = await replayed(tx, id, { tenderId, companyId }, (v) => v.kind === "withdrawal");
    if (again) return again;
    await assertMayBid(tx, locked, actor, companyId, now);
    const bid = await currentBid(tx, tenderId, companyId);
    if (!bid || bid.status !== "sealed") throw new DomainError("errors.bid.nothingToWithdraw", { status: 409 });
    await assertNotBlocked(tx, actor.userId, locked, now);
    const proved = await requireProof(tx, clock, actor.userId, proof, approved);
    const seq = bid.currentVersion + 1;
    const commitment = sha256(`cyz-withdraw-v1|${tenderId}|${bid.id}|${seq}|${now.toISOString()}`);
    await transition(tx, {
      lifecycle: "bid",
      clock,
      actor,
      id: bid.id,
      action: "withdraw",
      set: { currentVersion: seq },
      audit: () => ({ action: "bid.withdraw", objectType: "bid", objectId: bid.id, detail: sealedDetail(tenderId, { companyId, seq, commitment, proof: proved }) }),
    });
    const [version] = await tx
      .insert(bidVersions)
      .values({ bidId: bid.id, seq, kind: "withdrawal", submissionId: id, commitment, receivedAt: now, submittedBy: actor.userId })
      .returning();
    await recordTrace(tx, clock, actor, { tenderId, companyId, kind: "withdraw" });
    return receiptOf(tenderId, version);
  });
}

// ── Re-sealing when a passkey goes away ─────────────────────────────────

const resealSchema = z.object({
  versionId: z.string().uuid(),
  retire: z.array(z.string().min(1).max(1024)).max(20),
  wraps: z.array(wrapSchema).max(20),
});

/**
 * Re-seal the current version's data key to the company's passkeys as they
 * are now (the browser unwrapped it with a passkey or the backup code and
 * wrapped it again). The ciphertext and the receipt do not change; wraps for
 * `retire` stop counting. Before the deadline only.
 */
export async function resealBid(
  db: Db,
  { clock, actor, companyId, tenderId, raw }: { clock: Clock; actor: Actor & { userId: string }; companyId: string; tenderId: string; raw: unknown },
) {
  const input = parse(resealSchema, raw);
  if (input.wraps.some((w) => w.kind !== "passkey")) throw new DomainError("errors.bid.badWrap", { status: 400 });
  return db.transaction(async (tx) => {
    const locked = await lockForBidder(tx, tenderId, companyId);
    const now = clock.now();
    await assertMayBid(tx, locked, actor, companyId, now);
    const bid = await currentBid(tx, tenderId, companyId);
    if (!bid || bid.status !== "sealed") throw new DomainError("errors.bid.nothingToWithdraw", { status: 409 });
    const [version] = await tx
      .select()
      .from(bidVersions)
      .where(and(eq(bidVersions.bidId, bid.id), eq(bidVersions.seq, bid.currentVersion)));
    if (version.id !== input.versionId) throw new DomainError("errors.bid.notCurrent", { status: 409 });
    const holders = new Map((await sealingHolders(tx, companyId)).map((h) => [h.credentialId, h]));
    const active = await tx
      .select()
      .from(bidKeyWraps)
      .where(and(eq(bidKeyWraps.versionId, version.id), isNull(bidKeyWraps.retiredAt)));
    const activeIds = new Set(active.filter((w) => w.kind === "passkey").map((w) => w.credentialId!));
    const added = input.wraps as Extract<SubmitInput["wraps"][number], { kind: "passkey" }>[];
    for (const w of added) if (!holders.has(w.credentialId) || activeIds.has(w.credentialId)) throw new DomainError("errors.bid.unknownHolder", { status: 400 });
    const hashes = added.map((w) => sha256(w.wrapped));
    if (hashes.length) {
      const seen = await tx.select({ h: bidKeyWraps.wrappedSha256 }).from(bidKeyWraps).where(inArray(bidKeyWraps.wrappedSha256, hashes));
      if (seen.length > 0) throw new DomainError("errors.bid.wrapReplayed", { status: 400 });
      await tx.insert(bidKeyWraps).values(
        added.map((w, i) => ({
          versionId: version.id,
          kind: "passkey" as const,
          credentialId: w.credentialId,
          userId: holders.get(w.credentialId)!.userId,
          epk: w.epk,
          iv: w.iv,
          wrapped: w.wrapped,
          wrappedSha256: hashes[i],
        })),
      );
    }
    const retire = input.retire.filter((c) => activeIds.has(c));
    if (retire.length)
      await tx
        .update(bidKeyWraps)
        .set({ retiredAt: now })
        .where(and(eq(bidKeyWraps.versionId, version.id), inArray(bidKeyWraps.credentialId, retire), isNull(bidKeyWraps.retiredAt)));
    await appendAudit(tx, clock, actor, {
      action: "bid.reseal",
      objectType: "bid",
      objectId: bid.id,
      ...auditScope(locked),
      detail: sealedDetail(tenderId, { companyId, seq: version.seq, added: added.length, retired: retire.length }),
    });
    await recordTrace(tx, clock, actor, { tenderId, companyId, kind: "reseal" });
    return { added: added.length, retired: retire.length };
  });
}

/** Open bids (deadline still ahead) whose current version only this passkey, among the passkeys, can open — or can open at all. */
export async function openBidsSealedTo(db: Db, credentialId: string, now: Date) {
  const rows = await db
    .select({ tenderId: bids.tenderId, projectId: projects.id, projectName: projects.name, deadline: tenders.deadline, versionId: bidVersions.id })
    .from(bidKeyWraps)
    .innerJoin(bidVersions, eq(bidVersions.id, bidKeyWraps.versionId))
    .innerJoin(bids, and(eq(bids.id, bidVersions.bidId), eq(bids.currentVersion, bidVersions.seq), eq(bids.status, "sealed")))
    .innerJoin(tenders, eq(tenders.id, bids.tenderId))
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .where(and(eq(bidKeyWraps.credentialId, credentialId), isNull(bidKeyWraps.retiredAt)));
  return rows.filter((r) => r.deadline.getTime() > now.getTime());
}

// ── What the bidding company sees ───────────────────────────────────────

/** The company's own bid on the tender: status and every receipt, newest first; plus the wraps of the current version. */
export async function ownBid(db: Db, tenderId: string, companyId: string) {
  const [bid] = await db
    .select()
    .from(bids)
    .where(and(eq(bids.tenderId, tenderId), eq(bids.companyId, companyId)));
  if (!bid) return null;
  const versions = await db.select().from(bidVersions).where(eq(bidVersions.bidId, bid.id)).orderBy(desc(bidVersions.seq));
  const current = versions.find((v) => v.seq === bid.currentVersion)!;
  const wraps =
    current.kind === "sealed"
      ? await db
          .select()
          .from(bidKeyWraps)
          .where(and(eq(bidKeyWraps.versionId, current.id), isNull(bidKeyWraps.retiredAt)))
      : [];
  return {
    id: bid.id,
    status: bid.status,
    current: receiptOf(tenderId, current),
    submissionId: current.submissionId,
    receipts: versions.map((v) => receiptOf(tenderId, v)),
    wraps: wraps.map((w) => ({ kind: w.kind, credentialId: w.credentialId, epk: w.epk, iv: w.iv, wrapped: w.wrapped })),
  };
}

/** One receipt of the company (for the printable receipt page). */
export async function getReceipt(db: Db, companyId: string, versionId: string) {
  if (!/^[0-9a-f-]{36}$/.test(versionId)) return null;
  const [row] = await db
    .select({ v: bidVersions, bid: bids })
    .from(bidVersions)
    .innerJoin(bids, eq(bids.id, bidVersions.bidId))
    .where(and(eq(bidVersions.id, versionId), eq(bids.companyId, companyId)));
  return row ? receiptOf(row.bid.tenderId, row.v) : null;
}

/**
 * What the bid page shows a contractor: the tender's rules (for the browser's
 * checks), whether the company may bid now and why not, its project managers,
 * the passkeys a bid can be sealed to, and its own bid with every receipt.
 */
export async function bidPage(
  db: Db,
  {
    clock,
    tenderId,
    companyId,
    userId,
    session,
  }: { clock: Clock; tenderId: string; companyId: string; userId: string; session?: { id: string; userId: string; method: string; stepUpAt: Date | null } },
) {
  const notice = await getPublicNotice(db, clock, tenderId);
  if (!notice) return null;
  const { project, tender } = notice;
  const now = clock.now();
  const settings = await getCountySettings(db, project.countyId);
  const [latest] = await db.select({ id: tenders.id }).from(tenders).where(eq(tenders.projectId, project.id)).orderBy(desc(tenders.round)).limit(1);
  const open = notice.state === "published" && latest?.id === tender.id && now < tender.deadline;
  const eligibility = await biddingEligibility(db, companyId, project.townshipId, now);
  const blacklisted = await blacklistedUntil(db, companyId, beijingDay(now));
  const registrationNeeded = settings.registrationStepRequired && !(await isRegistered(db, tender.id, companyId));
  const [profile] = await db.select().from(schema.companyProfiles).where(eq(schema.companyProfiles.orgId, companyId));
  const mine = await db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt));
  return {
    notice,
    open,
    eligibility,
    /** The last day of a blacklisting in force, or null. */
    blacklisted,
    registrationNeeded,
    managers: await projectManagerChoices(db, companyId, project.countyId),
    holders: await sealingHolders(db, companyId),
    myPasskeys: mine.map((p) => ({ id: p.id, name: p.name, sealing: p.openingPublicKey !== null })),
    bank: profile ? { bankName: profile.bankName, bankAccount: profile.bankAccount, bankAccountName: profile.bankAccountName } : null,
    own: await ownBid(db, tender.id, companyId),
    maxFileBytes: settings.uploadMaxMegabytes * 1024 * 1024,
    bidValidityDays: settings.bidValidityDays,
    guaranteeCover: guaranteeCover(tender.deadline, settings.bidValidityDays),
    /** What withdrawing or replacing needs of this user now (BidActProof), and a block after an official's reset. */
    proof: {
      stepUpProved: session ? (await stepUpState(db, clock, session)).proved : false,
      hasPasskey: mine.length > 0,
      blockedUntil: open ? await blockedUntil(db, userId, project.countyId, tender.deadline, now) : null,
    },
  };
}

export { MAX_BID_FILES };
