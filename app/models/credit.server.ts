/**
 * Credit records (信用管理, DOMAIN.md "Supervision and risk"): township
 * supervisors and the county administrator record warnings, point
 * deductions, suspensions and blacklistings of contractors and experts, and
 * lift them with a note. Nothing is deleted. The colour grade is computed
 * from the record (credit-rules.ts); a blacklisting in force keeps a company
 * from bidding (bid.server.ts), a suspension or blacklisting in force keeps
 * an expert out of the panel draw (panel.server.ts).
 *
 * Who may record on whom:
 * - a township supervisor: companies that applied to the township's pool or
 *   bid on one of its tenders (once that tender's deadline has passed — before
 *   it, who bid is secret, so it may not even widen a list); experts of the
 *   township's county;
 * - the county administrator: every company and expert of the county.
 * A supervisor lifts what the township recorded; the county administrator
 * lifts anything of the county.
 */
import { and, asc, desc, eq, inArray, isNotNull, lte, or, type SQL } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { addDays, beijingDay } from "~/utils/time";
import { appendAudit, type Actor } from "./audit.server";
import { blocksOn, creditInputSchema, gradeOf, liftInputSchema, START_WINDOW_DAYS, statusOf, type CreditKind, type CreditSubject, type GradeResult } from "./credit-rules";
import { DomainError } from "./errors";

const { creditRecords, orgs, users, experts, poolMemberships, bids, tenders, projects, memberships } = schema;
export type CreditRecord = typeof creditRecords.$inferSelect;

/** A blacklisting in force keeps a company from bidding; suspensions only lower its grade. */
export const BLOCKS_BIDDING: readonly CreditKind[] = ["blacklist"];
/** A suspension or blacklisting in force keeps an expert out of panel draws. */
export const BLOCKS_PANEL: readonly CreditKind[] = ["suspension", "blacklist"];

function parse<T>(s: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, raw: unknown): T {
  const r = s.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? String(issue.path[0]) : undefined;
  throw new DomainError(issue.message.startsWith("errors.") ? issue.message : "errors.invalidInput", { field });
}

// ── Scope ───────────────────────────────────────────────────────────────

export interface CreditScope {
  role: "supervisor" | "county_admin";
  orgId: string;
  countyId: string;
  /** The supervisor's township; null for the county administrator. */
  townshipId: string | null;
}

/**
 * The scope of a supervisor (township) or county administrator (county)
 * acting for `orgId`; anyone else — another role, or someone who holds no
 * such role in that org — is refused.
 */
export async function creditScope(db: Db, actor: { userId: string | null; role: string | null }, orgId: string): Promise<CreditScope> {
  const role = actor.role;
  const [held] =
    actor.userId && (role === "supervisor" || role === "county_admin")
      ? await db
          .select({ id: memberships.id })
          .from(memberships)
          .where(and(eq(memberships.userId, actor.userId), eq(memberships.orgId, orgId), eq(memberships.role, role)))
      : [];
  const [org] = held ? await db.select().from(orgs).where(eq(orgs.id, orgId)) : [];
  if (role === "supervisor" && org?.kind === "township" && org.countyId) return { role, orgId, countyId: org.countyId, townshipId: org.id };
  if (role === "county_admin" && org?.kind === "county") return { role, orgId, countyId: org.id, townshipId: null };
  throw new DomainError("errors.forbidden", { status: 403 });
}

/** The companies a scope may record on, by name. */
export async function companiesInScope(db: Db, scope: CreditScope, now: Date) {
  const inCounty = and(eq(orgs.kind, "company"), eq(orgs.countyId, scope.countyId));
  let where: SQL | undefined = inCounty;
  if (scope.townshipId) {
    const applied = await db.select({ id: poolMemberships.companyId }).from(poolMemberships).where(eq(poolMemberships.townshipId, scope.townshipId));
    // Only tenders past their deadline: before it, a bid must not show anywhere, not even as a longer list.
    const bid = await db
      .selectDistinct({ id: bids.companyId })
      .from(bids)
      .innerJoin(tenders, eq(tenders.id, bids.tenderId))
      .innerJoin(projects, eq(projects.id, tenders.projectId))
      .where(and(eq(projects.townshipId, scope.townshipId), lte(tenders.deadline, now)));
    const ids = [...new Set([...applied, ...bid].map((r) => r.id))];
    if (ids.length === 0) return [];
    where = and(inCounty, inArray(orgs.id, ids));
  }
  return db.select({ id: orgs.id, name: orgs.name, code: orgs.code }).from(orgs).where(where).orderBy(asc(orgs.name));
}

/** The experts of the scope's county, by name. */
export async function expertsInScope(db: Db, scope: CreditScope) {
  return db
    .select({ id: experts.userId, name: users.name, employer: experts.employer })
    .from(experts)
    .innerJoin(users, eq(users.id, experts.userId))
    .where(eq(experts.countyId, scope.countyId))
    .orderBy(asc(users.name));
}

/**
 * Projects a record may refer to: the township's (or county's) whose bidding
 * has closed (a tender past its deadline), newest first. Before the deadline,
 * a record tying a company to a project would tell who is bidding on it.
 */
export async function projectsInScope(db: Db, scope: CreditScope, now: Date, limit = 100) {
  return db
    .selectDistinct({ id: projects.id, name: projects.name, createdAt: projects.createdAt })
    .from(projects)
    .innerJoin(tenders, eq(tenders.projectId, projects.id))
    .where(and(scope.townshipId ? eq(projects.townshipId, scope.townshipId) : eq(projects.countyId, scope.countyId), lte(tenders.deadline, now)))
    .orderBy(desc(projects.createdAt))
    .limit(limit)
    .then((rows) => rows.map((r) => ({ id: r.id, name: r.name })));
}

// ── Recording and lifting ───────────────────────────────────────────────

/**
 * Record a warning, deduction, suspension or blacklisting. `issuerOrgId` is
 * the org the actor acts for (township or county). Validation, the scope
 * check, the row and its audit entry are one transaction, so a refused or
 * failed record leaves nothing behind.
 */
export async function recordCredit(
  db: Db,
  { clock, actor, issuerOrgId, raw }: { clock: Clock; actor: Actor & { userId: string }; issuerOrgId: string; raw: unknown },
): Promise<CreditRecord> {
  const v = parse(creditInputSchema, raw);
  return db.transaction(async (tx) => {
    const scope = await creditScope(tx, actor, issuerOrgId);
    const now = clock.now();
    const today = beijingDay(now);
    if (v.startsOn < addDays(today, -START_WINDOW_DAYS.before) || v.startsOn > addDays(today, START_WINDOW_DAYS.after))
      throw new DomainError("errors.credit.startsOnRange", { field: "startsOn", values: { before: START_WINDOW_DAYS.before, after: START_WINDOW_DAYS.after } });
    if (v.subject === "company") {
      if (!(await companiesInScope(tx, scope, now)).some((c) => c.id === v.subjectId)) throw new DomainError("errors.credit.outOfScope", { field: "subject", status: 403 });
    } else if (!(await expertsInScope(tx, scope)).some((e) => e.id === v.subjectId)) throw new DomainError("errors.credit.outOfScope", { field: "subject", status: 403 });
    if (v.projectId && !(await projectsInScope(tx, scope, now, 10_000)).some((p) => p.id === v.projectId)) throw new DomainError("errors.credit.project", { field: "projectId" });
    const [row] = await tx
      .insert(creditRecords)
      .values({
        countyId: scope.countyId,
        issuerOrgId: scope.orgId,
        subject: v.subject,
        companyId: v.subject === "company" ? v.subjectId : null,
        expertId: v.subject === "expert" ? v.subjectId : null,
        kind: v.kind,
        points: v.points,
        reason: v.reason,
        projectId: v.projectId,
        startsOn: v.startsOn,
        endsOn: v.endsOn,
        recordedBy: actor.userId,
        recordedAt: now,
      })
      .returning();
    await appendAudit(tx, clock, actor, {
      action: "credit.record",
      objectType: "credit_record",
      objectId: row.id,
      countyId: scope.countyId,
      townshipId: scope.townshipId,
      after: {
        subject: row.subject,
        companyId: row.companyId,
        expertId: row.expertId,
        kind: row.kind,
        points: row.points,
        reason: row.reason,
        projectId: row.projectId,
        startsOn: row.startsOn,
        endsOn: row.endsOn,
      },
    });
    return row;
  });
}

/** May this scope lift this record? The issuing township's supervisor, or the county administrator. */
function mayLift(scope: CreditScope, r: Pick<CreditRecord, "countyId" | "issuerOrgId">) {
  return r.countyId === scope.countyId && (scope.role === "county_admin" || r.issuerOrgId === scope.orgId);
}

/** Lift (withdraw) a record with a note: it stays on the list, marked, and stops counting at once. */
export async function liftCredit(
  db: Db,
  { clock, actor, issuerOrgId, raw }: { clock: Clock; actor: Actor & { userId: string }; issuerOrgId: string; raw: unknown },
): Promise<CreditRecord> {
  const v = parse(liftInputSchema, raw);
  return db.transaction(async (tx) => {
    const scope = await creditScope(tx, actor, issuerOrgId);
    // Locked: two lifts at once would both see "not lifted" and both be audited.
    const [r] = await tx.select().from(creditRecords).where(eq(creditRecords.id, v.recordId)).for("update");
    if (!r || r.countyId !== scope.countyId) throw new DomainError("errors.notFound", { status: 404 });
    if (!mayLift(scope, r)) throw new DomainError("errors.credit.notIssuer", { status: 403 });
    if (r.liftedAt) throw new DomainError("errors.credit.alreadyLifted", { status: 409 });
    const [row] = await tx.update(creditRecords).set({ liftedAt: clock.now(), liftedBy: actor.userId, liftNote: v.note }).where(eq(creditRecords.id, r.id)).returning();
    await appendAudit(tx, clock, actor, {
      action: "credit.lift",
      objectType: "credit_record",
      objectId: r.id,
      countyId: scope.countyId,
      townshipId: scope.townshipId,
      before: { lifted: false },
      after: { lifted: true, note: v.note },
      detail: { subject: r.subject, companyId: r.companyId, expertId: r.expertId, kind: r.kind },
    });
    return row;
  });
}

// ── Reading ─────────────────────────────────────────────────────────────

export type SubjectRef = { company: string } | { expert: string };

const subjectWhere = (s: SubjectRef) => ("company" in s ? eq(creditRecords.companyId, s.company) : eq(creditRecords.expertId, s.expert));

/** A subject's whole record, newest first, each with its status on `today`, the records in effect or scheduled, and the grade. */
export async function creditOf(db: Db, subject: SubjectRef, today: string) {
  const rows = await db.select().from(creditRecords).where(subjectWhere(subject)).orderBy(desc(creditRecords.startsOn), desc(creditRecords.recordedAt));
  const records = rows.map((r) => ({ ...r, status: statusOf(r, today) }));
  return { grade: gradeOf(rows, today), records, active: records.filter((r) => r.status === "inEffect" || r.status === "scheduled") };
}

/** The grade of each company (green for one with no record). */
export async function gradesOfCompanies(db: Db, companyIds: string[], today: string): Promise<Map<string, GradeResult>> {
  const ids = [...new Set(companyIds)];
  const rows = ids.length ? await db.select().from(creditRecords).where(inArray(creditRecords.companyId, ids)) : [];
  return new Map(
    ids.map((id) => [
      id,
      gradeOf(
        rows.filter((r) => r.companyId === id),
        today,
      ),
    ]),
  );
}

/** The grade of each bid's company, by bid id. */
export async function gradesOfBids(db: Db, bidIds: string[], today: string): Promise<Map<string, GradeResult>> {
  if (bidIds.length === 0) return new Map();
  const rows = await db.select({ id: bids.id, companyId: bids.companyId }).from(bids).where(inArray(bids.id, bidIds));
  const grades = await gradesOfCompanies(
    db,
    rows.map((r) => r.companyId),
    today,
  );
  return new Map(rows.map((r) => [r.id, grades.get(r.companyId)!]));
}

/** The last day of the company's blacklisting in force on `today`, or null: bid.server.ts refuses a bid meanwhile. */
export async function blacklistedUntil(db: Db, companyId: string, today: string): Promise<string | null> {
  const rows = await db
    .select()
    .from(creditRecords)
    .where(and(eq(creditRecords.companyId, companyId), inArray(creditRecords.kind, [...BLOCKS_BIDDING])));
  return (
    rows
      .filter((r) => blocksOn(r, today, BLOCKS_BIDDING))
      .map((r) => r.endsOn!)
      .sort()
      .at(-1) ?? null
  );
}

/** Experts of the county under a suspension or blacklisting on `today`, each with its last day: panel.server.ts leaves them out of a draw. */
export async function suspendedExperts(db: Db, countyId: string, today: string): Promise<Map<string, string>> {
  const rows = await db
    .select()
    .from(creditRecords)
    .innerJoin(experts, eq(experts.userId, creditRecords.expertId))
    .where(and(eq(experts.countyId, countyId), inArray(creditRecords.kind, [...BLOCKS_PANEL])));
  const until = new Map<string, string>();
  for (const { credit_records: r } of rows) {
    if (!blocksOn(r, today, BLOCKS_PANEL)) continue;
    if (!until.has(r.expertId!) || until.get(r.expertId!)! < r.endsOn!) until.set(r.expertId!, r.endsOn!);
  }
  return until;
}

export interface CreditListFilter {
  subject: CreditSubject | null;
  /** "active": in effect or scheduled; "all": every record, lifted and past ones too. */
  show: "active" | "all";
}

/** The records a supervisor or the county administrator sees, newest first, with names, status and whether the viewer may lift each. */
export async function listCredit(db: Db, scope: CreditScope, filter: CreditListFilter, now: Date) {
  const today = beijingDay(now);
  const conditions: SQL[] = [eq(creditRecords.countyId, scope.countyId)];
  if (filter.subject) conditions.push(eq(creditRecords.subject, filter.subject));
  if (scope.townshipId) {
    // A supervisor: the county's experts, and the companies of the township's scope (whoever recorded on them).
    const ids = (await companiesInScope(db, scope, now)).map((c) => c.id);
    conditions.push(or(isNotNull(creditRecords.expertId), ids.length ? inArray(creditRecords.companyId, ids) : undefined)!);
  }
  const issuer = schema.orgs;
  const rows = await db
    .select({ r: creditRecords, recorder: users.name, issuer: issuer.name })
    .from(creditRecords)
    .innerJoin(users, eq(users.id, creditRecords.recordedBy))
    .innerJoin(issuer, eq(issuer.id, creditRecords.issuerOrgId))
    .where(and(...conditions))
    .orderBy(desc(creditRecords.recordedAt))
    .limit(500);
  const companyIds = rows.map((x) => x.r.companyId).filter((id): id is string => id !== null);
  const expertIds = rows.map((x) => x.r.expertId).filter((id): id is string => id !== null);
  const companyNames = new Map(
    companyIds.length ? (await db.select({ id: orgs.id, name: orgs.name }).from(orgs).where(inArray(orgs.id, companyIds))).map((o) => [o.id, o.name]) : [],
  );
  const expertNames = new Map(
    expertIds.length ? (await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, expertIds))).map((u) => [u.id, u.name]) : [],
  );
  const projectIds = rows.map((x) => x.r.projectId).filter((id): id is string => id !== null);
  const projectNames = new Map(
    projectIds.length ? (await db.select({ id: projects.id, name: projects.name }).from(projects).where(inArray(projects.id, projectIds))).map((p) => [p.id, p.name]) : [],
  );
  return rows
    .map(({ r, recorder, issuer }) => ({
      ...r,
      status: statusOf(r, today),
      subjectName: (r.companyId ? companyNames.get(r.companyId) : expertNames.get(r.expertId!)) ?? "",
      projectName: r.projectId ? (projectNames.get(r.projectId) ?? null) : null,
      recorder,
      issuer,
      mayLift: !r.liftedAt && mayLift(scope, r),
    }))
    .filter((r) => filter.show === "all" || r.status === "inEffect" || r.status === "scheduled");
}
