import { describe, expect, it } from "vitest";
import { countySettingsSchema, DEFAULT_COUNTY_SETTINGS, SETTING_DEFS, settingToInput, type SettingDef } from "~/models/county-settings";
import { parseSettingsForm } from "~/models/county-settings.server";

function formFrom(overrides: Record<string, string> = {}): FormData {
  const f = new FormData();
  for (const d of SETTING_DEFS as readonly SettingDef[]) {
    const v = settingToInput(d, DEFAULT_COUNTY_SETTINGS[d.key as keyof typeof DEFAULT_COUNTY_SETTINGS]);
    if (d.unit !== "boolean" || v) f.set(d.key, v);
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === "") f.delete(k);
    else f.set(k, v);
  }
  return f;
}

describe("county settings", () => {
  it("defaults to DOMAIN.md's numbers", () => {
    expect(DEFAULT_COUNTY_SETTINGS.mandatoryThresholdWorksFen).toBe(4_000_000_00);
    expect(DEFAULT_COUNTY_SETTINGS.mandatoryThresholdGoodsFen).toBe(2_000_000_00);
    expect(DEFAULT_COUNTY_SETTINGS.mandatoryThresholdServicesFen).toBe(1_000_000_00);
    expect(DEFAULT_COUNTY_SETTINGS.minValidBids).toBe(3);
    expect(DEFAULT_COUNTY_SETTINGS.bidSecurityMaxBasisPoints).toBe(200);
    expect(DEFAULT_COUNTY_SETTINGS.publicityMinDays).toBe(3);
    expect(DEFAULT_COUNTY_SETTINGS.villagersMeetingQuorum).toBe("2/3");
    expect(DEFAULT_COUNTY_SETTINGS.archiveRetentionYears).toBe(15);
    expect(DEFAULT_COUNTY_SETTINGS.complaintDecideWorkingDays).toBe(30);
    expect(DEFAULT_COUNTY_SETTINGS.priceClusterBasisPoints).toBe(200);
  });

  it("reads the admin form back into the same values", () => {
    const r = parseSettingsForm(formFrom());
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(DEFAULT_COUNTY_SETTINGS);
  });

  it("takes yuan and percent as typed and stores fen and basis points", () => {
    const r = parseSettingsForm(formFrom({ directAwardBelowFen: "80,000.50", bidSecurityMaxBasisPoints: "1.5%", registrationStepRequired: "on" }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.directAwardBelowFen).toBe(8_000_050);
      expect(r.value.bidSecurityMaxBasisPoints).toBe(150);
      expect(r.value.registrationStepRequired).toBe(true);
    }
  });

  it("names each bad field with a translatable reason", () => {
    const r = parseSettingsForm(formFrom({ minValidBids: "two", publicityMinDays: "1", villagersMeetingQuorum: "3/2", panelSizeSmall: "4", mandatoryThresholdWorksFen: "abc" }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.minValidBids).toBe("errors.settings.integer");
      expect(r.errors.publicityMinDays).toBe("errors.settings.range");
      expect(r.errors.villagersMeetingQuorum).toBe("errors.settings.ratio");
      expect(r.errors.mandatoryThresholdWorksFen).toBe("errors.settings.number");
    }
  });

  it("treats an empty or missing field as an error, never a crash", () => {
    const r = parseSettingsForm(formFrom({ villagersMeetingQuorum: "", minValidBids: "" }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.villagersMeetingQuorum).toBe("errors.settings.ratio");
      expect(r.errors.minValidBids).toBe("errors.settings.integer");
    }
    expect(parseSettingsForm(new FormData()).ok).toBe(false);
  });

  it("checks rules that span fields", () => {
    const bands = parseSettingsForm(formFrom({ openSelectionUpToFen: "50000", directAwardBelowFen: "100000" }));
    expect(!bands.ok && bands.errors.openSelectionUpToFen).toBe("errors.settings.bandOrder");
    const odd = parseSettingsForm(formFrom({ panelSizeSmall: "4" }));
    expect(!odd.ok && odd.errors.panelSizeSmall).toBe("errors.settings.odd");
    const notice = parseSettingsForm(formFrom({ minAnnouncementDays: "25" }));
    expect(!notice.ok && notice.errors.minAnnouncementDaysMandatory).toBe("errors.settings.mandatoryLonger");
  });

  it("fills a key added in a later release with its default", () => {
    const { minValidBids: _drop, ...older } = DEFAULT_COUNTY_SETTINGS;
    expect(countySettingsSchema.parse(older).minValidBids).toBe(3);
  });
});
