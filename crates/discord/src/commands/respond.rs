//! Running a command's action and answering it: inside Discord's 3-second window (deferring
//! when the action is slow), logged, and for commands that queue messages, edited later with
//! the delivery outcome.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::checks::Received;
use super::{CommandError, Context, Shared, no_mentions};
use crate::access::Caller;
use crate::actions::ActionResult;
use crate::journal::{Answer, Invocation, Kind, record};
use crate::outcome;
use crate::reply::fit;
use switchboard_core::store::CommandOutcome;

/// Where a sent reply lives, so it can be edited after the command returned.
#[derive(Clone)]
pub(super) enum ReplyTarget {
    /// The interaction's original response (edited through the interaction token, valid 15
    /// minutes).
    Interaction(Box<serenity::CommandInteraction>),
    Message {
        channel: serenity::ChannelId,
        message: serenity::MessageId,
    },
}

impl ReplyTarget {
    async fn edit(&self, http: &serenity::Http, text: &str) -> Result<(), serenity::Error> {
        match self {
            ReplyTarget::Interaction(i) => {
                let edit = serenity::EditInteractionResponse::new()
                    .content(text)
                    .allowed_mentions(no_mentions());
                i.edit_response(http, edit).await.map(drop)
            }
            ReplyTarget::Message { channel, message } => {
                let edit = serenity::EditMessage::new()
                    .content(text)
                    .allowed_mentions(no_mentions());
                channel.edit_message(http, *message, edit).await.map(drop)
            }
        }
    }
}

fn caller(ctx: Context<'_>) -> Caller {
    let roles = match ctx {
        poise::Context::Application(a) => a.interaction.member.as_ref().map(|m| m.roles.clone()),
        poise::Context::Prefix(p) => p.msg.member.as_ref().map(|m| m.roles.clone()),
    };
    Caller {
        user_id: ctx.author().id.get(),
        user_name: ctx.author().name.clone(),
        roles: roles
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.get())
            .collect(),
        guild_id: ctx.guild_id().map(|g| g.get()),
        channel_id: ctx.channel_id().get(),
    }
}

fn option_value(v: &serenity::CommandDataOptionValue) -> serde_json::Value {
    use serenity::CommandDataOptionValue as V;
    match v {
        V::String(s) => s.clone().into(),
        V::Integer(i) => (*i).into(),
        V::Number(n) => (*n).into(),
        V::Boolean(b) => (*b).into(),
        V::Autocomplete { value, .. } => value.clone().into(),
        other => format!("{other:?}").into(),
    }
}

/// The arguments as Discord delivered them: slash options by name, or a prefix command's text.
/// A choice (priority) arrives as its index and is logged by name.
fn arguments(ctx: Context<'_>) -> serde_json::Value {
    match ctx {
        poise::Context::Application(a) => a
            .interaction
            .data
            .options
            .iter()
            .map(|o| {
                let choice = ctx
                    .command()
                    .parameters
                    .iter()
                    .find(|p| p.name == o.name)
                    .zip(o.value.as_i64())
                    .and_then(|(p, i)| p.choices.get(usize::try_from(i).ok()?));
                let value = match choice {
                    Some(c) => c.name.to_string().into(),
                    None => option_value(&o.value),
                };
                (o.name.clone(), value)
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
        poise::Context::Prefix(p) => serde_json::json!({ "text": p.args }),
    }
}

pub(super) fn invocation(ctx: Context<'_>, received: Option<Received>) -> Invocation {
    let kind = match ctx {
        poise::Context::Application(_) => Kind::Slash,
        poise::Context::Prefix(_) => Kind::Prefix,
    };
    let source_id = match ctx {
        poise::Context::Application(a) => a.interaction.id.get(),
        poise::Context::Prefix(p) => p.msg.id.get(),
    };
    let mut inv = Invocation::now(
        source_id,
        kind,
        caller(ctx),
        &ctx.command().name,
        arguments(ctx),
    );
    if let Some(r) = received {
        inv.received_at = r.at_ms;
        inv.started = r.started;
    }
    inv
}

/// The caller as the plain actions see them.
pub(super) fn who(ctx: Context<'_>) -> Caller {
    caller(ctx)
}

/// Send `answer`. A slash command's reply is the interaction's response (private when
/// `answer.ephemeral`); after a defer, the deferred response is filled in. A prefix command
/// is answered in the channel, except a refusal, which goes to the caller's direct messages
/// when they accept them.
pub(super) async fn send_answer(
    ctx: Context<'_>,
    answer: &Answer,
    deferred: bool,
) -> Result<ReplyTarget, serenity::Error> {
    let http = &ctx.serenity_context().http;
    match ctx {
        poise::Context::Application(a) if deferred => {
            let edit = serenity::EditInteractionResponse::new()
                .content(&answer.text)
                .allowed_mentions(no_mentions());
            a.interaction.edit_response(http, edit).await?;
            Ok(ReplyTarget::Interaction(Box::new(a.interaction.clone())))
        }
        poise::Context::Application(a) => {
            let reply = poise::CreateReply::default()
                .content(&answer.text)
                .ephemeral(answer.ephemeral);
            ctx.send(reply).await?;
            Ok(ReplyTarget::Interaction(Box::new(a.interaction.clone())))
        }
        poise::Context::Prefix(p) => {
            if answer.outcome == CommandOutcome::Refused {
                let dm = serenity::CreateMessage::new()
                    .content(&answer.text)
                    .allowed_mentions(no_mentions());
                match p.msg.author.direct_message(ctx, dm).await {
                    Ok(m) => {
                        return Ok(ReplyTarget::Message {
                            channel: m.channel_id,
                            message: m.id,
                        });
                    }
                    Err(e) => {
                        tracing::info!("refusal not sent privately ({e}); answering in the channel")
                    }
                }
            }
            let reply = poise::CreateReply::default()
                .content(&answer.text)
                .reply(true);
            let m = ctx.send(reply).await?.into_message().await?;
            Ok(ReplyTarget::Message {
                channel: m.channel_id,
                message: m.id,
            })
        }
    }
}

/// Run `action` for an allowed command and answer it. An action still working after
/// `defer_after` is deferred (Discord shows "thinking…") so the 3-second window is never
/// missed. Everything is logged; the reply to a command that queued messages is then edited
/// as they are delivered or fail.
pub(super) async fn respond(
    ctx: Context<'_>,
    action: impl Future<Output = ActionResult>,
) -> Result<(), CommandError> {
    let shared: Arc<Shared> = ctx.data().clone();
    let received = ctx.invocation_data::<Received>().await.map(|r| *r);
    let inv = invocation(ctx, received);
    tokio::pin!(action);
    let early = tokio::select! {
        result = &mut action => Some(result),
        () = tokio::time::sleep(shared.timing.defer_after) => None,
    };
    let (result, deferred) = match early {
        Some(result) => (result, false),
        None => {
            let deferred = match ctx.defer().await {
                Ok(()) => matches!(ctx, poise::Context::Application(_)),
                Err(e) => {
                    tracing::warn!("cannot defer the reply: {e}");
                    false
                }
            };
            (action.await, deferred)
        }
    };
    let answer = Answer::from_result(result);
    if !answer.queued.is_empty()
        && let Some(waker) = &shared.waker
    {
        waker.notify_one();
    }
    let sent = send_answer(ctx, &answer, deferred).await;
    if let Err(e) = &sent {
        tracing::warn!(command = %inv.command, "the reply did not reach Discord: {e}");
    }
    tracing::info!(user = %inv.caller.user_name, command = %inv.command, outcome = %answer.outcome, "Discord command");
    let send_error = sent.as_ref().err().map(ToString::to_string);
    record(&shared.store, &inv, &answer, send_error).await;
    if let Ok(target) = sent
        && !answer.queued.is_empty()
    {
        let http = ctx.serenity_context().http.clone();
        let base = answer.text.clone();
        let follower = outcome::follow(
            shared.store.clone(),
            answer.queued.clone(),
            shared.timing,
            move |line| {
                let http = http.clone();
                let text = fit(&format!("{base}\n{line}"));
                let target = target.clone();
                async move {
                    if let Err(e) = target.edit(&http, &text).await {
                        tracing::warn!("cannot update the reply with the delivery outcome: {e}");
                    }
                }
            },
        );
        shared.follow(follower);
    }
    Ok(())
}
