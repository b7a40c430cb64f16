// A passkey must sign with an algorithm whose approvals a signed PDF can carry
// and anyone can re-verify (signing/webauthn.ts). Browsers' authenticators now
// also offer ML-DSA-44 (COSE -48): Chromium's did, and every document signature
// made with such a passkey failed although its sign-in worked. Registration asks
// for EdDSA, ES256 and RS256 only, and a key of any other kind is refused.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { softwarePasskey } from "~/demo/software-passkey.server";
import { passkeyRegistrationOptions } from "~/models/passkey.server";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { approvalKeySupported, COSE_ALG, PASSKEY_ALGORITHMS } from "../../signing/webauthn";
import { DEMO, makeContext } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let database: Database;
let ctx: ReturnType<typeof makeContext>;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
});
afterAll(async () => {
  await database?.close();
});

describe("passkey algorithms", () => {
  it("registration offers only the algorithms a signed document can verify", async () => {
    const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.contractor1));
    const options = await passkeyRegistrationOptions(database.db, ctx.clock, ctx.rp, u.id);
    expect(options.pubKeyCredParams.map((p) => p.alg).sort()).toEqual([...PASSKEY_ALGORITHMS].sort());
    expect(options.pubKeyCredParams.map((p) => p.alg)).not.toContain(-48);
  });

  it("knows a key it can verify approvals with from one it cannot", () => {
    for (const alg of ["ES256", "EdDSA", "RS256"] as const) expect(approvalKeySupported(softwarePasskey(alg).cose), alg).toBe(true);
    // An ML-DSA-44 COSE key: {1: 7 (AKP), 3: -48, -1: public key bytes}.
    const mlDsa = Buffer.from("a3010703382f204400010203", "hex");
    expect(approvalKeySupported(mlDsa)).toBe(false);
    expect(PASSKEY_ALGORITHMS).toEqual([COSE_ALG.EdDSA, COSE_ALG.ES256, COSE_ALG.RS256]);
  });
});
