import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { ManualClock, type Clock } from "~/utils/clock.server";
import { addDays, beijingDay } from "~/utils/time";
import { schema, type Db, type MemberRole } from "~/utils/db.server";
import { SYSTEM_ACTOR } from "../models/audit.server";
import { setCalendarDay } from "../models/calendar.server";
import { addQualification, applyToPool, decidePoolApplication, registerCompany, type StoredScan } from "../models/company.server";
import { putBytes, type FileStore } from "../models/file-store.server";
import { createOrg } from "../models/org.server";
import { DEMO_STORY_DAYS, seedDemoProjects, type DemoProject, type DemoStoryOptions } from "./demo-projects.server";
import { PASSKEY_ROLES } from "../models/official-passkey.server";
import { passkeyRegistrationOptions, registerPasskey, type RelyingParty } from "../models/passkey.server";
import { softwarePasskey, type SoftwarePasskey } from "./software-passkey.server";
import { createUser, grantRole, registerExpert } from "../models/user.server";

const { appMeta } = schema;

/** What a demo user's software passkey is called on their security page: demo data, no phone. */
export const DEMO_DEVICE_NAME = "演示数据的软件密钥（无手机）";

/** The relying party of a demo loaded without a server's settings (tests, benchmarks): this machine. */
export const LOCAL_RP: RelyingParty = { rpID: "localhost", origins: ["http://localhost:3000"], rpName: "村易招" };

/**
 * A software passkey for a demo user (app/demo/software-passkey.server.ts), registered through the
 * same options and verification as a browser's. Its private key lives only as long as the returned
 * object: the demo's officials hold a passkey, as every official who hosts or supervises openings
 * must (official-passkey.server.ts), and still sign in with the demo password.
 */
export async function registerDemoPasskey(db: Db, { clock, rp, userId, role }: { clock: Clock; rp: RelyingParty; userId: string; role: MemberRole }): Promise<SoftwarePasskey> {
  const key = softwarePasskey("ES256");
  const options = await passkeyRegistrationOptions(db, clock, rp, userId);
  const actor = { userId, role, ip: null, userAgent: "村易招演示数据 / demo data" };
  await registerPasskey(db, { clock, rp, actor, input: { response: key.register(options.challenge, { origin: rp.origins[0], rpId: rp.rpID }), name: DEMO_DEVICE_NAME } });
  return key;
}

/** Every demo account shares this password; the login page says so while the demo county is loaded. */
export const DEMO_PASSWORD = "cyz-demo-2026";

export interface DemoAccount {
  phone: string;
  name: string;
  role: string;
  org: string;
}

/** 2026 public holidays and make-up working days as announced by the State Council (editable per county). */
const HOLIDAYS_2026: { day: string; kind: "holiday" | "workday"; name: string }[] = [
  ...["2026-01-01", "2026-01-02", "2026-01-03"].map((day) => ({ day, kind: "holiday" as const, name: "元旦" })),
  { day: "2026-01-04", kind: "workday", name: "元旦调休上班" },
  ...["15", "16", "17", "18", "19", "20", "21", "22", "23"].map((d) => ({ day: `2026-02-${d}`, kind: "holiday" as const, name: "春节" })),
  { day: "2026-02-14", kind: "workday", name: "春节调休上班" },
  { day: "2026-02-28", kind: "workday", name: "春节调休上班" },
  ...["2026-04-04", "2026-04-05", "2026-04-06"].map((day) => ({ day, kind: "holiday" as const, name: "清明节" })),
  ...["01", "02", "03", "04", "05"].map((d) => ({ day: `2026-05-${d}`, kind: "holiday" as const, name: "劳动节" })),
  { day: "2026-05-09", kind: "workday", name: "劳动节调休上班" },
  ...["2026-06-19", "2026-06-20", "2026-06-21"].map((day) => ({ day, kind: "holiday" as const, name: "端午节" })),
  ...["2026-09-25", "2026-09-26", "2026-09-27"].map((day) => ({ day, kind: "holiday" as const, name: "中秋节" })),
  ...["01", "02", "03", "04", "05", "06", "07"].map((d) => ({ day: `2026-10-${d}`, kind: "holiday" as const, name: "国庆节" })),
  { day: "2026-09-20", kind: "workday", name: "国庆节调休上班" },
  { day: "2026-10-10", kind: "workday", name: "国庆节调休上班" },
];

const TOWNSHIPS = [
  { name: "青山镇", code: "330781101", villages: ["青山村", "石桥村", "竹林村"] },
  { name: "溪口乡", code: "330781201", villages: ["溪口村", "梅岭村", "上塘村"] },
];

/**
 * The contractors. Codes are valid GB 32100 codes (check character computed by
 * app/utils/credit-code.ts). Certificates are dated from the day the demo is
 * loaded: company 2 has one expiring within 30 days, company 3 an expired one
 * beside a valid one (so it cannot bid until it renews it). Pool of 青山镇:
 * 1–6 admitted, 7 pending, 8 rejected.
 */
const COMPANIES = [
  { name: "浙江青山建设工程有限公司", code: "91330781MA2E1A0B1L", contact: "陈建国" },
  { name: "金华市溪口水利建筑有限公司", code: "91330781MA2E2B1C2D", contact: "王立新" },
  { name: "兰溪宏达市政工程有限公司", code: "91330781MA2E3C2D36", contact: "李志强" },
  { name: "浦江县顺安路桥工程有限公司", code: "91330781MA2E4D3E4Y", contact: "张海峰" },
  { name: "义乌市民安建筑劳务有限公司", code: "91330781MA2E5E4F5P", contact: "刘国平" },
  { name: "东阳市梅岭古建园林有限公司", code: "91330781MA2E6F5G6G", contact: "赵文斌" },
  { name: "永康市上塘机电安装有限公司", code: "91330781MA2E7G6H79", contact: "孙伟东" },
  { name: "武义县绿源环境工程有限公司", code: "91330781MA2E8H7J82", contact: "周明华" },
];

const COMPANY_DETAILS: { legal: string; address: string; bank: string; quals: { name: string; days: number }[]; pm: string }[] = [
  { legal: "陈建国", address: "青山县青山镇建设路 18 号", bank: "浙江青山农村商业银行青山支行", quals: [{ name: "建筑工程施工总承包三级", days: 700 }], pm: "陈志远" },
  { legal: "王立新", address: "金华市婺城区溪口路 66 号", bank: "中国农业银行金华分行", quals: [{ name: "水利水电工程施工总承包三级", days: 20 }], pm: "王海涛" },
  {
    legal: "李志强",
    address: "兰溪市兰江街道宏达路 9 号",
    bank: "中国工商银行兰溪支行",
    quals: [
      { name: "市政公用工程施工总承包三级", days: 500 },
      { name: "环保工程专业承包三级", days: -10 },
    ],
    pm: "李明辉",
  },
  {
    legal: "张海峰",
    address: "浦江县浦阳街道顺安路 21 号",
    bank: "中国建设银行浦江支行",
    quals: [
      { name: "公路工程施工总承包三级", days: 900 },
      { name: "市政公用工程施工总承包三级", days: 400 },
    ],
    pm: "张国庆",
  },
  { legal: "刘国平", address: "义乌市稠城街道民安路 3 号", bank: "义乌农村商业银行稠城支行", quals: [{ name: "施工劳务不分等级", days: 600 }], pm: "刘建军" },
  { legal: "赵文斌", address: "东阳市吴宁街道梅岭路 88 号", bank: "浙江东阳农村商业银行吴宁支行", quals: [{ name: "古建筑工程专业承包三级", days: 800 }], pm: "赵一鸣" },
  { legal: "孙伟东", address: "永康市东城街道上塘路 12 号", bank: "中国银行永康支行", quals: [{ name: "机电工程施工总承包三级", days: 650 }], pm: "孙立强" },
  { legal: "周明华", address: "武义县壶山街道绿源路 5 号", bank: "浙江武义农村商业银行壶山支行", quals: [{ name: "环保工程专业承包三级", days: 300 }], pm: "周志华" },
];

/** A small stand-in for a scanned certificate, so the demo's links open something. */
function demoScan(title: string): Buffer {
  const text = `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n% demo scan: ${title}\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
  return Buffer.from(text, "utf8");
}

async function storeDemoScan(files: FileStore | undefined, title: string): Promise<StoredScan> {
  const bytes = demoScan(title);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (files) {
    await putBytes(files, new Uint8Array(bytes));
  }
  return { sha256, size: bytes.length, name: `${title}.pdf` };
}

const EXPERTS = [
  { name: "吴振华", specialties: ["房屋建筑"], employer: "金华市建筑设计研究院" },
  { name: "郑丽娟", specialties: ["市政道路"], employer: "浙江交通职业技术学院" },
  { name: "冯国强", specialties: ["水利工程"], employer: "县水利水电勘测设计所" },
  { name: "何雪梅", specialties: ["工程造价"], employer: "浙江中信造价咨询有限公司" },
  { name: "许文涛", specialties: ["房屋建筑", "工程造价"], employer: "县住房和城乡建设局退休" },
  { name: "沈佳怡", specialties: ["园林绿化"], employer: "浙江农林大学" },
  { name: "韩志明", specialties: ["市政道路", "水利工程"], employer: "金华职业技术学院" },
  { name: "杨秀英", specialties: ["电气安装"], employer: "国网县供电公司退休" },
];

export async function isDemoLoaded(db: Db): Promise<boolean> {
  const [row] = await db.select().from(appMeta).where(eq(appMeta.key, "demo")).limit(1);
  return Boolean(row);
}

export async function listDemoAccounts(db: Db): Promise<DemoAccount[]> {
  const [row] = await db.select().from(appMeta).where(eq(appMeta.key, "demo")).limit(1);
  return row ? ((row.value as { accounts: DemoAccount[] }).accounts ?? []) : [];
}

/**
 * Load the demo county by driving the real model functions (so every row is
 * audited like any other), once. Phones: 139 0000 00xx. The officials' passkeys are bound to `rp`.
 */
export async function seedDemo(db: Db, clock: Clock, files?: FileStore, rp: RelyingParty = LOCAL_RP): Promise<DemoAccount[]> {
  if (await isDemoLoaded(db)) return listDemoAccounts(db);
  // One transaction: a start-up interrupted half-way leaves nothing behind and simply seeds again next time.
  return db.transaction((tx) => seedDemoIn(tx, clock, rp, new Map(), files));
}

/**
 * The living demo (`npm start`): the demo county and its projects in every stage
 * (demo-projects.server.ts), written on a clock that starts DEMO_STORY_DAYS before `now` and ends
 * at `now`, in one transaction. Nothing happens when the demo county is already loaded.
 */
export async function seedLivingDemo(
  db: Db,
  { files, rp, now, opts = {} }: { files: FileStore; rp: RelyingParty; now: Date; opts?: DemoStoryOptions },
): Promise<{ accounts: DemoAccount[]; projects: DemoProject[] }> {
  if (await isDemoLoaded(db)) return { accounts: await listDemoAccounts(db), projects: await listDemoProjects(db) };
  return db.transaction(async (tx) => {
    const clock = new ManualClock(new Date(now.getTime() - (DEMO_STORY_DAYS + 1) * 24 * 3600_000));
    // Certificates are dated from the real today, so the expiring and expired ones are so now.
    const devices = new Map<string, SoftwarePasskey>();
    const accounts = await seedDemoIn(tx, clock, rp, devices, files, beijingDay(now));
    const projects = await seedDemoProjects(tx, { clock, files, rp, now, opts, known: devices });
    await tx.insert(appMeta).values({ key: "demo_projects", value: { projects } });
    return { accounts, projects };
  });
}

/** The living demo's projects, by the stage each was left in (none when only the county was loaded). */
export async function listDemoProjects(db: Db): Promise<DemoProject[]> {
  const [row] = await db.select().from(appMeta).where(eq(appMeta.key, "demo_projects")).limit(1);
  return row ? ((row.value as { projects: DemoProject[] }).projects ?? []) : [];
}

/** `devices`: filled with each official's software passkey, by user id (the living demo's officials sign with it). */
async function seedDemoIn(db: Db, clock: Clock, rp: RelyingParty, devices: Map<string, SoftwarePasskey>, files?: FileStore, certificatesFrom?: string): Promise<DemoAccount[]> {
  const actor = SYSTEM_ACTOR;
  const accounts: DemoAccount[] = [];
  let n = 0;
  const phone = () => `139000000${String(++n).padStart(2, "0")}`;
  const person = async (name: string) => createUser(db, clock, actor, { phone: phone(), name, password: DEMO_PASSWORD });

  const county = await createOrg(db, clock, actor, { kind: "county", name: "青山县", code: "330781" });
  const admin = await person("县管理员 方志远");
  await grantRole(db, clock, actor, { userId: admin.id, orgId: county.id, role: "county_admin" as const });
  accounts.push({ phone: admin.phone, name: admin.name, role: "county_admin" as const, org: county.name });
  for (const h of HOLIDAYS_2026) await setCalendarDay(db, { clock, actor, countyId: county.id, entry: h });

  const supervisorNames = ["监管员 林晓峰", "监管员 黄雅琴"];
  const supervisors: { townshipId: string; userId: string }[] = [];
  for (const [i, t] of TOWNSHIPS.entries()) {
    const township = await createOrg(db, clock, actor, { kind: "township", name: t.name, code: t.code, parentId: county.id });
    const sup = await person(supervisorNames[i]);
    await grantRole(db, clock, actor, { userId: sup.id, orgId: township.id, role: "supervisor" as const });
    supervisors.push({ townshipId: township.id, userId: sup.id });
    accounts.push({ phone: sup.phone, name: sup.name, role: "supervisor" as const, org: township.name });
    for (const [j, v] of t.villages.entries()) {
      const village = await createOrg(db, clock, actor, {
        kind: "village",
        name: v,
        code: `${t.code}${String(j + 1).padStart(3, "0")}`,
        parentId: township.id,
      });
      const committee = await person(`${v}村委会`);
      await grantRole(db, clock, actor, { userId: committee.id, orgId: village.id, role: "committee" as const });
      accounts.push({ phone: committee.phone, name: committee.name, role: "committee" as const, org: `${t.name} ${v}` });
    }
  }

  // Each contractor signs up the way a real one does (one phone each, in the same order as before).
  const today = certificatesFrom ?? beijingDay(clock.now());
  const companyIds: string[] = [];
  for (const [i, c] of COMPANIES.entries()) {
    const d = COMPANY_DETAILS[i];
    const [first, ...more] = d.quals;
    const certificateNumber = (k: number) => `D${233078100 + i * 10 + k}`;
    const { user, company } = await registerCompany(db, clock, actor, {
      fields: {
        name: c.name,
        code: c.code,
        countyId: county.id,
        legalRepresentative: d.legal,
        address: d.address,
        contactName: c.contact,
        contactPhone: `1385790${String(i + 1).padStart(2, "0")}00`,
        bankName: d.bank,
        bankAccount: `2010${String(330781000000 + i * 7919).padStart(12, "0")}`,
        bankAccountName: c.name,
        userName: `${c.contact}（${c.name.slice(0, 6)}）`,
        phone: phone(),
        password: DEMO_PASSWORD,
      },
      qualification: {
        fields: { qualName: first.name, qualNumber: certificateNumber(0), qualExpiry: addDays(today, first.days) },
        file: await storeDemoScan(files, `${c.name.slice(0, 6)}-${first.name}`),
      },
      projectManager: { fields: { pmName: d.pm, pmCertificate: `浙233${String(1100000 + i * 37).padStart(7, "0")}` } },
    });
    const self = { ...actor, userId: user.id, role: "contractor" as const };
    for (const [k, q] of more.entries()) {
      await addQualification(db, {
        clock,
        actor: self,
        companyId: company.id,
        fields: { qualName: q.name, qualNumber: certificateNumber(k + 1), qualExpiry: addDays(today, q.days) },
        file: await storeDemoScan(files, `${c.name.slice(0, 6)}-${q.name}`),
      });
    }
    companyIds.push(company.id);
    accounts.push({ phone: user.phone, name: user.name, role: "contractor" as const, org: company.name });
  }

  // 青山镇's candidate pool: every company applies; its supervisor admits 1–6, leaves 7 pending, rejects 8.
  const pool = supervisors[0];
  const supervisorActor = { ...actor, userId: pool.userId, role: "supervisor" as const };
  for (const [i, companyId] of companyIds.entries()) {
    const [member] = await db.select().from(schema.memberships).where(eq(schema.memberships.orgId, companyId));
    const application = await applyToPool(db, { clock, actor: { ...actor, userId: member.userId, role: "contractor" as const }, companyId, townshipId: pool.townshipId });
    if (i < 6) await decidePoolApplication(db, clock, supervisorActor, { membershipId: application.id, supervisorTownshipId: pool.townshipId, decision: "admit" });
    else if (i === 7)
      await decidePoolApplication(db, clock, supervisorActor, {
        membershipId: application.id,
        supervisorTownshipId: pool.townshipId,
        decision: "reject",
        reason: "资质证书扫描件不清晰，且资质类别与本镇近期项目不符，请补充清晰扫描件后重新申请。",
      });
  }

  for (const e of EXPERTS) {
    const user = await person(`专家 ${e.name}`);
    await registerExpert(db, clock, actor, { userId: user.id, countyId: county.id, specialties: e.specialties, employer: e.employer });
    accounts.push({ phone: user.phone, name: user.name, role: "expert" as const, org: county.name });
  }

  // Agents come last so that the phone numbers above stay stable: 26 a township tender agent, 27 a 强村公司.
  const [qingshan] = await db.select().from(schema.orgs).where(eq(schema.orgs.name, "青山镇"));
  const [qingshanVillage] = await db.select().from(schema.orgs).where(eq(schema.orgs.name, "青山村"));
  for (const a of [
    { kind: "agency" as const, name: "青山镇公共资源交易代理服务站", parentId: qingshan.id, person: "代理员 蒋立群" },
    { kind: "village_company" as const, name: "青山村强村发展有限公司", parentId: qingshanVillage.id, person: "强村公司 邵建平" },
  ]) {
    const org = await createOrg(db, clock, actor, { kind: a.kind, name: a.name, parentId: a.parentId });
    const user = await person(a.person);
    await grantRole(db, clock, actor, { userId: user.id, orgId: org.id, role: "agent" as const });
    accounts.push({ phone: user.phone, name: user.name, role: "agent" as const, org: org.name });
  }

  // Officials who host or supervise openings hold a passkey (the demo's, registered the real way).
  for (const m of await db.select().from(schema.memberships)) {
    if (!PASSKEY_ROLES.includes(m.role) || devices.has(m.userId)) continue;
    devices.set(m.userId, await registerDemoPasskey(db, { clock, rp, userId: m.userId, role: m.role }));
  }

  await db.insert(appMeta).values({ key: "demo", value: { loadedAt: clock.now().toISOString(), accounts } });
  return accounts;
}
