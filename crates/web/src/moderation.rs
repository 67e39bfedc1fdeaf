//! Moderation in the console and the API: rule sets per group, per group set and for the whole
//! deployment; the offences the ladder recorded, with "ad / not an ad" marks that fine-tune the
//! classifier; the fleet blacklist; backtests with progress.
//!
//! Who may do what: owners edit the default and the sets' rules and every group's; operators the
//! rules of the groups they look after, lift blacklistings and mark samples; viewers read.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use steward_domain::OperatorRole;
use steward_engine::moderation::{
    BacktestReport, BacktestSpec, ModerationShared, Progress, Rules, RulesError, Step, Tally,
    backtest,
};
use steward_store::moderation::{DEFAULT_SCOPE, group_scope, set_scope};
use steward_store::{Database, Operator, StoreError};
use steward_text::Detector;

use crate::AppState;
use crate::api::{ApiError, ApiOperator};
use crate::console::{AppError, blocking, format_time, parse_before, refuse_form, render};
use crate::documents::{
    editor_document, inherited_notice, refused, save, scope_label, stored_or_default,
};
use crate::i18n::Lang;
use crate::session::Signed;

/// Fine-tunes the shipped model with every sample operators marked, and puts it in force.
pub fn retrain(database: &Database, shared: &ModerationShared) -> Result<usize, StoreError> {
    // One retraining at a time, each from every sample stored when it starts: two marks at once
    // cannot end with the older sample set in force.
    static RETRAINING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = RETRAINING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let samples = database.ad_samples()?;
    if samples.is_empty() {
        return Ok(0);
    }
    let normalized: Vec<(String, bool)> = samples
        .into_iter()
        .map(|(text, is_ad)| (steward_text::normalize(&text), is_ad))
        .collect();
    let base = steward_text::Classifier::shipped();
    let tuned = steward_text::fine_tune(&base, &normalized);
    shared.set_model(tuned);
    Ok(normalized.len())
}

/// A rule scope, checked: `default`, `set:NAME` or `group:ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Default,
    Set(String),
    Group(i64),
}

impl Scope {
    pub fn parse(text: &str) -> Option<Scope> {
        let text = text.trim();
        if text == DEFAULT_SCOPE {
            return Some(Scope::Default);
        }
        if let Some(name) = text.strip_prefix("set:") {
            return valid_set_name(name).then(|| Scope::Set(name.to_owned()));
        }
        text.strip_prefix("group:")
            .and_then(|id| id.parse().ok())
            .map(Scope::Group)
    }

    pub fn key(&self) -> String {
        match self {
            Scope::Default => DEFAULT_SCOPE.to_owned(),
            Scope::Set(name) => set_scope(name),
            Scope::Group(id) => group_scope(*id),
        }
    }
}

/// A group moved between sets: both features' documents in force may have changed.
fn sets_changed(state: &AppState) {
    state.moderation.rules_changed();
    state.engagement.settings_changed();
}

/// A set's name as it is already in use, typed in another case or width (`VIP`, `ＶＩＰ` for a set
/// whose groups or rules say `vip`), so that a group joins the set its owner means. The exact
/// spelling first; among others, the first by bytes. A name in use nowhere, as typed.
fn known_set_name(database: &Database, typed: &str) -> Result<String, StoreError> {
    Ok(known_name(database.set_names()?, typed))
}

/// [`known_set_name`] among `names` (sorted).
fn known_name(names: Vec<String>, typed: &str) -> String {
    if names.iter().any(|name| name == typed) {
        return typed.to_owned();
    }
    let folded = steward_text::case_and_width_folded(typed);
    names
        .into_iter()
        .find(|name| steward_text::case_and_width_folded(name) == folded)
        .unwrap_or_else(|| typed.to_owned())
}

fn valid_set_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=64).contains(&count) && !name.chars().any(|c| c.is_control() || c == ':')
}

/// Whether the operator may change rules of this scope.
pub(crate) fn may_edit(
    database: &Database,
    operator: &Operator,
    scope: &Scope,
) -> Result<bool, StoreError> {
    match scope {
        Scope::Group(id) => database.may_act_on(operator, *id),
        _ => Ok(operator.role == OperatorRole::Owner),
    }
}

// ---------------------------------------------------------------------------------------------
// Words

pub struct ModTexts {
    pub moderation: &'static str,
    pub rule_sets: &'static str,
    pub scope: &'static str,
    pub updated: &'static str,
    pub edit: &'static str,
    pub default_rules: &'static str,
    pub group_sets: &'static str,
    /// Back from one group's offences to every group's.
    pub all_groups: &'static str,
    pub offences: &'static str,
    /// The offence list as a spreadsheet.
    pub download_csv: &'static str,
    /// A member's id on the platform.
    pub user_id: &'static str,
    /// The CSV's columns: whether an offence counts on the ladder, whether its message is still
    /// in the group.
    pub counted: &'static str,
    pub still_there: &'static str,
    pub blacklist: &'static str,
    pub lift: &'static str,
    pub mark_ad: &'static str,
    pub mark_not_ad: &'static str,
    /// Beside an offence another detector than the classifier caught: where to allow it.
    pub not_the_classifier: &'static str,
    /// An offence marked a mistake.
    pub forgiven: &'static str,
    pub left_in_place: &'static str,
    pub detector: &'static str,
    pub reason: &'static str,
    pub step: &'static str,
    pub member: &'static str,
    pub message: &'static str,
    pub backtest: &'static str,
    pub save: &'static str,
    pub revert: &'static str,
    /// `{source}`: where the rules in force come from (a scope, or [`ModTexts::built_in`]).
    pub inherited: &'static str,
    pub built_in: &'static str,
    pub not_blacklisted: &'static str,
    pub no_such_message: &'static str,
    pub enabled: &'static str,
    pub contacts: &'static str,
    pub links: &'static str,
    pub allowed_domains: &'static str,
    pub keywords: &'static str,
    pub classifier: &'static str,
    pub classifier_margin: &'static str,
    pub flood: &'static str,
    pub repeat: &'static str,
    pub new_member: &'static str,
    pub ladder: &'static str,
    pub ladder_help: &'static str,
    pub window_days: &'static str,
    pub delete: &'static str,
    pub tell_member: &'static str,
    pub exempt_admins: &'static str,
    pub whitelist: &'static str,
    pub rules_text: &'static str,
    pub language: &'static str,
    pub night: &'static str,
    pub one_per_line: &'static str,
    pub messages_in_seconds: &'static str,
    pub groups_in_minutes: &'static str,
    pub min_chars: &'static str,
    pub minutes_after_joining: &'static str,
    pub utc_offset: &'static str,
    pub time_zone: &'static str,
    pub put_in_set: &'static str,
    /// A set's editor: the groups in it.
    pub groups_of_set: &'static str,
    pub set_name: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub groups_filter: &'static str,
    pub candidate: &'static str,
    pub in_force_only: &'static str,
    pub run: &'static str,
    pub running: &'static str,
    pub in_force: &'static str,
    pub only_candidate: &'static str,
    pub only_in_force: &'static str,
    pub messages_read: &'static str,
    pub refused: &'static str,
    pub examples: &'static str,
    pub top_members: &'static str,
    pub failed: &'static str,
    pub saved: &'static str,
    pub model_samples: &'static str,
    pub try_message: &'static str,
    pub try_help: &'static str,
    pub caught: &'static str,
    /// The link policies, as the editor offers them.
    pub links_off: &'static str,
    pub links_suspicious: &'static str,
    pub links_all: &'static str,
    /// Before the reason a submitted form was refused.
    pub not_saved: &'static str,
    pub not_caught: &'static str,
}

static MZH: ModTexts = ModTexts {
    moderation: "群管与反广告",
    rule_sets: "规则集",
    scope: "范围",
    updated: "更新",
    edit: "编辑",
    default_rules: "全部群的默认规则",
    group_sets: "群组集",
    all_groups: "全部群",
    offences: "违规记录",
    download_csv: "下载 CSV",
    user_id: "用户 ID",
    counted: "计入违规次数",
    still_there: "消息未删除",
    blacklist: "全网黑名单",
    lift: "解除",
    mark_ad: "确认是广告",
    mark_not_ad: "不是广告（误判）",
    not_the_classifier: "误判？不是广告分类器判的：在规则里调整",
    forgiven: "已标记为误判：不计入违规次数",
    left_in_place: "消息发出太久，机器人无法删除：仍在群里，请手动删除",
    detector: "检测器",
    reason: "原因",
    step: "处理",
    member: "成员",
    message: "消息",
    backtest: "规则回测",
    save: "保存",
    revert: "删除本范围规则（沿用上级）",
    inherited: "本范围没有自己的规则：显示的是此处生效的规则，来自 {source}；保存后成为本范围自己的规则。",
    built_in: "内置默认值",
    not_blacklisted: "该成员不在黑名单上（可能已被解除）。",
    no_such_message: "没有这条消息。",
    enabled: "启用群管",
    contacts: "联系方式（手机号、微信号、QQ 号、邮箱）",
    links: "链接",
    allowed_domains: "允许的域名",
    keywords: "违禁词",
    classifier: "广告分类器",
    classifier_margin: "分类器阈值偏移（正数更宽松）",
    flood: "刷屏检测",
    repeat: "跨群重复内容",
    new_member: "新成员从严",
    ladder: "处罚阶梯",
    ladder_help: "用逗号分隔：warn（警告）、mute 10m（禁言，可用 s/m/h/d）、kick（踢出）、blacklist（踢出并拉黑全网）。最后一级重复使用。",
    window_days: "违规计数的有效天数",
    delete: "删除违规消息",
    tell_member: "在群里告诉成员原因",
    exempt_admins: "群主和管理员豁免",
    whitelist: "白名单（平台用户 ID）",
    rules_text: "群规文字",
    language: "机器人提示语言",
    night: "夜间全员禁言",
    one_per_line: "每行一个",
    messages_in_seconds: "条消息 / 秒数",
    groups_in_minutes: "个群 / 分钟内",
    min_chars: "最少字数",
    minutes_after_joining: "入群后分钟数",
    time_zone: "时区（如 Asia/Shanghai，随夏令时）",
    utc_offset: "或相对 UTC 的分钟数（北京时间 480）",
    put_in_set: "把群放进群组集（留空则移出）",
    groups_of_set: "本群组集的群",
    set_name: "群组集名称",
    from: "开始日期",
    to: "结束日期（不含）",
    groups_filter: "群 ID（逗号分隔，留空为全部）",
    candidate: "要试的规则",
    in_force_only: "只看现行规则",
    run: "开始回测",
    running: "回测进行中",
    in_force: "现行规则",
    only_candidate: "只有新规则会抓到",
    only_in_force: "只有现行规则会抓到",
    messages_read: "已读事件",
    refused: "黑名单成员被拒",
    examples: "示例",
    top_members: "违规最多的成员",
    failed: "失败",
    saved: "已保存",
    model_samples: "运营标注的样本",
    try_message: "试一条消息",
    try_help: "用这套规则的文字检测（联系方式、链接、违禁词、广告分类器）检查；刷屏和跨群重复需要多条消息，这里不算。",
    caught: "会被拦截",
    links_off: "不管链接（off）",
    links_suspicious: "可疑的链接（suspicious：群邀请、短链接、IP、廉价域名、伪装的链接）",
    links_all: "所有链接（all，允许的域名除外）",
    not_saved: "未保存：",
    not_caught: "不会被拦截",
};

static MEN: ModTexts = ModTexts {
    moderation: "Moderation and anti-ad",
    rule_sets: "Rule sets",
    scope: "Scope",
    updated: "Updated",
    edit: "Edit",
    default_rules: "Default for every group",
    group_sets: "Group sets",
    all_groups: "every group",
    offences: "Offences",
    download_csv: "Download CSV",
    user_id: "User id",
    counted: "Counted",
    still_there: "Message left",
    blacklist: "Fleet blacklist",
    lift: "Lift",
    mark_ad: "Confirm: an ad",
    mark_not_ad: "Not an ad (mistake)",
    not_the_classifier: "A mistake? Not the ad classifier's: change the rules",
    forgiven: "marked a mistake: not counted",
    left_in_place: "too old for the bot to delete: still in the group, delete it by hand",
    detector: "Detector",
    reason: "Reason",
    step: "Step",
    member: "Member",
    message: "Message",
    backtest: "Backtest",
    save: "Save",
    revert: "Delete this scope's rules (inherit)",
    inherited: "No rules of its own here: shown are the rules in force, from {source}; saving stores them for this scope.",
    built_in: "the built-in defaults",
    not_blacklisted: "That member is not on the blacklist (perhaps already lifted).",
    no_such_message: "There is no such message.",
    enabled: "Moderation on",
    contacts: "Contact details (phone, WeChat, QQ, e-mail)",
    links: "Links",
    allowed_domains: "Allowed domains",
    keywords: "Forbidden words",
    classifier: "Ad classifier",
    classifier_margin: "Classifier margin (positive flags less)",
    flood: "Flood",
    repeat: "Same text across groups",
    new_member: "Strict with new members",
    ladder: "Ladder",
    ladder_help: "Comma-separated: warn, mute 10m (s/m/h/d), kick, blacklist (kick and refuse in every group). The last step repeats.",
    window_days: "Offences count for (days)",
    delete: "Delete the offending message",
    tell_member: "Tell the member why, in the group",
    exempt_admins: "Owner and admins exempt",
    whitelist: "Whitelist (platform user ids)",
    rules_text: "Group rules text",
    language: "Language of the bot's notices",
    night: "Night mode (mute all)",
    one_per_line: "one per line",
    messages_in_seconds: "messages / seconds",
    groups_in_minutes: "groups / minutes",
    min_chars: "at least (characters)",
    minutes_after_joining: "minutes after joining",
    time_zone: "Time zone (such as Europe/Berlin; follows summer time)",
    utc_offset: "or minutes east of UTC (China 480)",
    put_in_set: "Put a group in a set (empty: take it out)",
    groups_of_set: "The groups in this set",
    set_name: "Set name",
    from: "From (date)",
    to: "To (date, excluded)",
    groups_filter: "Group ids (comma-separated; empty: all)",
    candidate: "Rules to try",
    in_force_only: "Only the rules in force",
    run: "Run backtest",
    running: "Backtest running",
    in_force: "Rules in force",
    only_candidate: "Caught only by the rules tried",
    only_in_force: "Caught only by the rules in force",
    messages_read: "Events read",
    refused: "Blacklisted members refused",
    examples: "Examples",
    top_members: "Members with most offences",
    failed: "Failed",
    saved: "Saved",
    model_samples: "Samples marked by operators",
    try_message: "Try a message",
    try_help: "Checked by these rules' text detectors (contact details, links, forbidden words, the ad classifier); flood and repeats need several messages and are not tried here.",
    not_saved: "Not saved: ",
    caught: "Caught",
    links_off: "none (off)",
    links_suspicious: "suspicious ones (invites, shorteners, IP addresses, cheap domains, disguised links)",
    links_all: "all (but the allowed domains)",
    not_caught: "Not caught",
};

fn words(lang: Lang) -> &'static ModTexts {
    match lang {
        Lang::Zh => &MZH,
        Lang::En => &MEN,
    }
}

// ---------------------------------------------------------------------------------------------
// Overview page

struct ScopeRow {
    scope: String,
    label: String,
    updated: String,
    by: String,
}

struct OffenceRow {
    event_id: i64,
    time: String,
    member: String,
    member_id: i64,
    group: String,
    group_id: i64,
    detector: String,
    /// The classifier caught it: a mark either way decides. Other detectors' offences have
    /// *Confirm: an ad* only (a sample to learn from) and lead to the rules, where they are
    /// changed.
    by_classifier: bool,
    /// Marked a mistake: no longer counted on the member's ladder.
    forgiven: bool,
    reason: String,
    step: String,
    text: String,
    left_in_place: bool,
}

struct BlacklistRow {
    member_id: i64,
    member: String,
    reason: String,
    since: String,
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct OverviewPage<'a> {
    lang: &'static str,
    t: &'static crate::i18n::Texts,
    m: &'static ModTexts,
    csrf: &'a str,
    scopes: Vec<ScopeRow>,
    sets: Vec<(String, i64)>,
    offences: Vec<OffenceRow>,
    /// The link to the next page of offences back, when there is one.
    older: Option<String>,
    /// The group the offences are of, when the list is of one (as the operator reads it).
    of_group: Option<String>,
    /// The same offences as a CSV file.
    csv_link: String,
    /// This page, for its forms to return to.
    here: String,
    blacklist: Vec<BlacklistRow>,
    samples: usize,
    can_act: bool,
}

#[derive(Debug, Deserialize)]
pub struct OverviewQuery {
    group: Option<i64>,
    /// The offence list's next page back: older than this offence's `time.id`.
    before: Option<String>,
}

/// Offences a page of the moderation overview lists.
const OFFENCES_PER_PAGE: i64 = 100;

pub async fn overview(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Query(query): Query<OverviewQuery>,
) -> Result<Html<String>, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    let database = state.database.clone();
    let group = query.group;
    // Only a cursor that reads as one goes back into the page's own address.
    let before_text = query
        .before
        .clone()
        .filter(|before| parse_before(before).is_some());
    let (records, sets, offences, blacklist, samples, of_group) = blocking(lang, move || {
        let of_group = match query.group {
            Some(id) => Some(scope_label(&database, &group_scope(id), lang)?),
            None => None,
        };
        let records = database
            .all_rules()?
            .into_iter()
            .map(|record| Ok((scope_label(&database, &record.scope, lang)?, record)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((
            records,
            database.group_sets()?,
            database.offences_before(
                query.group,
                None,
                // One more than a page: whether there is an older one.
                OFFENCES_PER_PAGE + 1,
                query.before.as_deref().and_then(parse_before),
            )?,
            database.blacklisted()?,
            database.ad_samples()?.len(),
            of_group,
        ))
    })
    .await?;
    let m = words(lang);
    let en = lang == Lang::En;
    let mut offences = offences;
    let more = offences.len() as i64 > OFFENCES_PER_PAGE;
    offences.truncate(OFFENCES_PER_PAGE as usize);
    let older = more.then(|| offences.last()).flatten().map(|last| {
        let before = format!("{}.{}", last.offence.time, last.id);
        match group {
            Some(group) => format!("/moderation?group={group}&before={before}"),
            None => format!("/moderation?before={before}"),
        }
    });
    let here = match (group, &before_text) {
        (Some(group), Some(before)) => format!("/moderation?group={group}&before={before}"),
        (Some(group), None) => format!("/moderation?group={group}"),
        (None, Some(before)) => format!("/moderation?before={before}"),
        (None, None) => "/moderation".to_owned(),
    };
    let page = OverviewPage {
        here,
        older,
        of_group,
        csv_link: match group {
            Some(group) => format!("/moderation/offences.csv?group={group}"),
            None => "/moderation/offences.csv".to_owned(),
        },
        lang: lang.code(),
        t: lang.texts(),
        m,
        csrf: &signed.csrf,
        scopes: records
            .into_iter()
            .map(|(label, record)| ScopeRow {
                label: if record.scope == DEFAULT_SCOPE {
                    m.default_rules.to_owned()
                } else {
                    label
                },
                scope: record.scope,
                updated: format_time(record.updated_at),
                by: record.updated_by,
            })
            .collect(),
        sets,
        offences: offences
            .into_iter()
            .map(|line| OffenceRow {
                event_id: line.offence.event_id,
                time: format_time(line.offence.time),
                member: format!("{} ({})", line.member_name, line.user_id),
                member_id: line.offence.member_id,
                group: line.group_title,
                group_id: line.offence.group_id,
                by_classifier: line.offence.detector == Detector::Classifier.name(),
                forgiven: line.forgiven,
                detector: Detector::label_of(&line.offence.detector, en),
                reason: line.offence.reason.in_language(en).to_owned(),
                step: Step::said_of(&line.offence.step, en),
                text: shortened(&line.text.unwrap_or_default()),
                left_in_place: line.left_in_place,
            })
            .collect(),
        blacklist: blacklist
            .into_iter()
            .map(|entry| BlacklistRow {
                member_id: entry.member_id,
                member: format!("{} ({})", entry.name, entry.user_id),
                reason: entry.reason.in_language(en).to_owned(),
                since: format_time(entry.added_at),
            })
            .collect(),
        samples,
        can_act: signed.operator.role.at_least(OperatorRole::Operator),
    };
    render(lang, &page)
}

// ---------------------------------------------------------------------------------------------
// The rules editor

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage<'a> {
    lang: &'static str,
    t: &'static crate::i18n::Texts,
    m: &'static ModTexts,
    csrf: &'a str,
    scope: String,
    title: String,
    stored: bool,
    rules: Rules,
    keywords: String,
    allowed_domains: String,
    whitelist: String,
    ladder: String,
    error: Option<String>,
    can_edit: bool,
    group_set: Option<String>,
    /// The message tried, and what these rules' text detectors say of it.
    sample: String,
    tried: Option<String>,
    /// The message was tried as from a new member: the box stays ticked.
    tried_as_new: bool,
    /// A set's editor: its groups (id, as the operator reads it).
    set_groups: Vec<(i64, String)>,
    /// The stored document's fields this version does not know, joined.
    skipped: String,
    /// Without rules of its own: where the rules shown come from, said in full.
    inherited: String,
    /// Shown right after a save.
    saved: bool,
}

#[derive(Debug, Deserialize)]
pub struct ScopeQuery {
    scope: Option<String>,
    /// A message to try against the scope's rules.
    sample: Option<String>,
    /// Try it as from a member who has just joined.
    new_member: Option<String>,
    /// Just saved: the editor says so.
    saved: Option<String>,
}

/// What the editor shows besides the rules.
struct EditorState {
    /// The scope as the operator reads it.
    title: String,
    stored: bool,
    error: Option<String>,
    can_edit: bool,
    group_set: Option<String>,
}

fn rules_page<'a>(
    lang: Lang,
    csrf: &'a str,
    scope: &Scope,
    rules: Rules,
    state: EditorState,
) -> RulesPage<'a> {
    let EditorState {
        title,
        stored,
        error,
        can_edit,
        group_set,
    } = state;
    RulesPage {
        lang: lang.code(),
        t: lang.texts(),
        m: words(lang),
        csrf,
        scope: scope.key(),
        title,
        stored,
        keywords: rules.keywords.join("\n"),
        allowed_domains: rules.allowed_domains.join("\n"),
        whitelist: rules.whitelist.join("\n"),
        ladder: rules.ladder.join(", "),
        rules,
        error,
        can_edit,
        group_set,
        sample: String::new(),
        tried: None,
        tried_as_new: false,
        set_groups: Vec::new(),
        skipped: String::new(),
        inherited: String::new(),
        saved: false,
    }
}

pub async fn rules_editor(
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
        let (rules, source, skipped) = editor_document::<Rules>(&database, &lookup)?;
        let stored = source.is_none();
        let skipped = skipped.join(", ");
        let set = match lookup {
            Scope::Group(id) => database.group_set(id)?,
            _ => None,
        };
        let set_groups = match &lookup {
            Scope::Set(name) => database
                .groups_in_set(name)?
                .into_iter()
                .map(|id| Ok((id, scope_label(&database, &group_scope(id), lang)?)))
                .collect::<Result<Vec<_>, StoreError>>()?,
            _ => Vec::new(),
        };
        Ok(Some((
            rules,
            stored,
            may_edit(&database, &acting, &lookup)?,
            set,
            skipped,
            source
                .map(|source| scope_label(&database, &source, lang))
                .transpose()?,
            (scope_label(&database, &lookup.key(), lang)?, set_groups),
        )))
    })
    .await?;
    let Some((rules, stored, can_edit, set, skipped, source, (title, set_groups))) = found else {
        return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response());
    };
    // "Would this be caught?": the text detectors of these rules on a message the operator types.
    let sample: String = query
        .sample
        .unwrap_or_default()
        .chars()
        .take(2000)
        .collect();
    let tried = (!sample.trim().is_empty()).then(|| {
        let compiled = rules.compile(state.moderation.model());
        let m = words(lang);
        match compiled
            .chain
            .check_text(&sample, query.new_member.is_some())
        {
            Some(verdict) => match lang {
                Lang::Zh => format!(
                    "{}：{}（{}）",
                    m.caught,
                    verdict.zh,
                    verdict.detector.label(false)
                ),
                Lang::En => format!(
                    "{}: {} ({})",
                    m.caught,
                    verdict.en,
                    verdict.detector.label(true)
                ),
            },
            None => m.not_caught.to_owned(),
        }
    });
    let mut page = rules_page(
        lang,
        &signed.csrf,
        &scope,
        rules,
        EditorState {
            title,
            stored,
            error: None,
            can_edit,
            group_set: set,
        },
    );
    page.sample = sample;
    page.tried = tried;
    page.tried_as_new = query.new_member.is_some();
    page.set_groups = set_groups;
    page.saved = query.saved.is_some();
    page.skipped = skipped;
    let m = words(lang);
    page.inherited = inherited_notice(m.inherited, m.built_in, source.as_deref());
    Ok(render(lang, &page)?.into_response())
}

/// The editor's form. Checkboxes arrive only when ticked.
#[derive(Debug, Deserialize)]
pub struct RulesForm {
    csrf: String,
    scope: String,
    enabled: Option<String>,
    contacts: Option<String>,
    links: String,
    #[serde(default)]
    allowed_domains: String,
    #[serde(default)]
    keywords: String,
    classifier: Option<String>,
    classifier_margin: String,
    flood: Option<String>,
    flood_messages: String,
    flood_seconds: String,
    repeat: Option<String>,
    repeat_groups: String,
    repeat_minutes: String,
    repeat_chars: String,
    new_member: Option<String>,
    new_member_minutes: String,
    ladder: String,
    window_days: String,
    delete: Option<String>,
    tell_member: Option<String>,
    exempt_admins: Option<String>,
    #[serde(default)]
    whitelist: String,
    #[serde(default)]
    rules_text: String,
    language: String,
    night: Option<String>,
    night_start: String,
    night_end: String,
    night_offset: String,
    #[serde(default)]
    night_time_zone: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A box's number; `lenient`: a box that holds none gives `default` instead of an error.
fn read_number<T: std::str::FromStr>(
    field: &str,
    value: &str,
    default: T,
    lenient: bool,
) -> Result<T, RulesError> {
    match value.trim().parse() {
        Ok(number) => Ok(number),
        Err(_) if lenient => Ok(default),
        Err(_) => {
            let value = value.trim();
            // The margin takes a fraction, night mode's offset a sign; the other boxes count.
            let (zh_kind, en_kind) = match field {
                "classifier_margin" => ("数（如 -1.5）", "a number such as -1.5"),
                "night" => (
                    "整数分钟（如 -300）",
                    "a whole number of minutes such as -300",
                ),
                _ => (" 0 或更大的整数", "a whole number, 0 or more"),
            };
            let zh_field = match field {
                "classifier_margin" => "分类器阈值调整",
                "flood" => "刷屏",
                "repeat" => "跨群重复",
                "new_member" => "新成员",
                "night" => "夜间模式 UTC 偏移（分钟）",
                "window_days" => "计数窗口（天）",
                other => other,
            };
            Err(RulesError::new(
                format!("{zh_field}：`{value}` 不是{zh_kind}"),
                format!("{field}: `{value}` is not {en_kind}"),
            ))
        }
    }
}

impl RulesForm {
    fn to_rules(&self) -> Result<Rules, RulesError> {
        let rules = self.read(false)?;
        rules.validate_submitted()?;
        Ok(rules)
    }

    /// The form as typed, for the editor to show again beside what was wrong: a box that holds
    /// no number shows the built-in value.
    fn as_typed(&self) -> Rules {
        self.read(true).unwrap_or_default()
    }

    /// The rules the form holds; `lenient`: a box that holds no number takes the built-in value
    /// instead of refusing the form.
    fn read(&self, lenient: bool) -> Result<Rules, RulesError> {
        let d = Rules::default();
        let rules = Rules {
            enabled: self.enabled.is_some(),
            contacts: self.contacts.is_some(),
            links: self.links.trim().to_owned(),
            allowed_domains: lines(&self.allowed_domains),
            keywords: lines(&self.keywords),
            classifier: self.classifier.is_some(),
            classifier_margin: read_number(
                "classifier_margin",
                &self.classifier_margin,
                d.classifier_margin,
                lenient,
            )?,
            flood: steward_engine::moderation::Flood {
                enabled: self.flood.is_some(),
                messages: read_number("flood", &self.flood_messages, d.flood.messages, lenient)?,
                seconds: read_number("flood", &self.flood_seconds, d.flood.seconds, lenient)?,
            },
            repeat: steward_engine::moderation::Repeat {
                enabled: self.repeat.is_some(),
                groups: read_number("repeat", &self.repeat_groups, d.repeat.groups, lenient)?,
                minutes: read_number("repeat", &self.repeat_minutes, d.repeat.minutes, lenient)?,
                min_chars: read_number("repeat", &self.repeat_chars, d.repeat.min_chars, lenient)?,
            },
            new_member: steward_engine::moderation::NewMember {
                enabled: self.new_member.is_some(),
                minutes: read_number(
                    "new_member",
                    &self.new_member_minutes,
                    d.new_member.minutes,
                    lenient,
                )?,
            },
            ladder: self
                .ladder
                .split([',', '\n'])
                .map(str::trim)
                .filter(|step| !step.is_empty())
                .map(str::to_owned)
                .collect(),
            window_days: read_number("window_days", &self.window_days, d.window_days, lenient)?,
            delete: self.delete.is_some(),
            tell_member: self.tell_member.is_some(),
            exempt_admins: self.exempt_admins.is_some(),
            whitelist: lines(&self.whitelist),
            rules_text: self.rules_text.trim().to_owned(),
            language: self.language.trim().to_owned(),
            night: steward_engine::moderation::Night {
                enabled: self.night.is_some(),
                start: self.night_start.trim().to_owned(),
                end: self.night_end.trim().to_owned(),
                time_zone: self.night_time_zone.trim().to_owned(),
                // Not read when a zone is named: a cleared box is then no error.
                utc_offset_minutes: if self.night_offset.trim().is_empty()
                    && !self.night_time_zone.trim().is_empty()
                {
                    steward_engine::moderation::Night::default().utc_offset_minutes
                } else {
                    read_number(
                        "night",
                        &self.night_offset,
                        d.night.utc_offset_minutes,
                        lenient,
                    )?
                },
            },
        };
        Ok(rules)
    }
}

pub async fn save_rules_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<RulesForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let Some(scope) = Scope::parse(&form.scope) else {
        return Ok((StatusCode::BAD_REQUEST, lang.texts().not_found).into_response());
    };
    let database = state.database.clone();
    let acting = signed.operator.clone();
    let check = scope.clone();
    let (allowed, exists, stored, set, title) = blocking(lang, move || {
        let (exists, set) = match check {
            Scope::Group(id) => (database.group(id)?.is_some(), database.group_set(id)?),
            _ => (true, None),
        };
        let stored = database.rules(&check.key())?.is_some();
        let title = scope_label(&database, &check.key(), lang)?;
        Ok((
            may_edit(&database, &acting, &check)?,
            exists,
            stored,
            set,
            title,
        ))
    })
    .await?;
    if !exists {
        return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response());
    }
    if !allowed {
        return Ok((StatusCode::FORBIDDEN, refused(&scope, lang)).into_response());
    }
    let rules = match form.to_rules() {
        Ok(rules) => rules,
        Err(error) => {
            // Nothing is stored: the form again, as typed, with what was wrong above it.
            let page = rules_page(
                lang,
                &signed.csrf,
                &scope,
                form.as_typed(),
                EditorState {
                    title,
                    stored,
                    error: Some(format!(
                        "{}{}",
                        words(lang).not_saved,
                        error.in_language(lang == Lang::En)
                    )),
                    can_edit: true,
                    group_set: set,
                },
            );
            return Ok((StatusCode::BAD_REQUEST, render(lang, &page)?).into_response());
        }
    };
    let database = state.database.clone();
    let shared = state.clone();
    let name = signed.operator.name.clone();
    let key = scope.clone();
    blocking(lang, move || save(&database, &shared, &name, &key, &rules)).await?;
    Ok(Redirect::to(&format!(
        "/moderation/rules?scope={}&saved=1",
        urlencode(&scope.key())
    ))
    .into_response())
}

pub(crate) fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[derive(Debug, Deserialize)]
pub struct GroupSetForm {
    csrf: String,
    group: i64,
    #[serde(default)]
    set: String,
}

pub async fn group_set_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<GroupSetForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    if signed.operator.role != OperatorRole::Owner {
        return Ok((StatusCode::FORBIDDEN, lang.texts().forbidden).into_response());
    }
    let set = form.set.trim().to_owned();
    if !set.is_empty() && !valid_set_name(&set) {
        let refusal = match lang {
            Lang::Zh => "群组集名称：1–64 个字符，不能含 `:`",
            Lang::En => "set name: 1–64 characters, no `:`",
        };
        return Ok((StatusCode::BAD_REQUEST, refusal).into_response());
    }
    let database = state.database.clone();
    let shared = state.clone();
    let name = signed.operator.name.clone();
    let group = form.group;
    let found = blocking(lang, move || {
        if database.group(group)?.is_none() {
            return Ok(false);
        }
        let set = match set.is_empty() {
            true => None,
            false => Some(known_set_name(&database, &set)?),
        };
        database.set_group_set(group, set.as_deref())?;
        sets_changed(&shared);
        database.record_audit(
            &name,
            "rules.group_set",
            Some(&group_scope(group)),
            set.as_deref(),
            Utc::now(),
        )?;
        Ok(true)
    })
    .await?;
    if !found {
        return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response());
    }
    Ok(Redirect::to(&format!("/moderation/rules?scope=group%3A{group}")).into_response())
}

/// A cell of a CSV file, quoted; text a spreadsheet would run as a formula (`=HYPERLINK(…)`,
/// `+1`, `-2`, `@SUM`, a leading tab or carriage return) starts with `'` and is shown as text.
fn csv_cell(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    format!(
        "\"{}{}\"",
        if formula { "'" } else { "" },
        text.replace('"', "\"\"")
    )
}

/// Offences a CSV download reads at a time.
const CSV_PAGE: i64 = 1000;

/// A CSV line of cells.
fn csv_row(cells: &[&str]) -> String {
    let cells: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
    cells.join(",") + "\r\n"
}

/// An offence as a CSV line, in the operator's language.
fn offence_csv_row(line: &steward_store::OffenceLine, en: bool) -> String {
    csv_row(&[
        &format_time(line.offence.time),
        &line.member_name,
        &line.user_id,
        &line.group_title,
        &Detector::label_of(&line.offence.detector, en),
        line.offence.reason.in_language(en),
        &Step::said_of(&line.offence.step, en),
        line.text.as_deref().unwrap_or_default(),
        // Counted on the ladder, or marked a mistake.
        match (line.forgiven, en) {
            (false, false) => "是",
            (false, true) => "yes",
            (true, false) => "否（已标记为误判）",
            (true, true) => "no (marked a mistake)",
        },
        // The platform no longer let the bot delete it.
        match (line.left_in_place, en) {
            (false, _) => "",
            (true, false) => "仍在群里",
            (true, true) => "still in the group",
        },
    ])
}

/// Every offence (of one group with `?group=`), newest first, as a CSV file in the operator's
/// language: for a spreadsheet or a report. UTF-8 with a byte-order mark, so that Excel reads
/// Chinese as such.
pub async fn offences_csv(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Query(query): Query<OverviewQuery>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    let en = lang == Lang::En;
    let database = state.database.clone();
    let group = query.group;
    // The first page is read before answering, so that a database error is an error page; the
    // rest is read a page at a time while the file goes out: a year's offences are not held in
    // memory at once.
    let reading = database.clone();
    let first = blocking(lang, move || {
        reading.offences_before(group, None, CSV_PAGE, None)
    })
    .await?;
    let m = words(lang);
    let t = lang.texts();
    let header = [
        t.time,
        m.member,
        m.user_id,
        t.group,
        m.detector,
        m.reason,
        m.step,
        m.message,
        m.counted,
        m.still_there,
    ];
    let head = format!("\u{feff}{}", csv_row(&header));
    let pages = futures_util::stream::unfold(Some(first), move |page| {
        let database = database.clone();
        async move {
            let page = page?;
            let mut chunk = String::new();
            for line in &page {
                chunk.push_str(&offence_csv_row(line, en));
            }
            let next = match page.last().filter(|_| page.len() as i64 == CSV_PAGE) {
                None => None,
                Some(last) => {
                    let before = Some((last.offence.time, last.id));
                    let read = tokio::task::spawn_blocking(move || {
                        database.offences_before(group, None, CSV_PAGE, before)
                    })
                    .await;
                    match read {
                        Ok(Ok(next)) => Some(next),
                        // The file ends short; the log says why.
                        Ok(Err(err)) => {
                            tracing::error!(error = %err, "offences CSV: cannot read on");
                            None
                        }
                        Err(_) => None,
                    }
                }
            };
            Some((
                Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(chunk)),
                next,
            ))
        }
    });
    let body = futures_util::StreamExt::chain(
        futures_util::stream::once(async move {
            Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(head))
        }),
        pages,
    );
    let csv = axum::body::Body::from_stream(body);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"offences.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Blacklist and samples

#[derive(Debug, Deserialize)]
pub struct MemberForm {
    csrf: String,
    member: i64,
    /// The console page to return to (the page of offences, the member's page).
    back: Option<String>,
}

/// A member's message as the offence list shows it: the first 500 characters, and `…` for the
/// rest (the CSV file gives it whole).
fn shortened(text: &str) -> String {
    const SHOWN: usize = 500;
    match text.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Where a form returns to: the page it was sent from when that is a moderation or member page
/// of this console, else the moderation page.
fn back_to(back: Option<&str>) -> String {
    match back {
        Some(back)
            if (back == "/moderation"
                || back.starts_with("/moderation?")
                || back.starts_with("/members/"))
                && back.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
                && !back.contains("//") =>
        {
            back.to_owned()
        }
        _ => "/moderation".to_owned(),
    }
}

pub async fn lift_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<MemberForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let database = state.database.clone();
    let acting = signed.operator.clone();
    let shared = state.moderation.clone();
    let back = back_to(form.back.as_deref());
    let outcome = blocking(lang, move || lift(&database, &shared, &acting, form.member)).await?;
    Ok(outcome.page(lang, words(lang).not_blacklisted, &back))
}

/// What became of an operator's request about one member or message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    NotFound,
    /// It belongs to a group the operator does not look after.
    NotYours,
}

impl Outcome {
    /// The console's answer: back to the page it came from, or why not (`missing`: what was not
    /// found, said in the operator's language).
    fn page(self, lang: Lang, missing: &'static str, back: &str) -> Response {
        match self {
            Outcome::Done => Redirect::to(back).into_response(),
            Outcome::NotFound => (StatusCode::NOT_FOUND, missing).into_response(),
            Outcome::NotYours => {
                (StatusCode::FORBIDDEN, lang.texts().not_your_group).into_response()
            }
        }
    }

    /// The API's answer: `done` on success, `missing` as the 404's sentence.
    fn json(self, done: Value, missing: &str) -> Result<Json<Value>, ApiError> {
        match self {
            Outcome::Done => Ok(Json(done)),
            Outcome::NotFound => Err(ApiError(StatusCode::NOT_FOUND, missing.into())),
            Outcome::NotYours => Err(api_forbidden()),
        }
    }
}

fn lift(
    database: &Database,
    shared: &ModerationShared,
    operator: &Operator,
    member: i64,
) -> Result<Outcome, StoreError> {
    let Some(entry) = database.blacklisting(member)? else {
        return Ok(Outcome::NotFound);
    };
    if !database.may_act_on(operator, entry.group_id)? {
        return Ok(Outcome::NotYours);
    }
    let now = Utc::now();
    if !database.lift_blacklist(member, &operator.name, now)? {
        return Ok(Outcome::NotFound);
    }
    // The feature rereads the blacklist.
    shared.rules_changed();
    database.record_audit(
        &operator.name,
        "blacklist.lift",
        Some(&format!("member {member}")),
        Some(&format!(
            "blacklisted in group {} for: {}",
            entry.group_id, entry.reason.en
        )),
        now,
    )?;
    Ok(Outcome::Done)
}

#[derive(Debug, Deserialize)]
pub struct SampleForm {
    csrf: String,
    event: i64,
    is_ad: bool,
    /// The page of offences to return to.
    back: Option<String>,
}

pub async fn sample_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<SampleForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let database = state.database.clone();
    let shared = state.moderation.clone();
    let acting = signed.operator.clone();
    let back = back_to(form.back.as_deref());
    let outcome = blocking(lang, move || {
        mark_sample(&database, &shared, &acting, form.event, form.is_ad)
    })
    .await?;
    Ok(outcome.page(lang, words(lang).no_such_message, &back))
}

/// Records an operator's mark on a message and retrains the model in force.
fn mark_sample(
    database: &Database,
    shared: &ModerationShared,
    operator: &Operator,
    event: i64,
    is_ad: bool,
) -> Result<Outcome, StoreError> {
    let Some((text, group)) = database.message_text(event)? else {
        return Ok(Outcome::NotFound);
    };
    if !database.may_act_on(operator, group)? {
        return Ok(Outcome::NotYours);
    }
    let now = Utc::now();
    database.add_ad_sample(&text, is_ad, Some(event), &operator.name, now)?;
    // A mistake is forgiven: the offences it brought no longer count on the member's ladder
    // (marked an ad again, they count again).
    let changed = database.forgive_offences(event, !is_ad, &operator.name, now)?;
    let count = retrain(database, shared)?;
    database.record_audit(
        &operator.name,
        if is_ad { "sample.ad" } else { "sample.not_ad" },
        Some(&format!("event {event}")),
        Some(&format!(
            "model retrained on {count} samples; offences {}: {changed}; message: «{}»",
            if is_ad { "counted again" } else { "forgiven" },
            text.chars().take(200).collect::<String>()
        )),
        now,
    )?;
    Ok(Outcome::Done)
}

// ---------------------------------------------------------------------------------------------
// Backtests

/// A backtest running or finished in this process.
#[derive(Debug)]
pub struct Job {
    pub id: u64,
    pub started_by: String,
    /// Its period, `2026-10-25 – 2026-11-25`.
    pub period: String,
    /// What it tries beside the rules in force: nothing, a rule document (`Some(None)`), or a
    /// scope's stored rules (its key).
    pub candidate: Option<Option<String>>,
    pub progress: Mutex<Progress>,
    pub result: Mutex<Option<Result<BacktestReport, String>>>,
}

impl Job {
    fn running(&self) -> bool {
        self.result.lock().is_ok_and(|result| result.is_none())
    }
}

/// The backtests of this process, the newest kept.
#[derive(Debug, Default)]
pub struct Backtests {
    next: AtomicU64,
    jobs: Mutex<Vec<Arc<Job>>>,
}

const KEPT_JOBS: usize = 20;

impl Backtests {
    pub fn get(&self, id: u64) -> Option<Arc<Job>> {
        self.jobs
            .lock()
            .ok()?
            .iter()
            .find(|job| job.id == id)
            .cloned()
    }

    /// Starts a backtest on a blocking thread; its job is returned at once, or `None` when
    /// [`MAX_RUNNING`] are running already. Finished jobs are kept (the newest [`KEPT_JOBS`]);
    /// running ones are never dropped.
    pub fn start(
        &self,
        database: Arc<Database>,
        shared: Arc<ModerationShared>,
        spec: BacktestSpec,
        started_by: &str,
        candidate_scope: Option<String>,
    ) -> Option<Arc<Job>> {
        let mut jobs = self.jobs.lock().ok()?;
        if jobs.iter().filter(|job| job.running()).count() >= MAX_RUNNING {
            return None;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let job = Arc::new(Job {
            id,
            started_by: started_by.to_owned(),
            period: format!(
                "{} – {}",
                spec.from.format("%Y-%m-%d"),
                spec.to.format("%Y-%m-%d")
            ),
            candidate: spec.candidate.is_some().then_some(candidate_scope),
            progress: Mutex::new(Progress::default()),
            result: Mutex::new(None),
        });
        jobs.push(Arc::clone(&job));
        while jobs.len() > KEPT_JOBS {
            let Some(oldest_finished) = jobs.iter().position(|job| !job.running()) else {
                break;
            };
            jobs.remove(oldest_finished);
        }
        drop(jobs);
        let running = Arc::clone(&job);
        tokio::task::spawn_blocking(move || {
            let result = backtest::run(
                &database,
                &shared,
                &spec,
                |progress| {
                    if let Ok(mut slot) = running.progress.lock() {
                        *slot = progress;
                    }
                },
                || false,
            )
            .map_err(|err| err.to_string());
            if let Ok(mut slot) = running.result.lock() {
                *slot = Some(result);
            }
        });
        Some(job)
    }
}

/// At most this many backtests run at once (each reads the whole period).
const MAX_RUNNING: usize = 2;

/// A backtest request, from the form or the API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestRequest {
    /// `YYYY-MM-DD` (UTC) or milliseconds.
    from: String,
    to: String,
    /// Group ids; empty or absent: every group.
    #[serde(default)]
    groups: Option<Vec<i64>>,
    /// Rules to try: a rule document, or the scope whose stored rules to try.
    #[serde(default)]
    rules: Option<Value>,
    #[serde(default)]
    scope: Option<String>,
}

fn parse_day(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(millis) = text.parse::<i64>() {
        return DateTime::from_timestamp_millis(millis);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()?
        .and_hms_opt(0, 0, 0)
        .map(|time| time.and_utc())
}

/// Why a backtest cannot start, in both languages: the console shows the operator's, the API
/// answers in English.
struct Refusal {
    zh: String,
    en: String,
}

impl Refusal {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal {
            zh: zh.into(),
            en: en.into(),
        }
    }

    fn in_lang(self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

fn build_spec(
    database: &Database,
    request: &BacktestRequest,
) -> Result<Result<BacktestSpec, Refusal>, StoreError> {
    let (Some(from), Some(to)) = (parse_day(&request.from), parse_day(&request.to)) else {
        return Ok(Err(Refusal::new(
            "起止日期：YYYY-MM-DD 或毫秒数",
            "from and to: YYYY-MM-DD or milliseconds",
        )));
    };
    if from >= to {
        return Ok(Err(Refusal::new(
            "开始日期须早于结束日期",
            "from must be before to",
        )));
    }
    let candidate = match (&request.rules, &request.scope) {
        (Some(_), Some(scope)) if !scope.trim().is_empty() => {
            return Ok(Err(Refusal::new(
                "rules 与 scope 只能给一个：要试的规则，或存有要试的规则的范围",
                "rules or scope, not both: the rules to try, or the scope whose rules to try",
            )));
        }
        (Some(document), _) => match Rules::from_json(&document.to_string()) {
            Ok(rules) => Some(rules),
            Err(err) => {
                return Ok(Err(Refusal::new(
                    format!("规则：{}", err.zh),
                    format!("rules: {}", err.en),
                )));
            }
        },
        (None, Some(scope)) if !scope.trim().is_empty() => {
            let Some(scope) = Scope::parse(scope) else {
                return Ok(Err(Refusal::new(
                    format!("范围 `{scope}`：default、set:名称 或 group:编号"),
                    format!("scope `{scope}`: default, set:NAME or group:ID"),
                )));
            };
            Some(match scope {
                // A group's candidate is the rules in force there, wherever they come from.
                Scope::Group(id) => {
                    if database.group(id)?.is_none() {
                        return Ok(Err(Refusal::new(
                            format!("没有编号为 {id} 的群"),
                            format!("no group {id}"),
                        )));
                    }
                    database
                        .effective_rules(id)?
                        .and_then(|json| Rules::from_stored(&json).ok())
                        .map(|(rules, _)| rules)
                        .unwrap_or_default()
                }
                Scope::Default => stored_or_default::<Rules>(database, &scope)?.0,
                other => match stored_or_default::<Rules>(database, &other)? {
                    (rules, true) => rules,
                    // Not the defaults in its place: a mistyped name would compare them.
                    (_, false) => {
                        let key = other.key();
                        return Ok(Err(Refusal::new(
                            format!("{} 没有保存的规则", scope_label(database, &key, Lang::Zh)?),
                            format!(
                                "no rules are stored for {}",
                                scope_label(database, &key, Lang::En)?
                            ),
                        )));
                    }
                },
            })
        }
        _ => None,
    };
    let groups = request
        .groups
        .as_ref()
        .filter(|groups| !groups.is_empty())
        .map(|groups| groups.iter().copied().collect::<HashSet<i64>>());
    // A mistyped group would report nothing caught, as if the rules were fine there.
    for id in groups.iter().flatten() {
        if database.group(*id)?.is_none() {
            return Ok(Err(Refusal::new(
                format!("没有编号为 {id} 的群"),
                format!("no group {id}"),
            )));
        }
    }
    Ok(Ok(BacktestSpec {
        from,
        to,
        groups,
        candidate,
    }))
}

#[derive(Template)]
#[template(path = "backtest.html")]
struct BacktestPage<'a> {
    lang: &'static str,
    t: &'static crate::i18n::Texts,
    m: &'static ModTexts,
    csrf: &'a str,
    job: Option<JobView>,
    /// Stored scopes: (as the operator reads it, key).
    scopes: Vec<(String, String)>,
    error: Option<String>,
    default_from: String,
    default_to: String,
}

struct TallyView {
    messages: u64,
    offences: u64,
    refused: u64,
    by_detector: Vec<(String, u64)>,
    by_step: Vec<(String, u64)>,
    top_members: Vec<(String, u64)>,
    examples: Vec<ExampleView>,
}

struct ExampleView {
    time: String,
    member: String,
    group: String,
    text: String,
    detector: String,
    step: String,
}

struct JobView {
    id: u64,
    description: String,
    done: bool,
    percent: u32,
    events_read: u64,
    error: Option<String>,
    in_force: Option<TallyView>,
    candidate: Option<TallyView>,
    only_candidate: Vec<ExampleView>,
    only_in_force: Vec<ExampleView>,
    only_candidate_count: u64,
    only_in_force_count: u64,
}

fn example_views(
    examples: &[steward_engine::moderation::Example],
    names: &HashMap<i64, String>,
    groups: &HashMap<i64, String>,
    en: bool,
) -> Vec<ExampleView> {
    examples
        .iter()
        .map(|example| ExampleView {
            time: format_time(example.time),
            member: names
                .get(&example.member_id)
                .cloned()
                .unwrap_or_else(|| example.member_id.to_string()),
            group: groups
                .get(&example.group_id)
                .cloned()
                .unwrap_or_else(|| example.group_id.to_string()),
            text: example.text.clone(),
            detector: Detector::label_of(&example.detector, en),
            step: Step::said_of(&example.step, en),
        })
        .collect()
}

fn tally_view(
    tally: &Tally,
    names: &HashMap<i64, String>,
    groups: &HashMap<i64, String>,
    en: bool,
) -> TallyView {
    TallyView {
        messages: tally.messages,
        offences: tally.offences,
        refused: tally.refused,
        by_detector: tally
            .by_detector
            .iter()
            .map(|(name, count)| (Detector::label_of(name, en), *count))
            .collect(),
        by_step: tally
            .by_step
            .iter()
            .map(|(name, count)| (Step::said_of(name, en), *count))
            .collect(),
        top_members: tally
            .top_members
            .iter()
            .map(|(id, count)| {
                (
                    names.get(id).cloned().unwrap_or_else(|| id.to_string()),
                    *count,
                )
            })
            .collect(),
        examples: example_views(&tally.examples, names, groups, en),
    }
}

/// Names by id.
type Names = HashMap<i64, String>;

/// Names of the members and groups a report mentions.
fn report_names(
    database: &Database,
    report: &BacktestReport,
) -> Result<(Names, Names), StoreError> {
    let mut member_ids: HashSet<i64> = HashSet::new();
    let mut group_ids: HashSet<i64> = HashSet::new();
    for tally in std::iter::once(&report.in_force).chain(report.candidate.iter()) {
        member_ids.extend(tally.top_members.iter().map(|(id, _)| *id));
        for example in &tally.examples {
            member_ids.insert(example.member_id);
            group_ids.insert(example.group_id);
        }
    }
    let mut names = HashMap::new();
    for id in member_ids {
        if let Some(member) = database.member(id)? {
            names.insert(id, member.name);
        }
    }
    let mut groups = HashMap::new();
    for id in group_ids {
        if let Some(group) = database.group(id)? {
            groups.insert(id, group.title.unwrap_or(group.chat));
        }
    }
    Ok((names, groups))
}

pub async fn backtest_page(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
) -> Result<Html<String>, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    backtest_form(&state, &signed, lang, None).await
}

async fn backtest_form(
    state: &AppState,
    signed: &Signed,
    lang: Lang,
    error: Option<String>,
) -> Result<Html<String>, AppError> {
    let database = state.database.clone();
    // Each stored scope, and its name as the operator reads it.
    let records = blocking(lang, move || {
        database
            .all_rules()?
            .into_iter()
            .map(|record| Ok((scope_label(&database, &record.scope, lang)?, record.scope)))
            .collect::<Result<Vec<_>, StoreError>>()
    })
    .await?;
    let today = Utc::now().date_naive();
    let page = BacktestPage {
        lang: lang.code(),
        t: lang.texts(),
        m: words(lang),
        csrf: &signed.csrf,
        job: None,
        scopes: records,
        error,
        default_from: (today - chrono::Days::new(30))
            .format("%Y-%m-%d")
            .to_string(),
        default_to: (today + chrono::Days::new(1))
            .format("%Y-%m-%d")
            .to_string(),
    };
    render(lang, &page)
}

#[derive(Debug, Deserialize)]
pub struct BacktestForm {
    csrf: String,
    from: String,
    to: String,
    #[serde(default)]
    groups: String,
    #[serde(default)]
    scope: String,
}

pub async fn start_backtest_form(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<BacktestForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let groups: Result<Vec<i64>, _> = form
        .groups
        .split([',', ' ', '\n'])
        .filter(|id| !id.trim().is_empty())
        .map(|id| id.trim().parse::<i64>())
        .collect();
    let Ok(groups) = groups else {
        let refusal = Refusal::new(
            "群：以逗号分隔的编号",
            "groups: numbers separated by commas",
        );
        return refused_form(&state, &signed, lang, StatusCode::BAD_REQUEST, refusal).await;
    };
    let request = BacktestRequest {
        from: form.from,
        to: form.to,
        groups: Some(groups),
        rules: None,
        scope: Some(form.scope),
    };
    match start(&state, &signed.operator.name, request).await {
        Ok(Ok(job)) => {
            Ok(Redirect::to(&format!("/moderation/backtest/{}", job.id)).into_response())
        }
        Ok(Err((status, refusal))) => refused_form(&state, &signed, lang, status, refusal).await,
        Err(ApiError(status, message)) => Ok((status, message).into_response()),
    }
}

/// The backtest form again, saying in the operator's language why it did not start.
async fn refused_form(
    state: &AppState,
    signed: &Signed,
    lang: Lang,
    status: StatusCode,
    refusal: Refusal,
) -> Result<Response, AppError> {
    let page = backtest_form(state, signed, lang, Some(refusal.in_lang(lang))).await?;
    Ok((status, page).into_response())
}

/// Starts a backtest; a request that cannot start is refused with its status (outside), a
/// failure of the server is an error (inside).
async fn start(
    state: &AppState,
    operator: &str,
    request: BacktestRequest,
) -> Result<Result<Arc<Job>, (StatusCode, Refusal)>, ApiError> {
    let database = state.database.clone();
    let candidate_scope = match (&request.rules, &request.scope) {
        (None, Some(scope)) if !scope.trim().is_empty() => {
            Scope::parse(scope).map(|scope| scope.key())
        }
        _ => None,
    };
    let spec = match tokio::task::spawn_blocking(move || build_spec(&database, &request))
        .await
        .map_err(crate::api::internal)?
        .map_err(crate::api::internal)?
    {
        Ok(spec) => spec,
        Err(refusal) => return Ok(Err((StatusCode::BAD_REQUEST, refusal))),
    };
    Ok(state
        .backtests
        .start(
            state.database.clone(),
            state.moderation.clone(),
            spec,
            operator,
            candidate_scope,
        )
        .ok_or_else(|| {
            (
                StatusCode::TOO_MANY_REQUESTS,
                Refusal::new(
                    "已有两个回测在运行，请等其中一个结束",
                    "two backtests are running already; wait for one to finish",
                ),
            )
        }))
}

fn job_view(database: &Database, job: &Job, en: bool) -> Result<JobView, StoreError> {
    let progress = job.progress.lock().map(|p| *p).unwrap_or_default();
    let result = job.result.lock().ok().and_then(|result| result.clone());
    let mut view = JobView {
        id: job.id,
        description: {
            let said = |zh: &str, en_text: &str| if en { en_text } else { zh }.to_owned();
            let tried = match &job.candidate {
                None => said("现行规则", "the rules in force"),
                Some(None) => said(
                    "现行规则与候选规则（提交的规则文档）",
                    "the rules in force and candidate rules (a rule document)",
                ),
                Some(Some(scope)) => {
                    let label = scope_label(database, scope, if en { Lang::En } else { Lang::Zh })?;
                    if en {
                        format!("the rules in force and candidate rules: {label}")
                    } else {
                        format!("现行规则与候选规则：{label}")
                    }
                }
            };
            format!("{} · {tried}", job.period)
        },
        done: result.is_some(),
        percent: (progress.fraction * 100.0).round() as u32,
        events_read: progress.events_read,
        error: None,
        in_force: None,
        candidate: None,
        only_candidate: Vec::new(),
        only_in_force: Vec::new(),
        only_candidate_count: 0,
        only_in_force_count: 0,
    };
    match result {
        None => {}
        Some(Err(error)) => view.error = Some(error),
        Some(Ok(report)) => {
            let (names, groups) = report_names(database, &report)?;
            view.percent = 100;
            view.in_force = Some(tally_view(&report.in_force, &names, &groups, en));
            view.candidate = report
                .candidate
                .as_ref()
                .map(|tally| tally_view(tally, &names, &groups, en));
            view.only_candidate = example_views(&report.only_candidate, &names, &groups, en);
            view.only_in_force = example_views(&report.only_in_force, &names, &groups, en);
            view.only_candidate_count = report.only_candidate_count;
            view.only_in_force_count = report.only_in_force_count;
        }
    }
    Ok(view)
}

pub async fn backtest_job_page(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    let Some(job) = state.backtests.get(id) else {
        return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response());
    };
    let database = state.database.clone();
    let view = blocking(lang, move || job_view(&database, &job, lang == Lang::En)).await?;
    let page = BacktestPage {
        lang: lang.code(),
        t: lang.texts(),
        m: words(lang),
        csrf: &signed.csrf,
        job: Some(view),
        scopes: Vec::new(),
        error: None,
        default_from: String::new(),
        default_to: String::new(),
    };
    Ok(render(lang, &page)?.into_response())
}

// ---------------------------------------------------------------------------------------------
// The API

pub(crate) fn api_forbidden() -> ApiError {
    ApiError(
        StatusCode::FORBIDDEN,
        "your role may not change this (owners: default and sets; operators: their groups)".into(),
    )
}

pub(crate) async fn api_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(crate::api::internal)?
        .map_err(crate::api::internal)
}

pub(crate) fn api_scope(text: &str) -> Result<Scope, ApiError> {
    Scope::parse(text).ok_or_else(|| {
        ApiError(
            StatusCode::NOT_FOUND,
            format!("no scope `{text}`: default, set:NAME or group:ID"),
        )
    })
}

/// `{"set": "name"}` or `{"set": null}`: the field must be there (`{}` or a typo such as
/// `{"sett": …}` would otherwise take the group out of its set).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetBody {
    set: Value,
}

/// Puts a group in a set (`{"set": "name"}`) or takes it out (`{"set": null}`). Owners only.
pub async fn api_group_set(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Path(id): Path<i64>,
    Json(body): Json<SetBody>,
) -> Result<Json<Value>, ApiError> {
    if operator.role != OperatorRole::Owner {
        return Err(api_forbidden());
    }
    let set = match body.set {
        Value::Null => None,
        Value::String(name) => Some(name.trim().to_owned()),
        _ => {
            return Err(ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                "set: a set's name, or null to take the group out of its set".into(),
            ));
        }
    };
    if set.as_deref().is_some_and(|name| !valid_set_name(name)) {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            "set: 1–64 characters, no `:`".into(),
        ));
    }
    let database = state.database.clone();
    let shared = state.clone();
    let found = api_blocking(move || {
        if database.group(id)?.is_none() {
            return Ok(None);
        }
        let stored = set.map(|set| known_set_name(&database, &set)).transpose()?;
        database.set_group_set(id, stored.as_deref())?;
        sets_changed(&shared);
        database.record_audit(
            &operator.name,
            "rules.group_set",
            Some(&group_scope(id)),
            stored.as_deref(),
            Utc::now(),
        )?;
        Ok(Some(stored))
    })
    .await?;
    let Some(set) = found else {
        return Err(ApiError(StatusCode::NOT_FOUND, "no such group".into()));
    };
    Ok(Json(json!({ "group": id, "set": set })))
}

pub async fn api_blacklist(
    State(state): State<AppState>,
    _operator: ApiOperator,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let entries = api_blocking(move || database.blacklisted()).await?;
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|entry| {
            json!({
                "member_id": entry.member_id,
                "platform": entry.platform,
                "user_id": entry.user_id,
                "name": entry.name,
                "group_id": entry.group_id,
                "reason_zh": entry.reason.zh,
                "reason_en": entry.reason.en,
                "added_at": entry.added_at,
            })
        })
        .collect();
    Ok(Json(json!({ "blacklist": entries })))
}

pub async fn api_lift(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Path(member): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    if !operator.role.at_least(OperatorRole::Operator) {
        return Err(api_forbidden());
    }
    let database = state.database.clone();
    let shared = state.moderation.clone();
    api_blocking(move || lift(&database, &shared, &operator, member))
        .await?
        .json(
            json!({ "member_id": member, "lifted": true }),
            "that member is not on the blacklist",
        )
}

#[derive(Debug, Deserialize)]
pub struct OffenceQuery {
    group: Option<i64>,
    member: Option<i64>,
    limit: Option<i64>,
    /// The next page back: older than the offence whose `time.id` this is (the answer's
    /// `next` gives it).
    before: Option<String>,
}

#[derive(Debug, Serialize)]
struct OffenceJson {
    id: i64,
    event_id: i64,
    time: i64,
    group_id: i64,
    group: String,
    member_id: i64,
    member: String,
    user_id: String,
    detector: String,
    reason_zh: String,
    reason_en: String,
    step: String,
    text: Option<String>,
    /// Marked a mistake: no longer counted on the member's ladder.
    forgiven: bool,
}

pub async fn api_offences(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Query(query): Query<OffenceQuery>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let before = match query.before.as_deref() {
        None => None,
        Some(before) => Some(parse_before(before).ok_or_else(|| {
            ApiError(
                StatusCode::BAD_REQUEST,
                "before: an offence's time.id, as `next` gives it".into(),
            )
        })?),
    };
    let (group, member) = (query.group, query.member);
    let mut lines =
        api_blocking(move || database.offences_before(group, member, limit + 1, before)).await?;
    let more = lines.len() as i64 > limit;
    lines.truncate(limit as usize);
    let next = lines
        .last()
        .filter(|_| more)
        .map(|line| format!("{}.{}", line.offence.time, line.id));
    let offences: Vec<OffenceJson> = lines
        .into_iter()
        .map(|line| OffenceJson {
            id: line.id,
            event_id: line.offence.event_id,
            time: line.offence.time,
            group_id: line.offence.group_id,
            group: line.group_title,
            member_id: line.offence.member_id,
            member: line.member_name,
            user_id: line.user_id,
            detector: line.offence.detector,
            reason_zh: line.offence.reason.zh,
            reason_en: line.offence.reason.en,
            step: line.offence.step,
            text: line.text,
            forgiven: line.forgiven,
        })
        .collect();
    Ok(Json(json!({ "offences": offences, "next": next })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleBody {
    event_id: i64,
    is_ad: bool,
}

/// Marks a stored message as an ad or not; the model in force is retrained at once.
pub async fn api_sample(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Json(body): Json<SampleBody>,
) -> Result<Json<Value>, ApiError> {
    if !operator.role.at_least(OperatorRole::Operator) {
        return Err(api_forbidden());
    }
    let database = state.database.clone();
    let shared = state.moderation.clone();
    let outcome =
        api_blocking(move || mark_sample(&database, &shared, &operator, body.event_id, body.is_ad))
            .await?;
    outcome.json(
        json!({ "event_id": body.event_id, "is_ad": body.is_ad }),
        "no message with that event id",
    )
}

pub async fn api_backtest_start(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Json(request): Json<BacktestRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !operator.role.at_least(OperatorRole::Operator) {
        return Err(api_forbidden());
    }
    let job = start(&state, &operator.name, request)
        .await?
        .map_err(|(status, refusal)| ApiError(status, refusal.en))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "id": job.id, "status": format!("/api/v1/backtests/{}", job.id) })),
    ))
}

pub async fn api_backtest_get(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let job = state
        .backtests
        .get(id)
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, "no such backtest".into()))?;
    let progress = job.progress.lock().map(|p| *p).unwrap_or_default();
    let result = job.result.lock().ok().and_then(|result| result.clone());
    Ok(Json(match result {
        None => json!({ "id": id, "done": false, "progress": progress }),
        Some(Ok(report)) => {
            json!({ "id": id, "done": true, "progress": progress, "report": report })
        }
        Some(Err(error)) => json!({ "id": id, "done": true, "error": error }),
    }))
}

#[cfg(test)]
mod tests {
    use super::{back_to, known_name, shortened};

    #[test]
    fn a_set_is_known_in_any_case_or_width_and_the_exact_spelling_first() {
        let names = |list: &[&str]| list.iter().map(|name| name.to_string()).collect();
        let known = |list: &[&str], typed: &str| known_name(names(list), typed);
        assert_eq!(known(&["vip"], "VIP"), "vip");
        assert_eq!(known(&["vip"], "ＶＩＰ"), "vip");
        assert_eq!(known(&["Chat", "chat"], "chat"), "chat");
        assert_eq!(known(&["Chat", "chat"], "Chat"), "Chat");
        assert_eq!(known(&["Chat", "chat"], "CHAT"), "Chat");
        // Only case and width: not a spelt dot, not traditional characters.
        assert_eq!(known(&["x点com"], "x.com"), "x.com");
        assert_eq!(known(&["vip会员"], "VIP會員"), "VIP會員");
        assert_eq!(known(&["gaming"], "gam"), "gam");
    }

    #[test]
    fn a_long_message_is_shown_shortened_by_characters() {
        assert_eq!(shortened("短消息"), "短消息");
        let long = "广".repeat(20_000);
        let shown = shortened(&long);
        assert_eq!(shown.chars().count(), 501);
        assert!(shown.ends_with("广…"));
        assert_eq!(shortened(&"a".repeat(500)), "a".repeat(500));
    }

    #[test]
    fn forms_return_only_to_this_consoles_moderation_and_member_pages() {
        for (back, to) in [
            (None, "/moderation"),
            (Some("/moderation"), "/moderation"),
            (
                Some("/moderation?group=3&before=5.7"),
                "/moderation?group=3&before=5.7",
            ),
            (Some("/members/12"), "/members/12"),
            (Some("https://evil.example/"), "/moderation"),
            (Some("//evil.example"), "/moderation"),
            (Some("/moderation//evil.example"), "/moderation"),
            (Some("/moderation\\@evil.example"), "/moderation"),
            (Some("/moderationx"), "/moderation"),
            (Some("/audit"), "/moderation"),
            (Some("/members/1\r\nSet-Cookie: x"), "/moderation"),
            (Some("/members/%00x"), "/members/%00x"),
            (Some("/members/\u{0}x"), "/moderation"),
            (Some("/members/1\t/evil"), "/moderation"),
            (Some("/members/小林"), "/moderation"),
        ] {
            assert_eq!(back_to(back), to, "{back:?}");
        }
    }
}
