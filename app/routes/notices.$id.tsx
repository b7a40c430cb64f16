import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { PrintQr } from "~/components/print-qr";
import { AmendmentList, amendmentView } from "~/components/amendment-list";
import { FormError, useErrorText } from "~/components/forms";
import { actsForVillage } from "~/models/agent.server";
import { getCountySettings } from "~/models/county-settings.server";
import { hallRole } from "~/models/opening.server";
import { publishedRecord } from "~/models/opening-record.server";
import { publicResult } from "~/models/publicity.server";
import { getPublicNotice } from "~/models/tender.server";
import { askQuestion, companyInterest, listAmendments, listOwnQuestions, listPublishedAnswers, registerForTender } from "~/models/tender-qa.server";
import { actorOf, getAuth, requireRole, notFound } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";
import { publicQr } from "~/utils/qr.server";
import { useNonce } from "~/utils/nonce";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, (t) => data?.notice.name ?? t("titles.notice"));
export const handle = { hydrate: false, i18n: ["public", "projects", "bid", "opening", "evaluation", "award", "errors"] };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const n = await getPublicNotice(context.db, context.clock, params.id ?? "");
  if (!n) throw notFound();
  const now = context.clock.now().getTime();
  const auth = await getAuth(request, context);
  const company = auth?.membership?.role === "contractor" ? auth.membership.org : null;
  const settings = await getCountySettings(context.db, n.project.countyId);
  const interest = company ? await companyInterest(context.db, n.tender.id, company.id) : null;
  const own = company ? await listOwnQuestions(context.db, n.tender.id, company.id) : [];
  const amendments = await listAmendments(context.db, n.tender.id);
  const answers = await listPublishedAnswers(context.db, n.tender.id);
  const record = await publishedRecord(context.db, n.tender.id);
  const inHall = auth?.membership ? Boolean(await hallRole(context.db, n.project, { role: auth.membership.role, orgId: auth.membership.org.id }, n.tender.id)) : false;
  const outcome = await publicResult(context.db, n.tender.id);
  const m = auth?.membership;
  // The host and the township's supervisors (or the county's administrator) follow the award on its own page.
  const overseesAward = Boolean(
    outcome &&
    m &&
    ((await actsForVillage(context.db, n.project, m.role, m.org.id)) ||
      (m.role === "supervisor" && m.org.id === n.project.townshipId) ||
      (m.role === "county_admin" && m.org.id === n.project.countyId)),
  );
  const qr = await publicQr(context, `/notices/${n.tender.id}`);
  return {
    qr,
    record: record ? { signedAt: formatBeijing(record.signedAt) } : null,
    result: outcome && {
      publicityFrom: formatBeijing(outcome.publicity.startsAt),
      publicityTo: formatBeijing(outcome.publicity.endsAt),
      candidates: outcome.candidates.map((c) => ({ place: c.place, company: c.company, price: formatFen(c.priceFen) })),
      panel: outcome.panel,
      award: outcome.award && {
        winner: outcome.award.winner,
        price: formatFen(outcome.award.priceFen),
        signedAt: formatBeijing(outcome.award.signedAt),
        contractDate: outcome.award.contractDate,
        acceptanceDate: outcome.award.acceptanceDate,
        settlement: outcome.award.settlementFen === null ? null : formatFen(outcome.award.settlementFen),
      },
      overseesAward,
    },
    viewer: { loggedIn: Boolean(auth), contractor: Boolean(company), ownSignup: Boolean(interest?.registeredAt), inHall },
    signupStep: settings.registrationStepRequired,
    documentPdf: n.tender.documentPdfSha256,
    amendments: amendments.map(amendmentView),
    answers: answers.map((q) => ({ id: q.id, body: q.body, answer: q.answer ?? "", answeredAt: q.answeredAt ? formatBeijing(q.answeredAt) : "" })),
    ownQuestions: own.map((q) => ({ id: q.id, body: q.body, answered: Boolean(q.answeredAt), askedAt: formatBeijing(q.askedAt) })),
    notice: {
      id: n.tender.id,
      projectId: n.project.id,
      name: n.project.name,
      village: n.village,
      township: n.township,
      type: n.project.type,
      ceiling: formatFen(n.project.ceilingFen),
      state: n.state,
      deadline: formatBeijing(n.tender.deadline),
      deadlineMs: n.tender.deadline.getTime(),
      remainingMs: Math.max(0, n.tender.deadline.getTime() - now),
      publishedAt: formatBeijing(n.tender.publishedAt),
      templateVersion: n.tender.templateVersion,
      round: n.tender.round,
      documentText: n.tender.documentText,
      cancelReason: n.project.state === "cancelled" ? n.project.cancelReason : null,
    },
    attachments: n.attachments.map((a) => ({ sha: a.fileSha256, name: a.fileName })),
  };
}

/** A contractor's 报名 (where the county requires it) and questions. */
const noticeFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [z.object({ intent: z.literal("register") }), z.object({ intent: z.literal("ask"), question: formText })]),
);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const form = await parseForm(request, noticeFormSchema);
  if (!form.ok) return data({ errors: { form: "errors.invalidInput" } as FormErrors, done: null, question: "" }, { status: 400 });
  const f = form.data;
  const actor = actorOf(request, context, auth);
  const tenderId = params.id ?? "";
  try {
    if (f.intent === "register") await registerForTender(context.db, { clock: context.clock, actor, tenderId, companyId: auth.membership.org.id });
    else await askQuestion(context.db, { clock: context.clock, actor, tenderId, companyId: auth.membership.org.id, text: f.question });
  } catch (e) {
    const refused = refusal(e, form.values);
    return data({ errors: refused.errors, done: null, question: refused.values.question ?? "" }, { status: refused.status });
  }
  return { errors: {} as FormErrors, done: f.intent === "register" ? "qa.registered" : "qa.asked", question: "" };
}

function remaining(ms: number) {
  const s = Math.floor(ms / 1000);
  return { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600), m: Math.floor((s % 3600) / 60) };
}

// A few lines of inline script keep the countdown ticking; without it the server-rendered figure stands.
const COUNTDOWN = `(function(){var el=document.getElementById('countdown');if(!el)return;var end=+el.dataset.deadline,skew=Date.now()-(+el.dataset.now);
function tick(){var ms=Math.max(0,end-(Date.now()-skew));var s=Math.floor(ms/1000);el.textContent=el.dataset.fmt.replace('D',Math.floor(s/86400)).replace('H',Math.floor(s%86400/3600)).replace('M',Math.floor(s%3600/60)).replace('S',s%60);if(ms>0)setTimeout(tick,1000);}tick();})();`;

export default function Notice() {
  const { t } = useTranslation();
  const text = useErrorText();
  const { notice: n, attachments, viewer, signupStep, documentPdf, amendments, answers, ownQuestions, record, result: outcome, qr } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [search] = useSearchParams();
  const errors: FormErrors = result?.errors ?? {};
  const r = remaining(n.remainingMs);
  const open = n.state === "published";
  // The countdown is inline: it runs only with this response's CSP nonce.
  const nonce = useNonce();
  const mayDownload = viewer.loggedIn && (!viewer.contractor || !signupStep || viewer.ownSignup);
  return (
    <div className="stack">
      <section className="card">
        <p className="muted">
          <Link to="/notices">{t("notices.title")}</Link> · {n.township} · {n.village}
        </p>
        <h1>{n.name}</h1>
        <p>
          <span className={`state state-${n.state}`}>{t(`project.states.${n.state}`)}</span>
          {n.round > 1 && <span className="tag">{t("notices.round", { n: n.round })}</span>}
        </p>
        {n.cancelReason && (
          <p className="notice warn" role="status">
            {t("notices.cancelledBecause")} {n.cancelReason}
          </p>
        )}
        <dl className="facts">
          <dt>{t("project.fields.type")}</dt>
          <dd>{t(`project.types.${n.type}`)}</dd>
          <dt>{t("notices.ceiling")}</dt>
          <dd>{n.ceiling}</dd>
          <dt>{t("notices.deadline")}</dt>
          <dd>{n.deadline}</dd>
          <dt>{t("notices.publishedAt")}</dt>
          <dd>{n.publishedAt}</dd>
        </dl>
        {open && (
          <p className="countdown" role="timer">
            {t("notices.remaining")}{" "}
            <strong id="countdown" data-deadline={n.deadlineMs} data-now={n.deadlineMs - n.remainingMs} data-fmt={t("notices.countdownFmt", { d: "D", h: "H", m: "M", s: "S" })}>
              {t("notices.countdownFmt", { d: r.d, h: r.h, m: r.m, s: 0 })}
            </strong>
          </p>
        )}
        {open && <script nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: COUNTDOWN }} />}
      </section>
      {outcome && (
        <section className="card stack" id="result" aria-labelledby="result-h" data-testid="notice-result">
          <h2 id="result-h">{t("publicity.result.title")}</h2>
          {outcome.award && (
            <div className="notice ok" data-testid="notice-award">
              <p>
                <strong>{t("publicity.result.awarded")}</strong>
              </p>
              <dl className="facts">
                <dt>{t("publicity.result.winner")}</dt>
                <dd>{outcome.award.winner}</dd>
                <dt>{t("publicity.result.price")}</dt>
                <dd>{outcome.award.price}</dd>
                {outcome.award.contractDate && (
                  <>
                    <dt>{t("publicity.result.contract")}</dt>
                    <dd>{outcome.award.contractDate}</dd>
                  </>
                )}
                {outcome.award.acceptanceDate && (
                  <>
                    <dt>{t("publicity.result.acceptance")}</dt>
                    <dd>{outcome.award.acceptanceDate}</dd>
                  </>
                )}
                {outcome.award.settlement && (
                  <>
                    <dt>{t("publicity.result.settlement")}</dt>
                    <dd>{outcome.award.settlement}</dd>
                  </>
                )}
              </dl>
              <p>
                <a href={`/notices/${n.id}/award-notice`} data-testid="notice-award-pdf">
                  {t("award.notice")}
                </a>{" "}
                <span className="muted">{t("publicity.result.signedAt", { at: outcome.award.signedAt })}</span>
              </p>
            </div>
          )}
          <h3>{t("publicity.candidates")}</h3>
          <p className="hint">{t("publicity.period", { from: outcome.publicityFrom, to: outcome.publicityTo })}</p>
          <ol>
            {outcome.candidates.map((c) => (
              <li key={c.place}>
                {c.company} · {c.price}
              </li>
            ))}
          </ol>
          {outcome.panel.length > 0 && (
            <p>
              <strong>{t("publicity.panel")}</strong> {outcome.panel.join("、")}
            </p>
          )}
          <p className="row">
            <Link to={`/notices/${n.id}/publicity`} data-testid="publicity-link">
              {t("publicity.link")} →
            </Link>
            <Link to={`/notices/${n.id}/draw`}>{t("draw.link")} →</Link>
            <a href={`/open-data/projects/${n.projectId}.json`}>{t("openData.projectLink")}</a>
            {outcome.overseesAward && (
              <Link to={`/notices/${n.id}/award`} data-testid="award-link">
                {t("award.link")} →
              </Link>
            )}
          </p>
        </section>
      )}
      <section className="card" id="access">
        <h2>{t("notices.documents")}</h2>
        <p className="hint">{t("notices.templateVersion", { v: n.templateVersion })}</p>
        {result?.done && (
          <p className="notice ok" role="status">
            {t(result.done)}
          </p>
        )}
        <FormError errors={errors} />
        {search.get("needRegister") && !viewer.ownSignup && (
          <p className="notice warn" role="alert">
            {t("qa.registerFirstHint")}
          </p>
        )}
        {!viewer.loggedIn && <p className="notice">{t("notices.loginToDownload")}</p>}
        {viewer.contractor && signupStep && !viewer.ownSignup && open && (
          <Form method="post">
            <p>{t("qa.registrationExplain")}</p>
            <button type="submit" name="intent" value="register">
              {t("qa.register")}
            </button>
          </Form>
        )}
        {viewer.contractor && signupStep && viewer.ownSignup && <p className="notice ok">{t("qa.youRegistered")}</p>}
        {record && (
          <p>
            <a href={`/notices/${n.id}/record`} data-testid="notice-record">
              {t("opening.recordSigned")}
            </a>{" "}
            · <Link to="/verify">{t("verify.title")}</Link>
          </p>
        )}
        {viewer.inHall && (
          <p>
            <Link className="button" to={`/notices/${n.id}/hall`} data-testid="hall-link">
              {t("opening.enter")}
            </Link>
          </p>
        )}
        {viewer.contractor && open && (!signupStep || viewer.ownSignup) && (
          <div className="stack">
            <p className="hint">{t("bid.ctaHint")}</p>
            <Link className="button primary" to={`/notices/${n.id}/bid`} data-testid="bid-link">
              {t("bid.cta")}
            </Link>
          </div>
        )}
        <ul className="downloads">
          {documentPdf && (
            <li>
              <a href={`/notices/${n.id}/files/${documentPdf}`}>{t("notices.documentPdf")}</a>
            </li>
          )}
          {attachments.map((a) => (
            <li key={a.sha}>
              <a href={`/notices/${n.id}/files/${a.sha}`}>{a.name}</a>
            </li>
          ))}
        </ul>
        {!mayDownload && viewer.loggedIn && <p className="hint">{t("qa.registerFirstHint")}</p>}
        <pre className="document">{n.documentText}</pre>
      </section>

      {amendments.length > 0 && (
        <section className="card" id="amendments" aria-labelledby="amendments-h">
          <h2 id="amendments-h">{t("amend.title")}</h2>
          <AmendmentList items={amendments} />
        </section>
      )}

      <section className="card" id="qa" aria-labelledby="qa-public-h">
        <h2 id="qa-public-h">{t("qa.publicTitle")}</h2>
        {answers.length === 0 ? (
          <p className="muted">{t("qa.noAnswers")}</p>
        ) : (
          <ol className="plain-ol qa-list">
            {answers.map((q) => (
              <li key={q.id}>
                <p className="prewrap">
                  <strong>{t("qa.question")}</strong> {q.body}
                </p>
                <p className="prewrap">
                  <strong>{t("qa.answer")}</strong> {q.answer} <span className="muted">{q.answeredAt}</span>
                </p>
              </li>
            ))}
          </ol>
        )}
        {viewer.contractor && ownQuestions.length > 0 && (
          <>
            <h3>{t("qa.yours")}</h3>
            <ul>
              {ownQuestions.map((q) => (
                <li key={q.id}>
                  {q.body}{" "}
                  <span className="muted">
                    {q.askedAt} · {q.answered ? t("qa.answeredTag") : t("qa.unanswered")}
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
        {viewer.contractor && open && (!signupStep || viewer.ownSignup) && (
          <Form method="post" className="stack">
            <label htmlFor="question">{t("qa.askLabel")}</label>
            <textarea id="question" name="question" rows={3} defaultValue={result?.question} aria-invalid={errors.question ? true : undefined} aria-describedby="question-hint" />
            <p className="hint" id="question-hint">
              {t("qa.anonymousToOthers")}
            </p>
            {errors.question && <p className="field-error">{text(errors.question)}</p>}
            <button type="submit" name="intent" value="ask">
              {t("qa.ask")}
            </button>
          </Form>
        )}
        {!viewer.loggedIn && open && <p className="hint">{t("qa.loginToAsk")}</p>}
      </section>
      <PrintQr qr={qr} />
    </div>
  );
}
