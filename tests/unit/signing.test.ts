// The signing foundation end to end: a Chinese PDF signed by two people in
// turn (incremental updates), each signature approved by the signer's passkey
// and timestamped, checked by our verifier and by the tools others will use
// (poppler's pdfsig with the CA in an NSS database, qpdf, openssl ts).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderDocument, type SignatureSlot } from "~/pdf/document.server";
import { fontBytes } from "~/pdf/fonts.server";
import { createPlatformCa, createTsa, issueSignerCertificate, readPasskeyBinding, type CertificateWithKey } from "../../signing/ca";
import { cadesDetachedSignature } from "../../signing/cades";
import { embedSignature, preparePdf, signPrepared, SigningError, verifyPdf, type SignatureReport } from "../../signing/pades";
import { timestampResponse, timestampToken, verifyTimestampToken } from "../../signing/timestamp";
import { checkApproval } from "../../signing/webauthn";
import { softwarePasskey, type SoftwarePasskey } from "~/demo/software-passkey.server";
import { CREATED_AT } from "../fixtures/pdf-specs";

const PDFSIG = "/usr/bin/pdfsig";
const CERTUTIL = "/usr/bin/certutil";
const QPDF = "/usr/bin/qpdf";
const OPENSSL = "/usr/bin/openssl";
const HAVE_PDFSIG = existsSync(PDFSIG) && existsSync(CERTUTIL);
if (!HAVE_PDFSIG) console.warn(`signing.test: ${PDFSIG} or ${CERTUTIL} missing (apt-get install poppler-utils libnss3-tools): pdfsig checks skipped`);

// pdfsig and openssl check certificate validity against the real clock, so
// the certificates are issued relative to it (a day back) rather than at a fixed date.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const ISSUED = new Date(NOW.getTime() - 24 * 3600_000);
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const RP_ID = "localhost";

interface Signer {
  name: string;
  cert: CertificateWithKey;
  passkey: SoftwarePasskey;
}

let dir: string;
let nssDir: string;
let ca: CertificateWithKey;
let tsa: CertificateWithKey;
let alice: Signer;
let bob: Signer;
let slots: SignatureSlot[];
let base: Uint8Array;
let signedOnce: Uint8Array;
let signedTwice: Uint8Array;
let tsaSerial = 0;

function newSigner(authority: CertificateWithKey, name: string, userId: string): Signer {
  const passkey = softwarePasskey("ES256");
  const cert = issueSignerCertificate(authority, {
    name,
    userId,
    credentialId: passkey.credentialId,
    credentialPublicKeyCose: passkey.cose,
    rpId: RP_ID,
    now: ISSUED,
    days: 30,
  });
  return { name, cert, passkey };
}

async function signAs(pdf: Uint8Array, signer: Signer, fieldName: string, slot: SignatureSlot | undefined, at: Date, authority = ca): Promise<Uint8Array> {
  const { prepared, byteRange, digest } = await preparePdf(pdf, {
    fieldName,
    signerName: signer.name,
    reason: "评标报告签署",
    location: "犇牛村",
    signingTime: at,
    ...(slot ? { rect: slot, page: slot.pageIndex, font: fontBytes("serif") } : {}),
  });
  return signPrepared(prepared, byteRange, {
    signerCertPem: signer.cert.certPem,
    signerKeyPem: signer.cert.keyPem,
    caCertPem: authority.certPem,
    passkeyApproval: signer.passkey.approve(digest),
    tsa: { certPem: tsa.certPem, keyPem: tsa.keyPem, serial: ++tsaSerial, genTime: at },
  });
}

let fileCount = 0;
function writePdf(bytes: Uint8Array, name = `doc-${++fileCount}.pdf`): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** pdfsig's report split per signature ("Signature #1:" …). pdfsig exits non-zero when a signature is bad. */
function pdfsig(file: string): string[] {
  const result = spawnSync(PDFSIG, ["-nssdir", `sql:${nssDir}`, file], { encoding: "utf8" });
  return result.stdout.split(/^Signature #\d+:$/m).slice(1);
}

function expectAllOk(report: SignatureReport | undefined, name: string): void {
  expect(report).toBeDefined();
  expect(report!.problems).toEqual([]);
  expect(report).toMatchObject({ signerName: name, digestOk: true, signatureOk: true, chainOk: true, subFilter: "ETSI.CAdES.detached" });
  expect(report!.approval).toMatchObject({
    challengeMatchesDigest: true,
    passkeySignatureOk: true,
    credentialMatchesCertificate: true,
    userPresent: true,
    userVerified: true,
    rpIdHashOk: true,
    origin: "http://localhost:3000",
  });
  expect(report!.timestamp?.ok).toBe(true);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cyz-signing-"));
  ca = createPlatformCa({ commonName: "村易招平台根证书（测试）", organization: "村易招", now: ISSUED, years: 10 });
  tsa = createTsa(ca, { now: ISSUED });
  alice = newSigner(ca, "王建国", "0b7f6a2e-8c1d-4e57-9a3b-2f6d8e1c4a90");
  bob = newSigner(ca, "李秀英", "5c2e9d41-7a3f-4b8e-b1d6-9e0f3a7c2b54");

  const rendered = await renderDocument({
    title: "犇牛村村道硬化工程评标报告",
    createdAt: CREATED_AT,
    sections: [
      { heading: "一、评标结论", blocks: [{ kind: "paragraph", text: "经评标委员会评审，推荐犇腾建筑工程有限公司为第一中标候选人，投标报价¥398,000.00元。" }] },
      { heading: "二、签字", blocks: [{ kind: "signatureLines", labels: ["评标委员会主任委员", "评标委员"] }] },
    ],
  });
  base = rendered.bytes;
  slots = rendered.signatureSlots;
  signedOnce = await signAs(base, alice, "sig-chair", slots[0], minutesAgo(10));
  signedTwice = await signAs(signedOnce, bob, "sig-member", slots[1], minutesAgo(5));

  writeFileSync(path.join(dir, "ca.pem"), ca.certPem);
  if (HAVE_PDFSIG) {
    nssDir = path.join(dir, "nss");
    execFileSync("mkdir", ["-p", nssDir]);
    execFileSync(CERTUTIL, ["-N", "-d", `sql:${nssDir}`, "--empty-password"]);
    execFileSync(CERTUTIL, ["-A", "-d", `sql:${nssDir}`, "-n", "cyz-ca", "-t", "CT,C,C", "-i", path.join(dir, "ca.pem")]);
  }
});

afterAll(() => {
  if (process.env.KEEP_SIGNING_DIR) console.log(`signing.test: files kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

describe("certificates", () => {
  it("binds the signer certificate to the passkey and names the signer in Chinese", () => {
    const binding = readPasskeyBinding(alice.cert.certPem);
    expect(binding).toEqual({ credentialId: alice.passkey.credentialId, cosePublicKey: alice.passkey.cose, rpId: RP_ID });
    const text = execFileSync(OPENSSL, ["x509", "-noout", "-text", "-nameopt", "utf8,sep_comma_plus_space"], { input: alice.cert.certPem, encoding: "utf8" });
    expect(text).toContain("Subject: O=村易招, CN=王建国, serialNumber=0b7f6a2e-8c1d-4e57-9a3b-2f6d8e1c4a90");
    expect(text).toContain("Issuer: C=CN, O=村易招, CN=村易招平台根证书（测试）");
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text).toContain("2.25.235632139601715179075391843993502864463.1.1:");
    writeFileSync(path.join(dir, "alice.pem"), alice.cert.certPem);
    writeFileSync(path.join(dir, "tsa.pem"), tsa.certPem);
    expect(execFileSync(OPENSSL, ["verify", "-CAfile", path.join(dir, "ca.pem"), path.join(dir, "alice.pem"), path.join(dir, "tsa.pem")], { encoding: "utf8" })).toMatch(
      /alice.pem: OK\n.*tsa.pem: OK/,
    );
    expect(execFileSync(OPENSSL, ["x509", "-noout", "-ext", "extendedKeyUsage"], { input: tsa.certPem, encoding: "utf8" })).toMatch(/Extended Key Usage: critical\s+Time Stamping/);
  });
});

describe("timestamps", () => {
  it("makes RFC 3161 tokens that openssl ts -verify accepts, as a token and as a response", () => {
    const data = Buffer.from("犇牛村评标报告签名值");
    const imprint = createHash("sha256").update(data).digest();
    const token = timestampToken({ tsaCertPem: tsa.certPem, tsaKeyPem: tsa.keyPem, messageImprint: imprint, serial: 9001, genTime: minutesAgo(1) });
    const tokenFile = path.join(dir, "token.der");
    writeFileSync(tokenFile, token);
    writeFileSync(path.join(dir, "resp.der"), timestampResponse(token));
    const caFile = path.join(dir, "ca.pem");
    const digest = imprint.toString("hex");
    expect(execFileSync(OPENSSL, ["ts", "-verify", "-token_in", "-in", tokenFile, "-digest", digest, "-CAfile", caFile], { encoding: "utf8", stdio: "pipe" })).toContain(
      "Verification: OK",
    );
    expect(execFileSync(OPENSSL, ["ts", "-verify", "-in", path.join(dir, "resp.der"), "-digest", digest, "-CAfile", caFile], { encoding: "utf8", stdio: "pipe" })).toContain(
      "Verification: OK",
    );
    const reply = execFileSync(OPENSSL, ["ts", "-reply", "-in", path.join(dir, "resp.der"), "-text"], { encoding: "utf8", stdio: "pipe" });
    expect(reply).toContain("Status: Granted.");
    expect(reply).toContain("Serial number: 0x2329");

    const other = createHash("sha256").update("另一份").digest();
    const wrong = spawnSync(OPENSSL, ["ts", "-verify", "-token_in", "-in", tokenFile, "-digest", other.toString("hex"), "-CAfile", caFile], { encoding: "utf8" });
    expect(wrong.status).not.toBe(0);
    expect(verifyTimestampToken(token, { messageImprint: imprint, caCertPem: ca.certPem }).ok).toBe(true);
    expect(verifyTimestampToken(token, { messageImprint: other, caCertPem: ca.certPem }).ok).toBe(false);
  });
});

describe("two signatures on one report", () => {
  it("appends each signature without touching earlier bytes", () => {
    expect(Buffer.from(signedOnce.subarray(0, base.length)).equals(Buffer.from(base))).toBe(true);
    expect(Buffer.from(signedTwice.subarray(0, signedOnce.length)).equals(Buffer.from(signedOnce))).toBe(true);
  });

  it("verifies both signatures, their passkey approvals and timestamps", async () => {
    const reports = await verifyPdf(signedTwice, { caCertPem: ca.certPem });
    expect(reports.map((r) => r.fieldName)).toEqual(["sig-chair", "sig-member"]);
    expectAllOk(reports[0], "王建国");
    expectAllOk(reports[1], "李秀英");
    expect(reports[0]!.byteRangeCoversWholeFileExceptContents).toBe(false);
    expect(reports[0]!.byteRange![2] + reports[0]!.byteRange![3]).toBe(signedOnce.length);
    expect(reports[1]!.byteRangeCoversWholeFileExceptContents).toBe(true);
    expect(reports[0]!.approval!.credentialId).toBe(alice.passkey.credentialId);
    expect(reports[1]!.approval!.credentialId).toBe(bob.passkey.credentialId);
    expect(reports[0]!.timestamp!.genTime).toEqual(minutesAgo(10));
    expect(reports[1]!.signingTime).toEqual(minutesAgo(5));
  });

  it.skipIf(!HAVE_PDFSIG)("is valid and trusted for pdfsig", () => {
    const sections = pdfsig(writePdf(signedTwice, "signed-twice.pdf"));
    expect(sections).toHaveLength(2);
    for (const section of sections) {
      expect(section).toContain("Signature Validation: Signature is Valid.");
      expect(section).toContain("Certificate Validation: Certificate is Trusted.");
      expect(section).toContain("Signature Type: ETSI.CAdES.detached");
    }
    expect(sections[0]).toContain("Signer Certificate Common Name: 王建国");
    expect(sections[0]).toContain("Signature Field Name: sig-chair");
    expect(sections[0]).toContain("Not total document signed");
    expect(sections[1]).toContain("Signer Certificate Common Name: 李秀英");
    expect(sections[1]).toContain("Total document signed");
  });

  it("passes qpdf --check", () => {
    const result = spawnSync(QPDF, ["--check", writePdf(signedTwice)], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("No syntax or stream encoding errors found");
    expect(result.status).toBe(0);
  });

  it("shows each signer's name in the signature slot, in an embedded font subset", () => {
    const file = writePdf(signedTwice);
    const fonts = execFileSync("/usr/bin/pdffonts", [file], { encoding: "utf8" }).split("\n").slice(2).filter(Boolean);
    // The renderer's two faces plus one appearance subset per signature.
    expect(fonts).toHaveLength(4);
    expect(fonts.filter((line) => /^[A-Z]{6}\+NotoSerifSC-Regular\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/.test(line))).toHaveLength(3);
    const raw = Buffer.from(signedTwice).toString("latin1");
    expect(raw.match(/\/FT \/Sig/g)).toHaveLength(2);
    expect(raw.match(/\/AP << \/N \d+ 0 R >>/g)).toHaveLength(2);
  });
});

describe("tampering and forgery", () => {
  it("reports a changed byte inside the first signature's range", async () => {
    const tampered = new Uint8Array(signedTwice);
    // One hex digit of the document title in the Info dictionary (covered by both signatures).
    const at = Buffer.from(tampered).indexOf("/Title <FEFF") + "/Title <FEFF".length + 3;
    expect(at).toBeGreaterThan(20);
    tampered[at] = tampered[at] === 0x30 ? 0x31 : 0x30;

    const reports = await verifyPdf(tampered, { caCertPem: ca.certPem });
    expect(reports.map((r) => r.digestOk)).toEqual([false, false]);
    expect(reports[0]!.approval!.challengeMatchesDigest).toBe(false);
    expect(reports[0]!.signatureOk).toBe(true);
    expect(reports[0]!.problems).toContain("document digest does not match: the signed bytes were changed");

    if (HAVE_PDFSIG) {
      const sections = pdfsig(writePdf(tampered));
      expect(sections).toHaveLength(2);
      for (const section of sections) expect(section).toContain("Signature Validation: Digest Mismatch.");
    }
  });

  it("refuses to sign with, and flags, an approval of another document", async () => {
    const { prepared, byteRange, digest } = await preparePdf(signedOnce, {
      fieldName: "sig-member",
      signerName: bob.name,
      reason: "评标报告签署",
      location: "犇牛村",
      signingTime: minutesAgo(4),
    });
    const otherDigest = createHash("sha256").update("另一份报告").digest();
    const replayed = bob.passkey.approve(otherDigest);
    const options = { signerCertPem: bob.cert.certPem, signerKeyPem: bob.cert.keyPem, caCertPem: ca.certPem, passkeyApproval: replayed };
    expect(() => signPrepared(prepared, byteRange, options)).toThrow(SigningError);
    expect(() => signPrepared(prepared, byteRange, options)).toThrow(/challengeMatchesDigest/);

    // Whoever holds the certificate key can still build the CMS by hand: the verifier must catch it.
    const forged = embedSignature(prepared, byteRange, cadesDetachedSignature({ ...options, digest }));
    const reports = await verifyPdf(forged, { caCertPem: ca.certPem });
    expect(reports[1]).toMatchObject({ fieldName: "sig-member", digestOk: true, signatureOk: true, chainOk: true });
    expect(reports[1]!.approval).toMatchObject({ challengeMatchesDigest: false, passkeySignatureOk: true, credentialMatchesCertificate: true });
    expect(reports[1]!.timestamp).toBeNull();

    // Alice's passkey approving Bob's signature: right digest, wrong key.
    const stolen = embedSignature(prepared, byteRange, cadesDetachedSignature({ ...options, digest, passkeyApproval: alice.passkey.approve(digest) }));
    const [, stolenReport] = await verifyPdf(stolen, { caCertPem: ca.certPem });
    expect(stolenReport!.approval).toMatchObject({ challengeMatchesDigest: true, passkeySignatureOk: false, credentialMatchesCertificate: false });
  });

  it("refuses an approval without user verification", async () => {
    const { prepared, byteRange, digest } = await preparePdf(base, { fieldName: "s", signerName: bob.name, reason: "r", location: "l", signingTime: minutesAgo(3) });
    const approval = bob.passkey.approve(digest, { flags: 0x01 });
    expect(() => signPrepared(prepared, byteRange, { signerCertPem: bob.cert.certPem, signerKeyPem: bob.cert.keyPem, caCertPem: ca.certPem, passkeyApproval: approval })).toThrow(
      /userVerified/,
    );
  });

  it("does not chain a signer certificate from another CA", async () => {
    const otherCa = createPlatformCa({ commonName: "别的平台根证书", organization: "别的平台", now: ISSUED, years: 10 });
    const mallory = newSigner(otherCa, "王建国", "0b7f6a2e-8c1d-4e57-9a3b-2f6d8e1c4a90");
    const signed = await signAs(base, mallory, "sig-chair", slots[0], minutesAgo(2), otherCa);
    const [report] = await verifyPdf(signed, { caCertPem: ca.certPem });
    expect(report).toMatchObject({ signerName: "王建国", digestOk: true, signatureOk: true, chainOk: false });
    expect(report!.approval).toMatchObject({ challengeMatchesDigest: true, passkeySignatureOk: true });
    const [trustedByOther] = await verifyPdf(signed, { caCertPem: otherCa.certPem });
    expect(trustedByOther!.chainOk).toBe(true);
  });

  it("refuses to prepare a field name twice", async () => {
    await expect(preparePdf(signedTwice, { fieldName: "sig-chair", signerName: "x", reason: "r", location: "l", signingTime: NOW })).rejects.toThrow(/already exists/);
  });
});

describe("passkey algorithms", () => {
  it.each(["ES256", "EdDSA", "RS256"] as const)("verifies %s assertions with the COSE key", (alg) => {
    const passkey = softwarePasskey(alg);
    const digest = createHash("sha256").update(`文档-${alg}`).digest();
    const expected = { digest, credentialId: passkey.credentialId, cosePublicKey: passkey.cose, rpId: RP_ID };
    expect(checkApproval(passkey.approve(digest), expected)).toMatchObject({ challengeMatchesDigest: true, passkeySignatureOk: true, rpIdHashOk: true });
    const other = softwarePasskey(alg);
    expect(checkApproval(other.approve(digest), expected).passkeySignatureOk).toBe(false);
    expect(checkApproval(passkey.approve(digest, { rpId: "evil.example" }), expected).rpIdHashOk).toBe(false);
  });
});
