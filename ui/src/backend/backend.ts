// The one interface between the UI and the Rust backend. Screens receive a `Backend` and
// never name a command or an event themselves: `tauri.ts` implements it over Tauri's IPC,
// `mock.ts` in memory for the UI's tests.

import type {
  AgentInput,
  AgentView,
  AppInfo,
  BatchReport,
  CapturedPoint,
  BotSettingsEdit,
  BotSettingsSaved,
  BotSettingsView,
  BotStatus,
  Compose,
  Dashboard,
  DbChanged,
  DiscordCommandFilter,
  DiscordCommandPage,
  HistoryFilter,
  HistoryPage,
  ImportReport,
  Message,
  MessageDetail,
  Pause,
  Point,
  Priority,
  RemoveReport,
  SettingInfo,
  Status,
} from "./types";

export type Unsubscribe = () => void;

export interface Backend {
  appInfo(): Promise<AppInfo>;
  status(): Promise<Status>;
  dashboard(): Promise<Dashboard>;
  /** The Discord bot running inside the app; changes arrive through `onBot`. */
  botStatus(): Promise<BotStatus>;
  /** Tells the backend the first screen is interactive (start-up time measurement). */
  uiReady(): Promise<number>;

  agents(): Promise<AgentView[]>;
  addAgent(agent: AgentInput): Promise<AgentView>;
  /** `name` is the agent's current name; every field of `agent` is written. */
  editAgent(name: string, agent: AgentInput): Promise<AgentView>;
  setAgentEnabled(name: string, enabled: boolean): Promise<AgentView>;
  removeAgent(name: string, force: boolean): Promise<RemoveReport>;
  testAgent(name: string): Promise<Message>;
  importAgents(json: string): Promise<ImportReport>;
  pointerPosition(): Promise<CapturedPoint>;
  capturePosition(name: string): Promise<AgentView>;
  showPosition(name: string): Promise<Point>;

  send(message: Compose): Promise<Message[]>;
  queue(): Promise<Message[]>;
  retry(ids: number[]): Promise<BatchReport>;
  cancel(ids: number[]): Promise<BatchReport>;
  setPriority(id: number, priority: Priority): Promise<Message>;
  history(filter: HistoryFilter): Promise<HistoryPage>;
  messageDetail(id: number): Promise<MessageDetail>;

  settings(): Promise<SettingInfo[]>;
  setSetting(key: string, value: string): Promise<SettingInfo[]>;
  pause(reason: string): Promise<Pause>;
  resume(): Promise<boolean>;

  /** Connect the bot; without a token this fails with DISCORD_NO_TOKEN. */
  startBot(): Promise<BotStatus>;
  stopBot(): Promise<BotStatus>;
  botSettings(): Promise<BotSettingsView>;
  /** Saves, then restarts or starts the bot when the change needs it. */
  saveBotSettings(edit: BotSettingsEdit): Promise<BotSettingsSaved>;
  discordCommands(filter: DiscordCommandFilter): Promise<DiscordCommandPage>;

  /** The status bar's state, on every change. */
  onStatus(listener: (status: Status) => void): Unsubscribe;
  /** Something was committed to the database (by this app or another process). */
  onDbChanged(listener: (change: DbChanged) => void): Unsubscribe;
  /** The live queue, whenever it changed. */
  onQueue(listener: (queue: Message[]) => void): Unsubscribe;
  /** The Discord bot's status, whenever it changed. */
  onBot(listener: (status: BotStatus) => void): Unsubscribe;
}
