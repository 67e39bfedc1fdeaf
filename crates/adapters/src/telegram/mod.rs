//! Telegram through the Bot API: updates by long polling (`getUpdates`) or by webhook (served by
//! the web server at `/telegram/<name>/webhook`, checked by `X-Telegram-Bot-Api-Secret-Token`),
//! the translation both ways (`protocol`), and the account's outbox carried out call by call
//! with Telegram's 429 `retry_after` respected. The update offset moves only after the updates'
//! events are committed: a crash re-reads them, and their platform ids make that harmless.

pub mod api;
pub mod protocol;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use steward_domain::{
    AccountId, ChatId, Event, EventKind, MemberRole, OutSegment, Platform, UserId,
};
use steward_engine::Pipeline;
use steward_store::{ActionOutcome, Database, OutboxEntry};
use tokio::sync::watch;
use tracing::{info, warn};

use self::api::{BotApi, CallError};
use self::protocol::{ALLOWED_UPDATES, Identity};
use crate::backoff::Backoff;
use crate::delivery::{self, ANSWER_WITHIN, UNANSWERED, not_sent};
use crate::health::Health;
use crate::https::HttpError;
use crate::limits::{Limits, Rates};
use crate::night;

/// One `[[telegram]]` account in `steward.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramConfig {
    /// The account's name in Steward: its webhook is `/telegram/<name>/webhook`.
    #[serde(default = "default_name")]
    pub name: String,
    /// The bot's token from @BotFather (`123456:ABC...`).
    pub token: String,
    /// `https://api.telegram.org`, a self-hosted Bot API server, or a test stand-in.
    #[serde(default = "default_api_url")]
    pub api_url: String,
    #[serde(default)]
    pub mode: Mode,
    /// Webhook mode: the public HTTPS address that reaches `/telegram/<name>/webhook`.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Webhook mode: the secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token`.
    #[serde(default)]
    pub webhook_secret: Option<String>,
    /// Long polling: how long one `getUpdates` waits for updates, in seconds.
    #[serde(default = "default_poll_timeout")]
    pub poll_timeout: u32,
    /// Calls a minute into one group at most (Telegram allows a bot about 20 messages a
    /// minute in a group); 0: no limit.
    #[serde(default = "default_group_rate")]
    pub group_calls_per_minute: u32,
    /// Calls a minute for the whole account (Telegram: about 30 a second); 0: no limit.
    #[serde(default = "default_account_rate")]
    pub account_calls_per_minute: u32,
    /// A self-hosted Bot API server in `--local` mode: its file directory (its `--dir`), at the
    /// same path on Steward's machine (`getFile` names photos by their absolute path there, and
    /// Steward reads them from disk); a path outside this directory is never read.
    #[serde(default)]
    pub local_files: Option<std::path::PathBuf>,
}

fn default_name() -> String {
    "telegram".to_owned()
}
fn default_api_url() -> String {
    "https://api.telegram.org".to_owned()
}
fn default_poll_timeout() -> u32 {
    25
}
fn default_group_rate() -> u32 {
    20
}
fn default_account_rate() -> u32 {
    1800
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Polling,
    Webhook,
}

impl TelegramConfig {
    /// The bot's id, the part of the token before the colon.
    pub fn bot_id(&self) -> Option<&str> {
        let (id, secret) = self.token.split_once(':')?;
        (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && !secret.is_empty())
            .then_some(id)
    }

    /// What is wrong with the entry, in words an operator can act on.
    pub fn check(&self) -> Result<(), String> {
        let name = &self.name;
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(format!(
                "[[telegram]] name `{name}`: use letters, digits, `-` and `_` (it is part of the webhook's path)"
            ));
        }
        if self.bot_id().is_none() {
            return Err(format!(
                "[[telegram]] `{name}`: token is not a bot token (`123456:ABC...`, from @BotFather)"
            ));
        }
        if !(self.api_url.starts_with("https://") || self.api_url.starts_with("http://")) {
            return Err(format!(
                "[[telegram]] `{name}`: api_url must start with https:// or http://"
            ));
        }
        if let Some(dir) = &self.local_files
            && !dir.is_absolute()
        {
            return Err(format!(
                "[[telegram]] `{name}`: local_files must be an absolute directory (the Bot API server's --dir)"
            ));
        }
        if self.poll_timeout > 50 {
            return Err(format!(
                "[[telegram]] `{name}`: poll_timeout is at most 50 seconds"
            ));
        }
        if self.mode == Mode::Webhook {
            let secret = self.webhook_secret.as_deref().unwrap_or_default();
            if secret.is_empty()
                || secret.len() > 256
                || !secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(format!(
                    "[[telegram]] `{name}`: webhook mode needs webhook_secret, 1–256 of A-Z a-z 0-9 _ -"
                ));
            }
            if !self
                .webhook_url
                .as_deref()
                .is_some_and(|url| url.starts_with("https://") || url.starts_with("http://"))
            {
                return Err(format!(
                    "[[telegram]] `{name}`: webhook mode needs webhook_url, the public https:// address of /telegram/{name}/webhook"
                ));
            }
        }
        Ok(())
    }

    pub fn rates(&self) -> Rates {
        Rates::per_minute(self.group_calls_per_minute, self.account_calls_per_minute)
    }
}

/// How long an administrators list is trusted.
const ADMINS_FRESH: Duration = Duration::from_secs(600);
/// Two reports of one join or leave (the service message and the `chat_member` update) this
/// close together are one.
const SAME_CHANGE_SECONDS: i64 = 120;

/// A member in a chat, and the last join or leave recorded of them: its kind and time.
type Change = (Who, Last);
type Who = (ChatId, UserId);
type Last = (&'static str, i64);

struct Admins {
    fetched: Instant,
    roles: HashMap<UserId, MemberRole>,
}

/// One bot account: what the poller, the webhook endpoint and the delivery share.
pub struct Bot {
    pub config: TelegramConfig,
    pub account: AccountId,
    api: Arc<BotApi>,
    username: OnceLock<String>,
    pipeline: Arc<Pipeline>,
    health: Arc<Health>,
    admins: Mutex<HashMap<ChatId, Admins>>,
    /// The last join or leave recorded per (chat, member): its kind and time.
    changes: Mutex<HashMap<Who, Last>>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Bot({})", self.config.name)
    }
}

/// Why a webhook delivery was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("wrong or missing X-Telegram-Bot-Api-Secret-Token")]
    Secret,
    #[error("the update is not JSON: {0}")]
    Malformed(String),
    /// Not recorded: Telegram should deliver it again later.
    #[error("not recorded, try again: {0}")]
    Unavailable(String),
}

impl Bot {
    pub fn new(
        config: TelegramConfig,
        pipeline: Arc<Pipeline>,
        health: Arc<Health>,
    ) -> Result<Arc<Bot>, String> {
        config.check()?;
        let account = AccountId(config.bot_id().unwrap_or_default().to_owned());
        if let Some(dir) = config.local_files.as_deref().filter(|dir| !dir.is_dir()) {
            // Not fatal: the Bot API server may create it after Steward starts.
            warn!(
                account = %config.name,
                dir = %dir.display(),
                "telegram: local_files is not a directory (yet): photos on the Bot API server's disk are not read until it is"
            );
        }
        let api = BotApi::new(&config.api_url, &config.token)
            .map_err(|err| err.to_string())?
            .with_local_files(config.local_files.clone());
        Ok(Arc::new(Bot {
            config,
            account,
            api: Arc::new(api),
            username: OnceLock::new(),
            pipeline,
            health,
            admins: Mutex::new(HashMap::new()),
            changes: Mutex::new(HashMap::new()),
        }))
    }

    fn identity(&self) -> Identity {
        Identity {
            account: self.account.clone(),
            username: self.username.get().cloned(),
        }
    }

    /// A webhook delivery: `secret` is the request's `X-Telegram-Bot-Api-Secret-Token`.
    /// Answers once the update's events are committed.
    pub async fn receive(&self, secret: Option<&str>, body: &[u8]) -> Result<(), Refusal> {
        let expected = self.config.webhook_secret.as_deref().unwrap_or_default();
        if expected.is_empty()
            || !secret.is_some_and(|secret| steward_domain::same_secret(secret, expected))
        {
            return Err(Refusal::Secret);
        }
        let update: Value =
            serde_json::from_slice(body).map_err(|err| Refusal::Malformed(err.to_string()))?;
        self.take(std::slice::from_ref(&update))
            .await
            .map_err(Refusal::Unavailable)
    }

    /// Reads a batch of updates and records their events; `Err` when they were not all
    /// committed (the caller must not acknowledge them). A malformed update is logged and
    /// skipped: it is acknowledged, since asking again cannot mend it.
    async fn take(&self, updates: &[Value]) -> Result<(), String> {
        let me = self.identity();
        let mut events = Vec::new();
        let mut recorded_changes = Vec::new();
        let reading_until = tokio::time::Instant::now() + crate::images::READING_BUDGET;
        for update in updates {
            let read = match protocol::parse(update, &me) {
                Ok(read) => read,
                Err(err) => {
                    warn!(bot = %self.config.name, error = %err, "telegram: update skipped");
                    continue;
                }
            };
            if let Some(chat) = &read.admins_changed
                && let Ok(mut admins) = self.admins.lock()
            {
                admins.remove(chat);
            }
            for mut event in read.events {
                match &mut event.kind {
                    EventKind::Message { sender, .. } | EventKind::MessageEdited { sender, .. }
                        if sender.role == MemberRole::Member =>
                    {
                        if let Some(role) = self.role_of(&event.chat, &sender.id).await {
                            sender.role = role;
                        }
                    }
                    EventKind::MemberJoined { member, .. } => {
                        if self.repeated(
                            &event.chat,
                            &member.id,
                            "join",
                            event.time.timestamp(),
                            &recorded_changes,
                        ) {
                            continue;
                        }
                        recorded_changes.push((
                            (event.chat.clone(), member.id.clone()),
                            ("join", event.time.timestamp()),
                        ));
                    }
                    EventKind::MemberLeft { member, .. } => {
                        if self.repeated(
                            &event.chat,
                            member,
                            "leave",
                            event.time.timestamp(),
                            &recorded_changes,
                        ) {
                            continue;
                        }
                        recorded_changes.push((
                            (event.chat.clone(), member.clone()),
                            ("leave", event.time.timestamp()),
                        ));
                    }
                    _ => {}
                }
                crate::images::read_codes(
                    &self.api.http,
                    self.api.as_ref(),
                    &mut event,
                    reading_until,
                )
                .await;
                self.health.event("telegram", self.account.as_str());
                events.push(event);
            }
        }
        crate::record(&self.pipeline, events).await?;
        if let Ok(mut changes) = self.changes.lock() {
            if changes.len() > 100_000 {
                changes.clear();
            }
            changes.extend(recorded_changes);
        }
        Ok(())
    }

    /// Whether this join or leave was already recorded moments ago (the other report of it).
    fn repeated(
        &self,
        chat: &ChatId,
        member: &UserId,
        kind: &'static str,
        time: i64,
        pending: &[Change],
    ) -> bool {
        let key = (chat.clone(), member.clone());
        let last = pending
            .iter()
            .rev()
            .find(|(other, _)| *other == key)
            .map(|(_, last)| *last)
            .or_else(|| {
                self.changes
                    .lock()
                    .ok()
                    .and_then(|changes| changes.get(&key).copied())
            });
        last.is_some_and(|(last_kind, last_time)| {
            last_kind == kind && (time - last_time).abs() <= SAME_CHANGE_SECONDS
        })
    }

    /// A member's role in a chat by its administrators list (read from Telegram now and then).
    async fn role_of(&self, chat: &ChatId, member: &UserId) -> Option<MemberRole> {
        let fresh = self.admins.lock().ok().and_then(|admins| {
            admins
                .get(chat)
                .filter(|list| list.fetched.elapsed() < ADMINS_FRESH)
                .map(|list| list.roles.get(member).copied())
        });
        if let Some(role) = fresh {
            return role;
        }
        let answer = self
            .api
            .call(
                "getChatAdministrators",
                &json!({ "chat_id": protocol::id_value(chat.as_str()) }),
                Duration::from_secs(10),
            )
            .await;
        let roles: HashMap<UserId, MemberRole> = match &answer {
            Ok(list) => {
                self.learn_admins(chat, list).await;
                protocol::admins(list).into_iter().collect()
            }
            Err(err) => {
                warn!(bot = %self.config.name, chat = %chat, error = %err, "telegram: cannot read the chat's administrators");
                // The last list known stands until a read succeeds.
                self.admins
                    .lock()
                    .ok()
                    .and_then(|admins| admins.get(chat).map(|list| list.roles.clone()))
                    .unwrap_or_default()
            }
        };
        let role = roles.get(member).copied();
        if let Ok(mut admins) = self.admins.lock() {
            // A failed read is tried again in a minute, not at every message.
            let fetched = if answer.is_ok() {
                Instant::now()
            } else {
                Instant::now()
                    .checked_sub(ADMINS_FRESH - Duration::from_secs(60))
                    .unwrap_or_else(Instant::now)
            };
            admins.insert(chat.clone(), Admins { fetched, roles });
        }
        role
    }

    /// The administrators as members the group has (once a day each): Steward knows them, and
    /// that they are exempt, before they speak.
    async fn learn_admins(&self, chat: &ChatId, list: &Value) {
        let now = Utc::now();
        let today = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |midnight| midnight.and_utc());
        let me = self.identity();
        let events: Vec<Event> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|member| protocol::admin_seen(&me, chat, member, today))
            .collect();
        if let Err(err) = crate::record(&self.pipeline, events).await {
            warn!(bot = %self.config.name, error = %err, "telegram: administrators not recorded");
        }
    }
}

/// Runs one account until `stop` turns true: learns the bot's username, carries out its outbox,
/// and takes updates by long polling (or sets the webhook, whose deliveries come through the
/// web server).
pub async fn run(bot: Arc<Bot>, database: Arc<Database>, mut stop: watch::Receiver<bool>) {
    let name = bot.config.name.clone();
    let mut backoff = Backoff::default();
    // Who the bot is; the account id is in the token, the username is not.
    loop {
        match bot
            .api
            .call("getMe", &json!({}), Duration::from_secs(30))
            .await
        {
            Ok(me) => {
                if let Some(username) = me.get("username").and_then(Value::as_str) {
                    let _ = bot.username.set(username.to_owned());
                }
                if me
                    .get("id")
                    .and_then(Value::as_i64)
                    .map(|id| id.to_string())
                    .as_deref()
                    != Some(bot.account.as_str())
                {
                    warn!(bot = %name, "telegram: getMe names another bot than the token");
                }
                break;
            }
            Err(err) => {
                warn!(bot = %name, api = %bot.api.api_url, error = %err, "telegram: getMe failed");
                bot.health
                    .failed("telegram", bot.account.as_str(), err.to_string());
            }
        }
        if backoff.wait(&mut stop, None).await {
            return;
        }
    }
    info!(bot = %name, username = ?bot.username.get(), "telegram: bot ready");
    let outbox = tokio::spawn(delivery::deliver(
        Arc::clone(&database),
        Arc::clone(&bot.pipeline),
        Platform::Telegram,
        bot.account.clone(),
        TelegramCarrier {
            api: Arc::clone(&bot.api),
            database,
            paused_until: Arc::new(Mutex::new(None)),
        },
        stop.clone(),
        Arc::clone(&bot.health),
        Arc::new(Limits::new(bot.config.rates())),
    ));
    match bot.config.mode {
        Mode::Polling => poll(&bot, &mut stop).await,
        Mode::Webhook => webhook(&bot, &mut stop).await,
    }
    let _ = outbox.await;
}

async fn poll(bot: &Bot, stop: &mut watch::Receiver<bool>) {
    let name = &bot.config.name;
    let account = bot.account.as_str();
    // getUpdates is refused while a webhook is set.
    if let Err(err) = bot
        .api
        .call(
            "deleteWebhook",
            &json!({ "drop_pending_updates": false }),
            Duration::from_secs(30),
        )
        .await
    {
        warn!(bot = %name, error = %err, "telegram: deleteWebhook failed");
    }
    let mut offset: Option<i64> = None;
    let mut backoff = Backoff::default();
    let mut connection: Option<u64> = None;
    let within = Duration::from_secs(u64::from(bot.config.poll_timeout) + 15);
    loop {
        let mut params = json!({
            "timeout": bot.config.poll_timeout,
            "allowed_updates": ALLOWED_UPDATES,
        });
        if let Some(offset) = offset {
            params["offset"] = json!(offset);
        }
        let answer = tokio::select! {
            answer = bot.api.call("getUpdates", &params, within) => answer,
            _ = stop.changed() => break,
        };
        if *stop.borrow() {
            break;
        }
        let failure = match answer {
            Ok(Value::Array(updates)) => {
                backoff.reset();
                if connection.is_none() {
                    connection = Some(bot.health.connected("telegram", account, "long polling"));
                }
                let last = updates.iter().filter_map(protocol::update_id).max();
                match bot.take(&updates).await {
                    // Acknowledged by the next call's offset, only now that they are committed.
                    Ok(()) => {
                        if let Some(last) = last {
                            offset = Some(last + 1);
                        }
                        continue;
                    }
                    Err(err) => {
                        warn!(bot = %name, error = %err, "telegram: updates not recorded; asking for them again");
                        (err, None)
                    }
                }
            }
            Ok(other) => (format!("getUpdates answered {other}"), None),
            Err(CallError::Refused {
                code: 409,
                description,
                ..
            }) => (
                format!("409 {description}: another process polls this bot, or a webhook is set"),
                None,
            ),
            Err(CallError::Refused {
                code,
                description,
                retry_after,
            }) => (format!("Telegram error {code}: {description}"), retry_after),
            Err(err) => (err.to_string(), None),
        };
        let (error, retry_after) = failure;
        warn!(bot = %name, error = %error, "telegram: getUpdates failed");
        if let Some(number) = connection.take() {
            bot.health
                .disconnected("telegram", account, number, Some(error));
        } else {
            bot.health.failed("telegram", account, error);
        }
        if backoff
            .wait(stop, retry_after.map(Duration::from_secs))
            .await
        {
            break;
        }
    }
    if let Some(number) = connection {
        bot.health.disconnected("telegram", account, number, None);
    }
}

async fn webhook(bot: &Bot, stop: &mut watch::Receiver<bool>) {
    let name = &bot.config.name;
    let mut backoff = Backoff::default();
    loop {
        let params = json!({
            "url": bot.config.webhook_url,
            "secret_token": bot.config.webhook_secret,
            "allowed_updates": ALLOWED_UPDATES,
            // One delivery at a time: a chat's updates in order, and the two reports of one
            // join never handled side by side.
            "max_connections": 1,
        });
        match bot
            .api
            .call("setWebhook", &params, Duration::from_secs(30))
            .await
        {
            Ok(_) => break,
            Err(err) => {
                warn!(bot = %name, error = %err, "telegram: setWebhook failed");
                bot.health
                    .failed("telegram", bot.account.as_str(), err.to_string());
                let retry_after = match &err {
                    CallError::Refused { retry_after, .. } => *retry_after,
                    CallError::Http(_) => None,
                };
                if backoff
                    .wait(stop, retry_after.map(Duration::from_secs))
                    .await
                {
                    return;
                }
            }
        }
    }
    info!(bot = %name, "telegram: webhook set");
    // Kept set at shutdown: Telegram holds the updates until Steward is back.
    let connection = bot
        .health
        .connected("telegram", bot.account.as_str(), "webhook");
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            break;
        }
    }
    bot.health
        .disconnected("telegram", bot.account.as_str(), connection, None);
}

/// Carries out actions through the Bot API.
#[derive(Clone)]
struct TelegramCarrier {
    api: Arc<BotApi>,
    database: Arc<Database>,
    /// Until when Telegram asked the account to wait (a 429 too long to sit out in a turn).
    paused_until: Arc<Mutex<Option<Instant>>>,
}

impl delivery::Carrier for TelegramCarrier {
    fn carry_out(
        &self,
        entry: &OutboxEntry,
        closing: watch::Receiver<bool>,
    ) -> impl std::future::Future<Output = ActionOutcome> + Send {
        carry(self.clone(), entry.clone(), closing)
    }

    /// Counted without the mentioned members' names (read from the database when sending):
    /// their ids stand in for them.
    fn calls_for(&self, entry: &OutboxEntry) -> usize {
        protocol::calls(&entry.chat, &entry.action, &|_| None, Utc::now())
            .map_or(1, |calls| calls.len())
    }
}

/// The longest `retry_after` sat out within a group's turn; a longer one gives the action back.
const LONGEST_WAIT: Duration = Duration::from_secs(15);

async fn carry(
    carrier: TelegramCarrier,
    entry: OutboxEntry,
    mut closing: watch::Receiver<bool>,
) -> ActionOutcome {
    // Mentions show the member's name: looked up in the database, never taken from a template.
    let mentioned: Vec<UserId> = match &entry.action {
        steward_domain::Action::Send { segments, .. } => segments
            .iter()
            .filter_map(|segment| match segment {
                OutSegment::Mention { user } => Some(user.clone()),
                OutSegment::Text { .. } => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let names: HashMap<UserId, String> = if mentioned.is_empty() {
        HashMap::new()
    } else {
        let database = Arc::clone(&carrier.database);
        tokio::task::spawn_blocking(move || {
            mentioned
                .into_iter()
                .filter_map(|user| {
                    let name = database
                        .member_name("telegram", user.as_str())
                        .ok()
                        .flatten()?;
                    Some((user, name))
                })
                .collect()
        })
        .await
        .unwrap_or_default()
    };
    let harmless = entry.action.repeat_is_harmless();
    // A message too long for one goes as several, in order. Once a part is sent the action is
    // never given back or retried (that would send the earlier parts twice): the rest waits out
    // whatever pause Telegram asks for, however long, and leaves only at shutdown.
    let (mut part, mut answer, mut waits) = (0, None, 0);
    // At dawn, the day night mode gave back: marked restored once it is.
    let mut dawn: Option<String> = None;
    // Why the rest cannot be sent, once part of the message went.
    let unfinished = |part: usize, parts: usize, why: String| ActionOutcome::Failed {
        error: format!("{part} of {parts} parts sent, the rest not: {why}"),
        retry: false,
    };
    loop {
        // Made at each attempt: a mute's end is counted from the moment it is sent.
        let calls = match protocol::calls(
            &entry.chat,
            &entry.action,
            &|user| names.get(user).cloned(),
            Utc::now(),
        ) {
            Ok(calls) => calls,
            Err(reason) => {
                return ActionOutcome::Failed {
                    error: reason,
                    retry: false,
                };
            }
        };
        let Some(mut call) = calls.get(part).cloned() else {
            return ActionOutcome::Sent { answer };
        };
        let paused = carrier
            .paused_until
            .lock()
            .ok()
            .and_then(|until| *until)
            .and_then(|until| until.checked_duration_since(Instant::now()));
        if let Some(wait) = paused {
            // Before any part went, a long wait gives the action back to the queue.
            if part == 0 && wait > LONGEST_WAIT {
                return ActionOutcome::Returned {
                    reason: format!("Telegram asked to wait {} s", wait.as_secs()),
                };
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = closing.changed() => {
                    return match part {
                        0 => not_sent(),
                        _ => unfinished(part, calls.len(), "shutting down".to_owned()),
                    };
                }
            }
        }
        if let steward_domain::Action::MuteAll { on } = entry.action {
            let chat = json!({ "chat_id": protocol::id_value(entry.chat.as_str()) });
            let current = match carrier.api.call("getChat", &chat, ANSWER_WITHIN).await {
                Ok(info) => Some(info["permissions"].clone()),
                // Not known now: better a night that turns the other permissions off than no
                // night at all.
                Err(err) => {
                    warn!(chat = %entry.chat, error = %err, "telegram: the group's permissions could not be read before night mode");
                    None
                }
            };
            // The group's own sending permissions: saved at nightfall, given back at dawn.
            let now = current.as_ref().map(protocol::sending_permissions);
            let already_night = now.as_ref().is_some_and(protocol::is_night);
            match night::keep_the_day(
                &carrier.database,
                Platform::Telegram,
                &entry.account,
                &entry.chat,
                on,
                now.map(|now| now.to_string()),
                move |_| already_night,
            )
            .await
            {
                Ok(Some(day)) => {
                    if let Ok(saved) = serde_json::from_str::<Value>(&day) {
                        protocol::restore_day(&mut call, &saved);
                    }
                    dawn = Some(day);
                }
                Ok(None) => {}
                Err(err) => {
                    warn!(chat = %entry.chat, error = %err, "telegram: night mode could not keep the group's day");
                }
            }
            if let Some(current) = &current {
                protocol::keep_other_permissions(&mut call, current);
            }
        }
        match carrier
            .api
            .call(call.method, &call.params, ANSWER_WITHIN)
            .await
        {
            Ok(result) => {
                if part == 0 {
                    answer = result
                        .get("message_id")
                        .map(Value::to_string)
                        .or_else(|| (!result.is_null()).then(|| result.to_string()));
                }
                part += 1;
                waits = 0;
                if part == calls.len() {
                    if let Some(day) = dawn {
                        night::day_restored(
                            &carrier.database,
                            Platform::Telegram,
                            &entry.account,
                            &entry.chat,
                            day,
                        )
                        .await;
                    }
                    return ActionOutcome::Sent { answer };
                }
            }
            // Too many requests: the call was not carried out; it may be made again, a
            // message too, once the time Telegram names has passed.
            Err(CallError::Refused {
                code: 429,
                retry_after,
                ..
            }) => {
                waits += 1;
                let wait = Duration::from_secs(retry_after.unwrap_or(5).max(1));
                if let Ok(mut until) = carrier.paused_until.lock() {
                    *until = Some(Instant::now() + wait);
                }
                if waits == 3 && part == 0 {
                    let why = "Telegram asked to wait three times".to_owned();
                    return match part {
                        0 => ActionOutcome::Returned { reason: why },
                        _ => unfinished(part, calls.len(), why),
                    };
                }
            }
            Err(CallError::Refused {
                code, description, ..
            }) => {
                let why = format!("Telegram error {code}: {description}");
                return match part {
                    0 => ActionOutcome::Failed {
                        error: why,
                        retry: harmless && code >= 500,
                    },
                    _ => unfinished(part, calls.len(), why),
                };
            }
            Err(CallError::Http(HttpError::NotSent(error))) => {
                return match part {
                    0 => not_sent(),
                    _ => unfinished(part, calls.len(), error.to_string()),
                };
            }
            Err(CallError::Http(HttpError::Lost(error))) => {
                return match part {
                    0 => ActionOutcome::Failed {
                        error: format!("{UNANSWERED}: {error}"),
                        retry: harmless,
                    },
                    // Unanswered first, so that the group's turn ends as after any call that
                    // may have gone (delivery's lanes read the prefix).
                    _ => ActionOutcome::Failed {
                        error: format!(
                            "{UNANSWERED}: {error}; {part} of {} parts sent before it",
                            calls.len()
                        ),
                        retry: false,
                    },
                };
            }
        }
    }
}
