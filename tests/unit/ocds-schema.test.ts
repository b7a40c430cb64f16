// OCDS schema validation: the shipped official schemas, merged with the extensions by
// JSON Merge Patch, validate offline and catch a broken document with readable errors.
import { describe, expect, it } from "vitest";
import { ocdsAmount } from "~/models/ocds.server";
import { mergedReleaseSchema, mergePatch, validateOcds } from "~/ocds/validate.server";

const release = {
  ocid: "ocds-cyz000-2f0a6c1e-0000-4000-8000-000000000001",
  id: "ocds-cyz000-2f0a6c1e-0000-4000-8000-000000000001-tender",
  date: "2026-11-20T02:00:00.000Z",
  tag: ["tender"],
  initiationType: "tender",
  language: "zh",
  parties: [{ id: "v1", name: "青山村", roles: ["buyer", "procuringEntity"] }],
  buyer: { id: "v1", name: "青山村" },
  tender: { id: "t1", title: "村道硬化", status: "active", value: ocdsAmount(20_000_000), procurementMethod: "open", mainProcurementCategory: "works" },
  bids: {
    statistics: [{ id: "bids", measure: "bids", value: 3 }],
    details: [{ id: "b1", status: "valid", value: ocdsAmount(18_000_000), tenderers: [{ id: "CN-USCI-91330000MA0000000X", name: "某建设公司" }], hasRank: true, rank: 1 }],
  },
  contracts: [{ id: "c1", awardID: "a1", status: "terminated", implementation: { finalValue: ocdsAmount(17_950_050), endDate: "2027-01-05T00:00:00+08:00" } }],
};

const releasePackage = {
  uri: "http://localhost:3000/open-data/projects/p1.json",
  version: "1.1",
  publishedDate: "2026-11-20T02:00:00.000Z",
  publisher: { name: "村易招 · 青山县" },
  releases: [release],
};

const clone = <T>(x: T): T => structuredClone(x);

describe("JSON Merge Patch (RFC 7386)", () => {
  it("merges objects, removes keys patched with null, replaces arrays and scalars", () => {
    // Examples from RFC 7386 Appendix A.
    expect(mergePatch({ a: "b" }, { a: "c" })).toEqual({ a: "c" });
    expect(mergePatch({ a: "b" }, { b: "c" })).toEqual({ a: "b", b: "c" });
    expect(mergePatch({ a: "b" }, { a: null })).toEqual({});
    expect(mergePatch({ a: ["b"] }, { a: "c" })).toEqual({ a: "c" });
    expect(mergePatch({ a: { b: "c" } }, { a: { b: "d", c: null } })).toEqual({ a: { b: "d" } });
    expect(mergePatch({ a: [{ b: "c" }] }, { a: [1] })).toEqual({ a: [1] });
    expect(mergePatch(["a", "b"], ["c", "d"])).toEqual(["c", "d"]);
    expect(mergePatch({ a: "foo" }, null)).toBeNull();
    expect(mergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(mergePatch([1, 2], { a: "b", c: null })).toEqual({ a: "b" });
  });

  it("adds the extensions to the core release schema without touching the core's own fields", () => {
    const s = mergedReleaseSchema() as any;
    expect(s.id).toBe("https://standard.open-contracting.org/schema/1__1__5/release-schema.json");
    expect(s.properties.bids.properties.details.items.$ref).toBe("#/definitions/Bid");
    expect(s.definitions.Award.properties.relatedBids).toBeDefined();
    expect(s.definitions.Award.properties.value).toBeDefined(); // merged into, not replaced
    expect(s.definitions.Implementation.properties.finalValue.$ref).toBe("#/definitions/Value");
    expect(s.definitions.Implementation.properties.transactions).toBeDefined();
  });
});

describe("OCDS schema validation", () => {
  it("accepts a well-formed release package, offline", () => {
    const r = validateOcds("releasePackage", releasePackage);
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
    expect(validateOcds("release", release).valid).toBe(true);
  });

  it("catches a broken document and says where and what, in readable lines", () => {
    const broken = clone(releasePackage) as any;
    delete broken.version;
    broken.publishedDate = "20 November 2026";
    broken.releases[0].tender.status = "open-for-bids";
    broken.releases[0].tender.value.amount = "200000.00";
    broken.releases[0].bids.details[0].status = "winner"; // the bids extension's closed codelist
    broken.releases[0].contracts[0].implementation.finalValue.currency = "RMB"; // the completion extension's Value
    const r = validateOcds("releasePackage", broken);
    expect(r.valid).toBe(false);
    const text = r.errors.join("\n");
    expect(text).toMatch(/^\/: must have required property 'version'$/m);
    expect(text).toMatch(/^\/publishedDate: must match format "date-time"$/m);
    expect(text).toMatch(/^\/releases\/0\/tender\/status: must be equal to one of the allowed values \(.*"active".*\)$/m);
    expect(text).toMatch(/^\/releases\/0\/tender\/value\/amount: must be number,null$/m);
    expect(text).toMatch(/^\/releases\/0\/bids\/details\/0\/status: must be equal to one of the allowed values/m);
    expect(text).toMatch(/^\/releases\/0\/contracts\/0\/implementation\/finalValue\/currency: must be equal to one of the allowed values/m);
  });

  it("requires what OCDS requires of a release and of a record package", () => {
    const noOcid = clone(release) as any;
    delete noOcid.ocid;
    expect(validateOcds("release", noOcid).errors).toContain("/: must have required property 'ocid'");
    const emptyFeed = { uri: "http://localhost:3000/open-data/county/c.json", version: "1.1", publishedDate: "2026-11-20T02:00:00Z", publisher: { name: "x" }, records: [] };
    expect(validateOcds("recordPackage", emptyFeed).errors).toContain("/records: must NOT have fewer than 1 items");
    const record = {
      ...emptyFeed,
      records: [
        { ocid: release.ocid, releases: [{ url: `${releasePackage.uri}#${release.id}`, date: release.date, tag: ["tender"] }], compiledRelease: { ...release, tag: ["compiled"] } },
      ],
    };
    expect(validateOcds("recordPackage", record).errors).toEqual([]);
  });
});

describe("money in OCDS", () => {
  it("is yuan as a JSON number with at most two decimals, from integer fen", () => {
    for (const fen of [1, 10, 99, 100, 12_345, 18_000_000, 17_950_050, 123_456_789, 999_999_999_999]) {
      const { amount, currency } = ocdsAmount(fen);
      expect(currency).toBe("CNY");
      const text = JSON.stringify(amount);
      expect(text).toMatch(/^\d+(\.\d{1,2})?$/);
      expect(Math.round(Number(text) * 100)).toBe(fen);
    }
    expect(JSON.stringify(ocdsAmount(17_950_050))).toBe('{"amount":179500.5,"currency":"CNY"}');
  });
});
