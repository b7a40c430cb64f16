/**
 * Activity traces for the collusion checks (DOMAIN.md "Supervision and
 * risk"): which network address and device acted for which company on a
 * tender. Written in the same transaction as the act; read only by the risk
 * scan, which runs on tenders whose deadline has passed.
 */
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import type { Actor } from "./audit.server";

export type TraceKind = "bid" | "withdraw" | "reseal" | "sign_in" | "decrypt";

export async function recordTrace(tx: Db, clock: Clock, actor: Actor, t: { tenderId: string; companyId: string; kind: TraceKind; credentialId?: string | null }) {
  await tx.insert(schema.activityTraces).values({
    tenderId: t.tenderId,
    companyId: t.companyId,
    userId: actor.userId,
    kind: t.kind,
    ip: actor.ip,
    deviceId: actor.deviceId ?? null,
    credentialId: t.credentialId ?? null,
    userAgent: actor.userAgent ?? null,
    at: clock.now(),
  });
}
