// A tender of 青山村 whose evaluation is done and whose candidates are in publicity
// (中标候选人公示), made through the model functions: the panel drawn and declared,
// every bid passed by every member, the supervisor's secret revealed, every member
// agreeing and signing the report with a (software) passkey. Shared by the tests
// of what comes after the evaluation.
import type { AppLoadContext } from "@remix-run/node";
import { and, asc, eq } from "drizzle-orm";
import { bidsUnderEvaluation, recordOpinion, revealSecret, submitChecks } from "~/models/evaluation.server";
import { completeReportSignature, reportRenderer, requestReportSignature } from "~/models/evaluation-report.server";
import { declare, drawPanel } from "~/models/panel.server";
import { schema, type MemberRole } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { softwarePasskey, type SoftwarePasskey } from "~/demo/software-passkey.server";
import { DEMO } from "./app";
import { closedOpening } from "./opening";

/** What the browser sends after the passkey approved `challenge` (base64url of the digest). */
export function assertion(k: SoftwarePasskey, challenge: string) {
  const a = k.approve(Buffer.from(challenge, "base64url"));
  return {
    id: k.credentialId,
    rawId: k.credentialId,
    type: "public-key" as const,
    clientExtensionResults: {},
    response: { authenticatorData: a.authenticatorData, clientDataJSON: a.clientDataJSON, signature: a.signature },
  };
}

/** Give a user a software passkey (standing in for their phone) that can sign documents. */
export async function givePasskey(database: Database, ctx: AppLoadContext, userId: string, name = "测试手机"): Promise<SoftwarePasskey> {
  const key = softwarePasskey("ES256");
  await database.db.insert(schema.passkeys).values({
    id: key.credentialId,
    userId,
    name,
    publicKey: Buffer.from(key.cose),
    counter: 0,
    transports: ["internal"],
    deviceType: "singleDevice",
    backedUp: false,
    prfEnabled: true,
    createdAt: ctx.clock.now(),
  });
  return key;
}

export interface Expert {
  userId: string;
  phone: string;
  name: string;
  actor: { userId: string; role: MemberRole; ip: string };
  key: SoftwarePasskey;
}

/** Draw the panel of a closed opening; every member accepts (no conflict) and has a passkey. */
export async function sittingPanel(
  database: Database,
  ctx: AppLoadContext,
  opened: { tenderId: string; host: { userId: string; role: MemberRole; ip: string | null }; villageId: string },
  seed?: string,
): Promise<Expert[]> {
  const db = database.db;
  await drawPanel(db, { clock: ctx.clock, actor: opened.host, actingOrgId: opened.villageId, tenderId: opened.tenderId, opts: { seed } });
  const members = await db
    .select({ m: schema.panelMembers, u: schema.users })
    .from(schema.panelMembers)
    .innerJoin(schema.users, eq(schema.users.id, schema.panelMembers.expertId))
    .where(and(eq(schema.panelMembers.tenderId, opened.tenderId), eq(schema.panelMembers.role, "member")))
    .orderBy(asc(schema.panelMembers.position));
  const experts: Expert[] = [];
  for (const { u } of members) {
    const actor = { userId: u.id, role: "expert" as const, ip: "203.0.113.9" };
    await declare(db, { clock: ctx.clock, actor, tenderId: opened.tenderId, input: { accept: true } });
    experts.push({ userId: u.id, phone: u.phone, name: u.name, actor, key: await givePasskey(database, ctx, u.id, "专家手机") });
  }
  return experts;
}

export async function inPublicity(
  database: Database,
  ctx: AppLoadContext & { clock: { set(d: Date | string): void; advance(ms: number): void } },
  name: string,
  opts: { phones?: string[]; fields?: Record<string, string>; realDocuments?: boolean } = {},
) {
  const db = database.db;
  const opened = await closedOpening(database, ctx, name, opts.phones, opts.fields, "", opts.realDocuments);
  const { tenderId } = opened;
  const experts = await sittingPanel(database, ctx, opened);
  const under = await bidsUnderEvaluation(db, tenderId);
  for (const e of experts) await submitChecks(db, { clock: ctx.clock, actor: e.actor, tenderId, checks: under.map((b) => ({ bidId: b.bidId, pass: true })) });
  const [supervisor] = await db.select().from(schema.users).where(eq(schema.users.phone, DEMO.supervisorA));
  await revealSecret(db, { clock: ctx.clock, actor: { userId: supervisor.id, role: "supervisor" as const, ip: "203.0.113.8" }, townshipId: opened.townshipId, tenderId });
  for (const e of experts) await recordOpinion(db, { clock: ctx.clock, actor: e.actor, tenderId, input: { agree: true }, renderReport: reportRenderer(ctx.files, ctx.clock) });
  for (const e of experts) {
    const { requestId, options } = await requestReportSignature(db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: e.actor, tenderId });
    await completeReportSignature(db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: e.actor, tenderId, requestId, response: assertion(e.key, options.challenge) });
  }
  const [project] = await db.select().from(schema.projects).where(eq(schema.projects.id, opened.projectId));
  if (project.state !== "publicity") throw new Error(`expected publicity, got ${project.state}`);
  const [publicity] = await db.select().from(schema.publicities).where(eq(schema.publicities.tenderId, tenderId));
  return { ...opened, experts, supervisor: { userId: supervisor.id, role: "supervisor" as const, ip: "203.0.113.8" }, publicity };
}
