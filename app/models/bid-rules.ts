import { addDays, beijingDay, formatBeijing } from "~/utils/time";

/**
 * Bid rules the browser needs too (no server imports here).
 * The sealing itself lives in public/seal/v1.js, served as written.
 */

/** The sealing script in use: a new version is a new file, never an edit. */
export const SEALING_SCRIPT = { version: "v1", path: "/seal/v1.js" } as const;

/** PDF files one bid may carry. */
export const MAX_BID_FILES = 5;

/** A sealed bid holds up to MAX_BID_FILES files of the county's per-file limit, plus the manifest and the AES-GCM overhead. */
export function sealedBidMaxBytes(perFileBytes: number): number {
  return MAX_BID_FILES * perFileBytes + 1024 * 1024;
}

/** A receipt as the pages show it: the server time in Beijing, to the second. */
export function receiptView<R extends { receivedAt: Date }>(r: R): Omit<R, "receivedAt"> & { receivedAt: string } {
  return { ...r, receivedAt: formatBeijing(r.receivedAt, "yyyy-MM-dd HH:mm:ss") };
}

/**
 * The Beijing calendar days a bid security by guarantee (电子保函) must cover:
 * valid from no later than the deadline's day until at least the last day of
 * the bid validity period (投标有效期), which runs from the deadline.
 */
export function guaranteeCover(deadline: Date, bidValidityDays: number): { from: string; until: string } {
  const from = beijingDay(deadline);
  return { from, until: addDays(from, bidValidityDays) };
}

/**
 * Why an opened bid is marked at the price reading (translation keys under
 * opening.reason). The opening records these; the panel decides validity.
 */
export const OPENING_REASONS = [
  "unreadable",
  "priceUnreadable",
  "priceNotPositive",
  "aboveCeiling",
  "durationUnreadable",
  "durationNotPositive",
  "durationTooLong",
  "projectManager",
  "projectManagerBusy",
  "projectManagerMismatch",
  "qualityUnreadable",
  "quality",
  "security",
  "securityShort",
  "guaranteeValidity",
  "files",
  "notPdf",
] as const;
export type OpeningReason = (typeof OPENING_REASONS)[number];
export const reasonKey = (r: OpeningReason) => `opening.reason.${r}` as const;

/** The stored reasons of a bid opening ("opening.reason.a,opening.reason.b") as a list of keys. */
export function reasonKeys(reason: string | null | undefined): string[] {
  return reason ? reason.split(",").filter(Boolean) : [];
}

/**
 * The fields of an opened bid the platform could not read (read out as 无法识别):
 * a value that is not a number, not a whole number of fen or days, beyond
 * 2^53, text with a NUL — or a bid whose content could not be read at all.
 */
export function unreadableFields(reason: string | readonly string[] | null | undefined): { price: boolean; durationDays: boolean; quality: boolean; all: boolean } {
  const keys = new Set(Array.isArray(reason) ? reason : reasonKeys(reason as string | null | undefined));
  const all = keys.has(reasonKey("unreadable"));
  return {
    all,
    price: all || keys.has(reasonKey("priceUnreadable")),
    durationDays: all || keys.has(reasonKey("durationUnreadable")),
    quality: all || keys.has(reasonKey("qualityUnreadable")),
  };
}
