/**
 * Candidate publicity (中标候选人公示), objections (异议) and complaints (投诉),
 * DOMAIN.md steps 10–11. Publicity starts when the evaluation report's last
 * signature lands and lasts the county's minimum days. A bidder may object
 * during publicity; the committee answers by a deadline and the award waits
 * meanwhile. A complaint goes to the township supervisor, who accepts or
 * rejects it within 3 working days and decides within 30 (county settings);
 * an upheld complaint makes the result fall (the project fails, a new round
 * may follow). Every outcome is public.
 */
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole } from "~/utils/db.server";
import { appendAudit, type Actor, memberRoleOf } from "./audit.server";
import { actsForVillage } from "./agent.server";
import { getWorkingCalendar } from "./calendar.server";
import { getCountySettings } from "./county-settings.server";
import { DomainError } from "./errors";
import { assertProjectAction, insertComplaint, insertObjection, transition } from "./lifecycle.server";
import { notify, usersOfOrgs } from "./notification.server";
import { lockCurrentTender } from "./tender-qa.server";
import { hostsOf } from "./evaluation.server";

const { publicities, objections, complaints, awards, securityReleases, evaluations, bidOpenings, bids, orgs, projects, tenders, panelMembers, users, drawSecrets } = schema;
type Project = typeof projects.$inferSelect;

const DAY = 24 * 3600 * 1000;
const TEXT_MAX = 4000;

function cleanText(v: unknown, field: string, min = 4): string {
  const s = typeof v === "string" ? v.trim() : "";
  if (s.length < min) throw new DomainError("errors.publicity.textRequired", { field });
  if (s.length > TEXT_MAX) throw new DomainError("errors.evaluation.tooLong", { field, values: { max: TEXT_MAX } });
  return s;
}

async function audit(tx: Db, clock: Clock, actor: Actor, project: Project, tenderId: string, action: string, detail: Record<string, unknown>, after?: Record<string, unknown>) {
  await appendAudit(tx, clock, actor, { action, objectType: "tender", objectId: tenderId, countyId: project.countyId, townshipId: project.townshipId, detail, after });
}

/** The companies whose bids came to the opening (they may object and complain). */
export async function biddingCompanies(db: Db, tenderId: string): Promise<string[]> {
  const rows = await db.selectDistinct({ c: bids.companyId }).from(bidOpenings).innerJoin(bids, eq(bids.id, bidOpenings.bidId)).where(eq(bidOpenings.tenderId, tenderId));
  return rows.map((r) => r.c);
}

/** The companies behind the bids that came to the opening, by bid: public since the opening record. */
export async function openedBidders(db: Db, tenderId: string): Promise<{ bidId: string; company: string }[]> {
  return db
    .select({ bidId: bids.id, company: orgs.name })
    .from(bidOpenings)
    .innerJoin(bids, eq(bids.id, bidOpenings.bidId))
    .innerJoin(orgs, eq(orgs.id, bids.companyId))
    .where(eq(bidOpenings.tenderId, tenderId));
}

/** Called inside the transaction of the report's last signature. */
export async function startPublicity(tx: Db, { clock, actor, tenderId, candidates }: { clock: Clock; actor: Actor; tenderId: string; candidates: string[] }) {
  const { project } = await lockCurrentTender(tx, tenderId);
  assertProjectAction(project.state, "publish_candidates", actor);
  const settings = await getCountySettings(tx, project.countyId);
  const now = clock.now();
  const endsAt = new Date(now.getTime() + settings.publicityMinDays * DAY);
  await tx.insert(publicities).values({ tenderId, startsAt: now, endsAt, candidates });
  await transition(tx, {
    lifecycle: "project",
    clock,
    actor,
    id: project.id,
    action: "publish_candidates",
    audit: ({ after }) => ({
      action: "publicity.start",
      objectType: "tender",
      objectId: tenderId,
      detail: { candidates, endsAt: endsAt.toISOString() },
      after: { projectState: after.state },
    }),
  });
  const bidders = await usersOfOrgs(tx, await biddingCompanies(tx, tenderId), ["contractor"]);
  await notify(tx, { clock, userIds: [...bidders, ...(await hostsOf(tx, project))], kind: "publicity.started", params: { project: project.name }, link: `/notices/${tenderId}` });
}

async function ownBidOnTender(tx: Db, tenderId: string, companyId: string) {
  const [row] = await tx
    .select({ id: bids.id })
    .from(bidOpenings)
    .innerJoin(bids, eq(bids.id, bidOpenings.bidId))
    .where(and(eq(bidOpenings.tenderId, tenderId), eq(bids.companyId, companyId)));
  if (!row) throw new DomainError("errors.publicity.notBidder", { status: 403 });
  return row;
}

// ── Objections (异议) ───────────────────────────────────────────────────

export async function fileObjection(
  db: Db,
  { clock, actor, companyId, tenderId, body }: { clock: Clock; actor: Actor & { userId: string }; companyId: string; tenderId: string; body: string },
) {
  return db.transaction(async (tx) => {
    const { project } = await lockCurrentTender(tx, tenderId);
    assertProjectAction(project.state, "object", actor);
    await ownBidOnTender(tx, tenderId, companyId);
    const [pub] = await tx.select().from(publicities).where(eq(publicities.tenderId, tenderId));
    const now = clock.now();
    if (!pub || now >= pub.endsAt) throw new DomainError("errors.publicity.closed", { status: 409 });
    const text = cleanText(body, "body");
    const settings = await getCountySettings(tx, project.countyId);
    const row = await insertObjection(tx, {
      tenderId,
      companyId,
      filedBy: actor.userId,
      body: text,
      filedAt: now,
      dueAt: new Date(now.getTime() + settings.objectionAnswerDays * DAY),
    });
    await audit(tx, clock, actor, project, tenderId, "publicity.objection", { objectionId: row.id, body: text, dueAt: row.dueAt.toISOString() });
    await notify(tx, { clock, userIds: await hostsOf(tx, project), kind: "publicity.objection", params: { project: project.name }, link: `/notices/${tenderId}/publicity` });
    return row;
  });
}

export async function answerObjection(
  db: Db,
  {
    clock,
    actor,
    actingOrgId,
    tenderId,
    objectionId,
    answer,
  }: { clock: Clock; actor: Actor & { userId: string }; actingOrgId: string; tenderId: string; objectionId: string; answer: string },
) {
  return db.transaction(async (tx) => {
    const { project } = await lockCurrentTender(tx, tenderId);
    if (!(await actsForVillage(tx, project, memberRoleOf(actor), actingOrgId))) throw new DomainError("errors.forbidden", { status: 403 });
    assertProjectAction(project.state, "answer_objection", actor);
    if (!/^[0-9a-f-]{36}$/.test(objectionId)) throw new DomainError("errors.notFound", { status: 404 });
    const [o] = await tx
      .select()
      .from(objections)
      .where(and(eq(objections.id, objectionId), eq(objections.tenderId, tenderId)));
    if (!o) throw new DomainError("errors.notFound", { status: 404 });
    if (o.state !== "open") throw new DomainError("errors.evaluation.alreadyAnswered", { status: 409 });
    const text = cleanText(answer, "answer");
    const now = clock.now();
    await transition(tx, {
      lifecycle: "objection",
      clock,
      actor,
      id: objectionId,
      action: "answer",
      expectFrom: ["open"],
      set: { answer: text, answeredBy: actor.userId, answeredAt: now },
      audit: () => ({ action: "publicity.objection_answered", objectType: "tender", objectId: tenderId, detail: { objectionId, answer: text, late: now > o.dueAt } }),
    });
    await notify(tx, {
      clock,
      userIds: await usersOfOrgs(tx, [o.companyId], ["contractor"]),
      kind: "publicity.objection",
      params: { project: project.name },
      link: `/notices/${tenderId}/publicity`,
    });
  });
}

// ── Complaints (投诉) ───────────────────────────────────────────────────

export async function fileComplaint(
  db: Db,
  { clock, actor, companyId, tenderId, body }: { clock: Clock; actor: Actor & { userId: string }; companyId: string; tenderId: string; body: string },
) {
  return db.transaction(async (tx) => {
    const { project } = await lockCurrentTender(tx, tenderId);
    assertProjectAction(project.state, "complain", actor);
    await ownBidOnTender(tx, tenderId, companyId);
    const [pub] = await tx.select().from(publicities).where(eq(publicities.tenderId, tenderId));
    const settings = await getCountySettings(tx, project.countyId);
    const now = clock.now();
    if (!pub || now.getTime() > pub.startsAt.getTime() + settings.complaintWithinDays * DAY)
      throw new DomainError("errors.publicity.complaintLate", { status: 409, values: { days: settings.complaintWithinDays } });
    const text = cleanText(body, "body");
    const calendar = await getWorkingCalendar(tx, project.countyId);
    const row = await insertComplaint(tx, {
      tenderId,
      companyId,
      filedBy: actor.userId,
      body: text,
      filedAt: now,
      acceptDueAt: calendar.deadlineAfterWorkingDays(now, settings.complaintAcceptWorkingDays),
    });
    await audit(tx, clock, actor, project, tenderId, "complaint.file", { complaintId: row.id, body: text, acceptDueAt: row.acceptDueAt.toISOString() });
    await notify(tx, {
      clock,
      userIds: await usersOfOrgs(tx, [project.townshipId], ["supervisor"]),
      kind: "publicity.complaint",
      params: { project: project.name },
      link: `/notices/${tenderId}/publicity`,
    });
    return row;
  });
}

export type ComplaintDecision = "accept" | "reject" | "uphold" | "dismiss";

/**
 * The supervisor handles a complaint: accept (the decision deadline starts)
 * or reject it with reasons; an accepted one is upheld (the result falls:
 * the project fails, the committee may start a new round) or dismissed.
 */
export async function handleComplaint(
  db: Db,
  {
    clock,
    actor,
    townshipId,
    tenderId,
    complaintId,
    decision,
    outcome,
  }: { clock: Clock; actor: Actor & { userId: string }; townshipId: string; tenderId: string; complaintId: string; decision: ComplaintDecision; outcome: string },
) {
  return db.transaction(async (tx) => {
    const { project } = await lockCurrentTender(tx, tenderId);
    if (actor.role !== "supervisor" || project.townshipId !== townshipId) throw new DomainError("errors.forbidden", { status: 403 });
    assertProjectAction(project.state, decision === "uphold" ? "uphold_complaint" : "handle_complaint", actor);
    if (!/^[0-9a-f-]{36}$/.test(complaintId)) throw new DomainError("errors.notFound", { status: 404 });
    const [c] = await tx
      .select()
      .from(complaints)
      .where(and(eq(complaints.id, complaintId), eq(complaints.tenderId, tenderId)));
    if (!c) throw new DomainError("errors.notFound", { status: 404 });
    const now = clock.now();
    const settings = await getCountySettings(tx, project.countyId);
    // The supervisor's decision is the complaint's transition, audited as complaint.<decision> (an upheld one also names the project's state).
    let upheldAfter: { after?: { projectState: string } } = {};
    const decided = (set: Partial<typeof complaints.$inferSelect>) =>
      transition(tx, {
        lifecycle: "complaint",
        clock,
        actor,
        id: complaintId,
        action: decision,
        expectFrom: [c.state],
        set,
        audit: () => ({ action: `complaint.${decision}`, objectType: "tender", objectId: tenderId, detail: { complaintId, outcome: outcome || null }, ...upheldAfter }),
      });
    if (decision === "accept") {
      if (c.state !== "filed") throw new DomainError("errors.publicity.complaintState", { status: 409 });
      const calendar = await getWorkingCalendar(tx, project.countyId);
      await decided({ acceptedAt: now, handledBy: actor.userId, decideDueAt: calendar.deadlineAfterWorkingDays(now, settings.complaintDecideWorkingDays) });
    } else {
      const from = decision === "reject" ? "filed" : "accepted";
      if (c.state !== from) throw new DomainError("errors.publicity.complaintState", { status: 409 });
      const text = cleanText(outcome, "outcome");
      if (decision === "uphold") {
        // The result falls: the project fails (project.uphold_complaint), the award (even a signed notice) is withdrawn,
        // the winner's project manager is free again, and every bid security is due back.
        const failed = await transition(tx, { lifecycle: "project", clock, actor, id: project.id, action: "uphold_complaint", expectFrom: [project.state] });
        upheldAfter = { after: { projectState: failed.after.state } };
        const [a] = await tx.select().from(awards).where(eq(awards.tenderId, tenderId));
        if (a) {
          if (a.state !== "rejected")
            await transition(tx, { lifecycle: "award", clock, actor, id: tenderId, action: "withdraw", set: { approvalNote: text }, detail: { complaintId } });
          await tx.update(bids).set({ awardedAt: null }).where(eq(bids.id, a.winnerBidId));
        }
        const [t] = await tx.select({ fen: tenders.bidSecurityFen }).from(tenders).where(eq(tenders.id, tenderId));
        const opened = await tx.select({ bidId: bidOpenings.bidId }).from(bidOpenings).where(eq(bidOpenings.tenderId, tenderId));
        if (t.fen > 0 && opened.length) {
          await tx
            .insert(securityReleases)
            .values(opened.map((o) => ({ bidId: o.bidId, tenderId, amountFen: t.fen, dueAt: new Date(now.getTime() + settings.bidSecurityReleaseDays * DAY) })))
            .onConflictDoNothing();
        }
      }
      await decided({ outcome: text, decidedAt: now, handledBy: actor.userId });
    }
    await notify(tx, {
      clock,
      userIds: [...(await usersOfOrgs(tx, [c.companyId], ["contractor"])), ...(await hostsOf(tx, project))],
      kind: "publicity.complaint",
      params: { project: project.name },
      link: `/notices/${tenderId}/publicity`,
    });
  });
}

/** What still holds the award back: publicity not over, objections unanswered, complaints pending. */
export async function awardBlockers(db: Db, tenderId: string, now: Date): Promise<string[]> {
  const [pub] = await db.select().from(publicities).where(eq(publicities.tenderId, tenderId));
  if (!pub) return ["award.blocked.noPublicity"];
  const out: string[] = [];
  if (now < pub.endsAt) out.push("award.blocked.publicity");
  const open = await db
    .select({ id: objections.id })
    .from(objections)
    .where(and(eq(objections.tenderId, tenderId), eq(objections.state, "open")));
  if (open.length) out.push("award.blocked.objections");
  const pending = await db
    .select({ id: complaints.id })
    .from(complaints)
    .where(and(eq(complaints.tenderId, tenderId), inArray(complaints.state, ["filed", "accepted"])));
  if (pending.length) out.push("award.blocked.complaints");
  return out;
}

/** The publicity page for one viewer: bidders see their own objections and complaints; host and supervisors see all. */
export async function publicityView(db: Db, clock: Clock, tenderId: string, viewer: { userId: string; role: MemberRole; orgId: string } | null) {
  const result = await publicResult(db, tenderId);
  if (!result) return null;
  const [row] = await db.select({ project: projects }).from(tenders).innerJoin(projects, eq(projects.id, tenders.projectId)).where(eq(tenders.id, tenderId));
  const project = row.project;
  const host = Boolean(viewer && (viewer.role === "committee" || viewer.role === "agent") && (await actsForVillage(db, project, viewer.role, viewer.orgId)));
  const supervisor = Boolean(
    viewer && ((viewer.role === "supervisor" && viewer.orgId === project.townshipId) || (viewer.role === "county_admin" && viewer.orgId === project.countyId)),
  );
  const bidder = Boolean(viewer && viewer.role === "contractor" && (await biddingCompanies(db, tenderId)).includes(viewer.orgId));
  const allObjections = await db
    .select({ o: objections, company: orgs.name })
    .from(objections)
    .innerJoin(orgs, eq(orgs.id, objections.companyId))
    .where(eq(objections.tenderId, tenderId))
    .orderBy(asc(objections.filedAt));
  const allComplaints = await db
    .select({ c: complaints, company: orgs.name })
    .from(complaints)
    .innerJoin(orgs, eq(orgs.id, complaints.companyId))
    .where(eq(complaints.tenderId, tenderId))
    .orderBy(asc(complaints.filedAt));
  const mineOnly = (companyId: string) => host || supervisor || (bidder && viewer!.orgId === companyId);
  const settings = await getCountySettings(db, project.countyId);
  const now = clock.now();
  return {
    ...result,
    project,
    host,
    supervisor,
    bidder,
    now,
    canObject: bidder && project.state === "publicity" && now < result.publicity.endsAt,
    canComplain:
      bidder && (project.state === "publicity" || project.state === "awarded") && now.getTime() <= result.publicity.startsAt.getTime() + settings.complaintWithinDays * DAY,
    objections: allObjections.filter((x) => mineOnly(x.o.companyId)).map((x) => ({ ...x.o, company: host || supervisor ? x.company : null })),
    complaints: allComplaints
      .filter((x) => mineOnly(x.c.companyId) || ["rejected", "upheld", "dismissed"].includes(x.c.state))
      .map((x) => ({ ...x.c, company: host || supervisor || mineOnly(x.c.companyId) ? x.company : null, body: mineOnly(x.c.companyId) ? x.c.body : null })),
  };
}

/**
 * What anyone may see once publicity has begun: candidates with their prices
 * (and scores), the panel's names, the draw's inputs, and the award once the
 * notice is signed. Null before publicity.
 */
export async function publicResult(db: Db, tenderId: string) {
  if (!/^[0-9a-f-]{36}$/.test(tenderId)) return null;
  const [pub] = await db.select().from(publicities).where(eq(publicities.tenderId, tenderId));
  if (!pub) return null;
  const [ev] = await db.select().from(evaluations).where(eq(evaluations.tenderId, tenderId));
  const ranked = ev?.result?.ranking ?? [];
  const names = await db.select({ bidId: bids.id, company: orgs.name }).from(bids).innerJoin(orgs, eq(orgs.id, bids.companyId)).where(eq(bids.tenderId, tenderId));
  const company = new Map(names.map((n) => [n.bidId, n.company]));
  const panel = await db
    .select({ name: users.name })
    .from(panelMembers)
    .innerJoin(users, eq(users.id, panelMembers.expertId))
    .where(and(eq(panelMembers.tenderId, tenderId), eq(panelMembers.role, "member"), eq(panelMembers.status, "accepted")))
    .orderBy(asc(panelMembers.position));
  const [award] = await db
    .select()
    .from(awards)
    .where(and(eq(awards.tenderId, tenderId), eq(awards.state, "signed")));
  const [secret] = await db.select().from(drawSecrets).where(eq(drawSecrets.tenderId, tenderId));
  const nonces = await db
    .select({ bidId: bidOpenings.bidId, nonce: bidOpenings.nonce })
    .from(bidOpenings)
    .where(eq(bidOpenings.tenderId, tenderId))
    .orderBy(asc(bidOpenings.bidId));
  return {
    publicity: pub,
    method: ev?.result?.method ?? null,
    benchmarkFen: ev?.result?.benchmarkFen ?? null,
    candidates: pub.candidates.map((bidId, i) => {
      const r = ranked.find((x) => x.bidId === bidId);
      return { bidId, place: i + 1, company: company.get(bidId) ?? "", priceFen: r?.priceFen ?? 0, total: r?.total ?? null };
    }),
    panel: panel.map((p) => p.name),
    award: award
      ? {
          winner: company.get(award.winnerBidId) ?? "",
          priceFen: award.priceFen,
          signedAt: award.signedAt!,
          noticeSha256: award.noticePdfSha256!,
          contractDate: award.contractDate,
          acceptanceDate: award.acceptanceDate,
          settlementFen: award.settlementFen,
        }
      : null,
    draw: {
      commitment: secret?.commitment ?? null,
      secret: secret?.revealedAt ? secret.secret : null,
      qualified: ev?.qualifiedBidIds ?? [],
      qualifiedListHash: ev?.qualifiedListHash ?? null,
      seed: ev?.seed ?? null,
      nonces: nonces.filter((n) => n.nonce).map((n) => ({ bidId: n.bidId, nonce: n.nonce! })),
      wouldHaveWon: ev?.result?.wouldHaveWon ?? null,
    },
  };
}

/** Newest first: the publicities a company can act on (for its dashboard). */
export async function openPublicitiesForCompany(db: Db, companyId: string) {
  return db
    .select({ tenderId: publicities.tenderId, project: projects.name, endsAt: publicities.endsAt })
    .from(publicities)
    .innerJoin(tenders, eq(tenders.id, publicities.tenderId))
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .innerJoin(bids, and(eq(bids.tenderId, publicities.tenderId), eq(bids.companyId, companyId)))
    .where(eq(projects.state, "publicity"))
    .orderBy(desc(publicities.startsAt));
}
