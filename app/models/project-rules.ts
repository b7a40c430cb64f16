/**
 * Pure rules of project registration: threshold banding and the selection
 * methods each band allows, and the splitting (化整为零) check. No database
 * here, so every rule is unit-tested directly.
 */
import type { CountySettings } from "./county-settings";

export const PROJECT_TYPES = ["works", "goods", "services"] as const;
export type ProjectType = (typeof PROJECT_TYPES)[number];

export const SELECTION_METHODS = ["direct_award", "self_build", "open_selection", "open_tender"] as const;
export type SelectionMethod = (typeof SELECTION_METHODS)[number];

/** Methods that run a tender on this platform; the others are recorded and approved, nothing more. */
export const PLATFORM_METHODS: readonly SelectionMethod[] = ["open_selection", "open_tender"];

export type Band = "small" | "village" | "large" | "mandatory";

export function mandatoryThreshold(s: CountySettings, type: ProjectType): number {
  return type === "works" ? s.mandatoryThresholdWorksFen : type === "goods" ? s.mandatoryThresholdGoodsFen : s.mandatoryThresholdServicesFen;
}

/**
 * Which band an estimate falls in:
 * small    < directAwardBelow           (direct award / self-build allowed)
 * village  < openSelectionUpTo          (open selection here)
 * large    < the mandatory threshold    (open tender here)
 * mandatory ≥ the mandatory threshold   (not allowed here: the county centre runs it)
 */
export function bandOf(s: CountySettings, type: ProjectType, estimateFen: number): Band {
  if (estimateFen >= mandatoryThreshold(s, type)) return "mandatory";
  if (estimateFen < s.directAwardBelowFen) return "small";
  if (estimateFen < s.openSelectionUpToFen) return "village";
  return "large";
}

export function allowedMethods(s: CountySettings, band: Band): SelectionMethod[] {
  switch (band) {
    case "small":
      return ["direct_award", "self_build", "open_selection"];
    case "village":
      return s.allowDirectAwardInVillageBand ? ["open_selection", "direct_award"] : ["open_selection"];
    case "large":
      return ["open_tender"];
    case "mandatory":
      return [];
  }
}

/** The band boundaries above an estimate, lowest first: crossing one by adding projects up is what splitting avoids. */
export function boundariesAbove(s: CountySettings, type: ProjectType, estimateFen: number): number[] {
  return [s.directAwardBelowFen, s.openSelectionUpToFen, mandatoryThreshold(s, type)].filter((b) => b > estimateFen).sort((a, b) => a - b);
}

/** Character bigrams, the usual way to compare short Chinese texts without a word segmenter. */
function bigrams(text: string): Set<string> {
  const t = text.replace(/[\s\p{P}\p{S}]/gu, "").toLowerCase();
  const out = new Set<string>();
  if (t.length === 1) out.add(t);
  for (let i = 0; i < t.length - 1; i++) out.add(t.slice(i, i + 2));
  return out;
}

/** Dice coefficient of two texts' bigrams, 0…1. */
export function similarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (x.size === 0 || y.size === 0) return 0;
  let common = 0;
  for (const g of x) if (y.has(g)) common++;
  return (2 * common) / (x.size + y.size);
}

export const SIMILARITY_THRESHOLD = 0.5;

export interface SplittingCandidate {
  id: string;
  name: string;
  location: string;
  scope: string;
  type: ProjectType;
  villageId: string;
  estimateFen: number;
  /** When the village decided on it (registration time). */
  at: Date;
}

export interface SplittingFinding {
  related: { id: string; name: string; estimateFen: number; similarity: number }[];
  combinedFen: number;
  /** The band boundary the combined value crosses. */
  limitFen: number;
}

function addMonths(d: Date, months: number): Date {
  const x = new Date(d);
  x.setUTCMonth(x.getUTCMonth() + months);
  return x;
}

/**
 * Likely splitting: other projects of the same village and type within the
 * county's window (default 12 months, either side), alike in name, location
 * or scope, whose combined value with this one crosses a band boundary this
 * one alone stays under.
 */
export function detectSplitting(s: CountySettings, project: SplittingCandidate, others: SplittingCandidate[]): SplittingFinding | null {
  const from = addMonths(project.at, -s.splittingWindowMonths);
  const to = addMonths(project.at, s.splittingWindowMonths);
  const related = others
    .filter((o) => o.id !== project.id && o.villageId === project.villageId && o.type === project.type && o.at >= from && o.at <= to)
    .map((o) => ({
      o,
      sim: Math.max(similarity(o.name, project.name), similarity(o.location, project.location), similarity(o.scope, project.scope)),
    }))
    .filter((x) => x.sim >= SIMILARITY_THRESHOLD);
  if (related.length === 0) return null;
  const combinedFen = project.estimateFen + related.reduce((sum, x) => sum + x.o.estimateFen, 0);
  const limitFen = boundariesAbove(s, project.type, project.estimateFen).find((b) => combinedFen >= b);
  if (limitFen === undefined) return null;
  return {
    related: related.map((x) => ({ id: x.o.id, name: x.o.name, estimateFen: x.o.estimateFen, similarity: Math.round(x.sim * 100) / 100 })),
    combinedFen,
    limitFen,
  };
}
