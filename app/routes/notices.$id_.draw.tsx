import { notFound } from "~/utils/auth.server";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { drawOrder, drawSeed, qualifiedListHash, secretCommitment } from "~/models/evaluation-rules.server";
import { openedBidders, publicResult } from "~/models/publicity.server";
import { getPublicNotice } from "~/models/tender.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, (t) => [data?.tender.name, t("titles.draw")]);
export const handle = { hydrate: false, i18n: ["evaluation", "award"] };

/** true / false, or null when an input is missing and nothing can be checked. */
type Check = boolean | null;

/** A shell command that hashes exactly `lines` joined by "\n", with no final line break. */
function shellHash(lines: string[]): string {
  const quoted = lines.map((l) => `'${l.replaceAll("'", "'\\''")}'`).join(" ");
  return `printf '${lines.map(() => "%s").join("\\n")}' ${quoted} | sha256sum`;
}

/**
 * The verifiable draw (ADR 0014), public once the candidates are: the inputs
 * as published, recomputed here with the same functions the evaluation used,
 * each check stated, and the recipe written out for anyone to re-run.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const notice = await getPublicNotice(context.db, context.clock, params.id ?? "");
  const result = notice && (await publicResult(context.db, notice.tender.id));
  if (!notice || !result) throw notFound();
  const tenderId = notice.tender.id;
  const names = new Map((await openedBidders(context.db, tenderId)).map((b) => [b.bidId, b.company]));
  const { draw } = result;
  const noticeCommitment = notice.tender.drawCommitment;
  // The notice's commitment is what binds the secret; a notice published before commitments had none.
  const commitment = noticeCommitment ?? draw.commitment;
  const nonces = draw.nonces.map((n) => n.nonce);
  const qualified = [...draw.qualified].sort();
  const listHash = qualifiedListHash(tenderId, qualified);
  const seed = draw.secret !== null && nonces.length > 0 && draw.qualifiedListHash ? drawSeed({ nonces, secret: draw.secret, qualifiedListHash: draw.qualifiedListHash }) : null;
  const order = draw.seed ? drawOrder(draw.seed, qualified) : [];
  const randomDraw = result.method === "random_draw";
  const checks: { key: "commitment" | "list" | "seed" | "order"; ok: Check }[] = [
    { key: "commitment", ok: draw.secret !== null && commitment ? secretCommitment(draw.secret) === commitment : null },
    { key: "list", ok: draw.qualifiedListHash ? listHash === draw.qualifiedListHash : null },
    { key: "seed", ok: seed && draw.seed ? seed === draw.seed : null },
    ...(randomDraw ? [{ key: "order" as const, ok: order.length ? result.candidates.every((c, i) => order[i] === c.bidId) : null }] : []),
  ];
  const sortedNonces = [...nonces].sort();
  return {
    tender: { id: tenderId, name: notice.project.name },
    method: result.method,
    randomDraw,
    noticeCommitment,
    recordedCommitment: draw.commitment,
    secret: draw.secret,
    nonces: draw.nonces.map((n) => ({ bidId: n.bidId, company: names.get(n.bidId) ?? "", nonce: n.nonce })),
    qualified: qualified.map((id) => ({ bidId: id, company: names.get(id) ?? "" })),
    listHash: draw.qualifiedListHash,
    seed: draw.seed,
    checks,
    order: order.map((id, i) => ({ place: i + 1, bidId: id, company: names.get(id) ?? "" })),
    wouldHaveWon: draw.wouldHaveWon ? (names.get(draw.wouldHaveWon) ?? draw.wouldHaveWon) : null,
    // The exact texts hashed, and a command for each.
    rerun: {
      commitment: draw.secret !== null ? ["cyz-secret-v1", draw.secret] : null,
      list: ["cyz-qualified-v1", tenderId, ...qualified],
      seed: draw.secret !== null && draw.qualifiedListHash ? ["cyz-draw-v1", ...sortedNonces, draw.secret, draw.qualifiedListHash] : null,
    },
    commands: {
      commitment: draw.secret !== null ? shellHash(["cyz-secret-v1", draw.secret]) : null,
      list: shellHash(["cyz-qualified-v1", tenderId, ...qualified]),
      seed: draw.secret !== null && draw.qualifiedListHash ? shellHash(["cyz-draw-v1", ...sortedNonces, draw.secret, draw.qualifiedListHash]) : null,
      order: draw.seed ? qualified.map((id) => shellHash([draw.seed!, id])) : [],
    },
  };
}

function Verdict({ ok }: { ok: Check }) {
  const { t } = useTranslation();
  if (ok === null) return <span className="tag">{t("draw.unavailable")}</span>;
  return <strong className={ok ? "tag" : "tag bad"}>{ok ? t("draw.ok") : t("draw.bad")}</strong>;
}

export default function DrawPage() {
  const d = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <section className="card">
        <p>
          <Link to={`/notices/${d.tender.id}`}>← {d.tender.name}</Link> · <Link to={`/notices/${d.tender.id}/publicity`}>{t("publicity.link")}</Link>
        </p>
        <h1>
          {t("draw.title")} · {d.tender.name}
        </h1>
        <p>{t("draw.intro")}</p>
        {d.method && <p className="muted">{t("draw.method", { method: t(`tender.methods.${d.method}`) })}</p>}
      </section>

      <section className="card" aria-labelledby="recipe-h">
        <h2 id="recipe-h">{t("draw.recipeTitle")}</h2>
        <ol className="steps">
          <li>{t("draw.recipe.nonces")}</li>
          <li>{t("draw.recipe.secret")}</li>
          <li>{t("draw.recipe.list")}</li>
          <li>{t("draw.recipe.seed")}</li>
          <li>{t("draw.recipe.order")}</li>
        </ol>
      </section>

      <section className="card" aria-labelledby="checks-h">
        <h2 id="checks-h">{t("draw.checksTitle")}</h2>
        <ul className="plain" data-testid="draw-checks">
          {d.checks.map((c) => (
            <li key={c.key} data-check={c.key} data-ok={c.ok === null ? "unknown" : String(c.ok)}>
              <Verdict ok={c.ok} /> {t(`draw.checks.${c.key}`)}
            </li>
          ))}
        </ul>
        {d.wouldHaveWon && (
          <p className="notice warn" role="status" data-testid="would-have-won">
            {t("draw.wouldHaveWon", { company: d.wouldHaveWon })}
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="inputs-h">
        <h2 id="inputs-h">{t("draw.inputsTitle")}</h2>
        <dl className="facts">
          <dt>{t("draw.commitment")}</dt>
          <dd>{d.noticeCommitment ? <code className="hash">{d.noticeCommitment}</code> : t("draw.noCommitment")}</dd>
          {!d.noticeCommitment && d.recordedCommitment && (
            <>
              <dt>{t("draw.recordedCommitment")}</dt>
              <dd>
                <code className="hash">{d.recordedCommitment}</code>
              </dd>
            </>
          )}
          <dt>{t("draw.secret")}</dt>
          <dd>{d.secret !== null ? <code className="hash">{d.secret}</code> : t("draw.notRevealed")}</dd>
          <dt>{t("draw.listHash")}</dt>
          <dd>
            <code className="hash">{d.listHash ?? "—"}</code>
          </dd>
          <dt>{t("draw.seed")}</dt>
          <dd>
            <code className="hash">{d.seed ?? "—"}</code>
          </dd>
        </dl>
        <h3>{t("draw.nonces")}</h3>
        <ul className="plain" data-testid="draw-nonces">
          {d.nonces.map((n) => (
            <li key={n.bidId}>
              {n.company} <code className="hash">{n.bidId}</code>
              <br />
              <code className="hash">{n.nonce}</code>
            </li>
          ))}
        </ul>
        <h3>{t("draw.qualified")}</h3>
        <ul className="plain">
          {d.qualified.map((q) => (
            <li key={q.bidId}>
              {q.company} <code className="hash">{q.bidId}</code>
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="order-h">
        <h2 id="order-h">{t("draw.orderTitle")}</h2>
        {!d.randomDraw && <p className="hint">{t("draw.orderTieOnly")}</p>}
        <ol data-testid="draw-order">
          {d.order.map((o) => (
            <li key={o.bidId}>
              {o.company} <code className="hash">{o.bidId}</code>
            </li>
          ))}
        </ol>
      </section>

      <section className="card stack" aria-labelledby="rerun-h">
        <h2 id="rerun-h">{t("draw.rerunTitle")}</h2>
        <p className="hint">{t("draw.rerunHint")}</p>
        {d.rerun.commitment && (
          <>
            <h3>{t("draw.commitment")}</h3>
            <pre className="mono prewrap">{d.rerun.commitment.join("\n")}</pre>
            <pre className="mono prewrap">{d.commands.commitment}</pre>
          </>
        )}
        <h3>{t("draw.listHash")}</h3>
        <pre className="mono prewrap">{d.rerun.list.join("\n")}</pre>
        <pre className="mono prewrap">{d.commands.list}</pre>
        {d.rerun.seed && (
          <>
            <h3>{t("draw.seed")}</h3>
            <pre className="mono prewrap">{d.rerun.seed.join("\n")}</pre>
            <pre className="mono prewrap">{d.commands.seed}</pre>
          </>
        )}
        {d.commands.order.length > 0 && (
          <>
            <h3>{t("draw.rerunOrder")}</h3>
            <pre className="mono prewrap" data-testid="draw-rerun-order">
              {d.commands.order.join("\n")}
            </pre>
          </>
        )}
      </section>
    </div>
  );
}
