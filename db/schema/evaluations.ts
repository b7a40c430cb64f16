import { bigint, boolean, date, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { instant } from "./columns";
import { bids } from "./bids";
import { orgs } from "./orgs";
import { AWARD_STATE_VALUES, COMPLAINT_STATE_VALUES, EVALUATION_STATE_VALUES, OBJECTION_STATE_VALUES } from "./states";
import { files } from "./projects";
import { tenders } from "./tenders";
import { users } from "./users";

/**
 * The secret the township supervision commits to for a tender's verifiable
 * draw (DOMAIN.md "Random draw", ADR 0014, 0015): created when the notice is
 * published (its hash printed in the notice), revealed by a supervisor only
 * after the panel has locked the qualified list. Never shown before.
 */
export const drawSecrets = pgTable("draw_secrets", {
  tenderId: uuid("tender_id")
    .primaryKey()
    .references(() => tenders.id),
  secret: text("secret").notNull(),
  commitment: text("commitment").notNull(),
  createdAt: instant("created_at").notNull(),
  revealedAt: instant("revealed_at"),
  revealedBy: uuid("revealed_by").references(() => users.id),
});

/**
 * Where an evaluation stands. checking: each member checks every opened bid;
 * secret: the qualified list is locked, waiting for the supervisor's secret;
 * scoring / review / explaining: comprehensive scoring only; opinions: the
 * result is computed, each member agrees or writes a dissent; signing: the
 * report (评标报告) is rendered and signed member by member; done.
 */
export const evaluationState = pgEnum("evaluation_state", EVALUATION_STATE_VALUES);

export const evaluations = pgTable(
  "evaluations",
  {
    tenderId: uuid("tender_id")
      .primaryKey()
      .references(() => tenders.id),
    state: evaluationState("state").notNull(),
    /** When the current step began (a member silent for a day may be recorded as agreeing). */
    stepStartedAt: instant("step_started_at").notNull(),
    qualifiedBidIds: jsonb("qualified_bid_ids").$type<string[]>(),
    qualifiedListHash: text("qualified_list_hash"),
    lockedAt: instant("locked_at"),
    seed: text("seed"),
    /** The computed result: method, ranking with the figures behind it, candidates, risk notes. */
    result: jsonb("result").$type<EvaluationResult>(),
    computedAt: instant("computed_at"),
    /** The report's current revision: each signature is an incremental update to it. */
    reportPdfSha256: text("report_pdf_sha256").references(() => files.sha256),
    /** Where each member's signature goes on the report: { expertId: slot }. */
    reportSlots: jsonb("report_slots").$type<Record<string, { pageIndex: number; x: number; y: number; width: number; height: number }>>(),
    reportCompletedAt: instant("report_completed_at"),
    /** Why the evaluation ended the tender (fewer than 3 qualified bids): a translation key and values. */
    failReason: jsonb("fail_reason").$type<{ key: string; values?: Record<string, string | number> }>(),
    createdAt: instant("created_at").notNull(),
  },
  // Failed evaluations for the dashboard: a few index entries instead of the heap with its jsonb (ADR 0020).
  (t) => [
    index("evaluations_failed_idx")
      .on(t.tenderId)
      .where(sql`${t.failReason} is not null`),
  ],
);

export interface EvaluationResult {
  method: "lowest_price" | "reasonable_low" | "comprehensive" | "random_draw";
  benchmarkFen?: number;
  benchmarkUsedFen?: number[];
  priceWeightPercent?: number;
  ranking: {
    bidId: string;
    rank: number;
    priceFen: number;
    tieBrokenByDraw: boolean;
    priceScore?: number;
    expertScore?: number;
    total?: number;
    distanceFen?: number;
  }[];
  candidates: string[];
  replacedScores?: { expertId: string; bidId: string; from: number; to: number }[];
  /** A disqualified bid the same draw would have put first (risk flag). */
  wouldHaveWon?: string | null;
}

/** One member's check of one bid against the tender's requirements. */
export const qualificationChecks = pgTable(
  "qualification_checks",
  {
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    bidId: uuid("bid_id")
      .notNull()
      .references(() => bids.id),
    expertId: uuid("expert_id")
      .notNull()
      .references(() => users.id),
    pass: boolean("pass").notNull(),
    reason: text("reason"),
    at: instant("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.bidId, t.expertId] })],
);

/** What each member has handed in, step by step; nobody sees another's scores before handing in their own. */
export const evaluationMembers = pgTable(
  "evaluation_members",
  {
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    expertId: uuid("expert_id")
      .notNull()
      .references(() => users.id),
    checksAt: instant("checks_at"),
    scoresAt: instant("scores_at"),
    reviewAt: instant("review_at"),
    opinion: text("opinion"), // "agree" | "dissent"
    dissent: text("dissent"),
    opinionAt: instant("opinion_at"),
    /** Recorded as agreeing after staying silent (DOMAIN.md: refusing without reason counts as agreement). */
    deemedAgreeBy: uuid("deemed_agree_by").references(() => users.id),
    signedAt: instant("signed_at"),
    refusedAt: instant("refused_at"),
    refusalNote: text("refusal_note"),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.expertId] })],
);

/** Comprehensive scoring: one member's technical/commercial score of one qualified bid, in hundredths. */
export const expertScores = pgTable(
  "expert_scores",
  {
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    bidId: uuid("bid_id")
      .notNull()
      .references(() => bids.id),
    expertId: uuid("expert_id")
      .notNull()
      .references(() => users.id),
    score: integer("score").notNull(),
    /** Flagged abnormal by these members during the review. */
    flaggedBy: jsonb("flagged_by").$type<string[]>().notNull(),
    explanation: text("explanation"),
    /** The expert accepted replacement by the others' average instead of explaining. */
    acceptedReplacement: boolean("accepted_replacement").notNull(),
    at: instant("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.bidId, t.expertId] })],
);

/** A written clarification (评标澄清) the panel asks of one bidder; the answer may not change the bid. */
export const clarifications = pgTable(
  "clarifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    bidId: uuid("bid_id")
      .notNull()
      .references(() => bids.id),
    askedBy: uuid("asked_by")
      .notNull()
      .references(() => users.id),
    question: text("question").notNull(),
    askedAt: instant("asked_at").notNull(),
    dueAt: instant("due_at").notNull(),
    answer: text("answer"),
    answeredBy: uuid("answered_by").references(() => users.id),
    answeredAt: instant("answered_at"),
  },
  (t) => [index("clarifications_tender_idx").on(t.tenderId, t.askedAt)],
);

/** Candidate publicity (中标候选人公示). */
export const publicities = pgTable("publicities", {
  tenderId: uuid("tender_id")
    .primaryKey()
    .references(() => tenders.id),
  startsAt: instant("starts_at").notNull(),
  endsAt: instant("ends_at").notNull(),
  candidates: jsonb("candidates").$type<string[]>().notNull(),
});

export const objectionState = pgEnum("objection_state", OBJECTION_STATE_VALUES);

/** An objection (异议) a bidder files during publicity; the committee must answer by `dueAt`, the award waits. */
export const objections = pgTable(
  "objections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    companyId: uuid("company_id")
      .notNull()
      .references(() => orgs.id),
    filedBy: uuid("filed_by")
      .notNull()
      .references(() => users.id),
    body: text("body").notNull(),
    filedAt: instant("filed_at").notNull(),
    dueAt: instant("due_at").notNull(),
    state: objectionState("state").notNull(),
    answer: text("answer"),
    answeredBy: uuid("answered_by").references(() => users.id),
    answeredAt: instant("answered_at"),
  },
  (t) => [index("objections_tender_idx").on(t.tenderId, t.filedAt)],
);

export const complaintState = pgEnum("complaint_state", COMPLAINT_STATE_VALUES);

/** A complaint (投诉) to the township supervisor: accept or reject within 3 working days, decide within 30. */
export const complaints = pgTable(
  "complaints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    companyId: uuid("company_id")
      .notNull()
      .references(() => orgs.id),
    filedBy: uuid("filed_by")
      .notNull()
      .references(() => users.id),
    body: text("body").notNull(),
    filedAt: instant("filed_at").notNull(),
    acceptDueAt: instant("accept_due_at").notNull(),
    decideDueAt: instant("decide_due_at"),
    state: complaintState("state").notNull(),
    handledBy: uuid("handled_by").references(() => users.id),
    acceptedAt: instant("accepted_at"),
    decidedAt: instant("decided_at"),
    /** The supervisor's reasons (rejection) or decision; published once decided or rejected. */
    outcome: text("outcome"),
  },
  (t) => [index("complaints_tender_idx").on(t.tenderId, t.filedAt)],
);

export const awardState = pgEnum("award_state", AWARD_STATE_VALUES);

/** The award (定标): the committee's choice, the supervisor's approval where 评定分离 applies, and the signed notice. */
export const awards = pgTable("awards", {
  tenderId: uuid("tender_id")
    .primaryKey()
    .references(() => tenders.id),
  winnerBidId: uuid("winner_bid_id")
    .notNull()
    .references(() => bids.id),
  priceFen: bigint("price_fen", { mode: "number" }).notNull(),
  state: awardState("state").notNull(),
  /** Required when the winner is not the first candidate (评定分离). */
  reasons: text("reasons"),
  decidedBy: uuid("decided_by")
    .notNull()
    .references(() => users.id),
  decidedAt: instant("decided_at").notNull(),
  approvedBy: uuid("approved_by").references(() => users.id),
  approvedAt: instant("approved_at"),
  approvalNote: text("approval_note"),
  noticePdfSha256: text("notice_pdf_sha256").references(() => files.sha256),
  signedAt: instant("signed_at"),
  signedBy: uuid("signed_by").references(() => users.id),
  contractDate: date("contract_date", { mode: "string" }),
  acceptanceDate: date("acceptance_date", { mode: "string" }),
  settlementFen: bigint("settlement_fen", { mode: "number" }),
});

/** Bid security (投标保证金) to be released: losers within N days of the award, the winner within N days of the contract. */
export const securityReleases = pgTable("security_releases", {
  bidId: uuid("bid_id")
    .primaryKey()
    .references(() => bids.id),
  tenderId: uuid("tender_id")
    .notNull()
    .references(() => tenders.id),
  amountFen: bigint("amount_fen", { mode: "number" }).notNull(),
  dueAt: instant("due_at").notNull(),
  releasedAt: instant("released_at"),
  releasedBy: uuid("released_by").references(() => users.id),
  note: text("note"),
});

export type Evaluation = typeof evaluations.$inferSelect;
export type Objection = typeof objections.$inferSelect;
export type Complaint = typeof complaints.$inferSelect;
export type Award = typeof awards.$inferSelect;
