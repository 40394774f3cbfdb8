//! Who may do what. Two levels over allow-lists of user and role ids, optionally limited to
//! some channels. Nobody is allowed anything but `/help` until the operator adds someone.

use serde::Serialize;

use crate::settings::BotSettings;

/// What a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// `/help`: anyone, anywhere, so a stranger can learn how to get access.
    Anyone,
    /// Read-only commands: agents, status, queue, history, show.
    Viewer,
    /// Everything that changes something: send, broadcast, retry, cancel, pause, resume, stop.
    Operator,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Anyone => "no",
            Level::Viewer => "viewer",
            Level::Operator => "operator",
        }
    }
}

/// Who sent a command, and from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    pub user_id: u64,
    pub user_name: String,
    /// The roles the member holds in the guild (none in direct messages).
    pub roles: Vec<u64>,
    pub guild_id: Option<u64>,
    pub channel_id: u64,
}

impl Caller {
    /// How the caller appears as a message's sender and in the event log.
    pub fn actor(&self) -> String {
        format!("discord:{}", self.user_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// The reply to give: says why, and how to get access.
    Refused(String),
}

/// The highest level `caller` holds, by user id or by any of their roles.
pub fn level_of(settings: &BotSettings, caller: &Caller) -> Option<Level> {
    let holds = |g: &crate::settings::Grants| {
        g.users.contains(&caller.user_id) || caller.roles.iter().any(|r| g.roles.contains(r))
    };
    if holds(&settings.operators) {
        Some(Level::Operator)
    } else if holds(&settings.viewers) {
        Some(Level::Viewer)
    } else {
        None
    }
}

fn how_to_get(level: Level, caller: &Caller) -> String {
    let list = if level == Level::Operator {
        "operator_users"
    } else {
        "viewer_users"
    };
    format!(
        "Ask whoever runs Switchboard to allow you with `switchboard bot config add {list} {}` \
         (your user id), or to give one of your roles access.",
        caller.user_id
    )
}

/// May `caller` run `command`, which needs `needed`, where they are?
pub fn decide(settings: &BotSettings, caller: &Caller, command: &str, needed: Level) -> Decision {
    if needed == Level::Anyone {
        return Decision::Allowed;
    }
    if settings.nobody_allowed() {
        return Decision::Refused(format!(
            "Nobody may use this bot yet: access is closed until the operator allows people. {}",
            how_to_get(needed, caller)
        ));
    }
    if !settings.channels.is_empty() && !settings.channels.contains(&caller.channel_id) {
        let places: Vec<String> = settings
            .channels
            .iter()
            .map(|c| format!("<#{c}>"))
            .collect();
        return Decision::Refused(format!(
            "Switchboard takes commands only in {}. Run `{command}` there.",
            places.join(", ")
        ));
    }
    match level_of(settings, caller) {
        Some(held) if held >= needed => Decision::Allowed,
        held => Decision::Refused(format!(
            "You may not run `{command}`: it needs {} access and you have {} access. {}",
            needed.name(),
            held.map_or("no", Level::name),
            how_to_get(needed, caller)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Grants;

    fn caller(user: u64, roles: &[u64], channel: u64) -> Caller {
        Caller {
            user_id: user,
            user_name: format!("user{user}"),
            roles: roles.to_vec(),
            guild_id: Some(1),
            channel_id: channel,
        }
    }

    fn settings() -> BotSettings {
        BotSettings {
            operators: Grants {
                users: vec![10],
                roles: vec![100],
            },
            viewers: Grants {
                users: vec![20],
                roles: vec![200],
            },
            ..Default::default()
        }
    }

    #[test]
    fn an_empty_allow_list_refuses_everything_but_help_and_says_how_to_get_access() {
        let s = BotSettings::default();
        let c = caller(10, &[], 5);
        assert_eq!(decide(&s, &c, "/help", Level::Anyone), Decision::Allowed);
        let Decision::Refused(why) = decide(&s, &c, "/status", Level::Viewer) else {
            panic!("a viewer command must be refused while nobody is allowed");
        };
        assert!(
            why.contains("switchboard bot config add viewer_users 10"),
            "{why}"
        );
    }

    #[test]
    fn operators_may_do_everything_and_viewers_only_look() {
        let s = settings();
        for (c, held) in [
            (caller(10, &[], 5), Level::Operator),
            (caller(99, &[100], 5), Level::Operator),
            (caller(20, &[], 5), Level::Viewer),
            (caller(99, &[7, 200], 5), Level::Viewer),
        ] {
            assert_eq!(level_of(&s, &c), Some(held), "{c:?}");
            assert_eq!(decide(&s, &c, "/status", Level::Viewer), Decision::Allowed);
            let send = decide(&s, &c, "/send", Level::Operator);
            assert_eq!(send == Decision::Allowed, held == Level::Operator, "{c:?}");
        }
        let Decision::Refused(why) = decide(&s, &caller(20, &[], 5), "/send", Level::Operator)
        else {
            panic!("a viewer must not send");
        };
        assert!(
            why.contains("needs operator access and you have viewer access"),
            "{why}"
        );
        assert!(why.contains("add operator_users 20"), "{why}");
    }

    #[test]
    fn strangers_are_refused_and_an_operator_user_who_is_also_a_viewer_keeps_operator() {
        let mut s = settings();
        let Decision::Refused(why) = decide(&s, &caller(99, &[1], 5), "/queue", Level::Viewer)
        else {
            panic!("a stranger must be refused");
        };
        assert!(why.contains("you have no access"), "{why}");
        s.viewers.users.push(10);
        assert_eq!(level_of(&s, &caller(10, &[], 5)), Some(Level::Operator));
    }

    #[test]
    fn a_channel_list_limits_where_commands_are_taken_but_not_help() {
        let mut s = settings();
        s.channels = vec![5];
        assert_eq!(
            decide(&s, &caller(10, &[], 5), "/send", Level::Operator),
            Decision::Allowed
        );
        let Decision::Refused(why) = decide(&s, &caller(10, &[], 6), "/send", Level::Operator)
        else {
            panic!("an operator in another channel must be refused");
        };
        assert!(why.contains("<#5>"), "{why}");
        assert_eq!(
            decide(&s, &caller(99, &[], 6), "/help", Level::Anyone),
            Decision::Allowed
        );
    }
}
