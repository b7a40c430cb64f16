/**
 * Agents (招标代理): a village committee may appoint a township tender agent
 * or the village's own 强村公司 to act for it on one project — prepare and
 * publish the documents, answer questions, issue amendments, host the
 * opening. The committee keeps the award decision. The appointment, its
 * revocation and every act of the agent are in the audit trail.
 */
import { and, asc, eq, isNull, or } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole, type Org, type Project } from "~/utils/db.server";
import { appendAudit, type Actor } from "./audit.server";
import { DomainError } from "./errors";
import { FINAL_STATES } from "./lifecycle";
import { notify, usersOfOrgs } from "./notification.server";

const { projects, projectAgents, orgs } = schema;

/** Who may be appointed for a village: tender agents of its township, and companies of the village itself. */
export async function listEligibleAgents(db: Db, village: Pick<Org, "id" | "townshipId">): Promise<Org[]> {
  return db
    .select()
    .from(orgs)
    .where(or(and(eq(orgs.kind, "agency"), eq(orgs.parentId, village.townshipId ?? "")), and(eq(orgs.kind, "village_company"), eq(orgs.parentId, village.id))))
    .orderBy(asc(orgs.kind), asc(orgs.name));
}

/** The agent currently appointed on a project, if any. */
export async function activeAgent(db: Db, projectId: string) {
  const [row] = await db
    .select({ appointment: projectAgents, org: orgs })
    .from(projectAgents)
    .innerJoin(orgs, eq(orgs.id, projectAgents.agentOrgId))
    .where(and(eq(projectAgents.projectId, projectId), isNull(projectAgents.revokedAt)));
  return row ?? null;
}

/**
 * Does this membership act for the village's side of the project — as its
 * committee, or as the agent appointed on it right now?
 */
export async function actsForVillage(db: Db, p: Pick<Project, "id" | "villageId">, role: MemberRole | null, orgId: string): Promise<boolean> {
  if (role === "committee") return p.villageId === orgId;
  if (role !== "agent") return false;
  const agent = await activeAgent(db, p.id);
  return agent?.org.id === orgId;
}

/** Throws unless the acting membership is the project's committee or its agent. */
export async function assertActsForVillage(db: Db, p: Pick<Project, "id" | "villageId">, role: MemberRole | null, orgId: string) {
  if (!(await actsForVillage(db, p, role, orgId))) throw new DomainError("errors.forbidden", { status: 403 });
}

export async function appointAgent(
  db: Db,
  { clock, actor, projectId, villageId, agentOrgId }: { clock: Clock; actor: Actor; projectId: string; villageId: string; agentOrgId: string },
) {
  if (actor.role !== "committee") throw new DomainError("errors.forbidden", { status: 403 });
  return db.transaction(async (tx) => {
    const [p] = await tx.select().from(projects).where(eq(projects.id, projectId)).for("update");
    if (!p) throw new DomainError("errors.notFound", { status: 404 });
    if (p.villageId !== villageId) throw new DomainError("errors.forbidden", { status: 403 });
    if (FINAL_STATES.includes(p.state)) throw new DomainError("errors.agent.finalState");
    const [village] = await tx.select().from(orgs).where(eq(orgs.id, villageId));
    const eligible = await listEligibleAgents(tx, village);
    const agentOrg = eligible.find((o) => o.id === agentOrgId);
    if (!agentOrg) throw new DomainError("errors.agent.notEligible", { field: "agentOrgId" });
    const current = await activeAgent(tx, p.id);
    if (current?.org.id === agentOrgId) throw new DomainError("errors.agent.already", { field: "agentOrgId" });
    const now = clock.now();
    if (current) await tx.update(projectAgents).set({ revokedAt: now, revokedBy: actor.userId }).where(eq(projectAgents.id, current.appointment.id));
    const [row] = await tx.insert(projectAgents).values({ projectId: p.id, agentOrgId, appointedBy: actor.userId, appointedAt: now }).returning();
    await appendAudit(tx, clock, actor, {
      action: "project.appoint_agent",
      objectType: "project",
      objectId: p.id,
      countyId: p.countyId,
      townshipId: p.townshipId,
      before: current ? { agentOrgId: current.org.id, agent: current.org.name } : { agentOrgId: null },
      after: { agentOrgId, agent: agentOrg.name, kind: agentOrg.kind },
    });
    await notify(tx, { clock, userIds: await usersOfOrgs(tx, [agentOrgId], ["agent"]), kind: "project.agentAppointed", params: { project: p.name }, link: `/projects/${p.id}` });
    return row;
  });
}

export async function revokeAgent(db: Db, { clock, actor, projectId, villageId }: { clock: Clock; actor: Actor; projectId: string; villageId: string }) {
  if (actor.role !== "committee") throw new DomainError("errors.forbidden", { status: 403 });
  return db.transaction(async (tx) => {
    const [p] = await tx.select().from(projects).where(eq(projects.id, projectId)).for("update");
    if (!p) throw new DomainError("errors.notFound", { status: 404 });
    if (p.villageId !== villageId) throw new DomainError("errors.forbidden", { status: 403 });
    const current = await activeAgent(tx, p.id);
    if (!current) throw new DomainError("errors.agent.none");
    await tx.update(projectAgents).set({ revokedAt: clock.now(), revokedBy: actor.userId }).where(eq(projectAgents.id, current.appointment.id));
    await appendAudit(tx, clock, actor, {
      action: "project.revoke_agent",
      objectType: "project",
      objectId: p.id,
      countyId: p.countyId,
      townshipId: p.townshipId,
      before: { agentOrgId: current.org.id, agent: current.org.name },
      after: { agentOrgId: null },
    });
  });
}

/** Project ids an agent organisation acts on now. */
export async function projectsOfAgent(db: Db, agentOrgId: string): Promise<string[]> {
  const rows = await db
    .select({ projectId: projectAgents.projectId })
    .from(projectAgents)
    .where(and(eq(projectAgents.agentOrgId, agentOrgId), isNull(projectAgents.revokedAt)));
  return rows.map((r) => r.projectId);
}
