//! The console's pages: sign-in, sign-out and the overview of all groups. Every page is rendered
//! on the server from askama templates, which escape whatever members wrote.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use steward_domain::Action;
use steward_engine::moderation::{Step, spoken};
use steward_store::OutboxStatus;

use crate::AppState;
use crate::i18n::{Lang, Texts};
use crate::passwords;
use crate::session::{self, Signed};

/// One error type for the console: logged in full, shown to the browser as a sentence.
#[derive(Debug)]
pub struct AppError {
    lang: Lang,
    detail: String,
}

impl AppError {
    fn new(lang: Lang, detail: impl std::fmt::Display) -> AppError {
        AppError {
            lang,
            detail: detail.to_string(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self.detail, "console request failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            self.lang.texts().internal_error,
        )
            .into_response()
    }
}

pub(crate) fn render(lang: Lang, template: &impl Template) -> Result<Html<String>, AppError> {
    template
        .render()
        .map(Html)
        .map_err(|err| AppError::new(lang, err))
}

/// Runs a blocking store call off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    lang: Lang,
    work: impl FnOnce() -> Result<T, steward_store::StoreError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| AppError::new(lang, err))?
        .map_err(|err| AppError::new(lang, err))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    lang: &'static str,
    t: &'static Texts,
    name: &'a str,
    error: Option<&'static str>,
}

pub async fn login_page(headers: HeaderMap) -> Result<Html<String>, AppError> {
    let lang = Lang::choose(None, &headers);
    render(
        lang,
        &LoginPage {
            lang: lang.code(),
            t: lang.texts(),
            name: "",
            error: None,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
}

/// A hash to check against when the name is unknown, so that the answer takes as long as for a
/// known name and does not tell which names exist.
fn stand_in_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| passwords::hash("no operator has this password").unwrap_or_default())
}

/// A sign-in form posted from another site is refused. Browsers name the page a POST comes from
/// in `Origin` (or, older ones, `Referer`), and say `Sec-Fetch-Site: same-origin`; a request that
/// says none of these is refused too.
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|value| value.to_str().ok());
    let host = text(header::HOST).unwrap_or_default();
    let from_host = |url: &str| {
        url.split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
            .is_some_and(|authority| !host.is_empty() && authority == host)
    };
    if let Some(origin) = text(header::ORIGIN) {
        return from_host(origin);
    }
    if let Some(referer) = text(header::REFERER) {
        return from_host(referer);
    }
    headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
        == Some("same-origin")
}

/// The client's address, when the server knows it (not in tests that call the router directly).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(None, &headers);
    let refuse = |status: StatusCode, error: &'static str| -> Result<Response, AppError> {
        let page = LoginPage {
            lang: lang.code(),
            t: lang.texts(),
            name: &form.name,
            error: Some(error),
        };
        Ok((status, render(lang, &page)?).into_response())
    };
    if !same_origin(&headers) {
        return refuse(StatusCode::FORBIDDEN, lang.texts().bad_origin);
    }
    // A name no operator can have is refused before it costs a lookup, a hash or brake memory.
    if form.name.chars().count() > session::MAX_NAME || form.name.chars().any(char::is_control) {
        return refuse(StatusCode::UNAUTHORIZED, lang.texts().wrong_password);
    }
    if !state.brake.begin_attempt(&form.name, address) {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            lang.texts().too_many_attempts,
        );
    }
    // Each check costs argon2's memory and a core for a while: a few at a time, the rest wait
    // for a moment and are then told to try again.
    let waiting = state.verifications.clone().acquire_owned();
    let permit = match tokio::time::timeout(std::time::Duration::from_secs(2), waiting).await {
        Ok(Ok(permit)) => permit,
        _ => {
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                lang.texts().too_many_attempts,
            );
        }
    };
    let database = state.database.clone();
    let name = form.name.clone();
    let password = form.password.clone();
    let found = tokio::task::spawn_blocking(move || {
        let operator = database.operator_by_name(&name)?;
        let hash = match &operator {
            Some(operator) if !operator.disabled => operator.password_hash.clone(),
            _ => stand_in_hash().to_owned(),
        };
        let matches = passwords::verify(&password, &hash);
        Ok::<_, steward_store::StoreError>(
            operator.filter(|operator| matches && !operator.disabled),
        )
    })
    .await
    .map_err(|err| AppError::new(lang, err))?
    .map_err(|err| AppError::new(lang, err))?;
    drop(permit);
    let Some(operator) = found else {
        return refuse(StatusCode::UNAUTHORIZED, lang.texts().wrong_password);
    };
    state.brake.succeeded(&form.name, address);
    let token = session::new_token().map_err(|err| AppError::new(lang, err))?;
    let csrf = session::new_token().map_err(|err| AppError::new(lang, err))?;
    let hash = session::token_hash(&token);
    let now = Utc::now();
    let expires = now + session::SESSION_LIFETIME;
    let database = state.database.clone();
    let name = operator.name.clone();
    blocking(lang, move || {
        database.create_session(&hash, operator.id, &csrf, now, expires)?;
        database.record_audit(&name, "sign_in", None, None, now)
    })
    .await?;
    let cookie = HeaderValue::from_str(&session::set_session_cookie(&token, state.secure_cookies))
        .map_err(|err| AppError::new(lang, err))?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if !session::same_secret(&form.csrf, &signed.csrf) {
        return Ok((StatusCode::FORBIDDEN, lang.texts().forbidden).into_response());
    }
    let database = state.database.clone();
    let hash = signed.token_hash.clone();
    let name = signed.operator.name.clone();
    blocking(lang, move || {
        database.delete_session(&hash)?;
        database.record_audit(&name, "sign_out", None, None, Utc::now())
    })
    .await?;
    let cookie = HeaderValue::from_str(&session::clear_session_cookie())
        .map_err(|err| AppError::new(lang, err))?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

struct GroupRow {
    /// The bot left the group or was removed: nothing it does there can happen.
    bot_removed: bool,
    today: i64,
    active_today: i64,
    trend: &'static str,
    trend_detail: String,
    id: i64,
    name: String,
    platform: String,
    members: i64,
    messages: i64,
    last_active: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage<'a> {
    can_act: bool,
    lang: &'static str,
    t: &'static Texts,
    operator: &'a str,
    role: &'static str,
    csrf: &'a str,
    total: i64,
    groups: Vec<GroupRow>,
    previous: Option<i64>,
    next: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

pub const GROUPS_PER_PAGE: i64 = 50;
/// Page numbers beyond this are read as this: the arithmetic on them never overflows.
pub const MAX_PAGE: i64 = 1_000_000;

pub async fn overview(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Result<Html<String>, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    let page = query.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let database = state.database.clone();
    let now = Utc::now();
    let today = today_start(now);
    let (groups, total) = blocking(lang, move || {
        let (groups, total) =
            database.groups_page((page - 1) * GROUPS_PER_PAGE, GROUPS_PER_PAGE)?;
        let groups = groups
            .into_iter()
            .map(|group| {
                let activity = database.group_activity(group.id, today, now.timestamp_millis())?;
                let removed = database.bot_removed(group.id)?;
                Ok((group, activity, removed))
            })
            .collect::<Result<Vec<_>, steward_store::StoreError>>()?;
        Ok((groups, total))
    })
    .await?;
    let groups = groups
        .into_iter()
        .map(|(group, activity, bot_removed)| GroupRow {
            bot_removed,
            today: activity.messages_today,
            active_today: activity.writers_today,
            trend: trend(activity.last_day, activity.day_before),
            trend_detail: format!(
                "{}: {} / {}",
                lang.texts().last_day_vs_before,
                activity.last_day,
                activity.day_before
            ),
            id: group.id,
            name: group.title.unwrap_or(group.chat),
            platform: group.platform,
            members: group.member_count,
            messages: group.message_count,
            last_active: format_time(group.last_event_at),
        })
        .collect();
    let overview = OverviewPage {
        can_act: signed
            .operator
            .role
            .at_least(steward_domain::OperatorRole::Operator),
        lang: lang.code(),
        t: lang.texts(),
        operator: &signed.operator.name,
        role: signed.operator.role.as_str(),
        csrf: &signed.csrf,
        total,
        groups,
        previous: (page > 1).then_some(page - 1),
        next: (page * GROUPS_PER_PAGE < total).then_some(page + 1),
    };
    render(lang, &overview)
}

/// A member as a page names them: their group nickname with their own name after it, when the
/// two differ.
fn shown_name(name: String, nickname: Option<String>) -> String {
    match nickname {
        Some(nickname) if nickname != name => format!("{nickname} ({name})"),
        _ => name,
    }
}

pub(crate) fn format_time(millis: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .map(|time| time.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

struct LineRow {
    time: String,
    author: String,
    text: String,
    recalled: bool,
    edited: bool,
}

struct MemberRow {
    id: i64,
    name: String,
    user_id: String,
    role: String,
    status: String,
    messages: i64,
}

struct ActionRow {
    kind: String,
    status: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage<'a> {
    is_owner: bool,
    /// Operators assigned to the group: (id, name).
    assigned: Vec<(i64, String)>,
    /// Operators an owner could assign: (id, name).
    assignable: Vec<(i64, String)>,
    /// The live feed's address, on the first page only.
    live: Option<String>,
    playground: bool,
    can_act: bool,
    /// Members one can write as: (platform id, name).
    writers: Vec<(String, String)>,
    lang: &'static str,
    t: &'static Texts,
    csrf: &'a str,
    id: i64,
    title: String,
    platform: String,
    member_count: i64,
    message_count: i64,
    /// The bot left the group or was removed.
    bot_removed: bool,
    messages: Vec<LineRow>,
    older: Option<String>,
    search: String,
    members: Vec<MemberRow>,
    member_total: i64,
    members_previous: Option<i64>,
    members_next: Option<i64>,
    actions: Vec<ActionRow>,
}

#[derive(Debug, Deserialize)]
pub struct GroupQuery {
    /// `TIME.EVENT` of the last message shown: the page goes on from there.
    before: Option<String>,
    q: Option<String>,
    members: Option<i64>,
}

pub const MESSAGES_PER_PAGE: i64 = 50;
pub const MEMBERS_PER_PAGE: i64 = 50;
pub const ACTIONS_SHOWN: usize = 20;

pub(crate) fn parse_before(text: &str) -> Option<(i64, i64)> {
    let (time, event) = text.split_once('.')?;
    Some((time.parse().ok()?, event.parse().ok()?))
}

pub async fn group_page(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Query(query): Query<GroupQuery>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    let database = state.database.clone();
    let Some((group, bot_removed)) = blocking(lang, move || {
        Ok(match database.group(id)? {
            Some(group) => Some((group, database.bot_removed(id)?)),
            None => None,
        })
    })
    .await?
    else {
        return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response());
    };
    let before = query.before.as_deref().and_then(parse_before);
    let search = query
        .q
        .clone()
        .unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect::<String>();
    let members_page = query.members.unwrap_or(1).clamp(1, MAX_PAGE);
    let database = state.database.clone();
    let (platform, chat, filter) = (group.platform.clone(), group.chat.clone(), search.clone());
    let acting = signed.operator.clone();
    let (messages, (members, member_total), actions, (can_act, assigned, everyone)) =
        blocking(lang, move || {
            let messages = database.recent_messages(id, before, MESSAGES_PER_PAGE)?;
            let filter = (!filter.is_empty()).then_some(filter.as_str());
            let members = database.group_members(
                id,
                filter,
                (members_page - 1) * MEMBERS_PER_PAGE,
                MEMBERS_PER_PAGE,
            )?;
            let actions = database.group_actions(&platform, &chat, ACTIONS_SHOWN)?;
            let can_act = database.may_act_on(&acting, id)?;
            let assigned = database.group_operators(id)?;
            let everyone = if acting.role == steward_domain::OperatorRole::Owner {
                database.operators()?
            } else {
                Vec::new()
            };
            Ok((messages, members, actions, (can_act, assigned, everyone)))
        })
        .await?;
    let older = (messages.len() as i64 == MESSAGES_PER_PAGE)
        .then(|| {
            messages
                .last()
                .map(|line| format!("{}.{}", line.time, line.event_id))
        })
        .flatten();
    let writers = members
        .iter()
        .filter(|member| {
            member.status == "active" && member.user_id != steward_adapters::playground::BOT_USER
        })
        .map(|member| (member.user_id.clone(), member.name.clone()))
        .collect();
    let live = before.is_none().then(|| {
        let newest = messages.first().map_or(0, |line| line.event_id);
        let newest_action = actions.first().map_or(0, |entry| entry.id);
        format!("/groups/{id}/live?after={newest}&actions_after={newest_action}")
    });
    let page = GroupPage {
        live,
        playground: group.platform == "playground",
        can_act,
        is_owner: signed.operator.role == steward_domain::OperatorRole::Owner,
        assignable: everyone
            .iter()
            .filter(|operator| {
                operator.role == steward_domain::OperatorRole::Operator
                    && !assigned.iter().any(|other| other.id == operator.id)
            })
            .map(|operator| (operator.id, operator.name.clone()))
            .collect(),
        assigned: assigned
            .iter()
            .map(|operator| (operator.id, operator.name.clone()))
            .collect(),
        writers,
        lang: lang.code(),
        t: lang.texts(),
        csrf: &signed.csrf,
        id,
        title: group.title.unwrap_or(group.chat),
        platform: group.platform,
        member_count: group.member_count,
        message_count: group.message_count,
        bot_removed,
        messages: messages
            .into_iter()
            .map(|line| LineRow {
                time: format_time(line.time),
                author: shown_name(line.member_name, line.nickname),
                text: line.text,
                recalled: line.recalled,
                edited: line.edited,
            })
            .collect(),
        older,
        search,
        members: members
            .into_iter()
            .map(|member| {
                let (role, status) = membership_said(member.role, member.status, lang == Lang::En);
                MemberRow {
                    id: member.member_id,
                    name: shown_name(member.name, member.nickname),
                    user_id: member.user_id,
                    role,
                    status,
                    messages: member.message_count,
                }
            })
            .collect(),
        member_total,
        members_previous: (members_page > 1).then_some(members_page - 1),
        members_next: (members_page * MEMBERS_PER_PAGE < member_total).then_some(members_page + 1),
        actions: actions
            .into_iter()
            .map(|entry| ActionRow {
                kind: action_said(&entry.action, lang == Lang::En),
                status: status_said(entry.status, lang == Lang::En),
                detail: entry.last_error.or(entry.answer).unwrap_or_default(),
            })
            .collect(),
    };
    Ok(render(lang, &page)?.into_response())
}

struct AuditRow {
    time: String,
    actor: String,
    action: String,
    detail: String,
}

struct BotActionRow {
    /// The group's title where Steward knows the group, else its platform and id.
    group: String,
    group_id: Option<i64>,
    kind: String,
    status: &'static str,
    detail: String,
}

/// What the bot did, as an operator reads it (`禁言 10 分钟`, `muted for 10 minutes`).
fn action_said(action: &Action, en: bool) -> String {
    let said = |zh: &str, en_text: &str| if en { en_text } else { zh }.to_owned();
    match action {
        Action::Send { .. } => said("发消息", "sent a message"),
        Action::DeleteMessage { .. } => said("删除消息", "deleted a message"),
        Action::Mute { seconds, .. } if en => format!("muted for {}", spoken(*seconds, en)),
        Action::Mute { seconds, .. } => format!("禁言 {}", spoken(*seconds, en)),
        Action::Unmute { .. } => said("解除禁言", "unmuted"),
        Action::Kick {
            refuse_rejoin: true,
            ..
        } => said("移出并拒绝再加入", "removed, refused to rejoin"),
        Action::Kick { .. } => said("移出", "removed"),
        Action::ApproveJoin { .. } => said("同意入群", "approved a join"),
        Action::RejectJoin { .. } => said("拒绝入群", "rejected a join"),
        Action::SetNickname { .. } => said("改群名片", "set a nickname"),
        Action::MuteAll { on: true } => said("全员禁言", "muted everyone"),
        Action::MuteAll { on: false } => said("解除全员禁言", "unmuted everyone"),
        Action::SetTitle { .. } => said("设头衔", "set a title"),
    }
}

/// An audit line's action, as an operator reads it; one this table does not know, as recorded
/// (the log's own name for it, which is also what to search the database for).
fn audit_said(action: &str, en: bool) -> String {
    const SAID: &[(&str, &str, &str)] = &[
        ("sign_in", "登录", "signed in"),
        ("sign_out", "退出登录", "signed out"),
        ("operator_created", "新建运营者", "operator created"),
        ("password_changed", "修改密码", "password changed"),
        ("api_token_created", "新建 API 令牌", "API token created"),
        ("group_assigned", "分配群", "group assigned"),
        ("group_unassigned", "取消分配群", "group unassigned"),
        (
            "playground_group_created",
            "新建试验群",
            "playground group created",
        ),
        ("rules.save", "保存群管规则", "moderation rules saved"),
        ("rules.delete", "删除群管规则", "moderation rules deleted"),
        ("rules.group_set", "设置群组集", "group set changed"),
        (
            "engagement.save",
            "保存活跃设置",
            "engagement settings saved",
        ),
        (
            "engagement.delete",
            "删除活跃设置",
            "engagement settings deleted",
        ),
        ("engagement.codes", "生成邀请码", "invite codes issued"),
        ("engagement.revoke", "作废邀请码", "invite code revoked"),
        ("points.award", "加积分", "points awarded"),
        ("points.deduct", "扣积分", "points deducted"),
        ("role.approve", "批准身份", "role approved"),
        ("role.reject", "拒绝身份", "role rejected"),
        ("lottery.draw", "抽奖", "lottery drawn"),
        ("blacklist.lift", "移出黑名单", "blacklisting lifted"),
        ("sample.ad", "标记为广告", "marked as an ad"),
        ("sample.not_ad", "标记为非广告", "marked as not an ad"),
        ("moderation.warn", "违规：警告", "offence: warned"),
        ("moderation.mute", "违规：禁言", "offence: muted"),
        ("moderation.kick", "违规：移出", "offence: removed"),
        (
            "moderation.blacklist",
            "违规：移出并列入黑名单",
            "offence: removed and blacklisted",
        ),
        (
            "moderation.refused",
            "拒绝黑名单成员",
            "blacklisted member refused",
        ),
        ("night.on", "夜间全员禁言开始", "night mode on"),
        ("night.off", "夜间全员禁言结束", "night mode off"),
        ("screening.ask", "入群验证：提问", "screening: asked"),
        ("screening.pass", "入群验证：通过", "screening: passed"),
        (
            "screening.wrong",
            "入群验证：答错",
            "screening: wrong answer",
        ),
        (
            "screening.approve",
            "入群验证：同意申请",
            "screening: request approved",
        ),
        (
            "screening.reject",
            "入群验证：拒绝申请",
            "screening: request rejected",
        ),
        ("screening.remove", "入群验证：移出", "screening: removed"),
    ];
    SAID.iter()
        .find(|(name, _, _)| *name == action)
        .map_or_else(
            || action.to_owned(),
            |(_, zh, en_text)| if en { *en_text } else { *zh }.to_owned(),
        )
}

/// A member's role in a group and whether they are in it, as an operator reads them (`管理员`,
/// `被移出`); a value this table does not know, as stored.
fn membership_said(role: String, status: String, en: bool) -> (String, String) {
    let role = match (role.as_str(), en) {
        ("member", false) => "成员".to_owned(),
        ("admin", false) => "管理员".to_owned(),
        ("owner", false) => "群主".to_owned(),
        _ => role,
    };
    let status = match (status.as_str(), en) {
        ("active", false) => "在群".to_owned(),
        ("active", true) => "in the group".to_owned(),
        ("left", false) => "已退群".to_owned(),
        ("kicked", false) => "被移出".to_owned(),
        ("kicked", true) => "removed".to_owned(),
        _ => status,
    };
    (role, status)
}

/// An outgoing action's state, as an operator reads it.
fn status_said(status: OutboxStatus, en: bool) -> &'static str {
    match (status, en) {
        (OutboxStatus::Pending, false) => "待发送",
        (OutboxStatus::Pending, true) => "pending",
        (OutboxStatus::Claimed, false) => "发送中",
        (OutboxStatus::Claimed, true) => "sending",
        (OutboxStatus::Sent, false) => "已完成",
        (OutboxStatus::Sent, true) => "done",
        (OutboxStatus::Failed, false) => "失败",
        (OutboxStatus::Failed, true) => "failed",
        (OutboxStatus::Cancelled, false) => "已取消",
        (OutboxStatus::Cancelled, true) => "cancelled",
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    lang: &'static str,
    t: &'static Texts,
    csrf: &'a str,
    entries: Vec<AuditRow>,
    older_entries: Option<i64>,
    actions: Vec<BotActionRow>,
    older_actions: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    /// The last id shown of each list: the page goes on from there.
    entries: Option<i64>,
    actions: Option<i64>,
}

pub const AUDIT_PER_PAGE: i64 = 50;

pub async fn audit(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Query(query): Query<AuditQuery>,
) -> Result<Html<String>, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    let database = state.database.clone();
    let (entries, actions) = blocking(lang, move || {
        let mut entries = database.audit_page(query.entries, AUDIT_PER_PAGE)?;
        // A rule scope (`group:3`, `set:vip`, `default`) or a group (`group 12`) as the
        // operator knows it, each looked up once (a page of night switches names one group 50
        // times); other targets as recorded.
        let mut labels: HashMap<String, String> = HashMap::new();
        for entry in &mut entries {
            // Only where the action is done to a scope or a group: an operator named `default`
            // stays who they are.
            let about_a_scope = ["rules.", "engagement.", "night.", "lottery."]
                .iter()
                .any(|kind| entry.action.starts_with(kind));
            let Some(target) = entry.target.as_deref().filter(|_| about_a_scope) else {
                continue;
            };
            let scope = match target.strip_prefix("group ").map(str::parse::<i64>) {
                Some(Ok(id)) => steward_store::moderation::group_scope(id),
                _ => target.to_owned(),
            };
            if crate::moderation::Scope::parse(&scope).is_none() {
                continue;
            }
            let label = match labels.get(&scope) {
                Some(label) => label.clone(),
                None => {
                    let label = crate::documents::scope_label(&database, &scope, lang)?;
                    labels.insert(scope, label.clone());
                    label
                }
            };
            entry.target = Some(label);
        }
        let actions = database.recent_actions(query.actions, AUDIT_PER_PAGE as usize)?;
        // Each group once: its id and title, where Steward has seen it.
        let mut groups: HashMap<(String, String), Option<(i64, String)>> = HashMap::new();
        for entry in &actions {
            let key = (entry.platform.as_str().to_owned(), entry.chat.to_string());
            if let std::collections::hash_map::Entry::Vacant(slot) = groups.entry(key) {
                let (platform, chat) = slot.key();
                let found = match database.group_id(platform, chat)? {
                    Some(id) => database
                        .group(id)?
                        .map(|group| (id, group.title.unwrap_or(group.chat))),
                    None => None,
                };
                slot.insert(found);
            }
        }
        let actions: Vec<_> = actions
            .into_iter()
            .map(|entry| {
                let key = (entry.platform.as_str().to_owned(), entry.chat.to_string());
                let group = groups.get(&key).cloned().flatten();
                (entry, group)
            })
            .collect();
        Ok((entries, actions))
    })
    .await?;
    let full = |count: usize| count as i64 == AUDIT_PER_PAGE;
    let page = AuditPage {
        lang: lang.code(),
        t: lang.texts(),
        csrf: &signed.csrf,
        older_entries: entries
            .last()
            .filter(|_| full(entries.len()))
            .map(|entry| entry.id),
        older_actions: actions
            .last()
            .filter(|_| full(actions.len()))
            .map(|(entry, _)| entry.id),
        entries: entries
            .into_iter()
            .map(|entry| AuditRow {
                time: format_time(entry.time),
                actor: entry.actor,
                detail: [entry.target, entry.detail]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
                action: audit_said(&entry.action, lang == Lang::En),
            })
            .collect(),
        actions: actions
            .into_iter()
            .map(|(entry, group)| BotActionRow {
                group: match &group {
                    Some((_, title)) => title.clone(),
                    None => format!("{} {}", entry.platform, entry.chat),
                },
                group_id: group.map(|(id, _)| id),
                kind: action_said(&entry.action, lang == Lang::En),
                status: status_said(entry.status, lang == Lang::En),
                detail: entry.last_error.or(entry.answer).unwrap_or_default(),
            })
            .collect(),
    };
    render(lang, &page)
}

struct MemberGroupRow {
    id: i64,
    name: String,
    nickname: String,
    role: String,
    status: String,
    messages: i64,
    last_active: String,
}

struct TimelineRow {
    time: String,
    group: String,
    text: String,
    recalled: bool,
    edited: bool,
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage<'a> {
    lang: &'static str,
    t: &'static Texts,
    csrf: &'a str,
    id: i64,
    name: String,
    platform: String,
    user_id: String,
    first_seen: String,
    groups: Vec<MemberGroupRow>,
    timeline: Vec<TimelineRow>,
    older: Option<String>,
    /// Moderation: the member's offences (newest first) and whether they are blacklisted.
    offences: Vec<OffenceLineRow>,
    blacklisted: bool,
    can_act: bool,
    /// From the member's latest self-introduction.
    profile: Option<ProfileView>,
    /// Points per group: (group id, group, balance).
    balances: Vec<(i64, String, i64)>,
    /// Level title and badges per group: (group, title, badges).
    rewards: Vec<(String, String, String)>,
    /// Roles claimed: (group, role, status).
    roles: Vec<(String, String, String)>,
}

struct ProfileView {
    city: String,
    hours: String,
    occupation: String,
    interests: String,
    /// `kind: tag` pairs.
    tags: Vec<String>,
    intro: String,
    updated: String,
}

struct OffenceLineRow {
    time: String,
    group: String,
    /// Its reason names the detector's finding (`联系方式（微信号）：…`).
    reason: String,
    step: String,
    forgiven: bool,
}

#[derive(Debug, Deserialize)]
pub struct MemberQuery {
    before: Option<String>,
}

pub async fn member_page(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Query(query): Query<MemberQuery>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    let before = query.before.as_deref().and_then(parse_before);
    let database = state.database.clone();
    let found = blocking(lang, move || {
        let Some(member) = database.member(id)? else {
            return Ok(None);
        };
        let groups = database.memberships_of(id)?;
        let timeline = database.member_timeline(id, before, MESSAGES_PER_PAGE)?;
        let offences = database.offences(None, Some(id), 50)?;
        let blacklisted = database.blacklisting(id)?.is_some();
        let profile = database.profile(id)?;
        let points = (
            database.balances_of(id)?,
            database.rewards_of(id)?,
            database.role_claims(None, Some(id))?,
        );
        Ok(Some((
            member,
            groups,
            timeline,
            offences,
            blacklisted,
            profile,
            points,
        )))
    })
    .await?;
    let Some((
        member,
        groups,
        timeline,
        offences,
        blacklisted,
        profile,
        (balances, rewards, roles),
    )) = found
    else {
        return Ok((StatusCode::NOT_FOUND, lang.texts().no_member).into_response());
    };
    let older = (timeline.len() as i64 == MESSAGES_PER_PAGE)
        .then(|| {
            timeline
                .last()
                .map(|line| format!("{}.{}", line.time, line.event_id))
        })
        .flatten();
    let page = MemberPage {
        lang: lang.code(),
        t: lang.texts(),
        csrf: &signed.csrf,
        id,
        name: member.name,
        platform: member.platform,
        user_id: member.user_id,
        first_seen: format_time(member.first_seen_at),
        groups: groups
            .into_iter()
            .map(|line| {
                let (role, status) = membership_said(line.role, line.status, lang == Lang::En);
                MemberGroupRow {
                    id: line.group_id,
                    name: line.group,
                    nickname: line.nickname.unwrap_or_default(),
                    role,
                    status,
                    messages: line.message_count,
                    last_active: line.last_message_at.map(format_time).unwrap_or_default(),
                }
            })
            .collect(),
        timeline: timeline
            .into_iter()
            .map(|line| TimelineRow {
                time: format_time(line.time),
                group: line.group,
                text: line.text,
                recalled: line.recalled,
                edited: line.edited,
            })
            .collect(),
        older,
        offences: offences
            .into_iter()
            .map(|line| OffenceLineRow {
                time: format_time(line.offence.time),
                group: line.group_title,
                reason: line.offence.reason.in_language(lang == Lang::En).to_owned(),
                step: Step::said_of(&line.offence.step, lang == Lang::En),
                forgiven: line.forgiven,
            })
            .collect(),
        blacklisted,
        can_act: signed
            .operator
            .role
            .at_least(steward_domain::OperatorRole::Operator),
        profile: profile.map(|profile| ProfileView {
            city: profile.city.unwrap_or_default(),
            hours: profile.hours.unwrap_or_default(),
            occupation: profile.occupation.unwrap_or_default(),
            interests: profile.interests.unwrap_or_default(),
            tags: profile
                .tags
                .into_iter()
                .map(|(kind, tag)| format!("{kind}: {tag}"))
                .collect(),
            intro: profile.intro,
            updated: format_time(profile.updated_at),
        }),
        balances,
        roles: roles
            .into_iter()
            .map(|claim| (claim.group_title, claim.role, claim.status))
            .collect(),
        rewards: rewards
            .into_iter()
            .map(|(group, title, badges)| {
                let names: Vec<String> = badges
                    .iter()
                    .map(|badge| steward_engine::engagement::badge_name(badge, lang == Lang::En))
                    .collect();
                (group, title, names.join(" · "))
            })
            .collect(),
    };
    Ok(render(lang, &page)?.into_response())
}

/// The refusal of a form post, if it is refused: viewers read and do not act, and a form must
/// carry the session's CSRF token.
pub(crate) fn refuse_form(signed: &Signed, csrf: &str, lang: Lang) -> Option<Response> {
    if !signed
        .operator
        .role
        .at_least(steward_domain::OperatorRole::Operator)
    {
        return Some((StatusCode::FORBIDDEN, lang.texts().viewers_read_only).into_response());
    }
    if !session::same_secret(csrf, &signed.csrf) {
        return Some((StatusCode::FORBIDDEN, lang.texts().forbidden).into_response());
    }
    None
}

#[derive(Debug, Deserialize)]
pub struct NewGroupForm {
    csrf: String,
    title: String,
}

/// Submits an event through the pipeline and waits for its commit.
async fn submit(
    state: &AppState,
    lang: Lang,
    event: steward_domain::Event,
) -> Result<(), AppError> {
    let pipeline = state
        .pipeline
        .as_ref()
        .ok_or_else(|| AppError::new(lang, "no pipeline runs in this process"))?;
    pipeline
        .process(event)
        .await
        .map(drop)
        .map_err(|err| AppError::new(lang, err))
}

/// A new playground group: the bot joins it (which is how Steward learns of a group) and it gets
/// the operator's title.
pub async fn new_playground_group(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<NewGroupForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let title: String = form
        .title
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    if title.is_empty() {
        return Ok((StatusCode::BAD_REQUEST, lang.texts().title_needed).into_response());
    }
    let chat = steward_adapters::playground::new_chat();
    let joined = steward_domain::Event {
        platform: steward_domain::Platform::Playground,
        account: steward_adapters::playground::ACCOUNT.into(),
        chat: chat.clone(),
        id: None,
        time: Utc::now(),
        kind: steward_domain::EventKind::MemberJoined {
            member: steward_domain::MemberProfile {
                id: steward_adapters::playground::BOT_USER.into(),
                name: "Steward".into(),
                nickname: None,
                role: steward_domain::MemberRole::Admin,
                is_bot: true,
            },
            inviter: None,
            invite_link: None,
        },
    };
    submit(&state, lang, joined).await?;
    let database = state.database.clone();
    let name = signed.operator.name.clone();
    let creator = signed.operator.clone();
    let id = blocking(lang, move || {
        database.set_group_title("playground", chat.as_str(), &title)?;
        database.record_audit(
            &name,
            "playground_group_created",
            Some(chat.as_str()),
            Some(&title),
            Utc::now(),
        )?;
        let id = database.group_id("playground", chat.as_str())?;
        // An operator looks after the groups they make.
        if let Some(id) = id
            && creator.role == steward_domain::OperatorRole::Operator
        {
            database.set_operator_group(creator.id, id, true)?;
        }
        Ok(id)
    })
    .await?;
    let target = id.map_or_else(|| "/".to_owned(), |id| format!("/groups/{id}"));
    Ok(Redirect::to(&target).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SayForm {
    csrf: String,
    /// An existing member's platform id, or empty for a new member named `name`.
    #[serde(default)]
    member: String,
    #[serde(default)]
    name: String,
    text: String,
}

/// Writes in a playground group as one of its members (or a new one), through the pipeline, and
/// comes back to the group page.
pub async fn say(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Form(form): Form<SayForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let database = state.database.clone();
    let member = form.member.trim().to_owned();
    let acting = signed.operator.clone();
    let found = blocking(lang, move || {
        let group = database.group(id)?;
        let name = if member.is_empty() {
            None
        } else {
            database.member_name("playground", &member)?
        };
        let allowed = database.may_act_on(&acting, id)?;
        Ok((group, name, allowed))
    })
    .await?;
    let (Some(group), known_name, allowed) = found else {
        return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response());
    };
    if !allowed {
        return Ok((StatusCode::FORBIDDEN, lang.texts().not_your_group).into_response());
    }
    if group.platform != "playground" {
        return Ok((StatusCode::BAD_REQUEST, lang.texts().not_playground).into_response());
    }
    let (user, name) = match known_name {
        Some(name) => (steward_domain::UserId(form.member.trim().to_owned()), name),
        None => {
            let name: String = form.name.trim().chars().take(64).collect();
            if name.is_empty() {
                return Ok((StatusCode::BAD_REQUEST, lang.texts().name_needed).into_response());
            }
            (steward_adapters::playground::new_user(), name)
        }
    };
    let event = steward_adapters::playground::message(
        &steward_domain::ChatId(group.chat),
        &user,
        &name,
        &form.text,
    );
    if let Err(invalid) = event.validate() {
        return Ok((StatusCode::BAD_REQUEST, invalid.to_string()).into_response());
    }
    submit(&state, lang, event).await?;
    Ok(Redirect::to(&format!("/groups/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    after: Option<i64>,
    actions_after: Option<i64>,
}

#[derive(Debug, serde::Serialize)]
struct LiveAction {
    kind: String,
    status: &'static str,
    detail: String,
}

#[derive(Debug, serde::Serialize)]
struct LiveLine {
    time: String,
    author: String,
    text: String,
}

/// How often the live feed looks for new messages.
const LIVE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// New messages and new actions of the bot in a group as server-sent events (`event: messages`
/// and `event: actions`, a JSON array each), from the cursors on, while the page stays open: the
/// bot's replies, deletions, mutes and kicks appear without a reload.
pub async fn live(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Query(query): Query<LiveQuery>,
) -> axum::response::sse::Sse<
    impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    // The bot's actions are said in the page's language.
    let en = Lang::choose(signed.operator.language.as_deref(), &headers) == Lang::En;
    use axum::response::sse::{Event, KeepAlive, Sse};
    struct Cursor {
        database: Arc<steward_store::Database>,
        group: Option<(String, String)>,
        messages: i64,
        actions: i64,
        pending: Vec<Event>,
        /// The process is stopping: the feed ends (the browser reconnects to the next one), so
        /// that an open console tab does not hold the shutdown.
        stop: tokio::sync::watch::Receiver<bool>,
    }
    // A reconnecting browser says where it got to (the last event's id, `messages.actions`).
    let resumed = headers
        .get("last-event-id")
        .and_then(|id| id.to_str().ok())
        .and_then(|id| id.split_once('.'))
        .and_then(|(messages, actions)| Some((messages.parse().ok()?, actions.parse().ok()?)));
    let (messages_after, actions_after) =
        resumed.unwrap_or((query.after.unwrap_or(0), query.actions_after.unwrap_or(0)));
    let start = Cursor {
        stop: state.stop.clone(),
        database: state.database.clone(),
        group: None,
        messages: messages_after,
        actions: actions_after,
        pending: Vec::new(),
    };
    let stream = futures_util::stream::unfold(start, move |mut cursor| async move {
        loop {
            if let Some(event) = cursor.pending.pop() {
                return Some((Ok(event), cursor));
            }
            if *cursor.stop.borrow() {
                return None;
            }
            // A stop that can no longer come (its sender gone, as where nothing stops the
            // process) waits for the next tick like the rest.
            let stop = &mut cursor.stop;
            let stopping = async move {
                if stop.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(LIVE_EVERY) => {}
                () = stopping => {}
            }
            if *cursor.stop.borrow() {
                return None;
            }
            let reading = cursor.database.clone();
            let (messages_after, actions_after, known) =
                (cursor.messages, cursor.actions, cursor.group.clone());
            let read = tokio::task::spawn_blocking(move || {
                let group = match known {
                    Some(group) => Some(group),
                    None => reading.group(id)?.map(|group| (group.platform, group.chat)),
                };
                let messages = reading.messages_after(id, messages_after, 100)?;
                let actions = match &group {
                    Some((platform, chat)) => {
                        reading.group_actions_after(platform, chat, actions_after, 100)?
                    }
                    None => Vec::new(),
                };
                Ok::<_, steward_store::StoreError>((group, messages, actions))
            })
            .await;
            let (group, messages, actions) = match read {
                Ok(Ok(read)) => read,
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "live feed: cannot read");
                    continue;
                }
                Err(_) => return None,
            };
            cursor.group = group;
            // Each event's id is where the feed stands once it is shown (messages go first): a
            // browser that reconnects sends it back, and the feed goes on from there instead of
            // from the page's first address (everything since the page loaded, again).
            let actions_before = cursor.actions;
            let messages_now = messages
                .last()
                .map_or(cursor.messages, |line| line.event_id);
            if let Some(last) = actions.last() {
                cursor.actions = last.id;
                let actions: Vec<LiveAction> = actions
                    .into_iter()
                    .map(|entry| LiveAction {
                        kind: action_said(&entry.action, en),
                        status: status_said(entry.status, en),
                        detail: entry.last_error.or(entry.answer).unwrap_or_default(),
                    })
                    .collect();
                let data = serde_json::to_string(&actions).unwrap_or_else(|_| "[]".to_owned());
                let id = format!("{messages_now}.{}", cursor.actions);
                cursor
                    .pending
                    .push(Event::default().event("actions").id(id).data(data));
            }
            if let Some(last) = messages.last() {
                cursor.messages = last.event_id;
                let lines: Vec<LiveLine> = messages
                    .into_iter()
                    .map(|line| LiveLine {
                        time: format_time(line.time),
                        author: shown_name(line.member_name, line.nickname),
                        text: line.text,
                    })
                    .collect();
                let data = serde_json::to_string(&lines).unwrap_or_else(|_| "[]".to_owned());
                // Messages first: the pending list is taken from its end.
                cursor.pending.push(
                    Event::default()
                        .event("messages")
                        .id(format!("{}.{actions_before}", cursor.messages))
                        .data(data),
                );
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The console's one script: the live feed of a group page.
pub async fn live_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../static/live.js"),
    )
}

/// Midnight today in China time (UTC+8), in milliseconds: where "today" starts on the overview.
/// (A deployment-wide time zone setting arrives with the features that need one.)
fn today_start(now: DateTime<Utc>) -> i64 {
    const CHINA: i64 = 8 * 60 * 60 * 1000;
    const DAY: i64 = 24 * 60 * 60 * 1000;
    let local = now.timestamp_millis() + CHINA;
    local - local.rem_euclid(DAY) - CHINA
}

/// ↑ when the last 24 hours had a tenth more messages than the 24 before, ↓ a tenth fewer.
fn trend(last_day: i64, day_before: i64) -> &'static str {
    if last_day * 10 > day_before * 11 {
        "↑"
    } else if last_day * 10 < day_before * 9 {
        "↓"
    } else {
        "→"
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn today_starts_at_midnight_in_china() {
        let evening_utc = Utc.with_ymd_and_hms(2026, 5, 1, 17, 0, 0).unwrap(); // 01:00 on 2 May in China
        let start = Utc.with_ymd_and_hms(2026, 5, 1, 16, 0, 0).unwrap(); // 00:00 on 2 May in China
        assert_eq!(today_start(evening_utc), start.timestamp_millis());
        let morning_utc = Utc.with_ymd_and_hms(2026, 5, 1, 3, 0, 0).unwrap(); // 11:00 on 1 May
        let previous = Utc.with_ymd_and_hms(2026, 4, 30, 16, 0, 0).unwrap();
        assert_eq!(today_start(morning_utc), previous.timestamp_millis());
    }

    #[test]
    fn the_trend_needs_a_tenth_to_move() {
        assert_eq!(trend(111, 100), "↑");
        assert_eq!(trend(105, 100), "→");
        assert_eq!(trend(89, 100), "↓");
        assert_eq!(trend(1, 0), "↑");
        assert_eq!(trend(0, 0), "→");
    }
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    csrf: String,
    operator: i64,
    assign: bool,
}

/// An owner puts a group in an operator's care, or takes it out.
pub async fn assign_operator(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Form(form): Form<AssignForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if signed.operator.role != steward_domain::OperatorRole::Owner {
        return Ok((StatusCode::FORBIDDEN, lang.texts().owners_only).into_response());
    }
    if !session::same_secret(&form.csrf, &signed.csrf) {
        return Ok((StatusCode::FORBIDDEN, lang.texts().forbidden).into_response());
    }
    let database = state.database.clone();
    let owner = signed.operator.name.clone();
    let done = blocking(lang, move || {
        let Some(group) = database.group(id)? else {
            return Ok(false);
        };
        let Some(operator) = database
            .operators()?
            .into_iter()
            .find(|operator| operator.id == form.operator)
        else {
            return Ok(false);
        };
        database.set_operator_group(operator.id, id, form.assign)?;
        let action = if form.assign {
            "group_assigned"
        } else {
            "group_unassigned"
        };
        let title = group.title.unwrap_or(group.chat);
        database.record_audit(
            &owner,
            action,
            Some(&operator.name),
            Some(&title),
            Utc::now(),
        )?;
        Ok(true)
    })
    .await?;
    if !done {
        return Ok((StatusCode::NOT_FOUND, lang.texts().not_found).into_response());
    }
    Ok(Redirect::to(&format!("/groups/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    csrf: String,
    language: String,
}

/// An operator's own language setting: Chinese, English, or (anything else) the browser's.
pub async fn set_language(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if !session::same_secret(&form.csrf, &signed.csrf) {
        return Ok((StatusCode::FORBIDDEN, lang.texts().forbidden).into_response());
    }
    let language = match form.language.as_str() {
        "zh" => Some("zh"),
        "en" => Some("en"),
        _ => None,
    };
    let database = state.database.clone();
    let id = signed.operator.id;
    blocking(lang, move || database.set_operator_language(id, language)).await?;
    Ok(Redirect::to("/").into_response())
}
