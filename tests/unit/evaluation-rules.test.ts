import { describe, expect, it } from "vitest";
import {
  drawOrder,
  drawSeed,
  priceScores,
  qualifiedListHash,
  randomDraw,
  rankComprehensive,
  rankLowestPrice,
  rankReasonableLow,
  reasonableLowBenchmark,
  secretCommitment,
  settleAbnormalScores,
  showScore,
} from "~/models/evaluation-rules.server";

const S = { dropHighestAt: 6, dropBothAt: 7, coefficientBasisPoints: 9_600 };
const bids = (prices: number[]) => prices.map((priceFen, i) => ({ bidId: `bid-${i + 1}`, priceFen }));
const NONCES = ["a1".repeat(32), "b2".repeat(32), "c3".repeat(32)];

describe("reasonable low price", () => {
  it("drops the highest price at 6 bids and both extremes at 7, then applies the coefficient", () => {
    expect(reasonableLowBenchmark([100, 200, 300, 400, 500], S)).toEqual({ benchmarkFen: 288, used: [100, 200, 300, 400, 500] });
    expect(reasonableLowBenchmark([600, 100, 200, 300, 400, 500], S)).toEqual({ benchmarkFen: 288, used: [100, 200, 300, 400, 500] });
    expect(reasonableLowBenchmark([100, 200, 300, 400, 500, 600, 700], S)).toEqual({ benchmarkFen: 384, used: [200, 300, 400, 500, 600] });
  });

  it("rounds half up to the fen, exactly, even for large prices", () => {
    expect(reasonableLowBenchmark([1, 2], { ...S, coefficientBasisPoints: 10_000 }).benchmarkFen).toBe(2);
    // 99 999 999 998.5 × 0.9999 = 99 989 999 998.50015 → …999 (floating point would not be trusted here).
    expect(reasonableLowBenchmark([99_999_999_999, 99_999_999_998], { ...S, coefficientBasisPoints: 9_999 }).benchmarkFen).toBe(99_989_999_999);
    expect(reasonableLowBenchmark([3, 4], { ...S, coefficientBasisPoints: 10_000 }).benchmarkFen).toBe(4);
    expect(reasonableLowBenchmark([3, 3, 4], { ...S, coefficientBasisPoints: 10_000 }).benchmarkFen).toBe(3);
  });

  it("ranks by distance to the benchmark, equal distances by the draw", () => {
    const order = drawOrder("seed", ["bid-1", "bid-2", "bid-3"]);
    const ranked = rankReasonableLow(bids([280, 296, 300]), 288, order);
    expect(ranked.map((r) => r.bidId).slice(2)).toEqual(["bid-3"]);
    const tied = ranked.slice(0, 2).map((r) => r.bidId);
    expect(tied).toEqual(order.filter((id) => id !== "bid-3"));
    expect(ranked.map((r) => r.tieBrokenByDraw)).toEqual([true, true, false]);
  });
});

describe("lowest evaluated price", () => {
  it("ranks the lowest first", () => {
    expect(rankLowestPrice(bids([300, 100, 200]), ["bid-1", "bid-2", "bid-3"]).map((r) => [r.bidId, r.rank])).toEqual([
      ["bid-2", 1],
      ["bid-3", 2],
      ["bid-1", 3],
    ]);
  });
});

describe("comprehensive scoring", () => {
  it("gives the lowest price the full price weight and the others in proportion, to two decimals", () => {
    const s = priceScores(bids([100_000, 120_000, 130_000]), 60);
    expect([...s.values()].map(showScore)).toEqual(["60.00", "50.00", "46.15"]);
  });

  it("replaces a score more than half the panel finds abnormal by the others' average, unless its expert explained it", () => {
    const scores = [
      { expertId: "A", bidId: "X", score: 3_000 },
      { expertId: "B", bidId: "X", score: 3_100 },
      { expertId: "C", bidId: "X", score: 3_950 },
    ];
    const twoFlags = [
      { expertId: "C", bidId: "X", flaggedBy: "A" },
      { expertId: "C", bidId: "X", flaggedBy: "B" },
    ];
    const settled = settleAbnormalScores({ scores, flags: twoFlags, explained: [], panelSize: 3 });
    expect(settled.replaced).toEqual([{ expertId: "C", bidId: "X", from: 3_950, to: 3_050 }]);
    expect(settleAbnormalScores({ scores, flags: twoFlags, explained: [{ expertId: "C", bidId: "X" }], panelSize: 3 }).replaced).toEqual([]);
    // One flag of three is not "more than half"; an expert's flag on their own score does not count.
    expect(settleAbnormalScores({ scores, flags: [twoFlags[0], { expertId: "C", bidId: "X", flaggedBy: "C" }], explained: [], panelSize: 3 }).replaced).toEqual([]);
  });

  it("adds the price score to the experts' average and ranks the highest total first", () => {
    const b = bids([100_000, 120_000]);
    const scores = [
      { expertId: "A", bidId: "bid-1", score: 2_500 },
      { expertId: "B", bidId: "bid-1", score: 2_601 },
      { expertId: "A", bidId: "bid-2", score: 3_900 },
      { expertId: "B", bidId: "bid-2", score: 3_800 },
    ];
    const ranked = rankComprehensive(b, 60, scores, ["bid-1", "bid-2"]);
    expect(ranked.map((r) => [r.bidId, showScore(r.price), showScore(r.expert), showScore(r.total)])).toEqual([
      ["bid-2", "50.00", "38.50", "88.50"],
      ["bid-1", "60.00", "25.51", "85.51"],
    ]);
  });
});

describe("the verifiable draw", () => {
  const listHash = qualifiedListHash("tender-1", ["bid-2", "bid-1", "bid-3"]);

  it("is recomputable from the published inputs, and changes with any one of them", () => {
    const seed = drawSeed({ nonces: NONCES, secret: "村委会监督员的秘密", qualifiedListHash: listHash });
    expect(drawSeed({ nonces: [...NONCES].reverse(), secret: "村委会监督员的秘密", qualifiedListHash: qualifiedListHash("tender-1", ["bid-3", "bid-2", "bid-1"]) })).toBe(seed);
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(drawSeed({ nonces: [NONCES[0], NONCES[1], "d4".repeat(32)], secret: "村委会监督员的秘密", qualifiedListHash: listHash })).not.toBe(seed);
    expect(drawSeed({ nonces: NONCES, secret: "another", qualifiedListHash: listHash })).not.toBe(seed);
    expect(drawSeed({ nonces: NONCES, secret: "村委会监督员的秘密", qualifiedListHash: qualifiedListHash("tender-1", ["bid-1", "bid-2"]) })).not.toBe(seed);
    expect(() => drawSeed({ nonces: [], secret: "x", qualifiedListHash: listHash })).toThrow();
  });

  it("orders the same ids the same way for the same seed, whatever order they come in", () => {
    const ids = ["bid-1", "bid-2", "bid-3", "bid-4", "bid-5"];
    const order = drawOrder("seed-1", ids);
    expect([...order].sort()).toEqual(ids);
    expect(drawOrder("seed-1", [...ids].reverse())).toEqual(order);
    // Different seeds give different orders for most seeds (here: at least one of three).
    expect(["seed-2", "seed-3", "seed-4"].some((s) => drawOrder(s, ids).join() !== order.join())).toBe(true);
  });

  it("lets the supervisor's secret be checked against the commitment in the notice", () => {
    const published = secretCommitment("监督员秘密-2026");
    expect(secretCommitment("监督员秘密-2026")).toBe(published);
    expect(secretCommitment("监督员秘密-2027")).not.toBe(published);
  });

  it("flags a disqualified bidder the same seed would have put first", () => {
    const seed = "seed-x";
    const all = drawOrder(seed, ["bid-1", "bid-2", "bid-3"]);
    const first = all[0];
    const draw = randomDraw(
      seed,
      all.filter((id) => id !== first),
      [first],
    );
    expect(draw.winner).toBe(all[1]);
    expect(draw.wouldHaveWon).toBe(first);
    expect(
      randomDraw(
        seed,
        all.filter((id) => id !== all[2]),
        [all[2]],
      ).wouldHaveWon,
    ).toBeNull();
  });
});
