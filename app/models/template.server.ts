/** The county's standard tender-document templates (示范文本), versioned: a save never changes an earlier version. */
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { appendAudit, SYSTEM_ACTOR, type Actor } from "./audit.server";
import { DomainError } from "./errors";

const { templates } = schema;

/** The placeholders a template may use; publishing fills them from the project and the notice. */
export const PLACEHOLDERS = [
  "projectName",
  "village",
  "township",
  "type",
  "location",
  "scope",
  "estimate",
  "ceiling",
  "duration",
  "deadline",
  "bidSecurity",
  "qualification",
  "evaluationMethod",
  "panelSize",
  "decryptionWindow",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export const DEFAULT_TEMPLATE = {
  title: "村级小微工程招标文件（示范文本）",
  body: `第一章 招标公告
{{village}}（招标人）的“{{projectName}}”已经{{township}}备案，现采用不见面方式公开选取承包单位。
一、项目概况：{{type}}项目，建设地点：{{location}}；建设内容：{{scope}}。
二、估算价：{{estimate}}；最高投标限价：{{ceiling}}（不设最低限价）。计划工期：{{duration}}日。
三、投标人资格要求：{{qualification}}。不得以注册资本金等设置不合理门槛。
四、投标截止及开标时间：{{deadline}}（北京时间），在村易招平台不见面开标，投标人须在开标后{{decryptionWindow}}分钟内远程解密本单位投标文件。
五、投标保证金：{{bidSecurity}}，可采用基本账户转账或电子保函。
六、评标办法：{{evaluationMethod}}；评审小组{{panelSize}}人，从县评标专家库随机抽取。

第二章 投标人须知
1. 投标文件在投标人浏览器中加密后上传，截止时间前任何人无法打开。截止前可修改或撤回，以最后一次提交为准。
2. 截止时间后平台拒绝任何投标。
3. 对招标文件有疑问的，请在平台提问；答复向所有潜在投标人公开，提问人不公开。

第三章 合同主要条款
中标人应在中标通知书发出之日起30日内与招标人签订合同，按约定工期和质量标准完成建设内容。`,
};

export const templateSchema = z.object({
  title: z.string().trim().min(2, "errors.template.title").max(100, "errors.template.title"),
  body: z
    .string()
    .trim()
    .min(20, "errors.template.body")
    .max(50_000, "errors.template.body")
    .refine((b) => [...b.matchAll(/\{\{(\w+)\}\}/g)].every((m) => (PLACEHOLDERS as readonly string[]).includes(m[1])), "errors.template.placeholder"),
  note: z.string().trim().max(500, "errors.template.note").optional(),
});

export async function listTemplateVersions(db: Db, countyId: string) {
  return db.select().from(templates).where(eq(templates.countyId, countyId)).orderBy(desc(templates.version));
}

export async function getTemplateVersion(db: Db, countyId: string, version: number) {
  const [t] = await db
    .select()
    .from(templates)
    .where(and(eq(templates.countyId, countyId), eq(templates.version, version)));
  return t ?? null;
}

/** Save a new version (never edits an old one). */
export async function saveTemplate(db: Db, { clock, actor, countyId, input }: { clock: Clock; actor: Actor; countyId: string; input: z.input<typeof templateSchema> }) {
  const parsed = templateSchema.safeParse(input);
  if (!parsed.success) throw new DomainError(parsed.error.issues[0].message, { field: String(parsed.error.issues[0].path[0] ?? "form") });
  return db.transaction(async (tx) => {
    // Serialise version numbers per county.
    const [latest] = await tx.select().from(templates).where(eq(templates.countyId, countyId)).orderBy(desc(templates.version)).limit(1).for("update");
    const version = (latest?.version ?? 0) + 1;
    const [row] = await tx
      .insert(templates)
      .values({ countyId, version, title: parsed.data.title, body: parsed.data.body, note: parsed.data.note ?? null, createdBy: actor.userId, createdAt: clock.now() })
      .returning();
    await appendAudit(tx, clock, actor, {
      action: "template.save",
      objectType: "template",
      objectId: row.id,
      countyId,
      after: { version, title: row.title, note: row.note },
    });
    return row;
  });
}

/** The version a new tender uses: the latest; a county that never wrote one starts from the built-in text as version 1. */
export async function currentTemplate(db: Db, clock: Clock, countyId: string) {
  const [latest] = await db.select().from(templates).where(eq(templates.countyId, countyId)).orderBy(desc(templates.version)).limit(1);
  if (latest) return latest;
  return saveTemplate(db, { clock, actor: SYSTEM_ACTOR, countyId, input: { ...DEFAULT_TEMPLATE, note: "平台内置示范文本" } });
}

export function renderTemplate(body: string, values: Record<Placeholder, string>): string {
  return body.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => (key in values ? values[key as Placeholder] : whole));
}
