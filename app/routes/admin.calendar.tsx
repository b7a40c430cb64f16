import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { FormError, FieldError, Notice } from "~/components/forms";
import { calendarEntrySchema, calendarFormSchema, getWorkingCalendar, listCalendar, removeCalendarDay, setCalendarDay } from "~/models/calendar.server";
import { actorOf, requireRole } from "~/utils/auth.server";
import { parseForm, refusal, type FormErrors } from "~/utils/forms";
import { beijingDay, startOfBeijingDay, weekday } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.calendar"));
export const handle = { i18n: ["admin", "errors"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin"]);
  const countyId = auth.membership.org.id;
  const url = new URL(request.url);
  const today = beijingDay(context.clock.now());
  const yearParam = Number(url.searchParams.get("year"));
  const year = Number.isInteger(yearParam) && yearParam >= 2000 && yearParam <= 2100 ? yearParam : Number(today.slice(0, 4));
  const entries = await listCalendar(context.db, countyId, year);

  // The working-day calculator runs on GET, so it works without JavaScript.
  let calc: { from: string; n: number; result: string; weekday: number } | null = null;
  let calcError: string | null = null;
  const from = url.searchParams.get("from");
  const nParam = url.searchParams.get("n");
  if (from !== null || nParam !== null) {
    const day = calendarEntrySchema.shape.day.safeParse(from ?? "");
    const n = Number(nParam);
    if (!day.success) calcError = "errors.calendar.day";
    else if (!/^\d+$/.test(nParam ?? "") || n < 1 || n > 365) calcError = "errors.calendar.days";
    else {
      const cal = await getWorkingCalendar(context.db, countyId);
      const result = cal.nthWorkingDayAfter(startOfBeijingDay(day.data), n);
      calc = { from: day.data, n, result, weekday: weekday(result) };
    }
  }
  return {
    year,
    today,
    entries: entries.map((e) => ({ day: e.day, kind: e.kind, name: e.name, weekday: weekday(e.day) })),
    calc,
    calcError,
    calcInput: { from: from ?? today, n: nParam ?? "3" },
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin"]);
  const actor = actorOf(request, context, auth);
  const countyId = auth.membership.org.id;
  const parsed = await parseForm(request, calendarFormSchema);
  if (!parsed.ok) {
    const { intent, day = "", kind = "", name = "" } = parsed.values;
    const typed = intent === "set" ? { day, kind, name } : null;
    return data({ done: null, errors: parsed.errors, typed }, { status: 400 });
  }
  const f = parsed.data;
  if (f.intent === "remove") {
    try {
      await removeCalendarDay(context.db, { clock: context.clock, actor, countyId, day: f.day });
      return { done: { key: "calendar.removed", day: f.day }, errors: {} as FormErrors, typed: null };
    } catch (e) {
      const refused = refusal(e);
      return data({ done: null, errors: refused.errors, typed: null }, { status: refused.status });
    }
  }
  await setCalendarDay(context.db, { clock: context.clock, actor, countyId, entry: { day: f.day, kind: f.kind, name: f.name } });
  return { done: { key: "calendar.saved", day: f.day }, errors: {} as FormErrors, typed: null };
}

export default function AdminCalendar() {
  const { t } = useTranslation();
  const { year, entries, calc, calcError, calcInput } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? {};
  const typed = result?.typed;
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("calendar.title")}</h1>
        <p>{t("calendar.intro")}</p>
        {result?.done && <Notice>{t(result.done.key, { day: result.done.day })}</Notice>}
        <FormError errors={errors} />
      </section>

      <section className="card" aria-labelledby="cal-add">
        <h2 id="cal-add">{t("calendar.add")}</h2>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="set" />
          <div className="field">
            <label htmlFor="day">{t("calendar.day")}</label>
            <input id="day" name="day" type="date" defaultValue={typed?.day} aria-invalid={errors.day ? true : undefined} aria-describedby="day-err" />
            <FieldError id="day-err" errors={errors} name="day" />
          </div>
          <div className="field">
            <label htmlFor="kind">{t("calendar.kind")}</label>
            <select id="kind" name="kind" defaultValue={typed?.kind || "holiday"}>
              <option value="holiday">{t("calendar.kinds.holiday")}</option>
              <option value="workday">{t("calendar.kinds.workday")}</option>
            </select>
            <FieldError id="kind-err" errors={errors} name="kind" />
          </div>
          <div className="field">
            <label htmlFor="name">{t("calendar.name")}</label>
            <input
              id="name"
              name="name"
              defaultValue={typed?.name}
              placeholder={t("calendar.namePlaceholder")}
              aria-invalid={errors.name ? true : undefined}
              aria-describedby="name-err"
            />
            <FieldError id="name-err" errors={errors} name="name" />
          </div>
          <button type="submit">{t("calendar.add")}</button>
        </Form>
      </section>

      <section className="card" aria-labelledby="cal-calc">
        <h2 id="cal-calc">{t("calendar.calculator")}</h2>
        <Form method="get">
          <input type="hidden" name="year" value={year} />
          <div className="field">
            <label htmlFor="from">{t("calendar.calcFrom")}</label>
            <input id="from" name="from" type="date" defaultValue={calcInput.from} />
          </div>
          <div className="field">
            <label htmlFor="n">{t("calendar.calcDays")}</label>
            <input id="n" name="n" type="number" min={1} max={365} defaultValue={calcInput.n} className="input-8rem" />
          </div>
          <button type="submit" className="secondary">
            {t("calendar.calcSubmit")}
          </button>
        </Form>
        {calcError && (
          <p className="form-error" role="alert">
            {t(calcError)}
          </p>
        )}
        {calc && (
          <p className="notice" role="status" data-testid="calc-result">
            {t("calendar.calcResult", { from: calc.from, n: calc.n, result: calc.result, weekday: t(`calendar.weekdays.${calc.weekday}`) })}
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="cal-list">
        <h2 id="cal-list">
          {year} {t("calendar.title")}
        </h2>
        <Form method="get" className="row">
          <label htmlFor="year">{t("calendar.year")}</label>
          <input id="year" name="year" type="number" min={2000} max={2100} defaultValue={year} className="input-8rem" />
          <button type="submit" className="secondary">
            {t("calendar.show")}
          </button>
        </Form>
        {entries.length === 0 ? (
          <p>{t("calendar.empty")}</p>
        ) : (
          <div className="table-wrap">
            <table className="cards">
              <thead>
                <tr>
                  <th>{t("calendar.day")}</th>
                  <th>{t("calendar.kind")}</th>
                  <th>{t("calendar.name")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.day}>
                    <td data-label={t("calendar.day")}>
                      {e.day} {t(`calendar.weekdays.${e.weekday}`)}
                    </td>
                    <td data-label={t("calendar.kind")}>{t(`calendar.kinds.${e.kind}`)}</td>
                    <td data-label={t("calendar.name")}>{e.name}</td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="intent" value="remove" />
                        <input type="hidden" name="day" value={e.day} />
                        <button type="submit" className="danger" aria-label={t("calendar.removeNamed", { day: e.day })}>
                          {t("calendar.remove")}
                        </button>
                      </Form>
                    </td>
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
