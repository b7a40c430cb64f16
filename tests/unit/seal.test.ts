import { createHash, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { commitmentOf } from "~/models/bid.server";
import { loadSeal, pdfBytes } from "../helpers/seal";

const S = loadSeal();
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

const RULES = {
  ceilingFen: 50_000_000,
  bidSecurityFen: 500_000,
  deadline: "2026-12-20T02:00:00.000Z",
  maxDurationDays: 90,
  projectManagerIds: ["pm-1"],
  maxFiles: 5,
  maxFileBytes: 1024 * 1024,
};
const BID = {
  priceFen: 48_765_432,
  durationDays: 60,
  projectManagerId: "pm-1",
  projectManager: { name: "王建国", certificateNo: "浙133000001" },
  quality: "合格，一次验收通过",
  security: { method: "guarantee", issuer: "县农商银行", number: "BH-2026-001", amountFen: 500_000, validUntil: "2027-03-20" },
};

/** A passkey's PRF secret stands in as 32 random bytes: the derivation after it is what is tested. */
async function holder(credentialId: string) {
  const prf = crypto.getRandomValues(new Uint8Array(32));
  return { prf, holder: { credentialId, publicKey: (await S.openingKeyFromPrf(prf)).publicKey } };
}

describe("sealing script", () => {
  it("refuses, before sealing, a price above the ceiling, short bid security, an unknown project manager and a non-PDF", () => {
    expect(S.check(BID, [{ name: "a.pdf", bytes: pdfBytes("x") }], RULES)).toEqual([]);
    const keys = S.check(
      { ...BID, priceFen: RULES.ceilingFen + 1, projectManagerId: "pm-busy", security: { ...BID.security, amountFen: 499_999 } },
      [{ name: "a.docx", bytes: new TextEncoder().encode("PK\u0003\u0004") }],
      RULES,
    ).map((p) => p.key);
    expect(keys).toEqual(["bid.errors.aboveCeiling", "bid.errors.projectManager", "bid.errors.securityAmount", "bid.errors.notPdf"]);
    expect(S.check({ ...BID, priceFen: RULES.ceilingFen }, [{ name: "a.pdf", bytes: pdfBytes("x") }], RULES)).toEqual([]);
    expect(S.check({ ...BID, security: { ...BID.security, validUntil: "2026-12-19" } }, [{ name: "a.pdf", bytes: pdfBytes("x") }], RULES).map((p) => p.key)).toEqual([
      "bid.errors.securityValidity",
    ]);
    expect(S.check(BID, [], RULES).map((p) => p.key)).toEqual(["bid.errors.noFiles"]);
  });

  it("seals with a fresh key per bid and opens only with a holder's passkey or the backup code, matching the receipt", async () => {
    const tenderId = randomUUID();
    const submissionId = randomUUID();
    const a = await holder("cred-A");
    const b = await holder("cred-B");
    const file = pdfBytes("投标文件 distinctive-马头墙-7731");
    const sealed = await S.seal(BID, [{ name: "投标文件.pdf", bytes: file }], { tenderId, submissionId, holders: [a.holder, b.holder] });
    // The receipt's numbers are what anyone can recompute.
    expect(sealed.ciphertextHash).toBe(sha(sealed.ciphertext));
    // The server recomputes it with its own code: both must agree, and differ when either digest differs.
    expect(commitmentOf(sealed.ciphertextHash, sealed.plaintextHash)).toBe(sealed.commitment);
    expect(commitmentOf(sealed.plaintextHash, sealed.ciphertextHash)).not.toBe(sealed.commitment);
    expect(sealed.commitment).toBe(sha(Buffer.concat([Buffer.from("cyz-commit-v1"), Buffer.from(sealed.ciphertextHash, "hex"), Buffer.from(sealed.plaintextHash, "hex")])));
    // Nothing readable is in the ciphertext.
    const ct = Buffer.from(sealed.ciphertext);
    expect(ct.includes(Buffer.from("distinctive-马头墙-7731"))).toBe(false);
    expect(ct.includes(Buffer.from(String(BID.priceFen)))).toBe(false);
    expect(sealed.wraps.map((w) => w.kind)).toEqual(["passkey", "passkey", "backup"]);

    const ctx = { tenderId, submissionId };
    const receipt = { ciphertextHash: sealed.ciphertextHash, plaintextHash: sealed.plaintextHash, commitment: sealed.commitment };
    const viaA = await S.unwrapWithPrf(sealed.wraps[0], a.prf, ctx);
    const viaB = await S.unwrapWithPrf(sealed.wraps[1], b.prf, ctx);
    const viaBackup = await S.unwrapWithBackup(sealed.wraps[2], sealed.backupCode, ctx);
    expect(hex(viaA)).toBe(hex(viaB));
    expect(hex(viaA)).toBe(hex(viaBackup));
    const opened = await S.open(sealed.ciphertext, viaA, ctx, receipt);
    expect(opened.manifest.priceFen).toBe(BID.priceFen);
    expect(opened.manifest.nonce).toBe(sealed.nonce);
    expect(Buffer.from(opened.files[0].bytes).equals(Buffer.from(file))).toBe(true);

    // Another passkey's secret, or A's secret on B's wrap, opens nothing.
    await expect(S.unwrapWithPrf(sealed.wraps[1], a.prf, ctx)).rejects.toThrow("seal.wrongKey");
    // A second seal of the same bid uses a different data key, nonce and backup code.
    const again = await S.seal(BID, [{ name: "投标文件.pdf", bytes: file }], { tenderId, submissionId, holders: [a.holder] });
    expect(again.ciphertextHash).not.toBe(sealed.ciphertextHash);
    expect(again.nonce).not.toBe(sealed.nonce);
    expect(again.backupCode).not.toBe(sealed.backupCode);
    expect(hex(await S.unwrapWithBackup(again.wraps[1], again.backupCode, ctx))).not.toBe(hex(viaA));
  });

  it("detects a tampered ciphertext and a wrapped key replayed into another tender or submission", async () => {
    const tenderId = randomUUID();
    const submissionId = randomUUID();
    const a = await holder("cred-A");
    const sealed = await S.seal(BID, [{ name: "a.pdf", bytes: pdfBytes("x") }], { tenderId, submissionId, holders: [a.holder] });
    const ctx = { tenderId, submissionId };
    const key = await S.unwrapWithPrf(sealed.wraps[0], a.prf, ctx);
    const receipt = { ciphertextHash: sealed.ciphertextHash, plaintextHash: sealed.plaintextHash, commitment: sealed.commitment };
    const flipped = Uint8Array.from(sealed.ciphertext);
    flipped[flipped.length - 20] ^= 1;
    await expect(S.open(flipped, key, ctx)).rejects.toThrow("seal.tampered");
    await expect(S.open(flipped, key, ctx, receipt)).rejects.toThrow("seal.tampered");
    await expect(S.open(sealed.ciphertext, key, ctx, { ...receipt, plaintextHash: sha("other") })).rejects.toThrow("seal.tampered");
    // The same wrapped key presented for another tender or another submission does not unwrap.
    await expect(S.unwrapWithPrf(sealed.wraps[0], a.prf, { tenderId: randomUUID(), submissionId })).rejects.toThrow("seal.wrongKey");
    await expect(S.unwrapWithBackup(sealed.wraps[1], sealed.backupCode, { tenderId, submissionId: randomUUID() })).rejects.toThrow("seal.wrongKey");
    // The ciphertext itself is bound to its tender.
    await expect(S.open(sealed.ciphertext, key, { tenderId: randomUUID(), submissionId })).rejects.toThrow("seal.tampered");
  });

  it("turns the backup key into a printable code and back, forgiving case, spaces and look-alike letters", () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const code = S.backupCode(key);
    expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){12}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(hex(S.parseBackupCode(code))).toBe(hex(key));
    expect(hex(S.parseBackupCode(code.toLowerCase().replace(/-/g, " ").replace(/0/g, "o")))).toBe(hex(key));
    expect(() => S.parseBackupCode(code.slice(0, -1))).toThrow("seal.badBackupCode");
  });

  it("derives the same opening key from the same PRF secret and different keys from different secrets", async () => {
    const prf = crypto.getRandomValues(new Uint8Array(32));
    const one = await S.openingKeyFromPrf(prf);
    expect((await S.openingKeyFromPrf(Uint8Array.from(prf))).publicKey).toBe(one.publicKey);
    expect((await S.openingKeyFromPrf(crypto.getRandomValues(new Uint8Array(32)))).publicKey).not.toBe(one.publicKey);
    expect(Buffer.from(one.publicKey, "base64url")).toHaveLength(32);
  });
});
