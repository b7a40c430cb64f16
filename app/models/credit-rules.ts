/**
 * Credit (信用管理, DOMAIN.md "Supervision and risk"): what a supervisor may
 * record, and the colour grade a contractor carries. Pure (no database): the
 * form, the model and the tests share it.
 *
 * The grade, read on one Beijing calendar day T, from the subject's records.
 * A lifted record counts for nothing (lifting is how a record is withdrawn —
 * on appeal, or recorded in error; it stays on the list, marked lifted), and
 * neither does one that has not started yet. The first band that applies wins:
 *
 *   red     a blacklisting in force on T (startsOn ≤ T ≤ endsOn);
 *   orange  a suspension in force on T, or ≥ 12 points deducted by
 *           deductions that started in the 12 months up to T;
 *   yellow  6–11 points deducted in those 12 months, or a warning that
 *           started in the 6 months up to T;
 *   blue    any other record whose last day (endsOn, or startsOn for a
 *           warning or deduction) falls in the 24 months up to T —
 *           e.g. a few points, an older warning, an ended suspension;
 *   green   none of these: a clean record.
 *
 * "n months up to T" means after the day n calendar months before T
 * (2026-11-26 → after 2025-11-26 for 12 months). The thresholds are in
 * GRADE_RULES; DOMAIN.md marks none of them as a legal rule.
 */
import { z } from "zod";
import { calendarDay } from "./company-rules";

export const CREDIT_KINDS = ["warning", "deduction", "suspension", "blacklist"] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];
export const CREDIT_SUBJECTS = ["company", "expert"] as const;
export type CreditSubject = (typeof CREDIT_SUBJECTS)[number];

/** Best first. The words (credit.grades.*) always go with the colour. */
export const CREDIT_GRADES = ["green", "blue", "yellow", "orange", "red"] as const;
export type CreditGrade = (typeof CREDIT_GRADES)[number];

export const GRADE_RULES = {
  /** Deductions count for this many months after they start. */
  pointsWindowMonths: 12,
  orangePoints: 12,
  yellowPoints: 6,
  /** A warning makes the grade yellow for this many months. */
  warningWindowMonths: 6,
  /** Any record shows (blue) for this many months after its last day. */
  historyWindowMonths: 24,
} as const;

/** Deduction points, per record. */
export const MAX_POINTS = 100;
/** How far back or ahead a record may start: catches typos, and keeps a record from being filed where it would never show. */
export const START_WINDOW_DAYS = { before: 365, after: 90 } as const;

/** Kinds that run for a period and must say when it ends (the issue: "with end dates"), blacklisting included. */
export const hasPeriod = (kind: CreditKind) => kind === "suspension" || kind === "blacklist";

/** What the grade reads from a record. */
export interface GradedRecord {
  kind: CreditKind;
  points: number | null;
  startsOn: string;
  endsOn: string | null;
  liftedAt: Date | string | null;
}

/** The same day n calendar months earlier (clamped to the month's end: 05-31 − 3 months = 02-28). */
export function monthsBefore(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number);
  const total = y * 12 + (m - 1) - n;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(Math.min(d, last)).padStart(2, "0")}`;
}

export type CreditStatus = "lifted" | "scheduled" | "inEffect" | "past";

/**
 * Where a record stands on `today`: lifted; scheduled (starts later);
 * in effect (it raises the grade above blue today: a running suspension or
 * blacklisting, a deduction within the points window, a warning within the
 * warning window); or past.
 */
export function statusOf(r: GradedRecord, today: string): CreditStatus {
  if (r.liftedAt) return "lifted";
  if (r.startsOn > today) return "scheduled";
  if (hasPeriod(r.kind)) return r.endsOn !== null && r.endsOn >= today ? "inEffect" : "past";
  const window = r.kind === "deduction" ? GRADE_RULES.pointsWindowMonths : GRADE_RULES.warningWindowMonths;
  return r.startsOn > monthsBefore(today, window) ? "inEffect" : "past";
}

/** Why the grade is what it is: credit.basis.* */
export type GradeBasis = "blacklisted" | "suspended" | "points" | "warning" | "history" | "clean";

export interface GradeResult {
  grade: CreditGrade;
  basis: GradeBasis;
  /** Points deducted in the points window. */
  points: number;
  /** The last day of the blacklisting or suspension that sets a red or orange grade. */
  until: string | null;
}

const latest = (days: (string | null)[]) =>
  days
    .filter((d): d is string => d !== null)
    .sort()
    .at(-1) ?? null;

/** The colour grade on `today` (YYYY-MM-DD, Beijing) — the scheme is at the top of this file. */
export function gradeOf(records: readonly GradedRecord[], today: string): GradeResult {
  const counted = records.filter((r) => !r.liftedAt && r.startsOn <= today);
  const inForce = (kind: CreditKind) => counted.filter((r) => r.kind === kind && r.endsOn !== null && r.endsOn >= today);
  const pointsSince = monthsBefore(today, GRADE_RULES.pointsWindowMonths);
  const points = counted.filter((r) => r.kind === "deduction" && r.startsOn > pointsSince).reduce((sum, r) => sum + (r.points ?? 0), 0);

  const blacklists = inForce("blacklist");
  if (blacklists.length) return { grade: "red", basis: "blacklisted", points, until: latest(blacklists.map((r) => r.endsOn)) };
  const suspensions = inForce("suspension");
  if (suspensions.length) return { grade: "orange", basis: "suspended", points, until: latest(suspensions.map((r) => r.endsOn)) };
  if (points >= GRADE_RULES.orangePoints) return { grade: "orange", basis: "points", points, until: null };
  if (points >= GRADE_RULES.yellowPoints) return { grade: "yellow", basis: "points", points, until: null };
  const warningSince = monthsBefore(today, GRADE_RULES.warningWindowMonths);
  if (counted.some((r) => r.kind === "warning" && r.startsOn > warningSince)) return { grade: "yellow", basis: "warning", points, until: null };
  const historySince = monthsBefore(today, GRADE_RULES.historyWindowMonths);
  if (counted.some((r) => (r.endsOn ?? r.startsOn) > historySince)) return { grade: "blue", basis: "history", points, until: null };
  return { grade: "green", basis: "clean", points, until: null };
}

/** A blacklisting or suspension in force on `today` keeps a company from bidding / an expert from a panel. */
export function blocksOn(r: GradedRecord, today: string, kinds: readonly CreditKind[]): boolean {
  return kinds.includes(r.kind) && !r.liftedAt && r.startsOn <= today && r.endsOn !== null && r.endsOn >= today;
}

// ── The form ────────────────────────────────────────────────────────────

const emptyToNull = (v: unknown) => (v === "" || v === undefined || v === null ? null : v);

/**
 * What a supervisor submits. Warnings and deductions are events on a day
 * (no end date); a deduction carries 1–100 points; a suspension or a
 * blacklisting needs an end date after its start — a blacklisting is never
 * open-ended (DOMAIN.md: "blacklist with an end date"). The start's distance
 * from today is checked by the model, which knows the day.
 */
export const creditInputSchema = z
  .object({
    subject: z.enum(CREDIT_SUBJECTS, { message: "errors.credit.subject" }),
    subjectId: z.string({ message: "errors.credit.subject" }).uuid("errors.credit.subject"),
    kind: z.enum(CREDIT_KINDS, { message: "errors.credit.kind" }),
    points: z.preprocess(
      emptyToNull,
      z.coerce.number({ message: "errors.credit.points" }).int("errors.credit.points").min(1, "errors.credit.points").max(MAX_POINTS, "errors.credit.points").nullable(),
    ),
    reason: z.string({ message: "errors.credit.reason" }).trim().min(4, "errors.credit.reason").max(1000, "errors.credit.reason"),
    projectId: z.preprocess(emptyToNull, z.string().uuid("errors.credit.project").nullable()),
    startsOn: calendarDay("errors.credit.startsOn"),
    endsOn: z.preprocess(emptyToNull, calendarDay("errors.credit.endsOn").nullable()),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "deduction" && v.points === null) ctx.addIssue({ code: "custom", path: ["points"], message: "errors.credit.points" });
    if (v.kind !== "deduction" && v.points !== null) ctx.addIssue({ code: "custom", path: ["points"], message: "errors.credit.pointsNotAllowed" });
    if (hasPeriod(v.kind)) {
      if (v.endsOn === null) ctx.addIssue({ code: "custom", path: ["endsOn"], message: "errors.credit.endsOn" });
      else if (v.endsOn <= v.startsOn) ctx.addIssue({ code: "custom", path: ["endsOn"], message: "errors.credit.endsOnAfterStart" });
    } else if (v.endsOn !== null) ctx.addIssue({ code: "custom", path: ["endsOn"], message: "errors.credit.endsOnNotAllowed" });
  });
export type CreditInput = z.output<typeof creditInputSchema>;

/**
 * The credit page's two forms, as posted: every field text (a file in any of
 * them is refused). One select names both the kind of subject and which
 * ("company:<id>" or "expert:<id>"); the record itself is checked by
 * creditInputSchema in the model.
 */
const posted = z.string({ message: "errors.invalidInput" });
export const creditFormSchema = z.discriminatedUnion(
  "intent",
  [
    z
      .object({
        intent: z.literal("record"),
        subjectRef: posted,
        kind: posted.optional(),
        points: posted.optional(),
        reason: posted.optional(),
        projectId: posted.optional(),
        startsOn: posted.optional(),
        endsOn: posted.optional(),
      })
      .refine((f) => /^(company|expert):[^:]+$/.test(f.subjectRef), { message: "errors.credit.subject", path: ["subject"] }),
    z.object({ intent: z.literal("lift"), id: posted, note: posted.optional() }),
  ],
  { message: "errors.invalidInput" },
);

export const liftInputSchema = z.object({
  recordId: z.string({ message: "errors.notFound" }).uuid("errors.notFound"),
  note: z.string({ message: "errors.credit.liftNote" }).trim().min(4, "errors.credit.liftNote").max(1000, "errors.credit.liftNote"),
});
