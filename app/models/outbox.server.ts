/**
 * Messages out of the app (issue 9). notify() writes, in the transaction of the event, one outbox
 * row per recipient and channel, rendered in the recipient's language; a rolled-back event leaves
 * nothing to send. The deliverer (a scheduler job, and at once after a code is asked for) claims
 * due rows, sends them after commit through the channel's transport, records every attempt, and
 * retries a failure with backoff until the last attempt marks the message failed — it is never
 * deleted.
 *
 * Channels: SMS to the account's phone, e-mail and WeChat where the user has given an address, and
 * only those with a transport (activeChannels, set at start-up). Each user may switch a channel off
 * per kind of message; kinds with a legal deadline (LOCKED_KINDS) and account-security codes
 * cannot be switched off.
 */
import { and, asc, desc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import type { TFunction } from "i18next";
import { tIn } from "~/utils/i18n";
import { appendAudit, type Actor } from "./audit.server";
import { DomainError } from "./errors";
import { NOTIFICATION_KINDS, type NotificationKind } from "./notification.server";
import { CHANNELS, type Channel, type Transports } from "./transports.server";

const { outbox, outboxAttempts, notificationMutes, users } = schema;

/** Messages about a legal deadline (an answer owed, a window that closes) and account security: always sent on every channel. */
export const LOCKED_KINDS: ReadonlySet<NotificationKind> = new Set([
  "publicity.objection",
  "publicity.complaint",
  "evaluation.clarify",
  "opening.decryption",
  "auth.locked",
  "company.memberReset",
]);

/** Attempts before a message is marked failed, and the wait after each failed one. */
export const MAX_ATTEMPTS = 5;
export const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000];
/** A claimed message comes back to the queue after this if its sender died mid-way. */
const LEASE_MS = 2 * 60_000;

let active: ReadonlySet<Channel> = new Set();

/** The channels with a transport on this installation (set once at start-up; tests set it too). */
export function setActiveChannels(channels: Iterable<Channel>) {
  active = new Set(channels);
}
export function activeChannels(): ReadonlySet<Channel> {
  return active;
}

type Recipient = { id: string; locale: string; phone: string; email: string | null; wechatOpenId: string | null };

function addressesOf(u: Recipient): { channel: Channel; address: string }[] {
  const out: { channel: Channel; address: string }[] = [];
  if (active.has("sms")) out.push({ channel: "sms", address: u.phone });
  if (active.has("email") && u.email) out.push({ channel: "email", address: u.email });
  if (active.has("wechat") && u.wechatOpenId) out.push({ channel: "wechat", address: u.wechatOpenId });
  return out;
}

/** The rows of one message to one person, one per channel that reaches them (but `muted`), in their language. */
function rowsFor(
  u: Recipient,
  now: Date,
  kind: string,
  text: (t: TFunction) => { subject: string; body: string },
  link: string | null,
  secret: string | null,
  muted: (channel: Channel) => boolean = () => false,
) {
  const { subject, body } = text(tIn(u.locale));
  return addressesOf(u)
    .filter((a) => !muted(a.channel))
    .map((a) => ({ userId: u.id, kind, ...a, subject, body, link, secret, nextAttemptAt: now, createdAt: now }));
}

const recipientColumns = { id: users.id, locale: users.locale, phone: users.phone, email: users.email, wechatOpenId: users.wechatOpenId };

/** Called by notify(), inside the event's transaction. */
export async function enqueueNotification(
  db: Db,
  { clock, userIds, kind, params, link }: { clock: Clock; userIds: string[]; kind: NotificationKind; params: Record<string, string>; link: string | null },
) {
  if (!active.size || !userIds.length) return 0;
  const recipients = await db.select(recipientColumns).from(users).where(inArray(users.id, userIds));
  const muted = LOCKED_KINDS.has(kind)
    ? new Set<string>()
    : new Set(
        (
          await db
            .select()
            .from(notificationMutes)
            .where(and(inArray(notificationMutes.userId, userIds), eq(notificationMutes.kind, kind)))
        ).map((m) => `${m.userId}:${m.channel}`),
      );
  const now = clock.now();
  const text = (t: TFunction) => ({ subject: t("outbox.subject", { what: t(`kindNames.${kind}`) }), body: t(`notifications.kinds.${kind}`, params) });
  const rows = recipients.flatMap((u) => rowsFor(u, now, kind, text, link, null, (channel) => muted.has(`${u.id}:${channel}`)));
  if (rows.length) await db.insert(outbox).values(rows);
  return rows.length;
}

export type CodeKind = "auth.resetCode" | "auth.stepUpCode";

/** A one-time code for the user on every channel that reaches them (mutes do not apply). Returns how many messages were written. */
export async function enqueueCode(
  db: Db,
  { clock, userId, kind, code, params, link }: { clock: Clock; userId: string; kind: CodeKind; code: string; params: Record<string, string>; link: string | null },
) {
  const [u] = await db.select(recipientColumns).from(users).where(eq(users.id, userId));
  if (!u) return 0;
  const text = (t: TFunction) => ({ subject: t("outbox.subject", { what: t(`outbox.codeNames.${kind}`) }), body: t(`outbox.codes.${kind}`, { ...params, code }) });
  const rows = rowsFor(u, clock.now(), kind, text, link, code);
  if (rows.length) await db.insert(outbox).values(rows);
  return rows.length;
}

/** Whether any channel reaches this user at all. */
export function isReachable(u: Recipient): boolean {
  return addressesOf(u).length > 0;
}

// ── Delivery ───────────────────────────────────────────────────────────

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

/**
 * Send what is due. Rows are claimed in a short transaction (FOR UPDATE SKIP LOCKED, so instances
 * never send the same row twice) and sent after it commits; each result is written with its attempt.
 */
export async function deliverDue(
  db: Db,
  { clock, transports, origin, limit = 50 }: { clock: Clock; transports: Transports; origin: string; limit?: number },
): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
  const claimedAt = clock.now();
  const claimed = await db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(outbox)
      .where(and(eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, claimedAt)))
      .orderBy(asc(outbox.nextAttemptAt))
      .limit(limit)
      .for("update", { skipLocked: true });
    if (rows.length) {
      await tx
        .update(outbox)
        .set({ attempts: sql`${outbox.attempts} + 1`, nextAttemptAt: new Date(claimedAt.getTime() + LEASE_MS) })
        .where(
          inArray(
            outbox.id,
            rows.map((r) => r.id),
          ),
        );
    }
    return rows;
  });
  for (const row of claimed) {
    const attempt = row.attempts + 1;
    const transport = transports[row.channel as Channel];
    let ref: string | null = null;
    let error: string | null = null;
    try {
      if (!transport) throw new Error(`no transport for ${row.channel}`);
      ref = await transport.send({
        channel: row.channel as Channel,
        address: row.address,
        subject: row.subject,
        body: row.body,
        url: row.link ? new URL(row.link, origin).toString() : null,
        at: row.createdAt,
      });
    } catch (e) {
      error = (e as Error).message.slice(0, 500) || "error";
    }
    const now = clock.now();
    const transportName = transport?.name ?? "none";
    await db.transaction(async (tx) => {
      await tx.insert(outboxAttempts).values({ messageId: row.id, attempt, at: now, transport: transportName, ok: error === null, detail: error ?? ref });
      if (error === null) {
        // A code that has left is not kept readable here (the development mailbox is the exception: it is the message's only copy).
        const scrub = transportName !== "dev" ? blanked(row) : {};
        await tx
          .update(outbox)
          .set({ status: "sent", sentAt: now, transport: transportName, lastError: null, ...scrub })
          .where(eq(outbox.id, row.id));
        report.sent++;
      } else if (attempt >= MAX_ATTEMPTS) {
        await tx
          .update(outbox)
          .set({ status: "failed", transport: transportName, lastError: error, ...blanked(row) })
          .where(eq(outbox.id, row.id));
        report.failed++;
      } else {
        await tx
          .update(outbox)
          .set({ status: "pending", transport: transportName, lastError: error, nextAttemptAt: new Date(now.getTime() + BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]) })
          .where(eq(outbox.id, row.id));
        report.retried++;
      }
    });
  }
  return report;
}

/** The message with its one-time code blanked out of the text and the link. */
function blanked(row: { body: string; link: string | null; secret: string | null }) {
  if (!row.secret) return {};
  const blank = (v: string) => v.split(row.secret!).join("••••••");
  return { body: blank(row.body), link: row.link === null ? null : blank(row.link), secret: null };
}

export async function attemptsOf(db: Db, messageId: string) {
  return db.select().from(outboxAttempts).where(eq(outboxAttempts.messageId, messageId)).orderBy(asc(outboxAttempts.attempt));
}

/** The user's own recent messages (what was sent where, and whether it arrived). */
export async function messagesOf(db: Db, userId: string, limit = 20) {
  return db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      channel: outbox.channel,
      address: outbox.address,
      status: outbox.status,
      attempts: outbox.attempts,
      createdAt: outbox.createdAt,
      sentAt: outbox.sentAt,
    })
    .from(outbox)
    .where(eq(outbox.userId, userId))
    .orderBy(desc(outbox.createdAt))
    .limit(limit);
}

/**
 * What the development transport "sent" to one person, newest first: their own messages only (by
 * user id, or by the account's phone number for the page that sent a reset code to someone not
 * signed in), optionally only those written since a moment (the request that sent them).
 */
export async function devMailbox(db: Db, to: { userId: string } | { phone: string }, opts: { since?: Date; limit?: number } = {}) {
  const owner = "userId" in to ? eq(outbox.userId, to.userId) : inArray(outbox.userId, db.select({ id: users.id }).from(users).where(eq(users.phone, to.phone)));
  return db
    .select({ id: outbox.id, channel: outbox.channel, address: outbox.address, subject: outbox.subject, body: outbox.body, link: outbox.link, sentAt: outbox.sentAt })
    .from(outbox)
    .where(and(owner, eq(outbox.transport, "dev"), eq(outbox.status, "sent"), opts.since ? gte(outbox.createdAt, opts.since) : undefined))
    .orderBy(desc(outbox.sentAt), asc(outbox.channel))
    .limit(opts.limit ?? 100);
}

// ── Preferences ────────────────────────────────────────────────────────

/** The kinds a user can tune, each with its channels on or off (locked kinds are always on). */
export async function channelPreferences(db: Db, userId: string) {
  const mutes = new Set((await db.select().from(notificationMutes).where(eq(notificationMutes.userId, userId))).map((m) => `${m.kind}:${m.channel}`));
  return NOTIFICATION_KINDS.map((kind) => ({
    kind,
    locked: LOCKED_KINDS.has(kind),
    channels: Object.fromEntries(CHANNELS.map((c) => [c, LOCKED_KINDS.has(kind) || !mutes.has(`${kind}:${c}`)])) as Record<Channel, boolean>,
  }));
}

/**
 * Save the whole table from the form: a checkbox `on:<kind>:<channel>` for each kind and channel
 * that stays on. Locked kinds are not stored whatever the form says.
 */
export async function saveChannelPreferences(db: Db, clock: Clock, actor: Actor & { userId: string }, form: Record<string, unknown>) {
  const wanted = new Set(Object.keys(form).filter((k) => k.startsWith("on:")));
  const mutes = NOTIFICATION_KINDS.filter((k) => !LOCKED_KINDS.has(k)).flatMap((kind) =>
    CHANNELS.filter((c) => !wanted.has(`on:${kind}:${c}`)).map((channel) => ({ userId: actor.userId, kind, channel })),
  );
  await db.transaction(async (tx) => {
    const before = (await tx.select().from(notificationMutes).where(eq(notificationMutes.userId, actor.userId))).map((m) => `${m.kind}:${m.channel}`).sort();
    await tx.delete(notificationMutes).where(eq(notificationMutes.userId, actor.userId));
    if (mutes.length) await tx.insert(notificationMutes).values(mutes);
    const after = mutes.map((m) => `${m.kind}:${m.channel}`).sort();
    if (before.join() !== after.join())
      await appendAudit(tx, clock, actor, { action: "user.notification_channels", objectType: "user", objectId: actor.userId, before: { off: before }, after: { off: after } });
  });
}

export const contactSchema = z.object({
  email: z
    .string()
    .trim()
    .max(200, "errors.contact.email")
    .transform((v) => v.toLowerCase())
    .refine((v) => v === "" || z.string().email().safeParse(v).success, "errors.contact.email"),
  wechatOpenId: z
    .string()
    .trim()
    .refine((v) => v === "" || /^[A-Za-z0-9_-]{20,64}$/.test(v), "errors.contact.wechat"),
});

/** The user's own e-mail address and WeChat OpenID (empty clears them). */
export async function saveContact(db: Db, clock: Clock, actor: Actor & { userId: string }, raw: unknown) {
  const parsed = contactSchema.safeParse(raw);
  if (!parsed.success) throw new DomainError(parsed.error.issues[0].message, { field: String(parsed.error.issues[0].path[0] ?? "") });
  const next = { email: parsed.data.email || null, wechatOpenId: parsed.data.wechatOpenId || null };
  await db.transaction(async (tx) => {
    const [before] = await tx.select({ email: users.email, wechatOpenId: users.wechatOpenId }).from(users).where(eq(users.id, actor.userId)).for("update");
    if (!before) throw new DomainError("errors.notFound", { status: 404 });
    if (before.email === next.email && before.wechatOpenId === next.wechatOpenId) return;
    await tx.update(users).set(next).where(eq(users.id, actor.userId));
    await appendAudit(tx, clock, actor, { action: "user.contact", objectType: "user", objectId: actor.userId, before, after: next });
  });
}
