import { date, jsonb, pgEnum, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { orgs } from "./orgs";
import { users } from "./users";

/** Every number DOMAIN.md marks (rule), per county; validated by the zod schema in app/models/county-settings.ts. */
export const countySettings = pgTable("county_settings", {
  countyId: uuid("county_id")
    .primaryKey()
    .references(() => orgs.id),
  values: jsonb("values").notNull(),
  updatedAt: instant("updated_at").notNull(),
  updatedBy: uuid("updated_by").references(() => users.id),
});

export const calendarDayKind = pgEnum("calendar_day_kind", ["holiday", "workday"]);

/** Exceptions to the Monday–Friday week: public holidays and make-up working days (调休). */
export const calendarDays = pgTable(
  "calendar_days",
  {
    countyId: uuid("county_id")
      .notNull()
      .references(() => orgs.id),
    day: date("day", { mode: "string" }).notNull(),
    kind: calendarDayKind("kind").notNull(),
    name: text("name").notNull(),
  },
  (t) => [primaryKey({ columns: [t.countyId, t.day] })],
);

/** Small key/value facts about this installation (e.g. that the demo county was loaded). */
export const appMeta = pgTable("app_meta", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
});
