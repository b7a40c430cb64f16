import { eq } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { SYSTEM_ACTOR } from "./audit.server";
import { setCalendarDay } from "./calendar.server";
import { createOrg } from "./org.server";
import { createUser, grantRole, registerExpert } from "./user.server";

const { appMeta } = schema;

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

const COMPANIES = [
  { name: "浙江青山建设工程有限公司", code: "91330781MA2E1A0B1X", contact: "陈建国" },
  { name: "金华市溪口水利建筑有限公司", code: "91330781MA2E2B1C2Y", contact: "王立新" },
  { name: "兰溪宏达市政工程有限公司", code: "91330781MA2E3C2D3Z", contact: "李志强" },
  { name: "浦江县顺安路桥工程有限公司", code: "91330781MA2E4D3E4A", contact: "张海峰" },
  { name: "义乌市民安建筑劳务有限公司", code: "91330781MA2E5E4F5B", contact: "刘国平" },
  { name: "东阳市梅岭古建园林有限公司", code: "91330781MA2E6F5G6C", contact: "赵文斌" },
  { name: "永康市上塘机电安装有限公司", code: "91330781MA2E7G6H7D", contact: "孙伟东" },
  { name: "武义县绿源环境工程有限公司", code: "91330781MA2E8H7J8E", contact: "周明华" },
];

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
 * audited like any other), once. Phones: 139 0000 00xx.
 */
export async function seedDemo(db: Db, clock: Clock): Promise<DemoAccount[]> {
  if (await isDemoLoaded(db)) return listDemoAccounts(db);
  // One transaction: a start-up interrupted half-way leaves nothing behind and simply seeds again next time.
  return db.transaction((tx) => seedDemoIn(tx, clock));
}

async function seedDemoIn(db: Db, clock: Clock): Promise<DemoAccount[]> {
  const actor = SYSTEM_ACTOR;
  const accounts: DemoAccount[] = [];
  let n = 0;
  const phone = () => `139000000${String(++n).padStart(2, "0")}`;
  const person = async (name: string) => createUser(db, clock, actor, { phone: phone(), name, password: DEMO_PASSWORD });

  const county = await createOrg(db, clock, actor, { kind: "county", name: "青山县", code: "330781" });
  const admin = await person("县管理员 方志远");
  await grantRole(db, clock, actor, { userId: admin.id, orgId: county.id, role: "county_admin" });
  accounts.push({ phone: admin.phone, name: admin.name, role: "county_admin", org: county.name });
  for (const h of HOLIDAYS_2026) await setCalendarDay(db, clock, actor, county.id, h);

  const supervisorNames = ["监管员 林晓峰", "监管员 黄雅琴"];
  for (const [i, t] of TOWNSHIPS.entries()) {
    const township = await createOrg(db, clock, actor, { kind: "township", name: t.name, code: t.code, parentId: county.id });
    const sup = await person(supervisorNames[i]);
    await grantRole(db, clock, actor, { userId: sup.id, orgId: township.id, role: "supervisor" });
    accounts.push({ phone: sup.phone, name: sup.name, role: "supervisor", org: township.name });
    for (const [j, v] of t.villages.entries()) {
      const village = await createOrg(db, clock, actor, {
        kind: "village",
        name: v,
        code: `${t.code}${String(j + 1).padStart(3, "0")}`,
        parentId: township.id,
      });
      const committee = await person(`${v}村委会`);
      await grantRole(db, clock, actor, { userId: committee.id, orgId: village.id, role: "committee" });
      accounts.push({ phone: committee.phone, name: committee.name, role: "committee", org: `${t.name} ${v}` });
    }
  }

  for (const c of COMPANIES) {
    const company = await createOrg(db, clock, actor, { kind: "company", name: c.name, code: c.code, countyId: county.id });
    const user = await person(`${c.contact}（${c.name.slice(0, 6)}）`);
    await grantRole(db, clock, actor, { userId: user.id, orgId: company.id, role: "contractor" });
    accounts.push({ phone: user.phone, name: user.name, role: "contractor", org: company.name });
  }

  for (const e of EXPERTS) {
    const user = await person(`专家 ${e.name}`);
    await registerExpert(db, clock, actor, { userId: user.id, countyId: county.id, specialties: e.specialties, employer: e.employer });
    accounts.push({ phone: user.phone, name: user.name, role: "expert", org: county.name });
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
    await grantRole(db, clock, actor, { userId: user.id, orgId: org.id, role: "agent" });
    accounts.push({ phone: user.phone, name: user.name, role: "agent", org: org.name });
  }

  await db.insert(appMeta).values({ key: "demo", value: { loadedAt: clock.now().toISOString(), accounts } });
  return accounts;
}
