//! The welcome: a template with `{variables}` (`{{` and `}}` for braces themselves), rendered
//! into message segments. A join is welcomed at once; joins in the `batch_seconds` after a
//! welcome wait for the window to close and are welcomed together in one message, which each
//! later join of the window rewrites while no adapter has claimed it.

use serde::{Deserialize, Serialize};
use steward_domain::{OutSegment, UserId};

use super::settings::VARIABLES;

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(String),
    Variable(&'a str),
}

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        text.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{{") {
            text.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            text.push('}');
            rest = after;
        } else if let Some(after) = tail.strip_prefix('{') {
            let Some(end) = after.find('}') else {
                return Err("a `{` without its `}` (write `{{` for a brace)".to_owned());
            };
            let name = after[..end].trim();
            if !VARIABLES.iter().any(|(known, _, _)| *known == name) {
                let known: Vec<_> = VARIABLES.iter().map(|(name, _, _)| *name).collect();
                return Err(format!(
                    "unknown variable {{{name}}}; known: {}",
                    known.join(", ")
                ));
            }
            pieces.push(Piece::Text(std::mem::take(&mut text)));
            pieces.push(Piece::Variable(name));
            rest = &after[end + 1..];
        } else {
            return Err("a `}` without its `{` (write `}}` for a brace)".to_owned());
        }
    }
    text.push_str(rest);
    pieces.push(Piece::Text(text));
    Ok(pieces)
}

/// Checks a template's syntax and variables.
pub fn check_template(template: &str) -> Result<(), String> {
    pieces(template).map(drop)
}

/// A member the welcome greets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Newcomer {
    pub user: String,
    pub name: String,
}

/// What the variables stand for, in one group at one moment.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub group: String,
    pub count: i64,
    pub inviter: String,
    pub rules: String,
    pub nickname_rule: String,
    pub intro_template: String,
    /// Joins names: `、` in Chinese, `, ` in English.
    pub separator: &'static str,
}

/// Renders a checked template; a template that no longer parses (edited by hand in the store)
/// is sent as it is written.
pub fn render(template: &str, facts: &Facts, newcomers: &[Newcomer]) -> Vec<OutSegment> {
    let Ok(pieces) = pieces(template) else {
        return vec![OutSegment::Text {
            text: template.to_owned(),
        }];
    };
    let mut segments = Vec::new();
    let mut text = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(part) => text.push_str(&part),
            Piece::Variable("mention") => {
                for (index, newcomer) in newcomers.iter().enumerate() {
                    if index > 0 {
                        text.push(' ');
                    }
                    if !text.is_empty() {
                        segments.push(OutSegment::Text {
                            text: std::mem::take(&mut text),
                        });
                    }
                    segments.push(OutSegment::Mention {
                        user: UserId(newcomer.user.clone()),
                    });
                }
            }
            Piece::Variable(name) => text.push_str(&match name {
                "name" => newcomers
                    .iter()
                    .map(|newcomer| newcomer.name.as_str())
                    .collect::<Vec<_>>()
                    .join(facts.separator),
                "group" => facts.group.clone(),
                "count" => facts.count.to_string(),
                "inviter" => facts.inviter.clone(),
                "rules" => facts.rules.clone(),
                "nickname_rule" => facts.nickname_rule.clone(),
                "intro_template" => facts.intro_template.clone(),
                _ => String::new(),
            }),
        }
    }
    if !text.is_empty() {
        segments.push(OutSegment::Text { text });
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn newcomer(user: &str, name: &str) -> Newcomer {
        Newcomer {
            user: user.to_owned(),
            name: name.to_owned(),
        }
    }

    #[test]
    fn variables_braces_and_mentions() {
        let facts = Facts {
            group: "跑团".into(),
            count: 42,
            separator: "、",
            ..Facts::default()
        };
        let segments = render(
            "欢迎 {mention}（{name}）加入{group}，第 {count} 位 {{成员}}",
            &facts,
            &[newcomer("1", "小王"), newcomer("2", "{group}")],
        );
        assert_eq!(
            segments,
            vec![
                OutSegment::Text {
                    text: "欢迎 ".into()
                },
                OutSegment::Mention { user: "1".into() },
                OutSegment::Text { text: " ".into() },
                OutSegment::Mention { user: "2".into() },
                OutSegment::Text {
                    // A member's name is text, never a template.
                    text: "（小王、{group}）加入跑团，第 42 位 {成员}".into()
                },
            ]
        );
    }

    #[test]
    fn bad_templates_are_refused() {
        assert!(check_template("欢迎 {name}").is_ok());
        assert!(check_template("{{literal}}").is_ok());
        assert!(
            check_template("欢迎 {nmae}")
                .unwrap_err()
                .contains("{nmae}")
        );
        assert!(check_template("欢迎 {name").is_err());
        assert!(check_template("欢迎 name}").is_err());
    }
}
