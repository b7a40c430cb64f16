/**
 * Opening a sealed bid on the server, once the bidder's browser has handed
 * over the data key after the deadline: the same format as
 * public/seal/v1.js, checked against the receipt's commitment before
 * anything in it is believed.
 */
import { createDecipheriv, createHash } from "node:crypto";
import { z } from "zod";
import { commitmentOf } from "./bid.server";
import { DomainError } from "./errors";

const MAGIC = "CYZBID01";
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** What the sealing script puts in the manifest (v1). Anything else is a tampered or foreign bid. */
const manifestSchema = z.object({
  v: z.literal(1),
  tenderId: z.string(),
  submissionId: z.string(),
  priceFen: z.number().int(),
  durationDays: z.number().int(),
  projectManagerId: z.string(),
  projectManager: z.object({ name: z.string(), certificateNumber: z.string() }).nullable(),
  quality: z.string(),
  security: z.record(z.string(), z.unknown()),
  files: z.array(z.object({ name: z.string(), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  nonce: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BidManifest = z.output<typeof manifestSchema>;

export interface OpenedBid {
  manifest: BidManifest;
  files: { name: string; bytes: Buffer; sha256: string }[];
}

/**
 * Decrypt `ciphertext` with `dataKey` and check it is exactly the bid the
 * receipt committed to (ciphertext hash, manifest hash, commitment) for this
 * tender and submission. Throws errors.opening.wrongKey when the key does not
 * open it, errors.opening.tampered when anything does not match.
 */
export function openSealedBid(
  ciphertext: Buffer,
  dataKey: Buffer,
  ids: { tenderId: string; submissionId: string },
  receipt: { ciphertextHash: string; plaintextHash: string; commitment: string },
): OpenedBid {
  if (dataKey.length !== 32) throw new DomainError("errors.opening.wrongKey", { status: 400 });
  if (sha256(ciphertext) !== receipt.ciphertextHash || ciphertext.subarray(0, 8).toString("latin1") !== MAGIC) throw new DomainError("errors.opening.tampered", { status: 409 });
  let plain: Buffer;
  try {
    const d = createDecipheriv("aes-256-gcm", dataKey, ciphertext.subarray(8, 20));
    d.setAAD(Buffer.from(`cyz-bid-v1|${ids.tenderId}|${ids.submissionId}`));
    d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
    plain = Buffer.concat([d.update(ciphertext.subarray(20, ciphertext.length - 16)), d.final()]);
  } catch {
    throw new DomainError("errors.opening.wrongKey", { status: 400 });
  }
  const n = plain.readUInt32BE(0);
  const manifestBytes = plain.subarray(4, 4 + n);
  const plaintextHash = sha256(manifestBytes);
  if (plaintextHash !== receipt.plaintextHash || commitmentOf(receipt.ciphertextHash, plaintextHash) !== receipt.commitment) throw new DomainError("errors.opening.tampered", { status: 409 });
  let manifest: BidManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(manifestBytes.toString("utf8")));
  } catch {
    throw new DomainError("errors.opening.tampered", { status: 409 });
  }
  if (manifest.tenderId !== ids.tenderId || manifest.submissionId !== ids.submissionId) throw new DomainError("errors.opening.tampered", { status: 409 });
  let at = 4 + n;
  const files = manifest.files.map((f) => {
    const bytes = plain.subarray(at, at + f.size);
    at += f.size;
    if (bytes.length !== f.size || sha256(bytes) !== f.sha256) throw new DomainError("errors.opening.tampered", { status: 409 });
    return { name: f.name, bytes, sha256: f.sha256 };
  });
  if (at !== plain.length) throw new DomainError("errors.opening.tampered", { status: 409 });
  return { manifest, files };
}
