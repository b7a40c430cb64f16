import { and, asc, eq } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { pgErrorCode, schema, type Db, type MemberRole, type Membership, type Org } from "~/utils/db.server";
import { appendAudit, type Actor } from "./audit.server";
import { DomainError } from "./errors";
import { dummyPasswordHash, hashPassword, PASSWORD_MIN_LENGTH, verifyPassword } from "./password.server";

const { users, memberships, orgs, experts } = schema;

export async function createUser(db: Db, clock: Clock, actor: Actor, input: { phone: string; name: string; password: string; locale?: string }) {
  if (input.password.length < PASSWORD_MIN_LENGTH) throw new DomainError("errors.passwordTooShort");
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ phone: input.phone, name: input.name, passwordHash, locale: input.locale ?? "zh-CN", createdAt: clock.now() })
        .returning();
      await appendAudit(tx, clock, actor, {
        action: "user.create",
        objectType: "user",
        objectId: user.id,
        after: { name: user.name, phone: user.phone },
      });
      return user;
    });
  } catch (e) {
    if (pgErrorCode(e) === "23505") throw new DomainError("errors.phoneTaken");
    throw e;
  }
}

/** Check a phone + password pair. Unknown phones cost the same time as wrong passwords. */
export async function authenticateWithPassword(db: Db, phone: string, password: string) {
  const [user] = await db.select().from(users).where(eq(users.phone, phone)).limit(1);
  if (!user) {
    await verifyPassword(password, await dummyPasswordHash());
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}

export async function getUser(db: Db, userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return user ?? null;
}

/** 大字模式: remember the user's choice of larger text (shown on every page they open, on any device). */
export async function setLargeText(db: Db, clock: Clock, actor: Actor & { userId: string }, on: boolean) {
  await db.transaction(async (tx) => {
    const [before] = await tx.select({ largeText: users.largeText }).from(users).where(eq(users.id, actor.userId)).for("update");
    if (!before) throw new DomainError("errors.notFound", { status: 404 });
    if (before.largeText === on) return;
    await tx.update(users).set({ largeText: on }).where(eq(users.id, actor.userId));
    await appendAudit(tx, clock, actor, {
      action: "user.large_text",
      objectType: "user",
      objectId: actor.userId,
      before: { largeText: before.largeText },
      after: { largeText: on },
    });
  });
}

export type MembershipWithOrg = Membership & { org: Org };

export async function listMemberships(db: Db, userId: string): Promise<MembershipWithOrg[]> {
  const rows = await db
    .select({ m: memberships, org: orgs })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(memberships.role));
  return rows.map((r) => ({ ...r.m, org: r.org }));
}

export async function grantRole(db: Db, clock: Clock, actor: Actor, input: { userId: string; orgId: string; role: MemberRole }) {
  return db.transaction(async (tx) => {
    const [org] = await tx.select().from(orgs).where(eq(orgs.id, input.orgId)).limit(1);
    if (!org) throw new DomainError("errors.notFound");
    const allowed: Record<MemberRole, Org["kind"][]> = {
      county_admin: ["county"],
      expert: ["county"],
      supervisor: ["township"],
      committee: ["village"],
      contractor: ["company"],
      agent: ["agency", "village_company"],
    };
    if (!allowed[input.role].includes(org.kind)) throw new DomainError("errors.roleOrgMismatch");
    const [membership] = await tx
      .insert(memberships)
      .values({ ...input, createdAt: clock.now() })
      .onConflictDoNothing()
      .returning();
    if (membership) {
      await appendAudit(tx, clock, actor, {
        action: "membership.grant",
        objectType: "membership",
        objectId: membership.id,
        countyId: org.kind === "county" ? org.id : org.countyId,
        townshipId: org.kind === "township" ? org.id : org.townshipId,
        after: { userId: input.userId, orgId: org.id, role: input.role },
      });
    }
    return (
      membership ??
      (
        await tx
          .select()
          .from(memberships)
          .where(and(eq(memberships.userId, input.userId), eq(memberships.orgId, input.orgId), eq(memberships.role, input.role)))
      )[0]
    );
  });
}

export async function registerExpert(db: Db, clock: Clock, actor: Actor, input: { userId: string; countyId: string; specialties: string[]; employer: string }) {
  return db.transaction(async (tx) => {
    await grantRole(tx, clock, actor, { userId: input.userId, orgId: input.countyId, role: "expert" });
    const [expert] = await tx
      .insert(experts)
      .values({ ...input, createdAt: clock.now() })
      .returning();
    await appendAudit(tx, clock, actor, {
      action: "expert.register",
      objectType: "expert",
      objectId: input.userId,
      countyId: input.countyId,
      after: { specialties: input.specialties, employer: input.employer },
    });
    return expert;
  });
}
