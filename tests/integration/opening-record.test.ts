// The opening record (开标记录): rendered as a Chinese PDF after the opening, signed by
// the host's passkey over its exact digest (PAdES + timestamp), then public.
import { writeFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPdf } from "../../signing/pades";
import { completeRecordSignature, publishedRecord, requestRecordSignature } from "~/models/opening-record.server";
import { platformAuthority } from "~/models/signature.server";
import * as recordRoute from "~/routes/notices.$id.record";
import * as verifyRoute from "~/routes/verify";
import { schema, type MemberRole } from "~/utils/db.server";
import type { Database } from "../../db/client";
import type { SoftwarePasskey } from "~/demo/software-passkey.server";
import { assertion, givePasskey } from "../helpers/evaluation";
import { get, makeContext, run, unwrap } from "../helpers/app";
import { closedOpening } from "../helpers/opening";
import { createTestDb } from "../helpers/db";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let tenderId: string;
let villageId: string;
let host: { userId: string; role: MemberRole; ip: string };
let key: SoftwarePasskey;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  ({ tenderId, villageId, host } = await closedOpening(database, ctx, "村史馆布展"));
  // The host's passkey (a software authenticator standing in for the phone).
  key = await givePasskey(database, ctx, host.userId, "主持人手机");
});
afterAll(async () => {
  await database?.close();
});

describe("the opening record", () => {
  it("is signed by the host's passkey over its digest, verifies with the platform CA and timestamp, and is then public", async () => {
    const anon = (await run(recordRoute.loader, get(`/notices/${tenderId}/record`), ctx, { id: tenderId })) as Response;
    expect(anon.status).toBe(404); // not before it is signed
    const { requestId, options } = await requestRecordSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: host, actingOrgId: villageId, tenderId });
    // Every passkey the host holds may approve (the demo gives officials one; the test added another).
    const held = (await database.db.select().from(schema.passkeys).where(eq(schema.passkeys.userId, host.userId))).map((p) => p.id);
    expect(options.allowCredentials.map((c) => c.id).sort()).toEqual(held.sort());
    expect(held).toContain(key.credentialId);
    // An approval of some other digest is refused, and uses up nothing but that request.
    await expect(
      completeRecordSignature(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        rp: ctx.rp,
        actor: host,
        actingOrgId: villageId,
        tenderId,
        requestId,
        response: assertion(key, Buffer.alloc(32, 1).toString("base64url")),
      }),
    ).rejects.toMatchObject({
      key: "errors.passkeyFailed",
    });
    const again = await requestRecordSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: host, actingOrgId: villageId, tenderId });
    const signed = await completeRecordSignature(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      rp: ctx.rp,
      actor: host,
      actingOrgId: villageId,
      tenderId,
      requestId: again.requestId,
      response: assertion(key, again.options.challenge),
    });
    // Signed once: a replay of the same approval is refused.
    await expect(
      completeRecordSignature(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        rp: ctx.rp,
        actor: host,
        actingOrgId: villageId,
        tenderId,
        requestId: again.requestId,
        response: assertion(key, again.options.challenge),
      }),
    ).rejects.toMatchObject({ key: "errors.signature.alreadySigned" });

    const published = await publishedRecord(database.db, tenderId);
    expect(published?.sha256).toBe(signed.sha256);
    const res = (await run(recordRoute.loader, get(`/notices/${tenderId}/record`), ctx, { id: tenderId })) as Response;
    expect(res.status).toBe(200);
    const pdf = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe("%PDF-");
    if (process.env.KEEP_RECORD) writeFileSync(process.env.KEEP_RECORD, pdf); // to look at it: pdftoppm -r 80 -png
    const { ca } = await platformAuthority(database.db, ctx.clock);
    const [report, stamp] = await verifyPdf(pdf, { caCertPem: ca.certPem });
    expect(report).toMatchObject({ kind: "signature", digestOk: true, signatureOk: true, chainOk: true, unchangedAfterSigning: true, revoked: false });
    // Published in its long-term form: certificates and the CA's CRL in the DSS, then a document timestamp.
    expect(stamp).toMatchObject({ kind: "documentTimestamp", digestOk: true, byteRangeCoversWholeFileExceptContents: true, ltv: { dss: true, crl: true } });
    expect(report.approval).toMatchObject({ credentialId: key.credentialId, challengeMatchesDigest: true, passkeySignatureOk: true });
    expect(report.timestamp?.ok).toBe(true);
    expect(report.signerName).toBe("青山村村委会"); // the demo committee account's name
  });

  it("is checked by the public verify page, which notices a one-byte change", async () => {
    const published = (await publishedRecord(database.db, tenderId))!;
    const chunks: Buffer[] = [];
    for await (const c of ctx.files.get(published.sha256)) chunks.push(Buffer.from(c));
    const pdf = Buffer.concat(chunks);
    const check = async (bytes: Uint8Array) => {
      const form = new FormData();
      form.append("file", new File([new Uint8Array(bytes)], "开标记录.pdf", { type: "application/pdf" }));
      return unwrap(await run(verifyRoute.action, new Request("http://localhost:3000/verify", { method: "POST", body: form, headers: { Origin: "http://localhost:3000" } }), ctx));
    };
    const good = await check(pdf);
    expect(good.data.results).toHaveLength(1);
    expect(good.data.results[0]).toMatchObject({ signer: "青山村村委会", intact: true, trusted: true, passkey: true, timestamped: true, unchangedSince: true });
    // One byte of the signed content changed (inside the page content, not the signature).
    const tampered = Buffer.from(pdf);
    const at = tampered.indexOf(Buffer.from("/Producer"));
    tampered[at + 3] ^= 0x01;
    const bad = await check(tampered);
    expect(bad.data.results[0].intact).toBe(false);
    // Not a PDF at all.
    expect((await check(Buffer.from("hello"))).data.errors.file).toBe("errors.upload.notPdf");
  });

  it("is signed by the host only", async () => {
    const [other] = await database.db.select().from(schema.orgs).where(eq(schema.orgs.name, "石桥村"));
    await expect(requestRecordSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: host, actingOrgId: other.id, tenderId })).rejects.toMatchObject({
      options: { status: 403 },
    });
  });
});
