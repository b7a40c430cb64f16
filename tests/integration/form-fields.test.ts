// Fields the fuzzer found reaching the database unparsed (issue 18): a malformed
// day on the calendar's remove form (a database error, 500) and a file posted
// where the credit form expects its subject (a TypeError, 500). Each form is
// now parsed by one schema: both are refused with the form's own error, 400,
// and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as calendarRoute from "~/routes/admin.calendar";
import * as creditRoute from "~/routes/supervision.credit";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let database: Database;
let ctx: ReturnType<typeof makeContext>;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
});

afterAll(async () => {
  await database?.close();
});

function multipart(path: string, fields: Record<string, string | File>, cookie: string): Request {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return new Request(new URL(path, ORIGIN), { method: "POST", body, headers: { Origin: ORIGIN, Cookie: cookie } });
}

const auditCount = async () => (await database.db.select({ id: schema.auditLog.id }).from(schema.auditLog)).length;

describe("the calendar's remove form", () => {
  it("refuses a malformed day with the day's error, not a database error", async () => {
    const cookie = await cookieFor(ctx, DEMO.countyAdmin);
    const before = await auditCount();
    for (const day of ["2026-13-45", "not a day", "2026-11-28' or '1'='1", "", "2026-02-30"]) {
      const res = unwrap(await run(calendarRoute.action, post("/admin/calendar", { intent: "remove", day }, cookie), ctx));
      expect(res.status, day).toBe(400);
      expect(res.data.errors.day, day).toBe("errors.calendar.day");
    }
    const unknown = unwrap(await run(calendarRoute.action, post("/admin/calendar", { intent: "nothing" }, cookie), ctx));
    expect(unknown.status).toBe(400);
    expect(await auditCount()).toBe(before);
  });
});

describe("the credit form", () => {
  it("refuses a file where a text field belongs, and a malformed subject, with the form's errors", async () => {
    const cookie = await cookieFor(ctx, DEMO.supervisorA);
    const before = (await database.db.select().from(schema.creditRecords)).length;
    const file = new File([Buffer.from("%PDF-1.4 not a subject")], "subject.pdf", { type: "application/pdf" });
    const fields = { intent: "record", kind: "warning", startsOn: "2026-11-20", reason: "未按时签订合同" };
    const withFile = unwrap(await run(creditRoute.action, multipart("/supervision/credit", { ...fields, subjectRef: file }, cookie), ctx));
    expect(withFile.status).toBe(400);
    expect(withFile.data.errors.subjectRef).toBe("errors.invalidInput");
    expect(withFile.data.typed.subjectRef).toBeUndefined(); // a file is never echoed back
    const fileInReason = unwrap(await run(creditRoute.action, multipart("/supervision/credit", { ...fields, subjectRef: "company:x", reason: file }, cookie), ctx));
    expect(fileInReason.status).toBe(400);
    const malformed = unwrap(await run(creditRoute.action, post("/supervision/credit", { ...fields, subjectRef: "company" }, cookie), ctx));
    expect(malformed.status).toBe(400);
    expect(malformed.data.errors.subject).toBe("errors.credit.subject");
    const lift = unwrap(await run(creditRoute.action, multipart("/supervision/credit", { intent: "lift", id: file, note: "撤销原因说明" }, cookie), ctx));
    expect(lift.status).toBe(400);
    expect((await database.db.select().from(schema.creditRecords)).length).toBe(before);
  });
});
