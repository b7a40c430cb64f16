import { describe, expect, it } from "vitest";
import { allowedActions, checkTransition, effectiveState, PROJECT_STATES, TRANSITIONS } from "~/models/lifecycle";
import { schema } from "~/utils/db.server";

describe("project state table", () => {
  it("moves a project through registration and approval", () => {
    expect(checkTransition("draft", "submit", "committee")).toEqual({ ok: true, to: "submitted" });
    expect(checkTransition("submitted", "approve", "supervisor")).toEqual({ ok: true, to: "approved" });
    expect(checkTransition("submitted", "return", "supervisor")).toEqual({ ok: true, to: "returned" });
    expect(checkTransition("returned", "submit", "committee")).toEqual({ ok: true, to: "submitted" });
    expect(checkTransition("approved", "publish", "committee")).toEqual({ ok: true, to: "published" });
  });

  it("names why a transition is refused: wrong role or wrong state", () => {
    expect(checkTransition("submitted", "approve", "committee")).toMatchObject({ ok: false, reason: "errors.transition.role" });
    expect(checkTransition("draft", "approve", "supervisor")).toMatchObject({ ok: false, reason: "errors.transition.state" });
    expect(checkTransition("approved", "edit", "committee")).toMatchObject({ ok: false, reason: "errors.transition.state" });
    expect(checkTransition("published", "close_bidding", "committee")).toMatchObject({ ok: false, reason: "errors.transition.role" });
  });

  it("lets only the system close bidding", () => {
    expect(checkTransition("published", "close_bidding", null)).toEqual({ ok: true, to: "opening" });
  });

  it("allows cancellation from every non-final state and never from a final one", () => {
    for (const s of PROJECT_STATES) {
      const v = checkTransition(s, "request_cancel", "committee");
      expect(v.ok, s).toBe(!["completed", "cancelled", "cancel_requested"].includes(s));
    }
  });

  it("lists the buttons a role gets", () => {
    expect(allowedActions("draft", "committee").sort()).toEqual(["edit", "request_cancel", "submit"]);
    expect(allowedActions("submitted", "supervisor").sort()).toEqual(["approve", "return"]);
    expect(allowedActions("submitted", "contractor")).toEqual([]);
  });

  it("keeps one state list: the pgEnum's", () => {
    expect(PROJECT_STATES).toEqual(schema.projectState.enumValues);
  });

  it("refers only to states that exist", () => {
    for (const [action, rule] of Object.entries(TRANSITIONS)) {
      for (const s of rule.from) expect(PROJECT_STATES, action).toContain(s);
      if (rule.to !== "previous") expect(PROJECT_STATES, action).toContain(rule.to);
    }
  });

  it("closes bidding exactly at the deadline, whether or not a job has run", () => {
    const deadline = new Date("2026-12-01T01:30:00Z");
    expect(effectiveState("published", deadline, new Date(deadline.getTime() - 1))).toBe("published");
    expect(effectiveState("published", deadline, deadline)).toBe("opening");
    expect(effectiveState("approved", deadline, deadline)).toBe("approved");
  });
});
