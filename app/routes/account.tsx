import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { PasskeyRegister } from "~/components/passkey-register";
import { FormError, Notice } from "~/components/forms";
import { openBidsSealedTo } from "~/models/bid.server";
import { listPasskeys, removePasskey } from "~/models/passkey.server";
import { deliverDue, devMailbox, isReachable } from "~/models/outbox.server";
import { devMailboxOn } from "~/models/transports.server";
import { DevCopy } from "~/components/dev-copy";
import { assertMayChangePasskeys, confirmStepUp, requestStepUpCode, stepUpState } from "~/models/reset-code.server";
import { endAllSessions, endSession, listSessions } from "~/models/session.server";
import { actorOf, clearSessionCookie, requireAuth } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { maskPhone } from "~/utils/phone";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.account"));
export const handle = { i18n: ["account", "bid", "errors"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireAuth(request, context);
  const [passkeys, sessions, stepUp] = await Promise.all([
    listPasskeys(context.db, auth.user.id),
    listSessions(context.db, context.clock, auth.user.id),
    stepUpState(context.db, context.clock, auth.session),
  ]);
  return {
    user: { name: auth.user.name, phone: maskPhone(auth.user.phone) },
    // After a password sign-in, changing passkeys needs a code sent to the user's own channel.
    stepUp: { ...stepUp, reachable: isReachable(auth.user) },
    passkeys: passkeys.map((p) => ({
      id: p.id,
      name: p.name,
      createdAt: formatBeijing(p.createdAt),
      lastUsedAt: p.lastUsedAt ? formatBeijing(p.lastUsedAt) : null,
      prfEnabled: p.prfEnabled,
      sealing: Boolean(p.openingPublicKey),
      backedUp: p.backedUp,
    })),
    sessions: sessions.map((s) => ({
      // Only a short prefix of the session id's hash reaches the page; it is enough to pick one to end.
      ref: s.id.slice(0, 16),
      current: s.id === auth.session.id,
      method: s.method,
      ip: s.ip,
      userAgent: s.userAgent,
      lastSeenAt: formatBeijing(s.lastSeenAt),
    })),
  };
}

const accountFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("step-up-request") }),
    z.object({ intent: z.literal("step-up-confirm"), code: formText }),
    z.object({ intent: z.literal("remove-passkey"), passkeyId: formText, confirm: formText }),
    z.object({ intent: z.literal("end-session"), ref: formText }),
    z.object({ intent: z.literal("logout-everywhere") }),
  ]),
);

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth(request, context);
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const form = await parseForm(request, accountFormSchema);
  if (!form.ok) return data({ errors: { form: "errors.invalidInput" } as FormErrors }, { status: 400 });
  const f = form.data;
  try {
    if (f.intent === "step-up-request") {
      const since = context.clock.now();
      const { messages } = await requestStepUpCode(context.db, context.clock, actor);
      await deliverDue(context.db, { clock: context.clock, transports: context.transports, origin: context.env.PUBLIC_ORIGIN });
      // A developer's machine without any real transport: the code just sent is shown here, to its owner.
      const devCopy = devMailboxOn(context.env) ? await devMailbox(context.db, { userId: auth.user.id }, { since }) : null;
      return { stepUpSent: messages, devCopy };
    }
    if (f.intent === "step-up-confirm") {
      await confirmStepUp(context.db, { clock: context.clock, actor, sessionId: auth.session.id, code: f.code });
      return { done: "account.stepUpDone" };
    }
    if (f.intent === "remove-passkey") {
      await assertMayChangePasskeys(context.db, context.clock, auth.session);
      const { passkeyId } = f;
      // A passkey that seals an open bid: say so, and offer to re-seal first (the bid page does it).
      const sealing = await openBidsSealedTo(context.db, passkeyId, context.clock.now());
      const own = (await listPasskeys(context.db, auth.user.id)).some((p) => p.id === passkeyId);
      if (own && sealing.length > 0 && f.confirm !== "yes") {
        return data({ sealing: { passkeyId, bids: sealing.map((b) => ({ tenderId: b.tenderId, project: b.projectName, deadline: formatBeijing(b.deadline) })) } }, { status: 409 });
      }
      await removePasskey(context.db, context.clock, actor, passkeyId);
      return { done: "account.passkeyRemoved" };
    }
    if (f.intent === "end-session") {
      const { ref } = f;
      const sessions = await listSessions(context.db, context.clock, auth.user.id);
      const target = ref.length === 16 ? sessions.find((s) => s.id.startsWith(ref)) : undefined;
      if (!target) return data({ errors: { form: "errors.notFound" } as FormErrors }, { status: 404 });
      await endSession(context.db, { clock: context.clock, actor, sessionId: target.id, reason: "revoke" });
      if (target.id === auth.session.id) throw redirect("/login", { headers: { "Set-Cookie": clearSessionCookie(context) } });
      return { done: "account.sessionEnded" };
    }
    await endAllSessions(context.db, context.clock, actor);
    throw redirect("/login", { headers: { "Set-Cookie": clearSessionCookie(context) } });
  } catch (e) {
    if (e instanceof Response) throw e;
    const refused = refusal(e);
    return data({ errors: refused.errors }, { status: refused.status });
  }
}

export default function Account() {
  const { t } = useTranslation();
  const { user, passkeys, sessions, stepUp } = useLoaderData<typeof loader>();
  const locked = stepUp.needed && !stepUp.proved;
  const result = useActionData<typeof action>();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("account.title")}</h1>
        <p>
          {user.name} · {user.phone}
        </p>
        <p>
          <Link to="/notifications/settings" reloadDocument>
            {t("account.messageSettings")}
          </Link>
        </p>
        {result && "done" in result && result.done && <Notice>{t(result.done)}</Notice>}
        {result && "sealing" in result && (
          <div className="notice warn" role="alert" data-testid="passkey-seals-bids">
            <p>{t("account.passkeySealsBids")}</p>
            <ul>
              {result.sealing.bids.map((b) => (
                <li key={b.tenderId}>
                  <Link to={`/notices/${b.tenderId}/bid#reseal`}>{b.project}</Link> · {t("bid.deadline")} {b.deadline} — {t("account.resealFirst")}
                </li>
              ))}
            </ul>
            <Form method="post">
              <input type="hidden" name="intent" value="remove-passkey" />
              <input type="hidden" name="passkeyId" value={result.sealing.passkeyId} />
              <input type="hidden" name="confirm" value="yes" />
              <button type="submit" className="danger">
                {t("account.removeAnyway")}
              </button>
            </Form>
          </div>
        )}
        <FormError errors={result && "errors" in result ? result.errors : undefined} />
      </section>
      <section className="card" aria-labelledby="passkeys-h">
        <h2 id="passkeys-h">{t("account.passkeys")}</h2>
        <p>{t("account.passkeysIntro")}</p>
        {passkeys.length === 0 ? (
          <p>{t("account.noPasskeys")}</p>
        ) : (
          <ul className="list" data-testid="passkey-list">
            {passkeys.map((p) => (
              <li key={p.id}>
                <div>
                  <strong>{p.name}</strong>
                  <small>
                    {t("account.addedAt", { at: p.createdAt })}
                    {p.lastUsedAt && ` · ${t("account.lastUsed", { at: p.lastUsedAt })}`}
                    {" · "}
                    {p.prfEnabled ? t("account.prfYes") : t("account.prfNo")}
                    {p.sealing && ` · ${t("account.sealingReady")}`}
                  </small>
                </div>
                {!locked && (
                  <Form method="post">
                    <input type="hidden" name="intent" value="remove-passkey" />
                    <input type="hidden" name="passkeyId" value={p.id} />
                    <button type="submit" className="danger" aria-label={t("account.removePasskeyNamed", { name: p.name })}>
                      {t("account.remove")}
                    </button>
                  </Form>
                )}
              </li>
            ))}
          </ul>
        )}
        {locked ? (
          <div className="notice stack" data-testid="step-up">
            <h3>{t("account.lostPasskey")}</h3>
            <p>{t("account.stepUpWhy")}</p>
            <p>{t("account.lostPasskeyBids")}</p>
            {stepUp.reachable ? (
              <Form method="post">
                <input type="hidden" name="intent" value="step-up-request" />
                <button type="submit">{t("account.stepUpSend")}</button>
              </Form>
            ) : (
              <p>{t("account.stepUpNoChannel")}</p>
            )}
            {result && "stepUpSent" in result && <p role="status">{t("account.stepUpSent")}</p>}
            {result && "devCopy" in result && <DevCopy messages={result.devCopy} />}
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="step-up-confirm" />
              <label htmlFor="step-up-code">{t("account.stepUpCode")}</label>
              <input id="step-up-code" name="code" autoComplete="one-time-code" autoCapitalize="characters" maxLength={20} required />
              <button type="submit" className="primary">
                {t("account.stepUpConfirm")}
              </button>
            </Form>
          </div>
        ) : (
          <PasskeyRegister />
        )}
      </section>
      <section className="card" aria-labelledby="sessions-h">
        <h2 id="sessions-h">{t("account.sessions")}</h2>
        <ul className="list">
          {sessions.map((s) => (
            <li key={s.ref}>
              <div>
                <strong>{s.current ? t("account.thisDevice") : s.userAgent?.slice(0, 60) || t("account.unknownDevice")}</strong>
                <small>
                  {t(`account.method.${s.method}`)} · {s.ip ?? "-"} · {t("account.lastSeen", { at: s.lastSeenAt })}
                </small>
              </div>
              <Form method="post">
                <input type="hidden" name="intent" value="end-session" />
                <input type="hidden" name="ref" value={s.ref} />
                <button type="submit">{t("account.endSession")}</button>
              </Form>
            </li>
          ))}
        </ul>
        <Form method="post">
          <input type="hidden" name="intent" value="logout-everywhere" />
          <button type="submit" className="danger">
            {t("account.logoutEverywhere")}
          </button>
        </Form>
      </section>
    </div>
  );
}
