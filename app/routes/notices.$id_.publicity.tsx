import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { PrintQr } from "~/components/print-qr";
import { ErrorSummary, Notice } from "~/components/forms";
import { showScore } from "~/models/evaluation-rules.server";
import { allowedActionsOf, COMPLAINT_TRANSITIONS, OBJECTION_TRANSITIONS } from "~/models/lifecycle";
import { answerObjection, fileComplaint, fileObjection, handleComplaint, publicityView, type ComplaintDecision } from "~/models/publicity.server";
import { actorOf, getAuth, requireRole, notFound } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";
import { publicQr } from "~/utils/qr.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, (t) => [data?.tender.name, t("titles.publicity")]);
export const handle = { hydrate: false, i18n: ["evaluation", "award", "errors"] };

const DECISIONS = ["accept", "reject", "uphold", "dismiss"] as const satisfies readonly ComplaintDecision[];

/**
 * Candidate publicity (中标候选人公示), public: the candidates, the panel and
 * every complaint's outcome. A bidder of the tender objects and complains
 * here and sees its own; the host answers objections; the township's
 * supervisor handles complaints.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await getAuth(request, context);
  const viewer = auth?.membership ? { userId: auth.user.id, role: auth.membership.role, orgId: auth.membership.org.id } : null;
  const v = await publicityView(context.db, context.clock, params.id ?? "", viewer);
  if (!v) throw notFound();
  const now = v.now.getTime();
  const qr = await publicQr(context, `/notices/${v.publicity.tenderId}/publicity`);
  return {
    qr,
    tender: { id: v.publicity.tenderId, name: v.project.name, state: v.project.state },
    period: { from: formatBeijing(v.publicity.startsAt), to: formatBeijing(v.publicity.endsAt), running: now < v.publicity.endsAt.getTime() },
    method: v.method,
    candidates: v.candidates.map((c) => ({ place: c.place, company: c.company, price: formatFen(c.priceFen), score: c.total === null ? null : showScore(c.total) })),
    panel: v.panel,
    viewer: {
      loggedIn: Boolean(auth),
      host: v.host,
      supervisor: v.supervisor,
      // Only a township supervisor handles complaints (a county administrator reads).
      handlesComplaints: v.supervisor && viewer?.role === "supervisor",
      bidder: v.bidder,
      canObject: v.canObject,
      canComplain: v.canComplain,
    },
    objections: v.objections.map((o) => ({
      id: o.id,
      company: o.company,
      body: o.body,
      state: o.state,
      filedAt: formatBeijing(o.filedAt),
      dueAt: formatBeijing(o.dueAt),
      overdue: o.state === "open" && now > o.dueAt.getTime(),
      // What the viewer's role may do with it, from the objection's table (the host alone answers: v.host).
      actions: viewer ? allowedActionsOf(OBJECTION_TRANSITIONS, o.state, viewer.role) : [],
      answer: o.answer,
      answeredAt: o.answeredAt ? formatBeijing(o.answeredAt) : null,
    })),
    complaints: v.complaints.map((c) => ({
      id: c.id,
      company: c.company,
      body: c.body,
      state: c.state,
      filedAt: formatBeijing(c.filedAt),
      acceptDueAt: c.state === "filed" ? formatBeijing(c.acceptDueAt) : null,
      decideDueAt: c.state === "accepted" && c.decideDueAt ? formatBeijing(c.decideDueAt) : null,
      overdue: (c.state === "filed" && now > c.acceptDueAt.getTime()) || (c.state === "accepted" && c.decideDueAt !== null && now > c.decideDueAt.getTime()),
      outcome: c.outcome,
      decidedAt: c.decidedAt ? formatBeijing(c.decidedAt) : null,
      // What the viewer's role may do with it, from the complaint's table (the township's supervisor alone handles it: handlesComplaints).
      actions: viewer ? allowedActionsOf(COMPLAINT_TRANSITIONS, c.state, viewer.role) : [],
    })),
  };
}

/** The publicity page's forms, one per intent; which role may send which is checked in the action. */
const publicityFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [
    z.object({ intent: z.enum(["object", "complain"]), body: formText }),
    z.object({ intent: z.literal("answer"), objectionId: formText, answer: formText }),
    z.object({ intent: z.enum(DECISIONS), complaintId: formText, outcome: formText }),
  ]),
);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor", "committee", "agent", "supervisor"]);
  const form = await parseForm(request, publicityFormSchema);
  // An intent the page does not have is refused as one the role may not send.
  if (!form.ok) return data({ errors: form.errors.intent ? ({ form: "errors.forbidden" } as FormErrors) : form.errors, done: null }, { status: form.errors.intent ? 403 : 400 });
  const f = form.data;
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const role = auth.membership.role;
  const orgId = auth.membership.org.id;
  const tenderId = params.id ?? "";
  try {
    if (f.intent === "object" && role === "contractor") await fileObjection(context.db, { clock: context.clock, actor, companyId: orgId, tenderId, body: f.body });
    else if (f.intent === "complain" && role === "contractor") await fileComplaint(context.db, { clock: context.clock, actor, companyId: orgId, tenderId, body: f.body });
    else if (f.intent === "answer" && (role === "committee" || role === "agent"))
      await answerObjection(context.db, { clock: context.clock, actor, actingOrgId: orgId, tenderId, objectionId: f.objectionId, answer: f.answer });
    else if ("complaintId" in f && role === "supervisor")
      await handleComplaint(context.db, {
        clock: context.clock,
        actor,
        townshipId: orgId,
        tenderId,
        complaintId: f.complaintId,
        decision: f.intent,
        outcome: f.outcome,
      });
    else return data({ errors: { form: "errors.forbidden" } as FormErrors, done: null }, { status: 403 });
  } catch (e) {
    const refused = refusal(e);
    return data({ errors: refused.errors, done: null }, { status: refused.status });
  }
  return { errors: {} as FormErrors, done: f.intent };
}

export default function PublicityPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const v = d.viewer;
  const showsObjections = v.host || v.supervisor || v.bidder;
  return (
    <div className="stack">
      <section className="card">
        <p>
          <Link to={`/notices/${d.tender.id}`}>← {d.tender.name}</Link>
        </p>
        <h1>
          {t("publicity.title")} · {d.tender.name}
        </h1>
        <p>
          <span className={`state state-${d.tender.state}`}>{t(`project.states.${d.tender.state}`)}</span>{" "}
          {!d.period.running && <span className="tag">{t("publicity.ended")}</span>}
        </p>
        <p data-testid="publicity-period">{t("publicity.period", { from: d.period.from, to: d.period.to })}</p>
        {d.method && <p className="muted">{t("publicity.method", { method: t(`tender.methods.${d.method}`) })}</p>}
        {result?.done && <Notice>{t(`publicity.done.${result.done}`)}</Notice>}
        <ErrorSummary errors={result?.errors} />
        <p className="row">
          <Link to={`/notices/${d.tender.id}/draw`}>{t("draw.link")} →</Link>
          {(v.host || v.supervisor) && <Link to={`/notices/${d.tender.id}/award`}>{t("award.link")} →</Link>}
        </p>
      </section>

      <section className="card" aria-labelledby="candidates-h">
        <h2 id="candidates-h">{t("publicity.candidates")}</h2>
        <div className="table-wrap">
          <table data-testid="publicity-candidates">
            <thead>
              <tr>
                <th>{t("publicity.cols.place")}</th>
                <th>{t("publicity.cols.company")}</th>
                <th>{t("publicity.cols.price")}</th>
                {d.candidates.some((c) => c.score !== null) && <th>{t("publicity.cols.score")}</th>}
              </tr>
            </thead>
            <tbody>
              {d.candidates.map((c) => (
                <tr key={c.place}>
                  <td>{t("publicity.place", { n: c.place })}</td>
                  <td>{c.company}</td>
                  <td>{c.price}</td>
                  {d.candidates.some((x) => x.score !== null) && <td>{c.score ?? "—"}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {d.panel.length > 0 && (
          <>
            <h3>{t("publicity.panel")}</h3>
            <p data-testid="publicity-panel">{d.panel.join("、")}</p>
          </>
        )}
      </section>

      {showsObjections && (
        <section className="card stack" aria-labelledby="objections-h">
          <h2 id="objections-h">{v.bidder && !v.host && !v.supervisor ? t("publicity.ownObjections") : t("publicity.objectionsTitle")}</h2>
          <p className="hint">{t("publicity.objectionsHint")}</p>
          {d.objections.length === 0 ? (
            <p className="muted">{t("publicity.noObjections")}</p>
          ) : (
            <ol className="plain-ol" data-testid="objections">
              {d.objections.map((o) => (
                <li key={o.id}>
                  <p>
                    <span className="tag">{t(`publicity.objectionState.${o.state}`)}</span>
                    {o.overdue && <span className="tag bad">{t("publicity.overdue")}</span>}
                    {o.company && <strong> {o.company}</strong>}
                  </p>
                  <p className="prewrap">{o.body}</p>
                  <p className="hint">
                    {t("publicity.filedAt", { at: o.filedAt })} · {t("publicity.dueAt", { at: o.dueAt })}
                  </p>
                  {o.answer ? (
                    <p className="prewrap">
                      <strong>{t("publicity.answered", { at: o.answeredAt })}</strong> {o.answer}
                    </p>
                  ) : (
                    <p className="muted">{t("publicity.notAnswered")}</p>
                  )}
                  {v.host && o.actions.includes("answer") && (
                    <Form method="post" className="stack">
                      <input type="hidden" name="objectionId" value={o.id} />
                      <label htmlFor={`answer-${o.id}`}>{t("publicity.answerLabel")}</label>
                      <textarea id={`answer-${o.id}`} name="answer" rows={3} maxLength={4000} required minLength={4} />
                      <button type="submit" name="intent" value="answer" className="primary">
                        {t("publicity.answer")}
                      </button>
                    </Form>
                  )}
                </li>
              ))}
            </ol>
          )}
          {v.canObject && (
            <Form method="post" className="stack">
              <label htmlFor="objection-body">{t("publicity.objectionText")}</label>
              <textarea id="objection-body" name="body" rows={3} maxLength={4000} required minLength={4} />
              <button type="submit" name="intent" value="object" className="primary">
                {t("publicity.object")}
              </button>
            </Form>
          )}
        </section>
      )}

      <section className="card stack" aria-labelledby="complaints-h">
        <h2 id="complaints-h">{t("publicity.complaintsTitle")}</h2>
        <p className="hint">{t("publicity.complaintsHint")}</p>
        {d.complaints.length === 0 ? (
          <p className="muted">{t("publicity.noComplaints")}</p>
        ) : (
          <ol className="plain-ol" data-testid="complaints">
            {d.complaints.map((c) => (
              <li key={c.id}>
                <p>
                  <span className="tag">{t(`publicity.complaintState.${c.state}`)}</span>
                  {c.overdue && <span className="tag bad">{t("publicity.overdue")}</span>}
                  {c.company && <span> {t("publicity.from", { company: c.company })}</span>}
                </p>
                {c.body && <p className="prewrap">{c.body}</p>}
                <p className="hint">
                  {t("publicity.filedAt", { at: c.filedAt })}
                  {c.acceptDueAt && <> · {t("publicity.acceptDueAt", { at: c.acceptDueAt })}</>}
                  {c.decideDueAt && <> · {t("publicity.decideDueAt", { at: c.decideDueAt })}</>}
                </p>
                {c.outcome && (
                  <p className="prewrap">
                    <strong>{t("publicity.outcome")}</strong> {c.outcome} <span className="muted">{c.decidedAt}</span>
                  </p>
                )}
                {v.handlesComplaints && c.actions.includes("accept") && (
                  <div className="stack">
                    <Form method="post">
                      <input type="hidden" name="complaintId" value={c.id} />
                      <button type="submit" name="intent" value="accept" className="primary">
                        {t("publicity.accept")}
                      </button>
                    </Form>
                    <Form method="post" className="stack">
                      <input type="hidden" name="complaintId" value={c.id} />
                      <label htmlFor={`reject-${c.id}`}>{t("publicity.outcomeLabel")}</label>
                      <textarea id={`reject-${c.id}`} name="outcome" rows={2} maxLength={4000} required minLength={4} />
                      <button type="submit" name="intent" value="reject" className="danger">
                        {t("publicity.reject")}
                      </button>
                    </Form>
                  </div>
                )}
                {v.handlesComplaints && c.actions.includes("uphold") && (
                  <Form method="post" className="stack">
                    <input type="hidden" name="complaintId" value={c.id} />
                    <label htmlFor={`outcome-${c.id}`}>{t("publicity.outcomeLabel")}</label>
                    <textarea id={`outcome-${c.id}`} name="outcome" rows={3} maxLength={4000} required minLength={4} />
                    <div className="row">
                      <button type="submit" name="intent" value="dismiss">
                        {t("publicity.dismiss")}
                      </button>
                      <button type="submit" name="intent" value="uphold" className="danger">
                        {t("publicity.uphold")}
                      </button>
                    </div>
                  </Form>
                )}
              </li>
            ))}
          </ol>
        )}
        {v.canComplain && (
          <Form method="post" className="stack">
            <label htmlFor="complaint-body">{t("publicity.complaintText")}</label>
            <textarea id="complaint-body" name="body" rows={3} maxLength={4000} required minLength={4} />
            <button type="submit" name="intent" value="complain">
              {t("publicity.complain")}
            </button>
          </Form>
        )}
        {!v.loggedIn && d.tender.state === "publicity" && <p className="hint">{t("publicity.loginToObject")}</p>}
      </section>
      <PrintQr qr={d.qr} />
    </div>
  );
}
