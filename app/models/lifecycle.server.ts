/**
 * The writers: the one place where a lifecycle's state column is written
 * (ADR 0038). `transition()` locks the row, checks the lifecycle's table
 * (lifecycle.ts), lets the caller check what the table cannot know (who owns
 * the row, the form), writes the table's target state with the caller's
 * other columns, and appends the audit row — all in the caller's transaction.
 *
 * tests/unit/state-writes.test.ts fails on a state write outside this file;
 * its allowlist names the lifecycles not converted yet. The database holds it
 * too: a trigger refuses a change of a converted state column unless this
 * writer set its transaction-local marker (migration 0023).
 */
import { and, eq, sql } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole, type Project } from "~/utils/db.server";
import { appendAudit, memberRoleOf, SYSTEM_ACTOR, type Actor, type AuditEntry } from "./audit.server";
import { DomainError } from "./errors";
import { checkRule, checkTransition, PROJECT_STATES, TRANSITIONS, type ProjectAction, type ProjectState, type Rule } from "./lifecycle";
import {
  BID_OPENING_STATUSES,
  BID_OPENING_TRANSITIONS,
  BID_STATUSES,
  BID_TRANSITIONS,
  OPENING_STATES,
  OPENING_TRANSITIONS,
  type BidAction,
  type BidOpeningAction,
  type BidOpeningStatus,
  type BidStatus,
  type OpeningAction,
  type OpeningState,
} from "./lifecycle";
import {
  AWARD_STATES,
  AWARD_TRANSITIONS,
  COMPLAINT_STATES,
  COMPLAINT_TRANSITIONS,
  EVALUATION_STATES,
  EVALUATION_TRANSITIONS,
  OBJECTION_STATES,
  OBJECTION_TRANSITIONS,
  PANEL_MEMBER_STATUSES,
  PANEL_MEMBER_TRANSITIONS,
  POOL_MEMBERSHIP_STATUSES,
  POOL_MEMBERSHIP_TRANSITIONS,
  type AwardAction,
  type AwardState,
  type ComplaintAction,
  type ComplaintState,
  type EvaluationAction,
  type EvaluationState,
  type ObjectionAction,
  type ObjectionState,
  type PanelMemberAction,
  type PanelMemberStatus,
  type PoolMembershipAction,
  type PoolMembershipStatus,
} from "./lifecycle";

const { projects } = schema;
const { tenders, openings, bidOpenings, bids } = schema;

/**
 * Run the one update of a state column as the lifecycle's writer: the
 * database refuses any other change of it (migration 0023, a trigger per
 * state column that wants this transaction-local marker). The marker is
 * cleared at once, so nothing later in the transaction rides on it.
 */
async function asWriter<T>(tx: Db, lifecycle: string, write: () => Promise<T>): Promise<T> {
  await tx.execute(sql`select set_config('cyz.writer', ${lifecycle}, true)`);
  const result = await write();
  await tx.execute(sql`select set_config('cyz.writer', '', true)`);
  return result;
}

/** The role a table is checked against: the system (scheduler) is null. */
function roleOf(actor: Actor): MemberRole | null {
  if (actor.role === "system") return null;
  // The acting role comes from the session (actor.role), never from the caller's idea of who should act;
  // an actor without one takes no action that needs a role (memberRoleOf refuses it).
  return memberRoleOf(actor);
}

/**
 * The one mapping of a refused transition: the wrong role is 403, the wrong
 * state 409; the translation key names which (errors.transition.role/state).
 * A caller may name the wrong state in its own words (`stateKey`, e.g.
 * errors.qa.closed: "questions closed with the deadline"); the status stays.
 */
export function refusal(reason: string, action: string, state: string, stateKey?: string): DomainError {
  const role = reason === "errors.transition.role";
  if (!role && stateKey) return new DomainError(stateKey, { status: 409 });
  return new DomainError(reason, { status: role ? 403 : 409, values: { action, state } });
}

/** What the audit row says, when the caller names it (the act the transition is part of). County and township come from the row. */
export type AuditOf = Omit<AuditEntry, "countyId" | "townshipId">;

export interface TransitionOptions<Row, S extends string> {
  /** Who may touch the row at all (403), checked on the locked row before the table, so a stranger learns nothing of its state. */
  precheck?: (row: Row) => void | Promise<void>;
  /** For an action the clock decides (`clock: true`): the instant it falls due; refused (409) before it. */
  dueAt?: Date;
  /** The states the caller read the row in; a row found in another state is refused (409) even where the table would allow the action. */
  expectFrom?: readonly S[];
  /** Checks the table cannot make (ownership, the form), run on the locked row after the table's check and before any write. */
  guard?: (row: Row) => void | Promise<void>;
  /** Other columns written with the state (never the state itself). */
  set?: Partial<Row> | ((row: Row) => Partial<Row> | Promise<Partial<Row>>);
  /** Extra fields of the default audit row (`<lifecycle>.<action>`, before/after state). */
  detail?: Record<string, unknown> | ((before: Row) => Record<string, unknown> | undefined);
  /** The audit row, when the transition is part of a named act (tender.publish, award.sign …); by default `<lifecycle>.<action>`. Run after the write. */
  audit?: (t: { before: Row; after: Row }) => AuditOf | Promise<AuditOf>;
}

/** What a caller passes to `transition()`: who acts, on which row, which action, and the options above. */
export type TransitionParams<Row, S extends string, A extends string> = TransitionOptions<Row, S> & { clock: Clock; actor: Actor; id: string; action: A };

export interface Transitioned<Row> {
  before: Row;
  after: Row;
}

/**
 * What the generic writer needs to know of one lifecycle: its table of
 * transitions, how to lock and read a row, how to write its state (the only
 * update of that column in the code base), where the row's audit rows belong
 * (county, township) and what the audit calls it. A new lifecycle adds one
 * of these to `LIFECYCLES` below.
 */
export interface LifecycleSpec<Row, S extends string, A extends string> {
  /** The audit's object type and the default action prefix (`<name>.<action>`); also the trigger's marker (migration 0023). */
  name: string;
  transitions: Record<A, Rule<S>>;
  stateOf: (row: Row) => S;
  idOf: (row: Row) => string;
  /** Read the row `FOR UPDATE`. */
  lock: (tx: Db, id: string) => Promise<Row | undefined>;
  /** Write the target state and the caller's other columns; return the row as written. */
  write: (tx: Db, row: Row, to: S, extra: Partial<Row>, now: Date) => Promise<Row>;
  /** The county and township the row's audit rows belong to. */
  scope: (tx: Db, row: Row) => Promise<{ countyId: string | null; townshipId: string | null }>;
  /** Where a `to: "previous"` leads, and what else such a move writes; by default the row stays where it is. */
  previous?: (row: Row, state: S) => S;
  /** Columns the lifecycle itself writes with some moves (e.g. the project's state before a cancellation request). */
  alongside?: (row: Row, from: S, to: S) => Partial<Row>;
}

/**
 * The one writer: lock the row, check the lifecycle's table, let the caller
 * check what the table cannot know, write the table's target state with the
 * caller's other columns as the lifecycle's writer (the database refuses any
 * other change of the column), append the audit row. The table's roles are
 * checked against the actor's role, except for an action no role takes
 * (`roles: []`): that one follows from the act that caused it (the close of
 * bidding, a failed evaluation, the report's last signature), and the actor
 * who caused it is recorded.
 */
async function write<Row, S extends string, A extends string>(
  tx: Db,
  spec: LifecycleSpec<Row, S, A>,
  { clock, actor, id, action, ...opts }: TransitionParams<Row, S, A>,
): Promise<Transitioned<Row>> {
  const row = await spec.lock(tx, id);
  if (!row) throw new DomainError("errors.notFound", { status: 404 });
  await opts.precheck?.(row);
  const state = spec.stateOf(row);
  const rule: Rule<S> = spec.transitions[action];
  const verdict = checkRule(rule, action, state, rule.roles.length === 0 ? null : roleOf(actor));
  if (!verdict.ok) throw refusal(verdict.reason, action, state);
  if (opts.expectFrom && !opts.expectFrom.includes(state)) throw refusal("errors.transition.state", action, state);
  if (rule.clock) {
    if (!opts.dueAt) throw new Error(`${spec.name}.${action} is decided by the clock: say when it falls due`);
    if (clock.now() < opts.dueAt) throw refusal("errors.transition.state", action, state);
  }
  await opts.guard?.(row);
  const extra = typeof opts.set === "function" ? await opts.set(row) : (opts.set ?? {});
  const to: S = verdict.to !== "previous" ? verdict.to : spec.previous ? spec.previous(row, state) : state;
  const after = await asWriter(tx, spec.name, () => spec.write(tx, row, to, { ...extra, ...spec.alongside?.(row, state, to) }, clock.now()));
  const detail = typeof opts.detail === "function" ? opts.detail(row) : opts.detail;
  const entry: AuditOf = opts.audit
    ? await opts.audit({ before: row, after })
    : { action: `${spec.name}.${action}`, objectType: spec.name, objectId: spec.idOf(row), before: { state }, after: { state: to }, detail };
  await appendAudit(tx, clock, actor, { ...entry, ...(await spec.scope(tx, row)) });
  return { before: row, after };
}

/** The project (projects.state). */
const project: LifecycleSpec<Project, ProjectState, ProjectAction> = {
  name: "project",
  transitions: TRANSITIONS,
  stateOf: (p) => p.state,
  idOf: (p) => p.id,
  lock: async (tx, id) => (await tx.select().from(projects).where(eq(projects.id, id)).for("update"))[0],
  write: async (tx, p, to, extra, now) =>
    (
      await tx
        .update(projects)
        .set({ ...extra, state: to, updatedAt: now })
        .where(eq(projects.id, p.id))
        .returning()
    )[0],
  scope: async (_tx, p) => ({ countyId: p.countyId, townshipId: p.townshipId }),
  // "previous": back to the state before the cancellation request, or stay where it is.
  previous: (p, state) => (state === "cancel_requested" ? (p.stateBeforeCancel ?? "draft") : state),
  // A cancellation request remembers where the project was; leaving it forgets.
  alongside: (_p, from, to) => (to === "cancel_requested" ? { stateBeforeCancel: from } : from === "cancel_requested" ? { stateBeforeCancel: null } : {}),
};

/**
 * Check a project action without taking it, with the writer's mapping (403
 * wrong role, 409 wrong state): for a caller that must refuse before its
 * other checks and takes the transition later in the same transaction.
 */
export function assertProjectAction(state: ProjectState, action: ProjectAction, actor: Actor, opts: { stateKey?: string } = {}): void {
  const rule: Rule<ProjectState> = TRANSITIONS[action];
  const verdict = checkTransition(state, action, rule.roles.length === 0 ? null : roleOf(actor));
  if (!verdict.ok) throw refusal(verdict.reason, action, state, opts.stateKey);
}

/**
 * The close of bidding: one transition, taken by whichever comes first after
 * the deadline — the scheduler's round or the host starting the opening —
 * recorded once, by the system, with the deadline.
 */
export async function closeBidding(tx: Db, clock: Clock, projectId: string, deadline: Date): Promise<Transitioned<Project>> {
  return transition(tx, {
    lifecycle: "project",
    clock,
    actor: SYSTEM_ACTOR,
    id: projectId,
    action: "close_bidding",
    expectFrom: ["published"],
    dueAt: deadline,
    detail: { deadline: deadline.toISOString() },
  });
}

/**
 * A new project starts in its table's first state (draft); the caller writes
 * its creation's audit row with what else it records (the decisions).
 */
export async function insertProject(tx: Db, values: Omit<typeof projects.$inferInsert, "state" | "stateBeforeCancel">): Promise<Project> {
  const [row] = await tx
    .insert(projects)
    .values({ ...values, state: PROJECT_STATES[0] })
    .returning();
  return row;
}

// ── The remote opening, the bids at it, the bids ────────────────────────

type Opening = typeof openings.$inferSelect;
type BidOpening = typeof bidOpenings.$inferSelect;
type Bid = typeof bids.$inferSelect;

/** The county and township a tender's rows belong to: its project's. */
async function tenderScope(tx: Db, tenderId: string): Promise<{ countyId: string | null; townshipId: string | null }> {
  const [row] = await tx
    .select({ countyId: projects.countyId, townshipId: projects.townshipId })
    .from(tenders)
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .where(eq(tenders.id, tenderId));
  return row ?? { countyId: null, townshipId: null };
}

/** The opening of a tender (openings.state), keyed by the tender's id. */
const opening: LifecycleSpec<Opening, OpeningState, OpeningAction> = {
  name: "opening",
  transitions: OPENING_TRANSITIONS,
  stateOf: (o) => o.state,
  idOf: (o) => o.tenderId,
  lock: async (tx, tenderId) => (await tx.select().from(openings).where(eq(openings.tenderId, tenderId)).for("update"))[0],
  write: async (tx, o, to, extra) =>
    (
      await tx
        .update(openings)
        .set({ ...extra, state: to })
        .where(eq(openings.tenderId, o.tenderId))
        .returning()
    )[0],
  scope: (tx, o) => tenderScope(tx, o.tenderId),
};

/** A bid at the opening (bid_openings.status), keyed by the bid's id. */
const bidOpening: LifecycleSpec<BidOpening, BidOpeningStatus, BidOpeningAction> = {
  name: "bid_opening",
  transitions: BID_OPENING_TRANSITIONS,
  stateOf: (b) => b.status,
  idOf: (b) => b.bidId,
  lock: async (tx, bidId) => (await tx.select().from(bidOpenings).where(eq(bidOpenings.bidId, bidId)).for("update"))[0],
  write: async (tx, b, to, extra) =>
    (
      await tx
        .update(bidOpenings)
        .set({ ...extra, status: to })
        .where(eq(bidOpenings.bidId, b.bidId))
        .returning()
    )[0],
  scope: (tx, b) => tenderScope(tx, b.tenderId),
};

/** A company's bid on a tender (bids.status). */
const bid: LifecycleSpec<Bid, BidStatus, BidAction> = {
  name: "bid",
  transitions: BID_TRANSITIONS,
  stateOf: (b) => b.status,
  idOf: (b) => b.id,
  lock: async (tx, id) => (await tx.select().from(bids).where(eq(bids.id, id)).for("update"))[0],
  write: async (tx, b, to, extra, now) =>
    (
      await tx
        .update(bids)
        .set({ ...extra, status: to, updatedAt: now })
        .where(eq(bids.id, b.id))
        .returning()
    )[0],
  scope: (tx, b) => tenderScope(tx, b.tenderId),
};

/** The opening row of a tender starts in its table's first state (waiting); the host's start of decryption moves it on. */
export async function insertOpening(tx: Db, values: Omit<typeof openings.$inferInsert, "state">): Promise<Opening> {
  const [row] = await tx
    .insert(openings)
    .values({ ...values, state: OPENING_STATES[0] })
    .returning();
  return row;
}

/**
 * The bids at an opening get their rows when decryption starts: a bid sealed
 * at the deadline waits to be decrypted (the table's first status); a bid
 * withdrawn before the deadline is there only to be named (withdrawn), and
 * no action leads out of that.
 */
export async function insertBidOpenings(tx: Db, tenderId: string, at: readonly { bidId: string; bidStatus: BidStatus }[]): Promise<void> {
  if (!at.length) return;
  const statusOf = (s: BidStatus): BidOpeningStatus => (s === "sealed" ? BID_OPENING_STATUSES[0] : "withdrawn");
  await tx.insert(bidOpenings).values(at.map((b) => ({ bidId: b.bidId, tenderId, status: statusOf(b.bidStatus), confirmation: "pending" as const })));
}

/** A company's first sealed version makes its bid, in its table's first status (sealed); the caller writes the act's audit row. */
export async function insertBid(tx: Db, values: Omit<typeof bids.$inferInsert, "status">): Promise<Bid> {
  const [row] = await tx
    .insert(bids)
    .values({ ...values, status: BID_STATUSES[0] })
    .returning();
  return row;
}

// ── Evaluation, award, complaint, objection, panel member, pool membership (issue 19) ──

const { evaluations, awards, complaints, objections, panelMembers, poolMemberships, orgs } = schema;
type Evaluation = typeof evaluations.$inferSelect;
type Award = typeof awards.$inferSelect;
type Complaint = typeof complaints.$inferSelect;
type Objection = typeof objections.$inferSelect;
type PanelMember = typeof panelMembers.$inferSelect;
type PoolMembership = typeof poolMemberships.$inferSelect;

/** The evaluation (evaluations.state), one per tender, keyed by the tender's id. */
const evaluation: LifecycleSpec<Evaluation, EvaluationState, EvaluationAction> = {
  name: "evaluation",
  transitions: EVALUATION_TRANSITIONS,
  stateOf: (e) => e.state,
  idOf: (e) => e.tenderId,
  lock: async (tx, tenderId) => (await tx.select().from(evaluations).where(eq(evaluations.tenderId, tenderId)).for("update"))[0],
  // The evaluation has no updatedAt: each step records when it began (stepStartedAt) through `set`.
  write: async (tx, e, to, extra) =>
    (
      await tx
        .update(evaluations)
        .set({ ...extra, state: to })
        .where(eq(evaluations.tenderId, e.tenderId))
        .returning()
    )[0],
  scope: (tx, e) => tenderScope(tx, e.tenderId),
};

/** The evaluation starts in its table's first state (checking) once the panel is complete. */
export async function insertEvaluation(tx: Db, values: Omit<typeof evaluations.$inferInsert, "state">): Promise<Evaluation> {
  const [row] = await tx
    .insert(evaluations)
    .values({ ...values, state: EVALUATION_STATES[0] })
    .returning();
  return row;
}

/** The award (awards.state), one per tender, keyed by the tender's id. */
const award: LifecycleSpec<Award, AwardState, AwardAction> = {
  name: "award",
  transitions: AWARD_TRANSITIONS,
  stateOf: (a) => a.state,
  idOf: (a) => a.tenderId,
  lock: async (tx, tenderId) => (await tx.select().from(awards).where(eq(awards.tenderId, tenderId)).for("update"))[0],
  write: async (tx, a, to, extra) =>
    (
      await tx
        .update(awards)
        .set({ ...extra, state: to })
        .where(eq(awards.tenderId, a.tenderId))
        .returning()
    )[0],
  scope: (tx, a) => tenderScope(tx, a.tenderId),
};

/** The committee's first decision starts the award in its table's first state (pending_approval). */
export async function insertAward(tx: Db, values: Omit<typeof awards.$inferInsert, "state">): Promise<Award> {
  const [row] = await tx
    .insert(awards)
    .values({ ...values, state: AWARD_STATES[0] })
    .returning();
  return row;
}

/** A complaint (complaints.state). */
const complaint: LifecycleSpec<Complaint, ComplaintState, ComplaintAction> = {
  name: "complaint",
  transitions: COMPLAINT_TRANSITIONS,
  stateOf: (c) => c.state,
  idOf: (c) => c.id,
  lock: async (tx, id) => (await tx.select().from(complaints).where(eq(complaints.id, id)).for("update"))[0],
  write: async (tx, c, to, extra) =>
    (
      await tx
        .update(complaints)
        .set({ ...extra, state: to })
        .where(eq(complaints.id, c.id))
        .returning()
    )[0],
  scope: (tx, c) => tenderScope(tx, c.tenderId),
};

/** A filed complaint starts in its table's first state (filed). */
export async function insertComplaint(tx: Db, values: Omit<typeof complaints.$inferInsert, "state">): Promise<Complaint> {
  const [row] = await tx
    .insert(complaints)
    .values({ ...values, state: COMPLAINT_STATES[0] })
    .returning();
  return row;
}

/** An objection (objections.state). */
const objection: LifecycleSpec<Objection, ObjectionState, ObjectionAction> = {
  name: "objection",
  transitions: OBJECTION_TRANSITIONS,
  stateOf: (o) => o.state,
  idOf: (o) => o.id,
  lock: async (tx, id) => (await tx.select().from(objections).where(eq(objections.id, id)).for("update"))[0],
  write: async (tx, o, to, extra) =>
    (
      await tx
        .update(objections)
        .set({ ...extra, state: to })
        .where(eq(objections.id, o.id))
        .returning()
    )[0],
  scope: (tx, o) => tenderScope(tx, o.tenderId),
};

/** A filed objection starts in its table's first state (open). */
export async function insertObjection(tx: Db, values: Omit<typeof objections.$inferInsert, "state">): Promise<Objection> {
  const [row] = await tx
    .insert(objections)
    .values({ ...values, state: OBJECTION_STATES[0] })
    .returning();
  return row;
}

/** A panel seat is keyed by tender and expert: `transition()` takes the two as one id. */
export function panelMemberId(tenderId: string, expertId: string): string {
  return `${tenderId}/${expertId}`;
}

/** A drawn expert's seat on a panel (panel_members.status). */
const panelMember: LifecycleSpec<PanelMember, PanelMemberStatus, PanelMemberAction> = {
  name: "panel_member",
  transitions: PANEL_MEMBER_TRANSITIONS,
  stateOf: (m) => m.status,
  idOf: (m) => panelMemberId(m.tenderId, m.expertId),
  lock: async (tx, id) => {
    const [tenderId, expertId] = id.split("/");
    if (!tenderId || !expertId) return undefined;
    return (
      await tx
        .select()
        .from(panelMembers)
        .where(and(eq(panelMembers.tenderId, tenderId), eq(panelMembers.expertId, expertId)))
        .for("update")
    )[0];
  },
  write: async (tx, m, to, extra) =>
    (
      await tx
        .update(panelMembers)
        .set({ ...extra, status: to })
        .where(and(eq(panelMembers.tenderId, m.tenderId), eq(panelMembers.expertId, m.expertId)))
        .returning()
    )[0],
  scope: (tx, m) => tenderScope(tx, m.tenderId),
};

/** The draw seats every drawn expert (members and reserves) in the table's first state (assigned). */
export async function insertPanelMembers(tx: Db, rows: readonly Omit<typeof panelMembers.$inferInsert, "status">[]): Promise<PanelMember[]> {
  if (!rows.length) return [];
  return tx
    .insert(panelMembers)
    .values(rows.map((r) => ({ ...r, status: PANEL_MEMBER_STATUSES[0] })))
    .returning();
}

/** A company's place in a township's candidate pool (pool_memberships.status). */
const poolMembership: LifecycleSpec<PoolMembership, PoolMembershipStatus, PoolMembershipAction> = {
  name: "pool_membership",
  transitions: POOL_MEMBERSHIP_TRANSITIONS,
  stateOf: (m) => m.status,
  idOf: (m) => m.id,
  lock: async (tx, id) => (await tx.select().from(poolMemberships).where(eq(poolMemberships.id, id)).for("update"))[0],
  write: async (tx, m, to, extra) =>
    (
      await tx
        .update(poolMemberships)
        .set({ ...extra, status: to })
        .where(eq(poolMemberships.id, m.id))
        .returning()
    )[0],
  scope: async (tx, m) => {
    const [township] = await tx.select({ countyId: orgs.countyId }).from(orgs).where(eq(orgs.id, m.townshipId));
    return { countyId: township?.countyId ?? null, townshipId: m.townshipId };
  },
};

/** A company's first application to a township's pool starts in the table's first state (pending); applying again is `reapply`. */
export async function insertPoolMembership(tx: Db, values: Omit<typeof poolMemberships.$inferInsert, "status">): Promise<PoolMembership> {
  const [row] = await tx
    .insert(poolMemberships)
    .values({ ...values, status: POOL_MEMBERSHIP_STATUSES[0] })
    .returning();
  return row;
}

/** Every converted lifecycle: its row, its states and its actions, by the name callers give `transition()`. */
type Lifecycles = {
  project: { row: Project; state: ProjectState; action: ProjectAction };
  opening: { row: Opening; state: OpeningState; action: OpeningAction };
  bid_opening: { row: BidOpening; state: BidOpeningStatus; action: BidOpeningAction };
  bid: { row: Bid; state: BidStatus; action: BidAction };
  evaluation: { row: Evaluation; state: EvaluationState; action: EvaluationAction };
  award: { row: Award; state: AwardState; action: AwardAction };
  complaint: { row: Complaint; state: ComplaintState; action: ComplaintAction };
  objection: { row: Objection; state: ObjectionState; action: ObjectionAction };
  panel_member: { row: PanelMember; state: PanelMemberStatus; action: PanelMemberAction };
  pool_membership: { row: PoolMembership; state: PoolMembershipStatus; action: PoolMembershipAction };
};
export type LifecycleName = keyof Lifecycles;
type Spec<L extends LifecycleName> = LifecycleSpec<Lifecycles[L]["row"], Lifecycles[L]["state"], Lifecycles[L]["action"]>;

const LIFECYCLES: { [L in LifecycleName]: Spec<L> } = {
  project,
  opening,
  bid_opening: bidOpening,
  bid,
  evaluation,
  award,
  complaint,
  objection,
  panel_member: panelMember,
  pool_membership: poolMembership,
};

/**
 * Take `action` on the `lifecycle` object `id`, inside the caller's
 * transaction `tx`. Refusals are DomainErrors (404 no row, 403 wrong role,
 * 409 wrong state); nothing is written unless everything passes.
 */
export async function transition<L extends LifecycleName>(
  tx: Db,
  params: { lifecycle: L } & TransitionParams<Lifecycles[L]["row"], Lifecycles[L]["state"], Lifecycles[L]["action"]>,
): Promise<Transitioned<Lifecycles[L]["row"]>> {
  const { lifecycle, ...rest } = params;
  const spec: Spec<L> = LIFECYCLES[lifecycle];
  return write(tx, spec, rest);
}
