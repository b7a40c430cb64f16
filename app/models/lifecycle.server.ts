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
import { eq, sql } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole, type Project } from "~/utils/db.server";
import { appendAudit, memberRoleOf, SYSTEM_ACTOR, type Actor, type AuditEntry } from "./audit.server";
import { DomainError } from "./errors";
import { checkTransition, PROJECT_STATES, TRANSITIONS, type ProjectAction, type ProjectState, type Rule } from "./lifecycle";

const { projects } = schema;

/**
 * Run the one update of a state column as the lifecycle's writer: the
 * database refuses any other change of it (migration 0023, a trigger per
 * state column that wants this transaction-local marker). The marker is
 * cleared at once, so nothing later in the transaction rides on it.
 */
async function asWriter<T>(tx: Db, lifecycle: keyof Writers, write: () => Promise<T>): Promise<T> {
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
 */
export function refusal(reason: string, action: string, state: string): DomainError {
  return new DomainError(reason, { status: reason === "errors.transition.role" ? 403 : 409, values: { action, state } });
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
  set?: Partial<Omit<Row, "state">> | ((row: Row) => Partial<Omit<Row, "state">> | Promise<Partial<Omit<Row, "state">>>);
  /** Extra fields of the default audit row (`project.<action>`, before/after state). */
  detail?: Record<string, unknown> | ((before: Row) => Record<string, unknown> | undefined);
  /** The audit row, when the transition is part of a named act (tender.publish, award.sign …); by default `project.<action>`. */
  audit?: (t: { before: Row; after: Row }) => AuditOf;
}

export interface Transitioned<Row> {
  before: Row;
  after: Row;
}

/**
 * The project's writer. The table's roles are checked against the actor's
 * role, except for an action no role takes (`roles: []`: the close of
 * bidding, a failed evaluation, the report's last signature): that one
 * follows from the act that caused it, and the actor who caused it is recorded.
 */
async function transitionProject(
  tx: Db,
  clock: Clock,
  actor: Actor,
  id: string,
  action: ProjectAction,
  opts: TransitionOptions<Project, ProjectState>,
): Promise<Transitioned<Project>> {
  const [row] = await tx.select().from(projects).where(eq(projects.id, id)).for("update");
  if (!row) throw new DomainError("errors.notFound", { status: 404 });
  await opts.precheck?.(row);
  const state = row.state;
  const rule: Rule<ProjectState> = TRANSITIONS[action];
  const verdict = checkTransition(state, action, rule.roles.length === 0 ? null : roleOf(actor));
  if (!verdict.ok) throw refusal(verdict.reason, action, state);
  if (opts.expectFrom && !opts.expectFrom.includes(state)) throw refusal("errors.transition.state", action, state);
  if (rule.clock) {
    if (!opts.dueAt) throw new Error(`project.${action} is decided by the clock: say when it falls due`);
    if (clock.now() < opts.dueAt) throw refusal("errors.transition.state", action, state);
  }
  await opts.guard?.(row);
  const extra = typeof opts.set === "function" ? await opts.set(row) : (opts.set ?? {});
  // "previous": back to the state before the cancellation request, or stay where it is.
  const to: ProjectState = verdict.to !== "previous" ? verdict.to : state === "cancel_requested" ? (row.stateBeforeCancel ?? "draft") : state;
  // A cancellation request remembers where the project was; leaving it forgets.
  const cancel = to === "cancel_requested" ? { stateBeforeCancel: state } : state === "cancel_requested" ? { stateBeforeCancel: null } : {};
  const [after] = await asWriter(tx, "project", () =>
    tx
      .update(projects)
      .set({ ...extra, ...cancel, state: to, updatedAt: clock.now() })
      .where(eq(projects.id, id))
      .returning(),
  );
  const detail = typeof opts.detail === "function" ? opts.detail(row) : opts.detail;
  const entry: AuditOf = opts.audit
    ? opts.audit({ before: row, after })
    : { action: `project.${action}`, objectType: "project", objectId: row.id, before: { state }, after: { state: to }, detail };
  await appendAudit(tx, clock, actor, { ...entry, countyId: row.countyId, townshipId: row.townshipId });
  return { before: row, after };
}

/**
 * Check a project action without taking it, with the writer's mapping (403
 * wrong role, 409 wrong state): for a caller that must refuse before its
 * other checks and takes the transition later in the same transaction.
 */
export function assertProjectAction(state: ProjectState, action: ProjectAction, actor: Actor): void {
  const rule: Rule<ProjectState> = TRANSITIONS[action];
  const verdict = checkTransition(state, action, rule.roles.length === 0 ? null : roleOf(actor));
  if (!verdict.ok) throw refusal(verdict.reason, action, state);
}

/**
 * The close of bidding: one transition, taken by whichever comes first after
 * the deadline — the scheduler's round or the host starting the opening —
 * recorded once, by the system, with the deadline.
 */
export async function closeBidding(tx: Db, clock: Clock, projectId: string, deadline: Date): Promise<Transitioned<Project>> {
  return transitionProject(tx, clock, SYSTEM_ACTOR, projectId, "close_bidding", { expectFrom: ["published"], dueAt: deadline, detail: { deadline: deadline.toISOString() } });
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

type Writers = {
  project: { action: ProjectAction; row: Project; state: ProjectState };
};

/** Each converted lifecycle's writer. */
const WRITERS: {
  [L in keyof Writers]: (
    tx: Db,
    clock: Clock,
    actor: Actor,
    id: string,
    action: Writers[L]["action"],
    opts: TransitionOptions<Writers[L]["row"], Writers[L]["state"]>,
  ) => Promise<Transitioned<Writers[L]["row"]>>;
} = {
  project: transitionProject,
};

/**
 * Take `action` on the `lifecycle` object `id`, inside the caller's
 * transaction `tx`. Refusals are DomainErrors (404 no row, 403 wrong role,
 * 409 wrong state); nothing is written unless everything passes.
 */
export async function transition<L extends keyof Writers>(
  tx: Db,
  {
    clock,
    actor,
    lifecycle,
    id,
    action,
    opts = {},
  }: { clock: Clock; actor: Actor; lifecycle: L; id: string; action: Writers[L]["action"]; opts?: TransitionOptions<Writers[L]["row"], Writers[L]["state"]> },
): Promise<Transitioned<Writers[L]["row"]>> {
  const write: (typeof WRITERS)[L] = WRITERS[lifecycle];
  return write(tx, clock, actor, id, action, opts);
}
