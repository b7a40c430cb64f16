import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormError, useErrorText } from "~/components/forms";
import { allowedActions, effectiveState, type ProjectState } from "~/models/lifecycle";
import { currentTender, decideCancel, requestCancel } from "~/models/tender.server";
import { approveProject, canRead, getProject, returnProject, submitProject, withdrawSubmission } from "~/models/project.server";
import type { SplittingFinding } from "~/models/project-rules";
import { actorOf, forbidden, requireRole, type RoleAuth } from "~/utils/auth.server";
import { domainErrors, type FormErrors } from "~/utils/forms";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.project.name ?? "项目"} · 村易招` }];

const READERS = ["committee", "supervisor", "county_admin"] as const;

async function load(request: Request, context: LoaderFunctionArgs["context"], id: string) {
  const auth = await requireRole(request, context, [...READERS]);
  const project = await getProject(context.db, id);
  if (!project) throw new Response("not found", { status: 404 });
  // Someone else's village or township is refused exactly like a missing role.
  if (!canRead(project, auth.membership.role, auth.membership.org.id)) throw forbidden("");
  return { auth, project };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { auth, project: p } = await load(request, context, params.id ?? "");
  const role = auth.membership.role;
  const tender = await currentTender(context.db, p.id);
  const state = effectiveState(p.state as ProjectState, tender?.deadline ?? null, context.clock.now());
  return {
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

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { auth, project } = await load(request, context, params.id ?? "");
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const reason = String(form.get("reason") ?? "");
  const actor = actorOf(request, context, auth);
  const org = (a: RoleAuth) => a.membership.org.id;
  try {
    if (intent === "submit") await submitProject(context.db, context.clock, actor, project.id, org(auth));
    else if (intent === "withdraw_submission") await withdrawSubmission(context.db, context.clock, actor, project.id, org(auth));
    else if (intent === "approve") await approveProject(context.db, context.clock, actor, project.id, org(auth), reason);
    else if (intent === "return") await returnProject(context.db, context.clock, actor, project.id, org(auth), reason);
    else if (intent === "request_cancel") await requestCancel(context.db, context.clock, actor, project.id, org(auth), reason);
    else if (intent === "approve_cancel" || intent === "reject_cancel")
      await decideCancel(context.db, context.clock, actor, project.id, org(auth), intent === "approve_cancel", reason);
    else return data({ errors: { form: "errors.invalidInput" } as FormErrors, done: null, reason }, { status: 400 });
  } catch (e) {
    return data({ errors: domainErrors(e) as FormErrors, done: null, reason }, { status: 400 });
  }
  return { errors: {} as FormErrors, done: `project.done.${intent}`, reason: "" };
}

export default function ProjectPage() {
  const { t } = useTranslation();
  const text = useErrorText();
  const { project: p, decisions, actions, role, tender } = useLoaderData<typeof loader>();
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
                    {step === "villagers_meeting" && d.eligible != null && (
                      <> · {t("project.votes", { eligible: d.eligible, attended: d.attended, votesFor: d.votesFor })}</>
                    )}
                  </>
                ) : (
                  <span className="muted">{t("project.stepMissing")}</span>
                )}
              </li>
            );
          })}
        </ol>
      </section>

      {actions.length > 0 && (
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
