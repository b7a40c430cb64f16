import { formatInTimeZone, fromZonedTime } from "date-fns-tz";

/** Every time is shown in Beijing time, whatever the server's or the browser's zone. */
export const TIME_ZONE = "Asia/Shanghai";

export function formatBeijing(d: Date | string | number, pattern = "yyyy-MM-dd HH:mm"): string {
  return formatInTimeZone(new Date(d), TIME_ZONE, pattern);
}

/** The calendar day (YYYY-MM-DD) an instant falls on in Beijing. */
export function beijingDay(d: Date): string {
  return formatInTimeZone(d, TIME_ZONE, "yyyy-MM-dd");
}

/** The first instant of a Beijing calendar day. */
export function startOfBeijingDay(day: string): Date {
  return fromZonedTime(`${day}T00:00:00`, TIME_ZONE);
}

/** A Beijing wall-clock time ("2026-12-01T09:30") → instant. */
export function fromBeijingLocal(local: string): Date {
  return fromZonedTime(local, TIME_ZONE);
}

/** Shift a YYYY-MM-DD day by n calendar days (pure date arithmetic, no zones involved). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, for a YYYY-MM-DD day. */
export function weekday(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}
