// The risk rules (risk-rules.ts): for every rule a case that fires and one
// that does not, the edges of each threshold, stable fingerprints, and every
// sentence and link a flag can carry present in both catalogues.
import { describe, expect, it } from "vitest";
import en from "~/locales/en";
import zhCN from "~/locales/zh-CN";
import { DEFAULT_COUNTY_SETTINGS as S } from "~/models/county-settings";
import { detectSplitting } from "~/models/project-rules";
import {
  DEFAULT_RISK_THRESHOLDS as T,
  disqualifiedWouldWinFlags,
  fewBiddersFlags,
  fingerprintOf,
  identicalFileFlags,
  lateAmendmentFlags,
  normaliseMark,
  outlierScoreFlags,
  pricePatternFlags,
  pricePatterns,
  repeatedFailureFlags,
  RISK_RULES,
  riskThresholdsOf,
  rotatingWinnerFlags,
  runRiskRules,
  sharedContactFlags,
  sharedDeviceFlags,
  shortAnnouncementFlags,
  splittingFlags,
  winnerFarBelowFlags,
  type AwardedTender,
  type BidderMark,
  type ContactKind,
  type DeviceKind,
  type RiskFlag,
  type RiskInput,
} from "~/models/risk-rules";

const WAN = 1_000_000; // 1万元 in fen
const DEADLINE = new Date("2026-11-26T02:00:00Z");
const day = (n: number) => new Date(DEADLINE.getTime() + n * 86_400_000);
const produced: RiskFlag[] = [];
/** Every flag a test makes is kept, to check its sentences exist in both languages. */
const seen = (flags: RiskFlag[]) => {
  produced.push(...flags);
  return flags;
};

describe("fingerprints", () => {
  it("are the same whatever the order of the keys, and differ with the rule or any key", () => {
    expect(fingerprintOf("few_bidders", ["a", "b"])).toBe(fingerprintOf("few_bidders", ["b", "a"]));
    expect(fingerprintOf("few_bidders", ["a"])).not.toBe(fingerprintOf("short_announcement", ["a"]));
    expect(fingerprintOf("few_bidders", ["a", "b"])).not.toBe(fingerprintOf("few_bidders", ["a", "c"]));
    expect(fingerprintOf("few_bidders", ["a"])).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("splitting", () => {
  // The findings come from the approval-time check itself, as submitProject records them.
  const base = { name: "青山村村道硬化工程（一期）", location: "青山村东组至西组", scope: "村道水泥硬化 800 米", type: "works" as const, villageId: "v1" };
  const one = { ...base, id: "p1", estimateFen: 60 * WAN, at: new Date("2026-06-01T00:00:00Z") };
  const two = { ...base, id: "p2", name: "青山村村道硬化工程（二期）", estimateFen: 50 * WAN, at: new Date("2026-09-01T00:00:00Z") };
  const record = (p: typeof one, others: (typeof one)[], justification: string | null = null) => ({
    id: p.id,
    name: p.name,
    type: p.type,
    estimateFen: p.estimateFen,
    at: p.at,
    finding: detectSplitting(S, p, others),
    justification,
  });

  it("fires once for two alike projects of one village that together cross a band limit", () => {
    // p1 was submitted alone (nothing found); p2 found p1, and p1 resubmitted later found p2: one flag.
    const flags = seen(splittingFlags(S, [record(one, []), record(two, [one], "两期工程地段不同，分别立项。")]));
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ rule: "splitting", severity: "medium", projectId: "p2", projectIds: ["p2", "p1"] });
    expect(flags[0].evidence[0].values).toMatchObject({ combinedFen: 110 * WAN, limitFen: 100 * WAN });
    expect(flags[0].evidence.some((e) => e.labelKey === "risk.evidence.splitting.justification")).toBe(true);
    const both = splittingFlags(S, [{ ...record(one, [two]), at: new Date("2026-10-01T00:00:00Z") }, record(two, [one])]);
    expect(both).toHaveLength(1);
    expect(both[0].fingerprint).toBe(flags[0].fingerprint);
  });

  it("is high when together they reach the mandatory-tendering threshold", () => {
    const big = splittingFlags(S, [record({ ...two, estimateFen: 20 * WAN }, [{ ...one, estimateFen: 390 * WAN }])]);
    expect(big[0].severity).toBe("high");
  });

  it("does not fire when the check found nothing", () => {
    expect(splittingFlags(S, [record(one, []), record(two, [{ ...one, villageId: "v2" }])])).toEqual([]);
    expect(splittingFlags(S, [record({ ...two, estimateFen: 30 * WAN }, [{ ...one, estimateFen: 20 * WAN }])])).toEqual([]);
  });
});

describe("few bidders", () => {
  const tender = (bidCount: number) => ({ tenderId: `t${bidCount}`, projectId: "p", round: 1, deadline: DEADLINE, bidCount });

  it("fires below the minimum: high for a single bidder, medium for none or two", () => {
    const flags = seen(fewBiddersFlags([tender(0), tender(1), tender(2)]));
    expect(flags.map((f) => [f.tenderId, f.severity])).toEqual([
      ["t0", "medium"],
      ["t1", "high"],
      ["t2", "medium"],
    ]);
    expect(flags[1].evidence[0].labelKey).toBe("risk.evidence.fewBidders.single");
  });

  it("does not fire from the minimum on (the county's minValidBids)", () => {
    expect(fewBiddersFlags([tender(3), tender(8)])).toEqual([]);
    expect(fewBiddersFlags([tender(3)], { minBidders: 4 })).toHaveLength(1);
  });
});

const mark = <K extends ContactKind | DeviceKind>(companyId: string, kind: K, value: string, tenderId = "t1"): BidderMark<K> => ({
  tenderId,
  projectId: "p1",
  deadline: DEADLINE,
  companyId,
  companyName: `公司${companyId}`,
  kind,
  value,
});

describe("shared contacts", () => {
  it("fires when two bidders on one tender share a phone (written differently), high", () => {
    const flags = seen(sharedContactFlags([mark("A", "phone", "138-5790-0100"), mark("B", "phone", "+86 13857900100"), mark("C", "phone", "13857900300")]));
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ rule: "shared_contacts", severity: "high", tenderId: "t1" });
    expect(flags[0].evidence[0]).toMatchObject({ labelKey: "risk.evidence.shared.phone", values: { companies: ["公司A", "公司B"] } });
  });

  it("is medium for an address alone, and lists each shared value", () => {
    const flags = seen(sharedContactFlags([mark("A", "address", "青山县 建设路 18 号"), mark("B", "address", "青山县建设路18号")]));
    expect(flags[0].severity).toBe("medium");
    const both = seen(
      sharedContactFlags([
        mark("A", "address", "青山县建设路18号"),
        mark("B", "address", "青山县建设路18号"),
        mark("A", "bank_account", "2010 3307 8100"),
        mark("B", "bank_account", "201033078100"),
        mark("A", "project_manager", "D233078101"),
        mark("B", "project_manager", "d233078101 "),
      ]),
    );
    expect(both[0].severity).toBe("high");
    expect(both[0].evidence.map((e) => e.labelKey)).toEqual(["risk.evidence.shared.address", "risk.evidence.shared.bank_account", "risk.evidence.shared.project_manager"]);
  });

  it("does not fire for one company's own values, other tenders, or different values", () => {
    expect(sharedContactFlags([mark("A", "phone", "13857900100"), mark("A", "phone", "13857900100")])).toEqual([]);
    expect(sharedContactFlags([mark("A", "phone", "13857900100", "t1"), mark("B", "phone", "13857900100", "t2")])).toEqual([]);
    expect(sharedContactFlags([mark("A", "email", "a@x.cn"), mark("B", "email", "b@x.cn"), mark("A", "address", "短"), mark("B", "address", "短")])).toEqual([]);
  });

  it("normalises values before comparing", () => {
    expect(normaliseMark("phone", "０１３８ 5790 0100")).toBe("013857900100");
    expect(normaliseMark("email", " Boss@Example.CN ")).toBe("boss@example.cn");
    expect(normaliseMark("address", "建设路，18号")).toBe(normaliseMark("address", "建设路 18 号"));
    expect(normaliseMark("bank_account", "")).toBeNull();
  });

  it("changes its fingerprint when a third company joins", () => {
    const two = sharedContactFlags([mark("A", "phone", "13857900100"), mark("B", "phone", "13857900100")]);
    const three = sharedContactFlags([mark("A", "phone", "13857900100"), mark("B", "phone", "13857900100"), mark("C", "phone", "13857900100")]);
    expect(two[0].fingerprint).not.toBe(three[0].fingerprint);
  });
});

describe("shared devices", () => {
  it("fires for one device cookie used by two companies, high", () => {
    const flags = seen(
      sharedDeviceFlags(
        [mark("A", "device", "d-1"), mark("B", "device", "d-1"), mark("A", "user", "u1"), mark("B", "user", "u1")].map((m) => (m.kind === "user" ? { ...m, label: "张三" } : m)),
      ),
    );
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ rule: "shared_devices", severity: "high" });
    expect(flags[0].evidence.map((e) => e.labelKey)).toEqual(["risk.evidence.shared.device", "risk.evidence.shared.user"]);
    expect(flags[0].evidence[1].values.value).toBe("张三");
  });

  it("is medium for an IP address alone", () => {
    expect(seen(sharedDeviceFlags([mark("A", "ip", "198.51.100.20"), mark("B", "ip", "198.51.100.20")]))[0].severity).toBe("medium");
  });

  it("does not fire for different addresses or one company on two devices", () => {
    expect(sharedDeviceFlags([mark("A", "ip", "198.51.100.20"), mark("B", "ip", "198.51.100.21"), mark("A", "device", "d-1"), mark("A", "device", "d-2")])).toEqual([]);
  });
});

describe("identical files", () => {
  const file = (companyId: string, sha: string, publishedWithTender = false) => ({
    tenderId: "t1",
    projectId: "p1",
    deadline: DEADLINE,
    companyId,
    companyName: `公司${companyId}`,
    sha256: sha,
    name: "技术标.pdf",
    publishedWithTender,
  });

  it("fires when two companies' bids hold the same file", () => {
    const flags = seen(identicalFileFlags([file("A", "a".repeat(64)), file("B", "a".repeat(64)), file("C", "c".repeat(64))]));
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ rule: "identical_files", severity: "high" });
    expect(flags[0].evidence[0].values.companies).toEqual(["公司A", "公司B"]);
  });

  it("does not fire for different files, or the tender's own document returned by everyone", () => {
    expect(identicalFileFlags([file("A", "a".repeat(64)), file("B", "b".repeat(64))])).toEqual([]);
    expect(identicalFileFlags([file("A", "d".repeat(64), true), file("B", "d".repeat(64), true)])).toEqual([]);
  });
});

describe("price patterns", () => {
  const tender = (prices: number[]) => ({
    tenderId: "t1",
    projectId: "p1",
    deadline: DEADLINE,
    recordSigned: true,
    prices: prices.map((priceFen, i) => ({ bidId: `b${i}`, companyName: `公司${i}`, priceFen })),
  });

  it("finds an arithmetic sequence (also rounded to the yuan) — high", () => {
    expect(pricePatterns([18_000_000, 18_500_000, 19_000_000])).toContain("arithmetic");
    // ¥180,000 + ¥3,333.33…: each price rounded to the yuan.
    expect(pricePatterns([18_000_000, 18_333_300, 18_666_700, 19_000_000])).toContain("arithmetic");
    const flags = seen(pricePatternFlags([tender([19_000_000, 18_000_000, 18_500_000])]));
    expect(flags[0]).toMatchObject({ rule: "price_pattern", severity: "high" });
    expect(flags[0].evidence[0].values).toMatchObject({ stepFen: 500_000 });
    expect(flags[0].evidence[0].links.map((l) => l.labelKey)).toContain("risk.links.record");
  });

  it("finds a geometric sequence (×1.05, rounded to the yuan) that is not arithmetic", () => {
    expect(pricePatterns([16_000_000, 16_800_000, 17_640_000])).toEqual(["geometric"]);
    expect(pricePatterns([16_000_000, 16_800_000, 17_640_000, 18_522_000])).toEqual(["geometric"]);
  });

  it("finds equal prices, and a cluster within the county's 2%", () => {
    expect(pricePatterns([18_000_000, 18_000_000])).toEqual(["equal"]);
    expect(pricePatterns([18_000_000, 18_100_000, 18_360_000])).toEqual(["cluster"]); // 2.00% exactly: in
    const cluster = seen(pricePatternFlags([tender([18_000_000, 18_100_000, 18_350_000])]));
    expect(cluster[0].severity).toBe("medium");
    expect(seen(pricePatternFlags([tender([18_000_000, 18_000_000, 19_500_000])]))[0].severity).toBe("high");
  });

  it("does not fire for ordinary prices, a cluster just over the limit, or two prices", () => {
    expect(pricePatterns([18_000_000, 18_100_000, 18_360_001])).toEqual([]); // 2.0000055%: out
    expect(pricePatterns([15_230_000, 16_870_500, 18_999_900])).toEqual([]);
    expect(pricePatterns([18_000_000, 18_100_000])).toEqual([]); // close, but only two
    expect(pricePatterns([18_000_000, 18_100_000, 18_360_000], { ...T, priceClusterBasisPoints: 100 })).toEqual([]);
    expect(pricePatternFlags([tender([15_230_000, 16_870_500, 18_999_900])])).toEqual([]);
  });
});

describe("rotating winners", () => {
  const bidders = ["A", "B", "C"].map((c) => ({ companyId: c, companyName: `公司${c}` }));
  const awarded = (n: number, winner: string, who = bidders): AwardedTender => ({
    tenderId: `t${n}`,
    projectId: `p${n}`,
    projectName: `项目${n}`,
    round: 1,
    deadline: day(n * 30),
    bidders: who,
    winnerCompanyId: winner,
  });

  it("fires when the same three companies bid on three tenders and take turns to win", () => {
    const flags = seen(rotatingWinnerFlags([awarded(1, "A"), awarded(2, "B"), awarded(3, "C")]));
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ rule: "rotating_winners", severity: "high", projectId: "p3", tenderId: "t3" });
    expect(flags[0].projectIds.sort()).toEqual(["p1", "p2", "p3"]);
    expect(flags[0].evidence[0].values).toMatchObject({ tenders: 3, winners: 2 + 1 });
  });

  it("does not fire with one winner throughout, too few tenders, or another set of bidders", () => {
    expect(rotatingWinnerFlags([awarded(1, "A"), awarded(2, "A"), awarded(3, "A")])).toEqual([]);
    expect(rotatingWinnerFlags([awarded(1, "A"), awarded(2, "B")])).toEqual([]);
    const withD = [...bidders, { companyId: "D", companyName: "公司D" }];
    expect(rotatingWinnerFlags([awarded(1, "A"), awarded(2, "B"), awarded(3, "C", withD)])).toEqual([]);
    expect(rotatingWinnerFlags([awarded(1, "A", bidders.slice(0, 2)), awarded(2, "B", bidders.slice(0, 2)), awarded(3, "A", bidders.slice(0, 2))])).toEqual([]);
  });
});

describe("winner far below the runner-up", () => {
  const ranked = (winnerFen: number, runnerFen: number) => ({
    tenderId: "t1",
    projectId: "p1",
    deadline: DEADLINE,
    winnerBidId: "w",
    ranking: [
      { bidId: "w", rank: 1, priceFen: winnerFen, companyName: "甲" },
      { bidId: "r", rank: 2, priceFen: runnerFen, companyName: "乙" },
      { bidId: "x", rank: 3, priceFen: 1, companyName: "丙" },
    ],
  });

  it("fires below 85% of the runner-up's price", () => {
    const flags = seen(winnerFarBelowFlags([ranked(8_499_999, 10_000_000)]));
    expect(flags).toHaveLength(1);
    expect(flags[0].evidence[0].values).toMatchObject({ winnerFen: 8_499_999, runnerUpFen: 10_000_000, shareBp: 8_499 });
  });

  it("does not fire at 85% or above, or without a runner-up", () => {
    expect(winnerFarBelowFlags([ranked(8_500_000, 10_000_000)])).toEqual([]);
    expect(winnerFarBelowFlags([{ ...ranked(1, 10_000_000), ranking: [{ bidId: "w", rank: 1, priceFen: 1, companyName: "甲" }] }])).toEqual([]);
  });

  it("compares the awarded bid with the best-ranked other bid (评定分离)", () => {
    const t = { ...ranked(10_000_000, 8_000_000), winnerBidId: "r" };
    // The award went to the second-ranked (8,000,000): compared with the first (10,000,000) it is 80%.
    expect(winnerFarBelowFlags([t])).toHaveLength(1);
  });
});

describe("short announcement period", () => {
  const tender = (days: number) => ({ tenderId: "t1", projectId: "p1", round: 1, publishedAt: day(-days), deadline: DEADLINE });

  it("fires below the county's minimum", () => {
    const flags = seen(shortAnnouncementFlags([{ ...tender(4), publishedAt: new Date(day(-5).getTime() + 1) }]));
    expect(flags).toHaveLength(1);
    expect(flags[0].evidence[0].values).toMatchObject({ days: 4, hours: 23, minDays: 5 });
    expect(shortAnnouncementFlags([tender(5)], { minAnnouncementDays: 7 })).toHaveLength(1);
  });

  it("does not fire at the minimum or above", () => {
    expect(shortAnnouncementFlags([tender(5), tender(20)])).toEqual([]);
  });
});

describe("late amendments", () => {
  const amendment = (hoursBefore: number, extendedTo?: Date, seq = 1) => ({
    tenderId: "t1",
    projectId: "p1",
    seq,
    title: `澄清 ${seq}`,
    createdAt: new Date(DEADLINE.getTime() - hoursBefore * 3_600_000),
    deadlineBefore: DEADLINE,
    deadlineAfter: extendedTo ?? DEADLINE,
    affectsPreparation: extendedTo !== undefined,
  });

  it("fires for an amendment within 3 days of the deadline: medium when the deadline stayed, low when it moved", () => {
    const kept = seen(lateAmendmentFlags([amendment(48)]));
    expect(kept[0]).toMatchObject({ rule: "late_amendment", severity: "medium" });
    expect(kept[0].evidence[0].labelKey).toBe("risk.evidence.lateAmendment.kept");
    const moved = seen(lateAmendmentFlags([amendment(48, new Date(DEADLINE.getTime() + 24 * 3_600_000))]));
    expect(moved[0]).toMatchObject({ severity: "low" });
    expect(moved[0].evidence[0].labelKey).toBe("risk.evidence.lateAmendment.extended");
  });

  it("does not fire for amendments 3 days or more before the deadline", () => {
    expect(lateAmendmentFlags([amendment(72), amendment(200, undefined, 2)])).toEqual([]);
  });
});

describe("repeated failed tenders", () => {
  const failed = (round: number, cause: "opening" | "evaluation" | "complaint" = "opening") => ({
    projectId: "p1",
    tenderId: `t${round}`,
    round,
    failedAt: day(round * 10),
    cause,
  });

  it("fires from two failed rounds, high from three", () => {
    const two = seen(repeatedFailureFlags([failed(1), failed(2, "evaluation")]));
    expect(two).toHaveLength(1);
    expect(two[0]).toMatchObject({ severity: "medium", tenderId: "t2" });
    expect(seen(repeatedFailureFlags([failed(1), failed(2, "evaluation"), failed(3, "complaint")]))[0].severity).toBe("high");
  });

  it("does not fire for a single failure, or failures of different projects", () => {
    expect(repeatedFailureFlags([failed(1)])).toEqual([]);
    expect(repeatedFailureFlags([failed(1), { ...failed(2), projectId: "p2" }])).toEqual([]);
  });
});

describe("outlier scores", () => {
  const scores = (list: [string, number][], bidId = "b1") => list.map(([expertId, score]) => ({ expertId, expertName: `专家${expertId}`, bidId, companyName: "甲公司", score }));
  const tender = (s: ReturnType<typeof scores>) => ({ tenderId: "t1", projectId: "p1", deadline: DEADLINE, scores: s });

  it("fires for a score more than 15 points from the panel's median", () => {
    const flags = seen(
      outlierScoreFlags([
        tender(
          scores([
            ["e1", 5_000],
            ["e2", 5_200],
            ["e3", 6_701],
          ]),
        ),
      ]),
    );
    expect(flags).toHaveLength(1);
    expect(flags[0].evidence[0].values).toMatchObject({ expert: "专家e3", score: 6_701, medianScore: 5_200 });
  });

  it("uses the middle two for an even number of scores, in integers", () => {
    // Median (5000 + 5200) / 2 = 5100; 6601 is 15.01 points away, 6600 exactly 15.
    expect(
      outlierScoreFlags([
        tender(
          scores([
            ["e1", 5_000],
            ["e2", 5_200],
            ["e3", 4_000],
            ["e4", 6_601],
          ]),
        ),
      ]),
    ).toHaveLength(1);
    expect(
      outlierScoreFlags([
        tender(
          scores([
            ["e1", 5_000],
            ["e2", 5_200],
            ["e3", 5_100],
            ["e4", 6_600],
          ]),
        ),
      ]),
    ).toEqual([]);
  });

  it("does not fire within 15 points, or with fewer than 3 scores for the bid", () => {
    expect(
      outlierScoreFlags([
        tender(
          scores([
            ["e1", 5_000],
            ["e2", 5_200],
            ["e3", 6_700],
          ]),
        ),
      ]),
    ).toEqual([]);
    expect(
      outlierScoreFlags([
        tender(
          scores([
            ["e1", 1_000],
            ["e2", 6_000],
          ]),
        ),
      ]),
    ).toEqual([]);
  });
});

describe("a disqualified bidder the draw would have chosen", () => {
  const outcome = (wouldHaveWon: { bidId: string; companyName: string } | null) => ({
    tenderId: "t1",
    projectId: "p1",
    deadline: DEADLINE,
    wouldHaveWon,
    winnerCompanyName: "乙公司",
  });

  it("fires when the evaluation recorded one", () => {
    const flags = seen(disqualifiedWouldWinFlags([outcome({ bidId: "b9", companyName: "甲公司" })]));
    expect(flags[0]).toMatchObject({ rule: "disqualified_would_win", severity: "high" });
  });

  it("does not fire otherwise", () => {
    expect(disqualifiedWouldWinFlags([outcome(null)])).toEqual([]);
  });
});

describe("all rules together", () => {
  const none: RiskInput = {
    splitting: [],
    bidCounts: [],
    contacts: [],
    devices: [],
    files: [],
    prices: [],
    awarded: [],
    ranked: [],
    announced: [],
    amendments: [],
    failures: [],
    scores: [],
    draws: [],
  };

  it("take the county's thresholds and sort by severity, then the most recent", () => {
    expect(riskThresholdsOf({ ...S, priceClusterBasisPoints: 300, minValidBids: 5 })).toMatchObject({
      priceClusterBasisPoints: 300,
      minBidders: 5,
      winnerBelowRunnerUpBasisPoints: 8_500,
    });
    const flags = runRiskRules(S, {
      ...none,
      bidCounts: [
        { tenderId: "t1", projectId: "p1", round: 1, deadline: day(-10), bidCount: 2 },
        { tenderId: "t2", projectId: "p2", round: 1, deadline: day(-5), bidCount: 2 },
        { tenderId: "t3", projectId: "p3", round: 1, deadline: day(-20), bidCount: 1 },
      ],
    });
    expect(flags.map((f) => f.tenderId)).toEqual(["t3", "t2", "t1"]);
    expect(runRiskRules(S, none)).toEqual([]);
  });
});

describe("the catalogues", () => {
  const lookup = (cat: object, key: string) => key.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), cat);

  it("name and explain every rule, in both languages", () => {
    for (const rule of RISK_RULES) {
      for (const cat of [zhCN, en]) {
        expect(typeof lookup(cat, `risk.rules.${rule}`), rule).toBe("string");
        expect(typeof lookup(cat, `risk.help.${rule}`), rule).toBe("string");
      }
    }
  });

  it("hold every sentence and link the flags above carry", () => {
    expect(new Set(produced.map((f) => f.rule))).toEqual(new Set(RISK_RULES));
    const keys = new Set(produced.flatMap((f) => f.evidence.flatMap((e) => [e.labelKey, ...e.links.map((l) => l.labelKey)])));
    for (const k of [
      ...keys,
      ...["opening", "evaluation", "complaint"].map((c) => `risk.evidence.failures.${c}`),
      ...["phone", "email", "address", "bank_account", "project_manager", "guarantee", "ip", "device", "passkey", "user"].map((c) => `risk.evidence.shared.${c}`),
      ...["equal", "arithmetic", "geometric", "cluster"].map((c) => `risk.evidence.price.${c}`),
      "risk.evidence.fewBidders.none",
      "risk.evidence.fewBidders.few",
    ]) {
      expect(typeof lookup(zhCN, k), k).toBe("string");
      expect(typeof lookup(en, k), k).toBe("string");
    }
  });
});
