/**
 * The catalogues are split by area (ADR 0039). Each area of each language is a file here
 * (`<area>.zh-CN.ts`, `<area>.en.ts`) and, in the browser, a chunk of its own, loaded on demand:
 * a page loads `common` and the areas its routes name in `handle.i18n`, before hydrating
 * (entry.client.tsx), and any other a later route names before that route is shown (root.tsx).
 * The server renders with everything (zh-CN.ts, en.ts, server-only.ts).
 *
 * The key paths stay whole (`t("opening.title")`): an area holds top-level groups, and a few
 * subgroups every area uses live in `common` instead of their group's area (errors.page,
 * project.states, project.types, settings.units). Where a key lives: grep it in app/locales.
 * tests/unit/i18n.test.ts checks that both languages have the same keys in every area and that
 * every route names the areas of the keys it (and the components it imports) uses.
 */
export const NAMESPACES = ["common", "account", "public", "projects", "bid", "opening", "evaluation", "award", "company", "supervision", "admin", "workspace", "errors"] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** What a route may say in its `handle`: the areas whose texts it renders, and whether it ships script. */
export type RouteHandle = { i18n?: readonly Namespace[]; hydrate?: boolean };

/** The shape another language's area must have: the same keys, any strings. */
export type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

type AreaModule = Promise<{ default: object }>;

/** One dynamic import per area and language: esbuild makes each a chunk named `<area>.<language>-<hash>.js`. */
export const areaLoaders = {
  "zh-CN": {
    common: () => import("./common.zh-CN"),
    account: () => import("./account.zh-CN"),
    public: () => import("./public.zh-CN"),
    projects: () => import("./projects.zh-CN"),
    bid: () => import("./bid.zh-CN"),
    opening: () => import("./opening.zh-CN"),
    evaluation: () => import("./evaluation.zh-CN"),
    award: () => import("./award.zh-CN"),
    company: () => import("./company.zh-CN"),
    supervision: () => import("./supervision.zh-CN"),
    admin: () => import("./admin.zh-CN"),
    workspace: () => import("./workspace.zh-CN"),
    errors: () => import("./errors.zh-CN"),
  },
  en: {
    common: () => import("./common.en"),
    account: () => import("./account.en"),
    public: () => import("./public.en"),
    projects: () => import("./projects.en"),
    bid: () => import("./bid.en"),
    opening: () => import("./opening.en"),
    evaluation: () => import("./evaluation.en"),
    award: () => import("./award.en"),
    company: () => import("./company.en"),
    supervision: () => import("./supervision.en"),
    admin: () => import("./admin.en"),
    workspace: () => import("./workspace.en"),
    errors: () => import("./errors.en"),
  },
} as const satisfies Record<"zh-CN" | "en", Record<Namespace, () => AreaModule>>;

type Merged<T extends readonly object[]> = T extends readonly [infer H, ...infer R extends readonly object[]] ? H & Merged<R> : unknown;

function mergeInto(target: Record<string, unknown>, source: object) {
  for (const [k, v] of Object.entries(source)) {
    const there = target[k];
    if (typeof v === "object" && v !== null && typeof there === "object" && there !== null) mergeInto(there as Record<string, unknown>, v);
    else if (typeof v === "object" && v !== null) target[k] = mergeInto({}, v);
    else target[k] = v;
  }
  return target;
}

/** A whole language from its areas: groups split across areas (errors.page…) come together again. */
export function mergeAreas<const T extends readonly object[]>(...areas: T): Merged<T> {
  const whole: Record<string, unknown> = {};
  for (const a of areas) mergeInto(whole, a);
  return whole as Merged<T>;
}
