import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { Field, invalid, ManagerFields, PROFILE_FIELDS, QualificationFields, TextFields } from "~/components/company-fields";
import { FormError } from "~/components/forms";
import { companySignUpSchema, projectManagerSchema, qualificationSchema } from "~/models/company-rules";
import { registerCompany } from "~/models/company.server";
import { listCounties } from "~/models/org.server";
import { startSession } from "~/models/session.server";
import { actorOf, getAuth, sessionCookie } from "~/utils/auth.server";
import { readCompanyForm } from "~/utils/company-form.server";
import { checkCreditCode } from "~/utils/credit-code";
import { formText, refusal, type FormErrors } from "~/utils/forms";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.registerCompany"));
export const handle = { i18n: ["company", "errors"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getAuth(request, context)) throw redirect("/company");
  const counties = await listCounties(context.db);
  return { counties: counties.map((c) => ({ id: c.id, name: c.name })) };
}

/** A form field that may be left out: read as "" (blank manager fields mean "no manager"). */
const blank = (v: unknown) => typeof v !== "string" || !v.trim();

/**
 * The sign-up form: the company and its first user, its first qualification, and optionally a project
 * manager: any of the manager's fields filled, or the manager's certificate uploaded, means "add one",
 * and then the manager's fields are required. Every field's error is reported at once.
 */
function registrationSchema(withManagerFile: boolean) {
  return z
    .object({ ...companySignUpSchema.shape, ...qualificationSchema.shape, pmName: formText, pmCertificate: formText })
    .superRefine(
      (v, ctx) => {
        if (withManagerFile || !blank(v.pmName) || !blank(v.pmCertificate))
          for (const issue of projectManagerSchema.safeParse(v).error?.issues ?? []) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      },
      { when: () => true },
    )
    .transform(({ pmName, pmCertificate, ...v }) => ({
      ...v,
      manager: withManagerFile || !blank(pmName) || !blank(pmCertificate) ? projectManagerSchema.parse({ pmName, pmCertificate }) : undefined,
    }));
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (await getAuth(request, context)) throw redirect("/company");
  // Nobody is signed in yet, so no resumable uploads (they belong to a user): files come with the form.
  const { parsed, uploads, errors } = await readCompanyForm(request, context, { countyId: null }, (files) => registrationSchema(files.has("pmFile")));
  const { password: _password, ...echo } = parsed.values;
  if (!uploads.has("qualFile")) errors.qualFile ??= "errors.company.fileMissing";
  if (!parsed.ok || Object.keys(errors).length) return data({ errors, typed: echo }, { status: 400 });
  const f = parsed.data;
  const actor = actorOf(request, context, null);
  let userId: string;
  try {
    const result = await registerCompany(context.db, context.clock, actor, {
      fields: f,
      qualification: { fields: f, file: uploads.get("qualFile") },
      projectManager: f.manager ? { fields: f.manager, file: uploads.get("pmFile") } : undefined,
    });
    userId = result.user.id;
  } catch (e) {
    const refused = refusal(e, echo);
    return data({ errors: refused.errors, typed: refused.values }, { status: refused.status });
  }
  const { token } = await startSession(context.db, context.clock, actor, { userId, method: "password", days: context.env.SESSION_DAYS });
  throw redirect("/company?registered=1", { headers: { "Set-Cookie": sessionCookie(context, token, context.env.SESSION_DAYS) } });
}

export default function RegisterCompany() {
  const { t } = useTranslation();
  const { counties } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: FormErrors | undefined = result?.errors;
  const values: Record<string, string> = result?.typed ?? {};
  // With JavaScript the code is checked as it is typed; the server checks it again either way.
  const [code, setCode] = useState(values.code ?? "");
  const codeCheck = code.trim().length >= 18 ? checkCreditCode(code) : null;
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("company.registerTitle")}</h1>
        <p>{t("company.registerIntro")}</p>
        <p>
          <a href="/login">{t("company.haveAccount")}</a>
        </p>
      </section>
      <Form method="post" encType="multipart/form-data" noValidate className="card">
        <FormError errors={errors} />
        <fieldset>
          <legend>{t("company.sections.company")}</legend>
          <TextFields fields={[{ name: "name", maxLength: 100 }]} values={values} errors={errors} />
          <Field name="code" label={t("company.fields.code")} errors={errors} hint={t("company.codeHint")}>
            <input
              id="code"
              name="code"
              maxLength={24}
              autoCapitalize="characters"
              spellCheck={false}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              {...invalid(errors, "code")}
            />
          </Field>
          {codeCheck && !errors?.code && (
            <p className={codeCheck.ok ? "notice ok" : "notice bad"} role="status" data-testid="code-check">
              {codeCheck.ok ? t("company.codeOk") : t(codeCheck.key)}
            </p>
          )}
          <Field name="countyId" label={t("company.fields.countyId")} errors={errors}>
            <select id="countyId" name="countyId" defaultValue={values.countyId ?? counties[0]?.id} {...invalid(errors, "countyId")}>
              {counties.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </Field>
          <TextFields fields={PROFILE_FIELDS} values={values} errors={errors} />
        </fieldset>
        <fieldset>
          <legend>{t("company.sections.qualification")}</legend>
          <QualificationFields values={values} errors={errors} />
        </fieldset>
        <fieldset>
          <legend>{t("company.sections.manager")}</legend>
          <p className="hint">{t("company.managerOptional")}</p>
          <ManagerFields values={values} errors={errors} />
        </fieldset>
        <fieldset>
          <legend>{t("company.sections.account")}</legend>
          <TextFields
            fields={[
              { name: "userName", maxLength: 40, autoComplete: "name" },
              { name: "phone", type: "tel", inputMode: "tel", autoComplete: "username", maxLength: 20 },
              { name: "password", type: "password", autoComplete: "new-password", hint: t("company.passwordHint") },
            ]}
            values={values}
            errors={errors}
          />
        </fieldset>
        <button type="submit" className="primary" disabled={busy}>
          {t("company.registerSubmit")}
        </button>
      </Form>
    </div>
  );
}
