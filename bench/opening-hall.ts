// npm run bench:hall — how fast an event in the opening hall reaches every connected client.
// Usage: tsx bench/opening-hall.ts [clients=500] [events=20]
// One app instance (in this process) on an in-memory PGlite database seeded with the demo
// county; a tender of 青山村; `clients` HTTP clients hold the hall's server-sent event
// stream open (the real route, as the township supervisor). Each event is written in a
// transaction (NOTIFY on commit); its latency to a client is from just before the write
// to the moment that client has parsed it. Prints p50/p99/max over every (event, client).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { openPglite } from "../db/client";
import { SYSTEM_ACTOR } from "../app/models/audit.server";
import { seedDemo } from "../app/demo/demo.server";
import { appendHallEvent } from "../app/models/hall-events.server";
import * as eventsRoute from "../app/routes/notices.$id_.hall_.events";
import { cookieFor, makeContext } from "../tests/helpers/app";
import { tenderFields, tenderKit } from "../tests/helpers/tenders";

const CLIENTS = Number(process.argv[2] ?? 500);
const EVENTS = Number(process.argv[3] ?? 20);

const database = await openPglite("memory://");
const ctx = makeContext(database);
await seedDemo(database.db, ctx.clock, ctx.files);
const kit = await tenderKit(database, ctx);
const projectId = await kit.approvedProject("开标大厅基准测试", 20_000_000);
await kit.publish(projectId, tenderFields({ deadline: "2026-11-26T10:00", bidSecurity: "3000" }), await cookieFor(ctx, "13900000003"));
const tender = await kit.tenderOf(projectId);
// 青山镇 supervisor watches read-only; each client is its own session from its own address (the hall allows few streams per session and per address).
const cookies: string[] = [];
for (let i = 0; i < CLIENTS; i++) cookies.push(await cookieFor(ctx, "13900000002"));
const [project] = await database.query<{ county_id: string; township_id: string }>("select county_id, township_id from projects where id = $1", [projectId]);

// The app: the hall's event route behind a plain HTTP server.
const server = http.createServer((req, res) => {
  // node:http does not wait for a promise: the handler runs on its own and answers every request itself.
  void (async () => {
    const abort = new AbortController();
    req.on("close", () => abort.abort());
    const client = Number(req.headers["x-client"] ?? 0);
    const request = new Request(`http://localhost${req.url}`, { headers: { Cookie: cookies[client] }, signal: abort.signal });
    const response = (await eventsRoute.loader({
      request,
      context: { ...ctx, ip: `10.${client >> 16}.${(client >> 8) & 255}.${client & 255}` },
      params: { id: tender.id },
    } as never)) as Response;
    res.writeHead(response.status, Object.fromEntries(response.headers));
    const reader = response.body!.getReader();
    req.on("close", () => void reader.cancel().catch(() => {}));
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      res.write(value);
    }
    res.end();
  })();
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as AddressInfo).port;

// The clients.
const received = new Map<number, number[]>(); // event id → receive times
let connected = 0;
const requests: http.ClientRequest[] = [];
await new Promise<void>((allConnected) => {
  for (let i = 0; i < CLIENTS; i++) {
    const req = http.get({ host: "127.0.0.1", port, path: `/notices/${tender.id}/hall/events`, headers: { "X-Client": String(i) }, agent: false }, (res) => {
      let buf = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buf += chunk;
        const blocks = buf.split("\n\n");
        buf = blocks.pop()!;
        for (const b of blocks) {
          if (b.startsWith("retry:") && ++connected === CLIENTS) allConnected();
          const line = b.split("\n").find((l) => l.startsWith("data: "));
          if (!line) continue;
          const id = (JSON.parse(line.slice(6)) as { id: number }).id;
          const at = performance.now();
          (received.get(id) ?? received.set(id, []).get(id)!).push(at);
        }
      });
    });
    req.on("error", () => {});
    requests.push(req);
  }
});

const latencies: number[] = [];
const rssBefore = process.memoryUsage().rss;
for (let e = 0; e < EVENTS; e++) {
  const t0 = performance.now();
  const row = await database.db.transaction((tx) =>
    appendHallEvent(tx, ctx.clock, SYSTEM_ACTOR, {
      tenderId: tender.id,
      kind: "incident",
      payload: { detail: `bench ${e}` },
      countyId: project.county_id,
      townshipId: project.township_id,
    }),
  );
  const deadline = performance.now() + 10_000;
  while ((received.get(row.id)?.length ?? 0) < CLIENTS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  const times = received.get(row.id) ?? [];
  for (const t of times) latencies.push(t - t0);
  if (times.length < CLIENTS) console.error(`event ${e}: only ${times.length}/${CLIENTS} clients got it within 10 s`);
  await new Promise((r) => setTimeout(r, 50));
}
latencies.sort((x, y) => x - y);
const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 10) / 10;
console.log(
  JSON.stringify({
    clients: CLIENTS,
    events: EVENTS,
    deliveries: latencies.length,
    p50Ms: pct(50),
    p99Ms: pct(99),
    maxMs: Math.round(latencies.at(-1)! * 10) / 10,
    rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    rssGrowthMb: Math.round((process.memoryUsage().rss - rssBefore) / 1024 / 1024),
  }),
);
for (const r of requests) r.destroy();
server.close();
await database.close();
process.exit(0);
