import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormError, Notice } from "~/components/forms";
import { BidReceipts, ResealBid, SealedBidForm } from "~/components/sealed-bid";
import { receiptView } from "~/models/bid-rules";
import { bidPage, MAX_BID_FILES, sealingScript, withdrawBid } from "~/models/bid.server";
import { actorOf, requireRole } from "~/utils/auth.server";
import { domainErrors, type FormErrors } from "~/utils/forms";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.tender.name ?? "投标"} · 投标 · 村易招` }];


export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const page = await bidPage(context.db, context.clock, params.id ?? "", auth.membership.org.id, auth.user.id);
  if (!page) throw new Response("not found", { status: 404 });
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
    rpId: context.rp.rpID,
    // An idempotency key for the withdraw form, so a double click withdraws once.
    withdrawKey: crypto.randomUUID(),
  };
}

/** Withdrawing is a plain form that works without JavaScript; sealed bids go to /notices/:id/bid/seal. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const companyId = auth.membership.org.id;
  const tenderId = params.id ?? "";
  const form = await request.formData();
  if (form.get("intent") !== "withdraw") return data({ errors: { form: "errors.invalidInput" } as FormErrors, withdrawn: null }, { status: 400 });
  try {
    const receipt = await withdrawBid(context.db, context.clock, actor, companyId, tenderId, form.get("key"));
    return { errors: {} as FormErrors, withdrawn: receiptView(receipt) };
  } catch (e) {
    return data({ errors: domainErrors(e) as FormErrors, withdrawn: null }, { status: 400 });
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
              <Form method="post" className="stack">
                <input type="hidden" name="intent" value="withdraw" />
                <input type="hidden" name="key" value={d.withdrawKey} />
                <p className="muted">{t("bid.withdrawHint")}</p>
                <button type="submit" className="danger">
                  {t("bid.withdraw")}
                </button>
              </Form>
            </>
          )}
        </section>
      )}

      <section className="card">
        <p className="muted small">
          {t("bid.scriptNote", { version: d.script.version })} <code className="hash">{d.script.sha256}</code> · <Link to="/sealing">{t("bid.scriptPage")}</Link>
        </p>
      </section>
    </div>
  );
}
