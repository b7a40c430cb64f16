// The certificate authority is behind an interface: a county can plug in a licensed CA
// (here a stand-in with its own root and TSA) and signatures chain to it, not to the platform's.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPlatformCa, createTsa, issueSignerCertificate } from "../../signing/ca";
import { createCrl } from "../../signing/crl";
import { verifyPdf } from "../../signing/pades";
import { renderDocument } from "~/pdf/document.server";
import { completeSignature, localAuthority, longTermForm, platformAuthority, requestSignature, type SigningAuthority } from "~/models/signature.server";
import { readBytes } from "~/models/file-store.server";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { DEMO, makeContext } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { assertion, givePasskey } from "../helpers/evaluation";

let database: Database;
let ctx: ReturnType<typeof makeContext>;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
});
afterAll(async () => {
  await database?.close();
});

describe("a plugged-in certificate authority", () => {
  it("issues the signer's certificate, timestamps and revocation list; the platform's own CA is not involved", async () => {
    const [user] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA1));
    const key = await givePasskey(database, ctx, user.id);
    const back = new Date(ctx.clock.now().getTime() - 24 * 3600_000);
    const licensed = createPlatformCa({ commonName: "某省数字证书认证中心", organization: "某省 CA", now: back, years: 10 });
    const licensedTsa = createTsa(licensed, { now: back, years: 5, commonName: "某省 CA 时间戳" });
    const issued: string[] = [];
    const authority: SigningAuthority = {
      caCertPem: async () => licensed.certPem,
      async signerFor(passkey, name, rpId) {
        issued.push(passkey.id);
        return issueSignerCertificate(licensed, {
          name,
          userId: passkey.userId,
          credentialId: passkey.id,
          credentialPublicKeyCose: new Uint8Array(passkey.publicKey),
          rpId,
          now: back,
          days: 365,
        });
      },
      crl: async () => createCrl(licensed, { thisUpdate: ctx.clock.now(), nextUpdate: new Date(ctx.clock.now().getTime() + 86_400_000), crlNumber: 7n, revoked: [] }),
      tsa: async () => ({ certPem: licensedTsa.certPem, keyPem: licensedTsa.keyPem, serial: 99n, genTime: ctx.clock.now() }),
    };
    const doc = await renderDocument({
      title: "测试文件",
      sections: [
        {
          blocks: [
            { kind: "paragraph", text: "由外部认证机构签发证书。" },
            { kind: "signatureLines", labels: ["签字"] },
          ],
        },
      ],
      createdAt: ctx.clock.now(),
    });
    const { requestId, options } = await requestSignature(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      rp: ctx.rp,
      userId: user.id,
      doc: {
        pdf: doc.bytes,
        purpose: "test",
        objectId: "x",
        fieldName: "sig-1",
        reason: "测试",
        location: "村易招",
      },
    });
    const { signed } = await completeSignature(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      rp: ctx.rp,
      userId: user.id,
      requestId,
      response: assertion(key, options.challenge),
      authority,
    });
    expect(issued).toEqual([key.credentialId]);
    const final = await longTermForm(database.db, { clock: ctx.clock, store: ctx.files, sha256: signed.sha256, authority });
    const pdf = new Uint8Array(await readBytes(ctx.files, final.sha256));
    const [sig, stamp] = await verifyPdf(pdf, { caCertPem: licensed.certPem });
    expect(sig).toMatchObject({ digestOk: true, signatureOk: true, chainOk: true, revoked: false });
    expect(sig.approval).toMatchObject({ challengeMatchesDigest: true, passkeySignatureOk: true });
    expect(stamp).toMatchObject({ kind: "documentTimestamp", ltv: { crl: true } });
    // Against the platform's own CA the same file does not chain.
    const { ca } = await platformAuthority(database.db, ctx.clock);
    const [other] = await verifyPdf(pdf, { caCertPem: ca.certPem });
    expect(other.chainOk).toBe(false);
    // The default is the platform's local CA.
    expect(await localAuthority(database.db, ctx.clock).caCertPem()).toBe(ca.certPem);
  });
});
