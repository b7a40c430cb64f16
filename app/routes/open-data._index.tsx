import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { FEED_MAX_PAGE_SIZE, FEED_PAGE_SIZE, openDataIndex, TEST_OCDS_PREFIX } from "~/models/ocds.server";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.openData"));

/** Public, no login, no JavaScript: what the OCDS feeds hold, when, and where they are. */
export const handle = { hydrate: false, i18n: ["public"] };

export async function loader({ context }: LoaderFunctionArgs) {
  const { counties, projects } = await openDataIndex(context.db, context.clock);
  const origin = context.env.PUBLIC_ORIGIN;
  return {
    prefix: context.env.OCDS_PREFIX,
    testPrefix: context.env.OCDS_PREFIX === TEST_OCDS_PREFIX,
    pageSize: FEED_PAGE_SIZE,
    maxPageSize: FEED_MAX_PAGE_SIZE,
    projectPattern: `${origin}/open-data/projects/<id>.json`,
    counties: counties.map((c) => ({ name: c.name, url: `/open-data/county/${c.id}.json` })),
    projects: projects.map((p) => ({ name: p.name, publishedAt: formatBeijing(p.publishedAt), url: `/open-data/projects/${p.projectId}.json` })),
  };
}

export default function OpenData() {
  const { t } = useTranslation();
  const d = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("openData.title")}</h1>
        <p>{t("openData.intro")}</p>
        <p className="hint">{t("openData.cache")}</p>
      </section>
      <section className="card" aria-labelledby="od-when">
        <h2 id="od-when">{t("openData.whenTitle")}</h2>
        <ul>
          {(["notice", "bids", "publicity", "award", "failed"] as const).map((k) => (
            <li key={k}>{t(`openData.when.${k}`)}</li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="od-feeds">
        <h2 id="od-feeds">{t("openData.feedsTitle")}</h2>
        <p>{t("openData.feedsIntro", { size: d.pageSize })}</p>
        <p className="hint">{t("openData.feedParams", { max: d.maxPageSize })}</p>
        {d.counties.length === 0 ? (
          <p>{t("openData.noCounties")}</p>
        ) : (
          <ul>
            {d.counties.map((c) => (
              <li key={c.url}>
                <a href={c.url} type="application/json" data-testid="county-feed">
                  {c.name}
                </a>{" "}
                <span className="mono muted">{c.url}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="od-projects">
        <h2 id="od-projects">{t("openData.projectsTitle")}</h2>
        <p>
          {t("openData.projectsIntro")} <span className="mono">{d.projectPattern}</span>
        </p>
        {d.projects.length === 0 ? (
          <p>{t("openData.noProjects")}</p>
        ) : (
          <ul>
            {d.projects.map((p) => (
              <li key={p.url}>
                <a href={p.url} type="application/json">
                  {p.name}
                </a>{" "}
                <span className="muted">{p.publishedAt}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="od-ids">
        <h2 id="od-ids">{t("openData.idsTitle")}</h2>
        <p>{t("openData.ocid", { prefix: d.prefix })}</p>
        {d.testPrefix && <p className="notice warn">{t("openData.testPrefix")}</p>}
        <p>{t("openData.formats")}</p>
        <p>{t("openData.extensions")}</p>
        <p>{t("openData.validated")}</p>
      </section>
    </div>
  );
}
