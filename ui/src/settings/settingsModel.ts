// How the settings screen names and shows delivery settings.

import type { AppInfo, SettingInfo } from "../backend/types";

/** "click_settle_ms" -> "Click settle (ms)". */
export function settingTitle(key: string): string {
  const unit = key.endsWith("_ms") ? " (ms)" : key.endsWith("_chars") ? " (characters)" : "";
  const words = key.replace(/_(ms|chars)$/, "").split("_").join(" ");
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${unit}`;
}

export function formatValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function isChanged(s: SettingInfo): boolean {
  return JSON.stringify(s.value) !== JSON.stringify(s.default);
}

/** How to point the app at another database, given where this one came from. */
export function databaseHelp(info: AppInfo): string {
  const how = "start the app with --db PATH, or set SWITCHBOARD_DB=PATH before starting it; the switchboard command line takes the same option, so both work on the same file";
  switch (info.database_source) {
    case "flag":
      return `Chosen with --db when the app was started. To use another file, ${how}.`;
    case "env":
      return `Chosen with SWITCHBOARD_DB. To use another file, ${how}.`;
    case "default":
      return `The default location. To use another file, ${how}.`;
  }
}
