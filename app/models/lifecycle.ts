/**
 * The lifecycles' transition tables: for every action, the states it may start
 * from, the state it leads to, the roles that may take it and whether the
 * clock decides it. Pure and loaded in the browser too, so pages draw their
 * buttons from the same tables (`allowedActions`).
 *
 * A lifecycle's state is written only by its writer in lifecycle.server.ts
 * (`transition(tx, { lifecycle: "project", clock, actor, id, action, … })`), which locks the
 * row, checks this table, writes the table's target state and appends the
 * audit row in the caller's transaction (ADR 0038). tests/unit/state-writes.test.ts
 * fails on a state write anywhere else.
 *
 * To add a lifecycle: its state list in db/schema/states.ts (the pgEnum is
 * made from it), its table here `as const satisfies Record<string, Rule<…>>`,
 * its `LifecycleSpec` in lifecycle.server.ts (`Lifecycles` and `LIFECYCLES`), a trigger on its state column
 * (as migration 0023 for the project), and out of the test's allowlist.
 */
import type { MemberRole } from "~/utils/db.server";
import {
  AWARD_STATE_VALUES,
  BID_OPENING_STATUS_VALUES,
  BID_STATUS_VALUES,
  COMPLAINT_STATE_VALUES,
  EVALUATION_STATE_VALUES,
  OBJECTION_STATE_VALUES,
  OPENING_STATE_VALUES,
  PANEL_MEMBER_STATUS_VALUES,
  POOL_MEMBERSHIP_STATUS_VALUES,
  PROJECT_STATE_VALUES,
} from "../../db/schema/states";

/** One row of a transition table. `clock`: the action is taken when a time passes (the scheduler, or the first act after it), never by a person's choice. */
export interface Rule<S extends string> {
  from: readonly S[];
  to: S | "previous";
  roles: readonly MemberRole[];
  clock?: true;
}

/** The project's states, from its pgEnum (db/schema/states.ts): one list. */
export const PROJECT_STATES = PROJECT_STATE_VALUES;
export type ProjectState = (typeof PROJECT_STATES)[number];

export const FINAL_STATES: readonly ProjectState[] = ["completed", "cancelled"];

/** States in which a project's tender notice is public (everything from publication on). */
export const PUBLIC_STATES: readonly ProjectState[] = ["published", "opening", "evaluating", "publicity", "awarded", "completed", "failed", "cancel_requested", "cancelled"];

const NON_FINAL = PROJECT_STATES.filter((s) => !FINAL_STATES.includes(s) && s !== "cancel_requested");

export const TRANSITIONS = {
  edit: { from: ["draft", "returned"], to: "draft", roles: ["committee"] },
  submit: { from: ["draft", "returned"], to: "submitted", roles: ["committee"] },
  withdraw_submission: { from: ["submitted"], to: "draft", roles: ["committee"] },
  approve: { from: ["submitted"], to: "approved", roles: ["supervisor"] },
  return: { from: ["submitted"], to: "returned", roles: ["supervisor"] },
  // An appointed agent (招标代理 / 强村公司) prepares documents and answers questions for the committee.
  publish: { from: ["approved"], to: "published", roles: ["committee", "agent"] },
  amend: { from: ["published"], to: "published", roles: ["committee", "agent"] },
  answer: { from: ["published"], to: "published", roles: ["committee", "agent"] },
  register: { from: ["published"], to: "published", roles: ["contractor"] }, // 报名, where the county requires it
  ask: { from: ["published"], to: "published", roles: ["contractor"] },
  bid: { from: ["published"], to: "published", roles: ["contractor"] }, // submit, replace, withdraw or re-seal a sealed bid
  close_bidding: { from: ["published"], to: "opening", roles: [], clock: true }, // the deadline passes
  // The remote opening (不见面开标): bidders sign in before the deadline; the host runs the hall after it.
  sign_in: { from: ["published"], to: "published", roles: ["contractor"] },
  host_opening: { from: ["opening"], to: "opening", roles: ["committee", "agent"] },
  decrypt: { from: ["opening"], to: "opening", roles: ["contractor"] },
  open_bids: { from: ["opening"], to: "evaluating", roles: ["committee", "agent"] },
  fail_tender: { from: ["opening"], to: "failed", roles: ["committee", "agent"] }, // 流标, with the reason recorded
  retender: { from: ["failed"], to: "approved", roles: ["committee"] }, // a new round of the same project
  // Evaluation (评标): the panel checks, scores and signs; the supervisor reveals the draw secret.
  evaluate: { from: ["evaluating"], to: "evaluating", roles: ["expert"] },
  reveal_secret: { from: ["evaluating"], to: "evaluating", roles: ["supervisor"] },
  fail_evaluation: { from: ["evaluating"], to: "failed", roles: [] }, // fewer than 3 qualified bids
  publish_candidates: { from: ["evaluating"], to: "publicity", roles: [] }, // the report's last signature
  // Publicity (公示), objections (异议), complaints (投诉), award (定标).
  object: { from: ["publicity"], to: "publicity", roles: ["contractor"] },
  answer_objection: { from: ["publicity"], to: "publicity", roles: ["committee", "agent"] },
  complain: { from: ["publicity", "awarded"], to: "previous", roles: ["contractor"] },
  handle_complaint: { from: ["publicity", "awarded"], to: "previous", roles: ["supervisor"] },
  uphold_complaint: { from: ["publicity", "awarded"], to: "failed", roles: ["supervisor"] }, // the result falls; a new round follows
  decide_award: { from: ["publicity"], to: "publicity", roles: ["committee"] },
  approve_award: { from: ["publicity"], to: "publicity", roles: ["supervisor"] },
  sign_award: { from: ["publicity"], to: "awarded", roles: ["committee"] },
  record_contract: { from: ["awarded"], to: "awarded", roles: ["committee", "agent"] },
  release_security: { from: ["awarded", "completed"], to: "previous", roles: ["committee", "agent"] },
  complete: { from: ["awarded"], to: "completed", roles: ["committee", "agent"] }, // acceptance (验收) and settlement recorded
  request_cancel: { from: NON_FINAL, to: "cancel_requested", roles: ["committee"] },
  approve_cancel: { from: ["cancel_requested"], to: "cancelled", roles: ["supervisor"] },
  reject_cancel: { from: ["cancel_requested"], to: "previous", roles: ["supervisor"] },
} as const satisfies Record<string, Rule<ProjectState>>;

export type ProjectAction = keyof typeof TRANSITIONS;

export type Refusal = { ok: false; reason: string; params?: Record<string, string> };
export type Verdict = { ok: true; to: ProjectState | "previous" } | Refusal;

/**
 * May `role` take the action `rule` describes on an object in `state`? The
 * reason is a translation key: errors.transition.role / errors.transition.state.
 * `role` null means the system itself (deadlines, the scheduler). One check
 * for every lifecycle's table.
 */
export function checkRule<S extends string>(rule: Rule<S>, action: string, state: S, role: MemberRole | null): { ok: true; to: S | "previous" } | Refusal {
  if (role !== null && !rule.roles.includes(role)) return { ok: false, reason: "errors.transition.role", params: { action, state } };
  if (!rule.from.includes(state)) return { ok: false, reason: "errors.transition.state", params: { action, state } };
  return { ok: true, to: rule.to };
}

/** May `role` take `action` on a project in `state`? */
export function checkTransition(state: ProjectState, action: ProjectAction, role: MemberRole | null): Verdict {
  return checkRule<ProjectState>(TRANSITIONS[action], action, state, role);
}

/** Every action a role may take from a state of a lifecycle's table — drives which buttons a page shows. */
export function allowedActionsOf<S extends string, A extends string>(table: Record<A, Rule<S>>, state: S, role: MemberRole | null): A[] {
  return (Object.keys(table) as A[]).filter((a) => checkRule(table[a], a, state, role).ok);
}

/** Every action a role may take on a project in a state. */
export function allowedActions(state: ProjectState, role: MemberRole | null): ProjectAction[] {
  return allowedActionsOf<ProjectState, ProjectAction>(TRANSITIONS, state, role);
}

/**
 * The state as of `now`: a published tender whose deadline has passed is
 * bidding-closed at that very instant, whether or not the scheduler has run.
 */
export function effectiveState(state: ProjectState, deadline: Date | null, now: Date): ProjectState {
  if (state === "published" && deadline && now.getTime() >= deadline.getTime()) return "opening";
  return state;
}

// ── The remote opening (不见面开标, opening.server.ts) ───────────────────

/** The opening's states (openings.state, one row per tender), from its pgEnum. */
export const OPENING_STATES = OPENING_STATE_VALUES;
export type OpeningState = (typeof OPENING_STATES)[number];

/** The opening: the host (the committee or its agent) runs it once bidding has closed (the project's `host_opening`). */
export const OPENING_TRANSITIONS = {
  start_decryption: { from: ["waiting"], to: "decrypting", roles: ["committee", "agent"] }, // the bids in force are counted; the window runs from now
  extend_window: { from: ["decrypting"], to: "decrypting", roles: ["committee", "agent"] }, // once, with the reason (required after a platform incident)
  start_reading: { from: ["decrypting"], to: "reading", roles: ["committee", "agent"] }, // 唱标: once the window has ended, or no bid is left waiting
  close: { from: ["reading"], to: "closed", roles: ["committee", "agent"] }, // every objection answered, every row confirmed or its time over
  fail: { from: ["decrypting"], to: "failed", roles: [] }, // 流标: too few bids at the start, or too few opened at the reading
} as const satisfies Record<string, Rule<OpeningState>>;

export type OpeningAction = keyof typeof OPENING_TRANSITIONS;

/** The statuses of a bid at the opening (bid_openings.status, one row per bid), from its pgEnum. */
export const BID_OPENING_STATUSES = BID_OPENING_STATUS_VALUES;
export type BidOpeningStatus = (typeof BID_OPENING_STATUSES)[number];

/**
 * A bid at the opening: its row is made when decryption starts, waiting
 * (a bid sealed at the deadline) or withdrawn (a bid withdrawn before it).
 * A bid still waiting when the window ends is settled by the clock.
 */
export const BID_OPENING_TRANSITIONS = {
  decrypt: { from: ["waiting"], to: "decrypted", roles: ["contractor"] }, // the bidder's browser hands over the data key in the window
  revoke: { from: ["waiting"], to: "revoked", roles: [], clock: true }, // 视为撤销: not decrypted by the window's end
  platform_withdraw: { from: ["waiting"], to: "platform_withdrawn", roles: [], clock: true }, // 视为撤回: the same, after a platform incident and an extension
} as const satisfies Record<string, Rule<BidOpeningStatus>>;

export type BidOpeningAction = keyof typeof BID_OPENING_TRANSITIONS;

// ── The sealed bid (bid.server.ts) ──────────────────────────────────────

/** The bid's statuses (bids.status, one row per company and tender), from its pgEnum. */
export const BID_STATUSES = BID_STATUS_VALUES;
export type BidStatus = (typeof BID_STATUSES)[number];

/** A company's bid, before the deadline (the project's `bid`): its first sealed version makes the row (sealed). */
export const BID_TRANSITIONS = {
  replace: { from: ["sealed", "withdrawn"], to: "sealed", roles: ["contractor"] }, // a new sealed version: replacing the one in force, or bidding again after a withdrawal
  withdraw: { from: ["sealed"], to: "withdrawn", roles: ["contractor"] }, // a withdrawal version; the sealed versions stay on record
} as const satisfies Record<string, Rule<BidStatus>>;

export type BidAction = keyof typeof BID_TRANSITIONS;

// ── Evaluation, award, complaint, objection, panel member, pool membership (issue 19) ──

/** The evaluation's steps (evaluations.state); the row starts in `checking` once every sitting member has accepted. */
export const EVALUATION_STATES = EVALUATION_STATE_VALUES;
export type EvaluationState = (typeof EVALUATION_STATES)[number];

/**
 * The evaluation (评标). Each step ends when the last member hands in (the
 * system moves it: `roles: []`); the supervisor's draw secret starts
 * comprehensive scoring, while a price method goes straight to the result.
 */
export const EVALUATION_TRANSITIONS = {
  lock_list: { from: ["checking"], to: "secret", roles: [] }, // the last member's checks lock the qualified list
  fail: { from: ["checking"], to: "done", roles: [] }, // fewer qualified bids than the county's minimum (流标)
  reveal_secret: { from: ["secret"], to: "scoring", roles: ["supervisor"] }, // comprehensive scoring follows the draw seed
  close_scoring: { from: ["scoring"], to: "review", roles: [] }, // the last member's scores
  call_explanations: { from: ["review"], to: "explaining", roles: [] }, // scores flagged abnormal by more than the county's share
  compute_result: { from: ["secret", "review", "explaining"], to: "opinions", roles: [] }, // the ranking by the tender's method
  start_signing: { from: ["opinions"], to: "signing", roles: [] }, // the last opinion renders the report
  complete_report: { from: ["signing"], to: "done", roles: [] }, // the last signature or recorded refusal
} as const satisfies Record<string, Rule<EvaluationState>>;
export type EvaluationAction = keyof typeof EVALUATION_TRANSITIONS;

/** The award's states (awards.state); a decision starts it in `pending_approval`. */
export const AWARD_STATES = AWARD_STATE_VALUES;
export type AwardState = (typeof AWARD_STATES)[number];

/** The award (定标). The first candidate needs no approval; another one waits for the supervisor (评定分离). */
export const AWARD_TRANSITIONS = {
  decide: { from: ["rejected"], to: "pending_approval", roles: ["committee"] }, // a new decision after a rejection
  confirm_first: { from: ["pending_approval"], to: "approved", roles: [] }, // the committee chose the first candidate: settled at once
  approve: { from: ["pending_approval"], to: "approved", roles: ["supervisor"] },
  reject: { from: ["pending_approval"], to: "rejected", roles: ["supervisor"] },
  sign: { from: ["approved"], to: "signed", roles: ["committee"] }, // the award notice, under the village's seal
  withdraw: { from: ["pending_approval", "approved", "signed"], to: "rejected", roles: [] }, // an upheld complaint: the result falls
} as const satisfies Record<string, Rule<AwardState>>;
export type AwardAction = keyof typeof AWARD_TRANSITIONS;

/** The complaint's states (complaints.state); filing starts it in `filed`. */
export const COMPLAINT_STATES = COMPLAINT_STATE_VALUES;
export type ComplaintState = (typeof COMPLAINT_STATES)[number];

/** A complaint (投诉): the township supervisor accepts or rejects it, then upholds or dismisses an accepted one. */
export const COMPLAINT_TRANSITIONS = {
  accept: { from: ["filed"], to: "accepted", roles: ["supervisor"] },
  reject: { from: ["filed"], to: "rejected", roles: ["supervisor"] },
  uphold: { from: ["accepted"], to: "upheld", roles: ["supervisor"] }, // the result falls
  dismiss: { from: ["accepted"], to: "dismissed", roles: ["supervisor"] },
} as const satisfies Record<string, Rule<ComplaintState>>;
export type ComplaintAction = keyof typeof COMPLAINT_TRANSITIONS;

/** The objection's states (objections.state); filing starts it in `open`. */
export const OBJECTION_STATES = OBJECTION_STATE_VALUES;
export type ObjectionState = (typeof OBJECTION_STATES)[number];

/** An objection (异议): the committee, or its agent, answers it. */
export const OBJECTION_TRANSITIONS = {
  answer: { from: ["open"], to: "answered", roles: ["committee", "agent"] },
} as const satisfies Record<string, Rule<ObjectionState>>;
export type ObjectionAction = keyof typeof OBJECTION_TRANSITIONS;

/** A panel seat's states (panel_members.status); the draw starts every seat in `assigned`. */
export const PANEL_MEMBER_STATUSES = PANEL_MEMBER_STATUS_VALUES;
export type PanelMemberStatus = (typeof PANEL_MEMBER_STATUSES)[number];

/** A drawn expert declares: no conflict of interest (accept) or a conflict, with a reason (recuse). */
export const PANEL_MEMBER_TRANSITIONS = {
  accept: { from: ["assigned"], to: "accepted", roles: ["expert"] },
  recuse: { from: ["assigned"], to: "recused", roles: ["expert"] },
} as const satisfies Record<string, Rule<PanelMemberStatus>>;
export type PanelMemberAction = keyof typeof PANEL_MEMBER_TRANSITIONS;

/** A pool membership's states (pool_memberships.status); a first application starts it in `pending`. */
export const POOL_MEMBERSHIP_STATUSES = POOL_MEMBERSHIP_STATUS_VALUES;
export type PoolMembershipStatus = (typeof POOL_MEMBERSHIP_STATUSES)[number];

/** A company's place in a township's candidate pool (备选库). */
export const POOL_MEMBERSHIP_TRANSITIONS = {
  reapply: { from: ["rejected", "withdrawn"], to: "pending", roles: ["contractor"] }, // the same row, pending again
  admit: { from: ["pending"], to: "admitted", roles: ["supervisor"] },
  reject: { from: ["pending"], to: "rejected", roles: ["supervisor"] },
  withdraw: { from: ["pending", "admitted"], to: "withdrawn", roles: ["contractor"] },
} as const satisfies Record<string, Rule<PoolMembershipStatus>>;
export type PoolMembershipAction = keyof typeof POOL_MEMBERSHIP_TRANSITIONS;
