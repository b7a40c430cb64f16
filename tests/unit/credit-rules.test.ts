// The credit grade (credit-rules.ts): every band, its edges, lifted and future
// records, the record form's rules.
import { describe, expect, it } from "vitest";
import { blocksOn, creditInputSchema, gradeOf, monthsBefore, statusOf, type GradedRecord } from "~/models/credit-rules";

const T = "2026-11-26";
const rec = (over: Partial<GradedRecord> & Pick<GradedRecord, "kind">): GradedRecord => ({ points: null, startsOn: T, endsOn: null, liftedAt: null, ...over });
const warning = (startsOn: string, over: Partial<GradedRecord> = {}) => rec({ kind: "warning", startsOn, ...over });
const deduction = (points: number, startsOn: string, over: Partial<GradedRecord> = {}) => rec({ kind: "deduction", points, startsOn, ...over });
const suspension = (startsOn: string, endsOn: string, over: Partial<GradedRecord> = {}) => rec({ kind: "suspension", startsOn, endsOn, ...over });
const blacklist = (startsOn: string, endsOn: string, over: Partial<GradedRecord> = {}) => rec({ kind: "blacklist", startsOn, endsOn, ...over });

describe("monthsBefore", () => {
  it("steps back calendar months, across years, clamped to the month's end", () => {
    expect(monthsBefore("2026-11-26", 12)).toBe("2025-11-26");
    expect(monthsBefore("2026-11-26", 6)).toBe("2026-05-26");
    expect(monthsBefore("2026-02-15", 3)).toBe("2025-11-15");
    expect(monthsBefore("2026-05-31", 3)).toBe("2026-02-28");
    expect(monthsBefore("2028-03-31", 1)).toBe("2028-02-29");
    expect(monthsBefore("2026-11-26", 24)).toBe("2024-11-26");
  });
});

describe("gradeOf", () => {
  it("green: no record, or none in the last 24 months", () => {
    expect(gradeOf([], T)).toEqual({ grade: "green", basis: "clean", points: 0, until: null });
    expect(gradeOf([warning("2024-11-26")], T).grade).toBe("green"); // exactly 24 months ago: out
    expect(gradeOf([blacklist("2023-01-01", "2024-11-26")], T).grade).toBe("green");
  });

  it("blue: some record in the last 24 months that sets nothing higher", () => {
    expect(gradeOf([warning("2024-11-27")], T)).toMatchObject({ grade: "blue", basis: "history" });
    expect(gradeOf([warning("2026-05-26")], T).grade).toBe("blue"); // exactly 6 months ago: no longer yellow
    expect(gradeOf([deduction(5, "2026-11-01")], T)).toMatchObject({ grade: "blue", points: 5 });
    expect(gradeOf([deduction(20, "2025-11-26")], T)).toMatchObject({ grade: "blue", points: 0 }); // 12 months ago: out of the window
    expect(gradeOf([suspension("2026-01-01", "2026-11-25")], T).grade).toBe("blue"); // ended yesterday
    expect(gradeOf([blacklist("2025-01-01", "2025-12-31")], T).grade).toBe("blue");
  });

  it("yellow: 6–11 points in 12 months, or a warning in 6 months", () => {
    expect(gradeOf([deduction(6, "2026-10-01")], T)).toEqual({ grade: "yellow", basis: "points", points: 6, until: null });
    expect(gradeOf([deduction(4, "2026-01-01"), deduction(7, "2025-11-27")], T)).toMatchObject({ grade: "yellow", points: 11 });
    expect(gradeOf([warning("2026-05-27")], T)).toMatchObject({ grade: "yellow", basis: "warning" });
    expect(gradeOf([warning(T)], T).grade).toBe("yellow");
  });

  it("orange: suspended now, or 12 points or more in 12 months", () => {
    expect(gradeOf([deduction(12, "2026-06-01")], T)).toEqual({ grade: "orange", basis: "points", points: 12, until: null });
    expect(gradeOf([deduction(6, "2026-06-01"), deduction(6, "2026-11-26")], T)).toMatchObject({ grade: "orange", points: 12 });
    expect(gradeOf([suspension("2026-11-01", "2026-11-26")], T)).toEqual({ grade: "orange", basis: "suspended", points: 0, until: "2026-11-26" });
    // Two suspensions: the later end is the one shown.
    expect(gradeOf([suspension("2026-11-01", "2027-01-31"), suspension("2026-10-01", "2026-12-31")], T).until).toBe("2027-01-31");
    // A suspension outranks points.
    expect(gradeOf([suspension(T, "2026-12-01"), deduction(30, T)], T)).toMatchObject({ grade: "orange", basis: "suspended", points: 30 });
  });

  it("red: blacklisted now, whatever else", () => {
    expect(gradeOf([blacklist("2026-01-01", T)], T)).toEqual({ grade: "red", basis: "blacklisted", points: 0, until: T });
    expect(gradeOf([blacklist(T, "2027-06-30"), suspension(T, "2028-01-01"), deduction(50, T), warning(T)], T)).toMatchObject({ grade: "red", until: "2027-06-30", points: 50 });
  });

  it("ignores lifted records and records that have not started", () => {
    const lifted = new Date("2026-11-20T02:00:00Z");
    expect(gradeOf([blacklist("2026-01-01", "2027-01-01", { liftedAt: lifted })], T).grade).toBe("green");
    expect(gradeOf([deduction(20, "2026-10-01", { liftedAt: lifted }), warning("2026-10-01")], T)).toMatchObject({ grade: "yellow", basis: "warning", points: 0 });
    expect(gradeOf([blacklist("2026-11-27", "2027-01-01")], T).grade).toBe("green");
    expect(gradeOf([blacklist("2026-11-27", "2027-01-01")], "2026-11-27").grade).toBe("red");
  });
});

describe("statusOf and blocksOn", () => {
  it("says where a record stands on a day", () => {
    expect(statusOf(blacklist("2026-11-01", T), T)).toBe("inEffect");
    expect(statusOf(blacklist("2026-11-01", "2026-11-25"), T)).toBe("past");
    expect(statusOf(blacklist("2026-11-27", "2027-01-01"), T)).toBe("scheduled");
    expect(statusOf(blacklist("2026-11-01", "2027-01-01", { liftedAt: "2026-11-20T00:00:00Z" }), T)).toBe("lifted");
    expect(statusOf(deduction(3, "2025-11-27"), T)).toBe("inEffect");
    expect(statusOf(deduction(3, "2025-11-26"), T)).toBe("past");
    expect(statusOf(warning("2026-05-27"), T)).toBe("inEffect");
    expect(statusOf(warning("2026-05-26"), T)).toBe("past");
  });

  it("blocks only for the kinds asked, on days the record runs, unless lifted", () => {
    expect(blocksOn(blacklist("2026-11-01", T), T, ["blacklist"])).toBe(true);
    expect(blocksOn(blacklist("2026-11-01", T), "2026-11-27", ["blacklist"])).toBe(false);
    expect(blocksOn(suspension("2026-11-01", "2027-01-01"), T, ["blacklist"])).toBe(false);
    expect(blocksOn(suspension("2026-11-01", "2027-01-01"), T, ["suspension", "blacklist"])).toBe(true);
    expect(blocksOn(blacklist("2026-11-01", "2027-01-01", { liftedAt: "2026-11-20T00:00:00Z" }), T, ["blacklist"])).toBe(false);
  });
});

describe("the record form", () => {
  const base = { subject: "company", subjectId: "0b6c7c1e-5f7a-4d8e-9a10-1b2c3d4e5f60", reason: "围标串标嫌疑", startsOn: T };
  const issue = (v: Record<string, unknown>) => {
    const r = creditInputSchema.safeParse({ ...base, ...v });
    return r.success ? null : r.error.issues[0].message;
  };

  it("takes a warning, a deduction with points, a suspension and a blacklisting with an end after the start", () => {
    expect(issue({ kind: "warning", points: "", endsOn: "" })).toBeNull();
    expect(creditInputSchema.parse({ ...base, kind: "deduction", points: "6" })).toMatchObject({ points: 6, endsOn: null, projectId: null });
    expect(issue({ kind: "suspension", endsOn: "2027-02-26" })).toBeNull();
    expect(issue({ kind: "blacklist", endsOn: "2027-11-26" })).toBeNull();
  });

  it("refuses what does not fit the kind", () => {
    expect(issue({ kind: "deduction" })).toBe("errors.credit.points");
    expect(issue({ kind: "deduction", points: "0" })).toBe("errors.credit.points");
    expect(issue({ kind: "deduction", points: "101" })).toBe("errors.credit.points");
    expect(issue({ kind: "deduction", points: "2.5" })).toBe("errors.credit.points");
    expect(issue({ kind: "warning", points: "3" })).toBe("errors.credit.pointsNotAllowed");
    expect(issue({ kind: "warning", endsOn: "2027-01-01" })).toBe("errors.credit.endsOnNotAllowed");
    expect(issue({ kind: "blacklist" })).toBe("errors.credit.endsOn");
    expect(issue({ kind: "blacklist", endsOn: T })).toBe("errors.credit.endsOnAfterStart");
    expect(issue({ kind: "suspension", endsOn: "2027-02-30" })).toBe("errors.credit.endsOn");
    expect(issue({ kind: "warning", reason: "差" })).toBe("errors.credit.reason");
    expect(issue({ kind: "demotion" })).toBe("errors.credit.kind");
    expect(issue({ kind: "warning", subject: "village" })).toBe("errors.credit.subject");
    expect(issue({ kind: "warning", subjectId: "nope" })).toBe("errors.credit.subject");
  });
});
