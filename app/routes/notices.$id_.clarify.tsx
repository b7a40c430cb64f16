import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FieldError, FormError, Notice } from "~/components/forms";
import { answerClarification, clarificationsForCompany } from "~/models/evaluation.server";
import { getPublicNotice } from "~/models/tender.server";
import { actorOf, requireRole, notFound } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, (t) => [data?.tender.name, t("titles.clarify")]);
export const handle = { hydrate: false, i18n: ["bid", "errors"] };

/** A bidder's side of 评标澄清: the panel's questions to this company (never who asked), answered in writing before the deadline. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const notice = await getPublicNotice(context.db, context.clock, params.id ?? "");
  if (!notice) throw notFound();
  const now = context.clock.now();
  const asks = await clarificationsForCompany(context.db, notice.tender.id, auth.membership.org.id);
  return {
    tender: { id: notice.tender.id, name: notice.project.name },
    clarifications: asks.map((c) => ({
      id: c.id,
      question: c.question,
      askedAt: formatBeijing(c.askedAt),
      dueAt: formatBeijing(c.dueAt),
      answer: c.answer,
      answeredAt: c.answeredAt ? formatBeijing(c.answeredAt) : null,
      open: !c.answeredAt && now < c.dueAt,
    })),
  };
}

const answerFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ intent: z.literal("answer", "errors.invalidInput"), id: formText, answer: formText }));

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const form = await parseForm(request, answerFormSchema);
  const { id = "", answer = "" } = form.values;
  if (!form.ok) return data({ errors: { form: "errors.invalidInput" } as FormErrors, done: false, id, answer }, { status: 400 });
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  try {
    await answerClarification(context.db, {
      clock: context.clock,
      actor,
      companyId: auth.membership.org.id,
      tenderId: params.id ?? "",
      clarificationId: form.data.id,
      answer: form.data.answer,
    });
  } catch (e) {
    const refused = refusal(e);
    return data({ errors: refused.errors, done: false, id, answer }, { status: refused.status });
  }
  return { errors: {} as FormErrors, done: true, id, answer: "" };
}

export default function ClarifyPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <section className="card">
        <p>
          <Link to={`/notices/${d.tender.id}/bid`}>← {d.tender.name}</Link>
        </p>
        <h1>
          {t("evaluation.bidder.title")} · {d.tender.name}
        </h1>
        <p className="hint">{t("evaluation.bidder.intro")}</p>
        {result?.done && <Notice>{t("evaluation.bidder.done")}</Notice>}
        <FormError errors={result?.errors} />
      </section>
      <section className="card">
        {d.clarifications.length === 0 ? (
          <p className="muted">{t("evaluation.bidder.none")}</p>
        ) : (
          <ul className="plain qa-list" data-testid="clarifications">
            {d.clarifications.map((c) => (
              <li key={c.id} className="stack">
                <p className="prewrap">{c.question}</p>
                <p className="muted small">{t("evaluation.bidder.asked", { at: c.askedAt, due: c.dueAt })}</p>
                {c.answer ? (
                  <p>
                    {t("evaluation.bidder.answered", { at: c.answeredAt })} <span className="prewrap">{c.answer}</span>
                  </p>
                ) : c.open ? (
                  <Form method="post" className="stack">
                    <input type="hidden" name="id" value={c.id} />
                    <label htmlFor={`answer-${c.id}`}>{t("evaluation.bidder.answer")}</label>
                    <textarea
                      id={`answer-${c.id}`}
                      name="answer"
                      rows={4}
                      maxLength={2000}
                      required
                      defaultValue={result?.id === c.id ? result.answer : undefined}
                      aria-describedby={result?.id === c.id && result.errors.answer ? `answer-${c.id}-error` : undefined}
                    />
                    {result?.id === c.id && <FieldError id={`answer-${c.id}-error`} errors={result.errors} name="answer" />}
                    <button type="submit" name="intent" value="answer" className="primary">
                      {t("evaluation.bidder.submit")}
                    </button>
                  </Form>
                ) : (
                  <p className="tag warn">{t("evaluation.bidder.late")}</p>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
