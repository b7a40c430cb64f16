import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, isRouteErrorResponse, Link, useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FormError, Notice } from "~/components/forms";
import { Countdown, DecryptPanel, HallReconnecting, LiveStatus, SignRecord } from "~/components/opening-hall";
import { sealingScript } from "~/models/bid.server";
import { reasonKeys, unreadableFields } from "~/models/bid-rules";
import { eventWords, hallEventsAfter } from "~/models/hall-events.server";
import { allowedActionsOf, BID_OPENING_TRANSITIONS, OPENING_TRANSITIONS } from "~/models/lifecycle";
import { listPasskeys } from "~/models/passkey.server";
import { answerObjection, closeOpening, confirmRow, extendWindow, hallView, raiseObjection, retender, signIn, startDecryption, startReading } from "~/models/opening.server";
import { actorOf } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { requireHall } from "~/utils/hall.server";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, (t) => [data?.tender.name, t("titles.hall")]);
export const handle = { i18n: ["bid", "opening", "evaluation", "errors"] };

const TIME = "yyyy-MM-dd HH:mm:ss";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, role, tenderId, notice } = await requireHall(request, context, params.id ?? "");
  const companyId = role === "bidder" ? auth.membership.org.id : null;
  const v = (await hallView(context.db, context.clock, tenderId, { role, companyId }))!;
  const events = v.beforeDeadline ? [] : await hallEventsAfter(context.db, tenderId, 0);
  const o = v.opening;
  const incidents = o?.decryptionStartedAt ? events.filter((e) => e.kind === "incident" && e.at >= o.decryptionStartedAt!).length : 0;
  const answered = new Set(events.filter((e) => e.kind === "answer").map((e) => Number((e.payload as { objectionId: number }).objectionId)));
  const script = sealingScript();
  return {
    role,
    isCommittee: auth.membership.role === "committee",
    tender: {
      id: tenderId,
      name: notice.project.name,
      village: notice.village,
      ceiling: formatFen(notice.project.ceilingFen),
      deadline: formatBeijing(v.tender.deadline, TIME),
      deadlineMs: v.tender.deadline.getTime(),
      projectId: notice.project.id,
    },
    nowMs: v.now.getTime(),
    beforeDeadline: v.beforeDeadline,
    opening: o && {
      state: o.state,
      windowEndsAt: o.windowEndsAt ? formatBeijing(o.windowEndsAt, TIME) : null,
      confirmEndsAt: o.confirmEndsAt ? formatBeijing(o.confirmEndsAt, TIME) : null,
      extended: Boolean(o.extendedAt),
      extendReason: o.extendReason,
      failReason: o.failReason ? (JSON.parse(o.failReason) as { key: string; values?: Record<string, string | number> }) : null,
    },
    // The buttons come from the tables: the host's moves of the opening (none yet: it is waiting), a bidder's of its own bid at it.
    actions: role === "host" ? allowedActionsOf(OPENING_TRANSITIONS, o?.state ?? "waiting", auth.membership.role) : [],
    own: {
      signedInAt: v.ownSignin ? formatBeijing(v.ownSignin.at, TIME) : null,
      bidStatus: v.ownBidStatus,
      opening: v.ownBidOpening ? { status: v.ownBidOpening.status, confirmation: v.ownBidOpening.confirmation } : null,
      actions: v.ownBidOpening ? allowedActionsOf(BID_OPENING_TRANSITIONS, v.ownBidOpening.status, auth.membership.role) : [],
    },
    signins: v.signins.map((s) => ({ company: s.company, at: formatBeijing(s.at, TIME) })),
    rows: v.rows.map(({ priceFen: _p, companyId: _c, ...r }) => r),
    events: events.map((e) => ({ id: e.id, at: formatBeijing(e.at, TIME), kind: e.kind, ...eventWords(e.payload), answered: answered.has(e.id) })),
    reading: v.reading,
    recordSigned: Boolean(o?.recordSignedAt),
    lastEventId: events.at(-1)?.id ?? 0,
    incidents,
    // For the bidder's decryption in the browser.
    seal:
      role === "bidder"
        ? {
            script: { version: script.version, path: script.path, sha256: script.sha256, integrity: `sha256-${Buffer.from(script.sha256, "hex").toString("base64")}` },
            rpId: context.rp.rpID,
            passkeyIds: (await listPasskeys(context.db, auth.user.id)).map((p) => p.id),
          }
        : null,
  };
}

/** Every hall act as a plain form (works without JavaScript); the model checks role, ownership and timing. */
/** The hall's forms, one per intent; which role may send which is checked in the action. */
const hallFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [
    z.object({ intent: z.enum(["sign_in", "confirm", "start", "read", "close", "retender"]) }),
    z.object({ intent: z.literal("object"), text: formText }),
    z.object({ intent: z.literal("extend"), minutes: formText, reason: formText }),
    z.object({ intent: z.literal("answer"), objectionId: formText, text: formText }),
  ]),
);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, role, tenderId, notice } = await requireHall(request, context, params.id ?? "");
  const form = await parseForm(request, hallFormSchema);
  // An intent the hall does not have is refused as one the role may not send.
  if (!form.ok) return data({ errors: form.errors.intent ? ({ form: "errors.forbidden" } as FormErrors) : form.errors, done: null }, { status: form.errors.intent ? 403 : 400 });
  const f = form.data;
  const intent = f.intent;
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const org = auth.membership.org.id;
  const { db, clock } = context;
  try {
    if (role === "bidder" && intent === "sign_in") await signIn(db, { clock, actor, companyId: org, tenderId });
    else if (role === "bidder" && intent === "confirm") await confirmRow(db, { clock, actor, companyId: org, tenderId });
    else if (role === "bidder" && f.intent === "object") await raiseObjection(db, { clock, actor, companyId: org, tenderId, raw: f.text });
    else if (role === "host" && intent === "start") await startDecryption(db, { clock, actor, actingOrgId: org, tenderId });
    else if (role === "host" && f.intent === "extend") await extendWindow(db, { clock, actor, actingOrgId: org, tenderId, input: { minutes: f.minutes, reason: f.reason } });
    else if (role === "host" && intent === "read") await startReading(db, { clock, actor, actingOrgId: org, tenderId });
    else if (role === "host" && f.intent === "answer") await answerObjection(db, { clock, actor, actingOrgId: org, tenderId, objectionId: f.objectionId, raw: f.text });
    else if (role === "host" && intent === "close") await closeOpening(db, { clock, actor, actingOrgId: org, tenderId });
    else if (role === "host" && intent === "retender") {
      await retender(db, { clock, actor, villageId: org, projectId: notice.project.id });
      throw redirect(`/projects/${notice.project.id}`);
    } else return data({ errors: { form: "errors.forbidden" } as FormErrors, done: null }, { status: 403 });
  } catch (e) {
    if (e instanceof Response) throw e;
    const refused = refusal(e);
    return data({ errors: refused.errors, done: null }, { status: refused.status });
  }
  return { errors: {} as FormErrors, done: intent };
}

export default function Hall() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const state: string = d.opening?.state ?? "none";
  const host = d.role === "host";
  const bidder = d.role === "bidder";
  const unanswered = d.events.filter((e) => e.kind === "objection" && !e.answered);
  return (
    <div className="stack">
      <section className="card">
        <p>
          <Link to={`/notices/${d.tender.id}`}>← {d.tender.name}</Link>
        </p>
        <h1>
          {t("opening.title")} · {d.tender.name}
        </h1>
        <dl className="facts">
          <dt>{t("bid.deadline")}</dt>
          <dd>{d.tender.deadline}</dd>
          <dt>{t("opening.stateTitle")}</dt>
          <dd data-testid="hall-state">{t(`opening.state.${state}`)}</dd>
          {d.opening?.windowEndsAt && state === "decrypting" && (
            <>
              <dt>{t("opening.windowEnds", { at: "" })}</dt>
              <dd>{d.opening.windowEndsAt}</dd>
            </>
          )}
          {d.opening?.confirmEndsAt && state === "reading" && (
            <>
              <dt>{t("opening.confirmEnds", { at: "" })}</dt>
              <dd>{d.opening.confirmEndsAt}</dd>
            </>
          )}
        </dl>
        {d.beforeDeadline && <Countdown deadlineMs={d.tender.deadlineMs} nowMs={d.nowMs} label={t("opening.countdown")} />}
        {d.role === "observer" && <p className="muted">{t("opening.observer")}</p>}
        <LiveStatus tenderId={d.tender.id} lastEventId={d.lastEventId} />
        {state === "failed" && d.opening?.failReason && (
          <p className="notice bad" role="alert" data-testid="hall-failed">
            {t("opening.failed", { reason: t(d.opening.failReason.key, d.opening.failReason.values) })}
          </p>
        )}
        {result?.done && <Notice>{t(`opening.done.${result.done}`)}</Notice>}
        <FormError errors={result?.errors} />
      </section>

      {d.beforeDeadline && (
        <section className="card">
          <p>{t("opening.beforeDeadline")}</p>
          {bidder &&
            (d.own.signedInAt ? (
              <p className="notice ok" data-testid="signed-in">
                {t("opening.signedIn", { at: d.own.signedInAt })}
              </p>
            ) : (
              <Form method="post">
                <p className="hint">{t("opening.signInHint")}</p>
                <button type="submit" name="intent" value="sign_in" className="primary">
                  {t("opening.signIn")}
                </button>
              </Form>
            ))}
        </section>
      )}

      {(state === "closed" || state === "failed") && (
        <section className="card stack" aria-labelledby="record-h">
          <h2 id="record-h">{t("opening.recordTitle")}</h2>
          {state === "closed" && (host || d.role === "observer") && (
            <p>
              <Link to={`/panels/${d.tender.id}`} data-testid="panel-link">
                {t("panel.title")} →
              </Link>
            </p>
          )}
          {d.recordSigned ? (
            <p>
              <a href={`/notices/${d.tender.id}/record`} data-testid="record-link">
                {t("opening.recordSigned")}
              </a>
            </p>
          ) : host ? (
            <SignRecord tenderId={d.tender.id} />
          ) : (
            <p className="muted">{t("opening.recordPending")}</p>
          )}
        </section>
      )}

      {host && !d.beforeDeadline && state !== "closed" && (state !== "failed" || d.isCommittee) && (
        <section className="card stack" aria-label={t("opening.title")}>
          {d.incidents > 0 && state === "decrypting" && !d.opening?.extended && (
            <p className="notice warn" role="alert">
              {t("opening.incidents", { count: d.incidents })}
            </p>
          )}
          {d.actions.includes("start_decryption") && (
            <Form method="post">
              <p className="hint">{t("opening.startHint")}</p>
              <button type="submit" name="intent" value="start" className="primary">
                {t("opening.start")}
              </button>
            </Form>
          )}
          {d.actions.includes("start_reading") && (
            <>
              <Form method="post">
                <p className="hint">{t("opening.readHint")}</p>
                <button type="submit" name="intent" value="read" className="primary">
                  {t("opening.read")}
                </button>
              </Form>
              {d.actions.includes("extend_window") && !d.opening?.extended && (
                <Form method="post" className="stack">
                  <h2>{t("opening.extendTitle")}</h2>
                  <label htmlFor="minutes">{t("opening.extendMinutes")}</label>
                  <input id="minutes" name="minutes" inputMode="numeric" defaultValue="15" />
                  <label htmlFor="reason">{t("opening.extendReason")}</label>
                  <input id="reason" name="reason" maxLength={1000} />
                  <button type="submit" name="intent" value="extend">
                    {t("opening.extend")}
                  </button>
                </Form>
              )}
            </>
          )}
          {d.actions.includes("close") && (
            <Form method="post">
              <button type="submit" name="intent" value="close" className="primary">
                {t("opening.close")}
              </button>
            </Form>
          )}
          {state === "failed" && d.isCommittee && (
            <Form method="post">
              <button type="submit" name="intent" value="retender">
                {t("opening.retender")}
              </button>
            </Form>
          )}
        </section>
      )}

      {bidder && state === "decrypting" && d.own.actions.includes("decrypt") && d.seal && (
        <section className="card stack" aria-labelledby="decrypt-h">
          <h2 id="decrypt-h">{t("opening.decryptTitle")}</h2>
          <noscript>
            <p className="notice warn">{t("opening.needsJs")}</p>
          </noscript>
          <DecryptPanel tenderId={d.tender.id} seal={d.seal} />
        </section>
      )}
      {bidder && state === "decrypting" && d.own.opening && d.own.opening.status !== "waiting" && <p className="notice ok">{t("opening.decrypted")}</p>}

      {bidder && (state === "decrypting" || state === "reading") && d.own.opening && d.own.opening.status !== "withdrawn" && (
        <section className="card stack">
          {state === "reading" && d.own.opening.confirmation === "pending" && (
            <Form method="post">
              <button type="submit" name="intent" value="confirm" className="primary">
                {t("opening.confirm")}
              </button>
            </Form>
          )}
          <Form method="post" className="stack">
            <h2>{t("opening.objectTitle")}</h2>
            <label htmlFor="objection">{t("opening.objectText")}</label>
            <textarea id="objection" name="text" rows={2} maxLength={2000} />
            <button type="submit" name="intent" value="object">
              {t("opening.object")}
            </button>
          </Form>
        </section>
      )}

      {!d.beforeDeadline && (
        <section className="card" aria-labelledby="rows-h">
          <h2 id="rows-h">{t("opening.rowsTitle")}</h2>
          {d.reading && <p data-testid="ceiling-restated">{t("opening.ceiling", { ceiling: d.tender.ceiling })}</p>}
          <div className="table-wrap">
            <table className="cards" data-testid="hall-rows">
              <thead>
                <tr>
                  {(["company", "status", "price", "duration", "pm", "security", "confirmation"] as const).map((c) => (
                    <th key={c}>{t(`opening.cols.${c}`)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => {
                  // An opened bid is read out as submitted, marked with its reasons for the panel; what could not be read says so.
                  const opened = r.status === "decrypted" || r.status === "rejected";
                  const reasons = reasonKeys(r.reason)
                    .map((k) => t(k))
                    .join("；");
                  const unreadable = unreadableFields(r.reason);
                  const shown = (v: string | number | null, cannotRead: boolean) => v ?? (opened && cannotRead ? t("opening.unreadable") : "—");
                  return (
                    <tr key={r.company}>
                      <td data-label={t("opening.cols.company")}>{r.company}</td>
                      <td data-label={t("opening.cols.status")} data-testid="hall-row-status">
                        {t(`opening.status.${r.status}`)}
                        {reasons && ` — ${opened ? t("opening.marked", { reasons }) : reasons}`}
                      </td>
                      <td data-label={t("opening.cols.price")}>{shown(r.price, unreadable.price)}</td>
                      <td data-label={t("opening.cols.duration")}>{shown(r.durationDays, unreadable.durationDays)}</td>
                      <td data-label={t("opening.cols.pm")}>{shown(r.projectManager, unreadable.all)}</td>
                      <td data-label={t("opening.cols.security")}>{r.securityOk === null ? "—" : r.securityOk ? t("opening.securityOk") : t("opening.securityBad")}</td>
                      <td data-label={t("opening.cols.confirmation")}>{d.reading ? t(`opening.confirmation.${r.confirmation}`) : "—"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <h3>{t("opening.signinsTitle")}</h3>
          {d.signins.length === 0 ? (
            <p className="muted">{t("opening.noSignins")}</p>
          ) : (
            <ul>
              {d.signins.map((s) => (
                <li key={s.company}>
                  {s.company} · {s.at}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      {!d.beforeDeadline && (
        <section className="card" aria-labelledby="events-h">
          <h2 id="events-h">{t("opening.eventsTitle")}</h2>
          {d.events.length === 0 ? (
            <p className="muted">{t("opening.noEvents")}</p>
          ) : (
            <ol className="stack" data-testid="hall-events" aria-live="polite">
              {d.events.map((e) => (
                <li key={e.id}>
                  <small className="muted">{e.at}</small> {t(`opening.event.${e.kind}`, e.vars)}
                  {e.reason && <> — {t(e.reason.key, e.reason.values)}</>}
                  {host && e.kind === "objection" && !e.answered && (state === "decrypting" || state === "reading") && (
                    <Form method="post" className="stack">
                      <input type="hidden" name="objectionId" value={e.id} />
                      <label htmlFor={`answer-${e.id}`}>{t("opening.answerText")}</label>
                      <textarea id={`answer-${e.id}`} name="text" rows={2} maxLength={2000} />
                      <button type="submit" name="intent" value="answer">
                        {t("opening.answer")}
                      </button>
                    </Form>
                  )}
                </li>
              ))}
            </ol>
          )}
          {unanswered.length > 0 && host && <p className="hint">{t("errors.opening.unanswered")}</p>}
        </section>
      )}
    </div>
  );
}

/** A refusal (403/404) is shown as such; anything else here is a dropped connection while the hall reloads: keep trying. */
export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) throw error;
  return <HallReconnecting />;
}
