// Long-term signatures: the platform CA's CRL, PAdES-B-LT (DSS) and B-LTA
// (document timestamp) on a report signed by two people, checked by our
// verifier, pdfsig, qpdf and openssl; revocation; and the organisation seal
// appearance, rendered and looked at pixel by pixel.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PDFDict, PDFDocument, PDFName } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderDocument, type SignatureSlot } from "~/pdf/document.server";
import { fontBytes } from "~/pdf/fonts.server";
import { createPlatformCa, createTsa, issueSignerCertificate, type CertificateWithKey } from "../../signing/ca";
import { createCrl, crlIssuedBy, isRevoked, parseCrl, type RevokedCertificate } from "../../signing/crl";
import { readDss } from "../../signing/dss";
import { addDocumentTimestamp, addValidationData, makeLongTerm } from "../../signing/ltv";
import { lastSignatureUnchanged, preparePdf, signPrepared, verifyPdf, type AppearanceOption, type SignatureReport } from "../../signing/pades";
import { IncrementalUpdate, lastStartxref, loadPdf } from "../../signing/pdf-update";
import { parseCertificate } from "../../signing/x509";
import { softwarePasskey, type SoftwarePasskey } from "~/demo/software-passkey.server";
import { CREATED_AT } from "../fixtures/pdf-specs";

const PDFSIG = "/usr/bin/pdfsig";
const CERTUTIL = "/usr/bin/certutil";
const QPDF = "/usr/bin/qpdf";
const OPENSSL = "/usr/bin/openssl";
const PDFTOTEXT = "/usr/bin/pdftotext";
const PDFTOPPM = "/usr/bin/pdftoppm";
const HAVE_PDFSIG = existsSync(PDFSIG) && existsSync(CERTUTIL);

// pdfsig and openssl check validity against the real clock: certificates are issued a day back.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const ISSUED = new Date(NOW.getTime() - 24 * 3600_000);
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const DAY = 24 * 3600_000;

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
let signedTwice: Uint8Array;
let crl: Uint8Array;
let lta: Uint8Array;
let tsaSerial = 0;

function newSigner(name: string, userId: string): Signer {
  const passkey = softwarePasskey("ES256");
  const cert = issueSignerCertificate(ca, { name, userId, credentialId: passkey.credentialId, credentialPublicKeyCose: passkey.cose, rpId: "localhost", now: ISSUED, days: 30 });
  return { name, cert, passkey };
}

const tsaAt = (genTime: Date) => ({ certPem: tsa.certPem, keyPem: tsa.keyPem, serial: ++tsaSerial, genTime });

async function signAs(pdf: Uint8Array, signer: Signer, fieldName: string, slot: SignatureSlot, at: Date, appearance?: AppearanceOption): Promise<Uint8Array> {
  const { prepared, byteRange, digest } = await preparePdf(pdf, {
    fieldName,
    signerName: signer.name,
    reason: "评标报告签署",
    location: "犇牛村",
    signingTime: at,
    rect: slot,
    page: slot.pageIndex,
    font: fontBytes("serif"),
    ...(appearance ? { appearance } : {}),
  });
  return signPrepared(prepared, byteRange, {
    signerCertPem: signer.cert.certPem,
    signerKeyPem: signer.cert.keyPem,
    caCertPem: ca.certPem,
    passkeyApproval: signer.passkey.approve(digest),
    tsa: tsaAt(at),
  });
}

const serialOf = (signer: Signer) => parseCertificate(signer.cert.certPem).serial;

function crlAt(thisUpdate: Date, crlNumber: bigint, revoked: RevokedCertificate[] = [], authority = ca): Uint8Array {
  return createCrl(authority, { thisUpdate, nextUpdate: new Date(thisUpdate.getTime() + 7 * DAY), crlNumber, revoked });
}

let fileCount = 0;
function writeFile(bytes: Uint8Array, name = `doc-${++fileCount}.pdf`): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

function pdfsig(file: string): string[] {
  const result = spawnSync(PDFSIG, ["-nssdir", `sql:${nssDir}`, file], { encoding: "utf8" });
  return result.stdout.split(/^Signature #\d+:$/m).slice(1);
}

function expectSignatureOk(report: SignatureReport | undefined, name: string): void {
  expect(report).toBeDefined();
  expect(report!.problems).toEqual([]);
  expect(report).toMatchObject({ kind: "signature", signerName: name, digestOk: true, signatureOk: true, chainOk: true });
  expect(report!.approval).toMatchObject({ challengeMatchesDigest: true, passkeySignatureOk: true, credentialMatchesCertificate: true });
  expect(report!.timestamp?.ok).toBe(true);
}

/** The bytes a ByteRange covers and the DER in its gap, as a third-party tool would cut them out. */
function cutSignature(bytes: Uint8Array, range: [number, number, number, number]): { covered: Buffer; contents: Buffer } {
  const [a, b, c, d] = range;
  const covered = Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]);
  const contents = Buffer.from(Buffer.from(bytes.subarray(b + 1, c - 1)).toString("latin1"), "hex");
  return { covered, contents };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cyz-signing-lta-"));
  ca = createPlatformCa({ commonName: "村易招平台根证书（测试）", organization: "村易招", now: ISSUED, years: 10 });
  tsa = createTsa(ca, { now: ISSUED });
  alice = newSigner("王建国", "0b7f6a2e-8c1d-4e57-9a3b-2f6d8e1c4a90");
  bob = newSigner("李秀英", "5c2e9d41-7a3f-4b8e-b1d6-9e0f3a7c2b54");

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
  const signedOnce = await signAs(base, alice, "sig-chair", slots[0]!, minutesAgo(10));
  signedTwice = await signAs(signedOnce, bob, "sig-member", slots[1]!, minutesAgo(5));
  crl = crlAt(minutesAgo(2), 1n);
  lta = await makeLongTerm(signedTwice, { caCertPem: ca.certPem, crlDer: crl, tsa: tsaAt(minutesAgo(1)) });

  writeFileSync(path.join(dir, "ca.pem"), ca.certPem);
  if (HAVE_PDFSIG) {
    nssDir = path.join(dir, "nss");
    execFileSync("mkdir", ["-p", nssDir]);
    execFileSync(CERTUTIL, ["-N", "-d", `sql:${nssDir}`, "--empty-password"]);
    execFileSync(CERTUTIL, ["-A", "-d", `sql:${nssDir}`, "-n", "cyz-ca", "-t", "CT,C,C", "-i", path.join(dir, "ca.pem")]);
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("CRL from the platform CA", () => {
  it("is a v2 CRL that openssl verifies against the CA, with AKI, CRL number and reasons", () => {
    const der = crlAt(NOW, 42n, [
      { serial: serialOf(alice), revokedAt: minutesAgo(30), reason: "keyCompromise" },
      { serial: 0x1234n, revokedAt: minutesAgo(20) },
    ]);
    const file = writeFile(der, "ca.crl");
    const verified = spawnSync(OPENSSL, ["crl", "-inform", "DER", "-in", file, "-CAfile", path.join(dir, "ca.pem"), "-noout"], { encoding: "utf8" });
    expect(verified.status).toBe(0);
    expect(`${verified.stdout}${verified.stderr}`).toContain("verify OK");
    const text = execFileSync(OPENSSL, ["crl", "-inform", "DER", "-in", file, "-noout", "-text", "-nameopt", "utf8,sep_comma_plus_space"], { encoding: "utf8" });
    expect(text).toContain("Version 2 (0x1)");
    expect(text).toContain("Signature Algorithm: sha256WithRSAEncryption");
    expect(text).toContain("Issuer: C=CN, O=村易招, CN=村易招平台根证书（测试）");
    expect(text).toMatch(/X509v3 Authority Key Identifier:\s+(keyid:)?[0-9A-F:]{59}/);
    expect(text).toMatch(/X509v3 CRL Number:\s+42/);
    expect(text).toContain(`Serial Number: ${Buffer.from(serialOf(alice)).toString("hex").toUpperCase()}`);
    expect(text).toMatch(/X509v3 CRL Reason Code:\s+Key Compromise/);
    expect(text).toContain("Serial Number: 1234");

    const parsed = parseCrl(der);
    expect(parsed).toMatchObject({ thisUpdate: NOW, nextUpdate: new Date(NOW.getTime() + 7 * DAY), crlNumber: 42n });
    expect(crlIssuedBy(parsed, parseCertificate(ca.certPem))).toBe(true);
    expect(isRevoked(parsed, serialOf(alice))).toEqual({ serial: BigInt(`0x${Buffer.from(serialOf(alice)).toString("hex")}`), revokedAt: minutesAgo(30), reason: "keyCompromise" });
    expect(isRevoked(parsed, 0x1234n)).toMatchObject({ reason: null });
    expect(isRevoked(parsed, serialOf(bob))).toBeNull();
  });

  it("leaves out an empty revocation list, and is not accepted for another CA", () => {
    const empty = crlAt(NOW, 1n);
    const file = writeFile(empty, "empty.crl");
    expect(execFileSync(OPENSSL, ["crl", "-inform", "DER", "-in", file, "-noout", "-text"], { encoding: "utf8" })).toContain("No Revoked Certificates.");
    const other = createPlatformCa({ commonName: "别的平台根证书", organization: "别的平台", now: ISSUED, years: 1 });
    expect(crlIssuedBy(parseCrl(empty), parseCertificate(other.certPem))).toBe(false);
    const otherFile = path.join(dir, "other.pem");
    writeFileSync(otherFile, other.certPem);
    expect(spawnSync(OPENSSL, ["crl", "-inform", "DER", "-in", file, "-CAfile", otherFile, "-noout"], { encoding: "utf8" }).status).not.toBe(0);
  });

  it("refuses inconsistent input", () => {
    expect(() => createCrl(ca, { thisUpdate: NOW, nextUpdate: NOW, crlNumber: 1n, revoked: [] })).toThrow(/nextUpdate/);
    const twice = [
      { serial: 5n, revokedAt: minutesAgo(1) },
      { serial: Uint8Array.of(5), revokedAt: minutesAgo(1) },
    ];
    expect(() => crlAt(NOW, 1n, twice)).toThrow(/twice/);
    expect(() => crlAt(minutesAgo(5), 1n, [{ serial: 5n, revokedAt: NOW }])).toThrow(/later than/);
  });

  it("can name where it is published in end-entity certificates (CRL distribution point)", () => {
    const passkey = softwarePasskey("ES256");
    const cert = issueSignerCertificate(ca, {
      name: "张三",
      userId: "u-3",
      credentialId: passkey.credentialId,
      credentialPublicKeyCose: passkey.cose,
      crlUrl: "https://cyz.example/pki/ca.crl",
      now: ISSUED,
      days: 1,
    });
    const text = execFileSync(OPENSSL, ["x509", "-noout", "-ext", "crlDistributionPoints"], { input: cert.certPem, encoding: "utf8" });
    expect(text).toMatch(/Full Name:\s+URI:https:\/\/cyz\.example\/pki\/ca\.crl/);
    expect(() =>
      issueSignerCertificate(ca, {
        name: "张三",
        userId: "u-3",
        credentialId: passkey.credentialId,
        credentialPublicKeyCose: passkey.cose,
        crlUrl: "ftp://x",
        now: ISSUED,
        days: 1,
      }),
    ).toThrow(/crlUrl/);
  });
});

describe("PAdES-B-LTA: DSS and document timestamp after two signatures", () => {
  it("only appends", () => {
    expect(Buffer.from(lta.subarray(0, signedTwice.length)).equals(Buffer.from(signedTwice))).toBe(true);
  });

  it("stores each certificate once and the CRL in the DSS", async () => {
    const dss = readDss((await loadPdf(lta)).doc)!;
    expect(dss).not.toBeNull();
    const subjects = dss.certificates.map(({ data }) => parseCertificate(data!).commonName).sort();
    expect(subjects).toEqual(["李秀英", "村易招平台根证书（测试）", "村易招时间戳服务", "王建国"].sort());
    expect(dss.crls.map(({ data }) => Buffer.from(data!).equals(Buffer.from(crl)))).toEqual([true]);
    expect(Buffer.from(lta).toString("latin1")).toMatch(/\/Type \/DocTimeStamp\n\/Filter \/Adobe\.PPKLite\n\/SubFilter \/ETSI\.RFC3161\n/);
  });

  it("verifies both signatures and the document timestamp, with revocation data", async () => {
    const reports = await verifyPdf(lta, { caCertPem: ca.certPem });
    expect(reports.map((r) => [r.kind, r.fieldName])).toEqual([
      ["signature", "sig-chair"],
      ["signature", "sig-member"],
      ["documentTimestamp", "doc-timestamp-1"],
    ]);
    expectSignatureOk(reports[0], "王建国");
    expectSignatureOk(reports[1], "李秀英");
    const docTs = reports[2]!;
    expect(docTs.problems).toEqual([]);
    expect(docTs).toMatchObject({ signerName: "村易招时间戳服务", subFilter: "ETSI.RFC3161", digestOk: true, signatureOk: true, chainOk: true, approval: null, signingTime: null });
    expect(docTs.timestamp).toEqual({ genTime: minutesAgo(1), ok: true });

    expect(reports.map((r) => r.byteRangeCoversWholeFileExceptContents)).toEqual([false, false, true]);
    // Bob's signature added a visible field after Alice's; after Bob only validation data and the timestamp came.
    expect(reports.map((r) => r.unchangedAfterSigning)).toEqual([false, true, true]);
    expect(lastSignatureUnchanged(reports)).toBe(true);
    // The CRL (2 minutes ago) postdates both signatures; the TSA's own status at its timestamp is for the next round.
    expect(reports.map((r) => r.revoked)).toEqual([false, false, null]);
    for (const report of reports) expect(report.ltv).toMatchObject({ dss: true, crl: true });
    expect(reports.map((r) => r.ltv.timestampedAt)).toEqual([minutesAgo(1), minutesAgo(1), null]);

    // Before: plain B-T.
    const before = await verifyPdf(signedTwice, { caCertPem: ca.certPem });
    expect(before.map((r) => [r.kind, r.revoked, r.ltv])).toEqual([
      ["signature", null, { dss: false, crl: false, timestampedAt: null }],
      ["signature", null, { dss: false, crl: false, timestampedAt: null }],
    ]);
  });

  it.skipIf(!HAVE_PDFSIG)("keeps both signatures valid and trusted for pdfsig, which lists the document timestamp", () => {
    const sections = pdfsig(writeFile(lta, "lta.pdf"));
    expect(sections).toHaveLength(3);
    for (const section of sections.slice(0, 2)) {
      expect(section).toContain("Signature Validation: Signature is Valid.");
      expect(section).toContain("Certificate Validation: Certificate is Trusted.");
      expect(section).toContain("Not total document signed");
    }
    expect(sections[0]).toContain("Signer Certificate Common Name: 王建国");
    expect(sections[1]).toContain("Signer Certificate Common Name: 李秀英");
    // poppler 22 lists an ETSI.RFC3161 document timestamp but does not validate it ("Unimplemented Feature"); openssl does, below.
    expect(sections[2]).toContain("Signature Field Name: doc-timestamp-1");
    expect(sections[2]).toContain("Signer Certificate Common Name: 村易招时间戳服务");
    expect(sections[2]).toContain("Total document signed");
  });

  it("passes qpdf --check", () => {
    const result = spawnSync(QPDF, ["--check", writeFile(lta)], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("No syntax or stream encoding errors found");
    expect(result.status).toBe(0);
  });

  it("has a document timestamp token that openssl ts -verify accepts over the ByteRange", async () => {
    const [, , docTs] = await verifyPdf(lta, { caCertPem: ca.certPem });
    const { covered, contents } = cutSignature(lta, docTs!.byteRange!);
    const data = path.join(dir, "doc-ts-covered.bin");
    const token = path.join(dir, "doc-ts-token.der");
    writeFileSync(data, covered);
    writeFileSync(token, contents); // trailing zero padding: openssl reads the first DER element
    const result = spawnSync(OPENSSL, ["ts", "-verify", "-token_in", "-in", token, "-data", data, "-CAfile", path.join(dir, "ca.pem")], { encoding: "utf8" });
    expect(result.stdout).toContain("Verification: OK");
    expect(covered.subarray(signedTwice.length).toString("latin1")).toContain("/DSS");
  });

  it("reports a changed byte: in the signed revision everything fails, in the DSS only the document timestamp", async () => {
    const inTitle = new Uint8Array(lta);
    const at = Buffer.from(inTitle).indexOf("/Title <FEFF") + "/Title <FEFF".length + 3;
    inTitle[at] = inTitle[at] === 0x30 ? 0x31 : 0x30;
    const reports = await verifyPdf(inTitle, { caCertPem: ca.certPem });
    expect(reports.map((r) => r.digestOk)).toEqual([false, false, false]);
    expect(reports[2]!.problems).toContain("document digest does not match: the timestamped bytes were changed");
    if (HAVE_PDFSIG) {
      const sections = pdfsig(writeFile(inTitle));
      for (const section of sections.slice(0, 2)) expect(section).toContain("Signature Validation: Digest Mismatch.");
    }

    // One byte of the CRL stream: after both signatures, inside the document timestamp's range.
    const inCrl = new Uint8Array(lta);
    const crlAtOffset = Buffer.from(inCrl).indexOf(Buffer.from(crl).subarray(100, 140), signedTwice.length) + 10;
    expect(crlAtOffset).toBeGreaterThan(signedTwice.length);
    inCrl[crlAtOffset] ^= 0x01;
    const afterCrl = await verifyPdf(inCrl, { caCertPem: ca.certPem });
    expect(afterCrl.map((r) => r.digestOk)).toEqual([true, true, false]);
    // The damaged CRL's signature no longer verifies: it is not counted as the CA's.
    expect(afterCrl[0]!.ltv.crl).toBe(false);
    expect(afterCrl[0]!.revoked).toBeNull();
  });

  it("notices any other change after the last signature", async () => {
    // A revision that edits the document information (here, the title) is not validation data.
    const pdf = await loadPdf(lta);
    const update = new IncrementalUpdate(pdf);
    const info = pdf.doc.context.lookup(pdf.info!, PDFDict);
    info.set(PDFName.of("Title"), PDFName.of("Changed"));
    update.set(pdf.info!, info);
    const edited = update.write(new Uint8Array(16)).bytes;
    const reports = await verifyPdf(edited, { caCertPem: ca.certPem });
    expect(reports.map((r) => r.digestOk)).toEqual([true, true, true]);
    expect(reports.map((r) => r.unchangedAfterSigning)).toEqual([false, false, false]);
    expect(lastSignatureUnchanged(reports)).toBe(false);

    // A cross-reference section that re-points the catalog at its body from before any signature:
    // pdf-lib (which scans bodies) would not see it, readers that follow the xref would.
    const text = Buffer.from(lta).toString("latin1");
    const root = (await loadPdf(lta)).root;
    const originalRoot = text.indexOf(`\n${root.objectNumber} 0 obj`) + 1;
    const size = (await PDFDocument.load(lta, { updateMetadata: false })).context.largestObjectNumber + 1;
    const xref =
      `xref\n${root.objectNumber} 1\n${String(originalRoot).padStart(10, "0")} 00000 n\r\n` +
      `trailer\n<<\n/Size ${size}\n/Root ${root.toString()}\n/Prev ${lastStartxref(lta)}\n>>\nstartxref\n${lta.length}\n%%EOF\n`;
    const shadowed = new Uint8Array(Buffer.concat([lta, Buffer.from(xref, "latin1")]));
    const shadowReports = await verifyPdf(shadowed, { caCertPem: ca.certPem });
    expect(shadowReports.map((r) => r.unchangedAfterSigning)).toEqual([false, false, false]);
  });

  it("renews: a second round adds the newer CRL and another timestamp, without repeating certificates", async () => {
    const crl2 = crlAt(NOW, 2n);
    const renewed = await makeLongTerm(lta, { caCertPem: ca.certPem, crlDer: crl2, tsa: tsaAt(NOW) });
    const dss = readDss((await loadPdf(renewed)).doc)!;
    expect(dss.certificates).toHaveLength(4);
    expect(dss.crls).toHaveLength(2);
    const reports = await verifyPdf(renewed, { caCertPem: ca.certPem });
    expect(reports.map((r) => r.fieldName)).toEqual(["sig-chair", "sig-member", "doc-timestamp-1", "doc-timestamp-2"]);
    expect(reports.every((r) => r.problems.length === 0)).toBe(true);
    expect(reports.map((r) => r.unchangedAfterSigning)).toEqual([false, true, true, true]);
    // The first timestamp's TSA is now covered by a CRL issued after it, and is itself timestamped.
    expect(reports[2]).toMatchObject({ revoked: false, ltv: { timestampedAt: NOW } });
    // Adding what is already there changes nothing.
    expect(await addValidationData(renewed, { certificatesPem: [ca.certPem], crlsDer: [crl2] })).toBe(renewed);
  });

  it("adds a document timestamp to a document without signatures or DSS", async () => {
    const stamped = await addDocumentTimestamp(base, { fieldName: "ts", tsa: tsaAt(NOW) });
    const [report] = await verifyPdf(stamped, { caCertPem: ca.certPem });
    expect(report).toMatchObject({ kind: "documentTimestamp", digestOk: true, signatureOk: true, chainOk: true, unchangedAfterSigning: true, revoked: null });
    expect(report!.ltv).toEqual({ dss: false, crl: false, timestampedAt: null });
    expect(lastSignatureUnchanged([report!])).toBeNull();
    await expect(addDocumentTimestamp(stamped, { fieldName: "ts", tsa: tsaAt(NOW) })).rejects.toThrow(/already exists/);
  });
});

describe("revocation", () => {
  async function withCrl(der: Uint8Array) {
    return verifyPdf(await addValidationData(signedTwice, { certificatesPem: [ca.certPem], crlsDer: [der] }), { caCertPem: ca.certPem });
  }

  it("reports a signer revoked before signing", async () => {
    const reports = await withCrl(crlAt(NOW, 3n, [{ serial: serialOf(alice), revokedAt: minutesAgo(20), reason: "affiliationChanged" }]));
    expect(reports[0]).toMatchObject({ revoked: true, revokedAt: minutesAgo(20), digestOk: true, signatureOk: true, chainOk: true });
    expect(reports[0]!.problems).toEqual([expect.stringMatching(/^signer certificate is revoked \(.*affiliationChanged\) and the signature is not proven to predate it$/)]);
    expect(reports[1]).toMatchObject({ revoked: false, problems: [] });
    // Validation data only: Bob's signature still shows the content as signed.
    expect(reports.map((r) => r.unchangedAfterSigning)).toEqual([false, true]);
  });

  it("keeps a signature timestamped before its certificate was revoked, unless the key was compromised", async () => {
    const later = await withCrl(crlAt(NOW, 4n, [{ serial: serialOf(bob), revokedAt: minutesAgo(3), reason: "superseded" }]));
    expect(later[1]).toMatchObject({ revoked: true, revokedAt: minutesAgo(3), problems: [] });
    const compromised = await withCrl(crlAt(NOW, 5n, [{ serial: serialOf(bob), revokedAt: minutesAgo(3), reason: "keyCompromise" }]));
    expect(compromised[1]!.revoked).toBe(true);
    expect(compromised[1]!.problems).toHaveLength(1);
  });

  it("ignores CRLs from another CA, and cannot vouch with a CRL older than the signature", async () => {
    const other = createPlatformCa({ commonName: "别的平台根证书", organization: "别的平台", now: ISSUED, years: 1 });
    const foreign = await withCrl(crlAt(NOW, 1n, [{ serial: serialOf(alice), revokedAt: minutesAgo(20) }], other));
    expect(foreign.map((r) => [r.revoked, r.ltv.dss, r.ltv.crl])).toEqual([
      [null, true, false],
      [null, true, false],
    ]);
    // Issued 7 minutes ago: after Alice signed (10), before Bob (5).
    const stale = await withCrl(crlAt(minutesAgo(7), 6n));
    expect(stale.map((r) => r.revoked)).toEqual([false, null]);
  });
});

describe("organisation seal appearance", () => {
  const ORG = "犇牛村村民委员会";
  const BOTTOM = "评标专用";
  let sealed: Uint8Array;
  let sealFile: string;

  beforeAll(async () => {
    sealed = await signAs(base, alice, "seal-org", slots[0]!, minutesAgo(3), { kind: "seal", organization: ORG, bottomText: BOTTOM });
    sealFile = writeFile(sealed, "sealed.pdf");
  });

  it("puts the name and the bottom line in the file as searchable text", () => {
    const text = execFileSync(PDFTOTEXT, [sealFile, "-"], { encoding: "utf8" });
    const body = execFileSync(PDFTOTEXT, [writeFile(base), "-"], { encoding: "utf8" });
    // The renderer's text has none of 民 / 专用: they come from the seal.
    for (const char of "民专用") expect(body).not.toContain(char);
    for (const char of ORG + BOTTOM) expect(text).toContain(char);
    const fonts = execFileSync("/usr/bin/pdffonts", [sealFile], { encoding: "utf8" });
    expect(fonts).toMatch(/[A-Z]{6}\+NotoSerifSC-Regular\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
  });

  it("is a 42 mm square widget centred on the slot, composited with Multiply", async () => {
    const raw = Buffer.from(sealed).toString("latin1");
    const slot = slots[0]!;
    const side = (42 / 25.4) * 72;
    const rect = /\/T \(seal-org\)[\s\S]*?\/Rect \[([\d. ]+)\]/.exec(raw)![1]!.split(" ").map(Number);
    expect(rect[2]! - rect[0]!).toBeCloseTo(side, 1);
    expect(rect[3]! - rect[1]!).toBeCloseTo(side, 1);
    expect((rect[0]! + rect[2]!) / 2).toBeCloseTo(slot.x + slot.width / 2, 1);
    expect((rect[1]! + rect[3]!) / 2).toBeCloseTo(slot.y + slot.height / 2, 1);
    expect(raw).toContain("/BM /Multiply /CA 0.9 /ca 0.9");
    expect(raw).toContain("/Group << /S /Transparency /CS /DeviceRGB /I true >>");
  });

  it("draws a red ring, star and text (rendered with pdftoppm)", () => {
    // 100 dpi, cropped to the seal: 42 mm ≈ 165 px. PPM is trivial to read.
    const slot = slots[0]!;
    const scale = 100 / 72;
    const pageHeight = 841.89;
    const side = (42 / 25.4) * 72;
    const left = Math.round((slot.x + slot.width / 2 - side / 2) * scale);
    const top = Math.round((pageHeight - (slot.y + slot.height / 2 + side / 2)) * scale);
    const px = Math.round(side * scale);
    const ppm = execFileSync(PDFTOPPM, ["-r", "100", "-x", String(left), "-y", String(top), "-W", String(px), "-H", String(px), "-singlefile", sealFile]);
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 32).toString("latin1"))!;
    const [w, h, offset] = [Number(header[1]), Number(header[2]), header[0].length];
    const pixel = (x: number, y: number) => {
      const i = offset + (Math.round(y) * w + Math.round(x)) * 3;
      return [ppm[i]!, ppm[i + 1]!, ppm[i + 2]!] as const;
    };
    const isRed = ([r, g, b]: readonly number[]) => r! > 150 && g! < 110 && b! < 110;
    const c = w / 2;
    const R = w / 2;
    // Ring at 12, 3, 6 and 9 o'clock; the star's centre; white between ring and star on the right-hand side at mid-height.
    expect(isRed(pixel(c, R * 0.04))).toBe(true);
    expect(isRed(pixel(w - R * 0.04, c))).toBe(true);
    expect(isRed(pixel(c, h - R * 0.04))).toBe(true);
    expect(isRed(pixel(R * 0.04, c))).toBe(true);
    expect(isRed(pixel(c, c))).toBe(true);
    // The top half (name) has far more red than the band below the bottom line.
    let redTop = 0;
    for (let y = Math.round(R * 0.15); y < R * 0.5; y++) for (let x = 0; x < w; x++) if (isRed(pixel(x, y))) redTop++;
    expect(redTop).toBeGreaterThan(w * R * 0.35 * 0.08);
    writeFileSync(path.join(dir, "seal.ppm"), ppm);
  });

  it.skipIf(!HAVE_PDFSIG)("is still a valid, trusted signature for pdfsig and our verifier", async () => {
    const [section] = pdfsig(sealFile);
    expect(section).toContain("Signature Validation: Signature is Valid.");
    expect(section).toContain("Certificate Validation: Certificate is Trusted.");
    const [report] = await verifyPdf(sealed, { caCertPem: ca.certPem });
    expectSignatureOk(report, "王建国");
    expect(readFileSync(sealFile).length).toBe(sealed.length);
  });

  it("needs the organisation's name", async () => {
    await expect(
      preparePdf(base, { fieldName: "s", signerName: "x", reason: "r", location: "l", signingTime: NOW, rect: slots[0], appearance: { kind: "seal", organization: " " } }),
    ).rejects.toThrow(/organisation/);
  });
});
