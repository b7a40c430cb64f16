import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { AmendmentList, amendmentView } from "~/components/amendment-list";
import { FormError, useErrorText } from "~/components/forms";
import { allowedActions, effectiveState } from "~/models/lifecycle";
import { activeAgent, appointAgent, listEligibleAgents, revokeAgent } from "~/models/agent.server";
import { getOrg } from "~/models/org.server";
import { currentTender, decideCancel, requestCancel } from "~/models/tender.server";
import { amendmentSchema, amendTender, answerQuestion, listAmendments, listQuestionsForVillage } from "~/models/tender-qa.server";
import { approveProject, canReadProject, getProject, returnProject, submitProject, withdrawSubmission } from "~/models/project.server";
import type { SplittingFinding } from "~/models/project-rules";
import { flagsForProject, flagView } from "~/models/risk.server";
import { archiveFor } from "~/models/archive.server";
import { ReviewState, SeverityTag } from "~/components/risk-flags";
import { actorOf, forbidden, requireRole, type RoleAuth, notFound } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, (t) => data?.project.name ?? t("titles.project"));
export const handle = { i18n: ["public", "projects", "supervision", "errors"] };

const READERS = ["committee", "agent", "supervisor", "county_admin"] as const;

async function load(request: Request, context: LoaderFunctionArgs["context"], id: string) {
  const auth = await requireRole(request, context, [...READERS]);
  const project = await getProject(context.db, id);
  if (!project) throw notFound();
  // Someone else's village or township is refused exactly like a missing role.
  if (!(await canReadProject(context.db, project, auth.membership.role, auth.membership.org.id))) throw forbidden("");
  return { auth, project };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { auth, project: p } = await load(request, context, params.id ?? "");
  const role = auth.membership.role;
  const tender = await currentTender(context.db, p.id);
  const state = effectiveState(p.state, tender?.deadline ?? null, context.clock.now());
  const agent = await activeAgent(context.db, p.id);
  const villageSide = role === "committee" || role === "agent";
  const eligibleAgents = role === "committee" ? await listEligibleAgents(context.db, (await getOrg(context.db, p.villageId))!) : [];
  const questions = tender && villageSide ? await listQuestionsForVillage(context.db, tender.id) : [];
  const amendments = tender ? await listAmendments(context.db, tender.id) : [];
  // 风险提示: supervisors and the county administrator only (null hides the section).
  const risks = role === "supervisor" || role === "county_admin" ? await flagsForProject(context.db, context.clock, p.id, { role, orgId: auth.membership.org.id }) : null;
  // 电子档案: once the project is archived, for those who may download it (audited on download).
  const archive = await archiveFor(context.db, { userId: auth.user.id, role, orgId: auth.membership.org.id }, p.id);
  return {
    risks: risks?.map(flagView) ?? null,
    archive: archive
      ? { at: formatBeijing(archive.createdAt), retainUntil: archive.retainUntil, files: archive.manifest.length, mb: (archive.zipSize / 1024 / 1024).toFixed(1) }
      : null,
    auditExport: role === "supervisor" || role === "county_admin",
    agent: agent ? { name: agent.org.name, kind: agent.org.kind, since: formatBeijing(agent.appointment.appointedAt) } : null,
    eligibleAgents: eligibleAgents.filter((o) => o.id !== agent?.org.id).map((o) => ({ id: o.id, name: o.name, kind: o.kind })),
    questions: questions.map((q) => ({
      id: q.id,
      body: q.body,
      answer: q.answer,
      askedAt: formatBeijing(q.askedAt),
      answeredAt: q.answeredAt ? formatBeijing(q.answeredAt) : null,
    })),
    amendments: amendments.map(amendmentView),
    tender: tender ? { id: tender.id, round: tender.round, deadline: formatBeijing(tender.deadline), templateVersion: tender.templateVersion } : null,
    project: {
      id: p.id,
      name: p.name,
      village: p.villageName,
      type: p.type,
      location: p.location,
      scope: p.scope,
      estimate: formatFen(p.estimateFen),
      ceiling: formatFen(p.ceilingFen),
      fundingSource: p.fundingSource,
      durationDays: p.durationDays,
      method: p.method,
      state,
      cancelReason: p.cancelReason,
      splitting: p.splitting as SplittingFinding | null,
      splittingJustification: p.splittingJustification,
      returnReason: p.returnReason,
      submittedAt: p.submittedAt ? formatBeijing(p.submittedAt) : null,
      decidedAt: p.decidedAt ? formatBeijing(p.decidedAt) : null,
      updatedAt: formatBeijing(p.updatedAt),
    },
    decisions: p.decisions.map((d) => ({ step: d.step, day: d.day, fileName: d.fileName, eligible: d.eligible, attended: d.attended, votesFor: d.votesFor })),
    actions: allowedActions(state, role),
    role,
  };
}

/** The project page's forms, one per intent (who may send which is the model's to check). */
const projectFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("appoint_agent"), agentOrgId: formText }),
    z.object({ intent: z.literal("revoke_agent") }),
    // The answer's field is named by its question (`answer-<questionId>`): one form per question on the page.
    z.looseObject({ intent: z.literal("answer"), questionId: formText }).transform((f) => ({ intent: f.intent, questionId: f.questionId, answer: f[`answer-${f.questionId}`] })),
    amendmentSchema.extend({ intent: z.literal("amend") }),
    z.object({ intent: z.enum(["submit", "withdraw_submission", "approve", "return", "request_cancel", "approve_cancel", "reject_cancel"]), reason: formText }),
  ]),
);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { auth, project } = await load(request, context, params.id ?? "");
  const form = await parseForm(request, projectFormSchema);
  const typed = form.values;
  const reason = typed.reason ?? "";
  if (!form.ok) return data({ errors: form.errors.intent ? ({ form: "errors.invalidInput" } as FormErrors) : form.errors, done: null, reason, typed }, { status: 400 });
  const f = form.data;
  const actor = actorOf(request, context, auth);
  const org = (a: RoleAuth) => a.membership.org.id;
  try {
    if (f.intent === "appoint_agent") {
      await appointAgent(context.db, { clock: context.clock, actor, projectId: project.id, villageId: org(auth), agentOrgId: f.agentOrgId });
      return { errors: {} as FormErrors, done: "agent.appointed", reason: "", typed: {} as Record<string, string> };
    }
    if (f.intent === "revoke_agent") {
      await revokeAgent(context.db, { clock: context.clock, actor, projectId: project.id, villageId: org(auth) });
      return { errors: {} as FormErrors, done: "agent.revoked", reason: "", typed: {} as Record<string, string> };
    }
    if (f.intent === "answer") {
      await answerQuestion(context.db, { clock: context.clock, actor, questionId: f.questionId, actingOrgId: org(auth), text: f.answer });
      return { errors: {} as FormErrors, done: "qa.answered", reason: "", typed: {} as Record<string, string> };
    }
    if (f.intent === "amend") {
      const tender = await currentTender(context.db, project.id);
      if (!tender) throw notFound();
      const { intent: _, ...amendment } = f;
      const r = await amendTender(context.db, { clock: context.clock, actor, tenderId: tender.id, actingOrgId: org(auth), form: amendment });
      return { errors: {} as FormErrors, done: r.extended ? "amend.doneExtended" : r.moved ? "amend.doneMoved" : "amend.done", reason: "", typed: {} as Record<string, string> };
    }
    const { intent } = f;
    if (intent === "submit") await submitProject(context.db, { clock: context.clock, actor, projectId: project.id, villageId: org(auth) });
    else if (intent === "withdraw_submission") await withdrawSubmission(context.db, { clock: context.clock, actor, projectId: project.id, villageId: org(auth) });
    else if (intent === "approve") await approveProject(context.db, { clock: context.clock, actor, projectId: project.id, townshipId: org(auth), justification: reason });
    else if (intent === "return") await returnProject(context.db, { clock: context.clock, actor, projectId: project.id, townshipId: org(auth), reason });
    else if (intent === "request_cancel") await requestCancel(context.db, { clock: context.clock, actor, projectId: project.id, villageId: org(auth), reason });
    else await decideCancel(context.db, { clock: context.clock, actor, projectId: project.id, townshipId: org(auth), approve: intent === "approve_cancel", note: reason });
    return { errors: {} as FormErrors, done: `project.done.${intent}`, reason: "", typed: {} as Record<string, string> };
  } catch (e) {
    const refused = refusal(e, typed);
    return data({ errors: refused.errors, done: null, reason, typed: refused.values }, { status: refused.status });
  }
}

export default function ProjectPage() {
  const { t } = useTranslation();
  const text = useErrorText();
  const { project: p, decisions, actions, role, tender, agent, eligibleAgents, questions, amendments, risks, archive, auditExport } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const notSubmitted = params.get("notSubmitted");
  const errors: FormErrors = result?.errors ?? {};
  return (
    <div className="stack">
      <section className="card">
        <p className="muted">
          <Link to="/projects">{t("project.listTitle")}</Link> · {p.village}
        </p>
        <h1>{p.name}</h1>
        <p>
          <span className={`state state-${p.state}`}>{t(`project.states.${p.state}`)}</span>
        </p>
        {result?.done && (
          <p className="notice ok" role="status">
            {t(result.done)}
          </p>
        )}
        {notSubmitted && !result && (
          <p className="notice warn" role="alert">
            {t("project.savedNotSubmitted")} {text(notSubmitted)}
          </p>
        )}
        <FormError errors={errors} />
        {params.get("published") && !result && (
          <p className="notice ok" role="status">
            {t("tender.published")}
          </p>
        )}
        {tender && (
          <p>
            <Link to={`/notices/${tender.id}`}>{t("tender.viewNotice")}</Link> · {t("notices.deadline")} {tender.deadline}
          </p>
        )}
        {p.cancelReason && (p.state === "cancel_requested" || p.state === "cancelled") && (
          <p className="notice warn">
            {t("tender.cancelReason")} {p.cancelReason}
          </p>
        )}
        {p.returnReason && p.state === "returned" && (
          <p className="notice warn">
            {t("project.returnedBecause")} {p.returnReason}
          </p>
        )}
      </section>

      {p.splitting && (role !== "committee" || p.state !== "draft") && (
        <section className="card notice warn" data-testid="splitting-warning">
          <h2>{t("project.splitting.title")}</h2>
          <p>{t("project.splitting.text", { combined: formatFen(p.splitting.combinedFen), limit: formatFen(p.splitting.limitFen) })}</p>
          <ul>
            {p.splitting.related.map((r) => (
              <li key={r.id}>
                <Link to={`/projects/${r.id}`}>{r.name}</Link> · {formatFen(r.estimateFen)} · {t("project.splitting.similarity", { pct: Math.round(r.similarity * 100) })}
              </li>
            ))}
          </ul>
          {p.splittingJustification && (
            <p>
              <strong>{t("project.splitting.justification")}</strong> {p.splittingJustification}
            </p>
          )}
        </section>
      )}

      {(archive || auditExport) && (
        <section className="card" aria-labelledby="archive-h" data-testid="project-archive">
          <h2 id="archive-h">{t("archive.title")}</h2>
          {archive ? (
            <>
              <p className="small muted">
                {t("archive.archivedAt")} {archive.at} · {t("archive.retainUntil")} {archive.retainUntil}
              </p>
              <p>
                <a href={`/archives/${p.id}/pdf`} data-testid="archive-pdf">
                  {t("archive.pdf")}
                </a>{" "}
                ·{" "}
                <a href={`/archives/${p.id}/zip`} data-testid="archive-zip">
                  {t("archive.zip", { files: archive.files, mb: archive.mb })}
                </a>
              </p>
              <p className="small muted">{t("archive.verifyHint")}</p>
            </>
          ) : (
            <p className="muted">{t("archive.notYet")}</p>
          )}
          {auditExport && (
            <p className="small">
              <a href={`/audit/export?project=${p.id}`} data-testid="project-audit-export">
                {t("archive.auditExport")}
              </a>
            </p>
          )}
        </section>
      )}

      {risks && (
        <section className="card" aria-labelledby="risks-h" data-testid="project-risks">
          <h2 id="risks-h">{t("risk.projectTitle")}</h2>
          {risks.length === 0 ? (
            <p className="muted">{t("risk.projectNone")}</p>
          ) : (
            <ol className="plain-ol">
              {risks.map((f) => (
                <li key={f.fingerprint} data-testid="project-risk" data-rule={f.rule}>
                  <SeverityTag severity={f.severity} /> <Link to={f.href}>{t(`risk.rules.${f.rule}`)}</Link> <ReviewState review={f.review} />{" "}
                  <span className="muted small">{f.at}</span>
                </li>
              ))}
            </ol>
          )}
          <p className="small">
            <Link to="/supervision/flags">{t("risk.allFlags")}</Link>
          </p>
        </section>
      )}

      <section className="card">
        <h2>{t("project.sections.basics")}</h2>
        <dl className="facts">
          <dt>{t("project.fields.type")}</dt>
          <dd>{t(`project.types.${p.type}`)}</dd>
          <dt>{t("project.fields.location")}</dt>
          <dd>{p.location}</dd>
          <dt>{t("project.fields.scope")}</dt>
          <dd>{p.scope}</dd>
          <dt>{t("project.fields.estimate")}</dt>
          <dd>{p.estimate}</dd>
          <dt>{t("project.fields.ceiling")}</dt>
          <dd>{p.ceiling}</dd>
          <dt>{t("project.fields.method")}</dt>
          <dd>{t(`project.methods.${p.method}`)}</dd>
          <dt>{t("project.fields.fundingSource")}</dt>
          <dd>{p.fundingSource}</dd>
          <dt>{t("project.fields.durationDays")}</dt>
          <dd>
            {p.durationDays} {t("settings.units.days")}
          </dd>
          {p.submittedAt && (
            <>
              <dt>{t("project.submittedAt")}</dt>
              <dd>{p.submittedAt}</dd>
            </>
          )}
        </dl>
      </section>

      <section className="card">
        <h2>{t("project.sections.decisions")}</h2>
        <ol className="plain-ol">
          {(["proposal", "discussion", "party_meeting", "villagers_meeting", "resolution_notice"] as const).map((step) => {
            const d = decisions.find((x) => x.step === step);
            return (
              <li key={step}>
                <strong>{t(`project.steps.${step}`)}</strong>{" "}
                {d ? (
                  <>
                    {d.day} · <a href={`/projects/${p.id}/files/${step}`}>{d.fileName}</a>
                    {step === "villagers_meeting" && d.eligible != null && <> · {t("project.votes", { eligible: d.eligible, attended: d.attended, votesFor: d.votesFor })}</>}
                  </>
                ) : (
                  <span className="muted">{t("project.stepMissing")}</span>
                )}
              </li>
            );
          })}
        </ol>
      </section>

      {(agent || role === "committee") && (
        <section className="card" aria-labelledby="agent-h">
          <h2 id="agent-h">{t("agent.title")}</h2>
          {agent ? (
            <p data-testid="agent-current">{t("agent.current", { name: agent.name, kind: t(`agent.kinds.${agent.kind}`), since: agent.since })}</p>
          ) : (
            <p className="muted">{t("agent.none")}</p>
          )}
          <p className="hint">{t("agent.explain")}</p>
          {role === "committee" && !["completed", "cancelled"].includes(p.state) && (
            <div className="row">
              {eligibleAgents.length > 0 && (
                <Form method="post" className="row">
                  <label htmlFor="agentOrgId" className="sr-only">
                    {t("agent.choose")}
                  </label>
                  <select id="agentOrgId" name="agentOrgId" aria-invalid={errors.agentOrgId ? true : undefined}>
                    {eligibleAgents.map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name}（{t(`agent.kinds.${o.kind}`)}）
                      </option>
                    ))}
                  </select>
                  <button type="submit" name="intent" value="appoint_agent" className="secondary">
                    {agent ? t("agent.replace") : t("agent.appoint")}
                  </button>
                </Form>
              )}
              {agent && (
                <Form method="post">
                  <button type="submit" name="intent" value="revoke_agent" className="danger">
                    {t("agent.revoke")}
                  </button>
                </Form>
              )}
            </div>
          )}
          {errors.agentOrgId && <p className="field-error">{text(errors.agentOrgId)}</p>}
        </section>
      )}

      {tender && (role === "committee" || role === "agent") && (
        <section className="card" id="qa" aria-labelledby="qa-h">
          <h2 id="qa-h">{t("qa.title")}</h2>
          <p className="hint">{t("qa.anonymous")}</p>
          {questions.length === 0 && <p className="muted">{t("qa.none")}</p>}
          <ol className="plain-ol qa-list">
            {questions.map((q) => (
              <li key={q.id}>
                <p>
                  <strong>{t("qa.question")}</strong> <span className="muted">{q.askedAt}</span>
                </p>
                <p className="prewrap">{q.body}</p>
                {q.answer ? (
                  <p className="prewrap">
                    <strong>{t("qa.answer")}</strong> {q.answer} <span className="muted">{q.answeredAt}</span>
                  </p>
                ) : actions.includes("answer") ? (
                  <Form method="post" className="stack" key={q.id}>
                    <input type="hidden" name="questionId" value={q.id} />
                    <label htmlFor={`answer-${q.id}`}>{t("qa.answerLabel")}</label>
                    <textarea id={`answer-${q.id}`} name={`answer-${q.id}`} rows={3} aria-invalid={errors[`answer-${q.id}`] ? true : undefined} />
                    {errors[`answer-${q.id}`] && <p className="field-error">{text(errors[`answer-${q.id}`]!)}</p>}
                    <button type="submit" name="intent" value="answer">
                      {t("qa.publishAnswer")}
                    </button>
                  </Form>
                ) : (
                  <p className="muted">{t("qa.unanswered")}</p>
                )}
              </li>
            ))}
          </ol>
        </section>
      )}

      {tender && (amendments.length > 0 || actions.includes("amend")) && (
        <section className="card" id="amendments" aria-labelledby="amend-h">
          <h2 id="amend-h">{t("amend.title")}</h2>
          <AmendmentList items={amendments} />
          {actions.includes("amend") && (
            <details open={Boolean(errors.title || errors.body || errors.newDeadline)} key={amendments.length}>
              <summary>{t("amend.issue")}</summary>
              <Form method="post" className="stack">
                <div className="field">
                  <label htmlFor="amend-title">{t("amend.fields.title")}</label>
                  <input id="amend-title" name="title" defaultValue={result?.typed?.title} aria-invalid={errors.title ? true : undefined} />
                  {errors.title && <p className="field-error">{text(errors.title)}</p>}
                </div>
                <div className="field">
                  <label htmlFor="amend-body">{t("amend.fields.body")}</label>
                  <textarea id="amend-body" name="body" rows={5} defaultValue={result?.typed?.body} aria-invalid={errors.body ? true : undefined} />
                  {errors.body && <p className="field-error">{text(errors.body)}</p>}
                </div>
                <label className="field-inline">
                  <input type="checkbox" name="affectsPreparation" defaultChecked={result?.typed?.title !== undefined ? result.typed.affectsPreparation === "on" : true} />{" "}
                  {t("amend.fields.affectsPreparation")}
                </label>
                <p className="hint">{t("amend.ruleHint")}</p>
                <div className="field">
                  <label htmlFor="amend-deadline">{t("amend.fields.newDeadline")}</label>
                  <input
                    id="amend-deadline"
                    name="newDeadline"
                    type="datetime-local"
                    defaultValue={result?.typed?.newDeadline}
                    aria-invalid={errors.newDeadline ? true : undefined}
                  />
                  {errors.newDeadline && <p className="field-error">{text(errors.newDeadline)}</p>}
                </div>
                <button type="submit" name="intent" value="amend">
                  {t("amend.submit")}
                </button>
              </Form>
            </details>
          )}
        </section>
      )}

      {actions.filter((a) => !["amend", "answer"].includes(a)).length > 0 && (
        <section className="card">
          <h2>{t("project.nextSteps")}</h2>
          {actions.includes("edit") && (
            <p>
              <Link to={`/projects/${p.id}/edit`} className="button secondary">
                {t("project.edit")}
              </Link>
            </p>
          )}
          {actions.includes("publish") && (
            <p>
              <Link to={`/projects/${p.id}/publish`} className="button">
                {t("tender.publishTitle")}
              </Link>
            </p>
          )}
          {(["submit", "withdraw_submission"] as const)
            .filter((a) => actions.includes(a))
            .map((a) => (
              <Form method="post" key={a}>
                <button type="submit" name="intent" value={a}>
                  {t(`project.actions.${a}`)}
                </button>
              </Form>
            ))}
          {actions.includes("approve") && (
            <Form method="post" className="stack">
              <div className="field">
                <label htmlFor="reason">{p.splitting ? t("project.justificationLabel") : t("project.reasonLabel")}</label>
                <textarea id="reason" name="reason" rows={3} defaultValue={result?.reason} aria-invalid={errors.reason ? true : undefined} />
                {errors.reason && <p className="field-error">{text(errors.reason)}</p>}
              </div>
              <div className="row">
                <button type="submit" name="intent" value="approve">
                  {t("project.actions.approve")}
                </button>
                <button type="submit" name="intent" value="return" className="danger">
                  {t("project.actions.return")}
                </button>
              </div>
            </Form>
          )}
          {(actions.includes("request_cancel") || actions.includes("approve_cancel")) && (
            <details className="cancel-box" open={Boolean(errors.reason) || actions.includes("approve_cancel")}>
              <summary>{actions.includes("approve_cancel") ? t("tender.cancelDecide") : t("tender.cancelRequest")}</summary>
              <Form method="post" className="stack">
                <div className="field">
                  <label htmlFor="cancel-reason">{t("tender.cancelReasonLabel")}</label>
                  <textarea id="cancel-reason" name="reason" rows={2} />
                </div>
                {actions.includes("request_cancel") && (
                  <button type="submit" name="intent" value="request_cancel" className="danger">
                    {t("project.actions.request_cancel")}
                  </button>
                )}
                {actions.includes("approve_cancel") && (
                  <div className="row">
                    <button type="submit" name="intent" value="approve_cancel" className="danger">
                      {t("project.actions.approve_cancel")}
                    </button>
                    <button type="submit" name="intent" value="reject_cancel" className="secondary">
                      {t("project.actions.reject_cancel")}
                    </button>
                  </div>
                )}
              </Form>
            </details>
          )}
        </section>
      )}
    </div>
  );
}
