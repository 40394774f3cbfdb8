// The bot's state in words: a label, a tone, what it means and what to do about it. Used by the
// Discord screen, the dashboard's card and the settings screen.

import type { BotStatus } from "../backend/types";
import type { Tone } from "../app/statusView";

export interface BotView {
  tone: Tone;
  label: string;
  /** What the state means and, when something is wrong, what to do next. */
  explanation: string;
  /** The bot runs (or is trying to): Disconnect stops it. */
  running: boolean;
  /** Connect can start it (a token is set and it does not run). */
  canConnect: boolean;
}

export const PORTAL_STEPS =
  "In Discord's Developer Portal open Applications > your app > Bot, press Reset Token and copy the token";

export function botView(status: BotStatus): BotView {
  const c = status.connection;
  const stopped = { running: false, canConnect: status.configured };
  switch (c.state) {
    case "connecting":
      return {
        tone: "busy",
        label: "Connecting to Discord…",
        explanation: "Checking the token and opening the connection.",
        running: true,
        canConnect: false,
      };
    case "connected":
      return {
        tone: "ok",
        label: `Connected as ${c.user}`,
        explanation: "Commands from the people on its allow-lists are taken now, and each one is logged with its outcome.",
        running: true,
        canConnect: false,
      };
    case "reconnecting":
      return {
        tone: "warn",
        label: "Reconnecting",
        explanation: `${c.reason}. The bot keeps retrying by itself (at most a minute apart); deliveries go on meanwhile.`,
        running: true,
        canConnect: false,
      };
    case "wrong_token":
      return {
        tone: "error",
        label: "Wrong token",
        explanation: `Discord refused the bot's token: it was reset or mistyped. ${PORTAL_STEPS}, paste it into Token below and save: the bot connects with it at once.`,
        ...stopped,
      };
    case "running_elsewhere":
      return {
        tone: "warn",
        label: "Running in another process",
        explanation: `${c.message}. Once that one has stopped, Connect starts the bot here.`,
        ...stopped,
      };
    case "stopped":
      return {
        tone: "idle",
        label: "Disconnected",
        explanation: "You disconnected the bot. Connect starts it again; it also starts with the app next time.",
        ...stopped,
      };
    case "disabled":
      if (!status.configured) {
        return {
          tone: "idle",
          label: "Off: no token",
          explanation:
            "Create an application with a bot in Discord's Developer Portal, invite it to your server (scopes bot and applications.commands), " +
            "copy its token (Bot > Reset Token) and paste it into Token below. Once saved, the bot connects, and starts with the app from then on.",
          ...stopped,
        };
      }
      return {
        tone: "error",
        label: "Off",
        explanation: `${c.reason}. Fix the settings below and save, or Connect to try again.`,
        ...stopped,
      };
  }
}
