import { describe, expect, it } from "vitest";
import {
  allowedActionsOf,
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
  type Rule,
} from "~/models/lifecycle";
import { schema } from "~/utils/db.server";

/** The lifecycles converted to one writer after the project (ADR 0038): each one's list is its pgEnum's, its table reaches every state it names. */
const LIFECYCLES: { name: string; states: readonly string[]; enumValues: readonly string[]; table: Record<string, Rule<string>>; unreached?: string[] }[] = [
  { name: "evaluation", states: EVALUATION_STATES, enumValues: schema.evaluationState.enumValues, table: EVALUATION_TRANSITIONS },
  { name: "award", states: AWARD_STATES, enumValues: schema.awardState.enumValues, table: AWARD_TRANSITIONS },
  { name: "complaint", states: COMPLAINT_STATES, enumValues: schema.complaintState.enumValues, table: COMPLAINT_TRANSITIONS },
  { name: "objection", states: OBJECTION_STATES, enumValues: schema.objectionState.enumValues, table: OBJECTION_TRANSITIONS },
  // A reserve who was not needed: listed, no transition leads there yet.
  { name: "panel member", states: PANEL_MEMBER_STATUSES, enumValues: schema.panelMemberStatus.enumValues, table: PANEL_MEMBER_TRANSITIONS, unreached: ["unused"] },
  { name: "pool membership", states: POOL_MEMBERSHIP_STATUSES, enumValues: schema.poolStatus.enumValues, table: POOL_MEMBERSHIP_TRANSITIONS },
];

describe("the lifecycles of a tender's evaluation, award, complaints, objections, panel and pool", () => {
  it.each(LIFECYCLES)("keeps one state list for the $name: the pgEnum's", ({ states, enumValues }) => {
    expect(states).toEqual(enumValues);
  });

  it.each(LIFECYCLES)("reaches every state of the $name from its first one", ({ states, table, unreached = [] }) => {
    const seen = new Set([states[0]]);
    for (let grew = true; grew;) {
      grew = false;
      for (const rule of Object.values(table))
        if (rule.to !== "previous" && !seen.has(rule.to) && rule.from.some((s) => seen.has(s))) {
          seen.add(rule.to);
          grew = true;
        }
    }
    expect([...states].filter((s) => !seen.has(s))).toEqual(unreached);
  });

  it("gives each role the buttons its table allows", () => {
    expect(allowedActionsOf(COMPLAINT_TRANSITIONS, "filed", "supervisor").sort()).toEqual(["accept", "reject"]);
    expect(allowedActionsOf(COMPLAINT_TRANSITIONS, "accepted", "supervisor").sort()).toEqual(["dismiss", "uphold"]);
    expect(allowedActionsOf(COMPLAINT_TRANSITIONS, "filed", "committee")).toEqual([]);
    expect(allowedActionsOf(OBJECTION_TRANSITIONS, "open", "agent")).toEqual(["answer"]);
    expect(allowedActionsOf(OBJECTION_TRANSITIONS, "answered", "committee")).toEqual([]);
    expect(allowedActionsOf(AWARD_TRANSITIONS, "pending_approval", "supervisor").sort()).toEqual(["approve", "reject"]);
    expect(allowedActionsOf(AWARD_TRANSITIONS, "approved", "committee")).toEqual(["sign"]);
    expect(allowedActionsOf(AWARD_TRANSITIONS, "rejected", "committee")).toEqual(["decide"]);
    expect(allowedActionsOf(PANEL_MEMBER_TRANSITIONS, "assigned", "expert").sort()).toEqual(["accept", "recuse"]);
    expect(allowedActionsOf(POOL_MEMBERSHIP_TRANSITIONS, "pending", "contractor")).toEqual(["withdraw"]);
    expect(allowedActionsOf(POOL_MEMBERSHIP_TRANSITIONS, "rejected", "contractor")).toEqual(["reapply"]);
    expect(allowedActionsOf(POOL_MEMBERSHIP_TRANSITIONS, "pending", "supervisor").sort()).toEqual(["admit", "reject"]);
  });

  it("leaves the evaluation's steps to the panel's last hand-in: no role takes them, the supervisor's secret aside", () => {
    for (const s of EVALUATION_STATES) expect(allowedActionsOf(EVALUATION_TRANSITIONS, s, "expert"), s).toEqual([]);
    expect(allowedActionsOf(EVALUATION_TRANSITIONS, "secret", "supervisor")).toEqual(["reveal_secret"]);
  });
});
