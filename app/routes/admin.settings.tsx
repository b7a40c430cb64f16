import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { Notice } from "~/components/forms";
import { SETTING_DEFS, SETTING_GROUPS, settingToInput, type SettingDef } from "~/models/county-settings";
import { getCountySettings, settingsFormSchema, updateCountySettings } from "~/models/county-settings.server";
import { actorOf, requireRole } from "~/utils/auth.server";
import { parseForm } from "~/utils/forms";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.settings"));
export const handle = { i18n: ["admin", "errors"] };

const DEFS = SETTING_DEFS as readonly SettingDef[];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin"]);
  const settings = await getCountySettings(context.db, auth.membership.org.id);
  return {
    county: auth.membership.org.name,
    values: Object.fromEntries(DEFS.map((d) => [d.key, settingToInput(d, settings[d.key as keyof typeof settings])])),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin"]);
  const parsed = await parseForm(request, settingsFormSchema);
  if (!parsed.ok) {
    // Give back exactly what was typed, so nothing is lost while correcting.
    const typed = Object.fromEntries(DEFS.map((d) => [d.key, parsed.values[d.key] ?? ""]));
    return data({ ok: false as const, errors: parsed.errors, typed, at: null }, { status: 400 });
  }
  await updateCountySettings(context.db, { clock: context.clock, actor: actorOf(request, context, auth), countyId: auth.membership.org.id, value: parsed.data });
  return { ok: true as const, errors: {}, typed: null, at: formatBeijing(context.clock.now()) };
}

export default function AdminSettings() {
  const { t } = useTranslation();
  const { county, values } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const shown = result?.typed ?? values;
  const errorCount = Object.keys(errors).length;
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("settings.title")}</h1>
        <p className="muted">{county}</p>
        <p>{t("settings.intro")}</p>
        {result?.ok && <Notice>{t("settings.saved")}</Notice>}
        {errorCount > 0 && (
          <p className="form-error" role="alert">
            {t("settings.errorsBelow", { count: errorCount })}
          </p>
        )}
      </section>
      <Form method="post" className="card" noValidate>
        {SETTING_GROUPS.map((g) => (
          <fieldset key={g}>
            <legend>{t(`settings.groups.${g}`)}</legend>
            {DEFS.filter((d) => d.group === g).map((d) => {
              const id = `s-${d.key}`;
              const err = errors[d.key];
              const label = t(`settings.fields.${d.key}`);
              if (d.unit === "boolean") {
                return (
                  <div className="field" key={d.key}>
                    <label className="field-inline weight-normal" htmlFor={id}>
                      <input id={id} type="checkbox" name={d.key} defaultChecked={shown[d.key] === "on"} /> {label}
                    </label>
                  </div>
                );
              }
              const unit = t(`settings.units.${d.unit}`);
              return (
                <div className="field" key={d.key}>
                  <label htmlFor={id}>{label}</label>
                  <div className="field-inline">
                    <input
                      id={id}
                      name={d.key}
                      inputMode={d.unit === "ratio" ? "text" : "decimal"}
                      defaultValue={shown[d.key]}
                      aria-invalid={err ? true : undefined}
                      aria-describedby={err ? `${id}-err` : undefined}
                    />
                    {unit && <span className="unit">{unit}</span>}
                  </div>
                  {err && (
                    <p className="field-error" id={`${id}-err`}>
                      {t(err)}
                    </p>
                  )}
                </div>
              );
            })}
          </fieldset>
        ))}
        <button type="submit" disabled={busy}>
          {t("settings.save")}
        </button>
      </Form>
    </div>
  );
}
