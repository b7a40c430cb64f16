/**
 * Risk flags (DOMAIN.md "Supervision and risk") as pure functions over plain
 * data: one function per rule, no database, so each is unit-tested alone
 * (tests/unit/risk-rules.test.ts). app/models/risk.server.ts reads the data
 * with a few set-based queries and runs them.
 *
 * Arithmetic is in integers: prices in fen, scores in hundredths, ratios in
 * basis points (1/100 of a percent). Every threshold is a parameter with a
 * documented default (DEFAULT_RISK_THRESHOLDS); those the county sets come
 * from its settings (riskThresholdsOf).
 *
 * A flag is a hint for a supervisor, never a finding: each carries its
 * evidence and links to the records behind it. Its fingerprint is a hash of
 * the rule and the evidence's keys (ids, shared values), so a supervisor's
 * review sticks to exactly that evidence — when the evidence changes (a third
 * company turns up on the same address) it is a new flag to look at.
 *
 * Evidence values follow a naming convention the pages format by:
 * …Fen money in fen · …At an ISO instant · …Bp basis points (a percentage) ·
 * …Score hundredths of a point · string[] a list · anything else as it is.
 */
import { createHash } from "node:crypto";
import type { CountySettings } from "./county-settings";
import { mandatoryThreshold, type SplittingCandidate, type SplittingFinding } from "./project-rules";

export const RISK_RULES = [
  "splitting",
  "few_bidders",
  "shared_contacts",
  "shared_devices",
  "identical_files",
  "price_pattern",
  "rotating_winners",
  "winner_far_below",
  "short_announcement",
  "late_amendment",
  "repeated_failures",
  "outlier_scores",
  "disqualified_would_win",
] as const;
export type RiskRule = (typeof RISK_RULES)[number];

export const SEVERITIES = ["high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface EvidenceLink {
  href: string;
  labelKey: string;
}

export type EvidenceValue = string | number | string[];

export interface Evidence {
  /** Translation key of the sentence; `values` are interpolated into it. */
  labelKey: string;
  values: Record<string, EvidenceValue>;
  links: EvidenceLink[];
}

export interface RiskFlag {
  rule: RiskRule;
  severity: Severity;
  /** SHA-256 (hex, first 32 digits) of the rule and the evidence keys. */
  fingerprint: string;
  projectId: string;
  tenderId?: string;
  /** Every project the flag concerns, projectId first (splitting and rotating winners span several). */
  projectIds: string[];
  /** When what the flag is about happened (deadline, amendment, registration…): for ordering. */
  at: Date;
  evidence: Evidence[];
}

// ── Thresholds ──────────────────────────────────────────────────────────

export interface RiskThresholds {
  /** few_bidders: fewer sealed bids than this at the deadline (county setting minValidBids, default 3). */
  minBidders: number;
  /** price_pattern: all prices within this many basis points of the lowest (county setting priceClusterBasisPoints, default 200 = 2%). */
  priceClusterBasisPoints: number;
  /** price_pattern: the fewest priced bids a cluster or a sequence is looked for in (2 close prices are common; 3 are not). */
  pricePatternMinBids: number;
  /**
   * price_pattern: how far (in fen) a sequence may be off and still count as
   * arithmetic or geometric. Default 200 (¥2): a price rounded to the yuan is
   * off by at most ¥0.50, so a step by ¥1 and two steps from each other by ¥2.
   */
  sequenceToleranceFen: number;
  /** rotating_winners: the same set of at least this many companies… */
  rotationMinCompanies: number;
  /** …bidding together (and nobody else) on at least this many awarded tenders… */
  rotationMinTenders: number;
  /** …won by at least this many different members of the set. */
  rotationMinWinners: number;
  /** winner_far_below: the winner's price below this share of the runner-up's (basis points; default 8500 = 85%). */
  winnerBelowRunnerUpBasisPoints: number;
  /** short_announcement: published → deadline shorter than this many days (county setting minAnnouncementDays). */
  minAnnouncementDays: number;
  /** late_amendment: an amendment less than this many days before the deadline then in force (county setting lateAmendmentDays). */
  lateAmendmentDays: number;
  /** repeated_failures: a project with at least this many failed rounds (流标, failed evaluation, upheld complaint). */
  minFailedRounds: number;
  /** outlier_scores: a score more than this many hundredths from the panel's median for the bid (default 1500 = 15 points). */
  outlierScoreHundredths: number;
  /** outlier_scores: a median needs at least this many scores for the bid. */
  outlierMinScores: number;
}

export const DEFAULT_RISK_THRESHOLDS: RiskThresholds = {
  minBidders: 3,
  priceClusterBasisPoints: 200,
  pricePatternMinBids: 3,
  sequenceToleranceFen: 200,
  rotationMinCompanies: 3,
  rotationMinTenders: 3,
  rotationMinWinners: 2,
  winnerBelowRunnerUpBasisPoints: 8_500,
  minAnnouncementDays: 5,
  lateAmendmentDays: 3,
  minFailedRounds: 2,
  outlierScoreHundredths: 1_500,
  outlierMinScores: 3,
};

/** The thresholds a county's settings decide; the rest keep their defaults. */
export function riskThresholdsOf(s: CountySettings): RiskThresholds {
  return {
    ...DEFAULT_RISK_THRESHOLDS,
    minBidders: s.minValidBids,
    priceClusterBasisPoints: s.priceClusterBasisPoints,
    minAnnouncementDays: s.minAnnouncementDays,
    lateAmendmentDays: s.lateAmendmentDays,
  };
}

// ── Shared pieces ───────────────────────────────────────────────────────

const DAY_MS = 24 * 3600 * 1000;

/** The stable identity of a flag: the rule and its evidence keys, in any order. */
export function fingerprintOf(rule: RiskRule, keys: readonly string[]): string {
  return createHash("sha256")
    .update(["cyz-risk-v1", rule, ...[...keys].sort()].join("\n"))
    .digest("hex")
    .slice(0, 32);
}

export const FINGERPRINT = /^[0-9a-f]{32}$/;

const link = {
  project: (id: string): EvidenceLink => ({ href: `/projects/${id}`, labelKey: "risk.links.project" }),
  notice: (tenderId: string): EvidenceLink => ({ href: `/notices/${tenderId}`, labelKey: "risk.links.notice" }),
  hall: (tenderId: string): EvidenceLink => ({ href: `/notices/${tenderId}/hall`, labelKey: "risk.links.hall" }),
  record: (tenderId: string): EvidenceLink => ({ href: `/notices/${tenderId}/record`, labelKey: "risk.links.record" }),
  evaluation: (tenderId: string): EvidenceLink => ({ href: `/evaluations/${tenderId}`, labelKey: "risk.links.evaluation" }),
  panel: (tenderId: string): EvidenceLink => ({ href: `/panels/${tenderId}`, labelKey: "risk.links.panel" }),
  award: (tenderId: string): EvidenceLink => ({ href: `/notices/${tenderId}/award`, labelKey: "risk.links.award" }),
};

const iso = (d: Date) => d.toISOString();
const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort();

function groupBy<T>(items: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/** a × 10 000 < b × bp, i.e. a / b < bp / 10 000, exactly. */
const belowShare = (a: number, b: number, bp: number) => BigInt(a) * 10_000n < BigInt(b) * BigInt(bp);
/** a / b in basis points, rounded down. */
const basisPoints = (a: number, b: number) => Number((BigInt(a) * 10_000n) / BigInt(b));

// ── 1. Likely splitting (化整为零) ──────────────────────────────────────

/** A project as submitted: what the approval-time check (project-rules.detectSplitting) found, if anything. */
export interface SplittingRecord {
  id: string;
  name: string;
  type: SplittingCandidate["type"];
  estimateFen: number;
  /** When it was submitted (the check ran then). */
  at: Date;
  finding: SplittingFinding | null;
  /** The township's written reason for approving it all the same. */
  justification?: string | null;
}

/**
 * What the approval-time splitting check found (project-rules.detectSplitting,
 * recorded on the project at submission) — not computed again here: comparing
 * every project with every other of its village is quadratic, the recorded
 * finding is not, and it is exactly what the township saw when it approved.
 * A project registered later lists the earlier ones as related, so the flag
 * shows on their pages too. One flag per set of related projects (A with B and
 * B with A are one flag); high when together they reach the mandatory-tendering
 * threshold, medium otherwise.
 */
export function splittingFlags(settings: CountySettings, projects: readonly SplittingRecord[]): RiskFlag[] {
  const flags = new Map<string, RiskFlag>();
  // Newest first and by id, so the flag's own project is the same however the projects were read.
  const ordered = [...projects].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? -1 : 1));
  for (const p of ordered) {
    const finding = p.finding;
    if (!finding || finding.related.length === 0) continue;
    const ids = sortedUnique([p.id, ...finding.related.map((r) => r.id)]);
    const fingerprint = fingerprintOf("splitting", ids);
    if (flags.has(fingerprint)) continue;
    flags.set(fingerprint, {
      rule: "splitting",
      severity: finding.combinedFen >= mandatoryThreshold(settings, p.type) ? "high" : "medium",
      fingerprint,
      projectId: p.id,
      projectIds: [p.id, ...finding.related.map((r) => r.id).filter((id) => id !== p.id)],
      at: p.at,
      evidence: [
        {
          labelKey: "risk.evidence.splitting.summary",
          values: { name: p.name, estimateFen: p.estimateFen, combinedFen: finding.combinedFen, limitFen: finding.limitFen, count: finding.related.length + 1 },
          links: [link.project(p.id)],
        },
        ...finding.related.map((r) => ({
          labelKey: "risk.evidence.splitting.related",
          values: { name: r.name, estimateFen: r.estimateFen, similarity: Math.round(r.similarity * 100) },
          links: [link.project(r.id)],
        })),
        ...(p.justification ? [{ labelKey: "risk.evidence.splitting.justification", values: { name: p.name, text: p.justification }, links: [link.project(p.id)] }] : []),
      ],
    });
  }
  return [...flags.values()];
}

// ── 2. Fewer than 3 bidders, or a single one ────────────────────────────

export interface TenderBidCount {
  tenderId: string;
  projectId: string;
  round: number;
  deadline: Date;
  /** Sealed bids in force at the deadline (withdrawn ones do not count). */
  bidCount: number;
}

/** A tender past its deadline with fewer sealed bids than the county's minimum: high for a single bidder, medium otherwise. */
export function fewBiddersFlags(tenders: readonly TenderBidCount[], t: Pick<RiskThresholds, "minBidders"> = DEFAULT_RISK_THRESHOLDS): RiskFlag[] {
  return tenders
    .filter((x) => x.bidCount < t.minBidders)
    .map((x) => ({
      rule: "few_bidders" as const,
      severity: x.bidCount === 1 ? ("high" as const) : ("medium" as const),
      fingerprint: fingerprintOf("few_bidders", [x.tenderId]),
      projectId: x.projectId,
      tenderId: x.tenderId,
      projectIds: [x.projectId],
      at: x.deadline,
      evidence: [
        {
          labelKey: x.bidCount === 1 ? "risk.evidence.fewBidders.single" : x.bidCount === 0 ? "risk.evidence.fewBidders.none" : "risk.evidence.fewBidders.few",
          values: { count: x.bidCount, min: t.minBidders, round: x.round, deadlineAt: iso(x.deadline) },
          links: [link.notice(x.tenderId), link.hall(x.tenderId)],
        },
      ],
    }));
}

// ── 3 & 4. Bidders sharing contacts, network addresses or devices ────────

export const CONTACT_KINDS = ["phone", "email", "address", "bank_account", "project_manager", "guarantee"] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];
export const DEVICE_KINDS = ["ip", "device", "passkey", "user"] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** One thing a bidder on a tender is known by: a phone, an address, an IP address it acted from… */
export interface BidderMark<K extends string> {
  tenderId: string;
  projectId: string;
  deadline: Date;
  companyId: string;
  companyName: string;
  kind: K;
  value: string;
  /** How to show the value, when not as it is (a user account by its holder's name). */
  label?: string | null;
}

/**
 * The comparable form of a value, or null when there is nothing to compare:
 * full-width characters folded (NFKC), spaces and punctuation dropped where
 * they do not matter, phone numbers without the country code.
 */
export function normaliseMark(kind: ContactKind | DeviceKind, value: string | null | undefined): string | null {
  if (value == null) return null;
  const v = value.normalize("NFKC").trim();
  switch (kind) {
    case "phone": {
      const digits = v.replace(/\D/g, "").replace(/^(?:0086|86)(?=1\d{10}$)/, "");
      return digits.length >= 7 ? digits : null;
    }
    case "email":
      return /^[^@\s]+@[^@\s]+$/.test(v) ? v.toLowerCase() : null;
    case "address": {
      const a = v.replace(/[\s\p{P}\p{S}]/gu, "").toLowerCase();
      return a.length >= 6 ? a : null;
    }
    case "bank_account": {
      const n = v.replace(/[\s-]/g, "").toUpperCase();
      return n.length >= 6 ? n : null;
    }
    case "project_manager":
    case "guarantee": {
      const c = v.replace(/\s/g, "").toUpperCase();
      return c.length >= 3 ? c : null;
    }
    default:
      return v.length > 0 ? v : null;
  }
}

interface SharedValue<K extends string> {
  kind: K;
  value: string;
  /** As first written, for the evidence. */
  shown: string;
  companies: { id: string; name: string }[];
}

/** Per tender, the values that two or more different companies share. */
function sharedByTender<K extends ContactKind | DeviceKind>(marks: readonly BidderMark<K>[]) {
  const out = new Map<string, { tenderId: string; projectId: string; deadline: Date; shared: SharedValue<K>[] }>();
  const byValue = new Map<string, { m: BidderMark<K>; norm: string; companies: Map<string, string> }>();
  for (const m of marks) {
    const norm = normaliseMark(m.kind, m.value);
    if (norm === null) continue;
    const k = `${m.tenderId}|${m.kind}|${norm}`;
    const entry = byValue.get(k) ?? { m, norm, companies: new Map<string, string>() };
    entry.companies.set(m.companyId, m.companyName);
    byValue.set(k, entry);
  }
  for (const { m, norm, companies } of byValue.values()) {
    if (companies.size < 2) continue;
    const t = out.get(m.tenderId) ?? { tenderId: m.tenderId, projectId: m.projectId, deadline: m.deadline, shared: [] };
    t.shared.push({
      kind: m.kind,
      value: norm,
      shown: m.label ?? m.value.trim(),
      companies: [...companies].map(([id, name]) => ({ id, name })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    });
    out.set(m.tenderId, t);
  }
  return [...out.values()];
}

function sharedFlags<K extends ContactKind | DeviceKind>(
  rule: "shared_contacts" | "shared_devices",
  marks: readonly BidderMark<K>[],
  order: readonly K[],
  high: readonly K[],
  evidenceKey: string,
): RiskFlag[] {
  return sharedByTender(marks).map((t) => {
    const shared = [...t.shared].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.value < b.value ? -1 : 1));
    return {
      rule,
      severity: shared.some((s) => high.includes(s.kind)) ? "high" : "medium",
      fingerprint: fingerprintOf(rule, [t.tenderId, ...shared.map((s) => `${s.kind}=${s.value}=${s.companies.map((c) => c.id).join("+")}`)]),
      projectId: t.projectId,
      tenderId: t.tenderId,
      projectIds: [t.projectId],
      at: t.deadline,
      evidence: shared.map((s) => ({
        labelKey: `${evidenceKey}.${s.kind}`,
        values: { value: s.shown, companies: s.companies.map((c) => c.name) },
        links: rule === "shared_devices" ? [link.hall(t.tenderId), link.notice(t.tenderId)] : [link.notice(t.tenderId), link.hall(t.tenderId)],
      })),
    };
  });
}

/**
 * Two or more companies bidding on one tender that share a contact phone,
 * e-mail, address, basic bank account (registered, or the one the bid
 * security was paid from), project manager (by certificate number, registered
 * or named in the bid) or electronic guarantee number. One flag per tender;
 * high unless only an address is shared (one office building can house
 * several honest firms).
 */
export function sharedContactFlags(marks: readonly BidderMark<ContactKind>[]): RiskFlag[] {
  return sharedFlags("shared_contacts", marks, CONTACT_KINDS, ["phone", "email", "bank_account", "project_manager", "guarantee"], "risk.evidence.shared");
}

/**
 * Two or more companies bidding on one tender that acted — bid, replaced,
 * withdrew, signed in or decrypted — from the same IP address, the same
 * browser (the long-lived device cookie), with the same passkey, or as the
 * same user account. One flag per tender; high for a device, passkey or
 * account, medium for an IP address alone (mobile networks put many phones
 * behind one address).
 */
export function sharedDeviceFlags(marks: readonly BidderMark<DeviceKind>[]): RiskFlag[] {
  return sharedFlags("shared_devices", marks, DEVICE_KINDS, ["device", "passkey", "user"], "risk.evidence.shared");
}

// ── 5. Identical bid files ──────────────────────────────────────────────

export interface BidFile {
  tenderId: string;
  projectId: string;
  deadline: Date;
  companyId: string;
  companyName: string;
  sha256: string;
  name: string;
  /** The file is the tender's own document or attachment: every bidder may return it unchanged. */
  publishedWithTender: boolean;
}

/** The same file (SHA-256) in the opened bids of two or more companies on one tender. One flag per tender, high. */
export function identicalFileFlags(files: readonly BidFile[]): RiskFlag[] {
  const flags: RiskFlag[] = [];
  for (const [tenderId, list] of groupBy(
    files.filter((f) => !f.publishedWithTender),
    (f) => f.tenderId,
  )) {
    const shared = [...groupBy(list, (f) => f.sha256)]
      .map(([sha, fs]) => ({
        sha,
        names: sortedUnique(fs.map((f) => f.name)),
        companies: [...new Map(fs.map((f) => [f.companyId, f.companyName]))].sort(([a], [b]) => (a < b ? -1 : 1)),
      }))
      .filter((s) => s.companies.length >= 2)
      .sort((a, b) => (a.sha < b.sha ? -1 : 1));
    if (shared.length === 0) continue;
    flags.push({
      rule: "identical_files",
      severity: "high",
      fingerprint: fingerprintOf("identical_files", [tenderId, ...shared.map((s) => `${s.sha}=${s.companies.map(([id]) => id).join("+")}`)]),
      projectId: list[0].projectId,
      tenderId,
      projectIds: [list[0].projectId],
      at: list[0].deadline,
      evidence: shared.map((s) => ({
        labelKey: "risk.evidence.identicalFile",
        values: { sha256: s.sha, names: s.names, companies: s.companies.map(([, name]) => name) },
        links: [link.hall(tenderId), link.evaluation(tenderId)],
      })),
    });
  }
  return flags;
}

// ── 6. Prices in a pattern or a tight cluster ───────────────────────────

export interface PricedTender {
  tenderId: string;
  projectId: string;
  deadline: Date;
  /** The host signed the opening record, so it can be linked to. */
  recordSigned: boolean;
  /** Every decrypted price (valid or not: a cover bid over the ceiling is still a cover bid). */
  prices: { bidId: string; companyName: string; priceFen: number }[];
}

export type PricePattern = "equal" | "arithmetic" | "geometric" | "cluster";

/**
 * Which patterns a tender's prices form (the prices, sorted ascending, in fen):
 * - equal: two or more bids at exactly the same price;
 * - arithmetic: ≥ minBids distinct prices whose steps differ by at most the tolerance;
 * - geometric: ≥ minBids distinct prices with a constant ratio: for each three
 *   in a row a < b < c, |b² − a·c| ≤ tolerance × b (what rounding each price
 *   to within tolerance/4 of an exact progression can produce);
 * - cluster: ≥ minBids prices, the highest within priceClusterBasisPoints of the lowest:
 *   (max − min) × 10 000 ≤ min × bp.
 * An arithmetic sequence is not reported as geometric too.
 */
export function pricePatterns(
  pricesFen: readonly number[],
  t: Pick<RiskThresholds, "priceClusterBasisPoints" | "pricePatternMinBids" | "sequenceToleranceFen"> = DEFAULT_RISK_THRESHOLDS,
): PricePattern[] {
  const p = [...pricesFen].sort((a, b) => a - b);
  const out: PricePattern[] = [];
  if (p.some((x, i) => i > 0 && x === p[i - 1])) out.push("equal");
  const distinct = p.filter((x, i) => i === 0 || x !== p[i - 1]);
  if (distinct.length >= t.pricePatternMinBids && distinct.length === p.length) {
    const steps = distinct.slice(1).map((x, i) => x - distinct[i]);
    const arithmetic = Math.max(...steps) - Math.min(...steps) <= t.sequenceToleranceFen;
    if (arithmetic) out.push("arithmetic");
    else {
      const tol = BigInt(t.sequenceToleranceFen);
      const geometric = distinct.slice(2).every((c, i) => {
        const a = BigInt(distinct[i]);
        const b = BigInt(distinct[i + 1]);
        const d = b * b - a * BigInt(c);
        return (d < 0n ? -d : d) <= tol * b;
      });
      if (geometric) out.push("geometric");
    }
  }
  if (p.length >= t.pricePatternMinBids && p[0] > 0 && BigInt(p[p.length - 1] - p[0]) * 10_000n <= BigInt(p[0]) * BigInt(t.priceClusterBasisPoints)) out.push("cluster");
  return out;
}

/** One flag per tender whose prices form a pattern: high for equal prices or a sequence, medium for a cluster alone. */
export function pricePatternFlags(
  tenders: readonly PricedTender[],
  t: Pick<RiskThresholds, "priceClusterBasisPoints" | "pricePatternMinBids" | "sequenceToleranceFen"> = DEFAULT_RISK_THRESHOLDS,
): RiskFlag[] {
  const flags: RiskFlag[] = [];
  for (const x of tenders) {
    const patterns = pricePatterns(
      x.prices.map((b) => b.priceFen),
      t,
    );
    if (patterns.length === 0) continue;
    const sorted = [...x.prices].sort((a, b) => a.priceFen - b.priceFen || (a.bidId < b.bidId ? -1 : 1));
    const low = sorted[0].priceFen;
    const high = sorted[sorted.length - 1].priceFen;
    const links = [link.hall(x.tenderId), ...(x.recordSigned ? [link.record(x.tenderId)] : []), link.evaluation(x.tenderId)];
    flags.push({
      rule: "price_pattern",
      severity: patterns.some((k) => k !== "cluster") ? "high" : "medium",
      fingerprint: fingerprintOf("price_pattern", [x.tenderId, ...patterns, ...sorted.map((b) => `${b.bidId}=${b.priceFen}`)]),
      projectId: x.projectId,
      tenderId: x.tenderId,
      projectIds: [x.projectId],
      at: x.deadline,
      evidence: [
        ...patterns.map((k) => ({
          labelKey: `risk.evidence.price.${k}`,
          values: {
            count: sorted.length,
            equalCount: sorted.filter((b) => sorted.some((o) => o !== b && o.priceFen === b.priceFen)).length,
            spreadBp: low > 0 ? basisPoints(high - low, low) : 0,
            limitBp: t.priceClusterBasisPoints,
            stepFen: sorted.length > 1 ? sorted[1].priceFen - low : 0,
            ratioBp: sorted.length > 1 && low > 0 ? basisPoints(sorted[1].priceFen, low) : 0,
          },
          links,
        })),
        ...sorted.map((b) => ({ labelKey: "risk.evidence.price.bid", values: { company: b.companyName, priceFen: b.priceFen }, links: [] })),
      ],
    });
  }
  return flags;
}

// ── 7. The same bidders taking turns to win ─────────────────────────────

export interface AwardedTender {
  tenderId: string;
  projectId: string;
  projectName: string;
  round: number;
  deadline: Date;
  /** Companies whose sealed bids were in force at the deadline. */
  bidders: { companyId: string; companyName: string }[];
  winnerCompanyId: string;
}

/**
 * Bid rotation (轮流坐庄): the same set of at least rotationMinCompanies
 * companies — and nobody else — bidding on at least rotationMinTenders
 * awarded tenders, won by at least rotationMinWinners different members.
 * The set must match exactly: a ring whose members sometimes stay away, or
 * that an outsider joins, is not caught here (the shared-contact and price
 * rules look at each of those tenders). High.
 */
export function rotatingWinnerFlags(
  tenders: readonly AwardedTender[],
  t: Pick<RiskThresholds, "rotationMinCompanies" | "rotationMinTenders" | "rotationMinWinners"> = DEFAULT_RISK_THRESHOLDS,
): RiskFlag[] {
  const flags: RiskFlag[] = [];
  // Tenders of one set often share one bidders list: each list's companies and key are worked out once.
  const keys = new Map<readonly { companyId: string }[], { ids: string[]; key: string }>();
  const setOf = (x: AwardedTender) => {
    let k = keys.get(x.bidders);
    if (!k) {
      const ids = sortedUnique(x.bidders.map((b) => b.companyId));
      keys.set(x.bidders, (k = { ids, key: ids.join("+") }));
    }
    return k;
  };
  const sets = groupBy(
    tenders.filter((x) => setOf(x).ids.length >= t.rotationMinCompanies),
    (x) => setOf(x).key,
  );
  for (const [set, group] of sets) {
    if (group.length < t.rotationMinTenders) continue;
    const winners = new Set(group.map((x) => x.winnerCompanyId));
    if (winners.size < t.rotationMinWinners) continue;
    const ordered = [...group].sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || (a.tenderId < b.tenderId ? -1 : 1));
    const latest = ordered[ordered.length - 1];
    // Names as the tenders' lists give them (one list object is read once, however many tenders share it).
    const names = new Map<string, string>();
    const read = new Set<readonly { companyId: string }[]>();
    for (const x of group) {
      if (read.has(x.bidders)) continue;
      read.add(x.bidders);
      for (const b of x.bidders) names.set(b.companyId, b.companyName);
    }
    const companyIds = set.split("+");
    flags.push({
      rule: "rotating_winners",
      severity: "high",
      fingerprint: fingerprintOf("rotating_winners", [...companyIds.map((c) => `company=${c}`), ...ordered.map((x) => `tender=${x.tenderId}`)]),
      projectId: latest.projectId,
      tenderId: latest.tenderId,
      projectIds: [latest.projectId, ...sortedUnique(ordered.map((x) => x.projectId)).filter((id) => id !== latest.projectId)],
      at: latest.deadline,
      evidence: [
        {
          labelKey: "risk.evidence.rotation.summary",
          values: { companies: companyIds.map((c) => names.get(c) ?? c), tenders: ordered.length, winners: winners.size },
          links: [],
        },
        ...ordered.map((x) => ({
          labelKey: "risk.evidence.rotation.tender",
          values: { name: x.projectName, round: x.round, deadlineAt: iso(x.deadline), winner: names.get(x.winnerCompanyId) ?? x.winnerCompanyId },
          links: [link.notice(x.tenderId), link.award(x.tenderId)],
        })),
      ],
    });
  }
  return flags;
}

// ── 8. A winner far below the runner-up ─────────────────────────────────

export interface RankedTender {
  tenderId: string;
  projectId: string;
  deadline: Date;
  /** The awarded bid, or the first candidate while there is no award yet. */
  winnerBidId: string;
  /** The evaluation's ranking (1 = best), with each bid's price. */
  ranking: { bidId: string; rank: number; priceFen: number; companyName: string }[];
}

/**
 * The winning price below winnerBelowRunnerUpBasisPoints (default 85%) of the
 * price of the best-ranked other bid: an abnormally low price (to be made up
 * by variations later), or cover bids set well above a chosen winner. Medium.
 */
export function winnerFarBelowFlags(tenders: readonly RankedTender[], t: Pick<RiskThresholds, "winnerBelowRunnerUpBasisPoints"> = DEFAULT_RISK_THRESHOLDS): RiskFlag[] {
  const flags: RiskFlag[] = [];
  for (const x of tenders) {
    const winner = x.ranking.find((r) => r.bidId === x.winnerBidId);
    const runnerUp = [...x.ranking].filter((r) => r.bidId !== x.winnerBidId).sort((a, b) => a.rank - b.rank)[0];
    if (!winner || !runnerUp || runnerUp.priceFen <= 0) continue;
    if (!belowShare(winner.priceFen, runnerUp.priceFen, t.winnerBelowRunnerUpBasisPoints)) continue;
    flags.push({
      rule: "winner_far_below",
      severity: "medium",
      fingerprint: fingerprintOf("winner_far_below", [x.tenderId, `winner=${winner.bidId}`, `runnerUp=${runnerUp.bidId}`]),
      projectId: x.projectId,
      tenderId: x.tenderId,
      projectIds: [x.projectId],
      at: x.deadline,
      evidence: [
        {
          labelKey: "risk.evidence.winnerBelow",
          values: {
            winner: winner.companyName,
            winnerFen: winner.priceFen,
            runnerUp: runnerUp.companyName,
            runnerUpFen: runnerUp.priceFen,
            shareBp: basisPoints(winner.priceFen, runnerUp.priceFen),
            limitBp: t.winnerBelowRunnerUpBasisPoints,
          },
          links: [link.evaluation(x.tenderId), link.award(x.tenderId)],
        },
      ],
    });
  }
  return flags;
}

// ── 9. A short announcement period ──────────────────────────────────────

export interface AnnouncedTender {
  tenderId: string;
  projectId: string;
  round: number;
  publishedAt: Date;
  /** The deadline in force (an amendment can only move it later). */
  deadline: Date;
}

/**
 * Published → deadline shorter than the county's minimum. Publication refuses
 * such a deadline, so this shows a notice published before the county
 * lengthened its minimum — or a rule bypassed. Medium.
 */
export function shortAnnouncementFlags(tenders: readonly AnnouncedTender[], t: Pick<RiskThresholds, "minAnnouncementDays"> = DEFAULT_RISK_THRESHOLDS): RiskFlag[] {
  return tenders
    .filter((x) => x.deadline.getTime() - x.publishedAt.getTime() < t.minAnnouncementDays * DAY_MS)
    .map((x) => {
      const hours = Math.floor((x.deadline.getTime() - x.publishedAt.getTime()) / 3_600_000);
      return {
        rule: "short_announcement" as const,
        severity: "medium" as const,
        fingerprint: fingerprintOf("short_announcement", [x.tenderId]),
        projectId: x.projectId,
        tenderId: x.tenderId,
        projectIds: [x.projectId],
        at: x.publishedAt,
        evidence: [
          {
            labelKey: "risk.evidence.shortAnnouncement",
            values: {
              publishedAt: iso(x.publishedAt),
              deadlineAt: iso(x.deadline),
              days: Math.floor(hours / 24),
              hours: hours % 24,
              minDays: t.minAnnouncementDays,
              round: x.round,
            },
            links: [link.notice(x.tenderId)],
          },
        ],
      };
    });
}

// ── 10. Late amendments ─────────────────────────────────────────────────

export interface Amendment {
  tenderId: string;
  projectId: string;
  seq: number;
  title: string;
  createdAt: Date;
  deadlineBefore: Date;
  deadlineAfter: Date;
  affectsPreparation: boolean;
}

/**
 * Amendments issued less than lateAmendmentDays before the deadline then in
 * force: a late change favours whoever knew it was coming. One flag per
 * tender listing them; medium when bidders were then left less than the
 * window before the (possibly extended) deadline, low when the deadline was
 * moved to give them the full window as the rule requires.
 */
export function lateAmendmentFlags(amendments: readonly Amendment[], t: Pick<RiskThresholds, "lateAmendmentDays"> = DEFAULT_RISK_THRESHOLDS): RiskFlag[] {
  const window = t.lateAmendmentDays * DAY_MS;
  const late = amendments.filter((a) => a.deadlineBefore.getTime() - a.createdAt.getTime() < window);
  return [...groupBy(late, (a) => a.tenderId).values()].map((list) => {
    const ordered = [...list].sort((a, b) => a.seq - b.seq);
    const short = ordered.some((a) => a.deadlineAfter.getTime() - a.createdAt.getTime() < window);
    const last = ordered[ordered.length - 1];
    return {
      rule: "late_amendment" as const,
      severity: short ? ("medium" as const) : ("low" as const),
      fingerprint: fingerprintOf("late_amendment", [last.tenderId, ...ordered.map((a) => `seq=${a.seq}`)]),
      projectId: last.projectId,
      tenderId: last.tenderId,
      projectIds: [last.projectId],
      at: last.createdAt,
      evidence: ordered.map((a) => ({
        labelKey: a.deadlineAfter.getTime() > a.deadlineBefore.getTime() ? "risk.evidence.lateAmendment.extended" : "risk.evidence.lateAmendment.kept",
        values: {
          seq: a.seq,
          title: a.title,
          createdAt: iso(a.createdAt),
          deadlineBeforeAt: iso(a.deadlineBefore),
          deadlineAfterAt: iso(a.deadlineAfter),
          days: t.lateAmendmentDays,
        },
        links: [link.notice(a.tenderId), link.project(a.projectId)],
      })),
    };
  });
}

// ── 11. Repeated failed tenders ─────────────────────────────────────────

export type FailureCause = "opening" | "evaluation" | "complaint";

export interface FailedRound {
  projectId: string;
  tenderId: string;
  round: number;
  failedAt: Date;
  cause: FailureCause;
}

/**
 * A project that failed minFailedRounds rounds or more (流标 at the opening,
 * too few qualified bids, a complaint upheld): requirements that keep honest
 * bidders away, or a tender steered until the right company is alone. Medium;
 * high from one more failure than the threshold.
 */
export function repeatedFailureFlags(rounds: readonly FailedRound[], t: Pick<RiskThresholds, "minFailedRounds"> = DEFAULT_RISK_THRESHOLDS): RiskFlag[] {
  return [...groupBy(rounds, (r) => r.projectId).values()]
    .filter((list) => new Set(list.map((r) => r.tenderId)).size >= t.minFailedRounds)
    .map((list) => {
      const ordered = [...list].sort((a, b) => a.round - b.round);
      const last = ordered[ordered.length - 1];
      return {
        rule: "repeated_failures" as const,
        severity: ordered.length > t.minFailedRounds ? ("high" as const) : ("medium" as const),
        fingerprint: fingerprintOf("repeated_failures", [last.projectId, ...ordered.map((r) => `tender=${r.tenderId}`)]),
        projectId: last.projectId,
        tenderId: last.tenderId,
        projectIds: [last.projectId],
        at: last.failedAt,
        evidence: [
          { labelKey: "risk.evidence.failures.summary", values: { count: ordered.length, min: t.minFailedRounds }, links: [link.project(last.projectId)] },
          ...ordered.map((r) => ({
            labelKey: `risk.evidence.failures.${r.cause}`,
            values: { round: r.round, failedAt: iso(r.failedAt) },
            links:
              r.cause === "opening"
                ? [link.notice(r.tenderId), link.hall(r.tenderId)]
                : r.cause === "evaluation"
                  ? [link.notice(r.tenderId), link.evaluation(r.tenderId)]
                  : [link.notice(r.tenderId), link.award(r.tenderId)],
          })),
        ],
      };
    });
}

// ── 12. Experts with outlier scores ─────────────────────────────────────

export interface ScoredTender {
  tenderId: string;
  projectId: string;
  deadline: Date;
  scores: { expertId: string; expertName: string; bidId: string; companyName: string; score: number }[];
}

/**
 * A member's technical/commercial score more than outlierScoreHundredths
 * (default 15 points) from the panel's median for that bid, where the bid has
 * at least outlierMinScores scores. Integers only: the median is kept doubled
 * (odd: 2 × the middle score; even: the sum of the two middle ones). One flag
 * per member and tender, listing the bids. Medium.
 */
export function outlierScoreFlags(tenders: readonly ScoredTender[], t: Pick<RiskThresholds, "outlierScoreHundredths" | "outlierMinScores"> = DEFAULT_RISK_THRESHOLDS): RiskFlag[] {
  const flags: RiskFlag[] = [];
  for (const x of tenders) {
    const outliers: { expertId: string; expertName: string; bidId: string; companyName: string; score: number; medianTwice: number }[] = [];
    for (const list of groupBy(x.scores, (s) => s.bidId).values()) {
      if (list.length < t.outlierMinScores) continue;
      const s = list.map((y) => y.score).sort((a, b) => a - b);
      const mid = Math.floor(s.length / 2);
      const medianTwice = s.length % 2 === 1 ? 2 * s[mid] : s[mid - 1] + s[mid];
      for (const y of list) if (Math.abs(2 * y.score - medianTwice) > 2 * t.outlierScoreHundredths) outliers.push({ ...y, medianTwice });
    }
    for (const [expertId, list] of groupBy(outliers, (o) => o.expertId)) {
      const ordered = [...list].sort((a, b) => (a.bidId < b.bidId ? -1 : 1));
      flags.push({
        rule: "outlier_scores",
        severity: "medium",
        fingerprint: fingerprintOf("outlier_scores", [x.tenderId, `expert=${expertId}`, ...ordered.map((o) => `bid=${o.bidId}=${o.score}`)]),
        projectId: x.projectId,
        tenderId: x.tenderId,
        projectIds: [x.projectId],
        at: x.deadline,
        evidence: ordered.map((o) => ({
          labelKey: "risk.evidence.outlierScore",
          values: {
            expert: o.expertName,
            company: o.companyName,
            score: o.score,
            // Half of the doubled median, rounded half up, only for showing.
            medianScore: Math.floor((o.medianTwice + 1) / 2),
            limitScore: t.outlierScoreHundredths,
          },
          links: [link.evaluation(x.tenderId), link.panel(x.tenderId)],
        })),
      });
    }
  }
  return flags;
}

// ── 13. A disqualified bidder the draw would have chosen ────────────────

export interface DrawOutcome {
  tenderId: string;
  projectId: string;
  deadline: Date;
  /** evaluations.result.wouldHaveWon: a disqualified bid the same seed put before the winner. */
  wouldHaveWon: { bidId: string; companyName: string } | null;
  winnerCompanyName: string | null;
}

/**
 * Random draw (随机抽取): the panel cannot steer the seed, but it can
 * disqualify a bidder — and when the bidder it removed is the one the same
 * draw would have chosen, the supervisor should read the reasons (ADR 0014).
 * High.
 */
export function disqualifiedWouldWinFlags(outcomes: readonly DrawOutcome[]): RiskFlag[] {
  return outcomes
    .filter((x) => x.wouldHaveWon)
    .map((x) => ({
      rule: "disqualified_would_win" as const,
      severity: "high" as const,
      fingerprint: fingerprintOf("disqualified_would_win", [x.tenderId, `bid=${x.wouldHaveWon!.bidId}`]),
      projectId: x.projectId,
      tenderId: x.tenderId,
      projectIds: [x.projectId],
      at: x.deadline,
      evidence: [
        {
          labelKey: "risk.evidence.wouldHaveWon",
          values: { company: x.wouldHaveWon!.companyName, winner: x.winnerCompanyName ?? "—" },
          links: [link.evaluation(x.tenderId), link.panel(x.tenderId)],
        },
      ],
    }));
}

// ── All of them ─────────────────────────────────────────────────────────

export interface RiskInput {
  splitting: SplittingRecord[];
  bidCounts: TenderBidCount[];
  contacts: BidderMark<ContactKind>[];
  devices: BidderMark<DeviceKind>[];
  files: BidFile[];
  prices: PricedTender[];
  awarded: AwardedTender[];
  ranked: RankedTender[];
  announced: AnnouncedTender[];
  amendments: Amendment[];
  failures: FailedRound[];
  scores: ScoredTender[];
  draws: DrawOutcome[];
}

const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

/** Every rule over one input; highest severity first, then the most recent. */
export function runRiskRules(settings: CountySettings, input: RiskInput, t: RiskThresholds = riskThresholdsOf(settings)): RiskFlag[] {
  const flags = [
    ...splittingFlags(settings, input.splitting),
    ...fewBiddersFlags(input.bidCounts, t),
    ...sharedContactFlags(input.contacts),
    ...sharedDeviceFlags(input.devices),
    ...identicalFileFlags(input.files),
    ...pricePatternFlags(input.prices, t),
    ...rotatingWinnerFlags(input.awarded, t),
    ...winnerFarBelowFlags(input.ranked, t),
    ...shortAnnouncementFlags(input.announced, t),
    ...lateAmendmentFlags(input.amendments, t),
    ...repeatedFailureFlags(input.failures, t),
    ...outlierScoreFlags(input.scores, t),
    ...disqualifiedWouldWinFlags(input.draws),
  ];
  return flags.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.at.getTime() - a.at.getTime() || (a.fingerprint < b.fingerprint ? -1 : 1));
}
