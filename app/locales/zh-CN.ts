/**
 * 简体中文 — the default language, whole: every area merged (the server renders with it). The texts
 * live in the area files, `<area>.zh-CN.ts`, each with its twin `<area>.en.ts` (namespaces.ts).
 */
import common from "./common.zh-CN";
import account from "./account.zh-CN";
import publicPages from "./public.zh-CN";
import projects from "./projects.zh-CN";
import bid from "./bid.zh-CN";
import opening from "./opening.zh-CN";
import evaluation from "./evaluation.zh-CN";
import award from "./award.zh-CN";
import company from "./company.zh-CN";
import supervision from "./supervision.zh-CN";
import admin from "./admin.zh-CN";
import workspace from "./workspace.zh-CN";
import errors from "./errors.zh-CN";
import { mergeAreas, type Shape } from "./namespaces";

const zhCN = mergeAreas(common, account, publicPages, projects, bid, opening, evaluation, award, company, supervision, admin, workspace, errors);

export default zhCN;

/** The shape every other language must have: the same keys, any strings. */
export type Catalogue = Shape<typeof zhCN>;
