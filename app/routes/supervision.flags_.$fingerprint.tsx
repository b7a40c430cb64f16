import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FieldError, FormError, Notice } from "~/components/forms";
import { EvidenceList, ReviewState, SeverityTag } from "~/components/risk-flags";
import { flagByFingerprint, flagView, reviewFlag, riskScopeOf, riskThresholdsFor, thresholdValues } from "~/models/risk.server";
import { actorOf, forbidden, requireRole, notFound } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.flagEvidence"));
export const handle = { hydrate: false, i18n: ["supervision", "errors"] };

const ROLES = ["supervisor", "county_admin"] as const;

/**
 * One risk flag's evidence: every piece with links to the records behind it
 * (project, notice, opening hall and record, evaluation, award), how the rule
 * is defined, and the review — or the form to record one.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, [...ROLES]);
  const scope = await riskScopeOf(context.db, { role: auth.membership.role, orgId: auth.membership.org.id });
  if (!scope) throw forbidden("supervisor|county_admin");
  const hint = new URL(request.url).searchParams.get("project");
  const flag = await flagByFingerprint(context.db, { clock: context.clock, scope, fingerprint: params.fingerprint ?? "", hint: { projectId: hint } });
  if (!flag) throw notFound();
  return { flag: flagView(flag), thresholds: thresholdValues(await riskThresholdsFor(context.db, scope)) };
}

const reviewFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ rule: formText, note: formText, projectId: formText }));

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, [...ROLES]);
  const form = await parseForm(request, reviewFormSchema);
  if (!form.ok) return data({ errors: form.errors, note: form.values.note ?? "", done: false }, { status: 400 });
  const f = form.data;
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  try {
    await reviewFlag(context.db, {
      clock: context.clock,
      actor,
      orgId: auth.membership.org.id,
      raw: {
        fingerprint: params.fingerprint ?? "",
        rule: f.rule,
        note: f.note,
        projectId: f.projectId || undefined,
      },
    });
  } catch (e) {
    const refused = refusal(e, form.values);
    return data({ errors: refused.errors, note: refused.values.note ?? "", done: false }, { status: refused.status });
  }
  return { errors: {} as FormErrors, note: "", done: true };
}

export default function FlagEvidence() {
  const { flag: f, thresholds } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <section className="card">
        <p>
          <Link to="/supervision/flags">← {t("risk.title")}</Link>
        </p>
        <h1>
          {t(`risk.rules.${f.rule}`)} · {f.projectName}
        </h1>
        <p>
          <SeverityTag severity={f.severity} /> <ReviewState review={f.review} /> <span className="muted">{f.at}</span>
        </p>
        <p className="hint" data-testid="flag-rule-help">
          {t(`risk.help.${f.rule}`, thresholds)}
        </p>
        <p className="muted small">{t("risk.hintNotFinding")}</p>
      </section>
      <section className="card" aria-labelledby="evidence-h">
        <h2 id="evidence-h">{t("risk.evidenceTitle")}</h2>
        <EvidenceList evidence={f.evidence} />
        <p>
          <Link to={`/projects/${f.projectId}`}>{t("risk.links.project")}</Link>
          {f.tenderId && (
            <>
              {" · "}
              <Link to={`/notices/${f.tenderId}`}>{t("risk.links.notice")}</Link>
            </>
          )}
        </p>
      </section>
      <section className="card" aria-labelledby="review-h">
        <h2 id="review-h">{t("risk.reviewTitle")}</h2>
        {result?.done && <Notice>{t("risk.reviewDone")}</Notice>}
        {f.review ? (
          <div data-testid="flag-review">
            <p>{t("risk.reviewedBy", { name: f.review.reviewer, at: f.review.reviewedAt })}</p>
            <p className="prewrap">{f.review.note}</p>
          </div>
        ) : (
          <Form method="post" className="stack" data-testid="flag-review-form">
            <FormError errors={result?.errors} />
            <input type="hidden" name="rule" value={f.rule} />
            <input type="hidden" name="projectId" value={f.projectId} />
            <label htmlFor="note">{t("risk.noteLabel")}</label>
            <textarea
              id="note"
              name="note"
              rows={4}
              maxLength={2000}
              required
              defaultValue={result?.note}
              aria-invalid={result?.errors.note ? true : undefined}
              aria-describedby={result?.errors.note ? "note-err" : "note-hint"}
            />
            <p className="hint" id="note-hint">
              {t("risk.noteHint")}
            </p>
            <FieldError id="note-err" errors={result?.errors} name="note" />
            <button type="submit" className="primary">
              {t("risk.markReviewed")}
            </button>
          </Form>
        )}
      </section>
    </div>
  );
}
