import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FieldError, FormError, Notice } from "~/components/forms";
import { addExpert, listExperts, updateExpert } from "~/models/expert.server";
import { actorOf, requireRole } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { maskPhone } from "~/utils/phone";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.experts"));
export const handle = { hydrate: false, i18n: ["admin", "errors"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin"]);
  const rows = await listExperts(context.db, auth.membership.org.id);
  return {
    experts: rows.map(({ e, name, phone }) => ({
      id: e.userId,
      name,
      phone: maskPhone(phone),
      specialties: e.specialties.join("、"),
      employer: e.employer,
      declaredRelations: e.declaredRelations.join("\n"),
      pastEmployers: e.pastEmployers.map((p) => `${p.employer} 至 ${p.until}`).join("\n"),
      available: e.available,
      suspendedUntil: e.suspendedUntil ?? "",
    })),
  };
}

/** Add an expert, or update one (by id); the expert's fields are the model's to check (expertSchema). */
const expertFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [z.looseObject({ intent: z.literal("add") }), z.looseObject({ intent: z.literal("update"), id: formText })]),
);

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin"]);
  const form = await parseForm(request, expertFormSchema);
  if (!form.ok) return data({ errors: { form: "errors.invalidInput" } as FormErrors, done: null, id: null as string | null }, { status: 400 });
  const f = form.data;
  const id = f.intent === "update" ? f.id : "new";
  const actor = actorOf(request, context, auth);
  const countyId = auth.membership.org.id;
  try {
    if (f.intent === "update") await updateExpert(context.db, { clock: context.clock, actor, countyId, expertId: f.id, input: f });
    else await addExpert(context.db, { clock: context.clock, actor, countyId, input: f });
  } catch (e) {
    const refused = refusal(e);
    return data({ errors: refused.errors, done: null, id }, { status: refused.status });
  }
  return { errors: {} as FormErrors, done: f.intent, id };
}

function ExpertFields({
  e,
  errors,
}: {
  e?: { id: string; specialties: string; employer: string; declaredRelations: string; pastEmployers: string; available: boolean; suspendedUntil: string };
  errors?: FormErrors;
}) {
  const { t } = useTranslation();
  // One form per expert on the page: ids must differ, or the labels point at the wrong inputs.
  const id = (n: string) => `${n}-${e ? e.id : "new"}`;
  return (
    <>
      <label htmlFor={id("specialties")}>{t("experts.specialties")}</label>
      <input id={id("specialties")} name="specialties" defaultValue={e?.specialties} placeholder={t("experts.specialtiesExample")} />
      <FieldError id={`${id("specialties")}-err`} errors={errors} name="specialties" />
      <label htmlFor={id("employer")}>{t("experts.employer")}</label>
      <input id={id("employer")} name="employer" defaultValue={e?.employer} />
      <FieldError id={`${id("employer")}-err`} errors={errors} name="employer" />
      <label htmlFor={id("declaredRelations")}>{t("experts.declaredRelations")}</label>
      <textarea id={id("declaredRelations")} name="declaredRelations" rows={2} defaultValue={e?.declaredRelations} />
      <label htmlFor={id("pastEmployers")}>{t("experts.pastEmployers")}</label>
      <textarea id={id("pastEmployers")} name="pastEmployers" rows={2} defaultValue={e?.pastEmployers} placeholder={t("experts.pastEmployersExample")} />
      <FieldError id={`${id("pastEmployers")}-err`} errors={errors} name="pastEmployers" />
      <label className="field-inline">
        <input type="checkbox" name="available" defaultChecked={e?.available ?? true} /> {t("experts.available")}
      </label>
      <label htmlFor={id("suspendedUntil")}>{t("experts.suspendedUntil")}</label>
      <input id={id("suspendedUntil")} name="suspendedUntil" type="date" defaultValue={e?.suspendedUntil} />
      <FieldError id={`${id("suspendedUntil")}-err`} errors={errors} name="suspendedUntil" />
    </>
  );
}

export default function Experts() {
  const { experts } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("experts.title")}</h1>
        <p>{t("experts.intro")}</p>
        {result?.done && <Notice>{t(`experts.done.${result.done}`)}</Notice>}
        {result?.id === null && <FormError errors={result?.errors} />}
      </section>
      {experts.map((e) => (
        <section className="card" key={e.id}>
          <details>
            <summary>
              <strong>{e.name}</strong> · {e.phone} · {e.specialties} · {e.employer}
              {!e.available && ` · ${t("experts.unavailable")}`}
              {e.suspendedUntil && ` · ${t("experts.suspendedShort", { day: e.suspendedUntil })}`}
            </summary>
            <Form method="post" className="stack">
              <input type="hidden" name="id" value={e.id} />
              {result?.id === e.id && <FormError errors={result.errors} />}
              <ExpertFields e={e} errors={result?.id === e.id ? result.errors : undefined} />
              <button type="submit" name="intent" value="update">
                {t("experts.save")}
              </button>
            </Form>
          </details>
        </section>
      ))}
      <section className="card">
        <h2>{t("experts.add")}</h2>
        <Form method="post" className="stack">
          {result?.id === "new" && <FormError errors={result.errors} />}
          <label htmlFor="name-new">{t("experts.name")}</label>
          <input id="name-new" name="name" maxLength={40} />
          <FieldError id="name-new-err" errors={result?.id === "new" ? result.errors : undefined} name="name" />
          <label htmlFor="phone-new">{t("experts.phone")}</label>
          <input id="phone-new" name="phone" inputMode="tel" />
          <FieldError id="phone-new-err" errors={result?.id === "new" ? result.errors : undefined} name="phone" />
          <label htmlFor="password-new">{t("experts.password")}</label>
          <input id="password-new" name="password" type="password" autoComplete="new-password" />
          <FieldError id="password-new-err" errors={result?.id === "new" ? result.errors : undefined} name="password" />
          <ExpertFields errors={result?.id === "new" ? result.errors : undefined} />
          <button type="submit" name="intent" value="add" className="primary">
            {t("experts.add")}
          </button>
        </Form>
      </section>
    </div>
  );
}
