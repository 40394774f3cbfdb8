// Settings: delivery settings (stored in the database, shared with the CLI and every
// engine), where the database is and how to change it, and the Discord bot.

import { useState } from "preact/hooks";

import type { SettingInfo } from "../backend/types";
import { BackendError } from "../backend/errors";
import { useBackend } from "../shared/context";
import { useAction, useLive } from "../shared/hooks";
import { ErrorBox, ScreenHeader } from "../shared/ui";
import { href } from "../app/router";
import { botView } from "../discord/botView";
import { useBot } from "../discord/useBot";
import { databaseHelp, formatValue, isChanged, settingTitle } from "./settingsModel";

export function Settings() {
  const backend = useBackend();
  const settings = useLive(() => backend.settings(), []);
  const info = useLive(() => backend.appInfo(), [], false);
  const bot = useBot();
  return (
    <section>
      <ScreenHeader title="Settings" />
      <h3>Delivery</h3>
      <p class="muted">
        Stored in the database: the command line (<code>switchboard config</code>) and every engine on it use the same values.
      </p>
      <ErrorBox error={settings.error} />
      {settings.data && (
        <table class="table settings" data-testid="settings-table">
          <thead>
            <tr>
              <th>Setting</th>
              <th>Value</th>
              <th>Default</th>
              <th>Meaning</th>
            </tr>
          </thead>
          <tbody>
            {settings.data.map((s) => (
              <SettingRow key={s.key} setting={s} />
            ))}
          </tbody>
        </table>
      )}
      <h3>Database</h3>
      {info.data && (
        <dl class="facts">
          <dt>File</dt>
          <dd>
            <code data-testid="database-path">{info.data.database}</code>
          </dd>
          <dt>Log file</dt>
          <dd>
            <code>{info.data.log_file}</code>
          </dd>
          <dt>Change it</dt>
          <dd>{databaseHelp(info.data)}</dd>
        </dl>
      )}
      <h3>Discord bot</h3>
      <p data-testid="bot-settings">
        {bot.status && <span class={`tone-${botView(bot.status).tone}`}>{botView(bot.status).label}. </span>}
        The bot runs inside this app and starts with it once a token is set. Its token, server, who may use it and its notification
        channel are set on the{" "}
        <a href={href("discord", null, { section: "settings" })} data-testid="bot-settings-link">
          Discord screen's settings
        </a>
        ; the command line's <code>switchboard bot config</code> changes the same settings.
      </p>
      <h3>Appearance</h3>
      <p class="muted">Light and dark follow your system's setting. The window remembers its size and position.</p>
      {info.data && <p class="muted">Switchboard {info.data.version}</p>}
    </section>
  );
}

function SettingRow({ setting }: { setting: SettingInfo }) {
  const backend = useBackend();
  const [value, setValue] = useState(formatValue(setting.value));
  const [error, setError] = useState<BackendError | undefined>(undefined);
  const { busy, act } = useAction();
  const dirty = value !== formatValue(setting.value);
  const save = async (e: Event) => {
    e.preventDefault();
    const result = await act(() => backend.setSetting(setting.key, value), {
      inline: true,
      success: () => `${settingTitle(setting.key)} is now ${value}`,
    });
    setError(result.ok ? undefined : result.error);
  };
  return (
    <tr data-setting={setting.key}>
      <td class="strong">
        {settingTitle(setting.key)}
        {isChanged(setting) && <span class="badge">changed</span>}
      </td>
      <td>
        <form class="inline" onSubmit={save}>
          <input aria-label={setting.key} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} size={8} />
          {dirty && (
            <>
              <button type="submit" class="primary" disabled={busy}>
                Save
              </button>
              <button type="button" onClick={() => (setValue(formatValue(setting.value)), setError(undefined))}>
                Undo
              </button>
            </>
          )}
        </form>
        <ErrorBox error={error} />
      </td>
      <td class="mono">{formatValue(setting.default)}</td>
      <td>{setting.help}</td>
    </tr>
  );
}
