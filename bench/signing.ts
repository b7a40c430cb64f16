// The evaluation report of a tender with 30 bids and a 5-member panel (comprehensive
// scoring, so every score table is full), signed by the 5 members one after the
// other — each an incremental PAdES signature approved by a passkey, with a timestamp —
// then put in its long-term form (DSS with the CRL + document timestamp, PAdES-B-LTA).
// Prints the median time of the whole sequence and the final file size.
// Target (issue #6): < 1.5 s total, < 400 KB.
// Usage: tsx bench/signing.ts [runs]
import { fontBytes } from "../app/pdf/fonts.server";
import { randomUUID } from "node:crypto";
import { renderReportFrom, type ReportInput } from "../app/models/evaluation-report.server";
import { createPlatformCa, createTsa, issueSignerCertificate } from "../signing/ca";
import { createCrl } from "../signing/crl";
import { makeLongTerm } from "../signing/ltv";
import { preparePdf, signPrepared, verifyPdf } from "../signing/pades";
import { softwarePasskey } from "../app/demo/software-passkey.server";

const runs = Number(process.argv[2] ?? 7);
const BIDS = 30;
const MEMBERS = 5;
const now = new Date();
const dayBack = new Date(now.getTime() - 24 * 3600_000);

const ca = createPlatformCa({ commonName: "村易招平台 CA", organization: "村易招", now: dayBack, years: 20 });
const tsa = createTsa(ca, { now: dayBack, years: 10, commonName: "村易招时间戳服务" });
const crl = createCrl(ca, { thisUpdate: now, nextUpdate: new Date(now.getTime() + 7 * 24 * 3600_000), crlNumber: 1n, revoked: [] });
const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹";
const tenderId = randomUUID();
const members = Array.from({ length: MEMBERS }, (_, i) => {
  const userId = randomUUID();
  const key = softwarePasskey("ES256");
  const cert = issueSignerCertificate(ca, {
    name: `专家 ${SURNAMES[i]}${SURNAMES[i + 7]}明`,
    userId,
    credentialId: key.credentialId,
    credentialPublicKeyCose: key.cose,
    rpId: "localhost",
    now: dayBack,
    days: 1095,
  });
  return { userId, key, cert, name: `专家 ${SURNAMES[i]}${SURNAMES[i + 7]}明`, position: i + 1 };
});
const bids = Array.from({ length: BIDS }, (_, i) => ({
  bidId: randomUUID(),
  companyId: randomUUID(),
  company: `浙江${SURNAMES[i % SURNAMES.length]}${["建设", "建筑", "市政", "园林", "水利"][i % 5]}工程有限公司`,
  priceFen: 27_000_000 + i * 37_311,
  durationDays: 40 + (i % 5),
  projectManagerName: `${SURNAMES[(i + 3) % SURNAMES.length]}工`,
  projectManagerCertificate: `浙233${String(1100000 + i * 37).padStart(7, "0")}`,
  quality: "合格",
  securityOk: true,
  files: [],
  openingReasons: [],
  priceUnreadable: false,
}));
const at = now;
const input: ReportInput = {
  tender: { id: tenderId, deadline: at, drawCommitment: "a".repeat(64), evaluationParams: { priceWeightPercent: 60 } } as ReportInput["tender"],
  project: { name: "青山村文化广场铺装及配套排水工程", ceilingFen: 29_000_000 } as ReportInput["project"],
  village: "青山村",
  ev: {
    tenderId,
    state: "signing",
    stepStartedAt: at,
    qualifiedBidIds: bids.map((b) => b.bidId),
    qualifiedListHash: "b".repeat(64),
    lockedAt: at,
    seed: "c".repeat(64),
    computedAt: at,
    reportPdfSha256: null,
    reportSlots: null,
    reportCompletedAt: null,
    failReason: null,
    createdAt: at,
    result: {
      method: "comprehensive",
      priceWeightPercent: 60,
      ranking: bids.map((b, i) => ({
        bidId: b.bidId,
        rank: i + 1,
        priceFen: b.priceFen,
        tieBrokenByDraw: false,
        priceScore: 6000 - i * 8,
        expertScore: 3500 - i * 11,
        total: 9500 - i * 19,
      })),
      candidates: bids.slice(0, 3).map((b) => b.bidId),
      replacedScores: [],
    },
  },
  members: members.map((m) => ({
    m: {
      tenderId,
      expertId: m.userId,
      checksAt: at,
      scoresAt: at,
      reviewAt: at,
      opinion: "agree",
      dissent: null,
      opinionAt: at,
      deemedAgreeBy: null,
      signedAt: null,
      refusedAt: null,
      refusalNote: null,
    },
    name: m.name,
    position: m.position,
  })),
  under: bids,
  checks: bids.flatMap((b) => members.map((m) => ({ tenderId, bidId: b.bidId, expertId: m.userId, pass: true, reason: null, at }))),
  scores: bids.flatMap((b, i) =>
    members.map((m, j) => ({ tenderId, bidId: b.bidId, expertId: m.userId, score: 3500 - i * 11 + j, flaggedBy: [], explanation: null, acceptedReplacement: false, at })),
  ),
  asks: [],
  secret: { tenderId, secret: "d".repeat(64), commitment: "a".repeat(64), createdAt: at, revealedAt: at, revealedBy: null },
};

let serial = 1n;
async function signedReport() {
  const report = await renderReportFrom(input, now);
  let pdf = report.bytes;
  for (const m of members) {
    const slot = report.slots[m.userId];
    const prepared = await preparePdf(pdf, {
      fieldName: `sig-expert-${m.position}`,
      signerName: m.name,
      reason: "评标报告 评审专家签字",
      location: "村易招",
      signingTime: new Date(),
      rect: slot,
      page: slot.pageIndex,
      contentsBytes: 16 * 1024,
      font: fontBytes("serif"),
    });
    const approval = m.key.approve(prepared.digest);
    pdf = signPrepared(prepared.prepared, prepared.byteRange, {
      signerCertPem: m.cert.certPem,
      signerKeyPem: m.cert.keyPem,
      caCertPem: ca.certPem,
      passkeyApproval: { credentialId: m.key.credentialId, authenticatorData: approval.authenticatorData, clientDataJSON: approval.clientDataJSON, signature: approval.signature },
      tsa: { certPem: tsa.certPem, keyPem: tsa.keyPem, serial: serial++, genTime: new Date() },
    });
  }
  const final = await makeLongTerm(pdf, { caCertPem: ca.certPem, crlDer: crl, tsa: { certPem: tsa.certPem, keyPem: tsa.keyPem, serial: serial++, genTime: new Date() } });
  return { final, pages: report.pageCount };
}

// The first run also loads and parses the fonts.
const coldStart = performance.now();
const first = await signedReport();
const coldMs = performance.now() - coldStart;
const reports = await verifyPdf(first.final, { caCertPem: ca.certPem });
const bad = reports.filter((r) => !(r.digestOk && r.signatureOk && r.chainOk));
if (reports.length !== MEMBERS + 1 || bad.length) throw new Error(`verification failed: ${JSON.stringify(bad.map((r) => r.problems))}`);

if (process.env.KEEP_PDF) (await import("node:fs")).writeFileSync(process.env.KEEP_PDF, first.final); // to look at it: pdftoppm -r 60 -png

const times: number[] = [];
let bytes = 0;
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  const { final } = await signedReport();
  times.push(performance.now() - start);
  bytes = final.length;
}
times.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    bids: BIDS,
    signatures: MEMBERS,
    pages: first.pages,
    runs,
    coldMs: Math.round(coldMs),
    medianMs: Math.round(times[Math.floor(times.length / 2)]),
    maxMs: Math.round(times.at(-1)!),
    bytes,
    kilobytes: Math.round(bytes / 1024),
    targets: { totalMs: 1500, kilobytes: 400 },
    verified: `${MEMBERS} signatures + document timestamp`,
  }),
);
