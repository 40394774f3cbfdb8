//! One running bot per Discord bot on this machine.
//!
//! Two processes serving the same bot (the desktop app and `switchboard bot`, say) would both
//! receive every command, and both queue what it asks for: each message typed twice. So a bot
//! holds an exclusive lock on a file named after it for as long as it runs, and a second one
//! refuses to start. The operating system drops the lock when the process ends, however it
//! ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::PathBuf;

use crate::config::DEFAULT_API_BASE;
use crate::error::BotError;

/// Held while the bot runs.
#[derive(Debug)]
pub(crate) struct Instance {
    _file: File,
}

/// Take the lock for the bot that `token` logs in as, at `api_base`.
pub(crate) fn claim(token: &str, api_base: &str) -> Result<Instance, BotError> {
    let lock = lock_path(token, api_base);
    let cannot = |e: std::io::Error| {
        BotError::Invalid(format!(
            "cannot use the bot's lock file {}: {e}. Check that the folder is writable",
            lock.display()
        ))
    };
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&lock)
        .map_err(cannot)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            // The holder wrote its process id; a system that locks reads out too (Windows)
            // leaves it unknown.
            let mut text = String::new();
            let holder = file
                .read_to_string(&mut text)
                .ok()
                .and_then(|_| text.trim().parse().ok());
            return Err(BotError::AlreadyRunning { holder, lock });
        }
        Err(TryLockError::Error(e)) => return Err(cannot(e)),
    }
    // Best effort: the process id only helps the operator find the holder.
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| write!(file, "{}", std::process::id()))
        .and_then(|()| file.flush());
    Ok(Instance { _file: file })
}

/// Named after the bot's user id, which a token's first part holds in base64 (public, unlike
/// the rest of the token), and after the Discord address when it is not Discord's own (a
/// stand-in, in tests).
fn lock_path(token: &str, api_base: &str) -> PathBuf {
    let id = token.split('.').next().unwrap_or_default();
    let key = if api_base == DEFAULT_API_BASE {
        id.to_string()
    } else {
        format!("{id}.{api_base}")
    };
    switchboard_core::paths::machine_file("bot", &key, ".lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_instance_of_one_bot_is_refused_until_the_first_ends() {
        let api = format!("http://127.0.0.1:{}", std::process::id());
        let token = "MTAwMQ.c3RhbmQ.first-token";
        let first = claim(token, &api).unwrap();
        // Another token of the same bot (after a reset) is the same bot.
        let refused = claim("MTAwMQ.c3RhbmQ.second-token", &api).unwrap_err();
        let BotError::AlreadyRunning { holder, lock } = &refused else {
            panic!("{refused:?}");
        };
        assert_eq!(*holder, Some(std::process::id()));
        let text = refused.to_string();
        assert!(
            text.contains("already running") && text.contains(&lock.display().to_string()),
            "{text}"
        );
        assert!(!text.contains("first-token"), "no token in the message");
        assert!(
            !lock.display().to_string().contains("token"),
            "the lock is named after the bot's id only: {}",
            lock.display()
        );
        // Another bot, or the same bot elsewhere, is not held.
        drop(claim("MTAwMg.c3RhbmQ.other-bot", &api).unwrap());
        drop(claim(token, &format!("{api}0")).unwrap());
        drop(first);
        drop(claim(token, &api).unwrap());
    }
}
