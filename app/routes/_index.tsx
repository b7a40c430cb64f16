import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getT, localeOfMatches } from "~/utils/i18n";
import { listChildren, listCounties } from "~/models/org.server";

export const meta: MetaFunction = ({ matches }) => {
  const t = getT(localeOfMatches(matches));
  return [{ title: `${t("app.name")} · ${t("app.tagline")}` }, { name: "description", content: t("app.description") }];
};

export const handle = { hydrate: false, i18n: ["public"] };

export async function loader({ context }: LoaderFunctionArgs) {
  const counties = await listCounties(context.db);
  const tree = await Promise.all(
    counties.map(async (county) => {
      const townships = await listChildren(context.db, county.id);
      return {
        id: county.id,
        name: county.name,
        townships: await Promise.all(townships.map(async (t) => ({ id: t.id, name: t.name, villages: (await listChildren(context.db, t.id)).map((v) => v.name) }))),
      };
    }),
  );
  return { tree };
}

export default function Index() {
  const { t } = useTranslation();
  const { tree } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="hero">
        <h1>{t("home.title")}</h1>
        <p className="lead">{t("home.lead")}</p>
        <ol className="steps">
          {(["publish", "bid", "open", "sign", "archive"] as const).map((s) => (
            <li key={s}>
              <strong>{t(`home.steps.${s}.title`)}</strong>
              <span>{t(`home.steps.${s}.text`)}</span>
            </li>
          ))}
        </ol>
      </section>
      <section className="card">
        <h2>{t("home.counties")}</h2>
        {tree.length === 0 ? (
          <p>{t("home.noCounties")}</p>
        ) : (
          tree.map((c) => (
            <div key={c.id}>
              <h3>{c.name}</h3>
              <ul className="plain">
                {c.townships.map((tw) => (
                  <li key={tw.id}>
                    <strong>{tw.name}</strong>
                    {t("home.villages", { count: tw.villages.length })}：{tw.villages.join("、")}
                  </li>
                ))}
              </ul>
            </div>
          ))
        )}
      </section>
    </div>
  );
}
