import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FieldError, FormError } from "~/components/forms";
import { issuedBy, issueResetCode } from "~/models/reset-code.server";
import { actorOf, requireRole } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { maskPhone } from "~/utils/phone";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.resetCodes"));
export const handle = { i18n: ["account", "errors"] };

/** The township supervisor and the county administrator issue password reset codes after an identity check. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["supervisor", "county_admin"]);
  const now = context.clock.now().getTime();
  const recent = await issuedBy(context.db, auth.user.id);
  return {
    role: auth.membership.role,
    recent: recent.map((r) => ({
      id: r.id,
      name: r.name,
      phone: maskPhone(r.phone),
      createdAt: formatBeijing(r.createdAt),
      identityCheck: r.identityCheck,
      state: r.usedAt ? "used" : r.voidedAt ? "voided" : r.expiresAt.getTime() <= now ? "expired" : "open",
    })),
  };
}

const issueFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ phone: formText, identityCheck: formText }));

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["supervisor", "county_admin"]);
  const form = await parseForm(request, issueFormSchema);
  const typed = { phone: form.values.phone ?? "", identityCheck: form.values.identityCheck ?? "" };
  if (!form.ok) return data({ issued: null, errors: form.errors, typed }, { status: 400 });
  try {
    const issued = await issueResetCode(context.db, {
      clock: context.clock,
      actor: { ...actorOf(request, context, auth), userId: auth.user.id, role: auth.membership.role },
      issuerOrgId: auth.membership.org.id,
      raw: form.data,
    });
    return {
      issued: { code: issued.code, name: issued.name, phone: issued.phone, expiresAt: formatBeijing(issued.expiresAt) },
      errors: {} as FormErrors,
      typed: { phone: "", identityCheck: "" },
    };
  } catch (e) {
    const refused = refusal(e);
    return data({ issued: null, errors: refused.errors, typed }, { status: refused.status });
  }
}

export default function ResetCodes() {
  const { t } = useTranslation();
  const { role, recent } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("reset.issueTitle")}</h1>
        <p>{t(role === "county_admin" ? "reset.issueIntroCounty" : "reset.issueIntroTownship")}</p>
        {result?.issued && (
          <div className="notice" role="status" data-testid="reset-code-issued">
            <p>{t("reset.issued", { name: result.issued.name, phone: result.issued.phone, expiresAt: result.issued.expiresAt })}</p>
            <p className="backup-code" data-testid="reset-code">
              {result.issued.code}
            </p>
            <p>{t("reset.issuedOnce")}</p>
          </div>
        )}
        <Form method="post" className="stack">
          <FormError errors={result?.errors} />
          <label htmlFor="phone">{t("login.phone")}</label>
          <input id="phone" name="phone" inputMode="numeric" autoComplete="off" required defaultValue={result?.typed.phone} aria-describedby="phone-error" />
          <FieldError id="phone-error" errors={result?.errors} name="phone" />
          <label htmlFor="identityCheck">{t("reset.identityCheck")}</label>
          <input
            id="identityCheck"
            name="identityCheck"
            required
            maxLength={300}
            defaultValue={result?.typed.identityCheck}
            aria-describedby="identityCheck-hint identityCheck-error"
          />
          <p id="identityCheck-hint" className="hint">
            {t("reset.identityCheckHint")}
          </p>
          <FieldError id="identityCheck-error" errors={result?.errors} name="identityCheck" />
          <button type="submit" className="primary">
            {t("reset.issue")}
          </button>
        </Form>
      </section>
      <section className="card" aria-labelledby="recent-h">
        <h2 id="recent-h">{t("reset.recent")}</h2>
        {recent.length === 0 ? (
          <p>{t("reset.none")}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t("reset.person")}</th>
                  <th>{t("reset.when")}</th>
                  <th>{t("reset.checked")}</th>
                  <th>{t("reset.state")}</th>
                </tr>
              </thead>
              <tbody>
                {recent.map((r) => (
                  <tr key={r.id}>
                    <td>
                      {r.name}
                      <br />
                      <small>{r.phone}</small>
                    </td>
                    <td>{r.createdAt}</td>
                    <td>{r.identityCheck}</td>
                    <td>{t(`reset.states.${r.state}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
