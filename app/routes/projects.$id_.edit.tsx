import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { ProjectForm } from "~/components/project-form";
import { getCountySettings } from "~/models/county-settings.server";
import { checkTransition } from "~/models/lifecycle";
import { getProject, submitProject, updateProject } from "~/models/project.server";
import { actorOf, forbidden, requireRole, notFound } from "~/utils/auth.server";
import { refusal } from "~/utils/forms";
import { fenToYuanInput } from "~/utils/money";
import { readProjectForm } from "~/utils/project-form.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.editProject"));
export const handle = { i18n: ["projects", "errors"] };

async function load(request: Request, context: LoaderFunctionArgs["context"], id: string) {
  const auth = await requireRole(request, context, ["committee"]);
  const project = await getProject(context.db, id);
  if (!project) throw notFound();
  if (project.villageId !== auth.membership.org.id) throw forbidden("");
  return { auth, project };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { project: p } = await load(request, context, params.id ?? "");
  if (!checkTransition(p.state, "edit", "committee").ok) throw redirect(`/projects/${p.id}`);
  const values: Record<string, string> = {
    name: p.name,
    type: p.type,
    location: p.location,
    scope: p.scope,
    estimate: fenToYuanInput(p.estimateFen),
    ceiling: fenToYuanInput(p.ceilingFen),
    fundingSource: p.fundingSource,
    durationDays: String(p.durationDays),
    method: p.method,
  };
  return {
    id: p.id,
    name: p.name,
    values,
    decisions: p.decisions.map((d) => ({ step: d.step, day: d.day, fileName: d.fileName, eligible: d.eligible, attended: d.attended, votesFor: d.votesFor })),
    settings: await getCountySettings(context.db, p.countyId),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { auth, project } = await load(request, context, params.id ?? "");
  const read = await readProjectForm(request, context, project.countyId, auth.user.id);
  if (!read.ok) return data({ errors: read.errors, typed: read.typed }, { status: 400 });
  const actor = actorOf(request, context, auth);
  try {
    await updateProject(context.db, { clock: context.clock, actor, projectId: project.id, villageId: auth.membership.org.id, input: read.input, decisions: read.decisions });
  } catch (e) {
    const refused = refusal(e, read.typed);
    return data({ errors: refused.errors, typed: refused.values }, { status: refused.status });
  }
  if (read.intent === "submit") {
    try {
      await submitProject(context.db, { clock: context.clock, actor, projectId: project.id, villageId: auth.membership.org.id });
    } catch (e) {
      const refused = refusal(e, read.typed);
      return data({ errors: refused.errors, typed: refused.values }, { status: refused.status });
    }
  }
  throw redirect(`/projects/${project.id}`);
}

export default function EditProject() {
  const { t } = useTranslation();
  const { name, values, decisions, settings } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("project.editTitle")}</h1>
        <p className="muted">{name}</p>
      </section>
      <ProjectForm values={result?.typed ?? values} decisions={decisions} errors={result?.errors} settings={settings} />
    </div>
  );
}
