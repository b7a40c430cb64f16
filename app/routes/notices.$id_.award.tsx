import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { CreditGrade } from "~/components/credit-grade";
import { ErrorSummary, Notice } from "~/components/forms";
import { SignDocument } from "~/components/sign-document";
import { approveAward, awardView, completeProject, decideAward, recordContract, releaseSecurity } from "~/models/award.server";
import { gradesOfBids } from "~/models/credit.server";
import { allowedActionsOf, AWARD_TRANSITIONS } from "~/models/lifecycle";
import { listPasskeys } from "~/models/passkey.server";
import { actorOf, forbidden, requireRole } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { formatFen, parseYuanToFen } from "~/utils/money";
import { beijingDay, formatBeijing } from "~/utils/time";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, (t) => [data?.tender.name, t("titles.award")]);
export const handle = { i18n: ["bid", "award", "company", "errors"] };
// Hydrated: signing the award notice needs the passkey in the browser. Every other form works without JavaScript.

/**
 * The award (定标) after publicity: the committee confirms the winner (or, under
 * 评定分离, chooses another candidate for the supervisor's approval) and signs
 * the award notice; then contract, bid security releases, acceptance and
 * settlement. The host and the township's supervisors only.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["committee", "agent", "supervisor", "county_admin"]);
  const v = await awardView(context.db, context.clock, params.id ?? "", { userId: auth.user.id, role: auth.membership.role, orgId: auth.membership.org.id });
  if (!v) throw forbidden("award");
  const a = v.award;
  const committee = v.host && auth.membership.role === "committee";
  const state = v.project.state;
  // What the viewer's role may do with the award, from its table.
  const awardActions = a ? allowedActionsOf(AWARD_TRANSITIONS, a.state, auth.membership.role) : [];
  // The committee chooses among the candidates knowing each one's credit grade.
  const grades = await gradesOfBids(
    context.db,
    v.candidates.map((c) => c.bidId),
    beijingDay(v.now),
  );
  return {
    tender: { id: v.tender.id, name: v.project.name, state },
    today: beijingDay(v.now),
    role: {
      host: v.host,
      committee,
      // A county administrator reads; the township's supervisor approves.
      approver: v.supervisor && auth.membership.role === "supervisor",
    },
    separate: v.separate,
    candidates: v.candidates.map((c) => ({ bidId: c.bidId, place: c.place, company: c.company, price: formatFen(c.priceFen), grade: grades.get(c.bidId) ?? null })),
    blockers: v.blockers,
    mayDecide: committee && state === "publicity" && v.blockers.length === 0 && (!a || awardActions.includes("decide")),
    hasPasskey: committee ? (await listPasskeys(context.db, auth.user.id)).length > 0 : false,
    award: a && {
      state: a.state,
      actions: awardActions,
      winner: a.winner,
      price: formatFen(a.priceFen),
      decider: a.decider,
      decidedAt: formatBeijing(a.decidedAt),
      reasons: a.reasons,
      approvalNote: a.approvalNote,
      signedAt: a.signedAt ? formatBeijing(a.signedAt) : null,
      contractDate: a.contractDate,
      acceptanceDate: a.acceptanceDate,
      settlement: a.settlementFen === null ? null : formatFen(a.settlementFen),
    },
    releases: v.releases.map((r) => ({
      bidId: r.bidId,
      company: r.company,
      amount: formatFen(r.amountFen),
      dueAt: formatBeijing(r.dueAt),
      releasedAt: r.releasedAt ? formatBeijing(r.releasedAt) : null,
      overdue: r.overdue,
    })),
  };
}

/** The award page's forms, one per intent; which role may send which is checked in the action. */
const awardFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("decide") }),
    z.object({ intent: z.literal("choose"), winner: formText, reasons: formText }),
    z.object({ intent: z.enum(["approve", "reject"]), note: formText }),
    z.object({ intent: z.literal("contract"), contractDate: formText }),
    z.object({ intent: z.literal("release"), bidId: formText, note: formText }),
    z.object({ intent: z.literal("complete"), acceptanceDate: formText, settlement: formText }),
  ]),
);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["committee", "agent", "supervisor"]);
  const form = await parseForm(request, awardFormSchema);
  // An intent the page does not have is refused as one the role may not send.
  if (!form.ok) return data({ errors: form.errors.intent ? ({ form: "errors.forbidden" } as FormErrors) : form.errors, done: null }, { status: form.errors.intent ? 403 : 400 });
  const f = form.data;
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const role = auth.membership.role;
  const orgId = auth.membership.org.id;
  const tenderId = params.id ?? "";
  const { db, clock } = context;
  try {
    if (f.intent === "decide" && role === "committee") await decideAward(db, { clock, actor, actingOrgId: orgId, tenderId, input: {} });
    else if (f.intent === "choose" && role === "committee")
      await decideAward(db, { clock, actor, actingOrgId: orgId, tenderId, input: { winnerBidId: f.winner, reasons: f.reasons } });
    else if ((f.intent === "approve" || f.intent === "reject") && role === "supervisor")
      await approveAward(db, { clock, actor, townshipId: orgId, tenderId, approve: f.intent === "approve", note: f.note });
    else if (f.intent === "contract" && role !== "supervisor") await recordContract(db, { clock, actor, actingOrgId: orgId, tenderId, day: f.contractDate });
    else if (f.intent === "release" && role !== "supervisor") await releaseSecurity(db, { clock, actor, actingOrgId: orgId, tenderId, bidId: f.bidId, note: f.note });
    else if (f.intent === "complete" && role !== "supervisor")
      await completeProject(db, {
        clock,
        actor,
        actingOrgId: orgId,
        tenderId,
        input: { acceptanceDate: f.acceptanceDate, settlementFen: parseYuanToFen(f.settlement) },
      });
    else return data({ errors: { form: "errors.forbidden" } as FormErrors, done: null }, { status: 403 });
  } catch (e) {
    const refused = refusal(e);
    return data({ errors: refused.errors, done: null }, { status: refused.status });
  }
  return { errors: {} as FormErrors, done: f.intent };
}

export default function AwardPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const a = d.award;
  const signed = a?.state === "signed";
  return (
    <div className="stack">
      <section className="card">
        <p>
          <Link to={`/notices/${d.tender.id}`}>← {d.tender.name}</Link> · <Link to={`/notices/${d.tender.id}/publicity`}>{t("publicity.link")}</Link>
        </p>
        <h1>
          {t("award.title")} · {d.tender.name}
        </h1>
        <p>
          <span className={`state state-${d.tender.state}`}>{t(`project.states.${d.tender.state}`)}</span>
        </p>
        {result?.done && <Notice>{t(`award.done.${result.done}`)}</Notice>}
        <ErrorSummary errors={result?.errors} />
      </section>

      <section className="card" aria-labelledby="candidates-h">
        <h2 id="candidates-h">{t("award.candidates")}</h2>
        <div className="table-wrap">
          <table data-testid="award-candidates">
            <thead>
              <tr>
                <th>{t("publicity.cols.place")}</th>
                <th>{t("publicity.cols.company")}</th>
                <th>{t("publicity.cols.price")}</th>
                <th>{t("credit.gradeLabel")}</th>
              </tr>
            </thead>
            <tbody>
              {d.candidates.map((c) => (
                <tr key={c.bidId}>
                  <td>{t("publicity.place", { n: c.place })}</td>
                  <td>{c.company}</td>
                  <td>{c.price}</td>
                  <td>{c.grade && <CreditGrade grade={c.grade} why />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {(!a || a.state === "rejected") && d.tender.state === "publicity" && (
        <section className="card stack" aria-labelledby="decide-h">
          <h2 id="decide-h">{t("award.decideTitle")}</h2>
          {d.blockers.length > 0 ? (
            <div className="notice warn" role="status" data-testid="award-blockers">
              <p>
                <strong>{t("award.blockedTitle")}</strong>
              </p>
              <ul>
                {d.blockers.map((b) => (
                  <li key={b}>{t(b)}</li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="notice ok">{t("award.ready")}</p>
          )}
          {d.mayDecide && (
            <>
              <Form method="post" className="stack">
                <p>{t("award.confirmFirstHint")}</p>
                <button type="submit" name="intent" value="decide" className="primary">
                  {t("award.confirmFirst")}
                </button>
              </Form>
              {d.separate && d.candidates.length > 1 && (
                <Form method="post" className="stack">
                  <h3>{t("award.chooseTitle")}</h3>
                  <p className="hint">{t("award.chooseHint")}</p>
                  <label htmlFor="winner">{t("award.winnerLabel")}</label>
                  <select id="winner" name="winner" required defaultValue="">
                    <option value="" disabled>
                      —
                    </option>
                    {d.candidates.slice(1).map((c) => (
                      <option key={c.bidId} value={c.bidId}>
                        {t("publicity.place", { n: c.place })} · {c.company}
                      </option>
                    ))}
                  </select>
                  <label htmlFor="reasons">{t("award.reasonsLabel")}</label>
                  <textarea id="reasons" name="reasons" rows={3} maxLength={4000} required minLength={10} />
                  <button type="submit" name="intent" value="choose">
                    {t("award.choose")}
                  </button>
                </Form>
              )}
            </>
          )}
        </section>
      )}

      {a && (
        <section className="card stack" aria-labelledby="decision-h" data-testid="award-decision">
          <h2 id="decision-h">{t("award.decisionTitle")}</h2>
          <p>
            <span className="tag">{t(`award.state.${a.state}`)}</span>
          </p>
          <dl className="facts">
            <dt>{t("award.winner")}</dt>
            <dd>{a.winner}</dd>
            <dt>{t("award.price")}</dt>
            <dd>{a.price}</dd>
            {a.reasons && (
              <>
                <dt>{t("award.reasons")}</dt>
                <dd>{a.reasons}</dd>
              </>
            )}
            {a.approvalNote && (
              <>
                <dt>{t("award.approvalNote")}</dt>
                <dd>{a.approvalNote}</dd>
              </>
            )}
          </dl>
          <p className="hint">{t("award.decided", { name: a.decider, at: a.decidedAt })}</p>

          {d.role.approver && a.actions.includes("approve") && (
            <Form method="post" className="stack">
              <h3>{t("award.approveTitle")}</h3>
              <label htmlFor="note">{t("award.noteLabel")}</label>
              <textarea id="note" name="note" rows={2} maxLength={4000} />
              <div className="row">
                <button type="submit" name="intent" value="approve" className="primary">
                  {t("award.approve")}
                </button>
                <button type="submit" name="intent" value="reject" className="danger">
                  {t("award.reject")}
                </button>
              </div>
            </Form>
          )}

          {d.role.committee && a.actions.includes("sign") && d.tender.state === "publicity" && (
            <div className="stack">
              <h3>{t("award.signTitle")}</h3>
              <noscript>
                <p className="notice warn">{t("award.needsJs")}</p>
              </noscript>
              {!d.hasPasskey && (
                <p className="notice warn">
                  {t("award.noPasskey")} <Link to="/account">{t("nav.account")}</Link>
                </p>
              )}
              <SignDocument endpoint={`/notices/${d.tender.id}/award/sign`} label={t("award.sign")} hint={t("award.signHint")} testId="sign-award" />
            </div>
          )}

          {signed && (
            <p>
              <a href={`/notices/${d.tender.id}/award-notice`} data-testid="award-notice-link">
                {t("award.notice")}
              </a>{" "}
              <span className="muted">{t("award.signedAt", { at: a.signedAt })}</span> · <Link to="/verify">{t("verify.title")}</Link>
            </p>
          )}
        </section>
      )}

      {signed && a && (
        <section className="card stack" aria-labelledby="contract-h">
          <h2 id="contract-h">{t("award.contractTitle")}</h2>
          {a.contractDate ? (
            <p data-testid="contract-date">{t("award.contractRecorded", { day: a.contractDate })}</p>
          ) : d.role.host && d.tender.state === "awarded" ? (
            <Form method="post" className="stack">
              <p className="hint">{t("award.contractHint")}</p>
              <label htmlFor="contractDate">{t("award.contractDate")}</label>
              <input id="contractDate" name="contractDate" type="date" max={d.today} required />
              <button type="submit" name="intent" value="contract">
                {t("award.recordContract")}
              </button>
            </Form>
          ) : (
            <p className="muted">{t("award.contractHint")}</p>
          )}
        </section>
      )}

      {signed && (
        <section className="card stack" aria-labelledby="releases-h">
          <h2 id="releases-h">{t("award.releasesTitle")}</h2>
          <p className="hint">{t("award.releasesHint")}</p>
          {d.releases.length === 0 ? (
            <p className="muted">{t("award.noReleases")}</p>
          ) : (
            <ul className="list" data-testid="security-releases">
              {d.releases.map((r) => (
                <li key={r.bidId}>
                  <div>
                    <strong>{r.company}</strong> {r.amount}
                    <small>{t("award.dueAt", { at: r.dueAt })}</small>
                  </div>
                  {r.releasedAt ? (
                    <span className="tag">{t("award.released", { at: r.releasedAt })}</span>
                  ) : (
                    <div className="stack">
                      <p>
                        <span className="tag">{t("award.pending")}</span>
                        {r.overdue && <span className="tag bad">{t("award.overdue")}</span>}
                      </p>
                      {d.role.host && (
                        <Form method="post" className="row">
                          <input type="hidden" name="bidId" value={r.bidId} />
                          <label htmlFor={`note-${r.bidId}`} className="sr-only">
                            {t("award.releaseNote")}
                          </label>
                          <input id={`note-${r.bidId}`} name="note" type="text" maxLength={200} placeholder={t("award.releaseNote")} />
                          <button type="submit" name="intent" value="release">
                            {t("award.release")}
                          </button>
                        </Form>
                      )}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      {signed && a?.contractDate && (
        <section className="card stack" aria-labelledby="complete-h">
          <h2 id="complete-h">{t("award.completeTitle")}</h2>
          {a.acceptanceDate ? (
            <p data-testid="completion">{t("award.completed", { day: a.acceptanceDate, amount: a.settlement })}</p>
          ) : d.role.host && d.tender.state === "awarded" ? (
            <Form method="post" className="stack">
              <label htmlFor="acceptanceDate">{t("award.acceptanceDate")}</label>
              <input id="acceptanceDate" name="acceptanceDate" type="date" min={a.contractDate} max={d.today} required />
              <label htmlFor="settlement">{t("award.settlement")}</label>
              <input id="settlement" name="settlement" type="text" inputMode="decimal" required />
              <button type="submit" name="intent" value="complete" className="primary">
                {t("award.complete")}
              </button>
            </Form>
          ) : null}
        </section>
      )}
    </div>
  );
}
