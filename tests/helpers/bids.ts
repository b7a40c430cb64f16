// Bidders with a prepared passkey, and bids sealed by the real sealing script —
// shared by the bid tests.
import type { AppLoadContext } from "@remix-run/node";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { sealingScript, type BidActProof } from "~/models/bid.server";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import { startSession } from "~/models/session.server";
import { schema, type MemberRole } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { loadSeal, pdfBytes, uploadSealed, type Sealed } from "./seal";

export const S = loadSeal();

export interface Bidder {
  phone: string;
  userId: string;
  companyId: string;
  companyName: string;
  actor: { userId: string; role: MemberRole; ip: string };
  /** The PRF secret of the bidder's passkey: it stays here, as it stays in the browser. */
  prf: Uint8Array;
  credentialId: string;
  pmId: string;
}

/** A demo contractor with a passkey prepared for sealing (only the derived public key is stored, as the browser does). */
export async function preparedBidder(database: Database, ctx: AppLoadContext, phone: string): Promise<Bidder> {
  const [user] = await database.db.select().from(schema.users).where(eq(schema.users.phone, phone));
  const [m] = await database.db.select().from(schema.memberships).where(eq(schema.memberships.userId, user.id));
  const [org] = await database.db.select().from(schema.orgs).where(eq(schema.orgs.id, m.orgId));
  const [pm] = await database.db.select().from(schema.projectManagers).where(eq(schema.projectManagers.companyId, m.orgId));
  const prf = crypto.getRandomValues(new Uint8Array(32));
  const credentialId = `cred-${phone}-${randomUUID().slice(0, 8)}`;
  await database.db.insert(schema.passkeys).values({
    id: credentialId,
    userId: user.id,
    name: "测试密钥",
    publicKey: Buffer.alloc(65, 1),
    counter: 0,
    transports: ["usb"],
    deviceType: "singleDevice",
    backedUp: false,
    prfEnabled: true,
    openingPublicKey: (await S.openingKeyFromPrf(prf)).publicKey,
    createdAt: ctx.clock.now(),
  });
  return {
    phone,
    userId: user.id,
    companyId: m.orgId,
    companyName: org.name,
    actor: { userId: user.id, role: "contractor" as const, ip: "198.51.100.20" },
    prf,
    credentialId,
    pmId: pm.id,
  };
}

export interface SealedBid {
  sealed: Sealed;
  submissionId: string;
  uploadId: string;
}

/**
 * Seal a bid with a PDF holding `mark`, to the bidder's passkey (unless `holders: false`), and upload the ciphertext.
 * `bid` and `files` replace fields of the bid and its files as a bidder who skips the page's checks could.
 */
export async function sealBid(
  ctx: AppLoadContext,
  b: Bidder,
  tenderId: string,
  opts: { priceFen: number; mark: string; reference?: string; holders?: boolean; bid?: Record<string, unknown>; files?: { name: string; bytes: Uint8Array }[] },
): Promise<SealedBid> {
  const submissionId = randomUUID();
  const sealed = await S.seal(
    {
      priceFen: opts.priceFen,
      durationDays: 25,
      projectManagerId: b.pmId,
      quality: "合格",
      security: { method: "transfer", amountFen: 300_000, date: "2026-11-19", reference: opts.reference ?? "流水-778899" },
      ...opts.bid,
    },
    opts.files ?? [{ name: "技术标.pdf", bytes: pdfBytes(opts.mark) }],
    { tenderId, submissionId, holders: opts.holders === false ? [] : [{ credentialId: b.credentialId, publicKey: (await S.openingKeyFromPrf(b.prf)).publicKey }] },
  );
  const uploadId = await uploadSealed(ctx, b.userId, sealed.ciphertext);
  return { sealed, submissionId, uploadId };
}

/**
 * A session of the bidder that proved a step-up code just now: what withdrawing or replacing a sealed
 * bid needs besides the password (bid.server.ts BidActProof). Valid for STEP_UP_MS of the test clock.
 */
export async function steppedUp(ctx: AppLoadContext, b: { userId: string }): Promise<BidActProof> {
  const { sessionId } = await startSession(ctx.db, ctx.clock, { ...SYSTEM_ACTOR, ip: ctx.ip }, { userId: b.userId, method: "password", days: 7 });
  await ctx.db.update(schema.sessions).set({ stepUpAt: ctx.clock.now() }).where(eq(schema.sessions.id, sessionId));
  return { sessionId, rp: ctx.rp };
}

/** What the browser posts for a sealed bid. */
export function submitInput(s: SealedBid, over: Record<string, unknown> = {}) {
  const script = sealingScript();
  return {
    submissionId: s.submissionId,
    uploadId: s.uploadId,
    ciphertextHash: s.sealed.ciphertextHash,
    plaintextHash: s.sealed.plaintextHash,
    commitment: s.sealed.commitment,
    scriptVersion: script.version,
    scriptSha256: script.sha256,
    wraps: s.sealed.wraps,
    ...over,
  };
}
