import { describe, expect, it } from "vitest";
import { DEFAULT_COUNTY_SETTINGS as S } from "~/models/county-settings";
import { allowedMethods, bandOf, detectSplitting, similarity, type SplittingCandidate } from "~/models/project-rules";

const WAN = 1_000_000; // 1万元 in fen

describe("threshold banding", () => {
  it("puts estimates into the county's bands, per project type", () => {
    expect(bandOf(S, "works", 9.99 * WAN)).toBe("small");
    expect(bandOf(S, "works", 10 * WAN)).toBe("village");
    expect(bandOf(S, "works", 99 * WAN)).toBe("village");
    expect(bandOf(S, "works", 100 * WAN)).toBe("large");
    expect(bandOf(S, "works", 399.99 * WAN)).toBe("large");
    expect(bandOf(S, "works", 400 * WAN)).toBe("mandatory");
    expect(bandOf(S, "goods", 200 * WAN)).toBe("mandatory");
    expect(bandOf(S, "services", 100 * WAN)).toBe("mandatory");
    expect(bandOf(S, "services", 99 * WAN)).toBe("village");
  });

  it("offers only the methods the band allows", () => {
    expect(allowedMethods(S, "small")).toEqual(["direct_award", "self_build", "open_selection"]);
    expect(allowedMethods(S, "village")).toEqual(["open_selection"]);
    expect(allowedMethods({ ...S, allowDirectAwardInVillageBand: true }, "village")).toContain("direct_award");
    expect(allowedMethods(S, "large")).toEqual(["open_tender"]);
    expect(allowedMethods(S, "mandatory")).toEqual([]);
  });
});

describe("splitting detection", () => {
  const base: SplittingCandidate = {
    id: "p0",
    name: "青山村村道硬化工程（一期）",
    location: "青山村东组至西组",
    scope: "村道水泥硬化 800 米",
    type: "works",
    villageId: "v1",
    estimateFen: 60 * WAN,
    at: new Date("2026-06-01T00:00:00Z"),
  };

  it("compares Chinese texts by character bigrams", () => {
    expect(similarity("青山村村道硬化工程（一期）", "青山村村道硬化工程（二期）")).toBeGreaterThan(0.7);
    expect(similarity("青山村村道硬化工程", "竹林村路灯采购")).toBeLessThan(0.2);
  });

  it("flags similar projects of the same village and type whose sum crosses a band limit", () => {
    const second = { ...base, id: "p1", name: "青山村村道硬化工程（二期）", estimateFen: 50 * WAN, at: new Date("2026-09-01T00:00:00Z") };
    const f = detectSplitting(S, second, [base]);
    expect(f).not.toBeNull();
    expect(f!.combinedFen).toBe(110 * WAN);
    expect(f!.limitFen).toBe(100 * WAN);
    expect(f!.related.map((r) => r.id)).toEqual(["p0"]);
  });

  it("ignores other villages, other types, projects outside the window and unlike projects", () => {
    const second = { ...base, id: "p1", name: "青山村村道硬化工程（二期）", estimateFen: 50 * WAN };
    expect(detectSplitting(S, second, [{ ...base, villageId: "v2" }])).toBeNull();
    expect(detectSplitting(S, second, [{ ...base, type: "goods" }])).toBeNull();
    expect(detectSplitting(S, second, [{ ...base, at: new Date("2025-05-01T00:00:00Z") }])).toBeNull();
    expect(detectSplitting(S, second, [{ ...base, name: "竹林村路灯采购", location: "竹林村", scope: "路灯 30 盏" }])).toBeNull();
  });

  it("does not flag when the sum stays within the same band", () => {
    const small = { ...base, id: "p1", estimateFen: 20 * WAN };
    expect(detectSplitting(S, small, [{ ...base, estimateFen: 30 * WAN }])).toBeNull();
  });

  it("catches two small projects that together need open selection", () => {
    const a = { ...base, id: "a", estimateFen: 6 * WAN };
    const b = { ...base, id: "b", estimateFen: 5 * WAN };
    expect(detectSplitting(S, b, [a])?.limitFen).toBe(10 * WAN);
  });
});
