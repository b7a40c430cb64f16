/**
 * The evaluation (评标, DOMAIN.md "Evaluation"), step by step:
 *
 *   checking    every member checks every opened bid against the tender's
 *               requirements (a reason for each rejection); when the last
 *               member hands in, the qualified list (majority of the panel)
 *               is locked and its hash recorded; fewer than the county's
 *               minimum of qualified bids ends the tender (流标);
 *   secret      a township supervisor reveals the secret committed to in the
 *               tender notice; the draw seed is fixed (ADR 0014/0015);
 *   scoring     comprehensive scoring only: each member scores each qualified
 *               bid, seeing nobody else's scores until handing in;
 *   review      each member may flag others' scores as abnormal;
 *   explaining  a score flagged by more than the county's share of the panel
 *               is explained in writing by its expert or replaced by the
 *               others' average;
 *   opinions    the result is computed; each member agrees or writes a dissent;
 *   signing     the report (evaluation-report.server.ts) is signed member by
 *               member; the last signature starts the publicity;
 *   done.
 *
 * A member silent for a day in the opinions or signing step may be recorded
 * by the host as agreeing (DOMAIN.md: refusing without a reason counts as
 * agreement). Every step is one transaction holding the project's row lock.
 */
import { randomBytes } from "node:crypto";
import { and, asc, eq, inArray, isNotNull } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole } from "~/utils/db.server";
import type { EvaluationResult } from "../../db/schema/evaluations";
import { appendAudit, type Actor, memberRoleOf } from "./audit.server";
import { activeAgent, actsForVillage } from "./agent.server";
import { getCountySettings } from "./county-settings.server";
import { parseRatio } from "./county-settings";
import { reasonKeys } from "./bid-rules";
import { DomainError } from "./errors";
import {
  drawOrder,
  drawSeed,
  qualifiedListHash,
  randomDraw,
  rankComprehensive,
  rankLowestPrice,
  rankReasonableLow,
  reasonableLowBenchmark,
  secretCommitment,
  settleAbnormalScores,
} from "./evaluation-rules.server";
import { assertProjectAction, insertEvaluation, transition } from "./lifecycle.server";
import { notify, usersOfOrgs } from "./notification.server";
import { bidContentRevealedSql } from "./reveal";
import { lockCurrentTender } from "./tender-qa.server";

const {
  evaluations,
  evaluationMembers,
  qualificationChecks,
  expertScores,
  clarifications,
  drawSecrets,
  panels,
  panelMembers,
  bidOpenings,
  openings,
  bids,
  orgs,
  users,
  tenders,
  projects,
} = schema;

type Project = typeof projects.$inferSelect;
type Tender = typeof tenders.$inferSelect;

/** How long a member may stay silent before the host may record them as agreeing. */
export const SILENCE_MS = 24 * 3600 * 1000;
const REASON_MIN = 2;
const TEXT_MAX = 2000;

// ── The draw secret ─────────────────────────────────────────────────────

/** At publication: a fresh secret for the tender's draw; its commitment goes into the notice. */
export function newDrawSecret(): { secret: string; commitment: string } {
  const secret = randomBytes(32).toString("hex");
  return { secret, commitment: secretCommitment(secret) };
}

export async function saveDrawSecret(tx: Db, clock: Clock, tenderId: string, s: { secret: string; commitment: string }) {
  await tx.insert(drawSecrets).values({ tenderId, secret: s.secret, commitment: s.commitment, createdAt: clock.now() });
}

// ── Shared ──────────────────────────────────────────────────────────────

export interface BidUnderEvaluation {
  bidId: string;
  companyId: string;
  company: string;
  priceFen: number;
  durationDays: number | null;
  projectManagerName: string | null;
  projectManagerCertificate: string | null;
  quality: string | null;
  securityOk: boolean | null;
  files: { name: string; size: number; sha256: string }[];
  /** What the opening recorded against the bid (keys under opening.reason): the check starts with these, for rejection. */
  openingReasons: string[];
  /** The price could not be read at the opening (无法识别): such a bid cannot pass. */
  priceUnreadable: boolean;
}

/**
 * The bids that came out of the opening valid: the panel evaluates these.
 * None before the price reading (reveal.ts): while the decryption window is
 * open nobody — host, supervisor or administrator — may see an opened bid.
 */
export async function bidsUnderEvaluation(db: Db, tenderId: string): Promise<BidUnderEvaluation[]> {
  const rows = await db
    .select({ o: bidOpenings, companyId: bids.companyId, company: orgs.name })
    .from(bidOpenings)
    .innerJoin(bids, eq(bids.id, bidOpenings.bidId))
    .innerJoin(orgs, eq(orgs.id, bids.companyId))
    .innerJoin(openings, eq(openings.tenderId, bidOpenings.tenderId))
    .where(and(eq(bidOpenings.tenderId, tenderId), eq(bidOpenings.status, "decrypted"), bidContentRevealedSql(openings.state, openings.readingStartedAt)))
    .orderBy(asc(bidOpenings.decryptedAt), asc(bidOpenings.bidId));
  return rows.map((r) => ({
    bidId: r.o.bidId,
    companyId: r.companyId,
    company: r.company,
    priceFen: r.o.priceFen ?? 0,
    durationDays: r.o.durationDays,
    projectManagerName: r.o.projectManagerName,
    projectManagerCertificate: r.o.projectManagerCertificate,
    quality: r.o.quality,
    securityOk: r.o.securityOk,
    files: (r.o.files as BidUnderEvaluation["files"] | null) ?? [],
    openingReasons: reasonKeys(r.o.reason),
    priceUnreadable: r.o.priceFen === null,
  }));
}

/** The panel's sitting members (drawn as members, or reserves brought in, who accepted). */
async function sittingMembers(db: Db, tenderId: string) {
  return (
    db
      .select({ expertId: panelMembers.expertId, position: panelMembers.position, status: panelMembers.status, name: users.name })
      .from(panelMembers)
      .innerJoin(users, eq(users.id, panelMembers.expertId))
      // A recused member keeps the role "member" on record; the reserve who stepped in sits instead.
      .where(and(eq(panelMembers.tenderId, tenderId), eq(panelMembers.role, "member"), inArray(panelMembers.status, ["assigned", "accepted"])))
      .orderBy(asc(panelMembers.position))
  );
}

async function lockEvaluation(tx: Db, tenderId: string) {
  const { tender, project } = await lockCurrentTender(tx, tenderId);
  const [ev] = await tx.select().from(evaluations).where(eq(evaluations.tenderId, tenderId));
  return { tender, project, ev };
}

/**
 * The evaluation row, created once every sitting member has accepted
 * (no conflict declared): the panel is complete and may start.
 */
async function startedEvaluation(tx: Db, clock: Clock, tender: Tender) {
  const [existing] = await tx.select().from(evaluations).where(eq(evaluations.tenderId, tender.id));
  if (existing) return existing;
  const [panel] = await tx.select().from(panels).where(eq(panels.tenderId, tender.id));
  const members = await sittingMembers(tx, tender.id);
  if (!panel || members.length < panel.size || members.some((m) => m.status !== "accepted")) throw new DomainError("errors.evaluation.panelIncomplete", { status: 409 });
  const now = clock.now();
  const ev = await insertEvaluation(tx, { tenderId: tender.id, stepStartedAt: now, createdAt: now });
  await tx.insert(evaluationMembers).values(members.map((m) => ({ tenderId: tender.id, expertId: m.expertId })));
  return ev;
}

async function requireSittingMember(tx: Db, tenderId: string, userId: string) {
  const [m] = await tx
    .select()
    .from(evaluationMembers)
    .where(and(eq(evaluationMembers.tenderId, tenderId), eq(evaluationMembers.expertId, userId)));
  if (!m) throw new DomainError("errors.forbidden", { status: 403 });
  return m;
}

function cleanText(v: unknown, field: string, min = REASON_MIN): string {
  const s = typeof v === "string" ? v.trim() : "";
  if (s.length < min) throw new DomainError("errors.evaluation.reasonRequired", { field });
  if (s.length > TEXT_MAX) throw new DomainError("errors.evaluation.tooLong", { field, values: { max: TEXT_MAX } });
  return s;
}

async function audit(
  tx: Db,
  clock: Clock,
  actor: Actor,
  project: Project,
  tenderId: string,
  action: string,
  detail: Record<string, unknown> = {},
  after?: Record<string, unknown>,
) {
  await appendAudit(tx, clock, actor, { action, objectType: "tender", objectId: tenderId, countyId: project.countyId, townshipId: project.townshipId, detail, after });
}

async function supervisorsOf(tx: Db, project: Project) {
  return usersOfOrgs(tx, [project.townshipId], ["supervisor"]);
}

export async function hostsOf(tx: Db, project: Project) {
  const agent = await activeAgent(tx, project.id);
  return usersOfOrgs(tx, [project.villageId, ...(agent ? [agent.org.id] : [])], ["committee", "agent"]);
}

// ── 1. Qualification checks ─────────────────────────────────────────────

export interface CheckInput {
  bidId: string;
  pass: boolean;
  reason?: string;
}

/**
 * A member hands in their check of every bid under evaluation. Once handed
 * in it cannot be changed. The last member's hand-in locks the list.
 */
export async function submitChecks(
  db: Db,
  { clock, actor, tenderId, checks }: { clock: Clock; actor: Actor & { userId: string }; tenderId: string; checks: readonly CheckInput[] },
) {
  return db.transaction(async (tx) => {
    const { tender, project } = await lockEvaluation(tx, tenderId);
    assertProjectAction(project.state, "evaluate", actor);
    const ev = await startedEvaluation(tx, clock, tender);
    const me = await requireSittingMember(tx, tenderId, actor.userId);
    if (ev.state !== "checking" || me.checksAt) throw new DomainError("errors.evaluation.notNow", { status: 409 });
    const under = await bidsUnderEvaluation(tx, tenderId);
    const byId = new Map(checks.map((c) => [c.bidId, c]));
    if (byId.size !== under.length || under.some((b) => !byId.has(b.bidId))) throw new DomainError("errors.evaluation.checkEveryBid");
    // No ranking can use a price nobody could read.
    const unreadable = under.find((b) => b.priceUnreadable && byId.get(b.bidId)!.pass);
    if (unreadable) throw new DomainError("errors.evaluation.unreadablePrice", { field: `pass-${unreadable.bidId}` });
    const now = clock.now();
    const rows = under.map((b) => {
      const c = byId.get(b.bidId)!;
      return { tenderId, bidId: b.bidId, expertId: actor.userId, pass: c.pass, reason: c.pass ? c.reason?.trim() || null : cleanText(c.reason, `reason-${b.bidId}`), at: now };
    });
    if (rows.length) await tx.insert(qualificationChecks).values(rows);
    await tx
      .update(evaluationMembers)
      .set({ checksAt: now })
      .where(and(eq(evaluationMembers.tenderId, tenderId), eq(evaluationMembers.expertId, actor.userId)));
    await audit(tx, clock, actor, project, tenderId, "evaluation.checks", { failed: rows.filter((r) => !r.pass).map((r) => ({ bidId: r.bidId, reason: r.reason })) });
    const members = await tx.select().from(evaluationMembers).where(eq(evaluationMembers.tenderId, tenderId));
    if (members.every((m) => m.checksAt)) return lockQualifiedList(tx, clock, actor, tender, project, members.length);
    return { locked: false as const };
  });
}

async function lockQualifiedList(tx: Db, clock: Clock, actor: Actor, tender: Tender, project: Project, panelSize: number) {
  const checks = await tx.select().from(qualificationChecks).where(eq(qualificationChecks.tenderId, tender.id));
  const under = await bidsUnderEvaluation(tx, tender.id);
  // A bid is qualified when more than half of the panel passed it.
  const qualified = under.filter((b) => checks.filter((c) => c.bidId === b.bidId && c.pass).length * 2 > panelSize).map((b) => b.bidId);
  const hash = qualifiedListHash(tender.id, qualified);
  const now = clock.now();
  const settings = await getCountySettings(tx, project.countyId);
  if (qualified.length < settings.minValidBids) {
    const failReason = { key: "evaluation.failed.tooFewQualified", values: { qualified: qualified.length, min: settings.minValidBids } };
    // The tender fails (project.fail_evaluation); the act's row goes with the evaluation it ends.
    const failed = await transition(tx, { lifecycle: "project", clock, actor, id: project.id, action: "fail_evaluation" });
    await transition(tx, {
      lifecycle: "evaluation",
      clock,
      actor,
      id: tender.id,
      action: "fail",
      expectFrom: ["checking"],
      set: { qualifiedBidIds: qualified, qualifiedListHash: hash, lockedAt: now, stepStartedAt: now, failReason },
      audit: () => ({
        action: "evaluation.failed",
        objectType: "tender",
        objectId: tender.id,
        detail: { qualified, listHash: hash },
        after: { projectState: failed.after.state },
      }),
    });
    await notify(tx, { clock, userIds: await hostsOf(tx, project), kind: "evaluation.failed", params: { project: project.name }, link: `/evaluations/${tender.id}` });
    return { locked: true as const, failed: true, qualified };
  }
  await transition(tx, {
    lifecycle: "evaluation",
    clock,
    actor,
    id: tender.id,
    action: "lock_list",
    expectFrom: ["checking"],
    set: { qualifiedBidIds: qualified, qualifiedListHash: hash, lockedAt: now, stepStartedAt: now },
    audit: () => ({ action: "evaluation.locked", objectType: "tender", objectId: tender.id, detail: { qualified, listHash: hash } }),
  });
  await notify(tx, { clock, userIds: await supervisorsOf(tx, project), kind: "evaluation.revealSecret", params: { project: project.name }, link: `/evaluations/${tender.id}` });
  return { locked: true as const, failed: false, qualified };
}

// ── 2. The supervisor's secret ──────────────────────────────────────────

/** A township supervisor reveals the committed secret; the seed is fixed, and the next step begins. */
export async function revealSecret(db: Db, { clock, actor, townshipId, tenderId }: { clock: Clock; actor: Actor & { userId: string }; townshipId: string; tenderId: string }) {
  return db.transaction(async (tx) => {
    const { tender, project, ev } = await lockEvaluation(tx, tenderId);
    if (actor.role !== "supervisor" || project.townshipId !== townshipId) throw new DomainError("errors.forbidden", { status: 403 });
    assertProjectAction(project.state, "reveal_secret", actor);
    if (!ev || ev.state !== "secret" || !ev.qualifiedListHash) throw new DomainError("errors.evaluation.notNow", { status: 409 });
    const now = clock.now();
    let [secret] = await tx.select().from(drawSecrets).where(eq(drawSecrets.tenderId, tenderId));
    if (!secret) {
      // A notice published before commitments existed: the secret is made now, after the lock (recorded as such).
      const s = randomBytes(32).toString("hex");
      [secret] = await tx
        .insert(drawSecrets)
        .values({ tenderId, secret: s, commitment: secretCommitment(s), createdAt: now })
        .returning();
    }
    await tx.update(drawSecrets).set({ revealedAt: now, revealedBy: actor.userId }).where(eq(drawSecrets.tenderId, tenderId));
    const nonces = (
      await tx
        .select({ n: bidOpenings.nonce })
        .from(bidOpenings)
        .where(and(eq(bidOpenings.tenderId, tenderId), isNotNull(bidOpenings.nonce)))
    ).map((r) => r.n!);
    const seed = drawSeed({ nonces, secret: secret.secret, qualifiedListHash: ev.qualifiedListHash });
    const revealed = { secret: secret.secret, commitment: secret.commitment, committedInNotice: tender.drawCommitment === secret.commitment, seed };
    if (tender.evaluationMethod === "comprehensive") {
      // Comprehensive scoring follows the reveal.
      await transition(tx, {
        lifecycle: "evaluation",
        clock,
        actor,
        id: tenderId,
        action: "reveal_secret",
        expectFrom: ["secret"],
        set: { seed, stepStartedAt: now },
        audit: () => ({ action: "evaluation.secret_revealed", objectType: "tender", objectId: tenderId, detail: revealed }),
      });
    } else {
      // A price method ranks at once: the result's transition (secret → opinions) follows the seed.
      await tx.update(evaluations).set({ seed, stepStartedAt: now }).where(eq(evaluations.tenderId, tenderId));
      await audit(tx, clock, actor, project, tenderId, "evaluation.secret_revealed", revealed);
      await computeResult(tx, clock, actor, tender, project);
    }
    return { seed };
  });
}

// ── 3. Comprehensive scoring ────────────────────────────────────────────

/** Expert scores are out of (100 − price weight) points, kept in hundredths. */
export function expertMaxScore(tender: Pick<Tender, "evaluationParams">): number {
  const w = Number((tender.evaluationParams as { priceWeightPercent?: number }).priceWeightPercent ?? 0);
  return (100 - w) * 100;
}

export async function submitScores(
  db: Db,
  { clock, actor, tenderId, scores }: { clock: Clock; actor: Actor & { userId: string }; tenderId: string; scores: readonly { bidId: string; score: number }[] },
) {
  return db.transaction(async (tx) => {
    const { tender, project, ev } = await lockEvaluation(tx, tenderId);
    assertProjectAction(project.state, "evaluate", actor);
    const me = await requireSittingMember(tx, tenderId, actor.userId);
    if (!ev || ev.state !== "scoring" || me.scoresAt) throw new DomainError("errors.evaluation.notNow", { status: 409 });
    const qualified = ev.qualifiedBidIds ?? [];
    const max = expertMaxScore(tender);
    const byId = new Map(scores.map((s) => [s.bidId, s.score]));
    if (byId.size !== qualified.length || qualified.some((id) => !byId.has(id))) throw new DomainError("errors.evaluation.scoreEveryBid");
    for (const id of qualified) {
      const s = byId.get(id)!;
      if (!Number.isInteger(s) || s < 0 || s > max) throw new DomainError("errors.evaluation.scoreRange", { field: `score-${id}`, values: { max: max / 100 } });
    }
    const now = clock.now();
    await tx
      .insert(expertScores)
      .values(qualified.map((bidId) => ({ tenderId, bidId, expertId: actor.userId, score: byId.get(bidId)!, flaggedBy: [], acceptedReplacement: false, at: now })));
    await tx
      .update(evaluationMembers)
      .set({ scoresAt: now })
      .where(and(eq(evaluationMembers.tenderId, tenderId), eq(evaluationMembers.expertId, actor.userId)));
    await audit(tx, clock, actor, project, tenderId, "evaluation.scores", { scores: Object.fromEntries(byId) });
    const members = await tx.select().from(evaluationMembers).where(eq(evaluationMembers.tenderId, tenderId));
    if (members.every((m) => m.scoresAt))
      await transition(tx, { lifecycle: "evaluation", clock, actor, id: tenderId, action: "close_scoring", expectFrom: ["scoring"], set: { stepStartedAt: now } });
  });
}

/** After every score is in: each member hands in the scores of others they find abnormal (possibly none). */
export async function submitReview(
  db: Db,
  { clock, actor, tenderId, flags }: { clock: Clock; actor: Actor & { userId: string }; tenderId: string; flags: readonly { expertId: string; bidId: string }[] },
) {
  return db.transaction(async (tx) => {
    const { tender, project, ev } = await lockEvaluation(tx, tenderId);
    assertProjectAction(project.state, "evaluate", actor);
    const me = await requireSittingMember(tx, tenderId, actor.userId);
    if (!ev || ev.state !== "review" || me.reviewAt) throw new DomainError("errors.evaluation.notNow", { status: 409 });
    const all = await tx.select().from(expertScores).where(eq(expertScores.tenderId, tenderId));
    for (const f of flags) {
      const row = all.find((s) => s.expertId === f.expertId && s.bidId === f.bidId);
      if (!row || f.expertId === actor.userId) throw new DomainError("errors.evaluation.badFlag");
      if (!row.flaggedBy.includes(actor.userId)) {
        await tx
          .update(expertScores)
          .set({ flaggedBy: [...row.flaggedBy, actor.userId] })
          .where(and(eq(expertScores.tenderId, tenderId), eq(expertScores.bidId, f.bidId), eq(expertScores.expertId, f.expertId)));
        row.flaggedBy = [...row.flaggedBy, actor.userId];
      }
    }
    const now = clock.now();
    await tx
      .update(evaluationMembers)
      .set({ reviewAt: now })
      .where(and(eq(evaluationMembers.tenderId, tenderId), eq(evaluationMembers.expertId, actor.userId)));
    await audit(tx, clock, actor, project, tenderId, "evaluation.review", { flags });
    const members = await tx.select().from(evaluationMembers).where(eq(evaluationMembers.tenderId, tenderId));
    if (!members.every((m) => m.reviewAt)) return;
    const pending = await abnormalScores(tx, tenderId, project.countyId, members.length);
    if (pending.some((s) => !s.explanation && !s.acceptedReplacement)) {
      await transition(tx, { lifecycle: "evaluation", clock, actor, id: tenderId, action: "call_explanations", expectFrom: ["review"], set: { stepStartedAt: now } });
      await notify(tx, {
        clock,
        userIds: [...new Set(pending.map((p) => p.expertId))],
        kind: "evaluation.explain",
        params: { project: project.name },
        link: `/evaluations/${tenderId}`,
      });
    } else await computeResult(tx, clock, actor, tender, project);
  });
}

async function abnormalScores(tx: Db, tenderId: string, countyId: string, panelSize: number) {
  const share = parseRatio((await getCountySettings(tx, countyId)).abnormalScoreShare);
  const all = await tx.select().from(expertScores).where(eq(expertScores.tenderId, tenderId));
  return all.filter((s) => s.flaggedBy.length * share.den > panelSize * share.num);
}

/** An expert whose score was found abnormal explains it in writing, or accepts its replacement by the others' average. */
export async function answerAbnormal(
  db: Db,
  {
    clock,
    actor,
    tenderId,
    bidId,
    input,
  }: { clock: Clock; actor: Actor & { userId: string }; tenderId: string; bidId: string; input: { explanation?: string; acceptReplacement?: boolean } },
) {
  return db.transaction(async (tx) => {
    const { tender, project, ev } = await lockEvaluation(tx, tenderId);
    assertProjectAction(project.state, "evaluate", actor);
    await requireSittingMember(tx, tenderId, actor.userId);
    if (!ev || ev.state !== "explaining") throw new DomainError("errors.evaluation.notNow", { status: 409 });
    const members = await tx.select().from(evaluationMembers).where(eq(evaluationMembers.tenderId, tenderId));
    const mine = (await abnormalScores(tx, tenderId, project.countyId, members.length)).find((s) => s.expertId === actor.userId && s.bidId === bidId);
    if (!mine || mine.explanation || mine.acceptedReplacement) throw new DomainError("errors.evaluation.notNow", { status: 409 });
    const set = input.acceptReplacement ? { acceptedReplacement: true } : { explanation: cleanText(input.explanation, "explanation", 4) };
    await tx
      .update(expertScores)
      .set(set)
      .where(and(eq(expertScores.tenderId, tenderId), eq(expertScores.bidId, bidId), eq(expertScores.expertId, actor.userId)));
    await audit(tx, clock, actor, project, tenderId, "evaluation.abnormal_answered", { bidId, ...set });
    const left = (await abnormalScores(tx, tenderId, project.countyId, members.length)).filter((s) => !s.explanation && !s.acceptedReplacement);
    if (left.length === 0) await computeResult(tx, clock, actor, tender, project);
  });
}

// ── 4. The result ───────────────────────────────────────────────────────

/** Compute the ranking by the tender's method (pure rules in evaluation-rules.server.ts) and move to opinions. */
async function computeResult(tx: Db, clock: Clock, actor: Actor, tender: Tender, project: Project) {
  const [ev] = await tx.select().from(evaluations).where(eq(evaluations.tenderId, tender.id));
  const seed = ev.seed!;
  const qualified = ev.qualifiedBidIds ?? [];
  const under = await bidsUnderEvaluation(tx, tender.id);
  const priced = under.filter((b) => qualified.includes(b.bidId)).map((b) => ({ bidId: b.bidId, priceFen: b.priceFen }));
  const price = new Map(priced.map((b) => [b.bidId, b.priceFen]));
  const order = drawOrder(seed, qualified);
  const params = tender.evaluationParams as { coefficientBasisPoints?: number; priceWeightPercent?: number };
  let result: EvaluationResult;
  if (tender.evaluationMethod === "lowest_price") {
    result = { method: "lowest_price", ranking: rankLowestPrice(priced, order).map((r) => ({ ...r, priceFen: price.get(r.bidId)! })), candidates: [] };
  } else if (tender.evaluationMethod === "reasonable_low") {
    const settings = await getCountySettings(tx, project.countyId);
    const { benchmarkFen, used } = reasonableLowBenchmark(
      priced.map((b) => b.priceFen),
      {
        dropHighestAt: settings.reasonableLowDropHighestAt,
        dropBothAt: settings.reasonableLowDropBothAt,
        coefficientBasisPoints: params.coefficientBasisPoints ?? settings.reasonableLowCoefficientBasisPoints,
      },
    );
    result = {
      method: "reasonable_low",
      benchmarkFen,
      benchmarkUsedFen: used,
      ranking: rankReasonableLow(priced, benchmarkFen, order).map((r) => ({ ...r, priceFen: price.get(r.bidId)!, distanceFen: Math.abs(price.get(r.bidId)! - benchmarkFen) })),
      candidates: [],
    };
  } else if (tender.evaluationMethod === "comprehensive") {
    const rows = await tx.select().from(expertScores).where(eq(expertScores.tenderId, tender.id));
    const members = await tx.select().from(evaluationMembers).where(eq(evaluationMembers.tenderId, tender.id));
    const share = parseRatio((await getCountySettings(tx, project.countyId)).abnormalScoreShare);
    const flags = rows.flatMap((s) => s.flaggedBy.map((by) => ({ expertId: s.expertId, bidId: s.bidId, flaggedBy: by })));
    const explained = rows.filter((s) => s.explanation).map((s) => ({ expertId: s.expertId, bidId: s.bidId }));
    const settled = settleAbnormalScores({
      scores: rows.map((s) => ({ expertId: s.expertId, bidId: s.bidId, score: s.score })),
      flags,
      explained,
      panelSize: members.length,
      share,
    });
    const weight = params.priceWeightPercent ?? 0;
    result = {
      method: "comprehensive",
      priceWeightPercent: weight,
      ranking: rankComprehensive(priced, weight, settled.scores, order).map((r) => ({
        bidId: r.bidId,
        rank: r.rank,
        tieBrokenByDraw: r.tieBrokenByDraw,
        priceFen: price.get(r.bidId)!,
        priceScore: r.price,
        expertScore: r.expert,
        total: r.total,
      })),
      candidates: [],
      replacedScores: settled.replaced,
    };
  } else {
    const disqualified = under.map((b) => b.bidId).filter((id) => !qualified.includes(id));
    const draw = randomDraw(seed, qualified, disqualified);
    result = {
      method: "random_draw",
      ranking: draw.order.map((bidId, i) => ({ bidId, rank: i + 1, priceFen: price.get(bidId)!, tieBrokenByDraw: false })),
      candidates: [],
      wouldHaveWon: draw.wouldHaveWon,
    };
  }
  result.candidates = result.ranking.slice(0, 3).map((r) => r.bidId);
  const now = clock.now();
  await transition(tx, {
    lifecycle: "evaluation",
    clock,
    actor,
    id: tender.id,
    action: "compute_result",
    set: { result, computedAt: now, stepStartedAt: now },
    audit: () => ({ action: "evaluation.computed", objectType: "tender", objectId: tender.id, detail: { method: result.method, candidates: result.candidates, seed } }),
  });
  const members = await tx.select({ id: evaluationMembers.expertId }).from(evaluationMembers).where(eq(evaluationMembers.tenderId, tender.id));
  await notify(tx, { clock, userIds: members.map((m) => m.id), kind: "evaluation.opinion", params: { project: project.name }, link: `/evaluations/${tender.id}` });
  return result;
}

// ── 5. Opinions and the report ──────────────────────────────────────────

/** A member agrees with the result or writes a dissent. The last opinion renders the report for signing. */
export async function recordOpinion(
  db: Db,
  {
    clock,
    actor,
    tenderId,
    input,
    renderReport,
  }: { clock: Clock; actor: Actor & { userId: string }; tenderId: string; input: { agree: boolean; dissent?: string }; renderReport: (tx: Db, tenderId: string) => Promise<void> },
) {
  return db.transaction(async (tx) => {
    const { project, ev } = await lockEvaluation(tx, tenderId);
    assertProjectAction(project.state, "evaluate", actor);
    const me = await requireSittingMember(tx, tenderId, actor.userId);
    if (!ev || ev.state !== "opinions" || me.opinionAt) throw new DomainError("errors.evaluation.notNow", { status: 409 });
    const dissent = input.agree ? null : cleanText(input.dissent, "dissent", 4);
    const now = clock.now();
    await tx
      .update(evaluationMembers)
      .set({ opinion: input.agree ? "agree" : "dissent", dissent, opinionAt: now })
      .where(and(eq(evaluationMembers.tenderId, tenderId), eq(evaluationMembers.expertId, actor.userId)));
    await audit(tx, clock, actor, project, tenderId, "evaluation.opinion", { agree: input.agree, dissent });
    await afterOpinion(tx, clock, actor, tenderId, project, renderReport);
  });
}

async function afterOpinion(tx: Db, clock: Clock, actor: Actor, tenderId: string, project: Project, renderReport: (tx: Db, tenderId: string) => Promise<void>) {
  const members = await tx.select().from(evaluationMembers).where(eq(evaluationMembers.tenderId, tenderId));
  if (!members.every((m) => m.opinionAt)) return;
  await renderReport(tx, tenderId);
  await transition(tx, { lifecycle: "evaluation", clock, actor, id: tenderId, action: "start_signing", expectFrom: ["opinions"], set: { stepStartedAt: clock.now() } });
  await notify(tx, { clock, userIds: members.map((m) => m.expertId), kind: "evaluation.sign", params: { project: project.name }, link: `/evaluations/${tenderId}` });
}

/**
 * The host records a member who stayed silent for a day: in the opinions
 * step as agreeing, in the signing step as refusing to sign — which counts as
 * agreement (DOMAIN.md). Audited with the host's note.
 */
export async function recordSilence(
  db: Db,
  {
    clock,
    actor,
    actingOrgId,
    tenderId,
    expertId,
    note,
    hooks,
  }: {
    clock: Clock;
    actor: Actor & { userId: string };
    actingOrgId: string;
    tenderId: string;
    expertId: string;
    note: string;
    hooks: { renderReport: (tx: Db, tenderId: string) => Promise<void>; onReportComplete: (tx: Db, tenderId: string) => Promise<void> };
  },
) {
  return db.transaction(async (tx) => {
    const { project, ev } = await lockEvaluation(tx, tenderId);
    if (!(await actsForVillage(tx, project, memberRoleOf(actor), actingOrgId))) throw new DomainError("errors.forbidden", { status: 403 });
    const text = cleanText(note, "note", 4);
    const [m] = await tx
      .select()
      .from(evaluationMembers)
      .where(and(eq(evaluationMembers.tenderId, tenderId), eq(evaluationMembers.expertId, expertId)));
    if (!ev || !m || (ev.state !== "opinions" && ev.state !== "signing")) throw new DomainError("errors.evaluation.notNow", { status: 409 });
    const now = clock.now();
    if (now.getTime() - ev.stepStartedAt.getTime() < SILENCE_MS) throw new DomainError("errors.evaluation.tooEarly", { status: 409 });
    if (ev.state === "opinions") {
      if (m.opinionAt) throw new DomainError("errors.evaluation.notNow", { status: 409 });
      await tx
        .update(evaluationMembers)
        .set({ opinion: "agree", opinionAt: now, deemedAgreeBy: actor.userId, refusalNote: text })
        .where(and(eq(evaluationMembers.tenderId, tenderId), eq(evaluationMembers.expertId, expertId)));
      await audit(tx, clock, actor, project, tenderId, "evaluation.deemed_agree", { expertId, note: text });
      await afterOpinion(tx, clock, actor, tenderId, project, hooks.renderReport);
    } else {
      if (m.signedAt || m.refusedAt) throw new DomainError("errors.evaluation.notNow", { status: 409 });
      await tx
        .update(evaluationMembers)
        .set({ refusedAt: now, refusalNote: text, deemedAgreeBy: actor.userId })
        .where(and(eq(evaluationMembers.tenderId, tenderId), eq(evaluationMembers.expertId, expertId)));
      await audit(tx, clock, actor, project, tenderId, "evaluation.refused_signature", { expertId, note: text, countsAs: "agree" });
      await hooks.onReportComplete(tx, tenderId);
    }
  });
}

// ── Clarifications (评标澄清) ───────────────────────────────────────────

const CLARIFY_STATES = new Set(["checking", "secret", "scoring", "review", "explaining"]);

/** A member asks a bidder, in writing, to explain something (an abnormally low price…) by a deadline. */
export async function askClarification(
  db: Db,
  { clock, actor, tenderId, input }: { clock: Clock; actor: Actor & { userId: string }; tenderId: string; input: { bidId: string; question: string; hours: number } },
) {
  return db.transaction(async (tx) => {
    const { tender, project } = await lockEvaluation(tx, tenderId);
    assertProjectAction(project.state, "evaluate", actor);
    const ev = await startedEvaluation(tx, clock, tender);
    await requireSittingMember(tx, tenderId, actor.userId);
    if (!CLARIFY_STATES.has(ev.state)) throw new DomainError("errors.evaluation.notNow", { status: 409 });
    const under = await bidsUnderEvaluation(tx, tenderId);
    const bid = under.find((b) => b.bidId === input.bidId);
    if (!bid) throw new DomainError("errors.notFound", { status: 404 });
    const question = cleanText(input.question, "question", 4);
    if (!Number.isInteger(input.hours) || input.hours < 1 || input.hours > 72) throw new DomainError("errors.evaluation.clarifyHours", { field: "hours" });
    const now = clock.now();
    const [row] = await tx
      .insert(clarifications)
      .values({ tenderId, bidId: bid.bidId, askedBy: actor.userId, question, askedAt: now, dueAt: new Date(now.getTime() + input.hours * 3600_000) })
      .returning();
    await audit(tx, clock, actor, project, tenderId, "evaluation.clarification_asked", { clarificationId: row.id, bidId: bid.bidId, question, dueAt: row.dueAt.toISOString() });
    await notify(tx, {
      clock,
      userIds: await usersOfOrgs(tx, [bid.companyId], ["contractor"]),
      kind: "evaluation.clarify",
      params: { project: project.name },
      link: `/notices/${tenderId}/clarify`,
    });
    return row;
  });
}

/** The bidder answers before the deadline; the answer explains and may not change the bid (the panel judges it). */
export async function answerClarification(
  db: Db,
  {
    clock,
    actor,
    companyId,
    tenderId,
    clarificationId,
    answer,
  }: { clock: Clock; actor: Actor & { userId: string }; companyId: string; tenderId: string; clarificationId: string; answer: string },
) {
  return db.transaction(async (tx) => {
    const { project } = await lockEvaluation(tx, tenderId);
    if (actor.role !== "contractor" || !/^[0-9a-f-]{36}$/.test(clarificationId)) throw new DomainError("errors.forbidden", { status: 403 });
    const [row] = await tx
      .select({ c: clarifications, companyId: bids.companyId })
      .from(clarifications)
      .innerJoin(bids, eq(bids.id, clarifications.bidId))
      .where(and(eq(clarifications.id, clarificationId), eq(clarifications.tenderId, tenderId)));
    if (!row || row.companyId !== companyId) throw new DomainError("errors.forbidden", { status: 403 });
    if (row.c.answeredAt) throw new DomainError("errors.evaluation.alreadyAnswered", { status: 409 });
    const now = clock.now();
    if (now >= row.c.dueAt) throw new DomainError("errors.evaluation.clarifyLate", { status: 409 });
    const text = cleanText(answer, "answer", 2);
    await tx.update(clarifications).set({ answer: text, answeredBy: actor.userId, answeredAt: now }).where(eq(clarifications.id, clarificationId));
    await audit(tx, clock, actor, project, tenderId, "evaluation.clarification_answered", { clarificationId, answer: text });
  });
}

/** A company's clarification requests on a tender (its own only). */
export async function clarificationsForCompany(db: Db, tenderId: string, companyId: string) {
  if (!/^[0-9a-f-]{36}$/.test(tenderId)) return [];
  return db
    .select({ c: clarifications })
    .from(clarifications)
    .innerJoin(bids, eq(bids.id, clarifications.bidId))
    .where(and(eq(clarifications.tenderId, tenderId), eq(bids.companyId, companyId)))
    .orderBy(asc(clarifications.askedAt))
    .then((rows) => rows.map((r) => r.c));
}

// ── Who sees what ───────────────────────────────────────────────────────

export type EvaluationRole = "member" | "host" | "supervisor";

/** Members, the host and the township's supervisors (or the county administrator) see the evaluation; nobody else. */
export async function evaluationRole(
  db: Db,
  tenderId: string,
  viewer: { userId: string; role: MemberRole; orgId: string },
): Promise<{ role: EvaluationRole; project: Project; tender: Tender } | null> {
  if (!/^[0-9a-f-]{36}$/.test(tenderId)) return null;
  const [row] = await db.select({ tender: tenders, project: projects }).from(tenders).innerJoin(projects, eq(projects.id, tenders.projectId)).where(eq(tenders.id, tenderId));
  if (!row) return null;
  const { project } = row;
  if (viewer.role === "expert") {
    const [m] = await db
      .select()
      .from(panelMembers)
      .where(and(eq(panelMembers.tenderId, tenderId), eq(panelMembers.expertId, viewer.userId), eq(panelMembers.role, "member"), eq(panelMembers.status, "accepted")));
    return m ? { role: "member", ...row } : null;
  }
  if ((viewer.role === "committee" || viewer.role === "agent") && (await actsForVillage(db, project, viewer.role, viewer.orgId))) return { role: "host", ...row };
  if ((viewer.role === "supervisor" && project.townshipId === viewer.orgId) || (viewer.role === "county_admin" && project.countyId === viewer.orgId))
    return { role: "supervisor", ...row };
  return null;
}

/**
 * The evaluation page's data for one viewer. A member sees their own checks
 * and scores, and others' only once they have handed in their own.
 */
export async function evaluationView(db: Db, clock: Clock, tenderId: string, viewer: { userId: string; role: MemberRole; orgId: string }) {
  const seen = await evaluationRole(db, tenderId, viewer);
  if (!seen) return null;
  const { tender, project } = seen;
  const [ev] = await db.select().from(evaluations).where(eq(evaluations.tenderId, tenderId));
  const [panel] = await db.select().from(panels).where(eq(panels.tenderId, tenderId));
  const sitting = await sittingMembers(db, tenderId);
  const progress = ev ? await db.select().from(evaluationMembers).where(eq(evaluationMembers.tenderId, tenderId)) : [];
  const under = await bidsUnderEvaluation(db, tenderId);
  const checks = ev ? await db.select().from(qualificationChecks).where(eq(qualificationChecks.tenderId, tenderId)) : [];
  const scores = ev ? await db.select().from(expertScores).where(eq(expertScores.tenderId, tenderId)) : [];
  const asks = await db.select().from(clarifications).where(eq(clarifications.tenderId, tenderId)).orderBy(asc(clarifications.askedAt));
  const [secret] = await db
    .select({ commitment: drawSecrets.commitment, revealedAt: drawSecrets.revealedAt, secret: drawSecrets.secret })
    .from(drawSecrets)
    .where(eq(drawSecrets.tenderId, tenderId));
  const mine = progress.find((p) => p.expertId === viewer.userId) ?? null;
  const state = ev?.state ?? null;
  // Others' checks: after handing in one's own (members), always for host and supervisors once locked.
  const seeAllChecks = seen.role === "member" ? Boolean(mine?.checksAt) : Boolean(ev?.lockedAt);
  const seeAllScores = seen.role === "member" ? Boolean(mine?.scoresAt) && state !== "scoring" : Boolean(state && !["checking", "secret", "scoring"].includes(state));
  const now = clock.now();
  return {
    role: seen.role,
    tender,
    project,
    panelSize: panel?.size ?? tender.panelSize,
    panelComplete: Boolean(panel) && sitting.length >= (panel?.size ?? 0) && sitting.every((m) => m.status === "accepted"),
    evaluation: ev ?? null,
    members: sitting.map((m) => {
      const p = progress.find((x) => x.expertId === m.expertId);
      return {
        expertId: m.expertId,
        name: m.name,
        position: m.position,
        status: m.status,
        checksAt: p?.checksAt ?? null,
        scoresAt: p?.scoresAt ?? null,
        reviewAt: p?.reviewAt ?? null,
        opinion: p?.opinion ?? null,
        dissent: p?.dissent ?? null,
        deemed: Boolean(p?.deemedAgreeBy),
        signedAt: p?.signedAt ?? null,
        refusedAt: p?.refusedAt ?? null,
        refusalNote: p?.refusalNote ?? null,
      };
    }),
    me: mine,
    bids: under,
    checks: checks.filter((c) => seeAllChecks || c.expertId === viewer.userId),
    scores: scores.filter((s) => seeAllScores || s.expertId === viewer.userId),
    clarifications: asks,
    draw: { commitment: secret?.commitment ?? tender.drawCommitment, revealed: secret?.revealedAt ? secret.secret : null, revealedAt: secret?.revealedAt ?? null },
    silenceAllowed: Boolean(ev && (state === "opinions" || state === "signing") && now.getTime() - ev.stepStartedAt.getTime() >= SILENCE_MS),
    maxScore: expertMaxScore(tender),
  };
}

/** For the notification/list pages: the tenders a user sits on as an expert. */
export async function panelsOfExpert(db: Db, userId: string) {
  return db
    .select({ tenderId: panelMembers.tenderId, project: projects.name, state: projects.state, role: panelMembers.role, status: panelMembers.status })
    .from(panelMembers)
    .innerJoin(tenders, eq(tenders.id, panelMembers.tenderId))
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .where(and(eq(panelMembers.expertId, userId), inArray(panelMembers.status, ["assigned", "accepted"])))
    .orderBy(asc(projects.name));
}
