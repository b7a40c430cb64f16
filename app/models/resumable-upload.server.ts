/**
 * Resumable uploads for phones on weak connections (the tus 1.0.0 protocol
 * is spoken by app/routes/uploads*.ts; this module keeps the state).
 *
 * A partial upload is a data file plus a small JSON record under
 * <workDir>/partial, both named by an unguessable id and readable only by the
 * user who created it. When the last byte arrives the file goes into the
 * content-addressed store with the same checks as a plain form upload (moved,
 * not copied, into the local store), so
 * the size limit and the PDF check are the same code; the record then keeps
 * the resulting SHA-256 (or the refusal's translation key) until a form
 * refers to it by id. Nothing here touches the database: a record becomes
 * part of a project only when the form's own transaction commits, by which
 * time the file is already in the store.
 *
 * Ids are wholly random (they name nothing about the owner: at a deadline
 * whoever sees upload addresses must not tell whose sealed bid is whose). Each
 * owner has a folder under <workDir>/partial/owners, named by a hash of the
 * owner, holding a marker per upload (to count open ones without reading every
 * record) and a ledger per Beijing day of the files stored, for the daily limit
 * on finished uploads (county settings uploadsPerDay, uploadMegabytesPerDay;
 * sealed bids are not counted: a bid at a deadline is never refused by it).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Clock } from "~/utils/clock.server";
import { beijingDay } from "~/utils/time";
import { DomainError } from "./errors";
import { checkPdf, SCAN_REFUSALS, type FileStore, type StoredFile } from "./file-store.server";

/** An upload nobody touched for this long is deleted (tus expiration extension). */
export const UPLOAD_TTL_MS = 24 * 3600 * 1000;
/** Unfinished uploads one user may hold at once, so nobody can fill the disk with declared lengths. */
export const MAX_OPEN_UPLOADS = 10;
/**
 * What an upload may be, named at creation; its check is chosen here, never
 * by the client: a PDF, or a bid sealed in the browser (public/seal/v1.js).
 */
export type UploadKind = "pdf" | "sealed";
const SEALED_MAGIC = "CYZBID01";
export function checkSealed(head: Buffer): string | null {
  return head.subarray(0, Math.min(8, head.length)).toString("latin1") === SEALED_MAGIC.slice(0, Math.min(8, head.length)) ? null : "errors.upload.notSealed";
}
const CHECKS: Record<UploadKind, (head: Buffer) => string | null> = { pdf: checkPdf, sealed: checkSealed };
const checkOf = (rec: UploadRecord) => CHECKS[rec.kind ?? "pdf"];

export interface UploadRecord {
  id: string;
  /** User id of the creator; nobody else may see or continue it. */
  owner: string;
  /** Declared total length in bytes. */
  length: number;
  /** The file's name as the browser gave it (display and database row only). */
  name: string;
  /** What the bytes must be (absent in records written before kinds existed: a PDF). */
  kind?: UploadKind;
  /** The county's limit when the upload was created. */
  maxBytes: number;
  createdAt: string;
  expiresAt: string;
  /** Set once the whole file is in the store. */
  stored?: StoredFile;
  /** Translation key when the finished (or first) bytes were refused. */
  error?: string;
}

const ID = /^[A-Za-z0-9_-]{22}$/;

function dirOf(files: FileStore) {
  return path.join(files.workDir, "partial");
}
/** The owner's folder: named by a hash of the owner, never shown to anyone. */
function ownerDir(files: FileStore, owner: string) {
  return path.join(dirOf(files), "owners", createHash("sha256").update(`upload-owner:${owner}`).digest("hex").slice(0, 32));
}
function ledgerPath(files: FileStore, owner: string, day: string) {
  return path.join(ownerDir(files, owner), `stored-${day}.log`);
}
function dataPath(files: FileStore, id: string) {
  return path.join(dirOf(files), `${id}.part`);
}
function recordPath(files: FileStore, id: string) {
  return path.join(dirOf(files), `${id}.json`);
}

async function readRecord(files: FileStore, id: string): Promise<UploadRecord | null> {
  if (!ID.test(id)) return null;
  try {
    return JSON.parse(await readFile(recordPath(files, id), "utf8")) as UploadRecord;
  } catch {
    return null;
  }
}

async function saveRecord(files: FileStore, rec: UploadRecord) {
  const tmp = path.join(dirOf(files), `${rec.id}.${randomUUID()}.tmp`);
  await writeFile(tmp, JSON.stringify(rec));
  await rename(tmp, recordPath(files, rec.id));
}

async function sizeOf(p: string): Promise<number> {
  try {
    return (await stat(p)).size;
  } catch {
    return 0;
  }
}

function isFinished(rec: UploadRecord) {
  return rec.stored !== undefined || rec.error !== undefined;
}

/** A name safe to show and store: no folders, no control characters, at most 200 characters. */
export function cleanFileName(raw: string): string {
  const base = raw
    .split(/[\\/]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim();
  return (base || "file").slice(-200);
}

/** How many files, and how many bytes, an account may finish uploading in one Beijing day. */
export interface DailyLimit {
  uploads: number;
  bytes: number;
}

/**
 * The daily limit for an upload of this kind under the county's settings: none for a sealed bid (a
 * bid at a deadline is never refused by it; only bidding companies get sealed uploads at all).
 */
export function dailyLimitFor(kind: UploadKind, settings: { uploadsPerDay: number; uploadMegabytesPerDay: number }): DailyLimit | null {
  return kind === "sealed" ? null : { uploads: settings.uploadsPerDay, bytes: settings.uploadMegabytesPerDay * 1024 * 1024 };
}

// One creation at a time per owner, so two at once cannot both pass the limits.
const creating = new Map<string, Promise<unknown>>();
async function oneAtATime<T>(owner: string, fn: () => Promise<T>): Promise<T> {
  const before = creating.get(owner) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const settled = run.catch(() => undefined);
  creating.set(owner, settled);
  try {
    return await run;
  } finally {
    if (creating.get(owner) === settled) creating.delete(owner);
  }
}

export async function createUpload(
  files: FileStore,
  clock: Clock,
  input: { owner: string; length: number; name: string; maxBytes: number; kind?: UploadKind; daily?: DailyLimit | null },
): Promise<UploadRecord> {
  if (!Number.isSafeInteger(input.length) || input.length < 0) throw new DomainError("errors.upload.length", { status: 400 });
  if (input.length === 0) throw new DomainError("errors.upload.empty", { status: 400 });
  if (input.length > input.maxBytes) throw new DomainError("errors.upload.tooLarge", { status: 413 });
  await mkdir(ownerDir(files, input.owner), { recursive: true });
  return oneAtATime(input.owner, async () => {
    const open = await openUploadsOf(files, clock, input.owner);
    if (open.length >= MAX_OPEN_UPLOADS) throw new DomainError("errors.upload.tooMany", { status: 429 });
    if (input.daily) {
      // What was stored today, and what the open uploads of the kind may still store, counts.
      const stored = await storedToday(files, clock, input.owner);
      const pending = open.filter((r) => (r.kind ?? "pdf") !== "sealed");
      if (stored.uploads + pending.length + 1 > input.daily.uploads) throw new DomainError("errors.upload.dailyCount", { status: 429 });
      const bytes = stored.bytes + pending.reduce((n, r) => n + r.length, 0) + input.length;
      if (bytes > input.daily.bytes) throw new DomainError("errors.upload.dailyBytes", { status: 429 });
    }
    return startUpload(files, clock, input);
  });
}

async function startUpload(files: FileStore, clock: Clock, input: { owner: string; length: number; name: string; maxBytes: number; kind?: UploadKind }): Promise<UploadRecord> {
  const now = clock.now();
  const rec: UploadRecord = {
    id: uploadId(),
    owner: input.owner,
    length: input.length,
    name: cleanFileName(input.name),
    kind: input.kind ?? "pdf",
    maxBytes: input.maxBytes,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + UPLOAD_TTL_MS).toISOString(),
  };
  await writeFile(dataPath(files, rec.id), "");
  await saveRecord(files, rec);
  await writeFile(path.join(ownerDir(files, rec.owner), rec.id), "");
  return rec;
}

/** An upload's id: 128 random bits, nothing else (22 characters of base64url). */
function uploadId(): string {
  return randomBytes(16).toString("base64url");
}

/** The owner's unfinished, unexpired uploads (found through the markers in the owner's folder). */
async function openUploadsOf(files: FileStore, clock: Clock, owner: string): Promise<UploadRecord[]> {
  const open: UploadRecord[] = [];
  let names: string[];
  try {
    names = await readdir(ownerDir(files, owner));
  } catch {
    return open;
  }
  for (const f of names) {
    if (!ID.test(f)) continue;
    const rec = await readRecord(files, f);
    if (rec && rec.owner === owner && !isFinished(rec) && new Date(rec.expiresAt) > clock.now()) open.push(rec);
  }
  return open;
}

/** Files of the owner stored today (Beijing day), sealed bids not counted. */
async function storedToday(files: FileStore, clock: Clock, owner: string): Promise<{ uploads: number; bytes: number }> {
  let text: string;
  try {
    text = await readFile(ledgerPath(files, owner, beijingDay(clock.now())), "utf8");
  } catch {
    return { uploads: 0, bytes: 0 };
  }
  let uploads = 0;
  let bytes = 0;
  for (const line of text.split("\n")) {
    const [kind, size] = line.split(" ");
    if (!kind || kind === "sealed") continue;
    uploads++;
    bytes += Number(size) || 0;
  }
  return { uploads, bytes };
}

/** One line per stored file, appended (a short append is atomic): "<kind> <size> <id>". */
async function recordStored(files: FileStore, clock: Clock, rec: UploadRecord, size: number) {
  await mkdir(ownerDir(files, rec.owner), { recursive: true });
  await appendFile(ledgerPath(files, rec.owner, beijingDay(clock.now())), `${rec.kind ?? "pdf"} ${size} ${rec.id}\n`);
}

/** The upload, if it exists, has not expired and belongs to `owner`; otherwise null (the caller answers 404 either way). */
export async function findUpload(files: FileStore, clock: Clock, id: string, owner: string): Promise<UploadRecord | null> {
  const rec = await readRecord(files, id);
  if (!rec || rec.owner !== owner || new Date(rec.expiresAt) <= clock.now()) return null;
  return rec;
}

/** How many bytes the server holds: the client resumes from here. */
export async function uploadOffset(files: FileStore, rec: UploadRecord): Promise<number> {
  return isFinished(rec) ? rec.length : sizeOf(dataPath(files, rec.id));
}

// One writer per upload. A phone that gave up on a stalled request and retries
// must not wait for the server to notice the dead connection: the newcomer
// stops the old writer (which keeps what it received) and takes over.
const writers = new Map<string, { stop: AbortController; done: Promise<void> }>();

async function takeOver(id: string): Promise<{ stop: AbortSignal; release(): void }> {
  for (let w = writers.get(id); w; w = writers.get(id)) {
    w.stop.abort();
    await w.done;
  }
  const stop = new AbortController();
  let done!: () => void;
  writers.set(id, { stop, done: new Promise<void>((r) => (done = r)) });
  return {
    stop: stop.signal,
    release() {
      writers.delete(id);
      done();
    },
  };
}

export type AppendResult = { ok: true; offset: number; record: UploadRecord } | { ok: false; offset: number };

/**
 * Append the body at `offset` (it must equal the server's offset, or the
 * result says where the server is). Bytes are kept as they arrive, so an
 * interrupted request loses nothing already received. When the last byte is
 * in, the file is moved into the store; a refusal (not a PDF, too large)
 * throws its translation key and keeps nothing.
 */
export async function appendToUpload(
  files: FileStore,
  { clock, upload: rec, offset, body, signal }: { clock: Clock; upload: UploadRecord; offset: number; body: AsyncIterable<Uint8Array> | null; signal?: AbortSignal },
): Promise<AppendResult> {
  const writer = await takeOver(rec.id);
  try {
    // Re-read under the lock: the writer we replaced may have moved the offset or finished the file.
    const current = await readRecord(files, rec.id);
    if (!current) throw new DomainError("errors.upload.unknown", { status: 404 }); // deleted meanwhile
    const at = await uploadOffset(files, current);
    if (offset !== at) return { ok: false, offset: at };
    if (!isFinished(current)) {
      const size = at + (body ? await receive(dataPath(files, rec.id), body, current.length - at, [writer.stop, signal]) : 0);
      current.expiresAt = new Date(clock.now().getTime() + UPLOAD_TTL_MS).toISOString();
      // Refuse a non-PDF after its first bytes, not after 50 MB over a weak connection.
      const problem = at < 8 && (size >= 8 || size === current.length) ? checkOf(current)(await head(dataPath(files, rec.id))) : null;
      if (problem) await finish(files, current, { error: problem });
      else if (size === current.length) await store(files, clock, current);
      else await saveRecord(files, current);
    }
    if (current.error) throw new DomainError(current.error, { status: statusOf(current.error) });
    return { ok: true, offset: await uploadOffset(files, current), record: current };
  } finally {
    writer.release();
  }
}

function statusOf(key: string) {
  // As a form upload answers the same refusals (file-store.server.ts inspect).
  return key === "errors.upload.tooLarge" ? 413 : ["errors.upload.notPdf", "errors.upload.notSealed", ...SCAN_REFUSALS].includes(key) ? 415 : 400;
}

/** Write what arrives (at most `room` bytes) to the end of the file; stop early, keeping what came, when told to. */
async function receive(file: string, body: AsyncIterable<Uint8Array>, room: number, signals: (AbortSignal | undefined)[]): Promise<number> {
  const fh = await open(file, "a");
  const it = body[Symbol.asyncIterator]();
  let stopped!: () => void;
  const stop = new Promise<IteratorResult<Uint8Array>>((r) => (stopped = () => r({ done: true, value: undefined })));
  for (const s of signals) {
    if (s?.aborted) stopped();
    s?.addEventListener("abort", stopped, { once: true });
  }
  let written = 0;
  try {
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await Promise.race([it.next(), stop]);
      } catch {
        break; // the connection dropped: keep what arrived, the client resumes from here
      }
      if (r.done) break;
      if (written + r.value.byteLength > room) throw new DomainError("errors.upload.length", { status: 400 });
      await fh.write(r.value);
      written += r.value.byteLength;
    }
  } finally {
    for (const s of signals) s?.removeEventListener("abort", stopped);
    void Promise.resolve(it.return?.()).catch(() => {});
    await fh.close();
  }
  return written;
}

async function head(file: string): Promise<Buffer> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(8);
    const { bytesRead } = await fh.read(buf, 0, 8, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Move the complete file into the store with the same checks a form upload gets. */
async function store(files: FileStore, clock: Clock, rec: UploadRecord) {
  try {
    const opts = { maxBytes: rec.maxBytes, check: checkOf(rec) };
    // The local store moves the finished file into place; others copy it in.
    const stored = files.adopt ? await files.adopt(dataPath(files, rec.id), opts) : await files.put(createReadStream(dataPath(files, rec.id)), opts);
    await recordStored(files, clock, rec, stored.size);
    await finish(files, rec, { stored });
  } catch (e) {
    if (!(e instanceof DomainError)) throw e; // storage trouble: the partial stays, a retried PATCH finishes it
    await finish(files, rec, { error: e.key });
  }
}

async function finish(files: FileStore, rec: UploadRecord, outcome: { stored: StoredFile } | { error: string }) {
  Object.assign(rec, outcome);
  await saveRecord(files, rec);
  await rm(dataPath(files, rec.id), { force: true });
  await rm(path.join(ownerDir(files, rec.owner), rec.id), { force: true });
}

/** The user gave up on this upload (tus termination): delete it. */
export async function deleteUpload(files: FileStore, rec: UploadRecord) {
  const writer = await takeOver(rec.id);
  try {
    await rm(dataPath(files, rec.id), { force: true });
    await rm(recordPath(files, rec.id), { force: true });
    await rm(path.join(ownerDir(files, rec.owner), rec.id), { force: true });
  } finally {
    writer.release();
  }
}

/**
 * What a form may use: the finished upload `id` of `owner`, with the name and
 * hash the server recorded. Anything else is a translation key for the field.
 */
export async function finishedUpload(
  files: FileStore,
  id: string,
  owner: string,
  kind: UploadKind = "pdf",
): Promise<{ ok: true; upload: StoredFile & { name: string } } | { ok: false; error: string }> {
  const rec = await readRecord(files, id);
  if (!rec || rec.owner !== owner || (rec.kind ?? "pdf") !== kind) return { ok: false, error: "errors.upload.unknown" };
  if (rec.error) return { ok: false, error: rec.error };
  if (!rec.stored) return { ok: false, error: "errors.upload.incomplete" };
  return { ok: true, upload: { ...rec.stored, name: rec.name } };
}

/** Delete uploads idle past their expiry, and leftovers without a record. Run by the scheduler. */
export async function purgeExpiredUploads(files: FileStore, clock: Clock): Promise<number> {
  const dir = dirOf(files);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const now = clock.now().getTime();
  let purged = 0;
  await purgeOwnerFolders(files, clock);
  for (const f of names) {
    if (f === "owners") continue;
    const id = f.split(".")[0];
    if (f.endsWith(".json")) {
      const rec = await readRecord(files, id);
      if (rec && new Date(rec.expiresAt).getTime() > now) continue;
      if (writers.has(id)) continue;
      await rm(dataPath(files, id), { force: true });
      await rm(path.join(dir, f), { force: true });
      purged++;
    } else {
      // A data file whose record is gone, or a record write that never finished.
      const orphan = f.endsWith(".tmp") || !names.includes(`${id}.json`);
      if (!orphan) continue;
      const mtime = await stat(path.join(dir, f)).then(
        (s) => s.mtimeMs,
        () => now,
      );
      if (now - mtime > UPLOAD_TTL_MS) await rm(path.join(dir, f), { force: true });
    }
  }
  return purged;
}

/**
 * In each owner's folder: markers whose upload is finished or gone, and ledgers of days before
 * yesterday (Beijing). The folders stay (one per account that ever uploaded): removing one could
 * race a creation putting its marker in.
 */
async function purgeOwnerFolders(files: FileStore, clock: Clock) {
  const root = path.join(dirOf(files), "owners");
  const owners = await readdir(root).catch(() => [] as string[]);
  const now = clock.now();
  const keep = new Set([beijingDay(now), beijingDay(new Date(now.getTime() - 24 * 3600 * 1000))].map((d) => `stored-${d}.log`));
  for (const o of owners) {
    const dir = path.join(root, o);
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      const live = ID.test(f) && (writers.has(f) || (await readRecord(files, f).then((r) => r !== null && !isFinished(r) && new Date(r.expiresAt) > now)));
      const stale = ID.test(f) ? !live : f.startsWith("stored-") && !keep.has(f);
      if (stale) await rm(path.join(dir, f), { force: true });
    }
  }
}
