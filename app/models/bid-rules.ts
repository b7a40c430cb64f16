import { formatBeijing } from "~/utils/time";

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
