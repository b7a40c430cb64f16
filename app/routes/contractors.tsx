import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { CreditGrade } from "~/components/credit-grade";
import { EXPIRY_WARNING_DAYS } from "~/models/company-rules";
import { listPool } from "~/models/company.server";
import { CREDIT_GRADES } from "~/models/credit-rules";
import { gradesOfCompanies } from "~/models/credit.server";
import { getOrg } from "~/models/org.server";
import { forbidden, requireRole } from "~/utils/auth.server";
import { beijingDay } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.contractors"));
export const handle = { hydrate: false, i18n: ["company", "errors"] };

/**
 * The companies admitted to the township's candidate pool, with their
 * certificates and credit grade, for the village committee (or its agent)
 * choosing among contractors. Names, codes and grades only: contacts and
 * bank details stay with the supervisor.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["committee", "agent"]);
  const townshipId = auth.membership.org.townshipId;
  if (!townshipId) throw forbidden("committee|agent");
  const now = context.clock.now();
  const admitted = (await listPool(context.db, { townshipId }, now)).filter((r) => r.status === "admitted");
  const grades = await gradesOfCompanies(
    context.db,
    admitted.map((r) => r.company.id),
    beijingDay(now),
  );
  return {
    township: (await getOrg(context.db, townshipId))?.name ?? "",
    companies: admitted.map((r) => ({
      id: r.company.id,
      name: r.company.name,
      code: r.company.code,
      qualifications: r.qualifications.map((q) => ({ id: q.id, name: q.name, expiresOn: q.expiresOn, flag: q.flag })),
      grade: grades.get(r.company.id)!,
    })),
  };
}

export default function Contractors() {
  const d = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("credit.contractors.title", { township: d.township })}</h1>
        <p>{t("credit.contractors.intro")}</p>
        <details>
          <summary>{t("credit.scheme.title")}</summary>
          <ul>
            {[...CREDIT_GRADES].reverse().map((g) => (
              <li key={g}>
                <span className={`tag grade grade-${g}`}>{t(`credit.grades.${g}`)}</span> {t(`credit.scheme.${g}`)}
              </li>
            ))}
          </ul>
        </details>
      </section>
      <section className="card">
        {d.companies.length === 0 ? (
          <p className="muted">{t("credit.contractors.none")}</p>
        ) : (
          <ul className="stack bare-list" data-testid="contractors">
            {d.companies.map((c) => (
              <li key={c.id} data-testid="contractor-row">
                <h2>{c.name}</h2>
                <p>
                  <CreditGrade grade={c.grade} why />
                </p>
                <p className="muted">
                  <span className="mono">{c.code}</span>
                </p>
                <p>
                  {t("credit.contractors.qualifications")}
                  {c.qualifications.length === 0
                    ? t("company.noQualifications")
                    : c.qualifications.map((q, i) => (
                        <span key={q.id}>
                          {i > 0 && "、"}
                          {q.name}
                          {q.flag !== "valid" && (
                            <span className={q.flag === "expired" ? "tag bad" : "tag warn"}>{t(`company.flags.${q.flag}`, { days: EXPIRY_WARNING_DAYS })}</span>
                          )}
                        </span>
                      ))}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
