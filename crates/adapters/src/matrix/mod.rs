//! Matrix through the client-server API, as a bot account on any homeserver (no end-to-end
//! encryption: the bot moderates unencrypted rooms). A `/sync` loop reads the rooms' timelines,
//! invites are accepted, and the account's outbox is carried out: messages, redactions, kicks,
//! bans, and mutes as power levels (with the mute's end queued as an action of its own, since
//! Matrix has no timed mute). `/sync`'s `next_batch` is saved only after the events before it
//! are committed.

pub mod protocol;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use hyper::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use steward_domain::{AccountId, Action, ActionRequest, ChatId, Event, Platform, UserId};
use steward_engine::Pipeline;
use steward_store::{ActionOutcome, Database, OutboxEntry};
use tokio::sync::watch;
use tracing::{info, warn};

use self::protocol::{Plan, PowerChange, PowerLevels, Room, encode};
use crate::backoff::Backoff;
use crate::delivery::{self, ANSWER_WITHIN, UNANSWERED, not_sent};
use crate::health::Health;
use crate::https::{HttpClient, HttpError};
use crate::limits::{Limits, Rates};

/// One `[[matrix]]` account in `steward.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixConfig {
    /// `https://matrix.example.org`: the homeserver's client-server API.
    pub homeserver: String,
    /// The bot's full user id, `@steward:example.org`.
    pub user: String,
    /// The bot's access token; or give `password` and Steward logs in.
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// Accept every room invite the bot receives.
    #[serde(default = "yes")]
    pub auto_join: bool,
    /// Calls a minute into one room at most; 0: no limit.
    #[serde(default = "default_room_rate")]
    pub group_calls_per_minute: u32,
    /// Calls a minute for the whole account; 0: no limit (the homeserver's 429s are respected).
    #[serde(default)]
    pub account_calls_per_minute: u32,
}

fn yes() -> bool {
    true
}
fn default_room_rate() -> u32 {
    60
}

impl MatrixConfig {
    pub fn check(&self) -> Result<(), String> {
        let user = &self.user;
        if !(user.starts_with('@') && user.contains(':')) {
            return Err(format!(
                "[[matrix]] user `{user}`: give the full user id, like @steward:example.org"
            ));
        }
        if !(self.homeserver.starts_with("https://") || self.homeserver.starts_with("http://")) {
            return Err(format!(
                "[[matrix]] `{user}`: homeserver must start with https:// or http://"
            ));
        }
        let given = |value: &Option<String>| value.as_deref().is_some_and(|v| !v.is_empty());
        if !given(&self.access_token) && !given(&self.password) {
            return Err(format!(
                "[[matrix]] `{user}`: give access_token (or password, and Steward logs in)"
            ));
        }
        Ok(())
    }

    pub fn rates(&self) -> Rates {
        Rates::per_minute(self.group_calls_per_minute, self.account_calls_per_minute)
    }
}

/// Why a request has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("Matrix error {status} {errcode}: {error}")]
    Refused {
        status: u16,
        errcode: String,
        error: String,
        /// A 429's `retry_after_ms`.
        retry_after_ms: Option<u64>,
    },
}

/// The client-server API of one homeserver, as one user.
pub struct Client {
    http: HttpClient,
    base: String,
    /// The homeserver's address alone (media is under `/_matrix/client/v1/media`).
    homeserver: String,
    token: Mutex<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Client({})", self.base)
    }
}

impl Client {
    pub fn new(homeserver: &str, token: &str) -> Result<Client, HttpError> {
        Ok(Client {
            http: HttpClient::new()?,
            base: format!("{}/_matrix/client/v3", homeserver.trim_end_matches('/')),
            homeserver: homeserver.trim_end_matches('/').to_owned(),
            token: Mutex::new(token.to_owned()),
        })
    }

    /// One request to `path` (under `/_matrix/client/v3`, with its query).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        within: Duration,
    ) -> Result<Value, CallError> {
        let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
        let token = self.token.lock().map(|t| t.clone()).unwrap_or_default();
        let bearer = format!("Bearer {token}");
        let headers: Vec<(&str, &str)> = if token.is_empty() {
            Vec::new()
        } else {
            vec![("Authorization", bearer.as_str())]
        };
        let (status, answer) = self
            .http
            .json(
                method,
                &format!("{}{path}", self.base),
                &headers,
                body,
                within,
            )
            .await?;
        if (200..300).contains(&status) {
            return Ok(answer);
        }
        Err(CallError::Refused {
            status,
            errcode: answer
                .get("errcode")
                .and_then(Value::as_str)
                .unwrap_or("M_UNKNOWN")
                .to_owned(),
            error: answer
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            retry_after_ms: answer.get("retry_after_ms").and_then(Value::as_u64),
        })
    }
}

/// An image's `mxc://<server>/<media id>`, fetched from the authenticated media API (Matrix 1.11;
/// Synapse no longer serves new media without a token).
impl crate::images::Locate for Client {
    async fn locate(
        &self,
        url: Option<&str>,
        _file: Option<&str>,
    ) -> Result<crate::images::Download, String> {
        let (server, media) = url
            .and_then(|url| url.strip_prefix("mxc://"))
            .and_then(|rest| rest.split_once('/'))
            .ok_or("the image has no mxc:// address")?;
        let server_ok = !server.is_empty()
            && server
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b));
        let media_ok = !media.is_empty()
            && media
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b));
        if !(server_ok && media_ok) {
            return Err("the image's mxc:// address is malformed".to_owned());
        }
        let token = self.token.lock().map(|t| t.clone()).unwrap_or_default();
        Ok(crate::images::Download::Web {
            url: format!(
                "{}/_matrix/client/v1/media/download/{server}/{media}",
                self.homeserver
            ),
            bearer: Some(token).filter(|token| !token.is_empty()),
        })
    }
}

/// Night mode keeps the room's own sending level for the morning ([`crate::night`]): saved at
/// nightfall, what comes back at dawn (`Some`; 0 when nothing was saved). A nightfall carried out
/// twice finds the room already as the first left it (its level the saved day's, raised to the
/// night's) and keeps what that one saved.
async fn night_keeps_the_day(
    carrier: &MatrixCarrier,
    room: &ChatId,
    on: bool,
    current: &Value,
) -> Result<Option<i64>, String> {
    let now = protocol::PowerLevels {
        content: current.clone(),
    }
    .events_default();
    let is_night = move |day: &str| {
        day.parse::<i64>()
            .is_ok_and(|day| now == day.max(protocol::NIGHT_LEVEL))
    };
    let day = crate::night::keep_the_day(
        &carrier.database,
        Platform::Matrix,
        &carrier.account,
        room,
        on,
        Some(now.to_string()),
        is_night,
    )
    .await?;
    Ok((!on).then(|| day.and_then(|day| day.parse().ok()).unwrap_or(0)))
}

/// Runs one account until `stop` turns true: logs in when needed, carries out its outbox and
/// reads `/sync`, reconnecting with backoff.
pub async fn run(
    config: MatrixConfig,
    database: Arc<Database>,
    pipeline: Arc<Pipeline>,
    health: Arc<Health>,
    mut stop: watch::Receiver<bool>,
) {
    let account = AccountId(config.user.clone());
    let client = match Client::new(
        &config.homeserver,
        config.access_token.as_deref().unwrap_or_default(),
    ) {
        Ok(client) => Arc::new(client),
        Err(err) => {
            warn!(user = %config.user, error = %err, "matrix: cannot start");
            return;
        }
    };
    let mut backoff = Backoff::default();
    // Who the token belongs to (or a login with the password).
    loop {
        match sign_in(&config, &client).await {
            Ok(()) => break,
            Err(err) => {
                warn!(user = %config.user, error = %err, "matrix: cannot sign in");
                health.failed("matrix", account.as_str(), err);
            }
        }
        if backoff.wait(&mut stop, None).await {
            return;
        }
    }
    info!(user = %config.user, homeserver = %config.homeserver, "matrix: signed in");
    let rooms: Rooms = Arc::default();
    let outbox = tokio::spawn(delivery::deliver(
        Arc::clone(&database),
        Arc::clone(&pipeline),
        Platform::Matrix,
        account.clone(),
        MatrixCarrier {
            client: Arc::clone(&client),
            database: Arc::clone(&database),
            account: account.clone(),
            rooms: Arc::clone(&rooms),
        },
        stop.clone(),
        Arc::clone(&health),
        Arc::new(Limits::new(config.rates())),
    ));
    sync(
        &config, &client, &database, &pipeline, &health, &rooms, &mut stop,
    )
    .await;
    let _ = outbox.await;
}

/// What the adapter knows of each joined room.
type Rooms = Arc<Mutex<HashMap<String, Room>>>;

async fn sign_in(config: &MatrixConfig, client: &Client) -> Result<(), String> {
    let within = Duration::from_secs(30);
    if config
        .access_token
        .as_deref()
        .is_some_and(|t| !t.is_empty())
    {
        let me = client
            .call("GET", "/account/whoami", None, within)
            .await
            .map_err(|err| err.to_string())?;
        if me.get("user_id").and_then(Value::as_str) != Some(config.user.as_str()) {
            return Err(format!(
                "the access token belongs to {}, not {}",
                me.get("user_id").unwrap_or(&Value::Null),
                config.user
            ));
        }
        return Ok(());
    }
    let login = json!({
        "type": "m.login.password",
        "identifier": { "type": "m.id.user", "user": config.user },
        "password": config.password,
        // One device across restarts, not a new one at every start.
        "device_id": "STEWARD",
        "initial_device_display_name": "Steward",
    });
    let answer = client
        .call("POST", "/login", Some(&login), within)
        .await
        .map_err(|err| err.to_string())?;
    let token = answer
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or("the login answer has no access_token")?;
    if let Ok(mut held) = client.token.lock() {
        token.clone_into(&mut held);
    }
    Ok(())
}

/// The filter of every `/sync`: room timelines and the state they need, nothing else.
const FILTER: &str = r#"{"presence":{"types":[]},"account_data":{"types":[]},"room":{"timeline":{"limit":100},"state":{"lazy_load_members":true},"ephemeral":{"types":[]},"account_data":{"types":[]}}}"#;

async fn sync(
    config: &MatrixConfig,
    client: &Client,
    database: &Arc<Database>,
    pipeline: &Pipeline,
    health: &Health,
    rooms: &Rooms,
    stop: &mut watch::Receiver<bool>,
) {
    let account = AccountId(config.user.clone());
    let me = account.as_str();
    let saved = {
        let database = Arc::clone(database);
        let user = config.user.clone();
        tokio::task::spawn_blocking(move || database.cursor(Platform::Matrix, &user))
            .await
            .ok()
            .and_then(Result::ok)
            .flatten()
    };
    // The first start reads no history: what was said before Steward came is not answered.
    let mut since = saved;
    let skip_history = since.is_none();
    let mut backoff = Backoff::default();
    let mut connection: Option<u64> = None;
    // Per room, batches in a row read again because its gap could not be read: after a few,
    // that room's gap is left out rather than hold every room up.
    let mut gap_failures: HashMap<String, u32> = HashMap::new();
    loop {
        let timeout = if since.is_none() { 0 } else { 30_000 };
        let mut retry_after = None;
        let mut path = format!("/sync?timeout={timeout}&filter={}", encode(FILTER));
        if let Some(since) = &since {
            path.push_str(&format!("&since={}", encode(since)));
        }
        let answer = tokio::select! {
            answer = client.call("GET", &path, None, Duration::from_secs(75)) => answer,
            _ = stop.changed() => break,
        };
        if *stop.borrow() {
            break;
        }
        let failure = match answer {
            Ok(batch) => {
                let Some(next) = batch.get("next_batch").and_then(Value::as_str) else {
                    warn!(user = %me, "matrix: a /sync answer without next_batch");
                    if backoff.wait(stop, None).await {
                        break;
                    }
                    continue;
                };
                if connection.is_none() {
                    connection = Some(health.connected("matrix", me, "/sync"));
                }
                if config.auto_join {
                    accept_invites(client, &batch).await;
                }
                let first = since.is_none() && skip_history;
                let unreadable: HashSet<&str> = gap_failures
                    .iter()
                    .filter(|(_, failures)| **failures >= GAP_ATTEMPTS)
                    .map(|(room, _)| room.as_str())
                    .collect();
                let gaps = since.as_deref().map(|since| (since, &unreadable));
                match read_rooms(client, &account, rooms, &batch, gaps, first).await {
                    Err((room, err)) => {
                        // Asked to wait is not the room failing.
                        if let CallError::Refused {
                            retry_after_ms: Some(ms),
                            ..
                        } = &err
                        {
                            retry_after = Some(Duration::from_millis((*ms).min(3_600_000)));
                        } else {
                            *gap_failures.entry(room).or_default() += 1;
                        }
                        format!(
                            "a gap in a room's timeline not read, reading the batch again: {err}"
                        )
                    }
                    Ok(mut events) => {
                        let reading_until =
                            tokio::time::Instant::now() + crate::images::READING_BUDGET;
                        for event in &mut events {
                            crate::images::read_codes(&client.http, client, event, reading_until)
                                .await;
                            health.event("matrix", me);
                        }
                        match crate::record(pipeline, events).await {
                            Ok(()) => {
                                let (database, user, next_owned) =
                                    (Arc::clone(database), config.user.clone(), next.to_owned());
                                let saved = tokio::task::spawn_blocking(move || {
                                    database.set_cursor(Platform::Matrix, &user, &next_owned)
                                })
                                .await;
                                if !matches!(saved, Ok(Ok(()))) {
                                    warn!(user = %me, "matrix: where the sync stands could not be saved");
                                }
                                since = Some(next.to_owned());
                                backoff.reset();
                                gap_failures.clear();
                                continue;
                            }
                            Err(err) => format!("events not recorded, reading them again: {err}"),
                        }
                    }
                }
            }
            Err(CallError::Refused {
                status: 401,
                errcode,
                error,
                ..
            }) => {
                // A token that expired: with a password, log in again.
                if config.password.as_deref().is_some_and(|p| !p.is_empty())
                    && let Err(err) = sign_in(config, client).await
                {
                    warn!(user = %me, error = %err, "matrix: cannot log in again");
                }
                format!("401 {errcode}: {error} (a wrong or expired access token)")
            }
            Err(CallError::Refused {
                retry_after_ms: Some(ms),
                ..
            }) => {
                if backoff
                    .wait(stop, Some(Duration::from_millis(ms.min(3_600_000))))
                    .await
                {
                    break;
                }
                continue;
            }
            Err(err) => err.to_string(),
        };
        warn!(user = %me, error = %failure, "matrix: /sync failed");
        match connection.take() {
            Some(number) => health.disconnected("matrix", me, number, Some(failure)),
            None => health.failed("matrix", me, failure),
        }
        if backoff.wait(stop, retry_after).await {
            break;
        }
    }
    if let Some(number) = connection {
        health.disconnected("matrix", me, number, None);
    }
}

async fn accept_invites(client: &Client, batch: &Value) {
    let Some(invites) = batch
        .get("rooms")
        .and_then(|rooms| rooms.get("invite"))
        .and_then(Value::as_object)
    else {
        return;
    };
    for room in invites.keys() {
        match client
            .call(
                "POST",
                &format!("/join/{}", encode(room)),
                Some(&json!({})),
                Duration::from_secs(30),
            )
            .await
        {
            Ok(_) => info!(room = %room, "matrix: invited; joined"),
            Err(err) => {
                warn!(room = %room, error = %err, "matrix: cannot join a room it was invited to")
            }
        }
    }
}

/// Most events read back into one room's gap in one batch.
const GAP_MAX: usize = 2_000;
/// Batches in a row read again because a room's gap could not be read, before the room is read
/// without it.
const GAP_ATTEMPTS: u32 = 5;

/// The events a `limited` timeline left out (more were sent since the last batch than the
/// filter's 100, as while Steward was stopped): read back from the timeline's `prev_batch` to
/// `since`, where the last batch ended. Returns the members' state the pages bring (display
/// names, lazily loaded), the events, oldest first, and whether they are all of the gap. Beyond
/// [`GAP_MAX`] the oldest are left out, with a warning. A room that refuses (403, 404: the bot
/// may not read its history) gives none; any other failure is an error, so that the batch is
/// read again.
async fn read_gap(
    client: &Client,
    room_id: &str,
    prev_batch: &str,
    since: &str,
) -> Result<Gap, CallError> {
    let (mut state, mut gap) = (Vec::new(), Vec::new());
    let mut from = prev_batch.to_owned();
    let mut complete = false;
    while gap.len() < GAP_MAX {
        let path = format!(
            "/rooms/{}/messages?dir=b&limit=100&from={}&to={}&filter={}",
            encode(room_id),
            encode(&from),
            encode(since),
            encode(r#"{"lazy_load_members":true}"#)
        );
        let mut page = match client
            .call("GET", &path, None, Duration::from_secs(30))
            .await
        {
            Ok(page) => page,
            Err(CallError::Refused {
                status: 403 | 404,
                errcode,
                error,
                ..
            }) => {
                warn!(room = %room_id, %errcode, %error, "matrix: a gap in the timeline cannot be read");
                return Ok(Gap {
                    members: state,
                    events: gap,
                    whole: false,
                });
            }
            Err(err) => return Err(err),
        };
        if let Some(Value::Array(members)) = page.get_mut("state").map(Value::take) {
            state.extend(members);
        }
        let chunk = match page.get_mut("chunk").map(Value::take) {
            Some(Value::Array(chunk)) if !chunk.is_empty() => chunk,
            _ => {
                complete = true;
                break;
            }
        };
        gap.extend(chunk);
        match page.get("end").and_then(Value::as_str) {
            Some(end) if end != from => end.clone_into(&mut from),
            _ => {
                complete = true;
                break;
            }
        }
    }
    // The last page may take it past the most as well.
    let whole = complete && gap.len() <= GAP_MAX;
    if !whole {
        warn!(room = %room_id, read = gap.len(), "matrix: a gap in the timeline is longer than Steward reads back; older events left out");
    }
    gap.truncate(GAP_MAX);
    gap.reverse();
    Ok(Gap {
        members: state,
        events: gap,
        whole,
    })
}

/// What [`read_gap`] read back.
#[derive(Default)]
struct Gap {
    /// The members' state the pages bring.
    members: Vec<Value>,
    /// The events, oldest first.
    events: Vec<Value>,
    /// Every event of the gap is there.
    whole: bool,
}

/// The joined rooms' timelines as events. A room seen for the first time has its power levels
/// read (who is exempt) and its members listed. `skip` reads state but makes no events (the
/// first sync: history). A timeline the server cut short (`limited`) is completed back to
/// `gaps`' position, where the last batch ended (see [`read_gap`]), except in the rooms named
/// beside it, whose gaps could not be read time and again. An error names the room.
async fn read_rooms(
    client: &Client,
    account: &AccountId,
    rooms: &Rooms,
    batch: &Value,
    gaps: Option<(&str, &HashSet<&str>)>,
    skip: bool,
) -> Result<Vec<Event>, (String, CallError)> {
    let mut events = Vec::new();
    // Rooms the bot left or was removed from: its own leave, so that night mode stops switching
    // them; what they know of the room is read again if the bot comes back.
    if let Some(left) = batch
        .get("rooms")
        .and_then(|rooms| rooms.get("leave"))
        .and_then(Value::as_object)
    {
        for (room_id, room) in left {
            let chat = ChatId(room_id.clone());
            if !skip {
                events.extend(
                    room.pointer("/timeline/events")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|event| protocol::own_membership(account, &chat, event)),
                );
            }
            if let Ok(mut rooms) = rooms.lock() {
                rooms.remove(room_id);
            }
        }
    }
    let Some(joined) = batch
        .get("rooms")
        .and_then(|rooms| rooms.get("join"))
        .and_then(Value::as_object)
    else {
        return Ok(events);
    };
    for (room_id, room) in joined {
        let chat = ChatId(room_id.clone());
        let known = rooms
            .lock()
            .map(|rooms| rooms.contains_key(room_id))
            .unwrap_or(false);
        let timeline = room.get("timeline");
        let gap = match (
            gaps,
            timeline
                .and_then(|timeline| timeline.get("limited"))
                .and_then(Value::as_bool),
            timeline
                .and_then(|timeline| timeline.get("prev_batch"))
                .and_then(Value::as_str),
        ) {
            (Some((_, unreadable)), Some(true), Some(_))
                if unreadable.contains(room_id.as_str()) =>
            {
                warn!(room = %room_id, "matrix: reading a room without the gap in its timeline");
                Gap::default()
            }
            (Some((since, _)), Some(true), Some(prev_batch)) if !skip => {
                read_gap(client, room_id, prev_batch, since)
                    .await
                    .map_err(|err| (room_id.clone(), err))?
            }
            _ => Gap::default(),
        };
        let timeline: Vec<&Value> = gap
            .events
            .iter()
            .chain(
                timeline
                    .and_then(|timeline| timeline.get("events"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            )
            .collect();
        // A room joined in this batch: what was said before the bot came is history, not read.
        let from = timeline
            .iter()
            .rposition(|event| {
                event.get("type").and_then(Value::as_str) == Some("m.room.member")
                    && event.get("state_key").and_then(Value::as_str) == Some(account.as_str())
                    && event
                        .get("content")
                        .and_then(|content| content.get("membership"))
                        .and_then(Value::as_str)
                        == Some("join")
                    // A join, not a change of the bot's own display name.
                    && event
                        .pointer("/unsigned/prev_content/membership")
                        .and_then(Value::as_str)
                        != Some("join")
            })
            .map_or(0, |join| join + 1);
        // The bot's own join (back in a room that had removed it).
        if !skip
            && let Some(join) = from.checked_sub(1)
            && let Some(joined) = protocol::own_membership(account, &chat, timeline[join])
        {
            events.push(joined);
        }
        if !known {
            let (state, seen, complete) = learn_room(client, account, &chat).await;
            if !skip {
                events.extend(seen);
            }
            // Read again at the next batch when the power levels could not be read: until then
            // nobody is taken for an admin, and nothing is cached that would keep it so.
            if complete && let Ok(mut rooms) = rooms.lock() {
                rooms.insert(room_id.clone(), state);
            }
        }
        let mut state = rooms
            .lock()
            .ok()
            .and_then(|rooms| rooms.get(room_id).cloned())
            .unwrap_or_default();
        // A room first seen now (as after a restart) was read as it is now: its power levels
        // are taken back to where the gap starts, each change undone by the content it
        // replaced (`unsigned.prev_content`), newest first; one without it is left as read.
        if !known && gap.whole {
            state.undo_power_changes(&timeline);
        }
        // The members a gap's pages name (older), then the state the batch brings: where the
        // timeline starts, after the gap. A gap read whole brings its own state changes in
        // order (each of its events is judged with the power levels of its time); with a part
        // of it missing, the state at its end is the better guess for all of it.
        for event in &gap.members {
            state.learn(event);
        }
        let batch_state = room
            .get("state")
            .and_then(|state| state.get("events"))
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let mut state_at = if gap.whole { gap.events.len() } else { 0 };
        for (index, event) in timeline.into_iter().enumerate() {
            if index == state_at {
                batch_state.iter().for_each(|event| state.learn(event));
                state_at = usize::MAX;
            }
            // Each event is read with the state before it; then it is state itself.
            if !skip && index >= from {
                match protocol::timeline_event(account, &chat, &state, event) {
                    Ok(Some(read)) => events.push(read),
                    Ok(None) => {}
                    Err(err) => warn!(room = %room_id, error = %err, "matrix: event skipped"),
                }
            }
            state.learn(event);
        }
        if state_at != usize::MAX {
            batch_state.iter().for_each(|event| state.learn(event));
        }
        if let Ok(mut rooms) = rooms.lock()
            && (known || rooms.contains_key(room_id))
        {
            rooms.insert(room_id.clone(), state);
        }
    }
    Ok(events)
}

/// A room's power levels and members, read once: the room's state, and its members as
/// `MemberSeen` events (once a day each).
async fn learn_room(
    client: &Client,
    account: &AccountId,
    chat: &ChatId,
) -> (Room, Vec<Event>, bool) {
    let room_path = encode(chat.as_str());
    let within = Duration::from_secs(30);
    let mut room = Room::default();
    let mut complete = false;
    if let Ok(content) = client
        .call(
            "GET",
            &format!("/rooms/{room_path}/state/m.room.power_levels/"),
            None,
            within,
        )
        .await
    {
        room.power = PowerLevels { content };
        complete = true;
    }
    // The creation event: its sender (and additional creators) own the room. Asked for as a
    // whole event (`format=event`): from room version 11 on only its sender names the creator;
    // a server that gives the content alone still names it there in older versions.
    if let Ok(create) = client
        .call(
            "GET",
            &format!("/rooms/{room_path}/state/m.room.create/?format=event"),
            None,
            within,
        )
        .await
    {
        let content = create
            .get("content")
            .cloned()
            .unwrap_or_else(|| create.clone());
        let sender = create
            .get("sender")
            .or_else(|| content.get("creator"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(sender) = sender {
            room.learn_creation(&sender, &content);
        }
    }
    let mut seen = Vec::new();
    if let Ok(members) = client
        .call(
            "GET",
            &format!("/rooms/{room_path}/joined_members"),
            None,
            within,
        )
        .await
    {
        let now = Utc::now();
        let today = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |midnight| midnight.and_utc());
        for (user, profile) in members
            .get("joined")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(name) = profile.get("display_name").and_then(Value::as_str) {
                room.names.insert(user.clone(), name.to_owned());
            }
            if user == account.as_str() {
                continue;
            }
            seen.push(Event {
                platform: Platform::Matrix,
                account: account.clone(),
                chat: chat.clone(),
                id: Some(format!("seen-{user}-{}", today.format("%Y%m%d"))),
                time: today,
                kind: steward_domain::EventKind::MemberSeen {
                    member: steward_domain::MemberProfile {
                        id: UserId(user.clone()),
                        name: room.name_of(user),
                        nickname: None,
                        role: room.role(user),
                        is_bot: false,
                    },
                },
            });
        }
    }
    (room, seen, complete)
}

/// Carries out actions through the client-server API.
#[derive(Clone)]
struct MatrixCarrier {
    client: Arc<Client>,
    database: Arc<Database>,
    account: AccountId,
    rooms: Rooms,
}

impl delivery::Carrier for MatrixCarrier {
    fn carry_out(
        &self,
        entry: &OutboxEntry,
        closing: watch::Receiver<bool>,
    ) -> impl std::future::Future<Output = ActionOutcome> + Send {
        carry(self.clone(), entry.clone(), closing)
    }
}

fn outcome(result: Result<Value, CallError>, harmless: bool) -> ActionOutcome {
    match result {
        Ok(answer) => ActionOutcome::Sent {
            answer: answer
                .get("event_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        },
        // Rate limited: not carried out; back to the queue without using an attempt.
        Err(CallError::Refused { status: 429, .. }) => ActionOutcome::Returned {
            reason: "the homeserver asked to slow down (429)".to_owned(),
        },
        Err(CallError::Refused {
            status,
            errcode,
            error,
            ..
        }) => ActionOutcome::Failed {
            error: format!("Matrix error {status} {errcode}: {error}"),
            retry: harmless && status >= 500,
        },
        Err(CallError::Http(HttpError::NotSent(_))) => not_sent(),
        Err(CallError::Http(HttpError::Lost(error))) => ActionOutcome::Failed {
            error: format!("{UNANSWERED}: {error}"),
            retry: harmless,
        },
    }
}

async fn carry(
    carrier: MatrixCarrier,
    entry: OutboxEntry,
    _closing: watch::Receiver<bool>,
) -> ActionOutcome {
    let room = carrier
        .rooms
        .lock()
        .ok()
        .and_then(|rooms| rooms.get(entry.chat.as_str()).cloned())
        .unwrap_or_default();
    // The transaction id is the outbox entry's: the homeserver itself keeps a send or a
    // redaction from happening twice.
    let txn = format!("steward-{}", entry.id);
    let plan = match protocol::plan(&entry.chat, &entry.action, &txn, &|user| {
        room.name_of(user.as_str())
    }) {
        Ok(plan) => plan,
        Err(reason) => {
            return ActionOutcome::Failed {
                error: reason,
                retry: false,
            };
        }
    };
    let harmless = entry.action.repeat_is_harmless();
    match plan {
        Plan::Request(request) => outcome(
            carrier
                .client
                .call(
                    request.method,
                    &request.path,
                    Some(&request.body),
                    ANSWER_WITHIN,
                )
                .await,
            harmless,
        ),
        Plan::Power(change) => {
            let member = match &entry.action {
                Action::Mute { member, .. } | Action::Unmute { member } => {
                    Some(member.as_str().to_owned())
                }
                _ => None,
            };
            let path = format!(
                "/rooms/{}/state/m.room.power_levels/",
                encode(entry.chat.as_str())
            );
            let current = match carrier.client.call("GET", &path, None, ANSWER_WITHIN).await {
                Ok(current) => current,
                Err(err) => return outcome(Err(err), true),
            };
            let mut changed = protocol::change_power(&current, change, member.as_deref());
            let mut dawn = None;
            if let PowerChange::MuteAll(on) = change {
                match night_keeps_the_day(&carrier, &entry.chat, on, &current).await {
                    Ok(Some(day)) => {
                        changed["events_default"] = json!(day);
                        dawn = Some(day);
                    }
                    Ok(None) => {}
                    Err(err) => {
                        return outcome(Err(CallError::Http(HttpError::NotSent(err))), true);
                    }
                }
            }
            let result = if changed == current {
                Ok(Value::Null)
            } else {
                carrier
                    .client
                    .call("PUT", &path, Some(&changed), ANSWER_WITHIN)
                    .await
            };
            if let (Ok(_), Some(day)) = (&result, dawn) {
                crate::night::day_restored(
                    &carrier.database,
                    Platform::Matrix,
                    &carrier.account,
                    &entry.chat,
                    day.to_string(),
                )
                .await;
            }
            if result.is_ok()
                && let (PowerChange::Mute, Action::Mute { member, seconds }) =
                    (change, &entry.action)
            {
                if let Ok(mut rooms) = carrier.rooms.lock()
                    && let Some(room) = rooms.get_mut(entry.chat.as_str())
                {
                    room.power.content = changed.clone();
                }
                // Matrix has no timed mute: its end is an action of its own, queued now and
                // kept in the database, so that a restart does not leave the member muted.
                let now = Utc::now();
                let lift = ActionRequest {
                    platform: Platform::Matrix,
                    account: carrier.account.clone(),
                    chat: entry.chat.clone(),
                    action: Action::Unmute {
                        member: member.clone(),
                    },
                };
                let database = Arc::clone(&carrier.database);
                let until = now + chrono::Duration::seconds(i64::from(*seconds));
                let queued = tokio::task::spawn_blocking(move || {
                    database.schedule_action(&lift, now, until)
                })
                .await;
                if !matches!(queued, Ok(Ok(_))) {
                    warn!(room = %entry.chat, member = %member, "matrix: the mute's end could not be queued");
                }
            }
            outcome(result, true)
        }
    }
}
