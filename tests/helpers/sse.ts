// Reading the opening hall's server-sent events in tests.

/** Read a stream's events until `done` says so, the stream ends or breaks, or `ms` pass; then hang up. */
export async function readEvents(res: Response, done: (events: { id: number; kind: string }[]) => boolean, ms = 5000) {
  const reader = res.body!.getReader();
  const events: { id: number; kind: string }[] = [];
  let text = "";
  const until = Date.now() + ms;
  try {
    while (!done(events) && Date.now() < until) {
      const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), until - Date.now()))]);
      if (!next || next.done) break;
      text += new TextDecoder().decode(next.value);
      const blocks = text.split("\n\n");
      text = blocks.pop()!;
      for (const block of blocks) {
        const data = block.split("\n").find((l) => l.startsWith("data: "));
        if (data) events.push(JSON.parse(data.slice(6)));
      }
    }
  } catch {
    // The connection broke: what arrived before counts.
  }
  await reader.cancel().catch(() => undefined);
  return events;
}
