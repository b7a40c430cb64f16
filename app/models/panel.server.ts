/**
 * The evaluation panel (评审小组, DOMAIN.md "Evaluation"): drawn after the
 * opening — its exclusions would otherwise reveal who bid — at random from the
 * county's expert pool, with reserves, excluding anyone tied to the village
 * or a bidder: same employer, a declared relation, or having worked for a
 * bidder within the county's years. The seed and every exclusion with its
 * reason are recorded, so the draw can be re-run from the record.
 */
import { randomBytes } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole } from "~/utils/db.server";
import { addDays, beijingDay } from "~/utils/time";
import { appendAudit, type Actor, memberRoleOf } from "./audit.server";
import { actsForVillage } from "./agent.server";
import { getCountySettings } from "./county-settings.server";
import { suspendedExperts } from "./credit.server";
import { DomainError } from "./errors";
import { drawOrder } from "./evaluation-rules.server";
import { insertPanelMembers, panelMemberId, transition } from "./lifecycle.server";
import { notify } from "./notification.server";
import { lockCurrentTender } from "./tender-qa.server";

const { experts, users, panels, panelMembers, bids, bidOpenings, orgs } = schema;

/** The specialties of the county's experts, for the host's choice (any, by default). */
export async function poolSpecialties(db: Db, countyId: string): Promise<string[]> {
  const rows = await db.select({ s: experts.specialties }).from(experts).where(eq(experts.countyId, countyId));
  return [...new Set(rows.flatMap((r) => r.s))].sort();
}

/** Reserve experts drawn after the members, to replace a recusal. */
export const PANEL_RESERVES = 2;

export interface PoolExpert {
  userId: string;
  name: string;
  specialties: string[];
  employer: string;
  declaredRelations: string[];
  pastEmployers: { employer: string; until: string }[];
  available: boolean;
  suspendedUntil: string | null;
}

export type ExclusionReason = "unavailable" | "suspended" | "specialty" | "sameEmployer" | "declaredRelation" | "formerEmployer";

/** Names compare without spaces and case: "青山建设 " and "青山建设" are one company. */
const same = (a: string, b: string) => a.replace(/\s+/g, "").toLowerCase() === b.replace(/\s+/g, "").toLowerCase();

/**
 * Why an expert may not sit on this panel, or null. `parties` are the
 * village and every bidder (by name); `since` is the first day of the
 * county's conflict period (worked for a party on or after it → excluded).
 */
export function exclusionOf(e: PoolExpert, ctx: { parties: string[]; specialty: string | null; today: string; since: string }): { reason: ExclusionReason; detail: string } | null {
  if (!e.available) return { reason: "unavailable", detail: "" };
  if (e.suspendedUntil && e.suspendedUntil >= ctx.today) return { reason: "suspended", detail: e.suspendedUntil };
  if (ctx.specialty && !e.specialties.includes(ctx.specialty)) return { reason: "specialty", detail: ctx.specialty };
  const employer = ctx.parties.find((p) => same(p, e.employer));
  if (employer) return { reason: "sameEmployer", detail: employer };
  const related = ctx.parties.find((p) => e.declaredRelations.some((r) => same(r, p)));
  if (related) return { reason: "declaredRelation", detail: related };
  const former = e.pastEmployers.find((w) => w.until >= ctx.since && ctx.parties.some((p) => same(p, w.employer)));
  if (former) return { reason: "formerEmployer", detail: `${former.employer} · ${former.until}` };
  return null;
}

/**
 * Draw the panel of a tender whose opening has closed: the host (committee or
 * its agent) only. `seed` is for tests; otherwise 32 random bytes.
 */
export async function drawPanel(
  db: Db,
  {
    clock,
    actor,
    actingOrgId,
    tenderId,
    opts = {},
  }: { clock: Clock; actor: Actor & { userId: string }; actingOrgId: string; tenderId: string; opts?: { specialty?: string | null; seed?: string } },
) {
  return db.transaction(async (tx) => {
    const { tender, project } = await lockCurrentTender(tx, tenderId);
    if (!(await actsForVillage(tx, project, memberRoleOf(actor), actingOrgId))) throw new DomainError("errors.forbidden", { status: 403 });
    if (project.state !== "evaluating") throw new DomainError("errors.panel.notNow", { status: 409 });
    const [existing] = await tx.select().from(panels).where(eq(panels.tenderId, tenderId));
    if (existing) throw new DomainError("errors.panel.alreadyDrawn", { status: 409 });
    const settings = await getCountySettings(tx, project.countyId);
    const [village] = await tx.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, project.villageId));
    const bidders = await tx
      .select({ name: orgs.name })
      .from(bidOpenings)
      .innerJoin(bids, eq(bids.id, bidOpenings.bidId))
      .innerJoin(orgs, eq(orgs.id, bids.companyId))
      .where(eq(bidOpenings.tenderId, tenderId));
    const today = beijingDay(clock.now());
    const ctx = { parties: [village.name, ...bidders.map((b) => b.name)], specialty: opts.specialty ?? null, today, since: addDays(today, -365 * settings.expertConflictYears) };
    const pool = await tx
      .select({ e: experts, name: users.name })
      .from(experts)
      .innerJoin(users, eq(users.id, experts.userId))
      .where(eq(experts.countyId, project.countyId))
      .orderBy(asc(experts.userId));
    // Credit suspensions and blacklistings in force on the draw day count like the pool's own suspendedUntil: the later end is the one shown.
    const credit = await suspendedExperts(tx, project.countyId, today);
    const exclusions: { expertId: string; reason: string; detail: string }[] = [];
    const eligible: string[] = [];
    for (const { e, name } of pool) {
      const held = credit.get(e.userId);
      const suspendedUntil = held && (!e.suspendedUntil || held > e.suspendedUntil) ? held : e.suspendedUntil;
      const ex = exclusionOf(
        {
          userId: e.userId,
          name,
          specialties: e.specialties,
          employer: e.employer,
          declaredRelations: e.declaredRelations,
          pastEmployers: e.pastEmployers,
          available: e.available,
          suspendedUntil,
        },
        ctx,
      );
      if (ex) exclusions.push({ expertId: e.userId, ...ex });
      else eligible.push(e.userId);
    }
    const size = tender.panelSize;
    if (eligible.length < size) throw new DomainError("errors.panel.notEnoughExperts", { status: 409, values: { eligible: eligible.length, size } });
    // The host chooses the filter: one that leaves barely more experts than seats would let the host choose the panel.
    const needed = size * settings.panelFilterEligiblePerSeat;
    if (ctx.specialty && eligible.length < needed)
      throw new DomainError("errors.panel.filterTooNarrow", {
        status: 409,
        values: { specialty: ctx.specialty, eligible: eligible.length, needed, perSeat: settings.panelFilterEligiblePerSeat },
      });
    const seed = opts.seed ?? randomBytes(32).toString("hex");
    const order = drawOrder(seed, eligible);
    const reserves = Math.min(PANEL_RESERVES, order.length - size);
    const now = clock.now();
    await tx.insert(panels).values({ tenderId, specialty: ctx.specialty, size, reserves, seed, exclusions, drawnAt: now, drawnBy: actor.userId });
    const chosen = order.slice(0, size + reserves);
    await insertPanelMembers(
      tx,
      chosen.map((expertId, i) => ({ tenderId, expertId, position: i + 1, role: i < size ? ("member" as const) : ("reserve" as const) })),
    );
    await appendAudit(tx, clock, actor, {
      action: "panel.draw",
      objectType: "tender",
      objectId: tenderId,
      countyId: project.countyId,
      townshipId: project.townshipId,
      detail: { seed, size, reserves, eligible: eligible.length, excluded: exclusions.length },
    });
    await notify(tx, { clock, userIds: chosen.slice(0, size), kind: "panel.assigned", params: { project: project.name }, link: `/panels/${tenderId}` });
    return { seed, members: chosen.slice(0, size), reserves: chosen.slice(size), exclusions };
  });
}

/**
 * An expert declares no conflict (accepts) or recuses with a reason; a
 * recusal brings in the first unused reserve.
 */
export async function declare(
  db: Db,
  { clock, actor, tenderId, input }: { clock: Clock; actor: Actor & { userId: string }; tenderId: string; input: { accept: boolean; reason?: string } },
) {
  return db.transaction(async (tx) => {
    const { project } = await lockCurrentTender(tx, tenderId);
    const [me] = await tx
      .select()
      .from(panelMembers)
      .where(and(eq(panelMembers.tenderId, tenderId), eq(panelMembers.expertId, actor.userId), eq(panelMembers.role, "member")));
    if (!me || me.status !== "assigned") throw new DomainError("errors.panel.notAssigned", { status: 409 });
    const now = clock.now();
    // The declaration is the seat's transition, audited as panel.accept / panel.recuse.
    const declared = (set: Partial<typeof panelMembers.$inferSelect>) =>
      transition(tx, {
        lifecycle: "panel_member",
        clock,
        actor,
        id: panelMemberId(tenderId, actor.userId),
        action: input.accept ? "accept" : "recuse",
        expectFrom: ["assigned"],
        set,
        audit: () => ({ action: input.accept ? "panel.accept" : "panel.recuse", objectType: "tender", objectId: tenderId, detail: input.accept ? {} : { reason: input.reason } }),
      });
    if (input.accept) await declared({ declaredAt: now });
    else {
      const reason = (input.reason ?? "").trim();
      if (reason.length < 4) throw new DomainError("errors.panel.reasonRequired", { field: "reason" });
      await declared({ declaredAt: now, recuseReason: reason });
      const [reserve] = await tx
        .select()
        .from(panelMembers)
        .where(and(eq(panelMembers.tenderId, tenderId), eq(panelMembers.role, "reserve"), eq(panelMembers.status, "assigned")))
        .orderBy(asc(panelMembers.position))
        .limit(1);
      if (reserve) {
        await tx
          .update(panelMembers)
          .set({ role: "member" })
          .where(and(eq(panelMembers.tenderId, tenderId), eq(panelMembers.expertId, reserve.expertId)));
        await notify(tx, { clock, userIds: [reserve.expertId], kind: "panel.assigned", params: { project: project.name }, link: `/panels/${tenderId}` });
      }
    }
  });
}

/** The panel as a member, the host or a supervisor sees it; null for anyone else (bidders, the public). */
export async function panelFor(db: Db, tenderId: string, viewer: { userId: string; role: MemberRole; orgId: string }) {
  const [p] = await db.select().from(panels).where(eq(panels.tenderId, tenderId));
  if (!p) return null;
  const members = await db
    .select({ m: panelMembers, name: users.name })
    .from(panelMembers)
    .innerJoin(users, eq(users.id, panelMembers.expertId))
    .where(eq(panelMembers.tenderId, tenderId))
    .orderBy(asc(panelMembers.position));
  const [t] = await db
    .select({ project: schema.projects })
    .from(schema.tenders)
    .innerJoin(schema.projects, eq(schema.projects.id, schema.tenders.projectId))
    .where(eq(schema.tenders.id, tenderId));
  const isMember = members.some((m) => m.m.expertId === viewer.userId);
  const host = (viewer.role === "committee" || viewer.role === "agent") && (await actsForVillage(db, t.project, viewer.role, viewer.orgId));
  const supervisor = (viewer.role === "supervisor" && t.project.townshipId === viewer.orgId) || (viewer.role === "county_admin" && t.project.countyId === viewer.orgId);
  if (!isMember && !host && !supervisor) return null;
  const excludedIds = p.exclusions.map((e) => e.expertId);
  const names = excludedIds.length ? await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, excludedIds)) : [];
  return {
    panel: p,
    members: members.map((m) => ({ expertId: m.m.expertId, name: m.name, role: m.m.role, status: m.m.status, position: m.m.position })),
    // Who was excluded and why: for the host and supervisors, not for the experts.
    exclusions: isMember && !host && !supervisor ? [] : p.exclusions.map((e) => ({ ...e, name: names.find((n) => n.id === e.expertId)?.name ?? "" })),
  };
}
