import { describe, expect, it } from "vitest";
import { WorkingCalendar } from "~/utils/working-days";
import { beijingDay, formatBeijing, startOfBeijingDay } from "~/utils/time";

// The 2026 National Day holiday: 1–7 October off, Sunday 20 September and Saturday 10 October worked.
const cal = new WorkingCalendar([
  ...["01", "02", "03", "04", "05", "06", "07"].map((d) => ({ day: `2026-10-${d}`, kind: "holiday" as const })),
  { day: "2026-09-20", kind: "workday" as const },
  { day: "2026-10-10", kind: "workday" as const },
]);

describe("working days", () => {
  it("knows weekends, holidays and make-up working days", () => {
    expect(cal.isWorkingDay("2026-11-20")).toBe(true); // Friday
    expect(cal.isWorkingDay("2026-11-21")).toBe(false); // Saturday
    expect(cal.isWorkingDay("2026-10-05")).toBe(false); // Monday, holiday
    expect(cal.isWorkingDay("2026-10-10")).toBe(true); // Saturday, 调休
  });

  it("counts over the National Day holiday", () => {
    // From Wednesday 30 September: 8 and 9 October (Thu, Fri) then Saturday 10 October, a make-up day.
    expect(cal.nthWorkingDayAfter(startOfBeijingDay("2026-09-30"), 1)).toBe("2026-10-08");
    expect(cal.nthWorkingDayAfter(startOfBeijingDay("2026-09-30"), 3)).toBe("2026-10-10");
    expect(cal.nthWorkingDayAfter(startOfBeijingDay("2026-09-30"), 4)).toBe("2026-10-12");
  });

  it("does not count the starting day and uses the Beijing date, not UTC", () => {
    // 2026-11-19 20:00 UTC is already Friday 20 November in Beijing.
    const lateEvening = new Date("2026-11-19T20:00:00Z");
    expect(beijingDay(lateEvening)).toBe("2026-11-20");
    expect(cal.nthWorkingDayAfter(lateEvening, 1)).toBe("2026-11-23");
  });

  it("gives the last instant of the n-th working day as the deadline", () => {
    const deadline = cal.deadlineAfterWorkingDays(startOfBeijingDay("2026-11-20"), 3);
    expect(formatBeijing(deadline, "yyyy-MM-dd HH:mm:ss.SSS")).toBe("2026-11-25 23:59:59.999");
  });

  it("counts working days between two instants", () => {
    expect(cal.workingDaysBetween(startOfBeijingDay("2026-09-30"), startOfBeijingDay("2026-10-12"))).toBe(4);
    expect(cal.workingDaysBetween(startOfBeijingDay("2026-11-20"), startOfBeijingDay("2026-11-20"))).toBe(0);
  });

  it("refuses a non-positive count", () => {
    expect(() => cal.nthWorkingDayAfter(new Date(), 0)).toThrow(RangeError);
  });
});
