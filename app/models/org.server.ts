import { and, asc, eq } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type Org } from "~/utils/db.server";
import { appendAudit, type Actor } from "./audit.server";
import { DomainError } from "./errors";

const { orgs } = schema;

/** Which kind of organisation sits under which. Companies stand on their own. */
const PARENT_KIND: Record<Org["kind"], Org["kind"] | null> = {
  county: null,
  township: "county",
  village: "township",
  company: null,
  agency: "township",
  village_company: "village",
};

export async function createOrg(
  db: Db,
  clock: Clock,
  actor: Actor,
  input: { kind: Org["kind"]; name: string; code?: string | null; parentId?: string | null; address?: string | null; countyId?: string | null },
): Promise<Org> {
  return db.transaction(async (tx) => {
    let countyId: string | null = input.kind === "company" ? (input.countyId ?? null) : null;
    let townshipId: string | null = null;
    const parentKind = PARENT_KIND[input.kind];
    if (parentKind) {
      if (!input.parentId) throw new DomainError("errors.orgParentRequired");
      const [parent] = await tx.select().from(orgs).where(eq(orgs.id, input.parentId)).limit(1);
      if (!parent || parent.kind !== parentKind) throw new DomainError("errors.orgParentRequired");
      countyId = parent.kind === "county" ? parent.id : parent.countyId;
      townshipId = parent.kind === "township" ? parent.id : parent.townshipId;
    }
    const [org] = await tx
      .insert(orgs)
      .values({
        kind: input.kind,
        name: input.name,
        code: input.code ?? null,
        address: input.address ?? null,
        parentId: input.parentId ?? null,
        countyId,
        townshipId,
        createdAt: clock.now(),
      })
      .returning();
    await appendAudit(tx, clock, actor, {
      action: "org.create",
      objectType: "org",
      objectId: org.id,
      countyId: org.kind === "county" ? org.id : org.countyId,
      townshipId: org.kind === "township" ? org.id : org.townshipId,
      after: { kind: org.kind, name: org.name, code: org.code },
    });
    return org;
  });
}

export async function getOrg(db: Db, id: string): Promise<Org | null> {
  const [org] = await db.select().from(orgs).where(eq(orgs.id, id)).limit(1);
  return org ?? null;
}

export async function listChildren(db: Db, parentId: string): Promise<Org[]> {
  return db.select().from(orgs).where(eq(orgs.parentId, parentId)).orderBy(asc(orgs.code), asc(orgs.name));
}

export async function listCounties(db: Db): Promise<Org[]> {
  return db.select().from(orgs).where(eq(orgs.kind, "county")).orderBy(asc(orgs.name));
}

export async function listOrgsInCounty(db: Db, countyId: string, kind: Org["kind"]): Promise<Org[]> {
  return db
    .select()
    .from(orgs)
    .where(and(eq(orgs.countyId, countyId), eq(orgs.kind, kind)))
    .orderBy(asc(orgs.name));
}

/** The county an organisation answers to (itself for a county). */
export function countyOf(org: Org): string | null {
  return org.kind === "county" ? org.id : org.countyId;
}

/** The township an organisation answers to (itself for a township). */
export function townshipOf(org: Org): string | null {
  return org.kind === "township" ? org.id : org.townshipId;
}
