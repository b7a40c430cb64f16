/**
 * Contractor companies (issue 4, first part): registration, profile,
 * qualification certificates, project managers, and the townships'
 * candidate pools (备选库). Every change is one transaction with its audit row.
 * Uploaded scans are already in the file store when these functions run
 * (app/utils/uploads.server.ts); here they only get their `files` row.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { pgErrorCode, schema, type Db, type Org } from "~/utils/db.server";
import { beijingDay } from "~/utils/time";
import { appendAudit, type Actor } from "./audit.server";
import {
  companyProfileSchema,
  companySignUpSchema,
  expiryFlag,
  memberSchema,
  poolReasonSchema,
  projectManagerSchema,
  qualificationSchema,
  type CompanyProfileInput,
  type ProjectManagerInput,
  type QualificationInput,
} from "./company-rules";
import { DomainError } from "./errors";
import { insertPoolMembership, transition } from "./lifecycle.server";
import { createOrg } from "./org.server";
import { createUser, grantRole } from "./user.server";

const { orgs, files, companyProfiles, companyQualifications, projectManagers, poolMemberships, users, memberships } = schema;

/** A scan already in the file store. */
export interface StoredScan {
  sha256: string;
  size: number;
  name: string;
}

/** Turn the first zod issue into a DomainError tied to its field. */
function parseOr<T>(
  schemaLike: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } },
  value: unknown,
): T {
  const r = schemaLike.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new DomainError(issue.message, { field: issue.path.length ? String(issue.path[0]) : undefined });
}

async function recordFile(tx: Db, clock: Clock, file: StoredScan) {
  await tx.insert(files).values({ sha256: file.sha256, size: file.size, mime: "application/pdf", createdAt: clock.now() }).onConflictDoNothing();
}

async function companyOrg(db: Db, companyId: string): Promise<Org & { countyId: string }> {
  const [org] = await db.select().from(orgs).where(eq(orgs.id, companyId));
  if (!org || org.kind !== "company" || !org.countyId) throw new DomainError("errors.notFound", { status: 404 });
  return org as Org & { countyId: string };
}

function profileSummary(org: Pick<Org, "name" | "code" | "address">, p: Omit<CompanyProfileInput, "address">) {
  // The bank account is evidence for collusion checks later; the audit keeps it whole, like the profile.
  return {
    name: org.name,
    code: org.code,
    address: org.address,
    legalRepresentative: p.legalRepresentative,
    contactName: p.contactName,
    contactPhone: p.contactPhone,
    bankName: p.bankName,
    bankAccount: p.bankAccount,
    bankAccountName: p.bankAccountName,
  };
}

/** The clear refusal for a code some company already holds. */
async function refuseTakenCode(db: Db, code: string) {
  const [taken] = await db
    .select({ id: orgs.id })
    .from(orgs)
    .where(and(eq(orgs.kind, "company"), eq(orgs.code, code)));
  if (taken) throw new DomainError("errors.company.codeTaken", { field: "code" });
}

export interface RegisterCompanyInput {
  /** Raw form values; validated here with companySignUpSchema. */
  fields: Record<string, unknown>;
  qualification: { fields: Record<string, unknown>; file?: StoredScan };
  projectManager?: { fields: Record<string, unknown>; file?: StoredScan };
}

/**
 * A new contractor signs up: user, company, contractor role, profile, first
 * qualification (and project manager) in one transaction, so a refusal at any
 * step leaves nothing behind.
 */
export async function registerCompany(db: Db, clock: Clock, actor: Actor, input: RegisterCompanyInput) {
  const v = parseOr(companySignUpSchema, input.fields);
  const q = parseOr(qualificationSchema, input.qualification.fields);
  if (!input.qualification.file) throw new DomainError("errors.company.fileMissing", { field: "qualFile" });
  const pm = input.projectManager ? parseOr(projectManagerSchema, input.projectManager.fields) : null;
  try {
    return await db.transaction(async (tx) => {
      const [county] = await tx
        .select()
        .from(orgs)
        .where(and(eq(orgs.id, v.countyId), eq(orgs.kind, "county")));
      if (!county) throw new DomainError("errors.company.county", { field: "countyId" });
      await refuseTakenCode(tx, v.code);
      const user = await createUser(tx, clock, actor, { phone: v.phone, name: v.userName, password: v.password }).catch((e) => {
        if (e instanceof DomainError && e.key === "errors.phoneTaken") throw new DomainError(e.key, { field: "phone" });
        throw e;
      });
      // From here on the new user is the one acting.
      const self: Actor = { ...actor, userId: user.id, role: "contractor" };
      const org = await createOrg(tx, clock, self, { kind: "company", name: v.name, code: v.code, address: v.address, countyId: county.id });
      await grantRole(tx, clock, self, { userId: user.id, orgId: org.id, role: "contractor" });
      await insertProfile(tx, clock, self, org, v);
      await insertQualification(tx, clock, self, org, q, input.qualification.file!);
      if (pm) await insertProjectManager(tx, clock, self, org, pm, input.projectManager?.file);
      return { user, company: org };
    });
  } catch (e) {
    // Two sign-ups with one code at the same instant: the unique index decides.
    if (pgErrorCode(e) === "23505") throw new DomainError("errors.company.codeTaken", { field: "code" });
    throw e;
  }
}

async function insertProfile(tx: Db, clock: Clock, actor: Actor, org: Org, v: CompanyProfileInput) {
  const { address: _address, ...profile } = v;
  await tx.insert(companyProfiles).values({
    orgId: org.id,
    legalRepresentative: profile.legalRepresentative,
    contactName: profile.contactName,
    contactPhone: profile.contactPhone,
    bankName: profile.bankName,
    bankAccount: profile.bankAccount,
    bankAccountName: profile.bankAccountName,
    createdAt: clock.now(),
    updatedAt: clock.now(),
  });
  await appendAudit(tx, clock, actor, {
    action: "company.profile",
    objectType: "org",
    objectId: org.id,
    countyId: org.countyId,
    after: profileSummary(org, profile),
  });
}

export async function updateCompanyProfile(db: Db, { clock, actor, companyId, fields }: { clock: Clock; actor: Actor; companyId: string; fields: Record<string, unknown> }) {
  const v = parseOr(companyProfileSchema, fields);
  return db.transaction(async (tx) => {
    // Lock the profile: two editors at once would otherwise both audit the same "before".
    const [before] = await tx.select().from(companyProfiles).where(eq(companyProfiles.orgId, companyId)).for("update");
    const org = await companyOrg(tx, companyId);
    if (!before) throw new DomainError("errors.notFound", { status: 404 });
    const [after] = await tx.update(orgs).set({ address: v.address }).where(eq(orgs.id, org.id)).returning();
    const { address: _address, ...profile } = v;
    await tx
      .update(companyProfiles)
      .set({ ...profile, updatedAt: clock.now() })
      .where(eq(companyProfiles.orgId, companyId));
    await appendAudit(tx, clock, actor, {
      action: "company.profile_update",
      objectType: "org",
      objectId: org.id,
      countyId: org.countyId,
      before: profileSummary(org, before),
      after: profileSummary(after, profile),
    });
  });
}

async function insertQualification(tx: Db, clock: Clock, actor: Actor, org: Org, q: QualificationInput, file: StoredScan) {
  await recordFile(tx, clock, file);
  const [row] = await tx
    .insert(companyQualifications)
    .values({ companyId: org.id, name: q.qualName, certificateNumber: q.qualNumber, expiresOn: q.qualExpiry, fileSha256: file.sha256, fileName: file.name, createdAt: clock.now() })
    .returning();
  await appendAudit(tx, clock, actor, {
    action: "company.qualification_add",
    objectType: "company_qualification",
    objectId: row.id,
    countyId: org.countyId,
    after: { companyId: org.id, name: row.name, certificateNumber: row.certificateNumber, expiresOn: row.expiresOn, fileSha256: row.fileSha256 },
  });
  return row;
}

export async function addQualification(
  db: Db,
  { clock, actor, companyId, fields, file }: { clock: Clock; actor: Actor; companyId: string; fields: Record<string, unknown>; file: StoredScan | undefined },
) {
  const q = parseOr(qualificationSchema, fields);
  if (!file) throw new DomainError("errors.company.fileMissing", { field: "qualFile" });
  return db.transaction(async (tx) => insertQualification(tx, clock, actor, await companyOrg(tx, companyId), q, file));
}

export async function removeQualification(db: Db, { clock, actor, companyId, qualificationId }: { clock: Clock; actor: Actor; companyId: string; qualificationId: string }) {
  return softRemove(db, clock, actor, companyId, companyQualifications, qualificationId, (row) => ({
    action: "company.qualification_remove",
    objectType: "company_qualification",
    before: { name: row.name, certificateNumber: row.certificateNumber, expiresOn: row.expiresOn },
  }));
}

async function insertProjectManager(tx: Db, clock: Clock, actor: Actor, org: Org, pm: ProjectManagerInput, file?: StoredScan) {
  const [dup] = await tx
    .select({ id: projectManagers.id })
    .from(projectManagers)
    .where(and(eq(projectManagers.companyId, org.id), eq(projectManagers.certificateNumber, pm.pmCertificate)));
  if (dup) throw new DomainError("errors.company.pmDuplicate", { field: "pmCertificate" });
  if (file) await recordFile(tx, clock, file);
  const [row] = await tx
    .insert(projectManagers)
    .values({ companyId: org.id, name: pm.pmName, certificateNumber: pm.pmCertificate, fileSha256: file?.sha256 ?? null, fileName: file?.name ?? null, createdAt: clock.now() })
    .returning();
  await appendAudit(tx, clock, actor, {
    action: "company.manager_add",
    objectType: "project_manager",
    objectId: row.id,
    countyId: org.countyId,
    after: { companyId: org.id, name: row.name, certificateNumber: row.certificateNumber, fileSha256: row.fileSha256 },
  });
  return row;
}

export async function addProjectManager(
  db: Db,
  { clock, actor, companyId, fields, file }: { clock: Clock; actor: Actor; companyId: string; fields: Record<string, unknown>; file?: StoredScan },
) {
  const pm = parseOr(projectManagerSchema, fields);
  return db.transaction(async (tx) => insertProjectManager(tx, clock, actor, await companyOrg(tx, companyId), pm, file));
}

export async function removeProjectManager(db: Db, { clock, actor, companyId, managerId }: { clock: Clock; actor: Actor; companyId: string; managerId: string }) {
  return softRemove(db, clock, actor, companyId, projectManagers, managerId, (row) => ({
    action: "company.manager_remove",
    objectType: "project_manager",
    before: { name: row.name, certificateNumber: row.certificateNumber },
  }));
}

/**
 * Mark one of the company's certificates or managers removed (kept, so later
 * bids can still refer to it), audited. Ownership is in the where clause:
 * another company's row is simply not found.
 */
async function softRemove<T extends typeof companyQualifications | typeof projectManagers>(
  db: Db,
  clock: Clock,
  actor: Actor,
  companyId: string,
  table: T,
  id: string,
  describe: (row: T["$inferSelect"]) => { action: string; objectType: string; before: Record<string, unknown> },
) {
  return db.transaction(async (tx) => {
    const org = await companyOrg(tx, companyId);
    const t = table as typeof companyQualifications; // both tables share id, companyId and removedAt
    const [row] = await tx
      .update(t)
      .set({ removedAt: clock.now() })
      .where(and(eq(t.id, id), eq(t.companyId, org.id), isNull(t.removedAt)))
      .returning();
    if (!row) throw new DomainError("errors.notFound", { status: 404 });
    const d = describe(row as T["$inferSelect"]);
    await appendAudit(tx, clock, actor, {
      action: d.action,
      objectType: d.objectType,
      objectId: row.id,
      countyId: org.countyId,
      before: { companyId: org.id, ...d.before },
      after: { removed: true },
    });
  });
}

/** Apply (or re-apply after a rejection or withdrawal) to a township of the company's own county. */
// ── Members ────────────────────────────────────────────────────────────

/** The company's people: everyone who acts for it as a contractor. */
export async function listCompanyMembers(db: Db, companyId: string) {
  return db
    .select({ userId: users.id, name: users.name, phone: users.phone, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, companyId), eq(memberships.role, "contractor")))
    .orderBy(asc(memberships.createdAt));
}

/**
 * A member adds a colleague with a first password (to be changed): a new
 * account acting for the same company. Bids can then be sealed to the
 * colleague's passkeys as well, so the opening does not hang on one person.
 */
export async function addCompanyMember(db: Db, { clock, actor, companyId, fields }: { clock: Clock; actor: Actor; companyId: string; fields: Record<string, unknown> }) {
  const v = parseOr(memberSchema, fields);
  return db.transaction(async (tx) => {
    const user = await createUser(tx, clock, actor, { phone: v.memberPhone, name: v.memberName, password: v.memberPassword }).catch((e) => {
      if (e instanceof DomainError && e.key === "errors.phoneTaken") throw new DomainError(e.key, { field: "memberPhone" });
      throw e;
    });
    await grantRole(tx, clock, actor, { userId: user.id, orgId: companyId, role: "contractor" });
    return user;
  });
}

/** Take a colleague off the company's account (never oneself, so a company always keeps a member). */
export async function removeCompanyMember(db: Db, { clock, actor, companyId, userId }: { clock: Clock; actor: Actor; companyId: string; userId: string }) {
  if (userId === actor.userId) throw new DomainError("errors.company.removeSelf", { status: 409 });
  await db.transaction(async (tx) => {
    const gone = await tx
      .delete(memberships)
      .where(and(eq(memberships.orgId, companyId), eq(memberships.userId, userId), eq(memberships.role, "contractor")))
      .returning();
    if (gone.length === 0) throw new DomainError("errors.notFound", { status: 404 });
    const [org] = await tx.select().from(orgs).where(eq(orgs.id, companyId));
    await appendAudit(tx, clock, actor, {
      action: "membership.revoke",
      objectType: "membership",
      objectId: gone[0].id,
      countyId: org?.countyId ?? null,
      before: { userId, orgId: companyId, role: "contractor" },
    });
  });
}

export async function applyToPool(db: Db, { clock, actor, companyId, townshipId }: { clock: Clock; actor: Actor; companyId: string; townshipId: string }) {
  return db.transaction(async (tx) => {
    const org = await companyOrg(tx, companyId);
    const [township] = await tx.select().from(orgs).where(eq(orgs.id, townshipId));
    if (!township || township.kind !== "township" || township.countyId !== org.countyId) throw new DomainError("errors.company.townshipNotInCounty", { field: "townshipId" });
    const [existing] = await tx
      .select()
      .from(poolMemberships)
      .where(and(eq(poolMemberships.companyId, org.id), eq(poolMemberships.townshipId, township.id)))
      .for("update");
    if (existing && (existing.status === "pending" || existing.status === "admitted")) throw new DomainError("errors.company.alreadyApplied", { field: "townshipId" });
    const values = { reason: null, appliedAt: clock.now(), decidedBy: null, decidedAt: null };
    const applied = (row: typeof poolMemberships.$inferSelect) => ({
      action: "pool.apply",
      objectType: "pool_membership",
      objectId: row.id,
      before: existing ? { status: existing.status, reason: existing.reason } : undefined,
      after: { companyId: org.id, status: row.status },
    });
    // Applying again (after a rejection or a withdrawal) reuses the row: the same membership, pending again.
    if (existing) {
      const { after } = await transition(tx, { lifecycle: "pool_membership", clock, actor, id: existing.id, action: "reapply", set: values, audit: ({ after }) => applied(after) });
      return after;
    }
    const row = await insertPoolMembership(tx, { companyId: org.id, townshipId: township.id, ...values });
    await appendAudit(tx, clock, actor, { ...applied(row), countyId: org.countyId, townshipId: township.id });
    return row;
  });
}

/** The company takes back a pending application or leaves a pool. */
export async function withdrawFromPool(db: Db, { clock, actor, companyId, membershipId }: { clock: Clock; actor: Actor; companyId: string; membershipId: string }) {
  return db.transaction(async (tx) => {
    const [m] = await tx
      .select()
      .from(poolMemberships)
      .where(and(eq(poolMemberships.id, membershipId), eq(poolMemberships.companyId, companyId)))
      .for("update");
    if (!m) throw new DomainError("errors.notFound", { status: 404 });
    if (m.status !== "pending" && m.status !== "admitted") throw new DomainError("errors.company.notWithdrawable");
    const { after: row } = await transition(tx, {
      lifecycle: "pool_membership",
      clock,
      actor,
      id: m.id,
      action: "withdraw",
      expectFrom: [m.status],
      audit: ({ after }) => ({ action: "pool.withdraw", objectType: "pool_membership", objectId: m.id, before: { status: m.status }, after: { status: after.status } }),
    });
    return row;
  });
}

export async function getPoolMembership(db: Db, membershipId: string) {
  const [m] = await db.select().from(poolMemberships).where(eq(poolMemberships.id, membershipId));
  return m ?? null;
}

/**
 * The township's supervisor admits a pending application or rejects it with
 * a reason. The row is locked so two supervisors' clicks cannot both decide.
 */
export async function decidePoolApplication(
  db: Db,
  clock: Clock,
  actor: Actor,
  input: { membershipId: string; supervisorTownshipId: string; decision: "admit" | "reject"; reason?: string },
) {
  let reason: string | null = null;
  if (input.decision === "reject") {
    const r = poolReasonSchema.safeParse(input.reason ?? "");
    if (!r.success) throw new DomainError("errors.company.reasonRequired", { field: "reason" });
    reason = r.data;
  }
  return db.transaction(async (tx) => {
    const [m] = await tx.select().from(poolMemberships).where(eq(poolMemberships.id, input.membershipId)).for("update");
    if (!m) throw new DomainError("errors.notFound", { status: 404 });
    if (m.townshipId !== input.supervisorTownshipId) throw new DomainError("errors.forbidden", { status: 403 });
    if (m.status !== "pending") throw new DomainError("errors.company.notPending");
    const { after: row } = await transition(tx, {
      lifecycle: "pool_membership",
      clock,
      actor,
      id: m.id,
      action: input.decision,
      expectFrom: ["pending"],
      set: { reason, decidedBy: actor.userId, decidedAt: clock.now() },
      audit: ({ after }) => ({
        action: input.decision === "admit" ? "pool.admit" : "pool.reject",
        objectType: "pool_membership",
        objectId: m.id,
        before: { status: m.status },
        after: { companyId: m.companyId, status: after.status, reason },
      }),
    });
    return row;
  });
}

export interface QualificationView {
  id: string;
  name: string;
  certificateNumber: string;
  expiresOn: string;
  fileSha256: string;
  fileName: string;
  flag: ReturnType<typeof expiryFlag>;
}

async function activeQualifications(db: Db, companyId: string) {
  return db
    .select()
    .from(companyQualifications)
    .where(and(eq(companyQualifications.companyId, companyId), isNull(companyQualifications.removedAt)))
    .orderBy(asc(companyQualifications.expiresOn));
}

/** Everything the company page shows. */
export async function getCompany(db: Db, companyId: string, asOf: Date) {
  const org = await companyOrg(db, companyId);
  const today = beijingDay(asOf);
  const [profile] = await db.select().from(companyProfiles).where(eq(companyProfiles.orgId, org.id));
  const qualifications: QualificationView[] = (await activeQualifications(db, org.id)).map((q) => ({
    id: q.id,
    name: q.name,
    certificateNumber: q.certificateNumber,
    expiresOn: q.expiresOn,
    fileSha256: q.fileSha256,
    fileName: q.fileName,
    flag: expiryFlag(q.expiresOn, today),
  }));
  const managers = await db
    .select()
    .from(projectManagers)
    .where(and(eq(projectManagers.companyId, org.id), isNull(projectManagers.removedAt)))
    .orderBy(asc(projectManagers.createdAt));
  const applications = await db
    .select({ m: poolMemberships, township: orgs.name })
    .from(poolMemberships)
    .innerJoin(orgs, eq(orgs.id, poolMemberships.townshipId))
    .where(eq(poolMemberships.companyId, org.id))
    .orderBy(asc(orgs.code));
  const townships = await db
    .select({ id: orgs.id, name: orgs.name })
    .from(orgs)
    .where(and(eq(orgs.countyId, org.countyId), eq(orgs.kind, "township")))
    .orderBy(asc(orgs.code));
  return { org, profile: profile ?? null, qualifications, managers, applications: applications.map((a) => ({ ...a.m, township: a.township })), townships };
}

/** A township's pool (or, with countyId, every township of a county): applications with their companies' certificate flags. */
export async function listPool(db: Db, scope: { townshipId: string } | { countyId: string }, asOf: Date) {
  const today = beijingDay(asOf);
  const township = schema.orgs;
  const rows = await db
    .select({ m: poolMemberships, company: { id: orgs.id, name: orgs.name, code: orgs.code, address: orgs.address } })
    .from(poolMemberships)
    .innerJoin(orgs, eq(orgs.id, poolMemberships.companyId))
    .where("townshipId" in scope ? eq(poolMemberships.townshipId, scope.townshipId) : undefined)
    .orderBy(asc(poolMemberships.appliedAt));
  const townshipNames = new Map(
    (await db.select({ id: township.id, name: township.name, countyId: township.countyId }).from(township).where(eq(township.kind, "township"))).map((t) => [t.id, t]),
  );
  const result = [];
  for (const r of rows) {
    const t = townshipNames.get(r.m.townshipId);
    if ("countyId" in scope && t?.countyId !== scope.countyId) continue;
    const quals = (await activeQualifications(db, r.company.id)).map((q) => ({
      id: q.id,
      name: q.name,
      certificateNumber: q.certificateNumber,
      expiresOn: q.expiresOn,
      fileSha256: q.fileSha256,
      fileName: q.fileName,
      flag: expiryFlag(q.expiresOn, today),
    }));
    const [profile] = await db.select().from(companyProfiles).where(eq(companyProfiles.orgId, r.company.id));
    const decider = r.m.decidedBy ? ((await db.select({ name: users.name }).from(users).where(eq(users.id, r.m.decidedBy)))[0]?.name ?? null) : null;
    result.push({ ...r.m, township: t?.name ?? "", company: r.company, profile: profile ?? null, qualifications: quals, decidedByName: decider });
  }
  return result;
}

export type EligibilityProblem = "errors.company.notInPool" | "errors.company.noValidQualification" | "errors.company.qualificationExpired";

/**
 * May this company bid in this township on this instant? The bidding code
 * calls it; each problem is a translation key. An expired certificate blocks
 * bidding even beside valid ones: the company must renew or remove it.
 */
export async function biddingEligibility(db: Db, companyId: string, townshipId: string, asOf: Date): Promise<{ ok: boolean; problems: EligibilityProblem[] }> {
  const problems: EligibilityProblem[] = [];
  const today = beijingDay(asOf);
  const [m] = await db
    .select({ status: poolMemberships.status })
    .from(poolMemberships)
    .where(and(eq(poolMemberships.companyId, companyId), eq(poolMemberships.townshipId, townshipId)));
  if (m?.status !== "admitted") problems.push("errors.company.notInPool");
  const quals = await activeQualifications(db, companyId);
  if (!quals.some((q) => expiryFlag(q.expiresOn, today) !== "expired")) problems.push("errors.company.noValidQualification");
  if (quals.some((q) => expiryFlag(q.expiresOn, today) === "expired")) problems.push("errors.company.qualificationExpired");
  return { ok: problems.length === 0, problems };
}

/** Whether a scan belongs to a company the viewer may see (the company itself, or a supervisor/admin where it applied). */
export async function companyFile(db: Db, companyId: string, sha256: string) {
  const [q] = await db
    .select({ name: companyQualifications.fileName })
    .from(companyQualifications)
    .where(and(eq(companyQualifications.companyId, companyId), eq(companyQualifications.fileSha256, sha256)));
  if (q) return q.name;
  const [pm] = await db
    .select({ name: projectManagers.fileName })
    .from(projectManagers)
    .where(and(eq(projectManagers.companyId, companyId), eq(projectManagers.fileSha256, sha256)));
  return pm?.name ?? null;
}

/** May this role in this org read this company's record? */
export async function canReadCompany(
  db: Db,
  { companyId, role, orgId, orgCountyId }: { companyId: string; role: string; orgId: string; orgCountyId: string | null },
): Promise<boolean> {
  if (role === "contractor") return orgId === companyId;
  const org = await companyOrg(db, companyId).catch(() => null);
  if (!org) return false;
  if (role === "county_admin") return org.countyId === orgId;
  if (role === "supervisor") {
    const [m] = await db
      .select({ id: poolMemberships.id })
      .from(poolMemberships)
      .where(and(eq(poolMemberships.companyId, companyId), eq(poolMemberships.townshipId, orgId)));
    return Boolean(m) && org.countyId === orgCountyId;
  }
  return false;
}
