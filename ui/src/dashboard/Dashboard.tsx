// The dashboard: what is waiting, how deliveries went in the last hour, the engine and the bot.

import type { Dashboard as DashboardData, Status } from "../backend/types";
import { href } from "../app/router";
import { statusView } from "../app/statusView";
import { type BotView, botView } from "../discord/botView";
import { useBot } from "../discord/useBot";
import { useBackend } from "../shared/context";
import { formatCount, formatDuration, formatTime, stateLabel } from "../shared/format";
import { useLive } from "../shared/hooks";
import { Empty, ErrorBox, ScreenHeader } from "../shared/ui";
import { stateSegments, timelineBars } from "./charts";

export function Dashboard({ status }: { status: Status | undefined }) {
  const backend = useBackend();
  // The counts read the whole messages table (about 45 ms at a million messages): at most
  // one reload a second while deliveries change it several times a second.
  const { data, error } = useLive(() => backend.dashboard(), [], true, 1000);
  const bot = useBot();
  return (
    <section>
      <ScreenHeader title="Dashboard" />
      <ErrorBox error={error} />
      {data && data.stats.agents === 0 && (
        <Empty title="Start here: register your first agent">
          <p>
            An agent is a window on screen (an IDE chat panel, a terminal) that Switchboard types into. Register one by the position of
            its input box, then send it a message.
          </p>
          <p>
            <a class="button primary" href={href("agents", null, { add: "1" })}>
              Add an agent
            </a>{" "}
            <a class="button" href={href("agents", null, { import: "1" })}>
              Import agents.json
            </a>
          </p>
        </Empty>
      )}
      {data && <Figures data={data} />}
      <div class="cards">
        <div class="card">
          <h3>Delivery engine</h3>
          {status ? <EngineCard status={status} /> : <p>…</p>}
        </div>
        <div class="card" data-testid="bot-card">
          <h3>Discord bot</h3>
          <ErrorBox error={bot.error} />
          {bot.status && <BotCard view={botView(bot.status)} />}
        </div>
      </div>
    </section>
  );
}

function BotCard({ view }: { view: BotView }) {
  return (
    <>
      <p class={`big-state tone-${view.tone}`} data-testid="bot-state">
        Discord bot: {view.label}
      </p>
      <p class="muted">{view.explanation}</p>
      <p>
        <a href={href("discord")}>Open the Discord screen</a>
      </p>
    </>
  );
}

function EngineCard({ status }: { status: Status }) {
  const view = statusView(status);
  return (
    <>
      <p class={`big-state tone-${view.tone}`}>{view.label}</p>
      {view.detail && <p class="muted">{view.detail}</p>}
      <dl>
        <dt>Display</dt>
        <dd>{status.display ?? "not connected"}</dd>
        {status.paused && (
          <>
            <dt>Paused</dt>
            <dd>
              by {status.paused.by} at {formatTime(status.paused.at)}: {status.paused.reason}
            </dd>
          </>
        )}
      </dl>
    </>
  );
}

function Figures({ data }: { data: DashboardData }) {
  const s = data.stats;
  const count = (state: string) => s.by_state.find((c) => c.state === state)?.count ?? 0;
  const segments = stateSegments(s.by_state);
  const { bars, max } = timelineBars(data.timeline);
  return (
    <>
      <div class="figures">
        <Figure label="Waiting" value={count("queued") + count("in_flight")} link={href("queue")} />
        <Figure label="Delivered in the last hour" value={s.delivered_last_hour} />
        <Figure label="Average delivery" value={s.avg_delivery_ms === null ? "—" : formatDuration(s.avg_delivery_ms)} />
        <Figure label="Slowest delivery" value={s.max_delivery_ms === null ? "—" : formatDuration(s.max_delivery_ms)} />
        <Figure label="Failed attempts (hour)" value={s.failed_attempts_last_hour} tone={s.failed_attempts_last_hour ? "warn" : undefined} />
        <Figure label="Dead letters" value={count("failed")} link={href("dead-letters")} tone={count("failed") ? "error" : undefined} />
        <Figure label="Need review" value={count("needs_review")} link={href("queue")} tone={count("needs_review") ? "warn" : undefined} />
        <Figure label="Agents enabled" value={`${s.agents_enabled} / ${s.agents}`} link={href("agents")} />
      </div>
      <div class="cards">
        <div class="card">
          <h3>Messages by state</h3>
          {segments.length === 0 ? (
            <p class="muted">No messages yet.</p>
          ) : (
            <>
              <div class="state-bar" role="img" aria-label="messages by state">
                {segments.map((seg) => (
                  <span key={seg.state} class={`fill-${seg.state}`} style={{ width: `${seg.width}%` }} title={`${stateLabel(seg.state)}: ${formatCount(seg.count)}`} />
                ))}
              </div>
              <ul class="legend">
                {s.by_state.map((c) => (
                  <li key={c.state}>
                    <span class={`swatch fill-${c.state}`} /> {stateLabel(c.state)} <strong>{formatCount(c.count)}</strong>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        <div class="card">
          <h3>Attempts in the last hour</h3>
          {max === 0 ? (
            <p class="muted">No attempts in the last hour.</p>
          ) : (
            <div class="timeline" role="img" aria-label="attempts per five minutes">
              <div class="chart-axis">
                <span>busiest five minutes: {max}</span>
                <span>
                  <span class="swatch fill-delivered" /> delivered <span class="swatch fill-failed" /> failed
                </span>
              </div>
              <div class="timeline-bars">
                {bars.map((b) => (
                  <div key={b.start} class="timeline-bar" title={`${formatTime(b.start)}: ${b.delivered} delivered, ${b.failed} failed`}>
                    <span class="fill-failed" style={{ height: `${b.failedHeight}%` }} />
                    <span class="fill-delivered" style={{ height: `${b.deliveredHeight}%` }} />
                  </div>
                ))}
              </div>
              <div class="chart-axis">
                <span>{formatTime(data.timeline[0]?.start ?? 0).slice(0, 5)}</span>
                <span>now</span>
              </div>
            </div>
          )}
        </div>
      </div>
    </>
  );
}

function Figure({ label, value, link, tone }: { label: string; value: number | string; link?: string; tone?: "warn" | "error" | undefined }) {
  const body = (
    <>
      <span class="figure-value">{typeof value === "number" ? formatCount(value) : value}</span>
      <span class="figure-label">{label}</span>
    </>
  );
  return link ? (
    <a class={`figure ${tone ? `tone-${tone}` : ""}`} href={link}>
      {body}
    </a>
  ) : (
    <div class={`figure ${tone ? `tone-${tone}` : ""}`}>{body}</div>
  );
}
