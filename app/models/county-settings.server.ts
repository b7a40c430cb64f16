import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { parseHundredths } from "~/utils/money";
import { appendAudit, type Actor } from "./audit.server";
import { countySettingsSchema, DEFAULT_COUNTY_SETTINGS, SETTING_DEFS, type CountySettings, type SettingDef } from "./county-settings";
import { DomainError } from "./errors";

const { countySettings, orgs } = schema;

/** The county's settings; a county that never saved any runs on DOMAIN.md's defaults. */
export async function getCountySettings(db: Db, countyId: string): Promise<CountySettings> {
  const [row] = await db.select().from(countySettings).where(eq(countySettings.countyId, countyId)).limit(1);
  // Parse on read: a key added in a later release falls back to its default.
  return row ? countySettingsSchema.parse(row.values) : DEFAULT_COUNTY_SETTINGS;
}

export type SettingsFormErrors = Partial<Record<string, string>>;

/** Form fields (yuan, percent, checkboxes) → typed settings, or per-field translation keys. */
export function parseSettingsForm(form: FormData): { ok: true; value: CountySettings } | { ok: false; errors: SettingsFormErrors } {
  return readSettings((key) => String(form.get(key) ?? ""));
}

/** The settings form as one schema (a route parses its form with it): the fields as typed → typed settings, or an issue per field. */
export const settingsFormSchema = z.record(z.string(), z.unknown()).transform((form, ctx) => {
  const read = readSettings((key) => (typeof form[key] === "string" ? form[key] : ""));
  if (read.ok) return read.value;
  for (const [key, message] of Object.entries(read.errors)) ctx.addIssue({ code: "custom", path: [key], message: message ?? "errors.invalidInput" });
  return z.NEVER;
});

function readSettings(field: (key: string) => string): { ok: true; value: CountySettings } | { ok: false; errors: SettingsFormErrors } {
  const raw: Record<string, unknown> = {};
  const errors: SettingsFormErrors = {};
  for (const def of SETTING_DEFS as readonly SettingDef[]) {
    const input = field(def.key).trim();
    if (def.unit === "boolean") {
      raw[def.key] = input === "on" || input === "true";
    } else if (def.unit === "ratio") {
      raw[def.key] = input.replace(/\s/g, "");
    } else if (def.unit === "fen" || def.unit === "basisPoints") {
      const v = parseHundredths(input);
      if (v === null) errors[def.key] = "errors.settings.number";
      else raw[def.key] = v;
    } else {
      if (!/^\d+$/.test(input)) errors[def.key] = "errors.settings.integer";
      else raw[def.key] = Number(input);
    }
  }
  const parsed = countySettingsSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      errors[key] ??= issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}

export async function updateCountySettings(db: Db, { clock, actor, countyId, value }: { clock: Clock; actor: Actor; countyId: string; value: CountySettings }) {
  const checked = countySettingsSchema.safeParse(value);
  if (!checked.success) throw new DomainError("errors.invalidInput");
  return db.transaction(async (tx) => {
    const [county] = await tx.select().from(orgs).where(eq(orgs.id, countyId)).limit(1);
    if (!county || county.kind !== "county") throw new DomainError("errors.notFound", { status: 404 });
    const before = await getCountySettings(tx, countyId);
    const changed = Object.fromEntries(Object.entries(checked.data).filter(([k, v]) => before[k as keyof CountySettings] !== v));
    await tx
      .insert(countySettings)
      .values({ countyId, values: checked.data, updatedAt: clock.now(), updatedBy: actor.userId })
      .onConflictDoUpdate({
        target: countySettings.countyId,
        set: { values: checked.data, updatedAt: clock.now(), updatedBy: actor.userId },
      });
    await appendAudit(tx, clock, actor, {
      action: "county_settings.update",
      objectType: "county_settings",
      objectId: countyId,
      countyId,
      before: Object.fromEntries(Object.keys(changed).map((k) => [k, before[k as keyof CountySettings]])),
      after: changed,
    });
    return checked.data;
  });
}
