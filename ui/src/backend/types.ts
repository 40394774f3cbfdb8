// The JSON the Rust backend sends and accepts, one schema per Rust type (named alike).
// `types.test.ts` checks each against samples serialized by the Rust side
// (src-tauri/src/fixtures.rs), so a change on either side fails a test until both agree.

import { arr, bool, int, json, lit, nullable, num, obj, str, tagged, type Infer } from "./schema";

export const Priority = lit("urgent", "high", "normal", "low");
export type Priority = Infer<typeof Priority>;
export const PRIORITIES: readonly Priority[] = ["urgent", "high", "normal", "low"];

export const MessageState = lit("queued", "in_flight", "delivered", "failed", "cancelled", "needs_review");
export type MessageState = Infer<typeof MessageState>;
export const MESSAGE_STATES: readonly MessageState[] = [
  "queued",
  "in_flight",
  "delivered",
  "failed",
  "cancelled",
  "needs_review",
];

export const InputMode = lit("paste", "type");
export type InputMode = Infer<typeof InputMode>;
export const ClearMethod = lit("none", "select-all", "kill-line");
export type ClearMethod = Infer<typeof ClearMethod>;
export const Phase = lit("claimed", "locating", "clicking", "clearing", "entering", "submitting", "done");
export const AttemptOutcome = lit("delivered", "failed", "interrupted");

export const Point = obj({ x: int, y: int });
export type Point = Infer<typeof Point>;

export const Message = obj({
  id: int,
  sender: str,
  agent_id: nullable(int),
  recipient: str,
  body: str,
  priority: Priority,
  tags: arr(str),
  reply_to: nullable(int),
  broadcast_id: nullable(int),
  state: MessageState,
  attempts: int,
  next_attempt_at: int,
  last_error_code: nullable(str),
  last_error: nullable(str),
  created_at: int,
  updated_at: int,
  delivered_at: nullable(int),
});
export type Message = Infer<typeof Message>;

export const Attempt = obj({
  id: int,
  message_id: int,
  engine_id: int,
  started_at: int,
  finished_at: nullable(int),
  duration_ms: nullable(int),
  phase: Phase,
  outcome: nullable(AttemptOutcome),
  error_code: nullable(str),
  detail: nullable(str),
  retryable: nullable(bool),
});
export type Attempt = Infer<typeof Attempt>;

export const Event = obj({
  id: int,
  at: int,
  actor: str,
  kind: str,
  message_id: nullable(int),
  agent_id: nullable(int),
  detail: nullable(str),
});
export type Event = Infer<typeof Event>;

export const MessageDetail = obj({ message: Message, attempts: arr(Attempt), events: arr(Event) });
export type MessageDetail = Infer<typeof MessageDetail>;

export const StateCount = obj({ state: MessageState, count: int });
export const Stats = obj({
  by_state: arr(StateCount),
  delivered_last_hour: int,
  failed_attempts_last_hour: int,
  avg_delivery_ms: nullable(num),
  max_delivery_ms: nullable(int),
  agents: int,
  agents_enabled: int,
});
export type Stats = Infer<typeof Stats>;

export const TimelineBucket = obj({ start: int, delivered: int, failed: int });
export type TimelineBucket = Infer<typeof TimelineBucket>;

export const Dashboard = obj({ stats: Stats, timeline: arr(TimelineBucket), bucket_ms: int });
export type Dashboard = Infer<typeof Dashboard>;

export const SettingInfo = obj({ key: str, value: json, default: json, help: str });
export type SettingInfo = Infer<typeof SettingInfo>;

export const Pause = obj({ by: str, at: int, reason: str });
export type Pause = Infer<typeof Pause>;

export const LastDelivery = obj({ message_id: int, state: MessageState, at: int });
export type LastDelivery = Infer<typeof LastDelivery>;

export const InputView = obj({
  mode: InputMode,
  paste_key: str,
  submit_key: str,
  newline_key: str,
  clear: ClearMethod,
});
export type InputView = Infer<typeof InputView>;

/** A window recorded under an agent's point: X11 id, WM_CLASS class, title, pid, when. */
export const SeenWindow = obj({ id: int, class: str, title: str, pid: nullable(int), at: int });
export type SeenWindow = Infer<typeof SeenWindow>;

/** Which windows deliveries may go into: class/title patterns, none checked (`any`), and the
 * window recorded under the point (used when there are no patterns). */
export const WindowRule = obj({ class: nullable(str), title: nullable(str), any: bool, seen: nullable(SeenWindow) });
export type WindowRule = Infer<typeof WindowRule>;

/** The pointer's position and the window under it, read together. */
export const CapturedPoint = obj({ x: int, y: int, window: nullable(SeenWindow) });
export type CapturedPoint = Infer<typeof CapturedPoint>;

export const AgentView = obj({
  id: int,
  name: str,
  team: nullable(str),
  role: nullable(str),
  enabled: bool,
  x: int,
  y: int,
  input: InputView,
  max_attempts: nullable(int),
  window: WindowRule,
  min_gap_ms: nullable(int),
  strip_control: bool,
  created_at: int,
  updated_at: int,
  queued: int,
  last: nullable(LastDelivery),
});
export type AgentView = Infer<typeof AgentView>;

export const AgentInput = obj({
  name: str,
  team: nullable(str),
  role: nullable(str),
  enabled: bool,
  x: int,
  y: int,
  input: InputView,
  max_attempts: nullable(int),
  window_class: nullable(str),
  window_title: nullable(str),
  any_window: bool,
  min_gap_ms: nullable(int),
  strip_control: bool,
  seen: nullable(SeenWindow),
});
export type AgentInput = Infer<typeof AgentInput>;

export const RemoveReport = obj({ name: str, cancelled: int });
export type RemoveReport = Infer<typeof RemoveReport>;

export const Recipients = tagged("kind", {
  agents: { names: arr(str) },
  team: { team: str },
  all: {},
});
export type Recipients = Infer<typeof Recipients>;

export const Compose = obj({
  to: Recipients,
  sender: str,
  body: str,
  priority: Priority,
  tags: arr(str),
  reply_to: nullable(int),
});
export type Compose = Infer<typeof Compose>;

export const HistoryFilter = obj({
  agent: nullable(str),
  state: nullable(MessageState),
  text: nullable(str),
  since: nullable(int),
  until: nullable(int),
  before_id: nullable(int),
  limit: int,
});
export type HistoryFilter = Infer<typeof HistoryFilter>;

export const HistoryPage = obj({ messages: arr(Message), next_before: nullable(int) });
export type HistoryPage = Infer<typeof HistoryPage>;

export const BatchFailure = obj({ id: int, code: str, message: str });
export const BatchReport = obj({ done: arr(int), failed: arr(BatchFailure) });
export type BatchReport = Infer<typeof BatchReport>;

export const ImportIssue = obj({ name: str, reason: str });
export const ImportReport = obj({ created: arr(str), skipped: arr(ImportIssue), invalid: arr(ImportIssue) });
export type ImportReport = Infer<typeof ImportReport>;

export const DatabaseStatus = tagged("state", {
  opening: {},
  ready: {},
  unavailable: { message: str, retry_in_ms: int },
});
export type DatabaseStatus = Infer<typeof DatabaseStatus>;

export const EngineStatus = tagged("state", {
  starting: {},
  waiting_for_display: { reason: str, retry_in_ms: int },
  idle: {},
  delivering: { message_id: int },
  waiting_for_idle: { message_id: int },
  paused: { by: str, reason: str },
  failed: { message: str, retry_in_ms: int },
  stopped: {},
});
export type EngineStatus = Infer<typeof EngineStatus>;

export const Status = obj({
  database: DatabaseStatus,
  engine: EngineStatus,
  display: nullable(str),
  paused: nullable(Pause),
});
export type Status = Infer<typeof Status>;

export const BotState = tagged("state", {
  disabled: { reason: str },
  connecting: {},
  connected: { user: str },
  reconnecting: { reason: str },
  wrong_token: { message: str },
  running_elsewhere: { message: str },
  stopped: {},
});
export type BotState = Infer<typeof BotState>;

export const BotStatus = obj({ connection: BotState, configured: bool });
export type BotStatus = Infer<typeof BotStatus>;

const Grants = obj({ users: arr(str), roles: arr(str) });

/** Discord ids are strings: JavaScript numbers cannot hold them. The token is masked. */
export const BotSettingsView = obj({
  token: nullable(str),
  guild_id: nullable(str),
  operators: Grants,
  viewers: Grants,
  channels: arr(str),
  prefix_commands: bool,
  notify_channel: nullable(str),
  api_base: nullable(str),
  token_from_env: bool,
  api_base_from_env: bool,
});
export type BotSettingsView = Infer<typeof BotSettingsView>;

export const BotSettingsEdit = obj({
  token: nullable(str),
  clear_token: bool,
  guild_id: nullable(str),
  operator_users: arr(str),
  operator_roles: arr(str),
  viewer_users: arr(str),
  viewer_roles: arr(str),
  channels: arr(str),
  prefix_commands: bool,
  notify_channel: nullable(str),
  api_base: nullable(str),
});
export type BotSettingsEdit = Infer<typeof BotSettingsEdit>;

export const BotSettingsSaved = obj({ settings: BotSettingsView, status: BotStatus, applied: str });
export type BotSettingsSaved = Infer<typeof BotSettingsSaved>;

export const COMMAND_OUTCOMES = ["succeeded", "refused", "failed"] as const;
export const CommandOutcome = lit(...COMMAND_OUTCOMES);
export type CommandOutcome = Infer<typeof CommandOutcome>;

export const DiscordCommand = obj({
  id: int,
  source_id: str,
  kind: lit("slash", "prefix"),
  user_id: str,
  user_name: str,
  guild_id: nullable(str),
  channel_id: str,
  command: str,
  arguments: json,
  received_at: int,
  outcome: CommandOutcome,
  duration_ms: int,
  reply: str,
  error: nullable(str),
  message_ids: arr(int),
});
export type DiscordCommand = Infer<typeof DiscordCommand>;

export const DiscordCommandFilter = obj({
  user: nullable(str),
  outcome: nullable(CommandOutcome),
  command: nullable(str),
  text: nullable(str),
  since: nullable(int),
  until: nullable(int),
  before_id: nullable(int),
  limit: int,
});
export type DiscordCommandFilter = Infer<typeof DiscordCommandFilter>;

export const DiscordCommandPage = obj({ commands: arr(DiscordCommand), next_before: nullable(int) });
export type DiscordCommandPage = Infer<typeof DiscordCommandPage>;

export const AppInfo = obj({
  version: str,
  database: str,
  database_source: lit("flag", "env", "default"),
  log_file: str,
});
export type AppInfo = Infer<typeof AppInfo>;

export const DbChanged = obj({ version: int });
export type DbChanged = Infer<typeof DbChanged>;

export const CommandError = obj({ code: str, message: str });
export type CommandError = Infer<typeof CommandError>;

/** Every schema by its Rust type's name: what the fixtures test walks. */
export const SCHEMAS = {
  Point,
  Message,
  Attempt,
  Event,
  MessageDetail,
  Stats,
  TimelineBucket,
  Dashboard,
  SettingInfo,
  Pause,
  LastDelivery,
  InputView,
  AgentView,
  AgentInput,
  CapturedPoint,
  RemoveReport,
  Recipients,
  Compose,
  HistoryFilter,
  HistoryPage,
  BatchReport,
  ImportReport,
  DatabaseStatus,
  EngineStatus,
  Status,
  BotState,
  BotStatus,
  BotSettingsView,
  BotSettingsEdit,
  BotSettingsSaved,
  CommandOutcome,
  DiscordCommand,
  DiscordCommandFilter,
  DiscordCommandPage,
  AppInfo,
  DbChanged,
  CommandError,
  Priority,
  MessageState,
} as const;
