import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FormError, Notice } from "~/components/forms";
import { actsForVillage } from "~/models/agent.server";
import { allowedActionsOf, PANEL_MEMBER_TRANSITIONS } from "~/models/lifecycle";
import { declare, drawPanel, panelFor, poolSpecialties } from "~/models/panel.server";
import { getPublicNotice } from "~/models/tender.server";
import { actorOf, forbidden, requireRole, notFound } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.panel"));
export const handle = { hydrate: false, i18n: ["evaluation", "errors"] };

/** A tender's evaluation panel: the host draws it; members declare; supervisors read. Nobody else sees a name. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["committee", "agent", "expert", "supervisor", "county_admin"]);
  const notice = await getPublicNotice(context.db, context.clock, params.id ?? "");
  if (!notice) throw notFound();
  const viewer = { userId: auth.user.id, role: auth.membership.role, orgId: auth.membership.org.id };
  const host = (viewer.role === "committee" || viewer.role === "agent") && (await actsForVillage(context.db, notice.project, viewer.role, viewer.orgId));
  const seen = await panelFor(context.db, notice.tender.id, viewer);
  if (!seen && !host) throw forbidden("panel");
  return {
    tender: { id: notice.tender.id, name: notice.project.name, size: notice.tender.panelSize, evaluating: notice.project.state === "evaluating" },
    host,
    me: auth.user.id,
    specialties: host && !seen ? await poolSpecialties(context.db, notice.project.countyId) : [],
    panel: seen && {
      drawnAt: formatBeijing(seen.panel.drawnAt),
      specialty: seen.panel.specialty,
      seed: seen.panel.seed,
      members: seen.members,
      exclusions: seen.exclusions,
    },
  };
}

/** Draw the panel (committee, agent), or accept / recuse oneself (expert). */
const panelFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [z.object({ intent: z.literal("draw"), specialty: formText }), z.object({ intent: z.enum(["accept", "recuse"]), reason: formText })]),
);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["committee", "agent", "expert"]);
  const form = await parseForm(request, panelFormSchema);
  // An intent the page does not have is refused as one the role may not send.
  if (!form.ok) return data({ errors: form.errors.intent ? ({ form: "errors.forbidden" } as FormErrors) : form.errors, done: null }, { status: form.errors.intent ? 403 : 400 });
  const f = form.data;
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const tenderId = params.id ?? "";
  try {
    if (f.intent === "draw" && auth.membership.role !== "expert") {
      await drawPanel(context.db, { clock: context.clock, actor, actingOrgId: auth.membership.org.id, tenderId, opts: { specialty: f.specialty || null } });
    } else if (f.intent !== "draw" && auth.membership.role === "expert") {
      await declare(context.db, { clock: context.clock, actor, tenderId, input: { accept: f.intent === "accept", reason: f.reason } });
    } else return data({ errors: { form: "errors.forbidden" } as FormErrors, done: null }, { status: 403 });
  } catch (e) {
    const refused = refusal(e);
    return data({ errors: refused.errors, done: null }, { status: refused.status });
  }
  return { errors: {} as FormErrors, done: f.intent };
}

export default function PanelPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const mine = d.panel?.members.find((m) => m.expertId === d.me);
  // Experts get into the evaluation once they have accepted; the host and the supervisors as soon as there is a panel.
  const mayEvaluate = Boolean(d.panel) && (!mine || (mine.role === "member" && mine.status === "accepted"));
  return (
    <div className="stack">
      <section className="card">
        <p>
          <Link to={`/notices/${d.tender.id}`}>← {d.tender.name}</Link>
        </p>
        <h1>
          {t("panel.title")} · {d.tender.name}
        </h1>
        <p className="muted">{t("panel.secret")}</p>
        {mayEvaluate && (
          <p>
            <Link to={`/evaluations/${d.tender.id}`} className="button" data-testid="enter-evaluation">
              {t("evaluation.enter")}
            </Link>
          </p>
        )}
        {result?.done && <Notice>{t(`panel.done.${result.done}`)}</Notice>}
        <FormError errors={result?.errors} />
      </section>
      {!d.panel && d.host && (
        <section className="card">
          {d.tender.evaluating ? (
            <Form method="post" className="stack">
              <p>{t("panel.drawHint", { size: d.tender.size })}</p>
              <label htmlFor="specialty">{t("panel.specialty")}</label>
              <select id="specialty" name="specialty" defaultValue="">
                <option value="">{t("panel.anySpecialty")}</option>
                {d.specialties.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
              <button type="submit" name="intent" value="draw" className="primary">
                {t("panel.draw")}
              </button>
            </Form>
          ) : (
            <p className="notice warn">{t("errors.panel.notNow")}</p>
          )}
        </section>
      )}
      {mine && mine.role === "member" && allowedActionsOf(PANEL_MEMBER_TRANSITIONS, mine.status, "expert").includes("accept") && (
        <section className="card stack">
          <h2>{t("panel.declareTitle")}</h2>
          <Form method="post">
            <button type="submit" name="intent" value="accept" className="primary">
              {t("panel.accept")}
            </button>
          </Form>
          <Form method="post" className="stack">
            <label htmlFor="reason">{t("panel.recuseReason")}</label>
            <textarea id="reason" name="reason" rows={2} maxLength={1000} />
            <button type="submit" name="intent" value="recuse">
              {t("panel.recuse")}
            </button>
          </Form>
        </section>
      )}
      {d.panel && (
        <section className="card" aria-labelledby="members-h">
          <h2 id="members-h">{t("panel.members")}</h2>
          <p className="muted small">
            {t("panel.drawnAt", { at: d.panel.drawnAt })} · {t("panel.seed")} <code className="hash">{d.panel.seed}</code>
          </p>
          <ol data-testid="panel-members">
            {d.panel.members.map((m) => (
              <li key={m.expertId}>
                {m.name} · {t(`panel.role.${m.role}`)} · {t(`panel.status.${m.status}`)}
              </li>
            ))}
          </ol>
          {d.panel.exclusions.length > 0 && (
            <>
              <h3>{t("panel.exclusions")}</h3>
              <ul data-testid="panel-exclusions">
                {d.panel.exclusions.map((e) => (
                  <li key={e.expertId}>
                    {e.name} — {t(`panel.reason.${e.reason}`)}
                    {e.detail ? `（${e.detail}）` : ""}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </div>
  );
}
