import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { CreditGrade } from "~/components/credit-grade";
import { FieldError, FormError } from "~/components/forms";
import { EXPIRY_WARNING_DAYS } from "~/models/company-rules";
import { decidePoolApplication, getPoolMembership, listPool } from "~/models/company.server";
import { gradesOfCompanies } from "~/models/credit.server";
import { allowedActionsOf, POOL_MEMBERSHIP_TRANSITIONS } from "~/models/lifecycle";
import { actorOf, forbidden, requireRole, notFound } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { maskPhone } from "~/utils/phone";
import { beijingDay, formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.pool"));
export const handle = { i18n: ["company", "errors"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["supervisor", "county_admin"]);
  const org = auth.membership.org;
  const supervisor = auth.membership.role === "supervisor";
  // A supervisor sees the own township's pool; the county administrator every township of the county, read-only.
  const rows = await listPool(context.db, supervisor ? { townshipId: org.id } : { countyId: org.id }, context.clock.now());
  const grades = await gradesOfCompanies(
    context.db,
    rows.map((r) => r.company.id),
    beijingDay(context.clock.now()),
  );
  return {
    scope: org.name,
    canDecide: supervisor,
    rows: rows.map((r) => ({
      id: r.id,
      township: r.township,
      status: r.status,
      reason: r.reason,
      appliedAt: formatBeijing(r.appliedAt),
      decidedAt: r.decidedAt ? formatBeijing(r.decidedAt) : null,
      decidedBy: r.decidedByName,
      company: r.company,
      grade: grades.get(r.company.id)!,
      profile: r.profile
        ? { legalRepresentative: r.profile.legalRepresentative, contactName: r.profile.contactName, contactPhone: maskPhone(r.profile.contactPhone), bankName: r.profile.bankName }
        : null,
      qualifications: r.qualifications,
    })),
  };
}

const decisionFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ intent: z.enum(["admit", "reject"], "errors.invalidInput"), id: formText, reason: formText }));

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["supervisor"]);
  const form = await parseForm(request, decisionFormSchema);
  const { id = "", reason = "" } = form.values;
  const m = /^[0-9a-f-]{36}$/.test(id) ? await getPoolMembership(context.db, id) : null;
  if (!m) throw notFound();
  // Only the supervisor of the township applied to decides; the model checks again under the row lock.
  if (m.townshipId !== auth.membership.org.id) throw forbidden("supervisor");
  if (!form.ok) return data({ id, errors: { form: "errors.invalidInput" } as FormErrors, done: null as string | null, reason }, { status: 400 });
  try {
    await decidePoolApplication(context.db, context.clock, actorOf(request, context, auth), {
      membershipId: m.id,
      supervisorTownshipId: auth.membership.org.id,
      decision: form.data.intent,
      reason: form.data.reason,
    });
  } catch (e) {
    const refused = refusal(e);
    return data({ id, errors: refused.errors, done: null as string | null, reason }, { status: refused.status });
  }
  return { id, errors: {} as FormErrors, done: `pool.done.${form.data.intent}` as string | null, reason: "" };
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["rows"][number];

function Qualifications({ row }: { row: Row }) {
  const { t } = useTranslation();
  if (row.qualifications.length === 0) return <span className="tag bad">{t("company.noQualifications")}</span>;
  return (
    <ul>
      {row.qualifications.map((q) => (
        <li key={q.id}>
          {q.name} · <span className="mono">{q.certificateNumber}</span> · {t("company.expiresOn", { day: q.expiresOn })}
          {q.flag !== "valid" && <span className={q.flag === "expired" ? "tag bad" : "tag warn"}>{t(`company.flags.${q.flag}`, { days: EXPIRY_WARNING_DAYS })}</span>}{" "}
          <a href={`/companies/${row.company.id}/files/${q.fileSha256}`}>{t("company.scan")}</a>
        </li>
      ))}
    </ul>
  );
}

function CompanyCard({ row, canDecide }: { row: Row; canDecide: boolean }) {
  const { t } = useTranslation();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const mine = result?.id === row.id ? result : undefined;
  const errors = mine?.errors;
  return (
    <li className="card" data-testid="pool-row">
      <h3>
        {row.company.name} <span className={`tag state-${row.status}`}>{t(`pool.statuses.${row.status}`)}</span>
      </h3>
      <p>
        <CreditGrade grade={row.grade} why />
      </p>
      <p className="muted">
        {row.township} · <span className="mono">{row.company.code}</span> · {t("pool.appliedAt")} {row.appliedAt}
      </p>
      {row.profile && (
        <p>
          {t("company.fields.legalRepresentative")}：{row.profile.legalRepresentative} · {t("company.fields.contactName")}：{row.profile.contactName}（{row.profile.contactPhone}）
          · {row.company.address}
        </p>
      )}
      <Qualifications row={row} />
      {row.reason && (
        <p>
          {t("pool.reason")}：{row.reason}
        </p>
      )}
      {row.decidedAt && <p className="muted">{t("pool.decided", { at: row.decidedAt, by: row.decidedBy ?? "" })}</p>}
      {mine?.done && (
        <p className="notice ok" role="status">
          {t(mine.done)}
        </p>
      )}
      {canDecide && allowedActionsOf(POOL_MEMBERSHIP_TRANSITIONS, row.status, "supervisor").includes("admit") && (
        <Form method="post" noValidate className="stack">
          <input type="hidden" name="id" value={row.id} />
          <FormError errors={errors} />
          <label htmlFor={`reason-${row.id}`}>{t("pool.rejectReason")}</label>
          <textarea
            id={`reason-${row.id}`}
            name="reason"
            rows={2}
            defaultValue={mine?.reason ?? ""}
            aria-invalid={errors?.reason ? true : undefined}
            aria-describedby={errors?.reason ? `reason-${row.id}-err` : undefined}
          />
          <FieldError id={`reason-${row.id}-err`} errors={errors} name="reason" />
          <div className="row">
            <button type="submit" name="intent" value="admit" disabled={busy}>
              {t("pool.admit")}
            </button>
            <button type="submit" name="intent" value="reject" className="danger" disabled={busy}>
              {t("pool.reject")}
            </button>
          </div>
        </Form>
      )}
    </li>
  );
}

export default function Pool() {
  const { t } = useTranslation();
  const { scope, canDecide, rows } = useLoaderData<typeof loader>();
  const pending = rows.filter((r) => r.status === "pending");
  const admitted = rows.filter((r) => r.status === "admitted");
  const others = rows.filter((r) => r.status === "rejected" || r.status === "withdrawn");
  const list = (items: Row[], empty: string) =>
    items.length === 0 ? (
      <p className="muted">{t(empty)}</p>
    ) : (
      <ul className="stack bare-list">
        {items.map((r) => (
          <CompanyCard key={r.id} row={r} canDecide={canDecide} />
        ))}
      </ul>
    );
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("pool.title", { scope })}</h1>
        <p>{t(canDecide ? "pool.introSupervisor" : "pool.introCounty")}</p>
      </section>
      <section>
        <h2>{t("pool.pending", { count: pending.length })}</h2>
        {list(pending, "pool.noPending")}
      </section>
      <section>
        <h2>{t("pool.admitted", { count: admitted.length })}</h2>
        {list(admitted, "pool.noAdmitted")}
      </section>
      {others.length > 0 && (
        <section>
          <h2>{t("pool.others")}</h2>
          {list(others, "pool.noAdmitted")}
        </section>
      )}
    </div>
  );
}
