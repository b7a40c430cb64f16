import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FieldError, FormError, Notice, useErrorText } from "~/components/forms";
import { SignDocument } from "~/components/sign-document";
import { unreadableFields } from "~/models/bid-rules";
import { parseRatio } from "~/models/county-settings";
import { getCountySettings } from "~/models/county-settings.server";
import { reportCompleter, reportRenderer } from "~/models/evaluation-report.server";
import { showScore } from "~/models/evaluation-rules.server";
import {
  answerAbnormal,
  askClarification,
  evaluationRole,
  evaluationView,
  recordOpinion,
  recordSilence,
  revealSecret,
  submitChecks,
  submitReview,
  submitScores,
  type CheckInput,
  type EvaluationRole,
} from "~/models/evaluation.server";
import { getPublicNotice } from "~/models/tender.server";
import { actorOf, forbidden, requireRole } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { formatFen, parseHundredths } from "~/utils/money";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, (t) => [data?.tender.name, t("titles.evaluation")]);
export const handle = { i18n: ["bid", "opening", "evaluation", "errors"] };
// Hydrated: signing the report needs the passkey in the browser. Every other form is a plain post that works without JavaScript.

type Stage = "waiting" | "checking" | "secret" | "scoring" | "review" | "explaining" | "opinions" | "signing" | "done";

const at = (d: Date | null | undefined) => (d ? formatBeijing(d) : null);

/**
 * The evaluation workspace (issue #6): panel members check, ask, score,
 * review, give opinions and sign; the township supervisor reveals the draw
 * secret; the host records silent members. Nobody else gets in.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["expert", "committee", "agent", "supervisor", "county_admin"]);
  const tenderId = params.id ?? "";
  const viewer = { userId: auth.user.id, role: auth.membership.role, orgId: auth.membership.org.id };
  const v = await evaluationView(context.db, context.clock, tenderId, viewer);
  if (!v) throw forbidden("evaluation");
  const ev = v.evaluation;
  const notice = await getPublicNotice(context.db, context.clock, tenderId);
  const share = parseRatio((await getCountySettings(context.db, v.project.countyId)).abnormalScoreShare);
  const now = context.clock.now();
  const stage: Stage = ev?.state ?? (v.project.state === "evaluating" && v.panelComplete ? "checking" : "waiting");
  const company = new Map(v.bids.map((b) => [b.bidId, b.company]));
  const nameOf = new Map(v.members.map((m) => [m.expertId, m.name]));
  const sitting = v.members.filter((m) => m.status === "accepted");
  const qualified = ev?.qualifiedBidIds ?? null;
  const r = ev?.result ?? null;
  const mine = v.me;
  const silent =
    v.role === "host" && v.silenceAllowed
      ? sitting.filter((m) => (stage === "opinions" ? !m.opinion : stage === "signing" ? !m.signedAt && !m.refusedAt : false)).map((m) => ({ expertId: m.expertId, name: m.name }))
      : [];
  return {
    role: v.role,
    me: auth.user.id,
    canReveal: auth.membership.role === "supervisor" && v.role === "supervisor" && stage === "secret",
    // Declared, not inferred: there is no evaluation row before the first hand-in, whatever the row type says.
    stage: stage as Stage,
    tender: {
      id: v.tender.id,
      name: v.project.name,
      method: v.tender.evaluationMethod,
      qualificationClass: v.tender.qualificationClass,
      requirePmCertificate: v.tender.requirePmCertificate,
      requirePoolMember: v.tender.requirePoolMember,
      otherRequirements: v.tender.otherRequirements,
      ceiling: formatFen(v.project.ceilingFen),
      documentPdf: v.tender.documentPdfSha256,
    },
    attachments: (notice?.attachments ?? []).map((a) => ({ sha: a.fileSha256, name: a.fileName })),
    mine: {
      checksAt: at(mine?.checksAt),
      scoresAt: at(mine?.scoresAt),
      reviewed: Boolean(mine?.reviewAt),
      opinion: Boolean(mine?.opinionAt),
      signed: Boolean(mine?.signedAt || mine?.refusedAt),
    },
    members: v.members.map((m) => ({
      expertId: m.expertId,
      name: m.name,
      status: m.status,
      checks: Boolean(m.checksAt),
      scores: Boolean(m.scoresAt),
      review: Boolean(m.reviewAt),
      opinion: m.opinion as "agree" | "dissent" | null,
      dissent: m.dissent,
      deemed: m.deemed,
      signed: Boolean(m.signedAt),
      refused: Boolean(m.refusedAt),
    })),
    bids: v.bids.map((b) => ({
      bidId: b.bidId,
      company: b.company,
      price: b.priceUnreadable ? null : formatFen(b.priceFen),
      openingReasons: b.openingReasons,
      durationDays: b.durationDays,
      pm: [b.projectManagerName, b.projectManagerCertificate].filter(Boolean).join(" "),
      quality: b.quality,
      securityOk: b.securityOk,
      files: b.files.map((f) => ({ name: f.name, sha256: f.sha256, kb: Math.max(1, Math.round(f.size / 1024)) })),
      qualified: qualified ? qualified.includes(b.bidId) : null,
    })),
    checks: v.checks.map((c) => ({ bidId: c.bidId, expertId: c.expertId, name: nameOf.get(c.expertId) ?? "", pass: c.pass, reason: c.reason })),
    lock: ev?.lockedAt ? { at: formatBeijing(ev.lockedAt), hash: ev.qualifiedListHash } : null,
    clarifications: v.clarifications.map((c) => ({
      id: c.id,
      company: company.get(c.bidId) ?? "",
      askedBy: nameOf.get(c.askedBy) ?? "",
      question: c.question,
      askedAt: formatBeijing(c.askedAt),
      dueAt: formatBeijing(c.dueAt),
      answer: c.answer,
      answeredAt: at(c.answeredAt),
      overdue: !c.answeredAt && now >= c.dueAt,
    })),
    draw: { commitment: v.draw.commitment, revealed: v.draw.revealed, revealedAt: at(v.draw.revealedAt), seed: ev?.seed ?? null },
    maxScore: showScore(v.maxScore),
    scoredBids: (qualified ?? []).map((bidId) => ({ bidId, company: company.get(bidId) ?? "" })),
    scores: v.scores.map((s) => ({
      bidId: s.bidId,
      expertId: s.expertId,
      score: showScore(s.score),
      flags: s.flaggedBy.length,
      flaggedByMe: s.flaggedBy.includes(auth.user.id),
      // The model's rule (evaluation.server abnormalScores): flagged by more than the county's share of the panel.
      abnormal: s.flaggedBy.length * share.den > sitting.length * share.num,
      explanation: s.explanation,
      replaced: s.acceptedReplacement,
    })),
    result: r && {
      method: r.method,
      benchmark: r.benchmarkFen === undefined ? null : formatFen(r.benchmarkFen),
      wouldHaveWon: r.wouldHaveWon ? (company.get(r.wouldHaveWon) ?? null) : null,
      ranking: r.ranking.map((x) => ({
        bidId: x.bidId,
        rank: x.rank,
        company: company.get(x.bidId) ?? "",
        price: formatFen(x.priceFen),
        priceScore: x.priceScore === undefined ? null : showScore(x.priceScore),
        expertScore: x.expertScore === undefined ? null : showScore(x.expertScore),
        total: x.total === undefined ? null : showScore(x.total),
        distance: x.distanceFen === undefined ? null : formatFen(x.distanceFen),
        tie: x.tieBrokenByDraw,
        candidate: r.candidates.indexOf(x.bidId) + 1,
      })),
    },
    failReason: ev?.failReason ?? null,
    report: Boolean(ev?.reportPdfSha256),
    silent,
  };
}

/** What each intent needs: the viewer's place in the evaluation, and for the secret the supervisor's own role. */
const INTENTS: Record<string, (seen: EvaluationRole, role: string) => boolean> = {
  checks: (seen) => seen === "member",
  clarify: (seen) => seen === "member",
  scores: (seen) => seen === "member",
  review: (seen) => seen === "member",
  explain: (seen) => seen === "member",
  acceptReplacement: (seen) => seen === "member",
  opinion: (seen) => seen === "member",
  reveal: (seen, role) => seen === "supervisor" && role === "supervisor",
  silence: (seen) => seen === "host",
};

type Fields = Record<string, unknown>;
const textOf = (form: Fields, name: string) => (typeof form[name] === "string" ? form[name] : "");

/** `pass-<bidId>` = yes|no and `reason-<bidId>`, one pair per bid. */
function checksOf(form: Fields): CheckInput[] {
  const out: CheckInput[] = [];
  for (const [k, v] of Object.entries(form)) {
    if (!k.startsWith("pass-") || (v !== "yes" && v !== "no")) continue;
    const bidId = k.slice("pass-".length);
    out.push({ bidId, pass: v === "yes", reason: textOf(form, `reason-${bidId}`) });
  }
  return out;
}

/** `score-<bidId>` in points with up to two decimals → hundredths; anything else is refused by the model as out of range. */
function scoresOf(form: Fields) {
  return Object.keys(form)
    .filter((k) => k.startsWith("score-"))
    .map((k) => ({ bidId: k.slice("score-".length), score: parseHundredths(textOf(form, k)) ?? Number.NaN }));
}

/** `flag-<expertId>-<bidId>`: both are UUIDs (36 characters). */
function flagsOf(form: Fields) {
  return Object.keys(form)
    .filter((k) => k.startsWith("flag-"))
    .map((k) => k.slice("flag-".length))
    .filter((rest) => rest.length === 73 && rest[36] === "-")
    .map((rest) => ({ expertId: rest.slice(0, 36), bidId: rest.slice(37) }));
}

/** The evaluation page's forms, one per intent; the per-bid fields (checks, scores, flags) are named by bid. */
const evaluationFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [
    z.looseObject({ intent: z.literal("checks") }).transform((f) => ({ intent: f.intent, checks: checksOf(f) })),
    z.object({ intent: z.literal("clarify"), bidId: formText, question: formText, hours: formText }),
    z.object({ intent: z.literal("reveal") }),
    z.looseObject({ intent: z.literal("scores") }).transform((f) => ({ intent: f.intent, scores: scoresOf(f) })),
    z.looseObject({ intent: z.literal("review") }).transform((f) => ({ intent: f.intent, flags: flagsOf(f) })),
    z.object({ intent: z.literal("explain"), bidId: formText, explanation: formText }),
    z.object({ intent: z.literal("acceptReplacement"), bidId: formText }),
    z.object({ intent: z.literal("opinion"), agree: z.enum(["yes", "no"], "errors.invalidInput"), dissent: formText }),
    z.object({ intent: z.literal("silence"), expertId: formText, note: formText }),
  ]),
);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["expert", "committee", "agent", "supervisor"]);
  const tenderId = params.id ?? "";
  const role = auth.membership.role;
  const seen = await evaluationRole(context.db, tenderId, { userId: auth.user.id, role, orgId: auth.membership.org.id });
  if (!seen) throw forbidden("evaluation");
  const form = await parseForm(request, evaluationFormSchema);
  // Echo what was typed, so that a refused form comes back filled in (also without JavaScript).
  const { intent: typedIntent = "", ...values } = form.values;
  const allowed = Object.hasOwn(INTENTS, typedIntent) ? INTENTS[typedIntent] : undefined;
  if (!allowed) return data({ errors: { form: "errors.invalidInput" } as FormErrors, done: null, values: {} as Record<string, string> }, { status: 400 });
  if (!allowed(seen.role, role)) return data({ errors: { form: "errors.forbidden" } as FormErrors, done: null, values: {} as Record<string, string> }, { status: 403 });
  if (!form.ok) return data({ errors: form.errors, done: null, values }, { status: 400 });
  const f = form.data;
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const { db, clock, files } = context;
  try {
    if (f.intent === "checks") await submitChecks(db, { clock, actor, tenderId, checks: f.checks });
    else if (f.intent === "clarify") await askClarification(db, { clock, actor, tenderId, input: { bidId: f.bidId, question: f.question, hours: Number(f.hours) } });
    else if (f.intent === "reveal") await revealSecret(db, { clock, actor, townshipId: auth.membership.org.id, tenderId });
    else if (f.intent === "scores") await submitScores(db, { clock, actor, tenderId, scores: f.scores });
    else if (f.intent === "review") await submitReview(db, { clock, actor, tenderId, flags: f.flags });
    else if (f.intent === "explain") await answerAbnormal(db, { clock, actor, tenderId, bidId: f.bidId, input: { explanation: f.explanation } });
    else if (f.intent === "acceptReplacement") await answerAbnormal(db, { clock, actor, tenderId, bidId: f.bidId, input: { acceptReplacement: true } });
    else if (f.intent === "opinion")
      await recordOpinion(db, { clock, actor, tenderId, input: { agree: f.agree === "yes", dissent: f.dissent }, renderReport: reportRenderer(files, clock) });
    else {
      await recordSilence(db, {
        clock,
        actor,
        actingOrgId: auth.membership.org.id,
        tenderId,
        expertId: f.expertId,
        note: f.note,
        hooks: {
          renderReport: reportRenderer(files, clock),
          onReportComplete: reportCompleter(clock, context.files, actor),
        },
      });
    }
  } catch (e) {
    const refused = refusal(e, values);
    return data({ errors: refused.errors, done: null, values: refused.values }, { status: refused.status });
  }
  return { errors: {} as FormErrors, done: f.intent, values: {} as Record<string, string> };
}

type PageData = ReturnType<typeof useLoaderData<typeof loader>>;
type Result = { errors: FormErrors; values: Record<string, string> };

/** The section where the viewer has something to do now, if any: the page is long on a phone. */
function taskAnchor(d: PageData): string | null {
  if (d.canReveal) return "secret-h";
  if (d.silent.length > 0) return "silent-h";
  if (d.role !== "member") return null;
  if (d.stage === "checking" && !d.mine.checksAt) return "checks-h";
  if ((d.stage === "scoring" && !d.mine.scoresAt) || (d.stage === "review" && !d.mine.reviewed)) return "scores-h";
  if (d.stage === "explaining" && d.scores.some((s) => s.expertId === d.me && s.abnormal && !s.explanation && !s.replaced)) return "scores-h";
  if (d.stage === "opinions" && !d.mine.opinion) return "opinion-h";
  if (d.stage === "signing" && d.report && !d.mine.signed) return "report-h";
  return null;
}

export default function EvaluationPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const text = useErrorText();
  const r: Result = { errors: result?.errors ?? {}, values: result?.values ?? {} };
  const member = d.role === "member";
  const task = taskAnchor(d);
  return (
    <div className="stack">
      <section className="card">
        <p>
          <Link to={`/notices/${d.tender.id}`}>← {t("evaluation.backToNotice")}</Link> · <Link to={`/panels/${d.tender.id}`}>{t("evaluation.panelPage")}</Link>
        </p>
        <h1>
          {t("evaluation.title")} · {d.tender.name}
        </h1>
        <p>
          {t("evaluation.stage")}：
          <span className="state" data-testid="evaluation-stage">
            {t(`evaluation.states.${d.stage}`)}
          </span>
        </p>
        <p className="muted small">{t("evaluation.secretNote")}</p>
        {task && (
          <p>
            <a href={`#${task}`} className="button" data-testid="evaluation-task">
              {t("evaluation.todo")}
            </a>
          </p>
        )}
        {result?.done && <Notice>{t(`evaluation.done.${result.done}`)}</Notice>}
        <FormError errors={r.errors} />
      </section>

      <Progress d={d} />
      <Requirements d={d} />
      <Bids d={d} />

      {member && d.stage === "checking" && !d.mine.checksAt ? <ChecksForm d={d} r={r} /> : <ChecksTable d={d} />}

      {(d.clarifications.length > 0 || (member && ["checking", "secret", "scoring", "review", "explaining"].includes(d.stage))) && <Clarifications d={d} r={r} />}

      {d.stage !== "waiting" && d.stage !== "checking" && !(d.stage === "done" && d.failReason) && <Secret d={d} />}

      {d.tender.method === "comprehensive" && ["scoring", "review", "explaining", "opinions", "signing", "done"].includes(d.stage) && <Scores d={d} r={r} />}

      {(d.result || d.failReason) && (
        <section className="card" aria-labelledby="result-h">
          <h2 id="result-h">{t("evaluation.result.title")}</h2>
          {d.failReason ? (
            <p className="notice warn" data-testid="evaluation-failed">
              {t("evaluation.result.failed")} {text(d.failReason)}
            </p>
          ) : (
            d.result && <ResultTable result={d.result} />
          )}
        </section>
      )}

      {member && d.stage === "opinions" && !d.mine.opinion && <OpinionForm r={r} />}

      {d.report && (d.stage === "signing" || d.stage === "done") && (
        <section className="card stack" aria-labelledby="report-h">
          <h2 id="report-h">{t("evaluation.report.title")}</h2>
          <p>
            <a href={`/evaluations/${d.tender.id}/report`} data-testid="report-pdf">
              {t("evaluation.report.pdf")}
            </a>
          </p>
          {member && d.stage === "signing" && !d.mine.signed && (
            <>
              <noscript>
                <p className="notice warn">{t("evaluation.report.needsJs")}</p>
              </noscript>
              <SignDocument endpoint={`/evaluations/${d.tender.id}/sign`} label={t("evaluation.report.sign")} hint={t("evaluation.report.signHint")} testId="sign-report" />
            </>
          )}
          {member && d.stage === "signing" && d.mine.signed && <p className="notice ok">{t("evaluation.report.signed")}</p>}
        </section>
      )}

      {d.silent.length > 0 && (
        <section className="card stack" aria-labelledby="silent-h">
          <h2 id="silent-h">{t("evaluation.silence.title")}</h2>
          <p className="hint">{t("evaluation.silence.hint")}</p>
          {d.silent.map((m) => (
            <Form method="post" className="stack step-block" key={m.expertId}>
              <input type="hidden" name="expertId" value={m.expertId} />
              <label htmlFor={`note-${m.expertId}`}>
                {m.name} · {t("evaluation.silence.note")}
              </label>
              <textarea
                id={`note-${m.expertId}`}
                name="note"
                rows={2}
                maxLength={2000}
                required
                minLength={4}
                defaultValue={r.values.expertId === m.expertId ? r.values.note : undefined}
              />
              {r.values.expertId === m.expertId && <FieldError id={`note-${m.expertId}-error`} errors={r.errors} name="note" />}
              <button type="submit" name="intent" value="silence">
                {t("evaluation.silence.submit")}
              </button>
            </Form>
          ))}
        </section>
      )}
    </div>
  );
}

/**
 * "deemed" is set both when the host records silence in the opinions step and
 * when a member is recorded as refusing to sign: a dissent stays a dissent,
 * and a refusal shows in the signature column.
 */
function opinionOf(m: PageData["members"][number]): "agree" | "dissent" | "deemed" | "pending" {
  if (!m.opinion) return "pending";
  if (m.opinion === "agree" && m.deemed && !m.refused) return "deemed";
  return m.opinion;
}

function Progress({ d }: { d: PageData }) {
  const { t } = useTranslation();
  const comprehensive = d.tender.method === "comprehensive";
  const mark = (done: boolean) => (done ? t("evaluation.progress.handedIn") : t("evaluation.progress.pending"));
  const label = {
    checks: t("evaluation.progress.checks"),
    scores: t("evaluation.progress.scores"),
    review: t("evaluation.progress.review"),
    opinion: t("evaluation.progress.opinion"),
    signature: t("evaluation.progress.signature"),
  };
  return (
    <section className="card" aria-labelledby="progress-h">
      <h2 id="progress-h">{t("evaluation.progress.title")}</h2>
      <div className="table-wrap">
        <table className="cards" data-testid="evaluation-progress">
          <thead>
            <tr>
              <th>{t("evaluation.progress.member")}</th>
              <th>{label.checks}</th>
              {comprehensive && <th>{label.scores}</th>}
              {comprehensive && <th>{label.review}</th>}
              <th>{label.opinion}</th>
              <th>{label.signature}</th>
            </tr>
          </thead>
          <tbody>
            {d.members.map((m) => (
              <tr key={m.expertId}>
                <td>
                  <strong>{m.name}</strong>
                  {m.status !== "accepted" && <span className="tag">{t(`panel.status.${m.status}`)}</span>}
                </td>
                <td data-label={label.checks}>{mark(m.checks)}</td>
                {comprehensive && <td data-label={label.scores}>{mark(m.scores)}</td>}
                {comprehensive && <td data-label={label.review}>{mark(m.review)}</td>}
                <td data-label={label.opinion}>
                  {t(`evaluation.progress.${opinionOf(m)}`)}
                  {m.dissent && <p className="prewrap small">{m.dissent}</p>}
                </td>
                <td data-label={label.signature}>{m.signed ? t("evaluation.progress.signed") : m.refused ? t("evaluation.progress.refused") : t("evaluation.progress.pending")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Requirements({ d }: { d: PageData }) {
  const { t } = useTranslation();
  const yes = (b: boolean) => (b ? t("evaluation.requirements.yes") : t("evaluation.requirements.no"));
  return (
    <section className="card" aria-labelledby="req-h">
      <h2 id="req-h">{t("evaluation.requirements.title")}</h2>
      <dl className="facts">
        <dt>{t("evaluation.requirements.qualificationClass")}</dt>
        <dd>{d.tender.qualificationClass}</dd>
        <dt>{t("evaluation.requirements.pmCertificate")}</dt>
        <dd>{yes(d.tender.requirePmCertificate)}</dd>
        <dt>{t("evaluation.requirements.poolMember")}</dt>
        <dd>{yes(d.tender.requirePoolMember)}</dd>
        {d.tender.otherRequirements && (
          <>
            <dt>{t("evaluation.requirements.other")}</dt>
            <dd>{d.tender.otherRequirements}</dd>
          </>
        )}
        <dt>{t("evaluation.requirements.ceiling")}</dt>
        <dd>{d.tender.ceiling}</dd>
        <dt>{t("evaluation.requirements.method")}</dt>
        <dd>{t(`tender.methods.${d.tender.method}`)}</dd>
      </dl>
      <ul className="downloads">
        {d.tender.documentPdf && (
          <li>
            <a href={`/evaluations/${d.tender.id}/files/${d.tender.documentPdf}`}>{t("evaluation.requirements.document")}</a>
          </li>
        )}
        {d.attachments.map((a) => (
          <li key={a.sha}>
            {t("evaluation.requirements.attachments")}：<a href={`/evaluations/${d.tender.id}/files/${a.sha}`}>{a.name}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Bids({ d }: { d: PageData }) {
  const { t } = useTranslation();
  const label = {
    company: t("evaluation.result.company"),
    price: t("evaluation.bids.price"),
    duration: t("evaluation.bids.duration"),
    pm: t("evaluation.bids.pm"),
    quality: t("evaluation.bids.quality"),
    security: t("evaluation.bids.security"),
    files: t("evaluation.bids.files"),
  };
  return (
    <section className="card" aria-labelledby="bids-h">
      <h2 id="bids-h">{t("evaluation.bids.title")}</h2>
      {d.bids.length === 0 ? (
        <p className="muted">{t("evaluation.bids.none")}</p>
      ) : (
        <div className="table-wrap">
          <table className="cards" data-testid="evaluation-bids">
            <thead>
              <tr>
                {Object.values(label).map((l) => (
                  <th key={l}>{l}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {d.bids.map((b) => (
                <tr key={b.bidId}>
                  <td>
                    <strong>{b.company}</strong>
                    {b.qualified !== null && (
                      <span className={b.qualified ? "tag" : "tag bad"}>{b.qualified ? t("evaluation.bids.qualified") : t("evaluation.bids.notQualified")}</span>
                    )}
                  </td>
                  <td data-label={label.price}>{b.price ?? t("opening.unreadable")}</td>
                  <td data-label={label.duration}>
                    {b.durationDays === null ? (unreadableFields(b.openingReasons).durationDays ? t("opening.unreadable") : "—") : t("evaluation.bids.days", { n: b.durationDays })}
                  </td>
                  <td data-label={label.pm}>{b.pm || "—"}</td>
                  <td data-label={label.quality} className="prewrap">
                    {b.quality ?? (unreadableFields(b.openingReasons).quality ? t("opening.unreadable") : "—")}
                  </td>
                  <td data-label={label.security}>{b.securityOk ? t("evaluation.bids.securityOk") : t("evaluation.bids.securityBad")}</td>
                  <td data-label={label.files}>
                    {b.files.map((f, i) => (
                      <span key={f.sha256}>
                        {i > 0 && "、"}
                        <a href={`/evaluations/${d.tender.id}/files/${f.sha256}`}>{f.name}</a> <span className="muted small">({f.kb} KB)</span>
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ChecksForm({ d, r }: { d: PageData; r: Result }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="checks-h">
      <h2 id="checks-h">{t("evaluation.checks.title")}</h2>
      <p className="hint">{t("evaluation.checks.hint")}</p>
      <Form method="post" className="stack" data-testid="checks-form">
        {d.bids.map((b) => {
          // What the opening recorded against a bid comes filled in for rejection, with its reasons; the member decides.
          const marked = b.openingReasons.map((k) => t(k)).join("；");
          const pass = r.values[`pass-${b.bidId}`] ?? (marked ? "no" : undefined);
          return (
            <fieldset key={b.bidId} data-testid={`check-${b.bidId}`}>
              <legend>
                {b.company} · {b.price ?? t("opening.unreadable")}
              </legend>
              {marked && <p className="notice warn">{t("evaluation.checks.openingMarked", { reasons: marked })}</p>}
              <div className="row">
                <label>
                  <input type="radio" name={`pass-${b.bidId}`} value="yes" required defaultChecked={pass === "yes"} /> {t("evaluation.checks.pass")}
                </label>
                <label>
                  <input type="radio" name={`pass-${b.bidId}`} value="no" defaultChecked={pass === "no"} /> {t("evaluation.checks.fail")}
                </label>
              </div>
              <FieldError id={`pass-${b.bidId}-error`} errors={r.errors} name={`pass-${b.bidId}`} />
              <label htmlFor={`reason-${b.bidId}`}>{t("evaluation.checks.reason")}</label>
              <textarea
                id={`reason-${b.bidId}`}
                name={`reason-${b.bidId}`}
                rows={2}
                maxLength={2000}
                defaultValue={r.values[`reason-${b.bidId}`] ?? (marked || undefined)}
                aria-invalid={r.errors[`reason-${b.bidId}`] ? true : undefined}
                aria-describedby={r.errors[`reason-${b.bidId}`] ? `reason-${b.bidId}-error` : undefined}
              />
              <FieldError id={`reason-${b.bidId}-error`} errors={r.errors} name={`reason-${b.bidId}`} />
            </fieldset>
          );
        })}
        <button type="submit" name="intent" value="checks" className="primary">
          {t("evaluation.checks.submit")}
        </button>
      </Form>
    </section>
  );
}

function ChecksTable({ d }: { d: PageData }) {
  const { t } = useTranslation();
  if (d.stage === "waiting") return null;
  const member = d.role === "member";
  return (
    <section className="card" aria-labelledby="checks-h">
      <h2 id="checks-h">{t("evaluation.checks.title")}</h2>
      {member && d.mine.checksAt && <p className="notice ok">{t("evaluation.checks.handedIn", { at: d.mine.checksAt })}</p>}
      {d.lock ? (
        <p className="muted small">
          {t("evaluation.checks.locked", { at: d.lock.at })} {t("evaluation.checks.listHash")} <code className="hash">{d.lock.hash}</code>
        </p>
      ) : (
        <p className="hint">{member ? t("evaluation.checks.othersHidden") : t("evaluation.checks.hostHidden")}</p>
      )}
      {d.checks.length === 0 ? (
        <p className="muted">{t("evaluation.checks.none")}</p>
      ) : (
        <ul className="plain" data-testid="checks-list">
          {d.bids.map((b) => (
            <li key={b.bidId}>
              <strong>{b.company}</strong>
              <ul>
                {d.checks
                  .filter((c) => c.bidId === b.bidId)
                  .map((c) => (
                    <li key={c.expertId}>
                      {c.name}：{c.pass ? t("evaluation.checks.pass") : t("evaluation.checks.fail")}
                      {c.reason && <span className="prewrap">（{c.reason}）</span>}
                    </li>
                  ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Clarifications({ d, r }: { d: PageData; r: Result }) {
  const { t } = useTranslation();
  const mayAsk = d.role === "member" && ["checking", "secret", "scoring", "review", "explaining"].includes(d.stage) && d.bids.length > 0;
  return (
    <section className="card stack" aria-labelledby="clarify-h">
      <h2 id="clarify-h">{t("evaluation.clarify.title")}</h2>
      {d.clarifications.length === 0 ? (
        <p className="muted">{t("evaluation.clarify.none")}</p>
      ) : (
        <ul className="plain qa-list" data-testid="clarifications">
          {d.clarifications.map((c) => (
            <li key={c.id}>
              <p>
                <strong>{c.company}</strong>：<span className="prewrap">{c.question}</span>
              </p>
              <p className="muted small">{t("evaluation.clarify.asked", { name: c.askedBy, at: c.askedAt, due: c.dueAt })}</p>
              {c.answer ? (
                <p>
                  {t("evaluation.clarify.answered", { at: c.answeredAt })} <span className="prewrap">{c.answer}</span>
                </p>
              ) : (
                <p className={c.overdue ? "tag warn" : "muted"}>{c.overdue ? t("evaluation.clarify.overdue") : t("evaluation.clarify.waiting")}</p>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayAsk && (
        <Form method="post" className="stack step-block">
          <p className="hint">{t("evaluation.clarify.hint")}</p>
          <label htmlFor="clarify-bid">{t("evaluation.clarify.bid")}</label>
          <select id="clarify-bid" name="bidId" defaultValue={r.values.bidId}>
            {d.bids.map((b) => (
              <option key={b.bidId} value={b.bidId}>
                {b.company}
              </option>
            ))}
          </select>
          <label htmlFor="clarify-question">{t("evaluation.clarify.question")}</label>
          <textarea
            id="clarify-question"
            name="question"
            rows={3}
            maxLength={2000}
            required
            defaultValue={r.values.question}
            aria-describedby={r.errors.question ? "question-error" : undefined}
          />
          <FieldError id="question-error" errors={r.errors} name="question" />
          <label htmlFor="clarify-hours">{t("evaluation.clarify.hours")}</label>
          <input id="clarify-hours" name="hours" type="number" min={1} max={72} step={1} required defaultValue={r.values.hours ?? "24"} inputMode="numeric" />
          <FieldError id="hours-error" errors={r.errors} name="hours" />
          <button type="submit" name="intent" value="clarify">
            {t("evaluation.clarify.submit")}
          </button>
        </Form>
      )}
    </section>
  );
}

function Secret({ d }: { d: PageData }) {
  const { t } = useTranslation();
  return (
    <section className="card stack" aria-labelledby="secret-h">
      <h2 id="secret-h">{t("evaluation.secret.title")}</h2>
      <p className="hint">{t("evaluation.secret.hint")}</p>
      <dl className="facts">
        <dt>{t("evaluation.secret.commitment")}</dt>
        <dd>{d.draw.commitment ? <code className="hash">{d.draw.commitment}</code> : t("evaluation.secret.noCommitment")}</dd>
        {d.lock && (
          <>
            <dt>{t("evaluation.checks.listHash")}</dt>
            <dd>
              <code className="hash">{d.lock.hash}</code>
            </dd>
          </>
        )}
        <dt>{t("evaluation.secret.revealed")}</dt>
        <dd data-testid="draw-secret">{d.draw.revealed ? <code className="hash">{d.draw.revealed}</code> : t("evaluation.secret.notYet")}</dd>
        {d.draw.revealedAt && (
          <>
            <dt>{t("evaluation.secret.revealedAt")}</dt>
            <dd>{d.draw.revealedAt}</dd>
          </>
        )}
        {d.draw.seed && (
          <>
            <dt>{t("evaluation.secret.seed")}</dt>
            <dd>
              <code className="hash">{d.draw.seed}</code>
            </dd>
          </>
        )}
      </dl>
      {d.canReveal && (
        <Form method="post">
          <button type="submit" name="intent" value="reveal" className="primary" data-testid="reveal-secret">
            {t("evaluation.secret.reveal")}
          </button>
        </Form>
      )}
    </section>
  );
}

function Scores({ d, r }: { d: PageData; r: Result }) {
  const { t } = useTranslation();
  const member = d.role === "member";
  if (member && d.stage === "scoring" && !d.mine.scoresAt) {
    return (
      <section className="card" aria-labelledby="scores-h">
        <h2 id="scores-h">{t("evaluation.scores.title")}</h2>
        <p className="hint">{t("evaluation.scores.hint", { max: d.maxScore })}</p>
        <Form method="post" className="stack" data-testid="scores-form">
          {d.scoredBids.map((b) => (
            <div className="field" key={b.bidId}>
              <label htmlFor={`score-${b.bidId}`}>
                {b.company} · {t("evaluation.scores.score")}
              </label>
              <input
                id={`score-${b.bidId}`}
                name={`score-${b.bidId}`}
                type="text"
                inputMode="decimal"
                required
                defaultValue={r.values[`score-${b.bidId}`]}
                aria-invalid={r.errors[`score-${b.bidId}`] ? true : undefined}
                aria-describedby={r.errors[`score-${b.bidId}`] ? `score-${b.bidId}-error` : undefined}
              />
              <span className="unit">/ {d.maxScore}</span>
              <FieldError id={`score-${b.bidId}-error`} errors={r.errors} name={`score-${b.bidId}`} />
            </div>
          ))}
          <button type="submit" name="intent" value="scores" className="primary">
            {t("evaluation.scores.submit")}
          </button>
        </Form>
      </section>
    );
  }
  const reviewing = member && d.stage === "review" && !d.mine.reviewed;
  const sitting = d.members.filter((m) => m.status === "accepted");
  const mineToAnswer = member && d.stage === "explaining" ? d.scores.filter((s) => s.expertId === d.me && s.abnormal && !s.explanation && !s.replaced) : [];
  const table = (
    <div className="table-wrap">
      <table className="cards" data-testid="scores-table">
        <thead>
          <tr>
            <th>{t("evaluation.result.company")}</th>
            {sitting.map((m) => (
              <th key={m.expertId}>{m.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {d.scoredBids.map((b) => (
            <tr key={b.bidId}>
              <td>
                <strong>{b.company}</strong>
              </td>
              {sitting.map((m) => {
                const s = d.scores.find((x) => x.bidId === b.bidId && x.expertId === m.expertId);
                return (
                  <td key={m.expertId} data-label={m.name}>
                    {s ? s.score : "—"}
                    {s && s.flags > 0 && <span className="tag warn">{t("evaluation.scores.flagged", { n: s.flags })}</span>}
                    {s?.explanation && <p className="prewrap small">{t("evaluation.scores.explained", { text: s.explanation })}</p>}
                    {s?.replaced && <p className="small">{t("evaluation.scores.replaced")}</p>}
                    {reviewing && s && m.expertId !== d.me && (
                      <label className="small">
                        <input type="checkbox" name={`flag-${m.expertId}-${b.bidId}`} defaultChecked={s.flaggedByMe} /> {t("evaluation.scores.flag")}
                      </label>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <section className="card stack" aria-labelledby="scores-h">
      <h2 id="scores-h">{t("evaluation.scores.title")}</h2>
      {member && d.mine.scoresAt && <p className="notice ok">{t("evaluation.scores.handedIn", { at: d.mine.scoresAt })}</p>}
      {d.stage === "scoring" && <p className="hint">{t("evaluation.scores.othersHidden")}</p>}
      {reviewing ? (
        <Form method="post" className="stack" data-testid="review-form">
          <p className="hint">{t("evaluation.scores.reviewHint")}</p>
          {table}
          <button type="submit" name="intent" value="review" className="primary">
            {t("evaluation.scores.reviewSubmit")}
          </button>
        </Form>
      ) : (
        d.scores.length > 0 && table
      )}
      {member && d.stage === "review" && d.mine.reviewed && <p className="notice ok">{t("evaluation.scores.reviewed")}</p>}
      {mineToAnswer.length > 0 && (
        <div className="stack step-block">
          <h3>{t("evaluation.abnormal.title")}</h3>
          <p className="hint">{t("evaluation.abnormal.hint")}</p>
          {mineToAnswer.map((s) => (
            <Form method="post" className="stack" key={s.bidId}>
              <input type="hidden" name="bidId" value={s.bidId} />
              <p>{t("evaluation.abnormal.item", { company: d.scoredBids.find((b) => b.bidId === s.bidId)?.company ?? "", score: s.score })}</p>
              <label htmlFor={`explanation-${s.bidId}`}>{t("evaluation.abnormal.explanation")}</label>
              <textarea id={`explanation-${s.bidId}`} name="explanation" rows={3} maxLength={2000} defaultValue={r.values.bidId === s.bidId ? r.values.explanation : undefined} />
              {r.values.bidId === s.bidId && <FieldError id={`explanation-${s.bidId}-error`} errors={r.errors} name="explanation" />}
              <div className="row">
                <button type="submit" name="intent" value="explain" className="primary">
                  {t("evaluation.abnormal.explain")}
                </button>
                <button type="submit" name="intent" value="acceptReplacement" className="secondary">
                  {t("evaluation.abnormal.replace")}
                </button>
              </div>
            </Form>
          ))}
        </div>
      )}
    </section>
  );
}

function ResultTable({ result }: { result: NonNullable<PageData["result"]> }) {
  const { t } = useTranslation();
  const comprehensive = result.method === "comprehensive";
  const reasonable = result.method === "reasonable_low";
  return (
    <>
      <p>{t(`tender.methods.${result.method}`)}</p>
      {result.benchmark && <p>{t("evaluation.result.benchmark", { amount: result.benchmark })}</p>}
      <div className="table-wrap">
        <table className="cards" data-testid="evaluation-ranking">
          <thead>
            <tr>
              <th>{t("evaluation.result.rank")}</th>
              <th>{t("evaluation.result.company")}</th>
              <th>{t("evaluation.result.price")}</th>
              {comprehensive && <th>{t("evaluation.result.priceScore")}</th>}
              {comprehensive && <th>{t("evaluation.result.expertScore")}</th>}
              {comprehensive && <th>{t("evaluation.result.total")}</th>}
              {reasonable && <th>{t("evaluation.result.distance")}</th>}
            </tr>
          </thead>
          <tbody>
            {result.ranking.map((x) => (
              <tr key={x.bidId}>
                <td data-label={t("evaluation.result.rank")}>
                  {x.rank}
                  {x.tie && <span className="tag">{t("evaluation.result.tie")}</span>}
                </td>
                <td>
                  <strong>{x.company}</strong>
                  {x.candidate > 0 && <span className="tag">{t("evaluation.result.candidateN", { n: x.candidate })}</span>}
                </td>
                <td data-label={t("evaluation.result.price")}>{x.price}</td>
                {comprehensive && <td data-label={t("evaluation.result.priceScore")}>{x.priceScore ?? "—"}</td>}
                {comprehensive && <td data-label={t("evaluation.result.expertScore")}>{x.expertScore ?? "—"}</td>}
                {comprehensive && <td data-label={t("evaluation.result.total")}>{x.total ?? "—"}</td>}
                {reasonable && <td data-label={t("evaluation.result.distance")}>{x.distance ?? "—"}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {result.wouldHaveWon && <p className="notice warn">{t("evaluation.result.wouldHaveWon", { company: result.wouldHaveWon })}</p>}
    </>
  );
}

function OpinionForm({ r }: { r: Result }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="opinion-h">
      <h2 id="opinion-h">{t("evaluation.opinion.title")}</h2>
      <p className="hint">{t("evaluation.opinion.hint")}</p>
      <Form method="post" className="stack" data-testid="opinion-form">
        <fieldset>
          <div className="row">
            <label>
              <input type="radio" name="agree" value="yes" required defaultChecked={r.values.agree === "yes"} /> {t("evaluation.opinion.agree")}
            </label>
            <label>
              <input type="radio" name="agree" value="no" defaultChecked={r.values.agree === "no"} /> {t("evaluation.opinion.dissent")}
            </label>
          </div>
          <FieldError id="agree-error" errors={r.errors} name="agree" />
        </fieldset>
        <label htmlFor="dissent">{t("evaluation.opinion.dissentText")}</label>
        <textarea id="dissent" name="dissent" rows={4} maxLength={2000} defaultValue={r.values.dissent} aria-describedby={r.errors.dissent ? "dissent-error" : undefined} />
        <FieldError id="dissent-error" errors={r.errors} name="dissent" />
        <button type="submit" name="intent" value="opinion" className="primary">
          {t("evaluation.opinion.submit")}
        </button>
      </Form>
    </section>
  );
}
