/**
 * Progressive enhancement for <form data-resumable>: each chosen file is sent
 * ahead in 512 KB pieces over the tus protocol (app/routes/uploads*.ts), with
 * retries, back-off and resume after a dropped connection — even after a
 * reload, since the upload address is remembered per file. When it is done
 * the file input loses its name and a hidden `<name>__upload` carries the
 * upload id instead, so the bytes are not sent twice. Without JavaScript, or
 * when the connection gives up, the form sends the file itself as before.
 */
import { tIn } from "~/utils/i18n";

const ENDPOINT = "/uploads";
const CHUNK = 512 * 1024;
/** A request that moved no byte for this long is given up and retried. */
const STALL_MS = 30_000;
/** The last piece also waits for the server to store the file. */
const FINISH_MS = 180_000;
/** Consecutive failures without progress before falling back to a plain form upload. */
const MAX_FAILURES = 8;

interface Reply {
  status: number;
  header(name: string): string | null;
  error: string | null;
}

/** Refused by the server for good (not a PDF, too large…): retrying cannot help. */
export class Refusal extends Error {
  constructor(
    readonly key: string,
    readonly id: string | null,
  ) {
    super(key);
  }
}

function send(method: string, url: string, signal: AbortSignal, headers: Record<string, string> = {}, body?: Blob, progress?: (sent: number) => void): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    let timer = 0;
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = window.setTimeout(() => x.abort(), ms);
    };
    const fail = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
      reject(new Error("network"));
    };
    const stop = () => x.abort();
    x.open(method, url);
    x.setRequestHeader("Tus-Resumable", "1.0.0");
    for (const [k, v] of Object.entries(headers)) x.setRequestHeader(k, v);
    x.upload.onprogress = (e) => {
      arm(e.loaded < e.total ? STALL_MS : FINISH_MS);
      progress?.(e.loaded);
    };
    x.onload = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
      let error: string | null = null;
      try {
        error = (JSON.parse(x.responseText) as { error?: string }).error ?? null;
      } catch {
        /* no body */
      }
      resolve({ status: x.status, header: (n) => x.getResponseHeader(n), error });
    };
    x.onerror = x.onabort = x.ontimeout = fail;
    signal.addEventListener("abort", stop);
    arm(body && body.size ? STALL_MS : FINISH_MS);
    x.send(body ?? null);
  });
}

const remember = {
  get: (k: string) => {
    try {
      return localStorage.getItem(k);
    } catch {
      return null;
    }
  },
  set: (k: string, v: string | null) => {
    try {
      if (v) localStorage.setItem(k, v);
      else localStorage.removeItem(k);
    } catch {
      /* private mode: resume works within the page only */
    }
  },
};

function wait(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    // Back online: try at once rather than sit out the back-off.
    window.addEventListener("online", done);
    signal.addEventListener("abort", done);
  });
}

function offsetOf(r: Reply): number {
  const n = Number(r.header("Upload-Offset") ?? NaN);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error("no offset"); // a proxy in the way: retry
  return n;
}

/** Send `file`; resolves with the upload id once the server has stored it. (Exported for tests.) */
export async function upload(file: File, signal: AbortSignal, say: (percent: number, retryIn?: number) => void, kind: "pdf" | "sealed" = "pdf"): Promise<string> {
  const key = `cyz-upload:${file.name}:${file.size}:${file.lastModified}`;
  let url = remember.get(key);
  let offset = -1; // unknown: ask the server
  let confirmed = 0; // what the server last said it holds
  let failures = 0;
  let restarts = 0;
  const refused = (r: Reply) => new Refusal(r.error ?? "errors.page.unexpected", url ? url.slice(url.lastIndexOf("/") + 1) : null);
  for (;;) {
    if (signal.aborted) throw new Error("aborted");
    try {
      if (!url) {
        const r = await send("POST", ENDPOINT, signal, {
          "Upload-Length": String(file.size),
          "Upload-Metadata": `filename ${btoa(String.fromCharCode(...new TextEncoder().encode(file.name)))},kind ${btoa(kind)}`,
        });
        if (r.status !== 201) throw r.status >= 500 || r.status === 429 ? new Error("server") : refused(r);
        url = new URL(r.header("Location")!, location.href).pathname;
        remember.set(key, url);
        offset = 0;
      }
      if (offset < 0) {
        const r = await send("HEAD", url, signal);
        if (r.status === 200) offset = confirmed = offsetOf(r);
        else if (r.status === 404 || r.status === 410) {
          // Expired, or someone else's: start again.
          if (++restarts > 2) throw new Refusal("errors.upload.unknown", null);
          url = null;
          remember.set(key, null);
          continue;
        } else throw r.status >= 500 ? new Error("server") : refused(r);
      }
      const base = offset;
      // Past the end the slice is empty: that PATCH asks the server to finish (or confirm) the file.
      const r = await send(
        "PATCH",
        url,
        signal,
        { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" },
        file.slice(offset, offset + CHUNK),
        (sent) => say(((base + sent) / file.size) * 100),
      );
      if (r.status === 204) {
        offset = confirmed = offsetOf(r);
        failures = 0;
        say((offset / file.size) * 100);
        if (offset >= file.size) {
          remember.set(key, null);
          return url.slice(url.lastIndexOf("/") + 1);
        }
      } else if (r.status === 409) offset = -1;
      else if (r.status === 404 || r.status === 410) offset = -1;
      else if (r.status >= 500 || r.status === 423 || r.status === 429) throw new Error("server");
      else {
        remember.set(key, null);
        throw refused(r);
      }
    } catch (e) {
      if (e instanceof Refusal || signal.aborted) throw e;
      if (++failures > MAX_FAILURES) throw e;
      offset = -1; // part of the piece may have arrived: ask where to go on from
      const seconds = Math.min(30, 2 ** failures);
      say((confirmed / file.size) * 100, seconds);
      await wait(seconds * 1000, signal);
    }
  }
}

const SUFFIX = "__upload";

/** Enhance one form; returns a function that stops its uploads (the form left the page). */
export function enhance(form: HTMLFormElement): () => void {
  const t = tIn(document.documentElement.lang);
  const running = new Map<HTMLInputElement, { stop: AbortController; done: Promise<unknown> }>();
  let resubmitting = false;

  const statusOf = (input: HTMLInputElement) => {
    let el = input.nextElementSibling as HTMLElement | null;
    if (!el?.classList.contains("upload-status")) {
      el = document.createElement("p");
      el.className = "upload-status hint";
      el.setAttribute("role", "status");
      el.setAttribute("aria-live", "polite");
      input.after(el);
    }
    return el;
  };
  const hiddenOf = (name: string) => form.querySelector<HTMLInputElement>(`input[type=hidden][name="${CSS.escape(name + SUFFIX)}"]`);

  const onChange = (e: Event) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    const name = (input.dataset.uploadName ??= input.getAttribute("name") ?? "");
    if (!name) return;
    running.get(input)?.stop.abort();
    running.delete(input);
    hiddenOf(name)?.remove();
    input.name = name; // until this upload is done, the form would send the file itself
    const file = input.files?.[0];
    const status = statusOf(input);
    status.textContent = "";
    if (!file) return;
    const stop = new AbortController();
    let shown = -1;
    const say = (percent: number, retryIn?: number) => {
      // Whole tens only: a live region that changes every second is noise to a screen reader.
      const p = Math.floor(percent / 10) * 10;
      if (!retryIn && p === shown) return;
      shown = retryIn ? -1 : p;
      const line = retryIn ? t("upload.retrying", { seconds: retryIn, percent: p }) : t("upload.progress", { percent: p });
      status.textContent = resubmitting ? `${line} ${t("upload.waiting")}` : line;
    };
    say(0);
    const attach = (id: string) => {
      const hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = name + SUFFIX;
      hidden.value = id;
      input.removeAttribute("name");
      status.after(hidden);
    };
    const done = upload(file, stop.signal, say).then(
      (id) => {
        if (stop.signal.aborted) return;
        attach(id);
        status.textContent = t("upload.done", { name: file.name });
      },
      (e: unknown) => {
        if (stop.signal.aborted) return;
        if (e instanceof Refusal) {
          status.textContent = t("upload.refused", { reason: t(e.key) });
          // The server keeps the refusal with the upload and reports it on submit; without an
          // upload there is nothing worth sending, so the choice is cleared.
          if (e.id) attach(e.id);
          else input.value = "";
        } else status.textContent = t("upload.gaveUp");
      },
    );
    running.set(input, { stop, done });
    void done.finally(() => {
      if (running.get(input)?.stop === stop) running.delete(input);
    });
  };

  // A submit while pieces are still on their way waits for them, then goes on by itself.
  const onSubmit = (e: SubmitEvent) => {
    if (!running.size) return;
    e.preventDefault();
    e.stopImmediatePropagation(); // keep it from Remix's handler too
    if (resubmitting) return;
    resubmitting = true;
    for (const input of running.keys()) statusOf(input).append(` ${t("upload.waiting")}`);
    const submitter = e.submitter && form.contains(e.submitter) ? e.submitter : null;
    void Promise.allSettled([...running.values()].map((r) => r.done)).then(() => {
      resubmitting = false;
      if (!form.isConnected) return;
      if (form.requestSubmit) form.requestSubmit(submitter);
      else if (submitter) submitter.click();
      else form.submit();
    });
  };

  form.addEventListener("change", onChange);
  form.addEventListener("submit", onSubmit);
  return () => {
    form.removeEventListener("change", onChange);
    form.removeEventListener("submit", onSubmit);
    for (const r of running.values()) r.stop.abort();
    running.clear();
  };
}
