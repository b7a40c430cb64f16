import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { sealingScript } from "~/models/bid.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.sealing"));
export const handle = { hydrate: false, i18n: ["public"] };

/** Public: the sealing script's version, size and SHA-256, so anyone can compare it with a receipt. */
export async function loader(_: LoaderFunctionArgs) {
  const s = sealingScript();
  return { version: s.version, path: s.path, sha256: s.sha256, size: s.size };
}

export default function Sealing() {
  const s = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("sealing.title")}</h1>
        <p>{t("sealing.intro")}</p>
        <dl className="facts">
          <dt>{t("sealing.version")}</dt>
          <dd>{s.version}</dd>
          <dt>{t("sealing.sha256")}</dt>
          <dd className="hash" data-testid="script-sha256">
            {s.sha256}
          </dd>
          <dt>{t("sealing.size")}</dt>
          <dd>{t("sealing.bytes", { n: s.size })}</dd>
        </dl>
        <p>
          <a href={s.path}>{t("sealing.view")}</a>
        </p>
      </section>
      <section className="card">
        <h2>{t("sealing.howTitle")}</h2>
        <ol>
          <li>{t("sealing.how1")}</li>
          <li>{t("sealing.how2")}</li>
          <li>{t("sealing.how3")}</li>
        </ol>
        <h2>{t("sealing.limitTitle")}</h2>
        <p>{t("sealing.limit")}</p>
      </section>
    </div>
  );
}
