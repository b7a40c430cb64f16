import { z } from "zod";

/**
 * Every number DOMAIN.md marks (rule), as a per-county setting with the
 * domain's default. The list drives validation, storage and the admin form;
 * labels live in the translation catalogues under settings.fields.<key>.
 */
export type SettingUnit =
  | "fen" // money, entered in yuan
  | "days"
  | "workingDays"
  | "months"
  | "years"
  | "minutes"
  | "hours"
  | "count"
  | "basisPoints" // 1/100 of a percent, entered as a percentage
  | "ratio" // a fraction "2/3"
  | "boolean";

export interface SettingDef {
  key: string;
  group: "thresholds" | "village" | "tender" | "opening" | "evaluation" | "publicity" | "supervision" | "files";
  unit: SettingUnit;
  default: number | boolean | string;
  min?: number;
  max?: number;
}

const WAN = 10_000 * 100; // 1万元 in fen

export const SETTING_DEFS = [
  // Mandatory-tendering thresholds: at or above these a project goes to the county centre.
  { key: "mandatoryThresholdWorksFen", group: "thresholds", unit: "fen", default: 400 * WAN, min: 1 },
  { key: "mandatoryThresholdGoodsFen", group: "thresholds", unit: "fen", default: 200 * WAN, min: 1 },
  { key: "mandatoryThresholdServicesFen", group: "thresholds", unit: "fen", default: 100 * WAN, min: 1 },
  // The county's own village bands (below 10万 direct award or self-build; 10–100万 open selection here).
  { key: "directAwardBelowFen", group: "thresholds", unit: "fen", default: 10 * WAN, min: 0 },
  { key: "openSelectionUpToFen", group: "thresholds", unit: "fen", default: 100 * WAN, min: 1 },
  { key: "allowDirectAwardInVillageBand", group: "thresholds", unit: "boolean", default: false },
  { key: "splittingWindowMonths", group: "thresholds", unit: "months", default: 12, min: 1, max: 60 },
  // 四议两公开: villagers' (representative) meeting quorum and majority.
  { key: "villagersMeetingQuorum", group: "village", unit: "ratio", default: "2/3" },
  { key: "villagersMeetingMajority", group: "village", unit: "ratio", default: "1/2" },
  // Tender notice.
  { key: "minAnnouncementDays", group: "tender", unit: "days", default: 5, min: 1, max: 60 },
  { key: "minAnnouncementDaysMandatory", group: "tender", unit: "days", default: 20, min: 1, max: 90 },
  { key: "lateAmendmentDays", group: "tender", unit: "days", default: 3, min: 0, max: 30 },
  { key: "lateAmendmentDaysMandatory", group: "tender", unit: "days", default: 15, min: 0, max: 60 },
  { key: "bidSecurityMaxBasisPoints", group: "tender", unit: "basisPoints", default: 200, min: 0, max: 10_000 },
  { key: "registrationStepRequired", group: "tender", unit: "boolean", default: false },
  { key: "blockBusyProjectManagers", group: "tender", unit: "boolean", default: true },
  // After an official reset a password (ADR 0028), that account may not withdraw or replace bids for this long — ending one hour before the deadline at the latest (ADR 0033).
  { key: "withdrawBlockAfterOfficialResetHours", group: "tender", unit: "hours", default: 24, min: 0, max: 720 },
  // 投标有效期, counted from the deadline: a bid security by guarantee must cover it (招标投标法实施条例 §25–26).
  { key: "bidValidityDays", group: "tender", unit: "days", default: 90, min: 1, max: 365 },
  // Opening.
  { key: "minValidBids", group: "opening", unit: "count", default: 3, min: 1, max: 20 },
  { key: "decryptionWindowMinutes", group: "opening", unit: "minutes", default: 30, min: 5, max: 240 },
  { key: "confirmationWindowMinutes", group: "opening", unit: "minutes", default: 10, min: 1, max: 120 },
  { key: "allowMethodSwitchAfterFailure", group: "opening", unit: "boolean", default: false },
  // Evaluation.
  { key: "panelSizeSmall", group: "evaluation", unit: "count", default: 3, min: 3, max: 15 },
  { key: "panelSizeLarge", group: "evaluation", unit: "count", default: 5, min: 5, max: 21 },
  { key: "tendererRepsMaxShare", group: "evaluation", unit: "ratio", default: "1/3" },
  { key: "expertConflictYears", group: "evaluation", unit: "years", default: 3, min: 0, max: 10 },
  // A host's specialty filter must leave this many eligible experts per seat, or the draw could be made to pick itself.
  { key: "panelFilterEligiblePerSeat", group: "evaluation", unit: "count", default: 2, min: 1, max: 10 },
  { key: "reasonableLowDropHighestAt", group: "evaluation", unit: "count", default: 6, min: 3, max: 50 },
  { key: "reasonableLowDropBothAt", group: "evaluation", unit: "count", default: 7, min: 3, max: 50 },
  { key: "reasonableLowCoefficientBasisPoints", group: "evaluation", unit: "basisPoints", default: 9_600, min: 8_000, max: 10_000 },
  { key: "abnormalScoreShare", group: "evaluation", unit: "ratio", default: "1/2" },
  { key: "separateEvaluationAndDecision", group: "evaluation", unit: "boolean", default: false },
  // Publicity, objections, award.
  { key: "publicityStartWithinDays", group: "publicity", unit: "days", default: 3, min: 1, max: 30 },
  { key: "publicityMinDays", group: "publicity", unit: "days", default: 3, min: 3, max: 30 },
  { key: "objectionAnswerDays", group: "publicity", unit: "days", default: 3, min: 1, max: 30 },
  { key: "complaintWithinDays", group: "publicity", unit: "days", default: 10, min: 1, max: 60 },
  { key: "contractWithinDays", group: "publicity", unit: "days", default: 30, min: 1, max: 90 },
  { key: "bidSecurityReleaseDays", group: "publicity", unit: "days", default: 5, min: 1, max: 30 },
  // Supervision.
  { key: "complaintAcceptWorkingDays", group: "supervision", unit: "workingDays", default: 3, min: 1, max: 30 },
  { key: "complaintDecideWorkingDays", group: "supervision", unit: "workingDays", default: 30, min: 1, max: 120 },
  { key: "priceClusterBasisPoints", group: "supervision", unit: "basisPoints", default: 200, min: 1, max: 5_000 },
  { key: "qualificationExpiryNoticeDays", group: "supervision", unit: "days", default: 30, min: 1, max: 180 },
  { key: "archiveRetentionYears", group: "supervision", unit: "years", default: 15, min: 15, max: 100 },
  // Files.
  { key: "uploadMaxMegabytes", group: "files", unit: "count", default: 50, min: 1, max: 500 },
  // Finished uploads other than sealed bids, per account and Beijing day (resumable-upload.server.ts).
  { key: "uploadsPerDay", group: "files", unit: "count", default: 10, min: 1, max: 1000 },
  { key: "uploadMegabytesPerDay", group: "files", unit: "count", default: 200, min: 1, max: 100_000 },
] as const satisfies readonly SettingDef[];

export type SettingKey = (typeof SETTING_DEFS)[number]["key"];

type ValueOf<D> = D extends { unit: "boolean" } ? boolean : D extends { unit: "ratio" } ? string : number;
export type CountySettings = { [D in (typeof SETTING_DEFS)[number] as D["key"]]: ValueOf<D> };

export const SETTING_GROUPS = ["thresholds", "village", "tender", "opening", "evaluation", "publicity", "supervision", "files"] as const;

const RATIO = /^([1-9]\d*)\/([1-9]\d*)$/;

export function parseRatio(value: string): { num: number; den: number } {
  const m = RATIO.exec(value);
  if (!m) throw new RangeError(`not a ratio: ${value}`);
  return { num: Number(m[1]), den: Number(m[2]) };
}

/** The stored form: every key present, every value within its range, with cross-field rules checked. */
export const countySettingsSchema = z
  .object(
    Object.fromEntries(
      (SETTING_DEFS as readonly SettingDef[]).map((d) => {
        let s: z.ZodType;
        if (d.unit === "boolean") s = z.boolean();
        else if (d.unit === "ratio")
          s = z
            .string()
            .regex(RATIO, "errors.settings.ratio")
            // zod runs every check even after the regex failed, so the refinement must not assume a match.
            .refine((v) => {
              if (!RATIO.test(v)) return true;
              const { num, den } = parseRatio(v);
              return num <= den;
            }, "errors.settings.ratio");
        else {
          let n = z.number({ message: "errors.settings.number" }).int("errors.settings.integer");
          if (d.min !== undefined) n = n.min(d.min, "errors.settings.range");
          if (d.max !== undefined) n = n.max(d.max, "errors.settings.range");
          s = n;
        }
        return [d.key, s.default(d.default as never)];
      }),
    ),
  )
  .superRefine((v, ctx) => {
    const s = v as unknown as CountySettings;
    if (s.openSelectionUpToFen <= s.directAwardBelowFen) ctx.addIssue({ code: "custom", path: ["openSelectionUpToFen"], message: "errors.settings.bandOrder" });
    const lowestThreshold = Math.min(s.mandatoryThresholdWorksFen, s.mandatoryThresholdGoodsFen, s.mandatoryThresholdServicesFen);
    if (s.directAwardBelowFen >= lowestThreshold) ctx.addIssue({ code: "custom", path: ["directAwardBelowFen"], message: "errors.settings.belowThreshold" });
    if (s.panelSizeSmall % 2 === 0) ctx.addIssue({ code: "custom", path: ["panelSizeSmall"], message: "errors.settings.odd" });
    if (s.panelSizeLarge % 2 === 0) ctx.addIssue({ code: "custom", path: ["panelSizeLarge"], message: "errors.settings.odd" });
    if (s.reasonableLowDropBothAt < s.reasonableLowDropHighestAt) ctx.addIssue({ code: "custom", path: ["reasonableLowDropBothAt"], message: "errors.settings.dropOrder" });
    if (s.minAnnouncementDaysMandatory < s.minAnnouncementDays)
      ctx.addIssue({ code: "custom", path: ["minAnnouncementDaysMandatory"], message: "errors.settings.mandatoryLonger" });
    if (s.uploadMegabytesPerDay < s.uploadMaxMegabytes) ctx.addIssue({ code: "custom", path: ["uploadMegabytesPerDay"], message: "errors.settings.dayBelowUpload" });
  }) as unknown as z.ZodType<CountySettings>;

export const DEFAULT_COUNTY_SETTINGS: CountySettings = countySettingsSchema.parse({});

/** How a value is shown in a form field (yuan for fen, percent for basis points). */
export function settingToInput(def: SettingDef, value: number | boolean | string): string {
  if (def.unit === "boolean") return value ? "on" : "";
  if (def.unit === "fen") {
    const fen = value as number;
    return fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2);
  }
  if (def.unit === "basisPoints") {
    const bp = value as number;
    return bp % 100 === 0 ? String(bp / 100) : (bp / 100).toFixed(2);
  }
  return String(value);
}
