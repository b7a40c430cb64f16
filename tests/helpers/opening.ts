// A tender of 青山村 whose remote opening has closed (three decrypted bids), made
// through the model functions — shared by the tests of what comes after the opening.
import type { AppLoadContext } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { submitBid } from "~/models/bid.server";
import { closeOpening, decryptionMaterial, startDecryption, startReading, submitDataKey } from "~/models/opening.server";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO } from "./app";
import { preparedBidder, S, sealBid, submitInput, type Bidder } from "./bids";
import { tenderFields, tenderKit } from "./tenders";

export async function closedOpening(
  database: Database,
  ctx: AppLoadContext & { clock: { set(d: Date | string): void; advance(ms: number): void } },
  name: string,
  phones = ["13900000010", "13900000011", "13900000013"],
  fields: Record<string, string> = {},
  /** The supervisor's reason, for a village that has many similar projects (the splitting check asks for one). */
  approvalReason = "",
  /** Real meeting-record PDFs for the approval (tenderKit's realDocuments), for the demo. */
  realDocuments = false,
) {
  ctx.clock.set("2026-11-20T02:00:00Z"); // a week before the deadline below
  const kit = await tenderKit(database, ctx, "青山村", { realDocuments });
  const projectId = await kit.approvedProject(name, 20_000_000, approvalReason);
  await kit.publish(projectId, tenderFields({ deadline: "2026-11-26T10:00", bidSecurity: "3000", ...fields }), await cookieFor(ctx, DEMO.committeeA1));
  const tender = await kit.tenderOf(projectId);
  const bidders: Bidder[] = [];
  for (const [i, phone] of phones.entries()) {
    const b = await preparedBidder(database, ctx, phone);
    await submitBid(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      actor: b.actor,
      companyId: b.companyId,
      tenderId: tender.id,
      raw: submitInput(await sealBid(ctx, b, tender.id, { priceFen: 18_000_000 + i * 100_000, mark: phone })),
    });
    bidders.push(b);
  }
  const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA1));
  const host = { userId: u.id, role: "committee" as const, ip: "203.0.113.50" };
  ctx.clock.set(tender.deadline);
  await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: kit.villageId, tenderId: tender.id });
  for (const b of bidders) {
    const m = (await decryptionMaterial(database.db, ctx.clock, b.companyId, tender.id))!;
    const key = await S.unwrapWithPrf(m.wraps.find((w) => w.credentialId === b.credentialId) as never, b.prf, { tenderId: tender.id, submissionId: m.submissionId });
    await submitDataKey(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      actor: b.actor,
      companyId: b.companyId,
      tenderId: tender.id,
      rawKey: Buffer.from(key).toString("base64url"),
    });
  }
  await startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: kit.villageId, tenderId: tender.id });
  ctx.clock.advance(11 * 60_000);
  await closeOpening(database.db, { clock: ctx.clock, actor: host, actingOrgId: kit.villageId, tenderId: tender.id });
  return { tenderId: tender.id, projectId, host, villageId: kit.villageId, townshipId: kit.townshipId, bidders };
}
