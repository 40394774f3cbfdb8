//! Pause, resume and the emergency stop. The core has one mechanism for both pause and stop
//! ([`Store::pause`]): every engine on the database starts nothing new, and a delivery in
//! progress stops before its next step, so the submit key is never pressed after it. The two
//! commands differ in the reason recorded and in what the reply stresses.

use switchboard_core::Store;

use super::{ActionResult, Done};
use crate::access::Caller;

fn reason_or(reason: Option<&str>, default: &str) -> String {
    reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(default)
        .to_string()
}

pub async fn pause(store: &Store, caller: &Caller, reason: Option<&str>) -> ActionResult {
    let reason = reason_or(reason, "paused from Discord");
    store.pause(&caller.actor(), &reason).await?;
    Ok(Done::say(format!(
        "Delivery is paused: nothing more is typed until `/resume`. Reason: {reason}"
    )))
}

pub async fn stop(store: &Store, caller: &Caller, reason: Option<&str>) -> ActionResult {
    let reason = format!("emergency stop: {}", reason_or(reason, "from Discord"));
    store.pause(&caller.actor(), &reason).await?;
    Ok(Done::say(format!(
        "**Emergency stop.** Every engine stops before its next step; a message being typed is \
         left unsubmitted and queued again. Nothing is typed until `/resume`. ({reason})"
    )))
}

pub async fn resume(store: &Store, caller: &Caller) -> ActionResult {
    let was = store.resume(&caller.actor()).await?;
    Ok(Done::say(if was {
        "Delivery resumed."
    } else {
        "Delivery was not paused."
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::fixture::{alice, store};

    #[tokio::test]
    async fn pause_stop_and_resume_set_the_core_flag_as_the_discord_user() {
        let (store, _dir) = store().await;
        pause(&store, &alice(), Some("  ")).await.unwrap();
        let p = store.paused().await.unwrap().expect("paused");
        assert_eq!(p.by, "discord:alice");
        assert_eq!(
            p.reason, "paused from Discord",
            "a blank reason gets the default"
        );

        let done = stop(&store, &alice(), Some("runaway agent")).await.unwrap();
        assert!(done.reply.contains("Emergency stop"), "{}", done.reply);
        assert_eq!(
            store.paused().await.unwrap().unwrap().reason,
            "emergency stop: runaway agent"
        );

        assert_eq!(
            resume(&store, &alice()).await.unwrap().reply,
            "Delivery resumed."
        );
        assert_eq!(store.paused().await.unwrap(), None);
        assert_eq!(
            resume(&store, &alice()).await.unwrap().reply,
            "Delivery was not paused."
        );
    }
}
