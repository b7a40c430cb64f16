import { describe, expect, it } from "vitest";
import {
  allowedActionsOf,
  BID_OPENING_STATUSES,
  BID_OPENING_TRANSITIONS,
  BID_STATUSES,
  BID_TRANSITIONS,
  checkRule,
  OPENING_STATES,
  OPENING_TRANSITIONS,
  type Rule,
} from "~/models/lifecycle";
import { schema } from "~/utils/db.server";

describe("the opening's, a bid's at the opening and the bid's tables", () => {
  it("read their states from the pgEnums, in the same order", () => {
    expect(OPENING_STATES).toEqual(schema.openingState.enumValues);
    expect(BID_OPENING_STATUSES).toEqual(schema.bidOpeningStatus.enumValues);
    expect(BID_STATUSES).toEqual(schema.bidStatus.enumValues);
  });

  it("give the host the opening's moves one at a time, and nobody the failure (it follows from the count)", () => {
    expect(allowedActionsOf(OPENING_TRANSITIONS, "waiting", "committee")).toEqual(["start_decryption"]);
    expect(allowedActionsOf(OPENING_TRANSITIONS, "decrypting", "agent")).toEqual(["extend_window", "start_reading"]);
    expect(allowedActionsOf(OPENING_TRANSITIONS, "reading", "committee")).toEqual(["close"]);
    for (const s of ["closed", "failed"] as const) expect(allowedActionsOf(OPENING_TRANSITIONS, s, "committee")).toEqual([]);
    expect(allowedActionsOf(OPENING_TRANSITIONS, "decrypting", "contractor")).toEqual([]);
    expect(checkRule(OPENING_TRANSITIONS.fail, "fail", "decrypting", null)).toEqual({ ok: true, to: "failed" });
    expect(checkRule(OPENING_TRANSITIONS.fail, "fail", "decrypting", "committee")).toMatchObject({ ok: false, reason: "errors.transition.role" });
  });

  it("let a bidder decrypt a waiting bid only; the window's end settles the rest by the clock", () => {
    expect(allowedActionsOf(BID_OPENING_TRANSITIONS, "waiting", "contractor")).toEqual(["decrypt"]);
    for (const s of BID_OPENING_STATUSES.filter((x) => x !== "waiting")) expect(allowedActionsOf(BID_OPENING_TRANSITIONS, s, "contractor")).toEqual([]);
    const settle: Rule<string>[] = [BID_OPENING_TRANSITIONS.revoke, BID_OPENING_TRANSITIONS.platform_withdraw];
    for (const r of settle) expect(r).toMatchObject({ from: ["waiting"], roles: [], clock: true });
  });

  it("let a bidder replace or withdraw a sealed bid, and seal again after a withdrawal", () => {
    expect(allowedActionsOf(BID_TRANSITIONS, "sealed", "contractor")).toEqual(["replace", "withdraw"]);
    expect(allowedActionsOf(BID_TRANSITIONS, "withdrawn", "contractor")).toEqual(["replace"]);
    expect(allowedActionsOf(BID_TRANSITIONS, "sealed", "committee")).toEqual([]);
  });
});
