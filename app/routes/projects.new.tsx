import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { ProjectForm } from "~/components/project-form";
import { getCountySettings } from "~/models/county-settings.server";
import { createProject, submitProject } from "~/models/project.server";
import { actorOf, requireRole } from "~/utils/auth.server";
import { refusal } from "~/utils/forms";
import { readProjectForm } from "~/utils/project-form.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.newProject"));
export const handle = { i18n: ["projects", "errors"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["committee"]);
  const village = auth.membership.org;
  return { village: village.name, settings: await getCountySettings(context.db, village.countyId!) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["committee"]);
  const village = auth.membership.org;
  const read = await readProjectForm(request, context, village.countyId!, auth.user.id);
  if (!read.ok) return data({ errors: read.errors, typed: read.typed }, { status: 400 });
  const actor = actorOf(request, context, auth);
  let projectId: string;
  try {
    projectId = (await createProject(context.db, { clock: context.clock, actor, villageId: village.id, input: read.input, decisions: read.decisions })).id;
  } catch (e) {
    const refused = refusal(e, read.typed);
    return data({ errors: refused.errors, typed: refused.values }, { status: refused.status });
  }
  if (read.intent === "submit") {
    try {
      await submitProject(context.db, { clock: context.clock, actor, projectId, villageId: village.id });
    } catch (e) {
      // Saved as a draft; the project page says what is missing before it can be submitted.
      const { errors } = refusal(e);
      const key = typeof errors.form === "string" ? errors.form : Object.values(errors)[0];
      throw redirect(`/projects/${projectId}?notSubmitted=${encodeURIComponent(typeof key === "string" ? key : (key?.key ?? ""))}`);
    }
  }
  throw redirect(`/projects/${projectId}`);
}

export default function NewProject() {
  const { t } = useTranslation();
  const { village, settings } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("project.newTitle")}</h1>
        <p className="muted">{village}</p>
        <p>{t("project.newIntro")}</p>
      </section>
      <ProjectForm values={result?.typed ?? {}} decisions={[]} errors={result?.errors} settings={settings} />
    </div>
  );
}
