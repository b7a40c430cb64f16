// The sealing script exactly as the browser gets it (public/seal/v1.js), run in a
// sandbox on Node's WebCrypto. The server never seals anyone's bid: this runs the
// bidder's side for the demo county's contractors (app/demo/demo-projects.server.ts),
// and for the tests and benches that act as a browser.
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { SEALING_SCRIPT } from "../models/bid-rules";

export type Wrap = { kind: "passkey" | "backup"; credentialId?: string; epk?: string; iv: string; wrapped: string };
export type Sealed = {
  version: string;
  ciphertext: Uint8Array;
  ciphertextHash: string;
  plaintextHash: string;
  commitment: string;
  wraps: Wrap[];
  backupCode: string;
  nonce: string;
};
export type Seal = {
  version: string;
  check(bid: unknown, files: { name: string; bytes: Uint8Array }[], rules: unknown): { field: string; key: string }[];
  seal(
    bid: unknown,
    files: { name: string; bytes: Uint8Array }[],
    ctx: { tenderId: string; submissionId: string; holders: { credentialId: string; publicKey: string }[] },
  ): Promise<Sealed>;
  open(
    ciphertext: Uint8Array,
    dataKey: Uint8Array,
    ctx: { tenderId: string; submissionId: string },
    receipt?: { ciphertextHash: string; plaintextHash: string; commitment: string },
  ): Promise<{ manifest: Record<string, unknown> & { priceFen: number; nonce: string }; files: { name: string; bytes: Uint8Array }[]; plaintextHash: string }>;
  commitment(ct: string, pt: string): Promise<string>;
  unwrapWithBackup(wrap: Wrap, code: string, ctx: { tenderId: string; submissionId: string }): Promise<Uint8Array>;
  unwrapWithPrf(wrap: Wrap, prf: Uint8Array, ctx: { tenderId: string; submissionId: string }): Promise<Uint8Array>;
  rewrap(dataKey: Uint8Array, holders: { credentialId: string; publicKey: string }[], ctx: { tenderId: string; submissionId: string }): Promise<Wrap[]>;
  openingKeyFromPrf(prf: Uint8Array): Promise<{ publicKey: string }>;
  backupCode(key: Uint8Array): string;
  parseBackupCode(code: string): Uint8Array;
};

/** Where the served sealing script is (the server runs from the project root, as sealingScript() assumes). */
export const SEAL_SCRIPT = path.join(process.cwd(), "public", SEALING_SCRIPT.path);

export function loadSeal(): Seal {
  const sandbox: Record<string, unknown> = { crypto: globalThis.crypto, TextEncoder, TextDecoder, btoa, atob, Uint8Array, DataView, Array, String, JSON, Number, Error };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(readFileSync(SEAL_SCRIPT, "utf8"), sandbox);
  return sandbox.CyzSeal as Seal;
}
