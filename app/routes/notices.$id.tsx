import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getPublicNotice } from "~/models/tender.server";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.notice.name ?? "招标公告"} · 村易招` }];
export const handle = { hydrate: false };

export async function loader({ params, context }: LoaderFunctionArgs) {
  const n = await getPublicNotice(context.db, context.clock, params.id ?? "");
  if (!n) throw new Response("not found", { status: 404 });
  const now = context.clock.now().getTime();
  return {
    notice: {
      id: n.tender.id,
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

function remaining(ms: number) {
  const s = Math.floor(ms / 1000);
  return { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600), m: Math.floor((s % 3600) / 60) };
}

// A few lines of inline script keep the countdown ticking; without it the server-rendered figure stands.
const COUNTDOWN = `(function(){var el=document.getElementById('countdown');if(!el)return;var end=+el.dataset.deadline,skew=Date.now()-(+el.dataset.now);
function tick(){var ms=Math.max(0,end-(Date.now()-skew));var s=Math.floor(ms/1000);el.textContent=el.dataset.fmt.replace('D',Math.floor(s/86400)).replace('H',Math.floor(s%86400/3600)).replace('M',Math.floor(s%3600/60)).replace('S',s%60);if(ms>0)setTimeout(tick,1000);}tick();})();`;

export default function Notice() {
  const { t } = useTranslation();
  const { notice: n, attachments } = useLoaderData<typeof loader>();
  const r = remaining(n.remainingMs);
  const open = n.state === "published";
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
            <strong
              id="countdown"
              data-deadline={n.deadlineMs}
              data-now={n.deadlineMs - n.remainingMs}
              data-fmt={t("notices.countdownFmt", { d: "D", h: "H", m: "M", s: "S" })}
            >
              {t("notices.countdownFmt", { d: r.d, h: r.h, m: r.m, s: 0 })}
            </strong>
          </p>
        )}
        {open && <script dangerouslySetInnerHTML={{ __html: COUNTDOWN }} />}
      </section>
      <section className="card">
        <h2>{t("notices.documents")}</h2>
        <p className="hint">{t("notices.templateVersion", { v: n.templateVersion })}</p>
        <pre className="document">{n.documentText}</pre>
        {attachments.length > 0 && (
          <ul>
            {attachments.map((a) => (
              <li key={a.sha}>
                <a href={`/notices/${n.id}/files/${a.sha}`}>{a.name}</a>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
