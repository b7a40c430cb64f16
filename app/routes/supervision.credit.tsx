import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { CreditGrade } from "~/components/credit-grade";
import { FieldError, FormError, Notice } from "~/components/forms";
import { CREDIT_GRADES, CREDIT_KINDS, CREDIT_SUBJECTS, creditFormSchema, MAX_POINTS, type CreditSubject } from "~/models/credit-rules";
import { companiesInScope, creditScope, expertsInScope, gradesOfCompanies, liftCredit, listCredit, projectsInScope, recordCredit } from "~/models/credit.server";
import { actorOf, requireRole } from "~/utils/auth.server";
import { parseForm, refusal, type FormErrors } from "~/utils/forms";
import { beijingDay, formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.credit"));
export const handle = { hydrate: false, i18n: ["company", "errors"] };

/**
 * Credit records (信用管理): a township supervisor (its pool's and bidders'
 * companies, the county's experts) or the county administrator (the whole
 * county) lists records, records a new one and lifts one with a note. Plain
 * forms: no JavaScript needed.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["supervisor", "county_admin"]);
  const scope = await creditScope(context.db, { userId: auth.user.id, role: auth.membership.role }, auth.membership.org.id);
  const q = new URL(request.url).searchParams;
  const subject = (CREDIT_SUBJECTS as readonly string[]).includes(q.get("subject") ?? "") ? (q.get("subject") as CreditSubject) : null;
  const show = q.get("show") === "all" ? ("all" as const) : ("active" as const);
  const now = context.clock.now();
  const today = beijingDay(now);
  const companies = await companiesInScope(context.db, scope, now);
  const grades = await gradesOfCompanies(
    context.db,
    companies.map((c) => c.id),
    today,
  );
  const records = await listCredit(context.db, scope, { subject, show }, now);
  return {
    scope: auth.membership.org.name,
    county: scope.role === "county_admin",
    today,
    filter: { subject: subject ?? "", show },
    companies: companies.map((c) => ({ id: c.id, name: c.name, code: c.code, grade: grades.get(c.id)! })),
    experts: (await expertsInScope(context.db, scope)).map((e) => ({ id: e.id, name: e.name, employer: e.employer })),
    projects: await projectsInScope(context.db, scope, now),
    records: records.map((r) => ({
      id: r.id,
      subject: r.subject,
      subjectName: r.subjectName,
      kind: r.kind,
      points: r.points,
      reason: r.reason,
      projectName: r.projectName,
      startsOn: r.startsOn,
      endsOn: r.endsOn,
      status: r.status,
      issuer: r.issuer,
      recorder: r.recorder,
      recordedAt: formatBeijing(r.recordedAt),
      liftedAt: r.liftedAt ? formatBeijing(r.liftedAt) : null,
      liftNote: r.liftNote,
      mayLift: r.mayLift,
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["supervisor", "county_admin"]);
  const parsed = await parseForm(request, creditFormSchema);
  // What the form echoes back: the text fields only.
  const typed = parsed.values;
  const intent = typed.intent ?? "";
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const orgId = auth.membership.org.id;
  const fail = (errors: FormErrors, status = 400) => data({ intent, id: typed.id ?? null, errors, typed, done: null as string | null }, { status });
  if (!parsed.ok) return fail(parsed.errors);
  const f = parsed.data;
  try {
    if (f.intent === "record") {
      const { subjectRef, intent: _, ...rest } = f;
      const [subject, subjectId] = subjectRef.split(":");
      await recordCredit(context.db, { clock: context.clock, actor, issuerOrgId: orgId, raw: { ...rest, subject, subjectId } });
    } else {
      await liftCredit(context.db, { clock: context.clock, actor, issuerOrgId: orgId, raw: { recordId: f.id, note: f.note ?? "" } });
    }
  } catch (e) {
    const refused = refusal(e);
    return fail(refused.errors, refused.status);
  }
  return { intent, id: typed.id ?? null, errors: {} as FormErrors, typed: {} as Record<string, string>, done: `credit.done.${intent}` as string | null };
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Row = Data["records"][number];

function Period({ r }: { r: Pick<Row, "startsOn" | "endsOn"> }) {
  const { t } = useTranslation();
  return <>{r.endsOn ? t("credit.period", { from: r.startsOn, to: r.endsOn }) : r.startsOn}</>;
}

function LiftForm({ r }: { r: Row }) {
  const { t } = useTranslation();
  const result = useActionData<typeof action>();
  const mine = result?.intent === "lift" && result.id === r.id ? result : undefined;
  return (
    <details open={Boolean(mine?.errors && Object.keys(mine.errors).length)}>
      <summary>{t("credit.lift")}</summary>
      <Form method="post" className="stack">
        <input type="hidden" name="id" value={r.id} />
        <FormError errors={mine?.errors} />
        <label htmlFor={`note-${r.id}`}>{t("credit.liftNote")}</label>
        <textarea
          id={`note-${r.id}`}
          name="note"
          rows={2}
          maxLength={1000}
          defaultValue={mine?.typed.note ?? ""}
          aria-invalid={mine?.errors.note ? true : undefined}
          aria-describedby={mine?.errors.note ? `note-${r.id}-err` : undefined}
        />
        <FieldError id={`note-${r.id}-err`} errors={mine?.errors} name="note" />
        <button type="submit" name="intent" value="lift" className="danger">
          {t("credit.liftSubmit")}
        </button>
      </Form>
    </details>
  );
}

function Records({ d }: { d: Data }) {
  const { t } = useTranslation();
  if (d.records.length === 0) return <p className="muted">{t("credit.none")}</p>;
  return (
    <div className="table-wrap">
      <table className="cards" data-testid="credit-records">
        <thead>
          <tr>
            <th>{t("credit.cols.subject")}</th>
            <th>{t("credit.cols.kind")}</th>
            <th>{t("credit.cols.period")}</th>
            <th>{t("credit.cols.reason")}</th>
            <th>{t("credit.cols.recorded")}</th>
            <th>{t("credit.cols.status")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {d.records.map((r) => (
            <tr key={r.id} data-testid="credit-row">
              <td data-label={t("credit.cols.subject")}>
                {r.subjectName} <span className="muted">（{t(`credit.subjects.${r.subject}`)}）</span>
              </td>
              <td data-label={t("credit.cols.kind")}>
                {t(`credit.kinds.${r.kind}`)}
                {r.points !== null && ` · ${t("credit.pointsValue", { points: r.points })}`}
              </td>
              <td data-label={t("credit.cols.period")}>
                <Period r={r} />
              </td>
              <td data-label={t("credit.cols.reason")} className="prewrap">
                {r.reason}
                {r.projectName && <span className="muted"> · {t("credit.aboutProject", { project: r.projectName })}</span>}
              </td>
              <td data-label={t("credit.cols.recorded")}>{t("credit.recordedBy", { issuer: r.issuer, by: r.recorder, at: r.recordedAt })}</td>
              <td data-label={t("credit.cols.status")}>
                <span className={r.status === "inEffect" ? "tag bad" : "tag"}>{t(`credit.statuses.${r.status}`)}</span>
                {r.liftedAt && <p className="muted prewrap">{t("credit.liftedNote", { at: r.liftedAt, note: r.liftNote ?? "" })}</p>}
              </td>
              <td>{r.mayLift && <LiftForm r={r} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RecordForm({ d }: { d: Data }) {
  const { t } = useTranslation();
  const result = useActionData<typeof action>();
  const mine = result?.intent === "record" ? result : undefined;
  const errors = mine?.errors;
  const typed = mine?.done ? {} : (mine?.typed ?? {});
  const field = (name: string) => ({
    id: `credit-${name}`,
    name,
    "aria-invalid": errors?.[name] ? true : undefined,
    "aria-describedby": errors?.[name] ? `credit-${name}-err` : undefined,
  });
  return (
    <Form method="post" className="stack" noValidate>
      <FormError errors={errors} />
      <label htmlFor="credit-subjectRef">{t("credit.fields.subject")}</label>
      <select
        id="credit-subjectRef"
        name="subjectRef"
        defaultValue={typed.subjectRef ?? ""}
        aria-invalid={errors?.subject ? true : undefined}
        aria-describedby={errors?.subject ? "credit-subject-err" : undefined}
      >
        <option value="">{t("credit.fields.chooseSubject")}</option>
        <optgroup label={t("credit.subjects.company")}>
          {d.companies.map((c) => (
            <option key={c.id} value={`company:${c.id}`}>
              {c.name}
            </option>
          ))}
        </optgroup>
        <optgroup label={t("credit.subjects.expert")}>
          {d.experts.map((e) => (
            <option key={e.id} value={`expert:${e.id}`}>
              {e.name} · {e.employer}
            </option>
          ))}
        </optgroup>
      </select>
      <FieldError id="credit-subject-err" errors={errors} name="subject" />
      <label htmlFor="credit-kind">{t("credit.fields.kind")}</label>
      <select {...field("kind")} defaultValue={typed.kind ?? "warning"}>
        {CREDIT_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`credit.kinds.${k}`)}
          </option>
        ))}
      </select>
      <p className="hint">{t("credit.fields.kindHint")}</p>
      <FieldError id="credit-kind-err" errors={errors} name="kind" />
      <label htmlFor="credit-points">{t("credit.fields.points", { max: MAX_POINTS })}</label>
      <input {...field("points")} type="number" inputMode="numeric" min={1} max={MAX_POINTS} defaultValue={typed.points ?? ""} />
      <FieldError id="credit-points-err" errors={errors} name="points" />
      <label htmlFor="credit-startsOn">{t("credit.fields.startsOn")}</label>
      <input {...field("startsOn")} type="date" defaultValue={typed.startsOn ?? d.today} />
      <FieldError id="credit-startsOn-err" errors={errors} name="startsOn" />
      <label htmlFor="credit-endsOn">{t("credit.fields.endsOn")}</label>
      <input {...field("endsOn")} type="date" defaultValue={typed.endsOn ?? ""} />
      <FieldError id="credit-endsOn-err" errors={errors} name="endsOn" />
      <label htmlFor="credit-projectId">{t("credit.fields.project")}</label>
      <select {...field("projectId")} defaultValue={typed.projectId ?? ""}>
        <option value="">{t("credit.fields.noProject")}</option>
        {d.projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <FieldError id="credit-projectId-err" errors={errors} name="projectId" />
      <label htmlFor="credit-reason">{t("credit.fields.reason")}</label>
      <textarea {...field("reason")} rows={3} maxLength={1000} defaultValue={typed.reason ?? ""} />
      <FieldError id="credit-reason-err" errors={errors} name="reason" />
      <button type="submit" name="intent" value="record" className="primary">
        {t("credit.record")}
      </button>
    </Form>
  );
}

export default function CreditPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("credit.title", { scope: d.scope })}</h1>
        <p>{t(d.county ? "credit.introCounty" : "credit.introSupervisor")}</p>
        {result?.done && <Notice>{t(result.done)}</Notice>}
        <details>
          <summary>{t("credit.scheme.title")}</summary>
          <ul>
            {[...CREDIT_GRADES].reverse().map((g) => (
              <li key={g}>
                <span className={`tag grade grade-${g}`}>{t(`credit.grades.${g}`)}</span> {t(`credit.scheme.${g}`)}
              </li>
            ))}
          </ul>
          <p className="hint">{t("credit.scheme.effects")}</p>
        </details>
      </section>

      <section className="card" aria-labelledby="credit-records-h">
        <h2 id="credit-records-h">{t("credit.recordsTitle")}</h2>
        <Form method="get" className="filters" role="search">
          <div className="row">
            <label htmlFor="filter-subject" className="sr-only">
              {t("credit.filter.subject")}
            </label>
            <select id="filter-subject" name="subject" defaultValue={d.filter.subject}>
              <option value="">{t("credit.filter.allSubjects")}</option>
              {CREDIT_SUBJECTS.map((s) => (
                <option key={s} value={s}>
                  {t(`credit.subjects.${s}`)}
                </option>
              ))}
            </select>
            <label htmlFor="filter-show" className="sr-only">
              {t("credit.filter.show")}
            </label>
            <select id="filter-show" name="show" defaultValue={d.filter.show}>
              <option value="active">{t("credit.filter.active")}</option>
              <option value="all">{t("credit.filter.all")}</option>
            </select>
            <button type="submit">{t("credit.filter.apply")}</button>
          </div>
        </Form>
        <Records d={d} />
      </section>

      <section className="card" aria-labelledby="credit-new-h">
        <h2 id="credit-new-h">{t("credit.recordTitle")}</h2>
        <RecordForm d={d} />
      </section>

      <section className="card" aria-labelledby="credit-companies-h">
        <h2 id="credit-companies-h">{t("credit.companiesTitle")}</h2>
        {d.companies.length === 0 ? (
          <p className="muted">{t("credit.noCompanies")}</p>
        ) : (
          <ul data-testid="credit-companies">
            {d.companies.map((c) => (
              <li key={c.id}>
                {c.name} <CreditGrade grade={c.grade} why />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
