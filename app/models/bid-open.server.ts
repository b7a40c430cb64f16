/**
 * Opening a sealed bid on the server, once the bidder's browser has handed
 * over the data key after the deadline: the same format as
 * public/seal/v1.js, checked against the receipt's commitment before
 * anything in it is believed. What the bid says is read by bid-manifest.ts.
 */
import { createDecipheriv, createHash } from "node:crypto";
import { z } from "zod";
import { commitmentOf } from "./bid.server";
import { DomainError } from "./errors";

const MAGIC = "CYZBID01";
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * The frame of a v1 manifest: what binds it to this bid and cuts the
 * plaintext into its files. The content (price, duration, manager, quality,
 * security, file names) is read against the tender by bid-manifest.ts.
 */
const frameSchema = z.object({
  v: z.literal(1),
  tenderId: z.string(),
  submissionId: z.string(),
  files: z.array(z.object({ size: z.number().int().nonnegative(), sha256: hex64 })),
  nonce: hex64,
});

/**
 * A bid the bidder's key opened. Readable: its manifest (any JSON object, to
 * be read against the tender), its files and nonce. Unreadable: the key was
 * right but what it opened is not a bid in the v1 format, or not the one the
 * receipt names — the bidder's doing, recorded as such, never a platform fault.
 */
export type OpenedBid = { readable: true; manifest: Record<string, unknown>; files: { name: unknown; bytes: Buffer; sha256: string }[]; nonce: string } | { readable: false };

/**
 * Decrypt `ciphertext` with `dataKey` for this tender and submission. Throws
 * errors.opening.wrongKey when the key does not open it (the bidder may try
 * again), errors.opening.tampered when the stored ciphertext or receipt is not
 * what was receipted (nothing the bidder sealed can cause that).
 */
export function openSealedBid(
  ciphertext: Buffer,
  dataKey: Buffer,
  ids: { tenderId: string; submissionId: string },
  receipt: { ciphertextHash: string; plaintextHash: string; commitment: string },
): OpenedBid {
  if (dataKey.length !== 32) throw new DomainError("errors.opening.wrongKey", { status: 400 });
  if (
    sha256(ciphertext) !== receipt.ciphertextHash ||
    ciphertext.subarray(0, 8).toString("latin1") !== MAGIC ||
    commitmentOf(receipt.ciphertextHash, receipt.plaintextHash) !== receipt.commitment
  ) {
    throw new DomainError("errors.opening.tampered", { status: 409 });
  }
  let plain: Buffer;
  try {
    const d = createDecipheriv("aes-256-gcm", dataKey, ciphertext.subarray(8, 20));
    d.setAAD(Buffer.from(`cyz-bid-v1|${ids.tenderId}|${ids.submissionId}`));
    d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
    plain = Buffer.concat([d.update(ciphertext.subarray(20, ciphertext.length - 16)), d.final()]);
  } catch {
    throw new DomainError("errors.opening.wrongKey", { status: 400 });
  }
  // From here on the bytes are what the bidder sealed: whatever is wrong with them is the bidder's.
  const unreadable = { readable: false } as const;
  if (plain.length < 4) return unreadable;
  const n = plain.readUInt32BE(0);
  if (4 + n > plain.length) return unreadable;
  const manifestBytes = plain.subarray(4, 4 + n);
  if (sha256(manifestBytes) !== receipt.plaintextHash) return unreadable;
  let raw: unknown;
  try {
    raw = JSON.parse(manifestBytes.toString("utf8"));
  } catch {
    return unreadable;
  }
  const frame = frameSchema.safeParse(raw);
  if (!frame.success || frame.data.tenderId !== ids.tenderId || frame.data.submissionId !== ids.submissionId) return unreadable;
  const listed = (raw as { files: { name?: unknown }[] }).files;
  let at = 4 + n;
  const files: { name: unknown; bytes: Buffer; sha256: string }[] = [];
  for (const [i, f] of frame.data.files.entries()) {
    const bytes = plain.subarray(at, at + f.size);
    at += f.size;
    if (bytes.length !== f.size || sha256(bytes) !== f.sha256) return unreadable;
    files.push({ name: listed[i].name, bytes, sha256: f.sha256 });
  }
  if (at !== plain.length) return unreadable;
  return { readable: true, manifest: raw as Record<string, unknown>, files, nonce: frame.data.nonce };
}
