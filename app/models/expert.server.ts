/**
 * The county's expert pool (评标专家库), kept by the county administrator:
 * specialties, employer, declared relations and past employers (for the
 * panel's conflict checks), availability and credit suspensions.
 */
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { normalisePhone } from "~/utils/phone";
import { appendAudit, type Actor } from "./audit.server";
import { DomainError } from "./errors";
import { createUser, registerExpert } from "./user.server";

const { experts, users } = schema;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const lines = (text: unknown) =>
  String(text ?? "")
    .split(/[\n,，、;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The editable facts of an expert, from the admin form. Past employers: one per line, "单位 至 2024-06-30". */
export const expertSchema = z.object({
  specialties: z.preprocess(lines, z.array(z.string().max(40)).min(1, "errors.expert.specialties").max(10, "errors.expert.specialties")),
  employer: z.string().trim().min(2, "errors.expert.employer").max(100, "errors.expert.employer"),
  declaredRelations: z.preprocess(lines, z.array(z.string().max(100)).max(50)),
  pastEmployers: z.preprocess(
    (text) =>
      String(text ?? "")
        .split(/\n+/)
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => {
          const m = /^(.+?)\s*(?:至|until|to)\s*(\d{4}-\d{2}-\d{2})$/.exec(l);
          return m ? { employer: m[1].trim(), until: m[2] } : { employer: l, until: "" };
        }),
    z.array(z.object({ employer: z.string().min(2).max(100), until: z.string().regex(DAY, "errors.expert.pastEmployers") })).max(20),
  ),
  available: z.preprocess((v) => v === "on" || v === true, z.boolean()),
  suspendedUntil: z.preprocess((v) => (v === "" || v === undefined || v === null ? null : v), z.string().regex(DAY, "errors.expert.suspendedUntil").nullable()),
});
export type ExpertInput = z.output<typeof expertSchema>;

function parse(input: unknown): ExpertInput {
  const r = expertSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new DomainError(issue.message.startsWith("errors.") ? issue.message : `errors.expert.${String(issue.path[0])}`, { field: String(issue.path[0] ?? "form") });
  }
  return r.data;
}

export async function listExperts(db: Db, countyId: string) {
  return db
    .select({ e: experts, name: users.name, phone: users.phone })
    .from(experts)
    .innerJoin(users, eq(users.id, experts.userId))
    .where(eq(experts.countyId, countyId))
    .orderBy(asc(users.name));
}

export async function updateExpert(db: Db, { clock, actor, countyId, expertId, input }: { clock: Clock; actor: Actor; countyId: string; expertId: string; input: unknown }) {
  const v = parse(input);
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(experts)
      .where(and(eq(experts.userId, expertId), eq(experts.countyId, countyId)))
      .for("update");
    if (!before) throw new DomainError("errors.notFound", { status: 404 });
    await tx.update(experts).set(v).where(eq(experts.userId, expertId));
    await appendAudit(tx, clock, actor, {
      action: "expert.update",
      objectType: "expert",
      objectId: expertId,
      countyId,
      before: {
        specialties: before.specialties,
        employer: before.employer,
        declaredRelations: before.declaredRelations,
        pastEmployers: before.pastEmployers,
        available: before.available,
        suspendedUntil: before.suspendedUntil,
      },
      after: v,
    });
  });
}

/** A new expert: an account (phone, name, first password) and the pool entry, in one transaction. */
export async function addExpert(db: Db, { clock, actor, countyId, input }: { clock: Clock; actor: Actor; countyId: string; input: Record<string, unknown> }) {
  const v = parse(input);
  const phone = normalisePhone(String(input.phone ?? ""));
  if (!phone) throw new DomainError("errors.phoneInvalid", { field: "phone" });
  const name = String(input.name ?? "").trim();
  if (name.length < 2 || name.length > 40) throw new DomainError("errors.expert.name", { field: "name" });
  return db.transaction(async (tx) => {
    const user = await createUser(tx, clock, actor, { phone, name, password: String(input.password ?? "") }).catch((e) => {
      if (e instanceof DomainError) throw new DomainError(e.key, { field: e.key === "errors.phoneTaken" ? "phone" : "password" });
      throw e;
    });
    await registerExpert(tx, clock, actor, { userId: user.id, countyId, specialties: v.specialties, employer: v.employer });
    await tx
      .update(experts)
      .set({ declaredRelations: v.declaredRelations, pastEmployers: v.pastEmployers, available: v.available, suspendedUntil: v.suspendedUntil })
      .where(eq(experts.userId, user.id));
    return user;
  });
}
