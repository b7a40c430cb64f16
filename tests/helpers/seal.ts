import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";

/** The sealing script exactly as the browser gets it, run in Node's WebCrypto. */
export type Seal = {
  version: string;
  check(bid: unknown, files: { name: string; bytes: Uint8Array }[], rules: unknown): { field: string; key: string }[];
  seal(bid: unknown, files: { name: string; bytes: Uint8Array }[], ctx: { tenderId: string; submissionId: string; holders: { credentialId: string; publicKey: string }[] }): Promise<Sealed>;
  open(ciphertext: Uint8Array, dataKey: Uint8Array, ctx: { tenderId: string; submissionId: string }, receipt?: { ciphertextHash: string; plaintextHash: string; commitment: string }): Promise<{ manifest: Record<string, unknown> & { priceFen: number; nonce: string }; files: { name: string; bytes: Uint8Array }[]; plaintextHash: string }>;
  commitment(ct: string, pt: string): Promise<string>;
  unwrapWithBackup(wrap: Wrap, code: string, ctx: { tenderId: string; submissionId: string }): Promise<Uint8Array>;
  unwrapWithPrf(wrap: Wrap, prf: Uint8Array, ctx: { tenderId: string; submissionId: string }): Promise<Uint8Array>;
  rewrap(dataKey: Uint8Array, holders: { credentialId: string; publicKey: string }[], ctx: { tenderId: string; submissionId: string }): Promise<Wrap[]>;
  openingKeyFromPrf(prf: Uint8Array): Promise<{ publicKey: string }>;
  backupCode(key: Uint8Array): string;
  parseBackupCode(code: string): Uint8Array;
};
export type Wrap = { kind: "passkey" | "backup"; credentialId?: string; epk?: string; iv: string; wrapped: string };
export type Sealed = { version: string; ciphertext: Uint8Array; ciphertextHash: string; plaintextHash: string; commitment: string; wraps: Wrap[]; backupCode: string; nonce: string };

export const SEAL_SCRIPT = path.resolve(__dirname, "../../public/seal/v1.js");

export function loadSeal(): Seal {
  const sandbox: Record<string, unknown> = { crypto: globalThis.crypto, TextEncoder, TextDecoder, btoa, atob, Uint8Array, DataView, Array, String, JSON, Number, Error };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(readFileSync(SEAL_SCRIPT, "utf8"), sandbox);
  return sandbox.CyzSeal as Seal;
}

export const pdfBytes = (text: string) => new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`);

import type { AppLoadContext } from "@remix-run/node";
import { appendToUpload, createUpload } from "~/models/resumable-upload.server";

/** Put sealed bytes into the store the way the browser does: a tus upload of kind "sealed". Returns the upload id. */
export async function uploadSealed(ctx: AppLoadContext, ownerUserId: string, bytes: Uint8Array, opts: { complete?: boolean } = {}) {
  const rec = await createUpload(ctx.files, ctx.clock, { owner: ownerUserId, length: bytes.length, name: "bid.sealed", maxBytes: 10 * 1024 * 1024, kind: "sealed" });
  const part = opts.complete === false ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes;
  await appendToUpload(ctx.files, ctx.clock, rec, 0, (async function* () {
    yield part;
  })());
  return rec.id;
}
