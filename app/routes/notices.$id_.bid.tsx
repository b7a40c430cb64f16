import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { ErrorText, FormError, Notice } from "~/components/forms";
import { approveBidAct, BidReceipts, keyOf, ResealBid, SealedBidForm } from "~/components/sealed-bid";
import { receiptView } from "~/models/bid-rules";
import { bidPage, bidPageActionSchema, MAX_BID_FILES, sealingScript, withdrawBid } from "~/models/bid.server";
import { DevCopy } from "~/components/dev-copy";
import { deliverDue, devMailbox, isReachable } from "~/models/outbox.server";
import { devMailboxOn } from "~/models/transports.server";
import { confirmStepUp, requestStepUpCode } from "~/models/reset-code.server";
import { actorOf, requireRole, notFound } from "~/utils/auth.server";
import { parseForm, refusal, type FormErrors } from "~/utils/forms";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, (t) => [data?.tender.name, t("titles.bid")]);
export const handle = { i18n: ["bid", "opening", "errors"] };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const page = await bidPage(context.db, { clock: context.clock, tenderId: params.id ?? "", companyId: auth.membership.org.id, userId: auth.user.id, session: auth.session });
  if (!page) throw notFound();
  const { notice, own } = page;
  const script = sealingScript();
  return {
    tender: {
      id: notice.tender.id,
      name: notice.project.name,
      village: notice.village,
      ceilingFen: notice.project.ceilingFen,
      ceiling: formatFen(notice.project.ceilingFen),
      bidSecurityFen: notice.tender.bidSecurityFen,
      bidSecurity: formatFen(notice.tender.bidSecurityFen),
      durationDays: notice.project.durationDays,
      deadline: formatBeijing(notice.tender.deadline),
      deadlineIso: notice.tender.deadline.toISOString(),
      bidValidityDays: page.bidValidityDays,
      guaranteeUntil: page.guaranteeCover.until,
    },
    open: page.open,
    evaluating: notice.state === "evaluating",
    problems: [...(page.blacklisted ? ["errors.bid.blacklisted"] : []), ...page.eligibility.problems, ...(page.registrationNeeded ? ["errors.qa.registerFirst"] : [])],
    company: auth.membership.org.name,
    managers: page.managers,
    holders: page.holders.map((h) => ({ credentialId: h.credentialId, publicKey: h.publicKey, name: h.name, userName: h.userName, mine: h.userId === auth.user.id })),
    myPasskeys: page.myPasskeys,
    bank: page.bank,
    own: own && { status: own.status, submissionId: own.submissionId, current: receiptView(own.current), receipts: own.receipts.map(receiptView), wraps: own.wraps },
    script: { version: script.version, path: script.path, sha256: script.sha256, integrity: `sha256-${Buffer.from(script.sha256, "hex").toString("base64")}` },
    limits: { maxFiles: MAX_BID_FILES, maxFileBytes: page.maxFileBytes },
    // Withdrawing or replacing needs a passkey approval or a step-up code (bid.server.ts BidActProof).
    proof: { ...page.proof, blockedUntil: page.proof.blockedUntil && formatBeijing(page.proof.blockedUntil), reachable: isReachable(auth.user) },
    rpId: context.rp.rpID,
    // An idempotency key for the withdraw form, so a double click withdraws once.
    withdrawKey: crypto.randomUUID(),
  };
}

function approvalJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return {}; // not an assertion: refused as a failed approval, not skipped
  }
}

/**
 * Withdrawing is a plain form that works without JavaScript (after a step-up code proved on this page);
 * with a passkey and JavaScript it carries the passkey's approval. Sealed bids go to /notices/:id/bid/seal.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const companyId = auth.membership.org.id;
  const tenderId = params.id ?? "";
  const parsed = await parseForm(request, bidPageActionSchema);
  if (!parsed.ok) return data({ errors: { form: "errors.invalidInput" } as FormErrors, withdrawn: null }, { status: 400 });
  const input = parsed.data;
  try {
    if (input.intent === "step-up-request") {
      const since = context.clock.now();
      await requestStepUpCode(context.db, context.clock, actor);
      await deliverDue(context.db, { clock: context.clock, transports: context.transports, origin: context.env.PUBLIC_ORIGIN });
      // A developer's machine without any real transport: the code just sent is shown here, to its owner (as on the account page).
      const devCopy = devMailboxOn(context.env) ? await devMailbox(context.db, { userId: auth.user.id }, { since }) : null;
      return { errors: {} as FormErrors, withdrawn: null, proof: "bid.proof.sent", devCopy };
    }
    if (input.intent === "step-up-confirm") {
      await confirmStepUp(context.db, { clock: context.clock, actor, sessionId: auth.session.id, code: input.code });
      return { errors: {} as FormErrors, withdrawn: null, proof: "bid.proof.done" };
    }
    const proof = { sessionId: auth.session.id, rp: context.rp, approval: approvalJson(input.approval) };
    const receipt = await withdrawBid(context.db, { clock: context.clock, actor, companyId, tenderId, submissionId: input.key, proof });
    return { errors: {} as FormErrors, withdrawn: receiptView(receipt) };
  } catch (e) {
    const refused = refusal(e);
    return data({ errors: refused.errors, withdrawn: null }, { status: refused.status });
  }
}

export type BidPageData = ReturnType<typeof useLoaderData<typeof loader>>;

export default function BidPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <section className="card">
        <p>
          <Link to={`/notices/${d.tender.id}`}>← {t("bid.backToNotice")}</Link>
        </p>
        <h1>
          {t("bid.title")} · {d.tender.name}
        </h1>
        <dl className="facts">
          <dt>{t("bid.company")}</dt>
          <dd>{d.company}</dd>
          <dt>{t("bid.ceiling")}</dt>
          <dd data-testid="ceiling">{d.tender.ceiling}</dd>
          <dt>{t("bid.security")}</dt>
          <dd>{d.tender.bidSecurity}</dd>
          <dt>{t("bid.deadline")}</dt>
          <dd>{d.tender.deadline}</dd>
        </dl>
        <p className="muted">{t("bid.sealedPromise")}</p>
        {d.evaluating && d.own && (
          <p>
            <Link to={`/notices/${d.tender.id}/clarify`} data-testid="clarify-link">
              {t("evaluation.bidder.link")}
            </Link>
          </p>
        )}
        {result && "withdrawn" in result && result.withdrawn && <Notice>{t("bid.withdrawn", { at: result.withdrawn.receivedAt })}</Notice>}
        <FormError errors={result && "errors" in result ? result.errors : undefined} />
      </section>

      {!d.open ? (
        <section className="card">
          <p className="notice warn" data-testid="bid-closed">
            {t("bid.closedNow")}
          </p>
        </section>
      ) : d.problems.length > 0 ? (
        <section className="card">
          <div className="notice bad" role="alert" data-testid="bid-blocked">
            <p>{t("bid.blocked")}</p>
            <ul>
              {d.problems.map((p) => (
                <li key={p}>{t(p)}</li>
              ))}
            </ul>
            <Link to="/company">{t("bid.toCompany")}</Link>
          </div>
        </section>
      ) : (
        <section className="card" aria-labelledby="seal-h">
          <h2 id="seal-h">{d.own?.status === "sealed" ? t("bid.replaceTitle") : t("bid.submitTitle")}</h2>
          <noscript>
            <p className="notice warn" data-testid="needs-js">
              {t("bid.needsJs")}
            </p>
          </noscript>
          <SealedBidForm d={d} />
        </section>
      )}

      {d.own && (
        <section className="card" aria-labelledby="receipts-h">
          <h2 id="receipts-h">{t("bid.receipts")}</h2>
          <p data-testid="bid-status">{d.own.status === "sealed" ? t("bid.statusSealed", { seq: d.own.current.seq }) : t("bid.statusWithdrawn")}</p>
          <BidReceipts receipts={d.own.receipts} />
          {d.open && d.own.status === "sealed" && (
            <>
              <ResealBid d={d} />
              {d.proof.blockedUntil ? null : <WithdrawForm d={d} />}
            </>
          )}
        </section>
      )}

      {d.open && d.own?.status === "sealed" && (
        <ProofBox d={d} note={result && "proof" in result ? result.proof : undefined} devCopy={result && "devCopy" in result ? result.devCopy : null} />
      )}

      <section className="card">
        <p className="muted small">
          {t("bid.scriptNote", { version: d.script.version })} <code className="hash">{d.script.sha256}</code> · <Link to="/sealing">{t("bid.scriptPage")}</Link>
        </p>
      </section>
    </div>
  );
}

/**
 * The withdraw form. Without JavaScript (or when this session proved a step-up code) it posts as it
 * is; with a passkey and JavaScript it first asks the passkey to approve this withdrawal.
 */
function WithdrawForm({ d }: { d: BidPageData }) {
  const { t } = useTranslation();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    if (d.proof.stepUpProved || !d.proof.hasPasskey) return;
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      form.set("approval", JSON.stringify(await approveBidAct(d.tender.id, "withdraw")));
      submit(form, { method: "post" });
    } catch (err) {
      setError(keyOf(err, "errors.passkeyFailed"));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Form method="post" className="stack" onSubmit={onSubmit}>
      <input type="hidden" name="intent" value="withdraw" />
      <input type="hidden" name="key" value={d.withdrawKey} />
      <p className="muted">{t("bid.withdrawHint")}</p>
      <button type="submit" className="danger" disabled={busy || navigation.state === "submitting"}>
        {t("bid.withdraw")}
      </button>
      <ErrorText messageKey={error} />
    </Form>
  );
}

/**
 * What withdrawing or replacing needs: the passkey's approval at the time, or a code sent to the
 * bidder's own channel and proved here first (works without JavaScript). A block after an official
 * reset the password is said plainly.
 */
function ProofBox({ d, note, devCopy }: { d: BidPageData; note?: string; devCopy: Parameters<typeof DevCopy>[0]["messages"] }) {
  const { t } = useTranslation();
  if (d.proof.blockedUntil) {
    return (
      <section className="card">
        <p className="notice warn" role="alert" data-testid="bid-blocked-reset">
          {t("bid.proof.blocked", { until: d.proof.blockedUntil })}
        </p>
      </section>
    );
  }
  if (d.proof.stepUpProved) {
    return (
      <section className="card">
        <p className="notice ok" role="status" data-testid="bid-proof-ready">
          {t("bid.proof.ready")}
        </p>
      </section>
    );
  }
  return (
    <section className="card stack" aria-labelledby="proof-h" data-testid="bid-proof">
      <h2 id="proof-h">{t("bid.proof.title")}</h2>
      <p>{t("bid.proof.why")}</p>
      {d.proof.reachable ? (
        <Form method="post">
          <input type="hidden" name="intent" value="step-up-request" />
          <button type="submit">{t("bid.proof.send")}</button>
        </Form>
      ) : (
        <p>{t("bid.proof.noChannel")}</p>
      )}
      {note === "bid.proof.sent" && <p role="status">{t(note)}</p>}
      <DevCopy messages={devCopy} />
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="step-up-confirm" />
        <label htmlFor="bid-step-up-code">{t("bid.proof.code")}</label>
        <input id="bid-step-up-code" name="code" autoComplete="one-time-code" autoCapitalize="characters" maxLength={40} required />
        <button type="submit" className="primary">
          {t("bid.proof.confirm")}
        </button>
      </Form>
    </section>
  );
}
