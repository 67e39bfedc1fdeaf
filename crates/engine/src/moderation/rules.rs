//! A rule set: the document operators edit (JSON in the store, a form in the console, a body in
//! the API) and its compiled form. Every field has a default, so `{}` is the out-of-the-box set:
//! contact details, suspicious links and the ad classifier on; delete and warn, mute ten minutes
//! on the second offence, kick and blacklist on the third within 30 days; flood at 12 messages
//! in 10 seconds; the group's admins and owner exempt.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use steward_text::{Classifier, KeywordList, LinkPolicy, TextChain};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// Moderation on at all in the groups these rules cover.
    pub enabled: bool,
    /// Phone numbers, e-mail, WeChat ids, QQ numbers, Telegram accounts (after a context word).
    pub contacts: bool,
    /// `off`, `suspicious` (invites, shorteners, IP addresses, Chinese-character and punycode
    /// hosts, cheap domains, ad-like text) or `all`.
    pub links: String,
    pub allowed_domains: Vec<String>,
    /// Forbidden words and phrases, matched on normalised text.
    pub keywords: Vec<String>,
    pub classifier: bool,
    /// Moves the classifier's bar: positive flags fewer messages, negative more.
    pub classifier_margin: f32,
    pub flood: Flood,
    pub repeat: Repeat,
    pub new_member: NewMember,
    /// What the first, second, ... offence brings; the last step repeats. Steps: `warn`,
    /// `mute 10m` (also `h`, `d`), `kick`, `blacklist` (kick and refuse in every group).
    pub ladder: Vec<String>,
    /// Offences older than this (by the messages' own time) no longer count.
    pub window_days: u32,
    /// Delete the offending message at every step.
    pub delete: bool,
    /// Tell the member why, in the group.
    pub tell_member: bool,
    /// The group's admins and owner are never moderated.
    pub exempt_admins: bool,
    /// Platform user ids never moderated (operators' own accounts, trusted members).
    pub whitelist: Vec<String>,
    /// The group's written rules, posted on `/rules` (`群规`) and in the welcome.
    pub rules_text: String,
    /// `zh` or `en`: the language of the bot's moderation messages.
    pub language: String,
    pub night: Night,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Flood {
    pub enabled: bool,
    pub messages: u32,
    pub seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Repeat {
    pub enabled: bool,
    /// The same text in this many different groups...
    pub groups: u32,
    /// ...within this many minutes.
    pub minutes: u32,
    /// Shorter texts (greetings, sign-ins) never count.
    pub min_chars: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewMember {
    pub enabled: bool,
    /// A member who joined less than this long ago gets no links at all and a lower ad bar.
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Night {
    pub enabled: bool,
    /// `HH:MM`, in the group's time zone.
    pub start: String,
    pub end: String,
    /// An IANA time zone (`Europe/Berlin`): the night follows its summer time. Empty: the fixed
    /// offset below.
    pub time_zone: String,
    /// Minutes east of UTC when no time zone is named: 480 is China.
    pub utc_offset_minutes: i32,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            enabled: true,
            contacts: true,
            links: "suspicious".to_owned(),
            allowed_domains: Vec::new(),
            keywords: Vec::new(),
            classifier: true,
            classifier_margin: 0.0,
            flood: Flood::default(),
            repeat: Repeat::default(),
            new_member: NewMember::default(),
            ladder: vec!["warn".into(), "mute 10m".into(), "blacklist".into()],
            window_days: 30,
            delete: true,
            tell_member: true,
            exempt_admins: true,
            whitelist: Vec::new(),
            rules_text: String::new(),
            language: "zh".to_owned(),
            night: Night::default(),
        }
    }
}

impl Default for Flood {
    fn default() -> Flood {
        // Lively chat peaks around one message a second per member; twelve in ten seconds is
        // a script or a paste loop.
        Flood {
            enabled: true,
            messages: 12,
            seconds: 10,
        }
    }
}

impl Default for Repeat {
    fn default() -> Repeat {
        Repeat {
            enabled: true,
            groups: 3,
            minutes: 10,
            min_chars: 12,
        }
    }
}

impl Default for NewMember {
    fn default() -> NewMember {
        NewMember {
            enabled: true,
            minutes: 60,
        }
    }
}

impl Default for Night {
    fn default() -> Night {
        Night {
            enabled: false,
            start: "23:00".to_owned(),
            end: "07:00".to_owned(),
            time_zone: String::new(),
            utc_offset_minutes: 480,
        }
    }
}

/// One rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Warn,
    Mute { seconds: u32 },
    Kick,
    Blacklist,
}

impl Step {
    pub fn parse(text: &str) -> Option<Step> {
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "warn" => return Some(Step::Warn),
            "kick" => return Some(Step::Kick),
            "blacklist" => return Some(Step::Blacklist),
            _ => {}
        }
        let duration = text.strip_prefix("mute")?.trim();
        let (number, unit) = duration.split_at(duration.find(|c: char| !c.is_ascii_digit())?);
        let number: u32 = number.parse().ok()?;
        let seconds = match unit.trim() {
            "s" => number,
            "m" => number.checked_mul(60)?,
            "h" => number.checked_mul(3600)?,
            "d" => number.checked_mul(86_400)?,
            _ => return None,
        };
        // Platforms cap mutes at about 30 days (QQ: 30 days; Telegram: 366).
        (1..=30 * 86_400)
            .contains(&seconds)
            .then_some(Step::Mute { seconds })
    }

    pub fn name(self) -> String {
        match self {
            Step::Warn => "warn".to_owned(),
            Step::Mute { seconds } => format!("mute {}", duration(seconds)),
            Step::Kick => "kick".to_owned(),
            Step::Blacklist => "blacklist".to_owned(),
        }
    }

    /// What the step did, as an operator reads it (`禁言 10 分钟`, `muted for 10 minutes`).
    pub fn said(self, en: bool) -> String {
        match (self, en) {
            (Step::Warn, false) => "警告".to_owned(),
            (Step::Warn, true) => "warned".to_owned(),
            (Step::Mute { seconds }, false) => format!("禁言 {}", spoken(seconds, en)),
            (Step::Mute { seconds }, true) => format!("muted for {}", spoken(seconds, en)),
            (Step::Kick, false) => "移出本群".to_owned(),
            (Step::Kick, true) => "removed from the group".to_owned(),
            (Step::Blacklist, false) => "移出并列入黑名单".to_owned(),
            (Step::Blacklist, true) => "removed and blacklisted".to_owned(),
        }
    }

    /// A stored step's name as an operator reads it; a name this version does not know, as
    /// stored.
    pub fn said_of(name: &str, en: bool) -> String {
        Step::parse(name).map_or_else(|| name.to_owned(), |step| step.said(en))
    }
}

/// A mute's length as the member reads it (`10 分钟`, `10 minutes`; the ladder writes `10m`).
pub fn spoken(seconds: u32, en: bool) -> String {
    let (count, zh, unit) = [
        (86_400, "天", "day"),
        (3600, "小时", "hour"),
        (60, "分钟", "minute"),
    ]
    .into_iter()
    .find(|(size, _, _)| seconds.is_multiple_of(*size))
    .map_or((seconds, "秒", "second"), |(size, zh, unit)| {
        (seconds / size, zh, unit)
    });
    match (en, count) {
        (false, _) => format!("{count} {zh}"),
        (true, 1) => format!("1 {unit}"),
        (true, _) => format!("{count} {unit}s"),
    }
}

/// `600` → `10m`, `3600` → `1h`.
pub fn duration(seconds: u32) -> String {
    if seconds.is_multiple_of(86_400) {
        format!("{}d", seconds / 86_400)
    } else if seconds.is_multiple_of(3600) {
        format!("{}h", seconds / 3600)
    } else if seconds.is_multiple_of(60) {
        format!("{}m", seconds / 60)
    } else {
        format!("{seconds}s")
    }
}

/// What is wrong with a rule document, for the operator: in English (the API's, and what it
/// displays as) and in Chinese (the console's, for an operator who reads it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{en}")]
pub struct RulesError {
    pub zh: String,
    pub en: String,
}

impl RulesError {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> RulesError {
        RulesError {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// A JSON reader's message, which names the field and quotes the value: the same in both.
    fn read(en: String) -> RulesError {
        RulesError { zh: en.clone(), en }
    }

    pub fn in_language(&self, en: bool) -> &str {
        if en { &self.en } else { &self.zh }
    }
}

impl Rules {
    /// Reads a submitted document; unknown fields and bad values are refused.
    pub fn from_json(json: &str) -> Result<Rules, RulesError> {
        let (rules, unknown): (Rules, _) = crate::document::read(json).map_err(RulesError::read)?;
        crate::document::refuse_lists::<Rules>(json).map_err(RulesError::read)?;
        rules.validate_submitted()?;
        crate::document::refuse_unknown::<Rules>(&unknown).map_err(RulesError::read)?;
        Ok(rules)
    }

    /// Reads a stored document: bad values are refused, and fields this version does not know
    /// (a newer Steward's, after a downgrade) are skipped and named, for a warning.
    pub fn from_stored(json: &str) -> Result<(Rules, Vec<String>), RulesError> {
        let (rules, unknown): (Rules, _) = crate::document::read(json).map_err(RulesError::read)?;
        rules.validate()?;
        Ok((rules, unknown))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// [`Rules::validate`], and what a document submitted now (the API, the console's form,
    /// `--rules`) must also be: checks added after documents were first stored, which a stored one
    /// is not held to, so that rules an earlier version saved stay in force.
    pub fn validate_submitted(&self) -> Result<(), RulesError> {
        self.validate()?;
        // Night mode's times are checked while it is off too: switched on later, they would be
        // refused then, far from where they were typed.
        self.validate_night()?;
        if self.repeat.min_chars == 0 {
            return Err(RulesError::new(
                "跨群重复：至少 1 个字",
                "repeat: at least 1 character",
            ));
        }
        for domain in &self.allowed_domains {
            check_domain(domain)?;
        }
        Ok(())
    }

    fn validate_night(&self) -> Result<(), RulesError> {
        for (name, value) in [("start", &self.night.start), ("end", &self.night.end)] {
            if parse_clock(value).is_none() {
                return Err(RulesError::new(
                    format!(
                        "夜间模式{}：须为 时:分（如 23:00），而不是 `{value}`",
                        if name == "start" { "开始" } else { "结束" }
                    ),
                    format!("night.{name}: HH:MM, found `{value}`"),
                ));
            }
        }
        if parse_clock(&self.night.start) == parse_clock(&self.night.end) {
            return Err(RulesError::new(
                "夜间模式：开始和结束不能相同",
                "night: start and end must differ",
            ));
        }
        if !self.night.time_zone.trim().is_empty()
            && self
                .night
                .time_zone
                .trim()
                .parse::<chrono_tz::Tz>()
                .is_err()
        {
            return Err(RulesError::new(
                format!(
                    "夜间模式时区：`{}` 不是 IANA 时区（如 Asia/Shanghai）",
                    self.night.time_zone
                ),
                format!(
                    "night.time_zone: `{}` is not an IANA time zone such as Asia/Shanghai",
                    self.night.time_zone
                ),
            ));
        }
        if !(-720..=840).contains(&self.night.utc_offset_minutes) {
            return Err(RulesError::new(
                "夜间模式 UTC 偏移（分钟）：-720 到 840",
                "night.utc_offset_minutes: -720 to 840",
            ));
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), RulesError> {
        if LinkPolicy::from_name(&self.links).is_none() {
            return Err(RulesError::new(
                format!("链接：`{}` 不是 off、suspicious 或 all", self.links),
                format!("links: `{}` is not off, suspicious or all", self.links),
            ));
        }
        if self.ladder.is_empty() {
            return Err(RulesError::new(
                "处理步骤：至少一步",
                "ladder: at least one step",
            ));
        }
        for step in &self.ladder {
            if Step::parse(step).is_none() {
                return Err(RulesError::new(
                    format!(
                        "处理步骤：`{step}` 不是 warn（警告）、mute <数字>s/m/h/d（禁言，最长 30d）、kick（移出）或 blacklist（拉黑）"
                    ),
                    format!(
                        "ladder: `{step}` is not warn, mute <N>s/m/h/d (up to 30d), kick or blacklist"
                    ),
                ));
            }
        }
        if self.window_days == 0 || self.window_days > 3650 {
            return Err(RulesError::new(
                "计数窗口（天）：1 到 3650",
                "window_days: 1 to 3650",
            ));
        }
        if !(-10.0..=10.0).contains(&self.classifier_margin) {
            return Err(RulesError::new(
                "分类器阈值调整：-10 到 10",
                "classifier_margin: -10 to 10",
            ));
        }
        if self.flood.messages < 2 || self.flood.seconds == 0 || self.flood.seconds > 3600 {
            return Err(RulesError::new(
                "刷屏：至少 2 条消息，1 到 3600 秒",
                "flood: at least 2 messages, 1 to 3600 seconds",
            ));
        }
        if self.repeat.groups < 2 || self.repeat.minutes == 0 || self.repeat.minutes > 1440 {
            return Err(RulesError::new(
                "跨群重复：至少 2 个群，1 到 1440 分钟",
                "repeat: at least 2 groups, 1 to 1440 minutes",
            ));
        }
        if !matches!(self.language.as_str(), "zh" | "en") {
            return Err(RulesError::new("语言：zh 或 en", "language: zh or en"));
        }
        if self.night.enabled {
            self.validate_night()?;
        }
        let long = |list: &[String]| list.iter().any(|item| item.chars().count() > 200);
        if self.keywords.len() > 10_000 || long(&self.keywords) {
            return Err(RulesError::new(
                "违禁词：最多 10,000 个，每个最多 200 字",
                "keywords: at most 10,000 of at most 200 characters",
            ));
        }
        if self.whitelist.len() > 10_000 || long(&self.whitelist) || long(&self.allowed_domains) {
            return Err(RulesError::new(
                "白名单和允许的域名：最多 10,000 个，每个最多 200 字",
                "whitelist and allowed domains: at most 10,000 of at most 200 characters",
            ));
        }
        if self.rules_text.chars().count() > 4000 {
            return Err(RulesError::new(
                "群规：最多 4,000 字",
                "rules_text: at most 4,000 characters",
            ));
        }
        Ok(())
    }

    /// The compiled form the detectors run on.
    pub fn compile(&self, model: Arc<Classifier>) -> Compiled {
        let ladder = self
            .ladder
            .iter()
            .filter_map(|step| Step::parse(step))
            .collect::<Vec<_>>();
        Compiled {
            chain: TextChain {
                contacts: self.contacts,
                links: LinkPolicy::from_name(&self.links).unwrap_or_default(),
                allowed_domains: self.allowed_domains.clone(),
                keywords: KeywordList::new(&self.keywords),
                classifier: self.classifier.then_some((model, self.classifier_margin)),
            },
            ladder: if ladder.is_empty() {
                vec![Step::Warn]
            } else {
                ladder
            },
            whitelist: self
                .whitelist
                .iter()
                .map(|id| id.trim().to_owned())
                .collect(),
            rules: self.clone(),
        }
    }
}

/// `HH:MM` → minutes after midnight.
pub fn parse_clock(text: &str) -> Option<u32> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

/// Rules ready to judge messages.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub rules: Rules,
    pub chain: TextChain,
    pub ladder: Vec<Step>,
    pub whitelist: HashSet<String>,
}

/// An allowed domain as the link detector matches it: a name of two labels or more (its
/// subdomains are allowed with it), without a scheme, path, port or wildcard. `com` alone would
/// allow every site under it, `https://example.com/path` and `*.example.com` nothing.
fn check_domain(domain: &str) -> Result<(), RulesError> {
    let labels: Vec<&str> = domain.trim().split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.chars().count())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() >= 2 && labels.iter().all(label_ok) {
        return Ok(());
    }
    let (zh, en) = if labels.len() == 1 && labels.iter().all(label_ok) {
        (
            "只写顶级域名会放行其下的所有网站",
            "a top-level domain alone would allow every site under it",
        )
    } else {
        (
            "请写 example.com 这样的域名（其子域名一并放行），不要 https://、路径、端口或 *",
            "write a name such as example.com (its subdomains are allowed with it), without https://, a path, a port or *",
        )
    };
    Err(RulesError::new(
        format!("允许的域名：`{}` 不是域名：{zh}", domain.trim()),
        format!(
            "allowed_domains: `{}` is not a domain name: {en}",
            domain.trim()
        ),
    ))
}

impl Compiled {
    /// The step for a member's `n`th offence in the window (1-based).
    pub fn step(&self, n: usize) -> Step {
        let index = n.saturating_sub(1).min(self.ladder.len() - 1);
        self.ladder[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_document_is_the_out_of_the_box_set() {
        let rules = Rules::from_json("{}").unwrap();
        assert_eq!(rules, Rules::default());
        let compiled = rules.compile(Arc::new(Classifier::shipped()));
        assert_eq!(compiled.step(1), Step::Warn);
        assert_eq!(compiled.step(2), Step::Mute { seconds: 600 });
        assert_eq!(compiled.step(3), Step::Blacklist);
        assert_eq!(compiled.step(9), Step::Blacklist);
    }

    #[test]
    fn bad_documents_say_what_is_wrong() {
        for (json, needle) in [
            (r#"{"ladder": ["warn", "mute forever"]}"#, "mute forever"),
            (r#"{"links": "some"}"#, "links"),
            (r#"{"colour": "red"}"#, "unknown field `colour`"),
            (r#"{"whitlist": ["1"]}"#, "`whitelist`"),
            (
                r#"{"night": {"strat": "22:00"}}"#,
                "the fields here: `enabled`, `end`",
            ),
            (
                r#"{"night": {"enabled": true, "colour": "red"}}"#,
                "unknown field `night.colour`",
            ),
            (r#"{"ladder": []}"#, "ladder"),
            (
                r#"{"night": {"enabled": true, "start": "25:00"}}"#,
                "night.start",
            ),
            (r#"{"ladder": ["mute 31d"]}"#, "mute 31d"),
            (
                r#"{"night": {"enabled": true, "time_zone": "UTC+8"}}"#,
                "night.time_zone",
            ),
            ("not json", "expected"),
            ("[false]", "a JSON object"),
            ("[1]", "a JSON object"),
            ("  [true, 1]", "a JSON object"),
            ("[]", "a JSON object"),
            // Submitted, these are refused; stored by an earlier version, they stay in force.
            (r#"{"night": {"start": "25:99"}}"#, "night.start"),
            (r#"{"night": {"time_zone": "Mars/Base"}}"#, "Mars/Base"),
            (
                r#"{"night": {"utc_offset_minutes": 100000}}"#,
                "night.utc_offset_minutes",
            ),
            (r#"{"repeat": {"min_chars": 0}}"#, "repeat: at least 1"),
            (r#"{"allowed_domains": ["com"]}"#, "top-level domain alone"),
            (r#"{"allowed_domains": ["top"]}"#, "`top` is not a domain"),
            (
                r#"{"allowed_domains": ["https://example.com/path"]}"#,
                "without https://",
            ),
            (r#"{"allowed_domains": ["*.foo.org"]}"#, "`*.foo.org`"),
            (r#"{"allowed_domains": ["example.com:8080"]}"#, "a port"),
            (r#"{"allowed_domains": ["not a domain"]}"#, "`not a domain`"),
            (r#"{"allowed_domains": ["<b>x</b>"]}"#, "is not a domain"),
            // A value of the wrong kind is named by its field, in an operator's words.
            (
                r#"{"flood": {"messages": "many"}}"#,
                r#"flood.messages: invalid type: string "many", expected a whole number from 0 to 4294967295"#,
            ),
            (
                r#"{"flood": {"messages": -3}}"#,
                "flood.messages: invalid value: integer `-3`, expected a whole number",
            ),
            (
                r#"{"contacts": "yes"}"#,
                r#"contacts: invalid type: string "yes", expected true or false"#,
            ),
            (
                r#"{"keywords": "代练"}"#,
                r#"keywords: invalid type: string "代练", expected a list"#,
            ),
            (
                r#"{"classifier_margin": "high"}"#,
                r#"classifier_margin: invalid type: string "high", expected a number"#,
            ),
            (
                r#"{"night": 1}"#,
                r#"night: invalid type: integer `1`, expected an object such as {"field": value}"#,
            ),
            (
                r#"{"ladder": ["warn", 3]}"#,
                "ladder[1]: invalid type: integer `3`",
            ),
            // Words in the value are the member's: not taken for serde's.
            (
                r#"{"night": "expected struct Night"}"#,
                r#"night: invalid type: string "expected struct Night", expected an object"#,
            ),
            // A part given as a list would be read as its fields in order: refused.
            (r#"{"flood": [false]}"#, "flood: expected an object such as"),
            (
                r#"{"night": {"enabled": true}, "repeat": []}"#,
                "repeat: expected an object",
            ),
            // Broken JSON: where it broke.
            (r#"{"flood": {"messages": }"#, "at line 1 column"),
        ] {
            let err = Rules::from_json(json).unwrap_err();
            assert!(err.en.contains(needle), "{json}: {err}");
        }
        for stored in [
            r#"{"flood": [true]}"#,
            r#"{"night": {"start": "25:99"}}"#,
            r#"{"repeat": {"min_chars": 0}}"#,
            r#"{"allowed_domains": ["https://example.com/path"]}"#,
        ] {
            assert!(Rules::from_stored(stored).is_ok(), "{stored}");
        }
        let allowed = Rules::from_json(
            r#"{"allowed_domains": ["example.com", "docs.rs", "пример.рф", "my-site.co.uk"]}"#,
        );
        assert!(allowed.is_ok(), "{allowed:?}");
    }

    #[test]
    fn a_stored_document_is_read_past_a_newer_versions_fields() {
        // A newer Steward wrote `links_v2` and `night.colour`: the operator's whitelist and
        // ladder stay in force after a downgrade, and the unknown fields are named.
        let json = r#"{"whitelist": ["10001"], "ladder": ["warn", "kick"], "links_v2": {"mode": 3},
            "night": {"enabled": true, "colour": "red"}}"#;
        let (rules, unknown) = Rules::from_stored(json).unwrap();
        assert_eq!(rules.whitelist, ["10001"]);
        assert_eq!(rules.ladder, ["warn", "kick"]);
        assert!(rules.night.enabled);
        assert_eq!(unknown, ["links_v2", "night.colour"]);
        // Submitted, the same document is refused; a bad value is refused stored too.
        assert!(Rules::from_json(json).is_err());
        assert!(Rules::from_stored(r#"{"links": "some", "new": 1}"#).is_err());
        assert_eq!(
            super::super::live::ModerationShared::rules(Some(json)).whitelist,
            ["10001"],
            "the live feature reads stored rules leniently"
        );
    }

    #[test]
    fn steps_read_and_write() {
        assert_eq!(Step::parse("mute 1h"), Some(Step::Mute { seconds: 3600 }));
        assert_eq!(Step::parse(" Mute 90s "), Some(Step::Mute { seconds: 90 }));
        assert_eq!(Step::parse("mute 0m"), None);
        assert_eq!(Step::Mute { seconds: 86_400 }.name(), "mute 1d");
        assert_eq!(parse_clock("07:30"), Some(450));
        assert_eq!(parse_clock("7:3x"), None);
    }
}
