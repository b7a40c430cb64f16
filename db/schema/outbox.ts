import { boolean, index, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { users } from "./users";

/**
 * Messages to people outside the app (app/models/outbox.server.ts). A row is written in the
 * transaction of the event it reports, rendered in the recipient's language, so a rolled-back
 * event leaves none; the deliverer sends it after commit, retrying with backoff.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** A notification kind (notification.server.ts) or `auth.resetCode` / `auth.stepUpCode`. */
    kind: text("kind").notNull(),
    /** sms | email | wechat */
    channel: text("channel").notNull(),
    /** Phone number, e-mail address or WeChat OpenID, as it was when the message was written. */
    address: text("address").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    /** Path in the app (the transport makes it absolute), or null. */
    link: text("link"),
    /** A one-time code is in the body: it is blanked once the message has left. */
    secret: text("secret"),
    /** pending → sent | failed */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: instant("next_attempt_at").notNull(),
    /** Which transport sent it (smtp, sms-http, wechat, dev). */
    transport: text("transport"),
    lastError: text("last_error"),
    createdAt: instant("created_at").notNull(),
    sentAt: instant("sent_at"),
  },
  (t) => [index("outbox_due_idx").on(t.status, t.nextAttemptAt), index("outbox_user_idx").on(t.userId, t.createdAt)],
);

/** Every delivery attempt, kept: when, through which transport, and what came back. */
export const outboxAttempts = pgTable(
  "outbox_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    messageId: uuid("message_id")
      .notNull()
      .references(() => outbox.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    at: instant("at").notNull(),
    transport: text("transport").notNull(),
    ok: boolean("ok").notNull(),
    /** The provider's message id on success, the error on failure. */
    detail: text("detail"),
  },
  (t) => [index("outbox_attempts_message_idx").on(t.messageId)],
);

/**
 * A channel the user switched off for one kind of message. No row means on; kinds with a legal
 * deadline (LOCKED_KINDS) ignore these rows.
 */
export const notificationMutes = pgTable(
  "notification_mutes",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    channel: text("channel").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind, t.channel] })],
);

/** Reminders the scheduler has sent (hall opening soon, qualification expiring), so each goes once. */
export const remindersSent = pgTable(
  "reminders_sent",
  {
    kind: text("kind").notNull(),
    /** What it was about, e.g. the tender id or `<qualification id>:<expiry date>`. */
    subject: text("subject").notNull(),
    at: instant("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.subject] })],
);

export type OutboxMessage = typeof outbox.$inferSelect;
