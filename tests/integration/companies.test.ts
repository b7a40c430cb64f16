// Contractor companies and the townships' candidate pools — through the real routes, as each role.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { biddingEligibility } from "~/models/company.server";
import { authenticateWithPassword } from "~/models/user.server";
import * as fileRoute from "~/routes/companies.$id.files.$sha";
import * as companyRoute from "~/routes/company";
import * as poolRoute from "~/routes/pool";
import * as registerRoute from "~/routes/register.company";
import { schema } from "~/utils/db.server";
import { creditCodeCheckChar } from "~/utils/credit-code";
import type { Database } from "../../db/client";
import { cookieFor, demoCookies, DEMO, get, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let c: Record<keyof typeof DEMO, string>;
let county: string;

const PDF = (label: string) => new File([`%PDF-1.4\n% ${label}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`], `${label}.pdf`, { type: "application/pdf" });
/** A valid code: any 17 well-formed characters plus the computed check character. */
const validCode = (body: string) => body + creditCodeCheckChar(body);
const NEW_CODE = validCode("91330781MA2F0K1P9");

function signUpForm(overrides: Record<string, string | File | null> = {}): FormData {
  const fields: Record<string, string | File | null> = {
    name: "青山县新盛建筑工程有限公司",
    code: NEW_CODE,
    countyId: county,
    legalRepresentative: "钱新盛",
    address: "青山县青山镇新街 1 号",
    contactName: "钱小明",
    contactPhone: "138 5790 0999",
    bankName: "浙江青山农村商业银行青山支行",
    bankAccount: "2010 0033 0781 9999",
    bankAccountName: "青山县新盛建筑工程有限公司",
    userName: "钱小明",
    phone: "13857900999",
    password: "a-long-password",
    qualName: "建筑工程施工总承包三级",
    qualNumber: "D333078199",
    qualExpiry: "2028-06-30",
    qualFile: PDF("qualification"),
    pmName: "钱大伟",
    pmCertificate: "浙2332000001",
    ...overrides,
  };
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== null) f.append(k, v);
  return f;
}

function multipart(path: string, form: FormData, cookie?: string) {
  return new Request(new URL(path, ORIGIN), { method: "POST", body: form, headers: { Origin: ORIGIN, ...(cookie ? { Cookie: cookie } : {}) } });
}

const orgId = async (name: string) => (await database.db.select().from(schema.orgs).where(eq(schema.orgs.name, name)))[0].id;
const companyByCode = async (code: string) =>
  (
    await database.db
      .select()
      .from(schema.orgs)
      .where(and(eq(schema.orgs.kind, "company"), eq(schema.orgs.code, code)))
  )[0];

async function counts() {
  const [row] = await database.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM orgs) AS orgs, (SELECT count(*)::int FROM memberships) AS memberships,
            (SELECT count(*)::int FROM company_profiles) AS profiles, (SELECT count(*)::int FROM company_qualifications) AS quals,
            (SELECT count(*)::int FROM project_managers) AS managers, (SELECT count(*)::int FROM audit_log) AS audit`,
  );
  return row;
}

const companyAction = (fields: Record<string, string>, cookie: string) => run(companyRoute.action, post("/company", fields, cookie), ctx).then(unwrap);
const poolAction = (fields: Record<string, string>, cookie: string) => run(poolRoute.action, post("/pool", fields, cookie), ctx).then(unwrap);
const auditActions = async (objectId: string) =>
  await database.query<{ action: string; summary: { before?: unknown; after?: unknown } }>("SELECT action, summary FROM audit_log WHERE object_id = $1 ORDER BY id", [objectId]);

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database); // 2026-11-20 10:00 Beijing; the demo was loaded on 2026-11-02
  c = await demoCookies(ctx);
  county = (await database.db.select().from(schema.orgs).where(eq(schema.orgs.name, "青山县")))[0].id;
});
afterAll(async () => {
  await database?.close();
});

describe("the demo contractors", () => {
  it("have valid codes, profiles, certificates with flags, and 青山镇's pool as described", async () => {
    const companies = await database.db.select().from(schema.orgs).where(eq(schema.orgs.kind, "company"));
    expect(companies).toHaveLength(8);
    for (const co of companies) expect(validCode(co.code!.slice(0, 17))).toBe(co.code);
    const pool = unwrap(await run(poolRoute.loader, get("/pool", c.supervisorA), ctx)).data;
    expect(pool.canDecide).toBe(true);
    expect(pool.rows.map((r: { status: string }) => r.status).sort()).toEqual(["admitted", "admitted", "admitted", "admitted", "admitted", "admitted", "pending", "rejected"]);
    expect(pool.rows.find((r: { status: string }) => r.status === "rejected").reason.length).toBeGreaterThan(4);
    // Contractor 2 (phone …11) has a certificate expiring within 30 days; contractor 3 an expired one.
    const second = unwrap(await run(companyRoute.loader, get("/company", c.contractor2), ctx)).data;
    expect(second.qualifications.map((q: { flag: string }) => q.flag)).toEqual(["expiringSoon"]);
    expect(second.managers).toHaveLength(1);
    expect(second.profile.bankAccount).toMatch(/^\d{8,30}$/);
    const third = unwrap(await run(companyRoute.loader, get("/company", await cookieFor(ctx, "13900000012")), ctx)).data;
    expect(third.qualifications.map((q: { flag: string }) => q.flag)).toEqual(["expired", "valid"]);
  });
});

describe("signing up a company", () => {
  it("creates the user, company, role, profile, certificate and manager, audited, and signs in", async () => {
    const before = await counts();
    const res = (await run(registerRoute.action, multipart("/register/company", signUpForm({ code: ` ${NEW_CODE.toLowerCase()} ` })), ctx)) as Response;
    expect(res.status, JSON.stringify(unwrap(res).data)).toBe(302);
    expect(res.headers.get("Location")).toBe("/company?registered=1");
    const cookie = res.headers.get("Set-Cookie")!.split(";")[0];
    const page = unwrap(await run(companyRoute.loader, get("/company", cookie), ctx)).data;
    expect(page.company).toMatchObject({ name: "青山县新盛建筑工程有限公司", code: NEW_CODE, address: "青山县青山镇新街 1 号" });
    expect(page.profile).toMatchObject({ contactPhone: "13857900999", bankAccount: "2010003307819999" });
    expect(page.qualifications).toMatchObject([{ name: "建筑工程施工总承包三级", expiresOn: "2028-06-30", flag: "valid" }]);
    expect(page.managers).toMatchObject([{ name: "钱大伟", certificateNumber: "浙2332000001" }]);
    const after = await counts();
    expect(after.users - before.users).toBe(1);
    expect(after.orgs - before.orgs).toBe(1);
    expect(after.profiles - before.profiles).toBe(1);
    expect(after.quals - before.quals).toBe(1);
    expect(after.managers - before.managers).toBe(1);
    const company = await companyByCode(NEW_CODE);
    expect((await auditActions(company.id)).map((a) => a.action)).toEqual(["org.create", "company.profile"]);
    const [qual] = await database.db.select().from(schema.companyQualifications).where(eq(schema.companyQualifications.companyId, company.id));
    expect((await auditActions(qual.id)).map((a) => a.action)).toEqual(["company.qualification_add"]);
    // The scan opens for the company itself, not for another contractor.
    const own = (await run(fileRoute.loader, get(`/companies/${company.id}/files/${qual.fileSha256}`, cookie), ctx, { id: company.id, sha: qual.fileSha256 })) as Response;
    expect(own.status).toBe(200);
    expect((await own.text()).startsWith("%PDF-")).toBe(true);
    const other = (await run(fileRoute.loader, get(`/companies/${company.id}/files/${qual.fileSha256}`, c.contractor1), ctx, { id: company.id, sha: qual.fileSha256 })) as Response;
    expect(other.status).toBe(403);
  });

  const refusals: [string, Record<string, string | File | null>, string, string][] = [
    ["a malformed code", { code: "91330781MA2F0K1PZX" }, "code", "errors.company.codeFormat"],
    ["a wrong check character", { code: NEW_CODE.slice(0, 17) + (NEW_CODE[17] === "0" ? "1" : "0") }, "code", "errors.company.codeCheck"],
    ["a code already registered", { code: "91330781MA2E1A0B1L", phone: "13857900998" }, "code", "errors.company.codeTaken"],
    [
      "a county that is not one",
      { code: validCode("91330781MA2F0K1P8"), phone: "13857900998", countyId: "00000000-0000-4000-8000-000000000000" },
      "countyId",
      "errors.company.county",
    ],
    ["a bad phone", { code: validCode("91330781MA2F0K1P8"), phone: "1385790" }, "phone", "errors.phoneInvalid"],
    ["a phone already registered", { code: validCode("91330781MA2F0K1P8"), phone: DEMO.committeeA1 }, "phone", "errors.phoneTaken"],
    ["a bad contact phone", { code: validCode("91330781MA2F0K1P8"), phone: "13857900998", contactPhone: "0579-1234" }, "contactPhone", "errors.company.contactPhone"],
    ["a short bank account", { code: validCode("91330781MA2F0K1P8"), phone: "13857900998", bankAccount: "1234567" }, "bankAccount", "errors.company.bankAccount"],
    ["an impossible expiry date", { code: validCode("91330781MA2F0K1P8"), phone: "13857900998", qualExpiry: "2027-02-30" }, "qualExpiry", "errors.company.qualExpiry"],
    ["no certificate scan", { code: validCode("91330781MA2F0K1P8"), phone: "13857900998", qualFile: null }, "qualFile", "errors.company.fileMissing"],
    [
      "a scan that is not a PDF",
      { code: validCode("91330781MA2F0K1P8"), phone: "13857900998", qualFile: new File(["GIF89a not a pdf"], "scan.pdf") },
      "qualFile",
      "errors.upload.notPdf",
    ],
    // The manager is optional, but a manager's scan or any of the manager's fields means one is being added.
    [
      "a manager's scan with nobody named",
      { code: validCode("91330781MA2F0K1P8"), phone: "13857900998", pmName: null, pmCertificate: null, pmFile: PDF("manager") },
      "pmName",
      "errors.company.pmName",
    ],
    ["a manager's certificate with no name", { code: validCode("91330781MA2F0K1P8"), phone: "13857900998", pmName: " " }, "pmName", "errors.company.pmName"],
  ];
  for (const [what, overrides, field, key] of refusals) {
    it(`refuses ${what}, writing nothing`, async () => {
      const before = await counts();
      const res = unwrap(await run(registerRoute.action, multipart("/register/company", signUpForm(overrides)), ctx));
      expect(res.status).toBe(400);
      expect(res.data.errors[field]).toBe(key);
      // What was typed comes back, except the password.
      expect(res.data.typed.legalRepresentative).toBe("钱新盛");
      expect(res.data.typed.password).toBeUndefined();
      const after = await counts();
      expect(after).toEqual(before);
    });
  }
});

describe("the sign-up form's errors", () => {
  it("come back all at once: the company's, the certificate's and the manager's", async () => {
    const res = unwrap(await run(registerRoute.action, multipart("/register/company", signUpForm({ name: "x", qualExpiry: "2027-02-30", pmCertificate: "浙" })), ctx));
    expect(res.status).toBe(400);
    expect(res.data.errors).toMatchObject({ name: "errors.company.name", qualExpiry: "errors.company.qualExpiry", pmCertificate: "errors.company.pmCertificate" });
  });
});

describe("the candidate pool", () => {
  let cookie: string;
  let companyId: string;
  let qingshan: string;
  let xikou: string;

  beforeAll(async () => {
    const code = validCode("91330781MA2F1K2Q3");
    const res = (await run(registerRoute.action, multipart("/register/company", signUpForm({ code, phone: "13857900997", name: "青山县池塘水利工程有限公司" })), ctx)) as Response;
    expect(res.status).toBe(302);
    cookie = res.headers.get("Set-Cookie")!.split(";")[0];
    companyId = (await companyByCode(code)).id;
    qingshan = await orgId("青山镇");
    xikou = await orgId("溪口乡");
  });

  it("only admits a company after its township's supervisor decides; others are refused", async () => {
    const applied = await companyAction({ intent: "apply", townshipId: qingshan }, cookie);
    expect(applied.data.done).toBe("company.done.apply");
    expect((await companyAction({ intent: "apply", townshipId: qingshan }, cookie)).data.errors.townshipId).toBe("errors.company.alreadyApplied");
    const [m] = await database.db.select().from(schema.poolMemberships).where(eq(schema.poolMemberships.companyId, companyId));
    expect(m.status).toBe("pending");
    expect((await biddingEligibility(database.db, companyId, qingshan, ctx.clock.now())).problems).toEqual(["errors.company.notInPool"]);

    // Another township's supervisor, the contractor itself, the county admin (read-only): refused.
    expect((await poolAction({ intent: "admit", id: m.id }, c.supervisorB)).status).toBe(403);
    expect((await poolAction({ intent: "admit", id: m.id }, cookie)).status).toBe(403);
    expect((await poolAction({ intent: "admit", id: m.id }, c.countyAdmin)).status).toBe(403);
    expect(unwrap(await run(poolRoute.loader, get("/pool", cookie), ctx)).status).toBe(403);

    // A rejection needs a reason.
    const bare = await poolAction({ intent: "reject", id: m.id, reason: " 不行 " }, c.supervisorA);
    expect(bare.status).toBe(400);
    expect(bare.data.errors.reason).toBe("errors.company.reasonRequired");
    expect((await poolAction({ intent: "reject", id: m.id, reason: "资质证书扫描件不清晰" }, c.supervisorA)).data.done).toBe("pool.done.reject");
    const page = unwrap(await run(companyRoute.loader, get("/company", cookie), ctx)).data;
    expect(page.applications).toMatchObject([{ township: "青山镇", status: "rejected", reason: "资质证书扫描件不清晰" }]);

    // Re-apply, then admitted.
    expect((await companyAction({ intent: "apply", townshipId: qingshan }, cookie)).data.done).toBe("company.done.apply");
    expect((await poolAction({ intent: "admit", id: m.id }, c.supervisorA)).data.done).toBe("pool.done.admit");
    expect((await poolAction({ intent: "admit", id: m.id }, c.supervisorA)).data.errors.form).toBe("errors.company.notPending");
    expect(await biddingEligibility(database.db, companyId, qingshan, ctx.clock.now())).toEqual({ ok: true, problems: [] });
    // Admitted in 青山镇 says nothing about 溪口乡.
    expect((await biddingEligibility(database.db, companyId, xikou, ctx.clock.now())).problems).toEqual(["errors.company.notInPool"]);
    // After the certificate's last day it is expired, and bidding is blocked.
    expect((await biddingEligibility(database.db, companyId, qingshan, new Date("2028-06-30T16:00:00Z"))).problems).toEqual([
      "errors.company.noValidQualification",
      "errors.company.qualificationExpired",
    ]);
    expect((await biddingEligibility(database.db, companyId, qingshan, new Date("2028-06-30T15:59:59Z"))).ok).toBe(true); // 23:59:59 Beijing on the last day; 00:00 the next day (above) it has expired

    const actions = (await auditActions(m.id)).map((a) => a.action);
    expect(actions).toEqual(["pool.apply", "pool.reject", "pool.apply", "pool.admit"]);
    const [reject] = (await auditActions(m.id)).filter((a) => a.action === "pool.reject");
    expect(reject.summary).toMatchObject({ before: { status: "pending" }, after: { status: "rejected", reason: "资质证书扫描件不清晰" } });

    // The county administrator sees every township's pool, read-only.
    const county = unwrap(await run(poolRoute.loader, get("/pool", c.countyAdmin), ctx)).data;
    expect(county.canDecide).toBe(false);
    expect(county.rows.some((r: { company: { id: string } }) => r.company.id === companyId)).toBe(true);
  });

  it("refuses a township of another county and the wrong roles on /company", async () => {
    const otherCounty = await database.db.insert(schema.orgs).values({ kind: "county", name: "邻县", code: "330782", createdAt: ctx.clock.now() }).returning();
    const farTownship = await database.db
      .insert(schema.orgs)
      .values({ kind: "township", name: "邻县某镇", code: "330782101", parentId: otherCounty[0].id, countyId: otherCounty[0].id, createdAt: ctx.clock.now() })
      .returning();
    expect((await companyAction({ intent: "apply", townshipId: farTownship[0].id }, cookie)).data.errors.townshipId).toBe("errors.company.townshipNotInCounty");
    expect(unwrap(await run(companyRoute.loader, get("/company", c.committeeA1), ctx)).status).toBe(403);
    expect((await companyAction({ intent: "apply", townshipId: qingshan }, c.committeeA1)).status).toBe(403);
    expect(unwrap(await run(companyRoute.loader, get("/company", c.supervisorA), ctx)).status).toBe(403);
  });

  it("flags the demo companies' standing for bidding", async () => {
    const now = ctx.clock.now();
    const demo = async (i: number) => (await companyByCode(validCode(`91330781MA2E${i}${"ABCDEFGH"[i - 1]}${i - 1}${"BCDEFGHJ"[i - 1]}${i}`))).id;
    expect(await biddingEligibility(database.db, await demo(1), qingshan, now)).toEqual({ ok: true, problems: [] });
    expect(await biddingEligibility(database.db, await demo(2), qingshan, now)).toEqual({ ok: true, problems: [] }); // expiring soon, still valid
    expect((await biddingEligibility(database.db, await demo(3), qingshan, now)).problems).toEqual(["errors.company.qualificationExpired"]);
    expect((await biddingEligibility(database.db, await demo(7), qingshan, now)).problems).toEqual(["errors.company.notInPool"]);
    expect((await biddingEligibility(database.db, await demo(8), qingshan, now)).problems).toEqual(["errors.company.notInPool"]);
    expect((await biddingEligibility(database.db, await demo(1), xikou, now)).problems).toEqual(["errors.company.notInPool"]);
  });

  it("edits the profile, certificates and managers, each audited with before and after", async () => {
    const profile = {
      intent: "profile",
      legalRepresentative: "钱新盛",
      address: "青山县青山镇新街 2 号",
      contactName: "钱小红",
      contactPhone: "13857900996",
      bankName: "中国农业银行青山支行",
      bankAccount: "6228480000000001",
      bankAccountName: "青山县池塘水利工程有限公司",
    };
    expect((await companyAction({ ...profile, bankAccount: "12ab" }, cookie)).data.errors.bankAccount).toBe("errors.company.bankAccount");
    expect((await companyAction(profile, cookie)).data.done).toBe("company.done.profile");
    const [upd] = (await auditActions(companyId)).filter((a) => a.action === "company.profile_update");
    expect(upd.summary).toMatchObject({ before: { contactName: "钱小明", address: "青山县青山镇新街 1 号" }, after: { contactName: "钱小红", address: "青山县青山镇新街 2 号" } });

    // A certificate needs its scan; with one it is added, then removed.
    const noScan = new FormData();
    for (const [k, v] of Object.entries({ intent: "add_qualification", qualName: "水利水电工程施工总承包三级", qualNumber: "D333078188", qualExpiry: "2027-01-01" }))
      noScan.append(k, v);
    const refused = unwrap(await run(companyRoute.action, multipart("/company", noScan, cookie), ctx));
    expect(refused.data.errors.qualFile).toBe("errors.company.fileMissing");
    noScan.append("qualFile", PDF("water"));
    expect(unwrap(await run(companyRoute.action, multipart("/company", noScan, cookie), ctx)).data.done).toBe("company.done.add_qualification");
    const [water] = await database.db.select().from(schema.companyQualifications).where(eq(schema.companyQualifications.certificateNumber, "D333078188"));
    // Another company cannot remove it.
    expect((await companyAction({ intent: "remove_qualification", id: water.id }, c.contractor1)).data.errors.form).toBe("errors.notFound");
    // A button the page does not have is the whole form's error.
    expect((await companyAction({ intent: "remove_everything", id: water.id }, cookie)).data.errors).toEqual({ form: "errors.invalidInput" });
    expect((await companyAction({ intent: "remove_qualification", id: water.id }, cookie)).data.done).toBe("company.done.remove_qualification");
    expect((await auditActions(water.id)).map((a) => a.action)).toEqual(["company.qualification_add", "company.qualification_remove"]);

    const pm = new FormData();
    for (const [k, v] of Object.entries({ intent: "add_manager", pmName: "钱二伟", pmCertificate: "浙2332000002" })) pm.append(k, v);
    expect(unwrap(await run(companyRoute.action, multipart("/company", pm, cookie), ctx)).data.done).toBe("company.done.add_manager");
    expect(unwrap(await run(companyRoute.action, multipart("/company", pm, cookie), ctx)).data.errors.pmCertificate).toBe("errors.company.pmDuplicate");
    const [mgr] = await database.db.select().from(schema.projectManagers).where(eq(schema.projectManagers.certificateNumber, "浙2332000002"));
    expect((await companyAction({ intent: "remove_manager", id: mgr.id }, cookie)).data.done).toBe("company.done.remove_manager");
    expect((await auditActions(mgr.id)).map((a) => a.action)).toEqual(["company.manager_add", "company.manager_remove"]);
    const page = unwrap(await run(companyRoute.loader, get("/company", cookie), ctx)).data;
    expect(page.managers.map((m: { name: string }) => m.name)).toEqual(["钱大伟"]);
  });

  it("adds a colleague who signs in for the same company; nobody removes themselves; all audited", async () => {
    const own = c.contractor1;
    const short = await companyAction({ intent: "add_member", memberName: "陈小华", memberPhone: "13957000088", memberPassword: "short" }, own);
    expect(short.status).toBe(400);
    expect(short.data.errors.memberPassword).toBe("errors.passwordTooShort");
    const added = await companyAction({ intent: "add_member", memberName: "陈小华", memberPhone: "13957000088", memberPassword: "chenxiaohua-2026" }, own);
    expect(added.data.done).toBe("company.done.add_member");
    expect((await companyAction({ intent: "add_member", memberName: "重复", memberPhone: "13957000088", memberPassword: "another-2026" }, own)).data.errors.memberPhone).toBe(
      "errors.phoneTaken",
    );

    const colleague = await authenticateWithPassword(database.db, "13957000088", "chenxiaohua-2026");
    expect(colleague).toBeTruthy();
    const page = unwrap(await run(companyRoute.loader, get("/company", own), ctx)).data;
    expect(page.members.map((m: { name: string; phone: string; you: boolean }) => [m.name, m.phone, m.you])).toEqual([
      ["陈建国（浙江青山建设）", "139****0010", true],
      ["陈小华", "139****0088", false],
    ]);
    // The colleague acts for the same company.
    const theirs = unwrap(await run(companyRoute.loader, get("/company", await cookieFor(ctx, "13957000088")), ctx)).data;
    expect(theirs.company.id).toBe(page.company.id);

    const me = page.members.find((m: { you: boolean }) => m.you).userId;
    expect((await companyAction({ intent: "remove_member", id: me }, own)).data.errors.form).toBe("errors.company.removeSelf");
    // Another company cannot take our colleague off.
    expect((await companyAction({ intent: "remove_member", id: colleague!.id }, c.contractor2)).data.errors.form).toBe("errors.notFound");
    expect((await companyAction({ intent: "remove_member", id: colleague!.id }, own)).data.done).toBe("company.done.remove_member");
    expect(unwrap(await run(companyRoute.loader, get("/company", own), ctx)).data.members).toHaveLength(1);
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.objectType, "membership"));
    expect(audit.filter((r) => (r.summary as { before?: { userId?: string } }).before?.userId === colleague!.id).map((r) => r.action)).toEqual(["membership.revoke"]);
  });
});
