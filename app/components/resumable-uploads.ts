/**
 * Ref for a `<Form data-resumable>`: on pages that have such a form, and only
 * there, the browser loads the small chunked-upload script
 * (resumable-uploads.client.ts) and lets it take over the form's file inputs.
 * The server never runs this (refs are not called while rendering to HTML),
 * and without JavaScript the form sends its files itself.
 */
const attached = new Map<HTMLFormElement, () => void>();

export function resumableUploads(form: HTMLFormElement | null) {
  if (form) {
    if (attached.has(form)) return;
    let stop: (() => void) | null = null;
    let gone = false;
    attached.set(form, () => {
      gone = true;
      stop?.();
    });
    void import("./resumable-uploads.client").then((m) => {
      if (!gone) stop = m.enhance(form);
    });
    return;
  }
  // React detaches the ref before it removes the form: look once the page has settled.
  setTimeout(() => {
    for (const [f, detach] of attached) {
      if (f.isConnected) continue;
      detach();
      attached.delete(f);
    }
  }, 0);
}
