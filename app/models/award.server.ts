/**
 * The award (定标, 中标通知书) and close-out, DOMAIN.md steps 11–12.
 *
 * After publicity has run its days with every objection answered and no
 * complaint pending, the committee confirms the winner: the first candidate.
 * Choosing another candidate is possible only where the county enables
 * 评定分离, with written reasons and the township supervisor's approval.
 * The award notice (中标通知书) is a Chinese PDF the committee signs with a
 * passkey under the village's red seal; signing it awards the project,
 * notifies winner and losers, and sets the deadlines to release every
 * loser's bid security. The contract date starts the winner's release;
 * acceptance (验收) and the settlement amount complete the project.
 */
import { and, asc, eq, isNull, ne } from "drizzle-orm";
import { renderDocument } from "~/pdf/document.server";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole } from "~/utils/db.server";
import { formatFen } from "~/utils/money";
import { addDays, beijingDay, formatBeijing } from "~/utils/time";
import { appendAudit, type Actor, memberRoleOf } from "./audit.server";
import { actsForVillage } from "./agent.server";
import { getCountySettings } from "./county-settings.server";
import { DomainError } from "./errors";
import { assertProjectAction, insertAward, transition } from "./lifecycle.server";
import { notify, usersOfOrgs } from "./notification.server";
import type { FileStore } from "./file-store.server";
import type { RelyingParty } from "./passkey.server";
import { awardBlockers, biddingCompanies } from "./publicity.server";
import { completeSignature, longTermForm, requestSignature, type PasskeyApproval } from "./signature.server";
import { lockCurrentTender } from "./tender-qa.server";

const { awards, publicities, securityReleases, bidOpenings, bids, orgs, projects, tenders, users } = schema;
type Project = typeof projects.$inferSelect;
const DAY = 24 * 3600 * 1000;

async function audit(tx: Db, clock: Clock, actor: Actor, project: Project, tenderId: string, action: string, detail: Record<string, unknown>, after?: Record<string, unknown>) {
  await appendAudit(tx, clock, actor, { action, objectType: "tender", objectId: tenderId, countyId: project.countyId, townshipId: project.townshipId, detail, after });
}

async function lockAsHost(tx: Db, actor: Actor, actingOrgId: string, tenderId: string) {
  const row = await lockCurrentTender(tx, tenderId);
  if (!(await actsForVillage(tx, row.project, memberRoleOf(actor), actingOrgId))) throw new DomainError("errors.forbidden", { status: 403 });
  return row;
}

/**
 * The committee confirms the winner. `winnerBidId` defaults to the first
 * candidate; another candidate needs 评定分离 enabled and written reasons, and
 * then waits for the supervisor.
 */
export async function decideAward(
  db: Db,
  {
    clock,
    actor,
    actingOrgId,
    tenderId,
    input,
  }: { clock: Clock; actor: Actor & { userId: string }; actingOrgId: string; tenderId: string; input: { winnerBidId?: string; reasons?: string } },
) {
  return db.transaction(async (tx) => {
    const { project } = await lockAsHost(tx, actor, actingOrgId, tenderId);
    assertProjectAction(project.state, "decide_award", actor);
    const now = clock.now();
    const blockers = await awardBlockers(tx, tenderId, now);
    if (blockers.length) throw new DomainError(blockers[0], { status: 409 });
    const [existing] = await tx.select().from(awards).where(eq(awards.tenderId, tenderId));
    if (existing && existing.state !== "rejected") throw new DomainError("errors.award.alreadyDecided", { status: 409 });
    const [pub] = await tx.select().from(publicities).where(eq(publicities.tenderId, tenderId));
    const winner = input.winnerBidId || pub.candidates[0];
    if (!pub.candidates.includes(winner)) throw new DomainError("errors.award.notCandidate", { field: "winner" });
    const settings = await getCountySettings(tx, project.countyId);
    const first = winner === pub.candidates[0];
    let reasons: string | null = null;
    if (!first) {
      if (!settings.separateEvaluationAndDecision) throw new DomainError("errors.award.firstOnly", { field: "winner" });
      reasons = (input.reasons ?? "").trim();
      if (reasons.length < 10) throw new DomainError("errors.award.reasonsRequired", { field: "reasons" });
    }
    const [o] = await tx.select({ priceFen: bidOpenings.priceFen }).from(bidOpenings).where(eq(bidOpenings.bidId, winner));
    const values = { winnerBidId: winner, priceFen: o.priceFen ?? 0, reasons, decidedBy: actor.userId, decidedAt: now, approvedBy: null, approvedAt: null, approvalNote: null };
    const decided = { winnerBidId: winner, firstCandidate: first, reasons };
    // A decision waits for the supervisor (pending_approval), unless it is the first candidate: settled at once.
    if (existing)
      await transition(tx, {
        lifecycle: "award",
        clock,
        actor,
        id: tenderId,
        action: "decide",
        expectFrom: ["rejected"],
        set: values,
        audit: () => ({ action: "award.decide", objectType: "tender", objectId: tenderId, detail: decided }),
      });
    else {
      await insertAward(tx, { tenderId, ...values });
      await audit(tx, clock, actor, project, tenderId, "award.decide", decided);
    }
    if (first) await transition(tx, { lifecycle: "award", clock, actor, id: tenderId, action: "confirm_first", expectFrom: ["pending_approval"] });
    if (!first)
      await notify(tx, {
        clock,
        userIds: await usersOfOrgs(tx, [project.townshipId], ["supervisor"]),
        kind: "award.approval",
        params: { project: project.name },
        link: `/notices/${tenderId}/award`,
      });
  });
}

/** 评定分离: the supervisor approves or rejects the committee's choice of a candidate other than the first. */
export async function approveAward(
  db: Db,
  { clock, actor, townshipId, tenderId, approve, note }: { clock: Clock; actor: Actor & { userId: string }; townshipId: string; tenderId: string; approve: boolean; note: string },
) {
  return db.transaction(async (tx) => {
    const { project } = await lockCurrentTender(tx, tenderId);
    if (actor.role !== "supervisor" || project.townshipId !== townshipId) throw new DomainError("errors.forbidden", { status: 403 });
    assertProjectAction(project.state, "approve_award", actor);
    const [a] = await tx.select().from(awards).where(eq(awards.tenderId, tenderId));
    if (!a || a.state !== "pending_approval") throw new DomainError("errors.award.notPending", { status: 409 });
    const text = note.trim();
    if (!approve && text.length < 4) throw new DomainError("errors.publicity.textRequired", { field: "note" });
    await transition(tx, {
      lifecycle: "award",
      clock,
      actor,
      id: tenderId,
      action: approve ? "approve" : "reject",
      expectFrom: ["pending_approval"],
      set: { approvedBy: actor.userId, approvedAt: clock.now(), approvalNote: text || null },
      audit: () => ({ action: approve ? "award.approve" : "award.reject", objectType: "tender", objectId: tenderId, detail: { note: text || null } }),
    });
  });
}

export async function renderAwardNotice(db: Db, tenderId: string, now: Date) {
  const [row] = await db
    .select({ tender: tenders, project: projects, village: orgs.name })
    .from(tenders)
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .innerJoin(orgs, eq(orgs.id, projects.villageId))
    .where(eq(tenders.id, tenderId));
  const [a] = await db.select().from(awards).where(eq(awards.tenderId, tenderId));
  if (!row || !a) throw new DomainError("errors.award.notPending", { status: 409 });
  const [w] = await db
    .select({ company: orgs.name, o: bidOpenings })
    .from(bids)
    .innerJoin(orgs, eq(orgs.id, bids.companyId))
    .innerJoin(bidOpenings, eq(bidOpenings.bidId, bids.id))
    .where(eq(bids.id, a.winnerBidId));
  const settings = await getCountySettings(db, row.project.countyId);
  const today = beijingDay(now);
  return renderDocument({
    title: "中标通知书",
    subtitle: row.project.name,
    header: `村易招 · ${row.village} · ${row.project.name} · 中标通知书`,
    meta: [
      { label: "致", value: w.company },
      { label: "项目名称", value: row.project.name },
      { label: "招标人", value: row.village },
      { label: "开标时间", value: `${formatBeijing(row.tender.deadline)}（北京时间）` },
    ],
    sections: [
      {
        blocks: [
          { kind: "paragraph", text: `${w.company}：` },
          {
            kind: "paragraph",
            text: `你方于 ${formatBeijing(row.tender.deadline)} 递交的“${row.project.name}”投标文件，经评审小组评审、中标候选人公示期满${a.reasons ? "，并经招标人按评定分离规则定标、乡镇监督机构审核同意" : ""}，确定你方为中标人。`,
          },
          {
            kind: "table",
            columns: [
              { label: "项目", width: 2 },
              { label: "内容", width: 5 },
            ],
            rows: [
              ["中标价", formatFen(a.priceFen)],
              ["工期", w.o.durationDays === null ? "—" : `${w.o.durationDays} 日历天`],
              ["项目经理", [w.o.projectManagerName, w.o.projectManagerCertificate].filter(Boolean).join("（证书号 ") + (w.o.projectManagerCertificate ? "）" : "") || "—"],
              ["质量要求", w.o.quality ?? "—"],
            ],
          },
          {
            kind: "paragraph",
            text: `请你方在收到本通知书之日起 ${settings.contractWithinDays} 日内（${addDays(today, settings.contractWithinDays)} 前），按招标文件和你方投标文件与招标人订立书面合同。`,
          },
          ...(a.reasons ? [{ kind: "paragraph" as const, text: `定标理由：${a.reasons}` }] : []),
          { kind: "paragraph", text: `本通知书由招标人以电子签章签发，可在村易招“验证”页核验。签发日期：${today}。` },
          { kind: "signatureLines", labels: [`招标人：${row.village}（电子印章）`] },
        ],
      },
    ],
    createdAt: now,
    author: row.village,
    subject: "中标通知书",
  });
}

/** A complaint or objection filed after the decision still holds the notice back. */
async function assertNothingPending(db: Db, tenderId: string, now: Date) {
  const blockers = await awardBlockers(db, tenderId, now);
  if (blockers.length) throw new DomainError(blockers[0], { status: 409 });
}

/** The committee asks to sign the award notice: rendered now, sealed with the village's red seal. */
export async function requestAwardSignature(
  db: Db,
  {
    clock,
    store,
    rp,
    actor,
    actingOrgId,
    tenderId,
  }: { clock: Clock; store: FileStore; rp: RelyingParty; actor: Actor & { userId: string }; actingOrgId: string; tenderId: string },
) {
  const { project } = await lockAsHost(db, actor, actingOrgId, tenderId);
  assertProjectAction(project.state, "sign_award", actor);
  const [a] = await db.select().from(awards).where(eq(awards.tenderId, tenderId));
  if (!a || a.state !== "approved") throw new DomainError("errors.award.notApproved", { status: 409 });
  await assertNothingPending(db, tenderId, clock.now());
  const notice = await renderAwardNotice(db, tenderId, clock.now());
  const slot = notice.signatureSlots[0];
  const [village] = await db.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, project.villageId));
  return requestSignature(db, {
    clock,
    store,
    rp,
    userId: actor.userId,
    doc: {
      pdf: notice.bytes,
      purpose: "award_notice",
      objectId: tenderId,
      fieldName: "seal-tenderer",
      reason: "中标通知书 招标人签章",
      location: village.name,
      rect: slot,
      page: slot?.pageIndex,
      // The seal carries the committee's formal name (青山村 → 青山村村民委员会).
      seal: { organization: village.name.endsWith("村") ? `${village.name}村民委员会` : village.name, bottomText: "电子印章" },
    },
  });
}

/** The committee's passkey approved: the project is awarded; winner and losers are told; releases are due. */
export async function completeAwardSignature(
  db: Db,
  { clock, store, rp, actor, actingOrgId, tenderId, requestId, response }: PasskeyApproval & { actor: Actor & { userId: string }; actingOrgId: string; tenderId: string },
) {
  {
    const { project } = await lockAsHost(db, actor, actingOrgId, tenderId);
    assertProjectAction(project.state, "sign_award", actor);
  }
  const { request, signed } = await completeSignature(db, { clock, store, rp, userId: actor.userId, requestId, response });
  if (request.purpose !== "award_notice" || request.objectId !== tenderId) throw new DomainError("errors.signature.expired", { status: 409 });
  return db.transaction(async (tx) => {
    const { project, tender } = await lockAsHost(tx, actor, actingOrgId, tenderId);
    assertProjectAction(project.state, "sign_award", actor);
    const [a] = await tx.select().from(awards).where(eq(awards.tenderId, tenderId));
    if (!a || a.state !== "approved") throw new DomainError("errors.award.notApproved", { status: 409 });
    const now = clock.now();
    await assertNothingPending(tx, tenderId, now);
    const settings = await getCountySettings(tx, project.countyId);
    const final = await longTermForm(tx, { clock, store, sha256: signed.sha256 });
    await tx.update(bids).set({ awardedAt: now }).where(eq(bids.id, a.winnerBidId));
    const others = await tx
      .select({ bidId: bids.id, companyId: bids.companyId })
      .from(bidOpenings)
      .innerJoin(bids, eq(bids.id, bidOpenings.bidId))
      .where(and(eq(bidOpenings.tenderId, tenderId), ne(bids.id, a.winnerBidId)));
    if (tender.bidSecurityFen > 0 && others.length) {
      await tx
        .insert(securityReleases)
        .values(others.map((o) => ({ bidId: o.bidId, tenderId, amountFen: tender.bidSecurityFen, dueAt: new Date(now.getTime() + settings.bidSecurityReleaseDays * DAY) })));
    }
    // The project is awarded (project.sign_award); the act's row goes with the award it signs.
    const awarded = await transition(tx, { lifecycle: "project", clock, actor, id: project.id, action: "sign_award", expectFrom: [project.state] });
    await transition(tx, {
      lifecycle: "award",
      clock,
      actor,
      id: tenderId,
      action: "sign",
      expectFrom: ["approved"],
      set: { noticePdfSha256: final.sha256, signedAt: now, signedBy: actor.userId },
      audit: () => ({
        action: "award.sign",
        objectType: "tender",
        objectId: tenderId,
        detail: { winnerBidId: a.winnerBidId, priceFen: a.priceFen, notice: final.sha256 },
        after: { projectState: awarded.after.state },
      }),
    });
    const [winner] = await tx.select({ companyId: bids.companyId }).from(bids).where(eq(bids.id, a.winnerBidId));
    await notify(tx, {
      clock,
      userIds: await usersOfOrgs(tx, [winner.companyId], ["contractor"]),
      kind: "award.won",
      params: { project: project.name },
      link: `/notices/${tenderId}`,
    });
    await notify(tx, {
      clock,
      userIds: await usersOfOrgs(
        tx,
        others.map((o) => o.companyId),
        ["contractor"],
      ),
      kind: "award.lost",
      params: { project: project.name },
      link: `/notices/${tenderId}`,
    });
    return final;
  });
}

function parseDay(v: string, field: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new DomainError("errors.award.badDate", { field });
  return v;
}

/** The contract was signed on `day`: the winner's bid security is due back within the county's days. */
export async function recordContract(
  db: Db,
  { clock, actor, actingOrgId, tenderId, day }: { clock: Clock; actor: Actor & { userId: string }; actingOrgId: string; tenderId: string; day: string },
) {
  return db.transaction(async (tx) => {
    const { project, tender } = await lockAsHost(tx, actor, actingOrgId, tenderId);
    assertProjectAction(project.state, "record_contract", actor);
    const d = parseDay(day, "contractDate");
    const [a] = await tx.select().from(awards).where(eq(awards.tenderId, tenderId));
    const now = clock.now();
    if (!a?.signedAt || a.contractDate) throw new DomainError("errors.award.contractState", { status: 409 });
    if (d < beijingDay(a.signedAt) || d > beijingDay(now)) throw new DomainError("errors.award.contractDate", { field: "contractDate" });
    const settings = await getCountySettings(tx, project.countyId);
    await tx.update(awards).set({ contractDate: d }).where(eq(awards.tenderId, tenderId));
    if (tender.bidSecurityFen > 0) {
      await tx
        .insert(securityReleases)
        .values({ bidId: a.winnerBidId, tenderId, amountFen: tender.bidSecurityFen, dueAt: new Date(now.getTime() + settings.bidSecurityReleaseDays * DAY) })
        .onConflictDoNothing();
    }
    const late = d > addDays(beijingDay(a.signedAt), settings.contractWithinDays);
    await audit(tx, clock, actor, project, tenderId, "award.contract", { contractDate: d, late });
  });
}

/** The committee records a bid security as released (returned to the bidder). */
export async function releaseSecurity(
  db: Db,
  { clock, actor, actingOrgId, tenderId, bidId, note }: { clock: Clock; actor: Actor & { userId: string }; actingOrgId: string; tenderId: string; bidId: string; note: string },
) {
  return db.transaction(async (tx) => {
    const { project } = await lockAsHost(tx, actor, actingOrgId, tenderId);
    assertProjectAction(project.state, "release_security", actor);
    if (!/^[0-9a-f-]{36}$/.test(bidId)) throw new DomainError("errors.notFound", { status: 404 });
    const [r] = await tx
      .select()
      .from(securityReleases)
      .where(and(eq(securityReleases.bidId, bidId), eq(securityReleases.tenderId, tenderId), isNull(securityReleases.releasedAt)));
    if (!r) throw new DomainError("errors.award.releaseState", { status: 409 });
    const now = clock.now();
    await tx
      .update(securityReleases)
      .set({ releasedAt: now, releasedBy: actor.userId, note: note.trim() || null })
      .where(eq(securityReleases.bidId, bidId));
    await audit(tx, clock, actor, project, tenderId, "award.security_released", { bidId, amountFen: r.amountFen, late: now > r.dueAt, note: note.trim() || null });
  });
}

/** Acceptance (验收) and the settlement amount close the project. */
export async function completeProject(
  db: Db,
  {
    clock,
    actor,
    actingOrgId,
    tenderId,
    input,
  }: { clock: Clock; actor: Actor & { userId: string }; actingOrgId: string; tenderId: string; input: { acceptanceDate: string; settlementFen: number | null } },
) {
  return db.transaction(async (tx) => {
    const { project } = await lockAsHost(tx, actor, actingOrgId, tenderId);
    assertProjectAction(project.state, "complete", actor);
    const [a] = await tx.select().from(awards).where(eq(awards.tenderId, tenderId));
    if (!a?.contractDate) throw new DomainError("errors.award.noContract", { status: 409 });
    const d = parseDay(input.acceptanceDate, "acceptanceDate");
    if (d < a.contractDate || d > beijingDay(clock.now())) throw new DomainError("errors.award.acceptanceDate", { field: "acceptanceDate" });
    if (input.settlementFen === null || !Number.isSafeInteger(input.settlementFen) || input.settlementFen <= 0)
      throw new DomainError("errors.award.settlement", { field: "settlement" });
    await tx.update(awards).set({ acceptanceDate: d, settlementFen: input.settlementFen }).where(eq(awards.tenderId, tenderId));
    await transition(tx, {
      lifecycle: "project",
      clock,
      actor,
      id: project.id,
      action: "complete",
      expectFrom: [project.state],
      audit: ({ after }) => ({
        action: "project.complete",
        objectType: "tender",
        objectId: tenderId,
        detail: { acceptanceDate: d, settlementFen: input.settlementFen, awardFen: a.priceFen },
        after: { projectState: after.state },
      }),
    });
  });
}

/** The award page: the decision, approvals, releases with their deadlines. Host and supervisors only (the signed notice itself is public). */
export async function awardView(db: Db, clock: Clock, tenderId: string, viewer: { userId: string; role: MemberRole; orgId: string }) {
  if (!/^[0-9a-f-]{36}$/.test(tenderId)) return null;
  const [row] = await db.select({ tender: tenders, project: projects }).from(tenders).innerJoin(projects, eq(projects.id, tenders.projectId)).where(eq(tenders.id, tenderId));
  if (!row) return null;
  const { project } = row;
  const host = (viewer.role === "committee" || viewer.role === "agent") && (await actsForVillage(db, project, viewer.role, viewer.orgId));
  const supervisor = (viewer.role === "supervisor" && viewer.orgId === project.townshipId) || (viewer.role === "county_admin" && viewer.orgId === project.countyId);
  if (!host && !supervisor) return null;
  const [pub] = await db.select().from(publicities).where(eq(publicities.tenderId, tenderId));
  if (!pub) return null;
  const [a] = await db.select().from(awards).where(eq(awards.tenderId, tenderId));
  const names = await db
    .select({ bidId: bids.id, company: orgs.name, priceFen: bidOpenings.priceFen })
    .from(bids)
    .innerJoin(orgs, eq(orgs.id, bids.companyId))
    .innerJoin(bidOpenings, eq(bidOpenings.bidId, bids.id))
    .where(eq(bids.tenderId, tenderId));
  const releases = await db.select().from(securityReleases).where(eq(securityReleases.tenderId, tenderId)).orderBy(asc(securityReleases.dueAt));
  const settings = await getCountySettings(db, project.countyId);
  const now = clock.now();
  const [decider] = a ? await db.select({ name: users.name }).from(users).where(eq(users.id, a.decidedBy)) : [];
  return {
    tender: row.tender,
    project,
    host,
    supervisor,
    now,
    separate: settings.separateEvaluationAndDecision,
    candidates: pub.candidates.map((bidId, i) => ({
      bidId,
      place: i + 1,
      company: names.find((n) => n.bidId === bidId)?.company ?? "",
      priceFen: names.find((n) => n.bidId === bidId)?.priceFen ?? 0,
    })),
    blockers: await awardBlockers(db, tenderId, now),
    award: a ? { ...a, decider: decider?.name ?? "", winner: names.find((n) => n.bidId === a.winnerBidId)?.company ?? "" } : null,
    releases: releases.map((r) => ({ ...r, company: names.find((n) => n.bidId === r.bidId)?.company ?? "", overdue: !r.releasedAt && now > r.dueAt })),
    bidders: await biddingCompanies(db, tenderId),
  };
}

/** The signed award notice, public once signed (null before). */
export async function publishedAwardNotice(db: Db, tenderId: string) {
  if (!/^[0-9a-f-]{36}$/.test(tenderId)) return null;
  const [a] = await db
    .select({ sha: awards.noticePdfSha256, at: awards.signedAt })
    .from(awards)
    .where(and(eq(awards.tenderId, tenderId), eq(awards.state, "signed")));
  return a?.sha && a.at ? { sha256: a.sha, signedAt: a.at } : null;
}
