/** What the supervision dashboard computes (app/models/dashboard.server.ts): shared with the page that shows it. */

/** Opened tenders by the number of sealed bids in force at the deadline: fewer than 3, 3, 4–5, 6–9, 10 or more. */
export const BIDDER_BUCKETS = ["lt3", "b3", "b4to5", "b6to9", "b10plus"] as const;
export type BidderBucket = (typeof BIDDER_BUCKETS)[number];

export interface Figures {
  projects: number;
  tendered: number;
  tenderedFen: number;
  awarded: number;
  awardedFen: number;
  awardedCeilingFen: number;
  savingsFen: number;
  /** 平均下浮率: mean of (ceiling − award) ÷ ceiling over awarded projects, basis points. */
  reductionBp: number | null;
  /** savings ÷ awarded ceiling, basis points. */
  savingsRateBp: number | null;
  medianDaysToAward: number | null;
  tenders: number;
  opened: number;
  /** Sealed bids in force at the deadline, summed over opened tenders. */
  bidsAtDeadline: number;
  avgBidders: number | null;
  /** How many opened tenders had this many bids: fewer than 3, 3, 4–5, 6–9, 10 or more. */
  bidderSpread: Record<BidderBucket, number>;
  failed: number;
  failedRateBp: number | null;
}
