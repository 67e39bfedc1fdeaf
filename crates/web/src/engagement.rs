//! Engagement in the console and the API: the settings per group, group set and deployment
//! (welcome, nickname rule, self-introductions, sign-in, points, questions, keyword answers);
//! leaderboards by period, for a group or a whole set; the questions nobody answered; the members
//! whose nickname breaks the rule. Who may change what is as for moderation's rules.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use steward_engine::engagement::{
    Answer, Badges, Birthdays, Checkin, Intro, Invites, Level, Levels, Messages, NicknameRule,
    Period, Questions, RoleReminder, Roles, Screening, Settings, VARIABLES, Welcome, period_days,
};
use steward_store::engagement::JoinCode;
use steward_store::moderation::{DEFAULT_SCOPE, Documents};
use steward_store::points::{Board, Standing};
use steward_store::{Database, Operator, StoreError};

use crate::AppState;
use crate::api::{ApiError, ApiOperator};
use crate::console::{AppError, blocking, format_time, refuse_form, render};
use crate::documents::{editor_document, effective, inherited_notice, save, scope_label};
use crate::i18n::Lang;
use crate::moderation::{Scope, api_blocking, api_forbidden, may_edit, urlencode};
use crate::session::Signed;

// ---------------------------------------------------------------------------------------------
// Words

pub struct EngTexts {
    pub engagement: &'static str,
    pub settings: &'static str,
    pub stored_scopes: &'static str,
    /// `{source}`: where the settings in force come from (a scope, or [`EngTexts::built_in`]).
    pub inherited: &'static str,
    pub saved: &'static str,
    pub built_in: &'static str,
    pub enabled: &'static str,
    pub language: &'static str,
    pub time_zone: &'static str,
    pub screening: &'static str,
    pub screening_mode: &'static str,
    pub mode_none: &'static str,
    pub mode_question: &'static str,
    pub mode_invite: &'static str,
    pub mode_paid: &'static str,
    pub screening_question: &'static str,
    pub screening_answers: &'static str,
    pub screening_minutes: &'static str,
    pub screening_attempts: &'static str,
    pub screening_help: &'static str,
    pub join_codes: &'static str,
    pub roles: &'static str,
    pub role_names: &'static str,
    pub role_reminders: &'static str,
    pub role_claims: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub lottery: &'static str,
    pub lottery_among: &'static str,
    pub rule_checkin: &'static str,
    pub rule_answer: &'static str,
    pub rule_active: &'static str,
    pub lottery_winners: &'static str,
    pub lottery_prize: &'static str,
    pub draw: &'static str,
    pub levels: &'static str,
    pub ladder: &'static str,
    pub ladder_help: &'static str,
    pub set_title: &'static str,
    pub announce: &'static str,
    pub badges: &'static str,
    pub invite_points: &'static str,
    pub birthdays: &'static str,
    pub birthday_time: &'static str,
    pub code_scope: &'static str,
    pub code_kind: &'static str,
    pub kind_invite: &'static str,
    pub kind_paid: &'static str,
    pub code_uses: &'static str,
    pub code_days: &'static str,
    pub code_count: &'static str,
    pub code_note: &'static str,
    pub issue: &'static str,
    pub expires: &'static str,
    pub revoke: &'static str,
    pub welcome: &'static str,
    pub template: &'static str,
    pub default_template: &'static str,
    pub variables: &'static str,
    pub batch_seconds: &'static str,
    pub nickname: &'static str,
    pub nickname_help: &'static str,
    pub reminders: &'static str,
    pub minutes_apart: &'static str,
    pub intro: &'static str,
    pub intro_reply: &'static str,
    pub checkin: &'static str,
    pub words: &'static str,
    pub points: &'static str,
    pub streak_bonus: &'static str,
    pub streak_bonus_max: &'static str,
    pub makeup_days: &'static str,
    pub makeup_cost: &'static str,
    pub message_points: &'static str,
    pub min_chars: &'static str,
    pub interval_seconds: &'static str,
    pub daily_cap: &'static str,
    pub questions: &'static str,
    pub unanswered_after: &'static str,
    pub answer_points: &'static str,
    pub answers: &'static str,
    pub answers_help: &'static str,
    pub cooldown: &'static str,
    pub save: &'static str,
    pub revert: &'static str,
    pub leaderboard: &'static str,
    pub today: &'static str,
    pub week: &'static str,
    pub month: &'static str,
    pub all_time: &'static str,
    pub rank: &'static str,
    pub member: &'static str,
    pub open_questions: &'static str,
    pub asked: &'static str,
    pub nobody: &'static str,
    pub nickname_offenders: &'static str,
    pub no_rule: &'static str,
    pub all_comply: &'static str,
    pub reminded: &'static str,
    pub group: &'static str,
    pub set: &'static str,
    pub by: &'static str,
}

const EZH: EngTexts = EngTexts {
    engagement: "互动",
    settings: "互动设置",
    stored_scopes: "已保存的设置",
    inherited: "这里还没有自己的设置：显示的是此处生效的设置，来自 {source}。保存后即成为这里自己的设置。",
    built_in: "内置默认值",
    saved: "已保存",
    enabled: "启用互动功能",
    language: "回复语言",
    time_zone: "时区（IANA，如 Asia/Shanghai）",
    screening: "入群验证",
    screening_mode: "方式",
    mode_none: "不验证",
    mode_question: "回答问题",
    mode_invite: "邀请码（含付费码）",
    mode_paid: "仅付费码",
    screening_question: "问题",
    screening_answers: "可接受的答案（每行一个，不分大小写和全半角）",
    screening_minutes: "没有入群申请时，新成员需在多少分钟内在群里回答",
    screening_attempts: "最多答错次数",
    screening_help: "有入群申请的平台：按申请里的回答直接同意或拒绝（附原因）。其他情况：新成员在群里回答，超时或答错太多次就移出群。每个决定都记在操作记录里。",
    join_codes: "邀请码",
    roles: "成员角色（认领 角色名、/role 角色名）",
    role_names: "本群角色（逗号分隔；这些也可以用“我是运动委员”认领；留空则任何名称都可用命令认领）",
    role_reminders: "每日提醒（每行：角色, HH:MM, 提醒内容）",
    role_claims: "角色认领",
    approve: "同意",
    reject: "拒绝",
    lottery: "抽奖",
    lottery_among: "参与者",
    rule_checkin: "签到过的成员",
    rule_answer: "回答过问题的成员",
    rule_active: "发过言的成员",
    lottery_winners: "中奖人数",
    lottery_prize: "奖品",
    draw: "抽奖（结果发到群里）",
    levels: "等级与头衔",
    ladder: "等级（每行：头衔, 积分, 签到天数, 回答数；从低到高）",
    ladder_help: "留空则用内置等级：新人、成员（50 分 3 天）、活跃成员（200 分 10 天）、资深成员（800 分 30 天 5 个回答）、元老（3000 分 100 天 20 个回答）。",
    set_title: "在 QQ 群里把头衔设为群头衔（需要机器人是群主）",
    announce: "升级和获得徽章时在群里祝贺",
    badges: "里程碑徽章（连续签到 7/30/100 天、自我介绍、回答 10 个问题、1000 积分）",
    invite_points: "邀请的新成员留满一周，邀请人得分（0 为关闭）",
    birthdays: "生日祝福",
    birthday_time: "祝福时间（HH:MM，群的时区）",
    code_scope: "适用范围（default、set:名称、group:编号）",
    code_kind: "类型",
    kind_invite: "邀请码",
    kind_paid: "付费码",
    code_uses: "可用次数",
    code_days: "有效天数（留空不过期）",
    code_count: "生成个数",
    code_note: "备注",
    issue: "生成",
    expires: "过期时间",
    revoke: "作废",
    welcome: "入群欢迎",
    template: "模板",
    default_template: "留空则用内置模板（按回复语言）。",
    variables: "可用变量",
    batch_seconds: "一次欢迎后，这么多秒内入群的人合并成一条欢迎",
    nickname: "群名片规则",
    nickname_help: "如 城市-行业-姓名（按 - 分段数检查）；或 regex: 加正则表达式。留空则不检查。",
    reminders: "最多提醒次数",
    minutes_apart: "两次提醒至少间隔（分钟）",
    intro: "自我介绍",
    intro_reply: "识别后回复已记下的内容",
    checkin: "签到",
    words: "签到口令（逗号分隔）",
    points: "每次积分",
    streak_bonus: "连续签到每天加",
    streak_bonus_max: "加分上限",
    makeup_days: "可补签天数",
    makeup_cost: "补签花费积分",
    message_points: "发言积分（0 为关闭）",
    min_chars: "至少字数",
    interval_seconds: "两次计分至少间隔（秒）",
    daily_cap: "每天最多计分条数",
    questions: "问题跟踪",
    unanswered_after: "多少分钟无人回答就列出",
    answer_points: "回答别人问题得分",
    answers: "关键词自动回复",
    answers_help: "每行一条：关键词1, 关键词2 => 回复；/正则/ => 回复。回复中换行写作 \\n。",
    cooldown: "同一条回复的冷却（秒）",
    save: "保存",
    revert: "删除这里的设置（恢复继承）",
    leaderboard: "积分榜",
    today: "今日",
    week: "本周",
    month: "本月",
    all_time: "总榜",
    rank: "名次",
    member: "成员",
    open_questions: "无人回答的问题",
    asked: "提问时间",
    nobody: "暂无。",
    nickname_offenders: "群名片不合规的成员",
    no_rule: "这个群没有群名片规则。",
    all_comply: "所有成员都合规。",
    reminded: "已提醒次数",
    group: "群",
    set: "群组集",
    by: "修改人",
};

const EEN: EngTexts = EngTexts {
    engagement: "Engagement",
    settings: "Engagement settings",
    stored_scopes: "Stored settings",
    inherited: "Nothing is stored here yet: these are the settings in force, from {source}. Saving stores them for this scope.",
    built_in: "the built-in defaults",
    saved: "Saved",
    enabled: "Engagement on",
    language: "Reply language",
    time_zone: "Time zone (IANA, e.g. Asia/Shanghai)",
    screening: "Join screening",
    screening_mode: "Mode",
    mode_none: "None",
    mode_question: "A question",
    mode_invite: "An invite code (or a paid code)",
    mode_paid: "A paid code only",
    screening_question: "Question",
    screening_answers: "Accepted answers (one per line; case and width do not matter)",
    screening_minutes: "Without a join request, minutes a newcomer has to answer in the group",
    screening_attempts: "Wrong answers allowed",
    screening_help: "Where the platform has join requests, the request's answer approves or rejects it (with the reason). Elsewhere the newcomer answers in the group, and is removed when time runs out or after too many wrong answers. Every decision is in the audit log.",
    join_codes: "Join codes",
    roles: "Roles members claim (/role NAME, 认领 NAME)",
    role_names: "The group's roles (comma-separated; these may also be claimed in a sentence, 我是运动委员; empty: any name by the command)",
    role_reminders: "Daily reminders (one per line: role, HH:MM, text)",
    role_claims: "Role claims",
    approve: "Approve",
    reject: "Reject",
    lottery: "Lottery",
    lottery_among: "Among",
    rule_checkin: "members who signed in",
    rule_answer: "members who answered a question",
    rule_active: "members who wrote",
    lottery_winners: "Winners",
    lottery_prize: "Prize",
    draw: "Draw (announced in the group)",
    levels: "Levels and titles",
    ladder: "Levels (one per line: title, points, days signed in, answers; lowest first)",
    ladder_help: "Empty: the built-in ladder: Newcomer, Member (50 points, 3 days), Regular (200, 10), Veteran (800, 30, 5 answers), Elder (3000, 100, 20 answers).",
    set_title: "Set the level's title as the member's group title on QQ (the bot must own the group)",
    announce: "Congratulate in the group on a new level or badge",
    badges: "Milestone badges (7/30/100-day streaks, an introduction, 10 answers, 1,000 points)",
    invite_points: "Points for the inviter when the invited member stays a week (0: off)",
    birthdays: "Birthday greetings",
    birthday_time: "At (HH:MM, the group's time zone)",
    code_scope: "Valid in (default, set:NAME, group:ID)",
    code_kind: "Kind",
    kind_invite: "Invite",
    kind_paid: "Paid",
    code_uses: "Uses",
    code_days: "Days valid (empty: no expiry)",
    code_count: "How many",
    code_note: "Note",
    issue: "Issue",
    expires: "Expires",
    revoke: "Revoke",
    welcome: "Welcome",
    template: "Template",
    default_template: "Empty: the built-in text in the reply language.",
    variables: "Variables",
    batch_seconds: "Joins this many seconds after a welcome are welcomed together",
    nickname: "Nickname rule",
    nickname_help: "E.g. City-Industry-Name (checked by the number of parts separated by -), or regex: and a regular expression. Empty: no rule.",
    reminders: "Reminders at most",
    minutes_apart: "Minutes between reminders",
    intro: "Self-introductions",
    intro_reply: "Reply with what was noted",
    checkin: "Sign-in",
    words: "Sign-in words (comma-separated)",
    points: "Points each",
    streak_bonus: "Streak bonus per day",
    streak_bonus_max: "Bonus at most",
    makeup_days: "Make-up days",
    makeup_cost: "Make-up cost",
    message_points: "Points per message (0: off)",
    min_chars: "Characters at least",
    interval_seconds: "Seconds between paid messages",
    daily_cap: "Paid messages a day at most",
    questions: "Questions",
    unanswered_after: "Listed when unanswered after (minutes)",
    answer_points: "Points for answering someone's question",
    answers: "Keyword answers",
    answers_help: "One per line: keyword 1, keyword 2 => reply; /regex/ => reply. Write a line break in a reply as \\n.",
    cooldown: "Cooldown of an answer (seconds)",
    save: "Save",
    revert: "Delete the settings stored here (inherit again)",
    leaderboard: "Leaderboard",
    today: "Today",
    week: "This week",
    month: "This month",
    all_time: "All time",
    rank: "Rank",
    member: "Member",
    open_questions: "Questions nobody answered",
    asked: "Asked",
    nobody: "None.",
    nickname_offenders: "Members whose nickname breaks the rule",
    no_rule: "This group has no nickname rule.",
    all_comply: "Every member complies.",
    reminded: "Reminded",
    group: "Group",
    set: "Group set",
    by: "By",
};

fn words(lang: Lang) -> &'static EngTexts {
    match lang {
        Lang::Zh => &EZH,
        Lang::En => &EEN,
    }
}

// ---------------------------------------------------------------------------------------------
// The settings editor

struct ScopeRow {
    /// The scope as the operator reads it.
    scope: String,
    /// The scope, URL-encoded.
    link: String,
    /// A set's name, URL-encoded, for its leaderboard.
    board: Option<String>,
    updated: String,
    by: String,
}

#[derive(Template)]
#[template(path = "engagement.html")]
struct SettingsPage<'a> {
    lang: &'static str,
    t: &'static crate::i18n::Texts,
    e: &'static EngTexts,
    csrf: &'a str,
    scope: String,
    /// The scope as the operator reads it.
    title: String,
    stored: bool,
    can_edit: bool,
    /// The stored document's fields this version does not know, joined.
    skipped: String,
    /// Without settings of its own: where the settings shown come from, said in full.
    inherited: String,
    /// Shown right after a save.
    saved: bool,
    s: Settings,
    checkin_words: String,
    screening_answers: String,
    /// The operator's ladder as lines (empty: the built-in one).
    ladder: String,
    role_names: String,
    role_reminders: String,
    answers: String,
    answers_cooldown: u32,
    variables: Vec<(&'static str, &'static str)>,
    scopes: Vec<ScopeRow>,
}

#[derive(Debug, Deserialize)]
pub struct ScopeQuery {
    scope: Option<String>,
    /// Just saved: the editor says so.
    saved: Option<String>,
}

/// `k1, k2 => reply` lines.
fn answer_lines(answers: &[Answer]) -> String {
    answers
        .iter()
        .map(|answer| {
            let mut triggers = answer.keywords.clone();
            if !answer.pattern.is_empty() {
                triggers.push(format!("/{}/", answer.pattern));
            }
            format!(
                "{} => {}",
                triggers.join(", "),
                answer.reply.replace('\n', "\\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `role, HH:MM, text` lines.
fn reminder_lines(reminders: &[RoleReminder]) -> String {
    reminders
        .iter()
        .map(|reminder| format!("{}, {}, {}", reminder.role, reminder.time, reminder.text))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_reminders(text: &str) -> Result<Vec<RoleReminder>, String> {
    let mut reminders = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut fields = line.splitn(3, [',', '，']).map(str::trim);
        let (Some(role), Some(time), Some(text)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(format!(
                "role reminders, line {}: write `role, HH:MM, text`",
                n + 1
            ));
        };
        reminders.push(RoleReminder {
            role: role.to_owned(),
            time: time.to_owned(),
            text: text.to_owned(),
        });
    }
    Ok(reminders)
}

/// `title, points, days, answers` lines.
fn ladder_lines(ladder: &[Level]) -> String {
    ladder
        .iter()
        .map(|level| {
            format!(
                "{}, {}, {}, {}",
                level.title, level.points, level.days, level.answers
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_ladder(text: &str) -> Result<Vec<Level>, String> {
    let mut ladder = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
        let field = format!("levels, line {}", n + 1);
        let [title, points, days, answers] = fields.as_slice() else {
            return Err(format!("{field}: write `title, points, days, answers`"));
        };
        ladder.push(Level {
            title: (*title).to_owned(),
            points: number(&field, points)?,
            days: number(&field, days)?,
            answers: number(&field, answers)?,
        });
    }
    Ok(ladder)
}

fn parse_answers(text: &str, cooldown_seconds: u32) -> Result<Vec<Answer>, String> {
    let mut answers = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((triggers, reply)) = line.split_once("=>") else {
            return Err(format!(
                "answers, line {}: write `keywords => reply`",
                n + 1
            ));
        };
        let mut answer = Answer {
            reply: reply.trim().replace("\\n", "\n"),
            cooldown_seconds,
            ..Answer::default()
        };
        for trigger in triggers.split([',', '，']) {
            let trigger = trigger.trim();
            match trigger
                .strip_prefix('/')
                .and_then(|rest| rest.strip_suffix('/'))
            {
                Some(pattern) if !pattern.is_empty() => answer.pattern = pattern.to_owned(),
                _ if !trigger.is_empty() => answer.keywords.push(trigger.to_owned()),
                _ => {}
            }
        }
        answers.push(answer);
    }
    Ok(answers)
}

pub async fn settings_page(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Query(query): Query<ScopeQuery>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    let Some(scope) = Scope::parse(query.scope.as_deref().unwrap_or(DEFAULT_SCOPE)) else {
        return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response());
    };
    let database = state.database.clone();
    let acting = signed.operator.clone();
    let lookup = scope.clone();
    let found = blocking(lang, move || {
        if let Scope::Group(id) = lookup
            && database.group(id)?.is_none()
        {
            return Ok(None);
        }
        let (settings, source, skipped) = editor_document::<Settings>(&database, &lookup)?;
        let stored = source.is_none();
        let scopes = database
            .all_documents(Documents::Engagement)?
            .into_iter()
            .map(|record| Ok((scope_label(&database, &record.scope, lang)?, record)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some((
            settings,
            stored,
            may_edit(&database, &acting, &lookup)?,
            scopes,
            skipped.join(", "),
            source
                .map(|source| scope_label(&database, &source, lang))
                .transpose()?,
            scope_label(&database, &lookup.key(), lang)?,
        )))
    })
    .await?;
    let Some((settings, stored, can_edit, scopes, skipped, source, title)) = found else {
        return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response());
    };
    let e = words(lang);
    let inherited = inherited_notice(e.inherited, e.built_in, source.as_deref());
    let page = SettingsPage {
        lang: lang.code(),
        t: lang.texts(),
        e: words(lang),
        csrf: &signed.csrf,
        scope: scope.key(),
        title,
        stored,
        can_edit,
        skipped,
        inherited,
        saved: query.saved.is_some(),
        checkin_words: settings.checkin.words.join(", "),
        screening_answers: settings.screening.answers.join("\n"),
        ladder: ladder_lines(&settings.levels.ladder),
        role_names: settings.roles.names.join(", "),
        role_reminders: reminder_lines(&settings.roles.reminders),
        answers: answer_lines(&settings.answers),
        answers_cooldown: settings
            .answers
            .first()
            .map_or(Answer::default().cooldown_seconds, |answer| {
                answer.cooldown_seconds
            }),
        variables: VARIABLES
            .iter()
            .map(|(name, en, zh)| (*name, if lang == Lang::En { *en } else { *zh }))
            .collect(),
        scopes: scopes
            .into_iter()
            .map(|(label, record)| ScopeRow {
                link: urlencode(&record.scope),
                board: record.scope.strip_prefix("set:").map(urlencode),
                scope: label,
                updated: format_time(record.updated_at),
                by: record.updated_by,
            })
            .collect(),
        s: settings,
    };
    Ok(render(lang, &page)?.into_response())
}

/// The editor's form. Checkboxes arrive only when ticked.
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    csrf: String,
    scope: String,
    enabled: Option<String>,
    language: String,
    time_zone: String,
    screening_mode: String,
    #[serde(default)]
    screening_question: String,
    #[serde(default)]
    screening_answers: String,
    screening_minutes: String,
    screening_attempts: String,
    welcome: Option<String>,
    #[serde(default)]
    welcome_template: String,
    batch_seconds: String,
    #[serde(default)]
    nickname_pattern: String,
    nickname_reminders: String,
    nickname_interval: String,
    intro: Option<String>,
    #[serde(default)]
    intro_template: String,
    intro_reply: Option<String>,
    checkin: Option<String>,
    checkin_words: String,
    checkin_points: String,
    streak_bonus: String,
    streak_bonus_max: String,
    makeup_days: String,
    makeup_cost: String,
    message_points: String,
    message_min_chars: String,
    message_interval: String,
    message_daily_cap: String,
    questions: Option<String>,
    questions_minutes: String,
    answer_points: String,
    #[serde(default)]
    answers: String,
    answers_cooldown: String,
    levels: Option<String>,
    #[serde(default)]
    ladder: String,
    set_title: Option<String>,
    announce: Option<String>,
    badges: Option<String>,
    invite_points: String,
    birthdays: Option<String>,
    birthday_time: String,
    roles: Option<String>,
    #[serde(default)]
    role_names: String,
    #[serde(default)]
    role_reminders: String,
}

fn number<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{field}: `{}` is not a number", value.trim()))
}

impl SettingsForm {
    fn to_settings(&self) -> Result<Settings, String> {
        let settings = Settings {
            enabled: self.enabled.is_some(),
            language: self.language.trim().to_owned(),
            time_zone: self.time_zone.trim().to_owned(),
            screening: Screening {
                mode: self.screening_mode.trim().to_owned(),
                question: self.screening_question.trim().to_owned(),
                answers: self
                    .screening_answers
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(str::to_owned)
                    .collect(),
                minutes: number("screening.minutes", &self.screening_minutes)?,
                attempts: number("screening.attempts", &self.screening_attempts)?,
            },
            welcome: Welcome {
                enabled: self.welcome.is_some(),
                template: self.welcome_template.trim().to_owned(),
                batch_seconds: number("welcome.batch_seconds", &self.batch_seconds)?,
            },
            nickname: NicknameRule {
                pattern: self.nickname_pattern.trim().to_owned(),
                reminders: number("nickname.reminders", &self.nickname_reminders)?,
                interval_minutes: number("nickname.interval_minutes", &self.nickname_interval)?,
            },
            intro: Intro {
                enabled: self.intro.is_some(),
                template: self.intro_template.trim().to_owned(),
                reply: self.intro_reply.is_some(),
            },
            checkin: Checkin {
                enabled: self.checkin.is_some(),
                words: self
                    .checkin_words
                    .split([',', '，', '\n'])
                    .map(str::trim)
                    .filter(|word| !word.is_empty())
                    .map(str::to_owned)
                    .collect(),
                points: number("checkin.points", &self.checkin_points)?,
                streak_bonus: number("checkin.streak_bonus", &self.streak_bonus)?,
                streak_bonus_max: number("checkin.streak_bonus_max", &self.streak_bonus_max)?,
                makeup_days: number("checkin.makeup_days", &self.makeup_days)?,
                makeup_cost: number("checkin.makeup_cost", &self.makeup_cost)?,
            },
            messages: Messages {
                points: number("messages.points", &self.message_points)?,
                min_chars: number("messages.min_chars", &self.message_min_chars)?,
                interval_seconds: number("messages.interval_seconds", &self.message_interval)?,
                daily_cap: number("messages.daily_cap", &self.message_daily_cap)?,
            },
            questions: Questions {
                enabled: self.questions.is_some(),
                minutes: number("questions.minutes", &self.questions_minutes)?,
                answer_points: number("questions.answer_points", &self.answer_points)?,
            },
            answers: parse_answers(
                &self.answers,
                number("answers.cooldown_seconds", &self.answers_cooldown)?,
            )?,
            levels: Levels {
                enabled: self.levels.is_some(),
                ladder: parse_ladder(&self.ladder)?,
                set_title: self.set_title.is_some(),
                announce: self.announce.is_some(),
            },
            badges: Badges {
                enabled: self.badges.is_some(),
            },
            invites: Invites {
                points: number("invites.points", &self.invite_points)?,
            },
            birthdays: Birthdays {
                enabled: self.birthdays.is_some(),
                time: self.birthday_time.trim().to_owned(),
            },
            roles: Roles {
                enabled: self.roles.is_some(),
                names: self
                    .role_names
                    .split([',', '，', '、', '\n'])
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .map(str::to_owned)
                    .collect(),
                reminders: parse_reminders(&self.role_reminders)?,
            },
        };
        settings.validate().map_err(|err| err.0)?;
        Ok(settings)
    }
}

/// Whether the scope exists and the operator may change it: `Err` with the refusal otherwise.
async fn check_edit(
    state: &AppState,
    operator: &Operator,
    scope: &Scope,
    lang: Lang,
) -> Result<Option<Response>, AppError> {
    let database = state.database.clone();
    let acting = operator.clone();
    let check = scope.clone();
    let (allowed, exists) = blocking(lang, move || {
        let exists = match check {
            Scope::Group(id) => database.group(id)?.is_some(),
            _ => true,
        };
        Ok((may_edit(&database, &acting, &check)?, exists))
    })
    .await?;
    Ok(if !exists {
        Some((StatusCode::NOT_FOUND, lang.texts().not_found).into_response())
    } else if !allowed {
        Some(
            (
                StatusCode::FORBIDDEN,
                crate::documents::refused(scope, lang),
            )
                .into_response(),
        )
    } else {
        None
    })
}

pub async fn save_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let Some(scope) = Scope::parse(&form.scope) else {
        return Ok((StatusCode::BAD_REQUEST, lang.texts().not_found).into_response());
    };
    if let Some(refusal) = check_edit(&state, &signed.operator, &scope, lang).await? {
        return Ok(refusal);
    }
    let settings = match form.to_settings() {
        Ok(settings) => settings,
        // Nothing is stored; the browser's back button returns to the form as it was typed.
        Err(error) => return Ok((StatusCode::BAD_REQUEST, error).into_response()),
    };
    let (database, shared) = (state.database.clone(), state.clone());
    let name = signed.operator.name.clone();
    let key = scope.clone();
    blocking(lang, move || {
        save(&database, &shared, &name, &key, &settings)
    })
    .await?;
    Ok(Redirect::to(&format!(
        "/engagement?scope={}&saved=1",
        urlencode(&scope.key())
    ))
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// Leaderboards, open questions, nicknames

struct StandingRow {
    rank: usize,
    member_id: i64,
    name: String,
    points: i64,
}

struct QuestionRow {
    time: String,
    member_id: i64,
    member: String,
    text: String,
}

struct NicknameRow {
    member_id: i64,
    name: String,
    nickname: String,
    reminders: i64,
}

#[derive(Template)]
#[template(path = "leaderboard.html")]
struct BoardPage<'a> {
    lang: &'static str,
    t: &'static crate::i18n::Texts,
    e: &'static EngTexts,
    csrf: &'a str,
    title: String,
    /// `group=ID` or `set=NAME`, for the period links.
    target: String,
    period: &'static str,
    standings: Vec<StandingRow>,
    questions: Vec<QuestionRow>,
    /// `None`: no nickname rule in the group (or a set's board).
    nicknames: Option<Vec<NicknameRow>>,
    /// The group's role claims: (member id, name, role, status).
    claims: Vec<(i64, String, String, String)>,
}

#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    group: Option<i64>,
    set: Option<String>,
    period: Option<String>,
}

/// A leaderboard for `board` in the time zone of `group`'s settings (the default's for a set).
fn standings(
    database: &Database,
    board: &Board,
    zone_of: Option<i64>,
    period: Period,
) -> Result<Vec<Standing>, StoreError> {
    let settings = match zone_of {
        Some(group) => effective::<Settings>(database, group)?,
        None => database
            .document(Documents::Engagement, DEFAULT_SCOPE)?
            .and_then(|record| Settings::from_stored(&record.rules).ok())
            .map(|(settings, _)| settings)
            .unwrap_or_default(),
    };
    database.leaderboard(board, period_days(settings.today(Utc::now()), period), 50)
}

pub async fn board_page(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Query(query): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    let e = words(lang);
    let period = query
        .period
        .as_deref()
        .and_then(Period::parse)
        .unwrap_or(Period::All);
    let (board, target) = match (query.group, query.set) {
        (Some(id), _) => (Board::Group(id), format!("group={id}")),
        (None, Some(name)) if !name.trim().is_empty() => {
            let target = format!("set={}", urlencode(&name));
            (Board::Set(name), target)
        }
        _ => return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response()),
    };
    let database = state.database.clone();
    let lookup = board.clone();
    let found = blocking(lang, move || {
        let (title, group) = match &lookup {
            Board::Group(id) => match database.group(*id)? {
                Some(group) => (group.title.unwrap_or(group.chat), Some(*id)),
                None => return Ok(None),
            },
            Board::Set(name) => (name.clone(), None),
        };
        let standings = standings(&database, &lookup, group, period)?;
        let (questions, nicknames) = match group {
            Some(id) => {
                let settings = effective::<Settings>(&database, id)?;
                let before =
                    Utc::now().timestamp_millis() - i64::from(settings.questions.minutes) * 60_000;
                let questions = database.open_questions(Some(id), before, 50)?;
                let nicknames = match settings.compile().ok().and_then(|c| c.nickname) {
                    Some(rule) => Some(
                        database
                            .nicknames(id)?
                            .into_iter()
                            .filter(|line| {
                                !rule.matches(line.nickname.as_deref().unwrap_or(&line.name))
                            })
                            .collect::<Vec<_>>(),
                    ),
                    None => None,
                };
                (questions, nicknames)
            }
            None => (Vec::new(), None),
        };
        let claims = match group {
            Some(id) => database.role_claims(Some(id), None)?,
            None => Vec::new(),
        };
        Ok(Some((title, standings, questions, nicknames, claims)))
    })
    .await?;
    let Some((title, standings, questions, nicknames, claims)) = found else {
        return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response());
    };
    let page = BoardPage {
        lang: lang.code(),
        t: lang.texts(),
        e,
        csrf: &signed.csrf,
        title: match board {
            Board::Group(_) => title,
            Board::Set(_) => format!("{} · {title}", e.set),
        },
        target,
        period: period.name(),
        standings: standings
            .into_iter()
            .enumerate()
            .map(|(index, standing)| StandingRow {
                rank: index + 1,
                member_id: standing.member_id,
                name: standing.name,
                points: standing.points,
            })
            .collect(),
        questions: questions
            .into_iter()
            .map(|question| QuestionRow {
                time: format_time(question.time),
                member_id: question.member_id,
                member: question.member_name,
                text: question.text,
            })
            .collect(),
        claims: claims
            .into_iter()
            .map(|claim| (claim.member_id, claim.name, claim.role, claim.status))
            .collect(),
        nicknames: nicknames.map(|lines| {
            lines
                .into_iter()
                .map(|line| NicknameRow {
                    member_id: line.member_id,
                    nickname: line.nickname.unwrap_or_default(),
                    name: line.name,
                    reminders: line.reminders,
                })
                .collect()
        }),
    };
    Ok(render(lang, &page)?.into_response())
}

// ---------------------------------------------------------------------------------------------
// The API

/// `?group=ID` or `?set=NAME`, and `period=today|week|month|all`.
pub async fn api_leaderboard(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Query(query): Query<BoardQuery>,
) -> Result<Json<Value>, ApiError> {
    let period = match query.period.as_deref() {
        None => Period::All,
        Some(name) => Period::parse(name).ok_or_else(|| {
            ApiError(
                StatusCode::BAD_REQUEST,
                "period: today, week, month or all".into(),
            )
        })?,
    };
    let (board, group) = match (query.group, query.set) {
        (Some(id), _) => (Board::Group(id), Some(id)),
        (None, Some(name)) => (Board::Set(name), None),
        _ => {
            return Err(ApiError(
                StatusCode::BAD_REQUEST,
                "group=ID or set=NAME".into(),
            ));
        }
    };
    let database = state.database.clone();
    let lookup = board.clone();
    let standings = api_blocking(move || {
        if let Some(id) = group
            && database.group(id)?.is_none()
        {
            return Ok(None);
        }
        standings(&database, &lookup, group, period).map(Some)
    })
    .await?
    .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, "no such group".into()))?;
    let lines: Vec<Value> = standings
        .into_iter()
        .enumerate()
        .map(|(index, standing)| {
            json!({ "rank": index + 1, "member": standing.member_id, "name": standing.name,
                    "points": standing.points })
        })
        .collect();
    let (group, set) = match board {
        Board::Group(id) => (Some(id), None),
        Board::Set(name) => (None, Some(name)),
    };
    Ok(Json(
        json!({ "group": group, "set": set, "period": period.name(), "standings": lines }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct QuestionsQuery {
    group: Option<i64>,
    /// Asked at least this many minutes ago (default 30).
    minutes: Option<i64>,
}

/// Questions nobody answered.
pub async fn api_questions(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Query(query): Query<QuestionsQuery>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let minutes = query.minutes.unwrap_or(30).clamp(0, 7 * 24 * 60);
    let before = Utc::now().timestamp_millis() - minutes * 60_000;
    let questions = api_blocking(move || database.open_questions(query.group, before, 200)).await?;
    let lines: Vec<Value> = questions
        .into_iter()
        .map(|question| {
            json!({ "event": question.event_id, "group": question.group_id,
                    "member": question.member_id, "name": question.member_name,
                    "text": question.text, "time": question.time })
        })
        .collect();
    Ok(Json(json!({ "questions": lines })))
}

/// The active members of a group with their nicknames, whether each matches the rule in
/// force, and the reminders sent.
pub async fn api_nicknames(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let found = api_blocking(move || {
        if database.group(id)?.is_none() {
            return Ok(None);
        }
        let settings = effective::<Settings>(&database, id)?;
        Ok(Some((settings, database.nicknames(id)?)))
    })
    .await?;
    let Some((settings, lines)) = found else {
        return Err(ApiError(StatusCode::NOT_FOUND, "no such group".into()));
    };
    let rule = settings
        .compile()
        .ok()
        .and_then(|compiled| compiled.nickname);
    let members: Vec<Value> = lines
        .into_iter()
        .map(|line| {
            let shown = line.nickname.clone().unwrap_or_else(|| line.name.clone());
            json!({ "member": line.member_id, "name": line.name, "nickname": line.nickname,
                    "complies": rule.as_ref().is_none_or(|rule| rule.matches(&shown)),
                    "reminders": line.reminders })
        })
        .collect();
    Ok(Json(
        json!({ "group": id, "rule": settings.nickname.pattern, "members": members }),
    ))
}

/// A member's profile from their self-introduction.
pub async fn api_profile(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let found = api_blocking(move || {
        if database.member(id)?.is_none() {
            return Ok(None);
        }
        database.profile(id).map(Some)
    })
    .await?;
    let Some(profile) = found else {
        return Err(ApiError(StatusCode::NOT_FOUND, "no such member".into()));
    };
    Ok(Json(match profile {
        None => json!({ "member": id, "profile": null }),
        Some(profile) => json!({ "member": id, "profile": {
            "city": profile.city, "hours": profile.hours, "occupation": profile.occupation,
            "interests": profile.interests, "intro": profile.intro,
            "updated_at": profile.updated_at,
            "tags": profile.tags.into_iter().map(|(kind, tag)| json!({"kind": kind, "tag": tag}))
                .collect::<Vec<_>>(),
        }}),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_lines_round_trip() {
        let answers = parse_answers(
            "几点开门, 营业时间 => 每天 9:00–21:00\\n节假日照常\n\n/^(?i)where/ => 人民路 1 号",
            90,
        )
        .unwrap();
        assert_eq!(answers.len(), 2);
        assert_eq!(answers[0].keywords, ["几点开门", "营业时间"]);
        assert_eq!(answers[0].reply, "每天 9:00–21:00\n节假日照常");
        assert_eq!(answers[1].pattern, "^(?i)where");
        assert_eq!(answers[1].cooldown_seconds, 90);
        assert_eq!(parse_answers(&answer_lines(&answers), 90).unwrap(), answers);
        assert!(parse_answers("no arrow here", 60).is_err());
    }
}

// ---------------------------------------------------------------------------------------------
// Join codes

/// Letters and digits nobody misreads (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// `count` new random codes of eight characters.
fn new_codes(count: usize) -> Result<Vec<String>, getrandom::Error> {
    let mut codes = Vec::with_capacity(count);
    for _ in 0..count {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes)?;
        codes.push(
            bytes
                .iter()
                .map(|byte| CODE_ALPHABET[usize::from(*byte) % CODE_ALPHABET.len()] as char)
                .collect(),
        );
    }
    Ok(codes)
}

/// `K7QZM2PX` → `K7QZ-M2PX`, as members are given it (the dash is optional when they type it).
fn shown(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() == 8 {
        let (head, tail) = chars.split_at(4);
        format!(
            "{}-{}",
            head.iter().collect::<String>(),
            tail.iter().collect::<String>()
        )
    } else {
        code.to_owned()
    }
}

/// What to issue: from the console's form or the API's body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    scope: String,
    kind: String,
    uses: i64,
    /// Valid this many days; none: no expiry.
    days: Option<i64>,
    count: Option<usize>,
    #[serde(default)]
    note: String,
}

impl IssueRequest {
    fn check(&self) -> Result<Scope, String> {
        let scope = Scope::parse(&self.scope)
            .ok_or_else(|| "scope: default, set:NAME or group:ID".to_owned())?;
        if !matches!(self.kind.as_str(), "invite" | "paid") {
            return Err("kind: invite or paid".to_owned());
        }
        if !(1..=100_000).contains(&self.uses) {
            return Err("uses: 1 to 100,000".to_owned());
        }
        if self.days.is_some_and(|days| !(1..=3650).contains(&days)) {
            return Err("days: 1 to 3650".to_owned());
        }
        if !(1..=500).contains(&self.count.unwrap_or(1)) {
            return Err("count: 1 to 500".to_owned());
        }
        if self.note.chars().count() > 200 {
            return Err("note: at most 200 characters".to_owned());
        }
        Ok(scope)
    }
}

/// Issues codes after the checks; `Err` with the status and the reason.
fn issue(
    database: &Database,
    operator: &Operator,
    request: &IssueRequest,
) -> Result<Result<Vec<String>, (StatusCode, String)>, StoreError> {
    let scope = match request.check() {
        Ok(scope) => scope,
        Err(reason) => return Ok(Err((StatusCode::BAD_REQUEST, reason))),
    };
    if let Scope::Group(id) = scope
        && database.group(id)?.is_none()
    {
        return Ok(Err((StatusCode::NOT_FOUND, "no such group".to_owned())));
    }
    if !may_edit(database, operator, &scope)? {
        return Ok(Err((StatusCode::FORBIDDEN, "not your scope".to_owned())));
    }
    let codes = new_codes(request.count.unwrap_or(1))
        .map_err(|err| StoreError::Unavailable(format!("no randomness: {err}")))?;
    let now = Utc::now();
    let expires = request
        .days
        .map(|days| now.timestamp_millis() + days * 86_400_000);
    let note = request.note.trim();
    database.issue_join_codes(
        &codes,
        &scope.key(),
        &request.kind,
        request.uses,
        expires,
        note,
        &operator.name,
        now,
    )?;
    database.record_audit(
        &operator.name,
        "engagement.codes",
        Some(&scope.key()),
        Some(&format!(
            "{} {} code(s), {} use(s) each; {note}",
            codes.len(),
            request.kind,
            request.uses
        )),
        now,
    )?;
    Ok(Ok(codes))
}

/// Revokes a code, when the operator may change its scope.
fn revoke(
    database: &Database,
    operator: &Operator,
    code: &str,
) -> Result<Option<bool>, StoreError> {
    let code = code.replace('-', "").to_uppercase();
    let Some(found) = database.join_code(&code)? else {
        return Ok(Some(false));
    };
    let scope = Scope::parse(&found.scope).unwrap_or(Scope::Default);
    if !may_edit(database, operator, &scope)? {
        return Ok(None);
    }
    let revoked = database.revoke_join_code(&code, Utc::now())?;
    if revoked {
        database.record_audit(
            &operator.name,
            "engagement.revoke",
            Some(&code),
            None,
            Utc::now(),
        )?;
    }
    Ok(Some(revoked))
}

struct CodeRow {
    code: String,
    scope: String,
    kind: String,
    uses: String,
    expires: String,
    note: String,
    by: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "codes.html")]
struct CodesPage<'a> {
    lang: &'static str,
    t: &'static crate::i18n::Texts,
    e: &'static EngTexts,
    csrf: &'a str,
    can_act: bool,
    issued: Vec<String>,
    codes: Vec<CodeRow>,
}

/// The codes an operator may see: codes are credentials (a paid code lets anyone in), so owners
/// see every code, operators those of the groups they look after, viewers none.
fn visible_codes(database: &Database, operator: &Operator) -> Result<Vec<JoinCode>, StoreError> {
    let mut visible = Vec::new();
    for code in database.join_codes(1000)? {
        let scope = Scope::parse(&code.scope).unwrap_or(Scope::Default);
        if may_edit(database, operator, &scope)? {
            visible.push(code);
        }
    }
    Ok(visible)
}

/// The codes page; `issued`: codes just issued, shown once (never put in a URL).
async fn codes_view(
    state: &AppState,
    signed: &Signed,
    lang: Lang,
    issued: &[String],
) -> Result<Response, AppError> {
    let database = state.database.clone();
    let acting = signed.operator.clone();
    let codes = blocking(lang, move || visible_codes(&database, &acting)).await?;
    let now = Utc::now().timestamp_millis();
    let page = CodesPage {
        lang: lang.code(),
        t: lang.texts(),
        e: words(lang),
        csrf: &signed.csrf,
        can_act: signed
            .operator
            .role
            .at_least(steward_domain::OperatorRole::Operator),
        issued: issued.iter().map(|code| shown(code)).collect(),
        codes: codes
            .into_iter()
            .map(|code| CodeRow {
                revoked: code.revoked_at.is_some()
                    || code.expires_at.is_some_and(|expires| expires <= now)
                    || code.uses >= code.max_uses,
                code: shown(&code.code),
                scope: code.scope,
                kind: code.kind,
                uses: format!("{} / {}", code.uses, code.max_uses),
                expires: code.expires_at.map(format_time).unwrap_or_default(),
                note: code.note,
                by: code.created_by,
            })
            .collect(),
    };
    Ok(render(lang, &page)?.into_response())
}

pub async fn codes_page(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    codes_view(&state, &signed, lang, &[]).await
}

#[derive(Debug, Deserialize)]
pub struct IssueForm {
    csrf: String,
    scope: String,
    kind: String,
    uses: String,
    #[serde(default)]
    days: String,
    count: String,
    #[serde(default)]
    note: String,
}

pub async fn issue_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<IssueForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let request = match (|| -> Result<IssueRequest, String> {
        Ok(IssueRequest {
            scope: form.scope.trim().to_owned(),
            kind: form.kind.trim().to_owned(),
            uses: number("uses", &form.uses)?,
            days: match form.days.trim() {
                "" => None,
                days => Some(number("days", days)?),
            },
            count: Some(number("count", &form.count)?),
            note: form.note.clone(),
        })
    })() {
        Ok(request) => request,
        Err(error) => return Ok((StatusCode::BAD_REQUEST, error).into_response()),
    };
    let database = state.database.clone();
    let acting = signed.operator.clone();
    match blocking(lang, move || issue(&database, &acting, &request)).await? {
        Ok(codes) => codes_view(&state, &signed, lang, &codes).await,
        Err((status, reason)) => Ok((status, reason).into_response()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    csrf: String,
    code: String,
}

pub async fn revoke_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let database = state.database.clone();
    let acting = signed.operator.clone();
    match blocking(lang, move || revoke(&database, &acting, &form.code)).await? {
        None => Ok((StatusCode::FORBIDDEN, lang.texts().not_your_group).into_response()),
        Some(_) => Ok(Redirect::to("/engagement/codes").into_response()),
    }
}

/// Join codes the operator may see, newest first.
pub async fn api_codes(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let codes = api_blocking(move || visible_codes(&database, &operator)).await?;
    let codes: Vec<Value> = codes
        .into_iter()
        .map(|code| {
            json!({ "code": shown(&code.code), "scope": code.scope, "kind": code.kind,
                    "max_uses": code.max_uses, "uses": code.uses, "expires_at": code.expires_at,
                    "note": code.note, "created_by": code.created_by,
                    "created_at": code.created_at, "revoked_at": code.revoked_at })
        })
        .collect();
    Ok(Json(json!({ "codes": codes })))
}

/// Issues codes: `{scope, kind: invite|paid, uses, days?, count?, note?}`.
pub async fn api_issue(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Json(request): Json<IssueRequest>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    match api_blocking(move || issue(&database, &operator, &request)).await? {
        Ok(codes) => Ok(Json(
            json!({ "codes": codes.iter().map(|code| shown(code)).collect::<Vec<_>>() }),
        )),
        Err((StatusCode::FORBIDDEN, _)) => Err(api_forbidden()),
        Err((status, reason)) => Err(ApiError(status, reason)),
    }
}

pub async fn api_revoke(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let shown_code = code.clone();
    let revoked = api_blocking(move || revoke(&database, &operator, &code))
        .await?
        .ok_or_else(api_forbidden)?;
    Ok(Json(json!({ "code": shown_code, "revoked": revoked })))
}

// ---------------------------------------------------------------------------------------------
// Points by hand

/// An operator's award or deduction: `{group, amount, note}` (a negative amount deducts).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    group: i64,
    amount: i64,
    #[serde(default)]
    note: String,
}

/// Awards or deducts after the checks: `Ok(balance)`, or the status and the reason.
fn adjust(
    database: &Database,
    operator: &Operator,
    member: i64,
    adjustment: &Adjustment,
    lang: Lang,
) -> Result<Result<i64, (StatusCode, String)>, StoreError> {
    let en = lang == Lang::En;
    let note = adjustment.note.trim();
    if adjustment.amount == 0
        || adjustment.amount.unsigned_abs() > 1_000_000
        || note.chars().count() > 200
    {
        return Ok(Err((
            StatusCode::BAD_REQUEST,
            if en {
                "amount: 1 to 1,000,000 either way; a note of at most 200 characters".to_owned()
            } else {
                "积分：±1 到 1,000,000；备注最多 200 字".to_owned()
            },
        )));
    }
    if database.member(member)?.is_none() || database.group(adjustment.group)?.is_none() {
        return Ok(Err((
            StatusCode::NOT_FOUND,
            "no such member or group".to_owned(),
        )));
    }
    if !database.may_act_on(operator, adjustment.group)? {
        return Ok(Err((StatusCode::FORBIDDEN, "not your group".to_owned())));
    }
    let settings = effective::<Settings>(database, adjustment.group)?;
    let day = steward_engine::engagement::day_number(settings.today(Utc::now()));
    match database.adjust_points(
        adjustment.group,
        member,
        adjustment.amount,
        note,
        &operator.name,
        day,
        Utc::now(),
    )? {
        Ok(balance) => {
            database.record_audit(
                &operator.name,
                if adjustment.amount < 0 {
                    "points.deduct"
                } else {
                    "points.award"
                },
                Some(&format!("member {member} · group {}", adjustment.group)),
                Some(&format!(
                    "{:+}; {note}; balance {balance}",
                    adjustment.amount
                )),
                Utc::now(),
            )?;
            Ok(Ok(balance))
        }
        Err(balance) => Ok(Err((
            StatusCode::CONFLICT,
            if en {
                format!("the member has only {balance} points in that group")
            } else {
                format!("该成员在这个群只有 {balance} 积分")
            },
        ))),
    }
}

#[derive(Debug, Deserialize)]
pub struct AdjustForm {
    csrf: String,
    group: i64,
    amount: String,
    #[serde(default)]
    note: String,
}

pub async fn adjust_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Path(member): Path<i64>,
    Form(form): Form<AdjustForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let amount = match number::<i64>("amount", &form.amount) {
        Ok(amount) => amount,
        Err(error) => return Ok((StatusCode::BAD_REQUEST, error).into_response()),
    };
    let adjustment = Adjustment {
        group: form.group,
        amount,
        note: form.note,
    };
    let database = state.database.clone();
    let acting = signed.operator.clone();
    match blocking(lang, move || {
        adjust(&database, &acting, member, &adjustment, lang)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/members/{member}")).into_response()),
        Err((status, reason)) => Ok((status, reason).into_response()),
    }
}

pub async fn api_adjust(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Path(member): Path<i64>,
    Json(adjustment): Json<Adjustment>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let group = adjustment.group;
    match api_blocking(move || adjust(&database, &operator, member, &adjustment, Lang::En)).await? {
        Ok(balance) => Ok(Json(
            json!({ "member": member, "group": group, "balance": balance }),
        )),
        Err((status, reason)) => Err(ApiError(status, reason)),
    }
}

// ---------------------------------------------------------------------------------------------
// Lotteries

/// A draw: among the members of `group` who did `rule` (`checkin`, `answer`, `active`) in
/// `period` (`today`, `week`, `month`), `winners` of them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    group: i64,
    rule: String,
    period: String,
    winners: usize,
    #[serde(default)]
    prize: String,
    /// Announce the winners in the group (default true).
    announce: Option<bool>,
}

/// The result of a draw.
#[derive(Debug, Clone)]
struct Drawn {
    id: i64,
    candidates: usize,
    winners: Vec<(i64, String)>,
}

/// Draws fairly (the operating system's randomness, a partial Fisher–Yates shuffle over the
/// candidates in id order) and logs the draw, its candidates' count and its winners.
fn draw(
    database: &Database,
    operator: &Operator,
    request: &Draw,
) -> Result<Result<Drawn, (StatusCode, String)>, StoreError> {
    let Some(period) = Period::parse(&request.period).filter(|period| *period != Period::All)
    else {
        return Ok(Err((
            StatusCode::BAD_REQUEST,
            "period: today, week or month".to_owned(),
        )));
    };
    if !matches!(request.rule.as_str(), "checkin" | "answer" | "active")
        || !(1..=100).contains(&request.winners)
        || request.prize.chars().count() > 200
    {
        return Ok(Err((
            StatusCode::BAD_REQUEST,
            "rule: checkin, answer or active; winners: 1 to 100; prize: at most 200 characters"
                .to_owned(),
        )));
    }
    let Some(group) = database.group_with_account(request.group)? else {
        return Ok(Err((StatusCode::NOT_FOUND, "no such group".to_owned())));
    };
    if !database.may_act_on(operator, request.group)? {
        return Ok(Err((StatusCode::FORBIDDEN, "not your group".to_owned())));
    }
    let settings = effective::<Settings>(database, request.group)?;
    let now = Utc::now();
    let today = settings.today(now);
    let days = period_days(today, period).unwrap_or_default();
    let from = settings.day_start_ms(days.0);
    let mut candidates = database.lottery_candidates(
        request.group,
        &request.rule,
        days,
        (from, now.timestamp_millis()),
    )?;
    let count = candidates.len();
    let take = request.winners.min(count);
    for index in 0..take {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes)
            .map_err(|err| StoreError::Unavailable(format!("no randomness: {err}")))?;
        let span = (count - index) as u64;
        // Rejection sampling: no bias towards the first candidates.
        let limit = u64::MAX - u64::MAX % span;
        let mut value = u64::from_le_bytes(bytes);
        while value >= limit {
            getrandom::fill(&mut bytes)
                .map_err(|err| StoreError::Unavailable(format!("no randomness: {err}")))?;
            value = u64::from_le_bytes(bytes);
        }
        let pick = index + (value % span) as usize;
        candidates.swap(index, pick);
    }
    let winners: Vec<(i64, String, String)> = candidates.into_iter().take(take).collect();
    let names: Vec<String> = winners.iter().map(|(_, _, name)| name.clone()).collect();
    let en = settings.en();
    let prize = request.prize.trim();
    let announcement = match (
        &group.account,
        group.platform.parse::<steward_domain::Platform>(),
    ) {
        (Some(account), Ok(platform))
            if request.announce.unwrap_or(true) && !winners.is_empty() =>
        {
            let mut segments = vec![steward_domain::OutSegment::Text {
                text: if en {
                    format!(
                        "🎉 Lottery{}: the winners are",
                        if prize.is_empty() {
                            String::new()
                        } else {
                            format!(" for {prize}")
                        }
                    )
                } else {
                    format!(
                        "🎉 抽奖结果{}：",
                        if prize.is_empty() {
                            String::new()
                        } else {
                            format!("（{prize}）")
                        }
                    )
                },
            }];
            for (_, user, _) in &winners {
                segments.push(steward_domain::OutSegment::Text { text: " ".into() });
                segments.push(steward_domain::OutSegment::Mention {
                    user: steward_domain::UserId(user.clone()),
                });
            }
            segments.push(steward_domain::OutSegment::Text {
                text: if en {
                    format!(" — drawn among {count} members.")
                } else {
                    format!("（共 {count} 人参与）")
                },
            });
            Some(steward_domain::ActionRequest {
                platform,
                account: steward_domain::AccountId(account.clone()),
                chat: steward_domain::ChatId(group.chat.clone()),
                action: steward_domain::Action::Send {
                    segments,
                    reply_to: None,
                },
            })
        }
        _ => None,
    };
    let rule = format!("{} {}", request.rule, period.name());
    let winners_json = serde_json::to_string(
        &winners
            .iter()
            .map(|(id, _, name)| json!({"member": id, "name": name}))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let id = database.record_lottery(
        request.group,
        &rule,
        prize,
        count as i64,
        &winners_json,
        &operator.name,
        announcement.as_ref(),
        now,
    )?;
    database.record_audit(
        &operator.name,
        "lottery.draw",
        Some(&format!("group {}", request.group)),
        Some(&format!(
            "#{id}; {rule}; {count} candidates; winners: {}; prize: {prize}",
            names.join(", ")
        )),
        now,
    )?;
    Ok(Ok(Drawn {
        id,
        candidates: count,
        winners: winners
            .into_iter()
            .map(|(id, _, name)| (id, name))
            .collect(),
    }))
}

pub async fn api_draw(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Json(request): Json<Draw>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    match api_blocking(move || draw(&database, &operator, &request)).await? {
        Ok(drawn) => Ok(Json(json!({
            "id": drawn.id,
            "candidates": drawn.candidates,
            "winners": drawn.winners.iter().map(|(id, name)| json!({"member": id, "name": name})).collect::<Vec<_>>(),
        }))),
        Err((status, reason)) => Err(ApiError(status, reason)),
    }
}

#[derive(Debug, Deserialize)]
pub struct DrawForm {
    csrf: String,
    group: i64,
    rule: String,
    period: String,
    winners: String,
    #[serde(default)]
    prize: String,
}

pub async fn draw_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<DrawForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let winners = match number::<usize>("winners", &form.winners) {
        Ok(winners) => winners,
        Err(error) => return Ok((StatusCode::BAD_REQUEST, error).into_response()),
    };
    let request = Draw {
        group: form.group,
        rule: form.rule,
        period: form.period,
        winners,
        prize: form.prize,
        announce: Some(true),
    };
    let group = request.group;
    let database = state.database.clone();
    let acting = signed.operator.clone();
    match blocking(lang, move || draw(&database, &acting, &request)).await? {
        Ok(_) => Ok(Redirect::to(&format!("/engagement/board?group={group}")).into_response()),
        Err((status, reason)) => Ok((status, reason).into_response()),
    }
}

// ---------------------------------------------------------------------------------------------
// Roles

/// An operator's decision on a claim: `{group, member, role, approve}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    group: i64,
    member: i64,
    role: String,
    approve: bool,
}

fn decide(
    database: &Database,
    operator: &Operator,
    decision: &Decision,
) -> Result<Result<(), StatusCode>, StoreError> {
    if database.group(decision.group)?.is_none() {
        return Ok(Err(StatusCode::NOT_FOUND));
    }
    if !database.may_act_on(operator, decision.group)? {
        return Ok(Err(StatusCode::FORBIDDEN));
    }
    let now = Utc::now();
    if !database.decide_role(
        decision.group,
        decision.member,
        &decision.role,
        decision.approve,
        &operator.name,
        now,
    )? {
        return Ok(Err(StatusCode::NOT_FOUND));
    }
    database.record_audit(
        &operator.name,
        if decision.approve {
            "role.approve"
        } else {
            "role.reject"
        },
        Some(&format!(
            "member {} · group {}",
            decision.member, decision.group
        )),
        Some(&decision.role),
        now,
    )?;
    Ok(Ok(()))
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    csrf: String,
    group: i64,
    member: i64,
    role: String,
    decision: String,
}

pub async fn decide_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let decision = Decision {
        group: form.group,
        member: form.member,
        role: form.role,
        approve: form.decision == "approve",
    };
    let group = decision.group;
    let database = state.database.clone();
    let acting = signed.operator.clone();
    match blocking(lang, move || decide(&database, &acting, &decision)).await? {
        Ok(()) => Ok(Redirect::to(&format!("/engagement/board?group={group}")).into_response()),
        Err(StatusCode::FORBIDDEN) => {
            Ok((StatusCode::FORBIDDEN, lang.texts().not_your_group).into_response())
        }
        Err(status) => Ok((status, lang.texts().not_found).into_response()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RolesQuery {
    group: Option<i64>,
    member: Option<i64>,
}

/// Role claims, newest first.
pub async fn api_roles(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Query(query): Query<RolesQuery>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let claims = api_blocking(move || database.role_claims(query.group, query.member)).await?;
    let claims: Vec<Value> = claims
        .into_iter()
        .map(|claim| {
            json!({ "group": claim.group_id, "member": claim.member_id, "name": claim.name,
                    "role": claim.role, "status": claim.status, "claimed_at": claim.claimed_at })
        })
        .collect();
    Ok(Json(json!({ "claims": claims })))
}

pub async fn api_decide(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Json(decision): Json<Decision>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let (group, member, role, approve) = (
        decision.group,
        decision.member,
        decision.role.clone(),
        decision.approve,
    );
    match api_blocking(move || decide(&database, &operator, &decision)).await? {
        Ok(()) => Ok(Json(
            json!({ "group": group, "member": member, "role": role,
                                  "status": if approve { "approved" } else { "rejected" } }),
        )),
        Err(StatusCode::FORBIDDEN) => Err(api_forbidden()),
        Err(status) => Err(ApiError(status, "no such group or claim".into())),
    }
}
