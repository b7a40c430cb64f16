import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { getCountySettings } from "~/models/county-settings.server";
import { listChildren, listOrgsInCounty } from "~/models/org.server";
import { switchMembership } from "~/models/session.server";
import { DomainError } from "~/models/errors";
import { actorOf, forbidden, requireAuth } from "~/utils/auth.server";
import { parseForm } from "~/utils/forms";
import { formatFen } from "~/utils/money";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.dashboard"));
export const handle = { i18n: ["account", "projects", "workspace", "errors"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireAuth(request, context);
  const m = auth.membership;
  let scope: { townships?: { name: string; villages: string[] }[]; villages?: string[]; thresholds?: string[] } = {};
  if (m?.role === "county_admin") {
    const townships = await listOrgsInCounty(context.db, m.org.id, "township");
    const settings = await getCountySettings(context.db, m.org.id);
    scope = {
      townships: await Promise.all(townships.map(async (t) => ({ name: t.name, villages: (await listChildren(context.db, t.id)).map((v) => v.name) }))),
      thresholds: [formatFen(settings.mandatoryThresholdWorksFen), formatFen(settings.mandatoryThresholdGoodsFen), formatFen(settings.mandatoryThresholdServicesFen)],
    };
  } else if (m?.role === "supervisor") {
    scope = { villages: (await listChildren(context.db, m.org.id)).map((v) => v.name) };
  }
  return {
    name: auth.user.name,
    current: m ? { id: m.id, role: m.role, org: m.org.name } : null,
    memberships: auth.memberships.map((x) => ({ id: x.id, role: x.role, org: x.org.name })),
    scope,
  };
}

const switchFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ membershipId: z.string() }));

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth(request, context);
  const form = await parseForm(request, switchFormSchema);
  try {
    await switchMembership(context.db, {
      clock: context.clock,
      actor: actorOf(request, context, auth),
      sessionId: auth.session.id,
      membershipId: form.ok ? form.data.membershipId : "",
    });
  } catch (e) {
    if (e instanceof DomainError) throw forbidden("own_membership");
    throw e;
  }
  throw redirect("/dashboard");
}

export default function Dashboard() {
  const { t } = useTranslation();
  const { name, current, memberships, scope } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("dashboard.title", { name })}</h1>
        {current ? <p>{t("dashboard.actingAs", { role: t(`roles.${current.role}`), org: current.org })}</p> : <p className="notice">{t("dashboard.noRole")}</p>}
        {memberships.length > 1 && (
          <Form method="post" className="row">
            <label htmlFor="membershipId">{t("dashboard.switchRole")}</label>
            <select id="membershipId" name="membershipId" defaultValue={current?.id}>
              {memberships.map((m) => (
                <option key={m.id} value={m.id}>
                  {t(`roles.${m.role}`)} · {m.org}
                </option>
              ))}
            </select>
            <button type="submit">{t("dashboard.switch")}</button>
          </Form>
        )}
      </section>
      {current && (
        <section className="card">
          <h2>{t("dashboard.whatYouDo")}</h2>
          <p>{t(`dashboard.roleIntro.${current.role}`)}</p>
          {scope.thresholds && <p>{t("dashboard.thresholds", { works: scope.thresholds[0], goods: scope.thresholds[1], services: scope.thresholds[2] })}</p>}
          {scope.townships && (
            <ul className="plain">
              {scope.townships.map((tw) => (
                <li key={tw.name}>
                  <strong>{tw.name}</strong>：{tw.villages.join("、")}
                </li>
              ))}
            </ul>
          )}
          {scope.villages && <p>{t("dashboard.villagesInTownship", { villages: scope.villages.join("、") })}</p>}
          <ul className="links">
            {(current.role === "committee" || current.role === "agent" || current.role === "supervisor" || current.role === "county_admin") && (
              <li>
                <a href="/projects">{t("nav.projects")}</a>
              </li>
            )}
            {current.role === "contractor" && (
              <li>
                <a href="/notices?status=open">{t("nav.notices")}</a>
              </li>
            )}
            <li>
              <a href="/notifications">{t("nav.notifications")}</a>
            </li>
            {current.role === "committee" && (
              <li>
                <a href="/projects/new">{t("project.newTitle")}</a>
              </li>
            )}
            {current.role === "county_admin" && (
              <>
                <li>
                  <a href="/admin/settings">{t("nav.settings")}</a>
                </li>
                <li>
                  <a href="/admin/calendar">{t("nav.calendar")}</a>
                </li>
              </>
            )}
            {(current.role === "county_admin" || current.role === "supervisor") && (
              <li>
                <a href="/supervision">{t("supervision.nav")}</a>
              </li>
            )}
            {(current.role === "county_admin" || current.role === "supervisor") && (
              <li>
                <a href="/audit">{t("nav.audit")}</a>
              </li>
            )}
            {(current.role === "county_admin" || current.role === "supervisor") && (
              <li>
                <a href="/reset-codes">{t("reset.issueTitle")}</a>
              </li>
            )}
            <li>
              <a href="/account">{t("nav.account")}</a>
            </li>
          </ul>
        </section>
      )}
    </div>
  );
}
