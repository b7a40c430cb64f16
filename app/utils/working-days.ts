import { addDays, beijingDay, startOfBeijingDay, weekday } from "./time";

export type DayKind = "holiday" | "workday";

/**
 * A county calendar: Monday–Friday are working days, Saturday and Sunday are
 * not, except where the county lists a public holiday or a make-up working
 * day (调休).
 */
export class WorkingCalendar {
  private readonly exceptions: Map<string, DayKind>;
  constructor(exceptions: Iterable<{ day: string; kind: DayKind }> = []) {
    this.exceptions = new Map([...exceptions].map((e) => [e.day, e.kind]));
  }

  isWorkingDay(day: string): boolean {
    const override = this.exceptions.get(day);
    if (override) return override === "workday";
    const wd = weekday(day);
    return wd !== 0 && wd !== 6;
  }

  /** The n-th working day after the Beijing day on which `from` falls (the day itself never counts). */
  nthWorkingDayAfter(from: Date, n: number): string {
    if (!Number.isInteger(n) || n < 1) throw new RangeError("n must be a positive whole number");
    let day = beijingDay(from);
    let counted = 0;
    // A year of consecutive non-working days cannot happen; the bound keeps a bad calendar from looping forever.
    for (let guard = 0; guard < 366 * 5; guard++) {
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) counted++;
      if (counted === n) return day;
    }
    throw new Error("calendar has no working days");
  }

  /** "Within n working days" of `from`: the instant that ends the n-th working day after it. */
  deadlineAfterWorkingDays(from: Date, n: number): Date {
    const day = this.nthWorkingDayAfter(from, n);
    return new Date(startOfBeijingDay(addDays(day, 1)).getTime() - 1);
  }

  /** Working days strictly after `from`'s day up to and including `to`'s day (Beijing). */
  workingDaysBetween(from: Date, to: Date): number {
    let day = beijingDay(from);
    const end = beijingDay(to);
    let count = 0;
    while (day < end) {
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) count++;
    }
    return count;
  }
}
