/**
 * What a sealed bid says, as the opening reads it. The bidder's browser
 * checks the bid before sealing (public/seal/v1.js), but a bidder need not use
 * that script: at decryption the server reads the manifest with one schema
 * derived from the tender, and records every value outside it with its legal
 * reason. The opening only records; the panel decides validity (its
 * qualification check starts with these reasons filled in for rejection).
 *
 * A value is stored as submitted when the database can hold it and a page can
 * show it (a whole number within 2^53, text without NUL or broken UTF-16);
 * otherwise it is stored as nothing and read out as 无法识别. No value a
 * bidder sealed can make a statement fail.
 */
import { z } from "zod";
import { guaranteeCover, MAX_BID_FILES, OPENING_REASONS, reasonKey, type OpeningReason } from "./bid-rules";
import type { CountySettings } from "./county-settings";

const R = (r: OpeningReason) => reasonKey(r);

/** What the tender requires of a bid. */
export interface ManifestTerms {
  ceilingFen: number;
  /** The project's planned duration (计划工期): a bid may promise less, not more. */
  plannedDurationDays: number;
  deadline: Date;
  bidSecurityFen: number;
}
export type ManifestSettings = Pick<CountySettings, "bidValidityDays" | "uploadMaxMegabytes">;

export function manifestTerms(project: { ceilingFen: number; durationDays: number }, tender: { deadline: Date; bidSecurityFen: number }): ManifestTerms {
  return { ceilingFen: project.ceilingFen, plannedDurationDays: project.durationDays, deadline: tender.deadline, bidSecurityFen: tender.bidSecurityFen };
}

const QUALITY_MAX = 2000;
/** The bid form's limit for the guarantee's issuer and number and the transfer's reference. */
const SHORT_TEXT_MAX = 100;
const FILE_NAME_MAX = 255;
/** Longer text is not read out (无法识别): the hall, the record and the panel's pages must stay usable. */
export const READABLE_TEXT_MAX = 20_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Control characters: C0 except tab and line breaks (a quality text may have lines), DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text the database can hold and a page can show as submitted: no NUL (text and jsonb refuse it), no broken UTF-16 (jsonb refuses it), not absurdly long. */
export function readableText(v: unknown): v is string {
  return typeof v === "string" && v.length <= READABLE_TEXT_MAX && !v.includes("\u0000") && !LONE_SURROGATE.test(v);
}

/** A whole number JavaScript holds exactly (|n| < 2^53): it fits a bigint column. */
export function readableInteger(v: unknown): v is number {
  return Number.isSafeInteger(v);
}

function isCalendarDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * The manifest's content as the tender requires it: every issue's message is
 * the legal reason (a key under opening.reason) the opening marks the bid with.
 * The frame (version, ids, file hashes, nonce) is checked by bid-open.server.ts.
 */
export function manifestSchemaFor(terms: ManifestTerms, settings: ManifestSettings) {
  const cover = guaranteeCover(terms.deadline, settings.bidValidityDays);
  const maxFileBytes = settings.uploadMaxMegabytes * 1024 * 1024;
  // A value that is no whole number (or beyond 2^53) is unreadable, and nothing else is said about it.
  const whole = (unreadable: string) => z.number({ message: unreadable }).int({ message: unreadable, abort: true });
  const text = (reason: string, max: number, unreadable = reason) =>
    z
      .string({ message: unreadable })
      .refine(readableText, { message: unreadable, abort: true })
      .max(max, reason)
      .refine((s) => s.trim().length > 0, reason)
      .refine((s) => !CONTROL.test(s), reason);
  const day = (reason: string) => z.string({ message: reason }).refine(isCalendarDay, { message: reason, abort: true });
  const amount = whole(R("securityShort")).min(terms.bidSecurityFen, R("securityShort"));
  const claim = z.string({ message: R("projectManagerMismatch") });
  return z.object({
    priceFen: whole(R("priceUnreadable")).min(1, R("priceNotPositive")).max(terms.ceilingFen, R("aboveCeiling")),
    durationDays: whole(R("durationUnreadable")).min(1, R("durationNotPositive")).max(terms.plannedDurationDays, R("durationTooLong")),
    projectManagerId: z.string({ message: R("projectManager") }).regex(UUID, R("projectManager")),
    // The browser copies the chosen manager's name and certificate; the record takes them from the database row.
    projectManager: z.object({ name: claim, certificateNumber: claim }, { message: R("projectManagerMismatch") }).nullish(),
    quality: text(R("quality"), QUALITY_MAX, R("qualityUnreadable")),
    security: z.discriminatedUnion(
      "method",
      [
        z.object({
          method: z.literal("transfer"),
          amountFen: amount,
          date: day(R("security")),
          reference: text(R("security"), SHORT_TEXT_MAX),
          // The company's basic account as the bid page knew it; empty when the company has none on file.
          fromAccount: z
            .string({ message: R("security") })
            .max(SHORT_TEXT_MAX, R("security"))
            .refine((s) => readableText(s) && !CONTROL.test(s), R("security"))
            .optional(),
        }),
        z.object({
          method: z.literal("guarantee"),
          amountFen: amount,
          issuer: text(R("security"), SHORT_TEXT_MAX),
          number: text(R("security"), SHORT_TEXT_MAX),
          validFrom: day(R("guaranteeValidity"))
            .refine((d) => d <= cover.from, R("guaranteeValidity"))
            .optional(),
          validUntil: day(R("guaranteeValidity")).refine((d) => d >= cover.until, R("guaranteeValidity")),
        }),
      ],
      { message: R("security") },
    ),
    files: z
      .array(z.object({ name: text(R("files"), FILE_NAME_MAX), size: z.number({ message: R("files") }).max(maxFileBytes, R("files")) }), { message: R("files") })
      .min(1, R("files"))
      .max(MAX_BID_FILES, R("files")),
  });
}

export type SecurityRecord = Record<string, string | number | null>;

/** A bid's content as the opening records it. */
export interface ManifestReading {
  /** Keys under opening.reason, in a fixed order; empty when the bid is as the tender requires. */
  reasons: string[];
  priceFen: number | null;
  durationDays: number | null;
  /** The manager the bid names (a well-formed id); whether the company employs them is for the caller to check. */
  projectManagerId: string | null;
  /** The manager's name and certificate as the manifest copied them, to compare with the database row. */
  projectManagerClaim: { name: string; certificateNumber: string } | null;
  quality: string | null;
  security: SecurityRecord | null;
  securityOk: boolean;
}

const SECURITY_REASONS = new Set<string>([R("security"), R("securityShort"), R("guaranteeValidity")]);
const SECURITY_TEXT_KEYS = ["method", "date", "reference", "fromAccount", "issuer", "number", "validFrom", "validUntil"] as const;

/** Put reasons in OPENING_REASONS order, once each. */
export function orderedReasons(keys: Iterable<string>): string[] {
  const set = new Set<string>(keys);
  return OPENING_REASONS.map(reasonKey).filter((k) => set.has(k));
}

/** The bid security as declared, keeping only the fields the format has, each as submitted when storable. */
function securityRecord(v: unknown): SecurityRecord | null {
  if (!v || typeof v !== "object" || Array.isArray(v)) return null;
  const s = v as Record<string, unknown>;
  const out: SecurityRecord = {};
  for (const k of SECURITY_TEXT_KEYS) if (k in s) out[k] = readableText(s[k]) ? s[k] : null;
  if ("amountFen" in s) out.amountFen = readableInteger(s.amountFen) ? s.amountFen : null;
  return out;
}

/**
 * Read a manifest (any JSON object) against the tender. Never throws: every
 * value outside the schema becomes a reason, every value the database cannot
 * hold becomes null.
 */
export function readManifest(raw: Record<string, unknown>, terms: ManifestTerms, settings: ManifestSettings): ManifestReading {
  const parsed = manifestSchemaFor(terms, settings).safeParse(raw);
  // One reason per field: the first thing wrong with it (an unreadable value says nothing more).
  const byPath = new Map<string, string>();
  if (!parsed.success) for (const issue of parsed.error.issues) if (!byPath.has(issue.path.join("."))) byPath.set(issue.path.join("."), issue.message);
  const reasons = orderedReasons(byPath.values());
  const pm = raw.projectManager as { name?: unknown; certificateNumber?: unknown } | null | undefined;
  return {
    reasons,
    priceFen: readableInteger(raw.priceFen) ? raw.priceFen : null,
    durationDays: readableInteger(raw.durationDays) ? raw.durationDays : null,
    projectManagerId: typeof raw.projectManagerId === "string" && UUID.test(raw.projectManagerId) ? raw.projectManagerId.toLowerCase() : null,
    projectManagerClaim:
      pm && typeof pm === "object" && typeof pm.name === "string" && typeof pm.certificateNumber === "string" ? { name: pm.name, certificateNumber: pm.certificateNumber } : null,
    quality: readableText(raw.quality) ? raw.quality : null,
    security: securityRecord(raw.security),
    securityOk: !reasons.some((r) => SECURITY_REASONS.has(r)),
  };
}

/** A bid whose content could not be read at all (its frame is broken): every field 无法识别. */
export function unreadableManifest(): ManifestReading {
  return { reasons: [R("unreadable")], priceFen: null, durationDays: null, projectManagerId: null, projectManagerClaim: null, quality: null, security: null, securityOk: false };
}

/** A bid file's name as it can be stored and shown: as submitted when it is fit to show, else with the unfit characters replaced. */
export function storableFileName(name: unknown, sha256: string): string {
  if (typeof name !== "string") return `${sha256.slice(0, 12)}.pdf`;
  const fit = name
    .replace(new RegExp(`${CONTROL.source}|${LONE_SURROGATE.source}`, "g"), "\uFFFD")
    .slice(0, FILE_NAME_MAX)
    .replace(/[\uD800-\uDBFF]$/, "\uFFFD");
  return fit.trim() ? fit : `${sha256.slice(0, 12)}.pdf`;
}
