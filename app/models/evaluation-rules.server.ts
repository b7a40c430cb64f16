/**
 * The evaluation methods (DOMAIN.md "Evaluation"), as pure functions: prices
 * in integer fen, scores in integer hundredths (so "rounded to 2 decimals" is
 * exact and the same on every machine), ties broken by the verifiable draw.
 *
 * The draw (随机抽取/摇号) must be reproducible by anyone from published
 * inputs, unpredictable before the opening, and impossible for the panel to
 * steer by disqualifying bidders. Its seed is
 *
 *   SHA-256("cyz-draw-v1" ‖ every opened bid's nonce (sorted) ‖ the
 *           supervisor's secret ‖ SHA-256 of the locked qualified list)
 *
 * — the nonces were sealed inside the bids (nobody knew them all before the
 * opening), the secret was committed to by its hash in the tender notice and
 * is revealed only after the panel locked the qualified list, and the list's
 * hash binds the seed to exactly that list. Every nonce of every *opened*
 * bid counts, qualified or not, so disqualifying a bidder cannot change the
 * seed; it can only remove that bidder from the order, which is a risk flag
 * when the removed bidder would have won.
 *
 * The order of the candidates is by SHA-256(seed ‖ bid id), ascending.
 */
import { createHash } from "node:crypto";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

// ── The verifiable draw ─────────────────────────────────────────────────

/** The hash of the qualified list the panel locked: the tender and the sorted bid ids. */
export function qualifiedListHash(tenderId: string, qualifiedBidIds: readonly string[]): string {
  return sha256(["cyz-qualified-v1", tenderId, ...[...qualifiedBidIds].sort()].join("\n"));
}

/** The supervisor commits to a secret by publishing this hash in the tender notice. */
export function secretCommitment(secret: string): string {
  return sha256(`cyz-secret-v1\n${secret}`);
}

export function drawSeed(input: { nonces: readonly string[]; secret: string; qualifiedListHash: string }): string {
  if (input.nonces.length === 0) throw new Error("a draw needs the opened bids' nonces");
  return sha256(["cyz-draw-v1", ...[...input.nonces].sort(), input.secret, input.qualifiedListHash].join("\n"));
}

/** The draw's order of `bidIds` under `seed`: by SHA-256(seed ‖ bid id), ascending. Anyone can recompute it. */
export function drawOrder(seed: string, bidIds: readonly string[]): string[] {
  return [...bidIds]
    .map((id) => ({ id, key: sha256(`${seed}\n${id}`) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => x.id);
}

// ── Shared ranking ──────────────────────────────────────────────────────

export interface Ranked {
  bidId: string;
  /** 1-based. */
  rank: number;
  /** Whether the draw decided this place against an equal competitor. */
  tieBrokenByDraw: boolean;
}

/**
 * Rank by `key` (smaller is better), ties by the draw order. `order` is
 * drawOrder(seed, ids) — passed in so one seed serves every method.
 */
export function rankBy<T extends { bidId: string }>(items: readonly T[], key: (x: T) => number, order: readonly string[]): Ranked[] {
  const pos = new Map(order.map((id, i) => [id, i]));
  const sorted = [...items].sort((a, b) => key(a) - key(b) || (pos.get(a.bidId) ?? 0) - (pos.get(b.bidId) ?? 0));
  return sorted.map((x, i) => ({
    bidId: x.bidId,
    rank: i + 1,
    tieBrokenByDraw: sorted.some((y) => y !== x && key(y) === key(x)),
  }));
}

// ── Lowest evaluated price (经评审的最低投标价法) ─────────────────────────

export interface PricedBid {
  bidId: string;
  priceFen: number;
}

export function rankLowestPrice(bids: readonly PricedBid[], order: readonly string[]): Ranked[] {
  return rankBy(bids, (b) => b.priceFen, order);
}

// ── Reasonable low price (合理低价法) ───────────────────────────────────

export interface BenchmarkSettings {
  /** From this many valid prices on, the highest is dropped (county setting, default 6). */
  dropHighestAt: number;
  /** From this many on, the highest and the lowest are dropped (default 7). */
  dropBothAt: number;
  /** The coefficient in basis points (default 9600 = 0.96). */
  coefficientBasisPoints: number;
}

/**
 * The benchmark: the average of the valid prices (the highest dropped at 6,
 * highest and lowest at 7 or more) × the coefficient, rounded half up to the fen.
 */
export function reasonableLowBenchmark(prices: readonly number[], s: BenchmarkSettings): { benchmarkFen: number; used: number[] } {
  if (prices.length === 0) throw new Error("no valid prices");
  const sorted = [...prices].sort((a, b) => a - b);
  const used = sorted.length >= s.dropBothAt ? sorted.slice(1, -1) : sorted.length >= s.dropHighestAt ? sorted.slice(0, -1) : sorted;
  const num = used.reduce((sum, p) => sum + BigInt(p), 0n) * BigInt(s.coefficientBasisPoints);
  const den = BigInt(used.length) * 10_000n;
  return { benchmarkFen: Number((num * 2n + den) / (2n * den)), used };
}

/** The bid closest to the benchmark wins (equal distance: the draw). */
export function rankReasonableLow(bids: readonly PricedBid[], benchmarkFen: number, order: readonly string[]): Ranked[] {
  return rankBy(bids, (b) => Math.abs(b.priceFen - benchmarkFen), order);
}

// ── Comprehensive scoring (综合评分法) ──────────────────────────────────

/** Divide and round half up, in integers. */
function divRound(num: bigint, den: bigint): number {
  return Number((num * 2n + den) / (2n * den));
}

/**
 * Price score in hundredths: weight × lowest valid price / this price
 * (the lowest price scores the full weight), rounded to 2 decimals.
 */
export function priceScores(bids: readonly PricedBid[], weightPercent: number): Map<string, number> {
  const lowest = Math.min(...bids.map((b) => b.priceFen));
  return new Map(bids.map((b) => [b.bidId, divRound(BigInt(weightPercent) * 100n * BigInt(lowest), BigInt(b.priceFen))]));
}

export interface ExpertScore {
  expertId: string;
  bidId: string;
  /** Technical and commercial score in hundredths, out of (100 − price weight). */
  score: number;
}

/**
 * The abnormal-score rule: a score that more than `share` of the panel flags
 * as abnormal must be explained in writing by its expert, or it is replaced by
 * the average of the other experts' scores for that bid (rounded to 2 decimals).
 */
export function settleAbnormalScores({
  scores,
  flags,
  explained,
  panelSize,
  share = { num: 1, den: 2 },
}: {
  scores: readonly ExpertScore[];
  flags: readonly { expertId: string; bidId: string; flaggedBy: string }[];
  explained: readonly { expertId: string; bidId: string }[];
  panelSize: number;
  share?: { num: number; den: number };
}): { scores: ExpertScore[]; replaced: { expertId: string; bidId: string; from: number; to: number }[] } {
  const replaced: { expertId: string; bidId: string; from: number; to: number }[] = [];
  const out = scores.map((s) => {
    const flaggers = new Set(flags.filter((f) => f.expertId === s.expertId && f.bidId === s.bidId && f.flaggedBy !== s.expertId).map((f) => f.flaggedBy));
    const abnormal = flaggers.size * share.den > panelSize * share.num;
    if (!abnormal || explained.some((e) => e.expertId === s.expertId && e.bidId === s.bidId)) return s;
    const others = scores.filter((o) => o.bidId === s.bidId && o.expertId !== s.expertId);
    if (others.length === 0) return s;
    const avg = divRound(BigInt(others.reduce((sum, o) => sum + o.score, 0)), BigInt(others.length));
    replaced.push({ expertId: s.expertId, bidId: s.bidId, from: s.score, to: avg });
    return { ...s, score: avg };
  });
  return { scores: out, replaced };
}

/**
 * Totals: price score + the average of the experts' (settled) scores, each in
 * hundredths; the highest total wins (equal totals: the draw).
 */
export function rankComprehensive(bids: readonly PricedBid[], weightPercent: number, scores: readonly ExpertScore[], order: readonly string[]) {
  const price = priceScores(bids, weightPercent);
  const totals = bids.map((b) => {
    const mine = scores.filter((s) => s.bidId === b.bidId);
    const expert = mine.length ? divRound(BigInt(mine.reduce((sum, s) => sum + s.score, 0)), BigInt(mine.length)) : 0;
    return { bidId: b.bidId, price: price.get(b.bidId)!, expert, total: price.get(b.bidId)! + expert };
  });
  const ranked = rankBy(totals, (t) => -t.total, order);
  return ranked.map((r) => ({ ...r, ...totals.find((t) => t.bidId === r.bidId)! }));
}

// ── Random draw among qualified bidders (随机抽取) ───────────────────────

/**
 * The draw itself: the qualified bids in draw order. `wouldHaveWon` names a
 * disqualified bid that the same seed puts before the winner — a risk flag
 * for the supervisor (the panel cannot steer the seed, but it can remove a
 * bidder from the list).
 */
export function randomDraw(seed: string, qualified: readonly string[], disqualified: readonly string[] = []) {
  const order = drawOrder(seed, qualified);
  const all = drawOrder(seed, [...qualified, ...disqualified]);
  const winner = order[0] ?? null;
  const wouldHaveWon = winner === null ? null : (all.find((id) => disqualified.includes(id) && all.indexOf(id) < all.indexOf(winner)) ?? null);
  return { order, winner, wouldHaveWon };
}

/** Hundredths → "87.45". */
export function showScore(hundredths: number): string {
  const sign = hundredths < 0 ? "-" : "";
  const a = Math.abs(hundredths);
  return `${sign}${Math.trunc(a / 100)}.${String(a % 100).padStart(2, "0")}`;
}
