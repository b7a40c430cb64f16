import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { listChildren, listCounties } from "~/models/org.server";

export const meta: MetaFunction = () => [
  { title: "村易招 · 村级小微工程阳光招标平台" },
  { name: "description", content: "村级和乡镇小微工程网上招标、不见面开标、云签章评标与电子归档平台" },
];

export const handle = { hydrate: false };

export async function loader({ context }: LoaderFunctionArgs) {
  const counties = await listCounties(context.db);
  const tree = await Promise.all(
    counties.map(async (county) => {
      const townships = await listChildren(context.db, county.id);
      return {
        id: county.id,
        name: county.name,
        townships: await Promise.all(
          townships.map(async (t) => ({ id: t.id, name: t.name, villages: (await listChildren(context.db, t.id)).map((v) => v.name) })),
        ),
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
