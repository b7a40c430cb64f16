import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FieldError, FormError, Notice } from "~/components/forms";
import { currentTemplate, listTemplateVersions, PLACEHOLDERS, saveTemplate } from "~/models/template.server";
import { actorOf, requireRole } from "~/utils/auth.server";
import { formText, parseForm, refusal } from "~/utils/forms";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.templates"));
export const handle = { i18n: ["admin", "errors"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin"]);
  const countyId = auth.membership.org.id;
  await currentTemplate(context.db, context.clock, countyId);
  const versions = await listTemplateVersions(context.db, countyId);
  const asked = Number(new URL(request.url).searchParams.get("v"));
  const shown = versions.find((v) => v.version === asked) ?? versions[0];
  return {
    versions: versions.map((v) => ({ version: v.version, title: v.title, note: v.note, createdAt: formatBeijing(v.createdAt) })),
    shown: { version: shown.version, title: shown.title, body: shown.body, latest: shown.version === versions[0].version },
    placeholders: PLACEHOLDERS,
  };
}

const templateFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ title: formText, body: formText, note: formText }));

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin"]);
  const form = await parseForm(request, templateFormSchema);
  if (!form.ok) return data({ saved: null, errors: form.errors, typed: form.values }, { status: 400 });
  const f = form.data;
  try {
    const row = await saveTemplate(context.db, {
      clock: context.clock,
      actor: actorOf(request, context, auth),
      countyId: auth.membership.org.id,
      input: {
        title: f.title,
        body: f.body,
        note: f.note || undefined,
      },
    });
    return { saved: row.version, errors: {}, typed: null };
  } catch (e) {
    const refused = refusal(e, form.values);
    return data({ saved: null, errors: refused.errors, typed: refused.values }, { status: refused.status });
  }
}

export default function Templates() {
  const { t } = useTranslation();
  const { versions, shown, placeholders } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? {};
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("templates.title")}</h1>
        <p>{t("templates.intro")}</p>
        {result?.saved && <Notice>{t("templates.saved", { v: result.saved })}</Notice>}
        <FormError errors={errors} />
      </section>
      <Form method="post" className="card" key={shown.version}>
        <h2>{shown.latest ? t("templates.editLatest", { v: shown.version }) : t("templates.basedOn", { v: shown.version })}</h2>
        <div className="field">
          <label htmlFor="title">{t("templates.fields.title")}</label>
          <input id="title" name="title" defaultValue={result?.typed?.title ?? shown.title} />
          <FieldError id="title-err" errors={errors} name="title" />
        </div>
        <div className="field">
          <label htmlFor="body">{t("templates.fields.body")}</label>
          <textarea id="body" name="body" rows={18} defaultValue={result?.typed?.body ?? shown.body} className="input-full" />
          <p className="hint">
            {t("templates.placeholders")} {placeholders.map((p) => `{{${p}}}`).join(" ")}
          </p>
          <FieldError id="body-err" errors={errors} name="body" />
        </div>
        <div className="field">
          <label htmlFor="note">{t("templates.fields.note")}</label>
          <input id="note" name="note" defaultValue={result?.typed?.note ?? ""} />
        </div>
        <button type="submit">{t("templates.saveNew")}</button>
      </Form>
      <section className="card">
        <h2>{t("templates.versions")}</h2>
        <ul className="list">
          {versions.map((v) => (
            <li key={v.version}>
              <div>
                <a href={`/admin/templates?v=${v.version}`}>
                  {t("templates.version", { v: v.version })} · {v.title}
                </a>
                <small>
                  {v.createdAt}
                  {v.note && ` · ${v.note}`}
                </small>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
