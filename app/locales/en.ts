/** English, whole: every area merged (the server renders with it); the texts live in `<area>.en.ts`. */
import common from "./common.en";
import account from "./account.en";
import publicPages from "./public.en";
import projects from "./projects.en";
import bid from "./bid.en";
import opening from "./opening.en";
import evaluation from "./evaluation.en";
import award from "./award.en";
import company from "./company.en";
import supervision from "./supervision.en";
import admin from "./admin.en";
import workspace from "./workspace.en";
import errors from "./errors.en";
import { mergeAreas } from "./namespaces";
import type { Catalogue } from "./zh-CN";

const en: Catalogue = mergeAreas(common, account, publicPages, projects, bid, opening, evaluation, award, company, supervision, admin, workspace, errors);

export default en;
