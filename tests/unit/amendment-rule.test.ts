import { describe, expect, it } from "vitest";
import { deadlineAfterAmendment } from "~/models/tender-qa.server";

const at = (s: string) => new Date(s);

describe("the late-amendment rule: max(old deadline, amendment time + N days)", () => {
  const deadline = at("2026-12-01T01:30:00Z");

  it("moves the deadline when an amendment affecting bids comes less than N days before it", () => {
    const r = deadlineAfterAmendment(deadline, at("2026-11-29T02:00:00Z"), 3, true);
    expect(r).toEqual({ deadline: at("2026-12-02T02:00:00Z"), extended: true });
  });

  it("leaves it when the amendment comes N days or more before", () => {
    expect(deadlineAfterAmendment(deadline, at("2026-11-28T01:30:00Z"), 3, true)).toEqual({ deadline, extended: false });
    expect(deadlineAfterAmendment(deadline, at("2026-11-20T00:00:00Z"), 3, true)).toEqual({ deadline, extended: false });
  });

  it("leaves it for an amendment that does not affect bid preparation, however late", () => {
    expect(deadlineAfterAmendment(deadline, at("2026-11-30T23:00:00Z"), 3, false)).toEqual({ deadline, extended: false });
  });

  it("uses the county's N, including 0 (never extends)", () => {
    expect(deadlineAfterAmendment(deadline, at("2026-11-30T23:00:00Z"), 0, true).extended).toBe(false);
    expect(deadlineAfterAmendment(deadline, at("2026-11-20T00:00:00Z"), 15, true)).toEqual({ deadline: at("2026-12-05T00:00:00Z"), extended: true });
  });
});
