//! Engagement's settings: a document per scope (`default`, `set:NAME`, `group:ID`; the most
//! specific wins) that operators edit in the console and through the API. Every field has a
//! default, so `{}` is the out-of-the-box set: welcome, sign-in, points, the leaderboard and the
//! points query on, in Chinese, days in Asia/Shanghai; message points, the nickname rule and
//! keyword answers off until an operator writes them.

use aho_corasick::{AhoCorasick, MatchKind};
use chrono_tz::Tz;
use regex::Regex;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub enabled: bool,
    /// `zh` or `en`: the language of every reply in the groups these settings cover.
    pub language: String,
    /// An IANA time zone: where the groups' days begin (sign-ins, daily caps, leaderboards).
    pub time_zone: String,
    pub screening: Screening,
    pub welcome: Welcome,
    pub nickname: NicknameRule,
    pub intro: Intro,
    pub checkin: Checkin,
    pub messages: Messages,
    pub questions: Questions,
    /// Keyword answers, tried in order; the first that matches answers.
    pub answers: Vec<Answer>,
    pub levels: Levels,
    pub badges: Badges,
    pub invites: Invites,
    pub birthdays: Birthdays,
    pub roles: Roles,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Roles {
    /// Members may claim roles (`认领 运动委员`, `/role 运动委员`), which an operator approves.
    pub enabled: bool,
    /// The group's roles: these may also be claimed in a sentence (`我是运动委员`). Empty: only
    /// the explicit command claims, any name.
    pub names: Vec<String>,
    /// Daily reminders to a role's holders.
    pub reminders: Vec<RoleReminder>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoleReminder {
    pub role: String,
    /// `HH:MM` in the group's time zone.
    pub time: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Levels {
    pub enabled: bool,
    /// Lowest first; a member is at the highest level whose every threshold they meet. Empty:
    /// the built-in ladder in the group's language (see [`Level::built_in`]).
    pub ladder: Vec<Level>,
    /// Make the level's title the member's title in the group where the platform has titles
    /// (QQ's `set_group_special_title`, which needs the bot to own the group).
    pub set_title: bool,
    /// Say so in the group when a member reaches a level or earns a badge.
    pub announce: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Level {
    pub title: String,
    /// Points (the balance) at least.
    pub points: i64,
    /// Days signed in at least.
    pub days: u32,
    /// Other members' questions answered at least.
    pub answers: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Badges {
    /// Badges for milestones: 7, 30 and 100-day streaks, an introduction, 10 answers, 1,000
    /// points.
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Invites {
    /// Points for the inviter when the member they invited is still in the group a week later
    /// (the platform must say who invited: QQ and Telegram do); 0: none.
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Birthdays {
    /// Greet members on their birthday (from their introduction or `我的生日 5月3日`).
    pub enabled: bool,
    /// `HH:MM` in the group's time zone.
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Screening {
    /// `none`, `question` (one of `answers`), `invite` (an invite or paid code issued in the
    /// console) or `paid` (a paid code).
    pub mode: String,
    /// What a newcomer is asked, in mode `question`.
    pub question: String,
    /// Accepted answers, compared case- and width-folded, spaces ignored.
    pub answers: Vec<String>,
    /// Minutes a member who joined without a request (nothing to approve) has to answer in the
    /// group before being removed.
    pub minutes: u32,
    /// Wrong answers in the group before being removed at once.
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Welcome {
    pub enabled: bool,
    /// Empty: the built-in text in the group's language. Variables: see [`VARIABLES`].
    pub template: String,
    /// Joins this many seconds after a welcome are welcomed together, in one message, when the
    /// window closes.
    pub batch_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NicknameRule {
    /// Empty: no rule. Parts separated by `-` (`城市-行业-姓名`): a nickname matches when it has
    /// as many non-empty parts, separated by `-`, `_`, `|`, `/`, `·` or spaces. `regex:` followed
    /// by a regular expression that the whole nickname must match.
    pub pattern: String,
    /// Reminders at most, per member and group.
    pub reminders: u32,
    /// Minutes between two reminders (by the messages' own time).
    pub interval_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Intro {
    pub enabled: bool,
    /// Bracketed fields: an introduction written in the same brackets is read field by field.
    pub template: String,
    /// Thank the member and say what was noted.
    pub reply: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Checkin {
    pub enabled: bool,
    /// The sign-in commands (a whole message); `/checkin` also as `/checkin@BotName`.
    pub words: Vec<String>,
    pub points: i64,
    /// More for each day of the streak after the first, up to `streak_bonus_max` more.
    pub streak_bonus: i64,
    pub streak_bonus_max: i64,
    /// A missed day among the last `makeup_days` can be made up (`补签`, `/makeup`) for
    /// `makeup_cost` points, so that the streak goes on; 0 days: no make-ups.
    pub makeup_days: u32,
    pub makeup_cost: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Messages {
    /// Points for a message of at least `min_chars` characters (spaces not counted); 0: off.
    pub points: i64,
    pub min_chars: u32,
    /// Seconds between two paid messages, by the messages' own time.
    pub interval_seconds: u32,
    /// Paid messages a day at most.
    pub daily_cap: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Questions {
    /// Note questions (`？`, `吗`, `请问`, `how do`...) and list those nobody answered.
    pub enabled: bool,
    /// Unanswered after this many minutes: listed for the operators.
    pub minutes: u32,
    /// Points for the member whose reply answers a question (not the asker).
    pub answer_points: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Answer {
    /// Any of these words or phrases in a message (case and width folded) triggers the answer.
    pub keywords: Vec<String>,
    /// Or a regular expression on the message's text, folded as keywords are (lower case,
    /// full-width as half-width).
    pub pattern: String,
    pub reply: String,
    /// Seconds before the same answer is given again in a group.
    pub cooldown_seconds: u32,
}

/// The welcome template's variables.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("mention", "@ the new members", "@ 新成员"),
    ("name", "their names", "新成员的名字"),
    ("group", "the group's name", "群名"),
    ("count", "the member count", "群成员数"),
    ("inviter", "who invited them", "邀请人"),
    (
        "rules",
        "the group's rules (moderation)",
        "群规（群管设置里的）",
    ),
    ("nickname_rule", "the nickname rule", "群名片格式"),
    (
        "intro_template",
        "the self-introduction template",
        "自我介绍模板",
    ),
];

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            enabled: true,
            language: "zh".to_owned(),
            time_zone: "Asia/Shanghai".to_owned(),
            screening: Screening::default(),
            welcome: Welcome::default(),
            nickname: NicknameRule::default(),
            intro: Intro::default(),
            checkin: Checkin::default(),
            messages: Messages::default(),
            questions: Questions::default(),
            answers: Vec::new(),
            levels: Levels::default(),
            badges: Badges::default(),
            invites: Invites::default(),
            birthdays: Birthdays::default(),
            roles: Roles::default(),
        }
    }
}

impl Default for Levels {
    fn default() -> Levels {
        Levels {
            enabled: true,
            ladder: Vec::new(),
            set_title: true,
            announce: true,
        }
    }
}

impl Level {
    /// The ladder in force when an operator wrote none: like Discourse's trust levels, points
    /// and sustained presence, then helping others.
    pub fn built_in(en: bool) -> Vec<Level> {
        let titles = if en {
            ["Newcomer", "Member", "Regular", "Veteran", "Elder"]
        } else {
            ["新人", "成员", "活跃成员", "资深成员", "元老"]
        };
        let thresholds = [
            (0, 0, 0),
            (50, 3, 0),
            (200, 10, 0),
            (800, 30, 5),
            (3000, 100, 20),
        ];
        titles
            .iter()
            .zip(thresholds)
            .map(|(title, (points, days, answers))| Level {
                title: (*title).to_owned(),
                points,
                days,
                answers,
            })
            .collect()
    }
}

impl Default for Roles {
    fn default() -> Roles {
        Roles {
            enabled: true,
            names: Vec::new(),
            reminders: Vec::new(),
        }
    }
}

impl Default for Badges {
    fn default() -> Badges {
        Badges { enabled: true }
    }
}

impl Default for Invites {
    fn default() -> Invites {
        Invites { points: 20 }
    }
}

impl Default for Birthdays {
    fn default() -> Birthdays {
        Birthdays {
            enabled: true,
            time: "09:00".to_owned(),
        }
    }
}

impl Default for Screening {
    fn default() -> Screening {
        Screening {
            mode: "none".to_owned(),
            question: String::new(),
            answers: Vec::new(),
            minutes: 5,
            attempts: 3,
        }
    }
}

impl Default for Welcome {
    fn default() -> Welcome {
        Welcome {
            enabled: true,
            template: String::new(),
            batch_seconds: 10,
        }
    }
}

impl Default for NicknameRule {
    fn default() -> NicknameRule {
        NicknameRule {
            pattern: String::new(),
            reminders: 3,
            interval_minutes: 60,
        }
    }
}

impl Default for Intro {
    fn default() -> Intro {
        Intro {
            enabled: true,
            template: String::new(),
            reply: true,
        }
    }
}

impl Default for Checkin {
    fn default() -> Checkin {
        Checkin {
            enabled: true,
            words: vec!["签到".into(), "/checkin".into(), "/签到".into()],
            points: 10,
            streak_bonus: 2,
            streak_bonus_max: 20,
            makeup_days: 3,
            makeup_cost: 30,
        }
    }
}

impl Default for Messages {
    fn default() -> Messages {
        // Off: a ledger row for most messages costs throughput (README, "Performance").
        Messages {
            points: 0,
            min_chars: 5,
            interval_seconds: 60,
            daily_cap: 20,
        }
    }
}

impl Default for Questions {
    fn default() -> Questions {
        Questions {
            enabled: true,
            minutes: 30,
            answer_points: 5,
        }
    }
}

impl Default for Answer {
    fn default() -> Answer {
        Answer {
            keywords: Vec::new(),
            pattern: String::new(),
            reply: String::new(),
            cooldown_seconds: 60,
        }
    }
}

/// A refused document: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(pub String);

fn refuse<T>(text: impl Into<String>) -> Result<T, SettingsError> {
    Err(SettingsError(text.into()))
}

impl Settings {
    /// Reads a submitted document; unknown fields and bad values are refused.
    pub fn from_json(json: &str) -> Result<Settings, SettingsError> {
        let (settings, unknown) = Settings::from_stored(json)?;
        crate::document::refuse_lists::<Settings>(json).map_err(SettingsError)?;
        crate::document::refuse_unknown::<Settings>(&unknown).map_err(SettingsError)?;
        Ok(settings)
    }

    /// Reads a stored document: bad values are refused, and fields this version does not know
    /// (a newer Steward's, after a downgrade) are skipped and named, for a warning.
    pub fn from_stored(json: &str) -> Result<(Settings, Vec<String>), SettingsError> {
        let (settings, unknown): (Settings, _) =
            crate::document::read(json).map_err(SettingsError)?;
        settings.validate()?;
        Ok((settings, unknown))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The date in these settings' time zone at `now` (Shanghai's when the zone is unknown).
    pub fn today(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        let zone = self
            .time_zone
            .parse::<Tz>()
            .unwrap_or(chrono_tz::Asia::Shanghai);
        now.with_timezone(&zone).date_naive()
    }

    /// When day `day` (days since the epoch, as the ledger counts them) began in these
    /// settings' time zone, in milliseconds.
    pub fn day_start_ms(&self, day: i64) -> i64 {
        let zone = self
            .time_zone
            .parse::<Tz>()
            .unwrap_or(chrono_tz::Asia::Shanghai);
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(day)))
            .and_then(|date| {
                // Where a clock change skips midnight, the day begins at the first hour that
                // exists.
                (0..4).find_map(|hour| {
                    date.and_hms_opt(hour, 0, 0)
                        .and_then(|time| time.and_local_timezone(zone).earliest())
                })
            })
            .map_or(0, |time| time.timestamp_millis())
    }

    pub fn en(&self) -> bool {
        self.language == "en"
    }

    pub fn validate(&self) -> Result<(), SettingsError> {
        self.compile().map(drop)
    }

    /// The template in force: the operator's, or the built-in one in the group's language.
    pub fn welcome_template(&self) -> &str {
        match (self.welcome.template.trim().is_empty(), self.en()) {
            (false, _) => &self.welcome.template,
            (true, false) => {
                "欢迎 {mention} 加入「{group}」！你是本群第 {count} 位成员。\
                 做个自我介绍吧：{intro_template}。每天发送「签到」领积分，发送「群规」查看群规。"
            }
            (true, true) => {
                "Welcome {mention} to {group}! You are member number {count}. Introduce \
                 yourself: {intro_template}. Send /checkin every day for points, /rules for the \
                 group's rules."
            }
        }
    }

    /// The level ladder in force.
    pub fn ladder(&self) -> Vec<Level> {
        if self.levels.ladder.is_empty() {
            Level::built_in(self.en())
        } else {
            self.levels.ladder.clone()
        }
    }

    pub fn intro_template(&self) -> &str {
        match (self.intro.template.trim().is_empty(), self.en()) {
            (false, _) => &self.intro.template,
            (true, false) => "[城市] [工作时间] [行业/职位] [特长/爱好]",
            (true, true) => "[City] [Working hours] [Industry/position] [Specialties/hobbies]",
        }
    }

    /// Checks every field and builds what the feature needs (matchers, the time zone).
    pub fn compile(&self) -> Result<Compiled, SettingsError> {
        if !matches!(self.language.as_str(), "zh" | "en") {
            return refuse("language: zh or en");
        }
        let Ok(time_zone) = self.time_zone.parse::<Tz>() else {
            return refuse(format!(
                "time_zone: `{}` is not an IANA time zone such as Asia/Shanghai",
                self.time_zone
            ));
        };
        let screening = &self.screening;
        match screening.mode.as_str() {
            "none" | "invite" | "paid" => {}
            "question" => {
                if screening.question.trim().is_empty()
                    || screening
                        .answers
                        .iter()
                        .all(|answer| fold_answer(answer).is_empty())
                {
                    return refuse("screening: mode question needs a question and answers");
                }
            }
            _ => return refuse("screening.mode: none, question, invite or paid"),
        }
        if screening.question.chars().count() > 500
            || screening.answers.len() > 100
            || screening
                .answers
                .iter()
                .any(|answer| answer.chars().count() > 100)
        {
            return refuse(
                "screening: a question of at most 500 characters, at most 100 answers of 100",
            );
        }
        if !(1..=1440).contains(&screening.minutes) || !(1..=10).contains(&screening.attempts) {
            return refuse("screening: minutes 1 to 1440, attempts 1 to 10");
        }
        if self.welcome.template.chars().count() > 2000 {
            return refuse("welcome.template: at most 2,000 characters");
        }
        if self.welcome.batch_seconds > 600 {
            return refuse("welcome.batch_seconds: 0 to 600");
        }
        crate::engagement::welcome::check_template(&self.welcome.template)
            .map_err(|err| SettingsError(format!("welcome.template: {err}")))?;
        let nickname = Nickname::parse(&self.nickname.pattern)
            .map_err(|err| SettingsError(format!("nickname.pattern: {err}")))?;
        if self.nickname.reminders > 100 || self.nickname.interval_minutes > 7 * 24 * 60 {
            return refuse("nickname: at most 100 reminders, 0 to 10080 minutes apart");
        }
        if self.intro.template.chars().count() > 500 {
            return refuse("intro.template: at most 500 characters");
        }
        let checkin = &self.checkin;
        if checkin.words.len() > 20
            || checkin
                .words
                .iter()
                .any(|word| word.trim().is_empty() || word.chars().count() > 30)
        {
            return refuse("checkin.words: at most 20 words of 1 to 30 characters");
        }
        let points = |value: i64| (0..=1_000_000).contains(&value);
        if !points(checkin.points)
            || !points(checkin.streak_bonus)
            || !points(checkin.streak_bonus_max)
            || !points(checkin.makeup_cost)
            || checkin.makeup_days > 31
        {
            return refuse("checkin: points 0 to 1,000,000; make-ups at most 31 days back");
        }
        let messages = &self.messages;
        if !points(messages.points)
            || messages.min_chars > 1000
            || messages.interval_seconds > 86_400
            || messages.daily_cap > 10_000
        {
            return refuse(
                "messages: points 0 to 1,000,000, min_chars to 1000, interval_seconds to \
                 86400, daily_cap to 10000",
            );
        }
        if !points(self.questions.answer_points) || self.questions.minutes > 7 * 24 * 60 {
            return refuse("questions: answer_points 0 to 1,000,000, minutes to 10080");
        }
        let answers = Answers::compile(&self.answers)?;
        if self.levels.ladder.len() > 50
            || self
                .levels
                .ladder
                .iter()
                .any(|level| level.title.trim().is_empty() || level.title.chars().count() > 30)
            || self.levels.ladder.iter().any(|level| !points(level.points))
        {
            return refuse("levels.ladder: at most 50 levels, titles of 1 to 30 characters");
        }
        let roles = &self.roles;
        if roles.names.len() > 100
            || roles.names.iter().any(|name| !valid_role(name))
            || roles.reminders.len() > 100
        {
            return refuse("roles: at most 100 names of 1 to 20 characters, 100 reminders");
        }
        for (n, reminder) in roles.reminders.iter().enumerate() {
            let n = n + 1;
            if !valid_role(&reminder.role)
                || crate::moderation::parse_clock(&reminder.time).is_none()
                || reminder.text.trim().is_empty()
                || reminder.text.chars().count() > 500
            {
                return refuse(format!(
                    "roles.reminders[{n}]: a role, a time HH:MM and a text of 1 to 500 characters"
                ));
            }
        }
        if !points(self.invites.points) {
            return refuse("invites.points: 0 to 1,000,000");
        }
        if crate::moderation::parse_clock(&self.birthdays.time).is_none() {
            return refuse(format!(
                "birthdays.time: HH:MM, found `{}`",
                self.birthdays.time
            ));
        }
        Ok(Compiled {
            settings: self.clone(),
            time_zone,
            nickname,
            answers,
        })
    }
}

/// Settings made ready for the feature.
#[derive(Debug)]
pub struct Compiled {
    pub settings: Settings,
    pub time_zone: Tz,
    pub nickname: Option<Nickname>,
    pub answers: Answers,
}

/// The nickname rule, compiled.
#[derive(Debug, Clone)]
pub enum Nickname {
    Parts(usize),
    Pattern(Regex),
}

const NICKNAME_SEPARATORS: &[char] = &['-', '－', '—', '_', '|', '/', '·', ' ', '　'];

impl Nickname {
    fn parse(pattern: &str) -> Result<Option<Nickname>, String> {
        let pattern = pattern.trim();
        if pattern.is_empty() {
            return Ok(None);
        }
        if pattern.chars().count() > 200 {
            return Err("at most 200 characters".to_owned());
        }
        if let Some(regex) = pattern.strip_prefix("regex:") {
            return Regex::new(&format!("^(?:{})$", regex.trim()))
                .map(|regex| Some(Nickname::Pattern(regex)))
                .map_err(|err| format!("not a regular expression: {err}"));
        }
        let parts = pattern.split(NICKNAME_SEPARATORS).filter(|p| !p.is_empty());
        match parts.count() {
            0 => Err("write the parts, as in City-Industry-Name".to_owned()),
            count => Ok(Some(Nickname::Parts(count))),
        }
    }

    pub fn matches(&self, nickname: &str) -> bool {
        let nickname = nickname.trim();
        match self {
            Nickname::Parts(count) => {
                let nickname = steward_text::normalize(nickname);
                let nickname = nickname.as_str();
                nickname
                    .split(NICKNAME_SEPARATORS)
                    .filter(|part| !part.trim().is_empty())
                    .count()
                    == *count
                    && !nickname.starts_with(NICKNAME_SEPARATORS)
                    && !nickname.ends_with(NICKNAME_SEPARATORS)
            }
            Nickname::Pattern(regex) => regex.is_match(nickname),
        }
    }
}

/// Keyword answers, compiled: one automaton over every keyword of every entry.
#[derive(Debug)]
pub struct Answers {
    keywords: Option<AhoCorasick>,
    /// Which entry each keyword belongs to.
    owners: Vec<usize>,
    patterns: Vec<(usize, Regex)>,
}

impl Answers {
    fn compile(entries: &[Answer]) -> Result<Answers, SettingsError> {
        if entries.len() > 1000 {
            return refuse("answers: at most 1,000");
        }
        let mut keywords = Vec::new();
        let mut owners = Vec::new();
        let mut patterns = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let n = index + 1;
            if entry.reply.trim().is_empty() || entry.reply.chars().count() > 2000 {
                return refuse(format!("answers[{n}].reply: 1 to 2,000 characters"));
            }
            if entry.keywords.is_empty() && entry.pattern.trim().is_empty() {
                return refuse(format!("answers[{n}]: keywords or a pattern"));
            }
            if entry.cooldown_seconds > 86_400 {
                return refuse(format!("answers[{n}].cooldown_seconds: 0 to 86400"));
            }
            for keyword in &entry.keywords {
                let folded = fold(keyword);
                if folded.is_empty() || keyword.chars().count() > 100 {
                    return refuse(format!("answers[{n}].keywords: 1 to 100 characters each"));
                }
                keywords.push(folded);
                owners.push(index);
            }
            if !entry.pattern.trim().is_empty() {
                let regex = Regex::new(&entry.pattern).map_err(|err| {
                    SettingsError(format!(
                        "answers[{n}].pattern: not a regular expression: {err}"
                    ))
                })?;
                patterns.push((index, regex));
            }
        }
        let keywords = if keywords.is_empty() {
            None
        } else {
            // Standard matching, read overlapping: every keyword found counts, so that the
            // first entry in the operator's order wins even when a longer keyword of a later
            // entry covers it.
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&keywords)
                    .map_err(|err| SettingsError(format!("answers: {err}")))?,
            )
        };
        Ok(Answers {
            keywords,
            owners,
            patterns,
        })
    }

    /// The first entry (in the operator's order) that the message triggers.
    pub fn find(&self, text: &str) -> Option<usize> {
        // Most groups have no keyword answers: no folding of every message for nothing.
        if self.keywords.is_none() && self.patterns.is_empty() {
            return None;
        }
        let mut best: Option<usize> = None;
        let folded = fold(text);
        if let Some(keywords) = &self.keywords {
            for found in keywords.find_overlapping_iter(&folded) {
                let owner = self.owners[found.pattern().as_usize()];
                best = Some(best.map_or(owner, |best| best.min(owner)));
            }
        }
        for (index, regex) in &self.patterns {
            if best.is_some_and(|best| best < *index) {
                break;
            }
            if regex.is_match(&folded) {
                best = Some(best.map_or(*index, |best| best.min(*index)));
                break;
            }
        }
        best
    }
}

/// A role's name: 1 to 20 characters, no control characters.
pub fn valid_role(name: &str) -> bool {
    let name = name.trim();
    (1..=20).contains(&name.chars().count()) && !name.chars().any(char::is_control)
}

/// An answer to the screening question as compared: folded, without spaces or punctuation.
pub fn fold_answer(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Case and width folded, as keywords are matched.
fn fold(text: &str) -> String {
    steward_text::normalize(text).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_document_is_the_default_and_valid() {
        let settings = Settings::from_json("{}").unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(Settings::from_json(&settings.to_json()).unwrap(), settings);
    }

    #[test]
    fn a_stored_document_is_read_past_a_newer_versions_fields() {
        let json =
            r#"{"language":"en","streaks":{"freeze":2},"checkin":{"points":7,"emoji":"🔥"}}"#;
        let (settings, unknown) = Settings::from_stored(json).unwrap();
        assert_eq!(settings.language, "en");
        assert_eq!(settings.checkin.points, 7);
        assert_eq!(unknown, ["streaks", "checkin.emoji"]);
        assert!(Settings::from_json(json).is_err());
    }

    #[test]
    fn bad_values_are_refused_with_their_field() {
        for (json, field) in [
            (r#"{"language":"fr"}"#, "language"),
            (r#"{"time_zone":"Mars/Olympus"}"#, "time_zone"),
            (
                r#"{"welcome":{"template":"hi {nmae}"}}"#,
                "welcome.template",
            ),
            (r#"{"nickname":{"pattern":"regex:(["}}"#, "nickname.pattern"),
            (
                r#"{"answers":[{"keywords":["x"],"reply":""}]}"#,
                "answers[1].reply",
            ),
            (r#"{"answers":[{"reply":"hi"}]}"#, "answers[1]"),
            (r#"{"checkin":{"points":-5}}"#, "checkin"),
            (r#"{"screening":{"mode":"quiz"}}"#, "screening.mode"),
            (
                r#"{"screening":{"mode":"question","answers":["x"]}}"#,
                "screening",
            ),
            (r#"{"unknown":1}"#, "unknown field `unknown`"),
            (
                r#"{"answers":[{"keywords":["x"],"reply":"hi","emoji":true}]}"#,
                "unknown field `answers.0.emoji`",
            ),
            ("[]", "a JSON object"),
        ] {
            let err = Settings::from_json(json).unwrap_err();
            assert!(err.0.contains(field), "{json}: {err}");
        }
    }

    #[test]
    fn days_begin_at_midnight_in_the_time_zone() {
        let shanghai = Settings::default();
        // Day 20605 is 2026-06-01; midnight in Shanghai is 16:00 UTC the day before.
        assert_eq!(shanghai.day_start_ms(20_605), 1_780_243_200_000);
        let paris = Settings {
            time_zone: "Europe/Paris".into(),
            ..Settings::default()
        };
        assert_eq!(paris.day_start_ms(20_605), 1_780_264_800_000);
    }

    #[test]
    fn a_nickname_matches_by_its_parts() {
        let rule = Nickname::parse("城市-行业-姓名").unwrap().unwrap();
        for (nickname, ok) in [
            ("上海-互联网-小王", true),
            ("上海 互联网 小王", true),
            ("上海｜互联网｜小王", true),
            ("上海，互联网，小王", false),
            ("上海-互联网", false),
            ("小王", false),
            ("-上海-互联网-小王", false),
            ("上海--互联网-小王", true),
        ] {
            assert_eq!(rule.matches(nickname), ok, "{nickname}");
        }
        let rule = Nickname::parse(r"regex:\p{Han}{2,}-\w+").unwrap().unwrap();
        assert!(rule.matches("北京-Alice"));
        assert!(!rule.matches("Alice"));
        assert!(Nickname::parse("  ").unwrap().is_none());
    }

    #[test]
    fn the_first_matching_answer_in_the_operators_order_wins() {
        let settings = Settings::from_json(
            r#"{"answers":[
                {"keywords":["营业时间","几点开门"],"reply":"9 点到 21 点"},
                {"keywords":["地址"],"pattern":"(?i)where is","reply":"人民路 1 号"}
            ]}"#,
        )
        .unwrap();
        let compiled = settings.compile().unwrap();
        assert_eq!(compiled.answers.find("请问店里几点开门？"), Some(0));
        assert_eq!(compiled.answers.find("地址在哪，营业时间呢"), Some(0));
        assert_eq!(compiled.answers.find("Where is the shop?"), Some(1));
        assert_eq!(compiled.answers.find("ＷＨＥＲＥ is it"), Some(1));
        assert_eq!(compiled.answers.find("你们的地址"), Some(1));
        assert_eq!(compiled.answers.find("hello"), None);
        let overlapping = Settings::from_json(
            r#"{"answers":[{"keywords":["营业"],"reply":"a"},{"keywords":["营业时间"],"reply":"b"}]}"#,
        )
        .unwrap()
        .compile()
        .unwrap();
        assert_eq!(overlapping.answers.find("营业时间？"), Some(0));
    }
}
