//! Suggestions while typing `/send agent:` and `/broadcast team:`.

use poise::serenity_prelude as serenity;

use super::Context;

/// Discord shows at most 25 suggestions.
const MAX_CHOICES: usize = 25;

/// The names that contain `partial` (any case), those that start with it first, at most 25.
pub(crate) fn suggest(names: impl IntoIterator<Item = String>, partial: &str) -> Vec<String> {
    let wanted = partial.trim().to_lowercase();
    let mut starts = Vec::new();
    let mut contains = Vec::new();
    for name in names {
        let lower = name.to_lowercase();
        if lower.starts_with(&wanted) {
            starts.push(name);
        } else if lower.contains(&wanted) {
            contains.push(name);
        }
    }
    starts.extend(contains);
    starts.dedup();
    starts.truncate(MAX_CHOICES);
    starts
}

fn response(names: Vec<String>) -> serenity::CreateAutocompleteResponse {
    serenity::CreateAutocompleteResponse::new().set_choices(
        names
            .into_iter()
            .map(serenity::AutocompleteChoice::from)
            .collect(),
    )
}

/// Enabled agents: a disabled one would refuse the message anyway.
pub(super) async fn agent_names(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let names = match ctx.data().store.agents().await {
        Ok(agents) => agents
            .into_iter()
            .filter(|a| a.enabled)
            .map(|a| a.name)
            .collect(),
        Err(e) => {
            tracing::warn!("no agent suggestions: {e}");
            Vec::new()
        }
    };
    response(suggest(names, partial))
}

pub(super) async fn team_names(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let mut teams: Vec<String> = match ctx.data().store.agents().await {
        Ok(agents) => agents.into_iter().filter_map(|a| a.team).collect(),
        Err(e) => {
            tracing::warn!("no team suggestions: {e}");
            Vec::new()
        }
    };
    teams.sort_by_key(|t| t.to_lowercase());
    teams.dedup_by_key(|t| t.to_lowercase());
    response(suggest(teams, partial))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_starting_with_the_input_come_before_names_containing_it() {
        let got = suggest(
            names(&["backend-2", "Agent-1", "agent-3", "frontend"]),
            "AG",
        );
        assert_eq!(got, ["Agent-1", "agent-3"]);
        let got = suggest(names(&["x-end", "end-1", "middle"]), "end");
        assert_eq!(got, ["end-1", "x-end"]);
    }

    #[test]
    fn an_empty_input_suggests_the_first_twenty_five() {
        let many: Vec<String> = (0..40).map(|i| format!("agent-{i:02}")).collect();
        let got = suggest(many, "");
        assert_eq!(
            got.len(),
            MAX_CHOICES,
            "Discord refuses more than 25 choices"
        );
        assert_eq!(got[0], "agent-00");
    }
}
