/**
 * The project registration form's text fields, read by one schema (projectFormSchema): the project,
 * each decision step's day and the villagers' meeting's votes, and the button pressed. Every field's
 * error comes back at once, under the field's own (dotted) name.
 */
import { describe, expect, it } from "vitest";
import { projectFormSchema, projectFormSchemaWith } from "~/models/project.server";
import { zodErrors } from "~/utils/forms";

const PROJECT = {
  name: "青山村村道硬化工程（一期）",
  type: "works",
  location: "青山村东组至西组",
  scope: "村道水泥硬化 800 米，宽 4.5 米",
  estimate: "600000",
  ceiling: "580000",
  fundingSource: "省级衔接资金",
  durationDays: "60",
  method: "open_selection",
};

const errorsOf = (form: Record<string, unknown>, schema = projectFormSchema) => {
  const r = schema.safeParse(form);
  return r.success ? {} : zodErrors(r.error);
};

describe("projectFormSchema", () => {
  it("reads the project, the steps whose day is filled (blank steps are not recorded yet), their votes, and the button", () => {
    const r = projectFormSchema.parse({
      ...PROJECT,
      intent: "submit",
      "proposal.day": " 2026-10-12 ",
      "discussion.day": "",
      "villagers_meeting.day": "2026-10-16",
      "villagers_meeting.eligible": "45",
      "villagers_meeting.attended": " 36",
      "villagers_meeting.votesFor": "33",
    });
    expect(r.intent).toBe("submit");
    expect(r.input).toMatchObject({ name: PROJECT.name, estimate: 60_000_000, ceiling: 58_000_000, durationDays: 60 });
    expect(r.decisions).toEqual([
      { step: "proposal", day: "2026-10-12" },
      { step: "villagers_meeting", day: "2026-10-16", eligible: 45, attended: 36, votesFor: 33 },
    ]);
  });

  it("saves a draft unless the submit button was pressed", () => {
    expect(projectFormSchema.parse(PROJECT).intent).toBe("save");
    expect(projectFormSchema.parse({ ...PROJECT, intent: "anything" }).intent).toBe("save");
  });

  it("reports every field's error at once, project and steps alike, under the field's name", () => {
    expect(
      errorsOf({
        ...PROJECT,
        name: "x",
        type: "castle",
        estimate: "abc",
        "proposal.day": "2026-13",
        "villagers_meeting.day": "2026-10-16",
        "villagers_meeting.eligible": "45",
        "villagers_meeting.attended": "",
        "villagers_meeting.votesFor": "多",
      }),
    ).toEqual({
      name: "errors.project.name",
      type: "errors.project.type",
      estimate: "errors.project.amount",
      "proposal.day": "errors.project.day",
      "villagers_meeting.attended": "errors.project.count",
      "villagers_meeting.votesFor": "errors.project.count",
    });
  });

  it("judges the votes only for a meeting that has a valid day", () => {
    expect(errorsOf({ ...PROJECT, "villagers_meeting.votesFor": "多" })).toEqual({});
    expect(errorsOf({ ...PROJECT, "villagers_meeting.day": "soon", "villagers_meeting.votesFor": "多" })).toEqual({ "villagers_meeting.day": "errors.project.day" });
  });

  it("gives a field left out of the form its own message, and refuses a ceiling above the estimate", () => {
    const { name: _name, ...withoutName } = PROJECT;
    expect(errorsOf(withoutName)).toEqual({ name: "errors.project.name" });
    expect(errorsOf({ ...PROJECT, ceiling: "700000", "proposal.day": "bad" })).toEqual({ ceiling: "errors.project.ceilingAboveEstimate", "proposal.day": "errors.project.day" });
  });

  it("runs the caller's own rule beside the rest, whatever else is wrong", () => {
    const schema = projectFormSchemaWith((v, ctx) => {
      if (!v["discussion.day"].trim()) ctx.addIssue({ code: "custom", path: ["discussion.day"], message: "errors.project.day" });
    });
    expect(errorsOf({ ...PROJECT, name: "" }, schema)).toEqual({ name: "errors.project.name", "discussion.day": "errors.project.day" });
  });
});
