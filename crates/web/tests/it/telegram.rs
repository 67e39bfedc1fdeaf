//! Telegram through a local stand-in for the Bot API (Telegram's servers cannot be reached from
//! here: the stand-in is the mock at the network's edge). It answers like the Bot API's
//! documentation shows — `{ok, result}`, `{ok: false, error_code, description, parameters}` —
//! and its updates are written as the documentation's objects are.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use steward_adapters::telegram::{Bot, Mode, TelegramConfig};

use crate::console::Console;

const CHAT: i64 = -1_001_234_567_890;
const TOKEN: &str = "777000:AAE-test-token";

#[derive(Default)]
struct StandIn {
    /// Updates not yet handed out.
    updates: VecDeque<Value>,
    /// Every call: method, parameters, when.
    calls: Vec<(String, Value, Instant)>,
    /// `sendMessage` calls still to refuse with a 429.
    too_many: u32,
    /// Whether the database held the first update's message when the offset first moved.
    committed_before_offset: Option<bool>,
    /// As a server in `--local` mode: `getFile` names `<dir>/photos/<file_id>.png`, and a file
    /// id starting `outside` a path in the second directory.
    local: Option<(String, String)>,
    /// The group's permissions as `setChatPermissions` last left them (the default until then).
    permissions: Option<Value>,
}

type Shared = Arc<Mutex<StandIn>>;

/// Starts the stand-in on a loopback port; returns its base URL.
async fn stand_in(state: Shared, database: Arc<steward_store::Database>) -> String {
    let api = axum::Router::new().route(
        "/{bot}/{method}",
        axum::routing::post(
            move |axum::extract::Path((bot, method)): axum::extract::Path<(String, String)>,
                  body: String| {
                let state = Arc::clone(&state);
                let database = Arc::clone(&database);
                async move {
                    if bot != format!("bot{TOKEN}") {
                        return axum::Json(
                            json!({"ok": false, "error_code": 401, "description": "Unauthorized"}),
                        );
                    }
                    let params: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    let answer = answer(&state, &database, &method, &params).await;
                    axum::Json(answer)
                }
            },
        ),
    );
    // Files are fetched as the documentation says: `/file/bot<token>/<file_path>`.
    let api = api.route(
        "/file/{bot}/{*path}",
        axum::routing::get(
            |axum::extract::Path((bot, path)): axum::extract::Path<(String, String)>| async move {
                match (bot == format!("bot{TOKEN}"), picture(&path)) {
                    (true, Some(bytes)) => (axum::http::StatusCode::OK, bytes),
                    _ => (axum::http::StatusCode::NOT_FOUND, Vec::new()),
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, api).await;
    });
    base
}

async fn answer(
    state: &Shared,
    database: &steward_store::Database,
    method: &str,
    params: &Value,
) -> Value {
    state
        .lock()
        .unwrap()
        .calls
        .push((method.to_owned(), params.clone(), Instant::now()));
    let ok = |result: Value| json!({"ok": true, "result": result});
    match method {
        "getMe" => ok(
            json!({"id": 777000, "is_bot": true, "first_name": "Steward",
                             "username": "StewardBot"}),
        ),
        "deleteWebhook" | "setWebhook" => ok(json!(true)),
        // The group's own defaults: pinning allowed, inviting not.
        "getChat" => {
            let permissions = state
                .lock()
                .unwrap()
                .permissions
                .clone()
                .unwrap_or_else(|| {
                    json!({"can_send_messages": true, "can_send_polls": true,
                       "can_invite_users": false, "can_pin_messages": true,
                       "can_change_info": false, "can_manage_topics": false})
                });
            ok(
                json!({"id": CHAT, "type": "supergroup", "title": "Steward 测试群",
                      "accent_color_id": 0, "max_reaction_count": 11,
                      "permissions": permissions}),
            )
        }
        "setChatPermissions" => {
            state.lock().unwrap().permissions = Some(params["permissions"].clone());
            ok(json!(true))
        }
        "getFile" => {
            let id = params["file_id"].as_str().unwrap_or_default();
            let path = match &state.lock().unwrap().local {
                Some((_, outside)) if id.starts_with("outside") => {
                    format!("{outside}/photos/qr-big.png")
                }
                // Through a `..` that leaves the directory.
                Some((dir, outside)) if id.starts_with("climb") => {
                    format!(
                        "{dir}/../{}/photos/qr-big.png",
                        outside.rsplit('/').next().unwrap()
                    )
                }
                Some((dir, _)) => format!("{dir}/photos/{id}.png"),
                None => format!("photos/{id}.png"),
            };
            ok(
                json!({"file_id": id, "file_unique_id": format!("u-{id}"), "file_size": 900,
                      "file_path": path}),
            )
        }
        "getUpdates" => {
            if params["offset"].as_i64().is_some_and(|offset| offset > 1) {
                let mut state = state.lock().unwrap();
                if state.committed_before_offset.is_none() {
                    state.committed_before_offset = Some(
                        database
                            .group_id("telegram", &CHAT.to_string())
                            .unwrap()
                            .is_some(),
                    );
                }
            }
            // A long poll: waits a little for updates.
            for _ in 0..20 {
                let batch: Vec<Value> = {
                    let mut state = state.lock().unwrap();
                    let offset = params["offset"].as_i64().unwrap_or(0);
                    // Acknowledged updates are forgotten, as Telegram does.
                    state
                        .updates
                        .retain(|update| update["update_id"].as_i64().unwrap_or(0) >= offset);
                    state.updates.iter().take(100).cloned().collect()
                };
                if !batch.is_empty() {
                    return ok(Value::Array(batch));
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            ok(json!([]))
        }
        "getChatAdministrators" => ok(json!([
            {"status": "creator", "user": {"id": 900, "is_bot": false, "first_name": "Owner"},
             "is_anonymous": false},
            {"status": "administrator", "user": {"id": 333, "is_bot": false, "first_name": "Mod"},
             "can_be_edited": false, "is_anonymous": false, "can_manage_chat": true,
             "can_delete_messages": true, "can_manage_video_chats": false,
             "can_restrict_members": true, "can_promote_members": false, "can_change_info": false,
             "can_invite_users": true, "can_post_stories": false, "can_edit_stories": false,
             "can_delete_stories": false}
        ])),
        "sendMessage" => {
            let mut state = state.lock().unwrap();
            if state.too_many > 0 {
                state.too_many -= 1;
                return json!({"ok": false, "error_code": 429,
                              "description": "Too Many Requests: retry after 1",
                              "parameters": {"retry_after": 1}});
            }
            let id = 5000 + state.calls.len();
            ok(json!({"message_id": id, "date": 1_780_300_000,
                      "chat": {"id": CHAT, "type": "supergroup"}, "text": params["text"]}))
        }
        "deleteMessage"
        | "restrictChatMember"
        | "banChatMember"
        | "approveChatJoinRequest"
        | "declineChatJoinRequest" => ok(json!(true)),
        _ => json!({"ok": false, "error_code": 404, "description": "Not Found"}),
    }
}

/// The stand-in's pictures by file path: a WeChat QR code, and a broken file.
fn picture(path: &str) -> Option<Vec<u8>> {
    match path {
        "photos/qr-big.png" => Some(steward_text::testing::qr_png(
            QR_AD,
            6,
            steward_text::testing::ColorType::Grayscale,
        )),
        // Not an image at all: the message is still recorded, judged by its text.
        "photos/broken-big.png" => Some(b"\x89PNG\r\n\x1a\n not really".to_vec()),
        _ => None,
    }
}

const QR_AD: &str = "https://u.wechat.com/EFx-ad-2026";

fn user(id: i64, first: &str) -> Value {
    json!({"id": id, "is_bot": false, "first_name": first, "language_code": "zh-hans"})
}

/// The Bot API's `Message` in a supergroup.
fn message(update_id: i64, message_id: i64, from: Value, text: &str) -> Value {
    json!({"update_id": update_id, "message": {
        "message_id": message_id, "from": from, "date": 1_780_300_000 + message_id,
        "chat": {"id": CHAT, "title": "Steward 测试群", "type": "supergroup"}, "text": text}})
}

fn config(base: &str, mode: Mode) -> TelegramConfig {
    TelegramConfig {
        name: "main".into(),
        token: TOKEN.into(),
        api_url: base.into(),
        mode,
        webhook_url: Some("https://bot.example.com/telegram/main/webhook".into()),
        webhook_secret: Some("hook-secret_1".into()),
        poll_timeout: 1,
        group_calls_per_minute: 0,
        account_calls_per_minute: 0,
        local_files: None,
    }
}

/// Queues an action of the bot in the test group, due now; its outbox id.
fn schedule(database: &steward_store::Database, action: steward_domain::Action) -> i64 {
    let request = steward_domain::ActionRequest {
        platform: steward_domain::Platform::Telegram,
        account: steward_domain::AccountId("777000".into()),
        chat: steward_domain::ChatId(CHAT.to_string()),
        action,
    };
    let now = chrono::Utc::now();
    database.schedule_action(&request, now, now).unwrap()
}

fn calls_of(state: &Shared, method: &str) -> Vec<Value> {
    state
        .lock()
        .unwrap()
        .calls
        .iter()
        .filter(|(name, ..)| name == method)
        .map(|(_, params, _)| params.clone())
        .collect()
}

async fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            if let Some(found) = check() {
                break found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} within 15 s"))
}

/// A console with a pipeline, the stand-in holding `state`, and the bot polling it.
async fn polling(
    state: &Shared,
) -> (
    Console,
    Arc<steward_store::Database>,
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    polling_with(state, |_| {}).await
}

/// The same, the configuration changed by `change` first.
async fn polling_with(
    state: &Shared,
    change: impl FnOnce(&mut TelegramConfig),
) -> (
    Console,
    Arc<steward_store::Database>,
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let mut console = Console::new();
    crate::onebot::serve(&mut console, None).await;
    let database = console.state.database.clone();
    let base = stand_in(Arc::clone(state), database.clone()).await;
    let mut config = config(&base, Mode::Polling);
    change(&mut config);
    let bot = Bot::new(
        config,
        console.state.pipeline.clone().unwrap(),
        console.state.health.clone(),
    )
    .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(steward_adapters::telegram::run(
        bot,
        database.clone(),
        stopped,
    ));
    (console, database, stop, runner)
}

#[tokio::test(flavor = "multi_thread")]
async fn long_polling_signs_in_through_a_429_and_kicks_an_ad_on_the_third_offence() {
    let state: Shared = Arc::default();
    state.lock().unwrap().too_many = 1;
    state.lock().unwrap().updates.extend([
        message(1, 10, user(111, "Alice"), "/checkin@StewardBot"),
        // Malformed (a chat that is not an object) and of an unknown kind: skipped, acknowledged.
        json!({"update_id": 2, "message": {"message_id": 11, "date": 1, "chat": "nope"}}),
        json!({"update_id": 3, "business_message": {"message_id": 1}}),
    ]);
    let (console, database, stop, runner) = polling(&state).await;

    // The sign-in is answered; the first sendMessage is refused with 429 retry_after 1, and the
    // same message goes again no sooner than a second later: sent once.
    let sends = until("the sign-in reply", || {
        let sends = calls_of(&state, "sendMessage");
        (sends.len() == 2).then_some(sends)
    })
    .await;
    assert_eq!(
        sends[0], sends[1],
        "the refused call is made again unchanged"
    );
    let text = sends[1]["text"].as_str().unwrap();
    assert!(text.contains("签到成功"), "{text}");
    assert!(
        text.contains("<a href=\"tg://user?id=111\">Alice</a>"),
        "{text}"
    );
    assert_eq!(sends[1]["parse_mode"], "HTML");
    assert_eq!(sends[1]["chat_id"], CHAT);
    let times: Vec<Instant> = state
        .lock()
        .unwrap()
        .calls
        .iter()
        .filter(|(name, ..)| name == "sendMessage")
        .map(|(_, _, when)| *when)
        .collect();
    assert!(
        times[1] - times[0] >= Duration::from_millis(950),
        "retry_after respected"
    );
    let answer = until("the reply recorded as sent", || {
        database
            .recent_actions(None, 10)
            .unwrap()
            .into_iter()
            .find(|entry| entry.status == steward_store::OutboxStatus::Sent)
            .map(|entry| (entry.answer, entry.attempts))
    })
    .await;
    assert!(answer.0.is_some());
    assert_eq!(answer.1, 1, "a 429 does not use up an attempt");

    // getUpdates asked for chat_member by name, and the offset moved past the first batch only
    // once its events were committed (the malformed update included: it cannot be mended).
    let polls = calls_of(&state, "getUpdates");
    let allowed = polls[0]["allowed_updates"].to_string();
    assert!(
        allowed.contains("chat_member") && allowed.contains("chat_join_request"),
        "{allowed}"
    );
    until("the offset acknowledged", || {
        calls_of(&state, "getUpdates")
            .iter()
            .any(|poll| poll["offset"] == 4)
            .then_some(())
    })
    .await;
    assert_eq!(state.lock().unwrap().committed_before_offset, Some(true));
    assert!(calls_of(&state, "deleteWebhook").len() == 1);

    // An ad three times: deleted each time, the author warned, muted, then banned for good.
    for n in 0..3 {
        state.lock().unwrap().updates.push_back(message(
            10 + n,
            20 + n,
            user(222, "Spam"),
            &format!("加我ｖｘ：ａｂｃ１２３４５６ 优惠多多 {n}"),
        ));
    }
    // An administrator's link (the list comes from getChatAdministrators) is left alone, and a
    // member with a hostile name signs in: the name cannot open a tag.
    state.lock().unwrap().updates.extend([
        message(
            13,
            30,
            user(333, "Mod"),
            "官网 https://example.com 欢迎加我vx abc123456",
        ),
        message(14, 31, user(444, "<b>Eve</b> & <a href=\"x\">"), "签到"),
    ]);
    let bans = until("the ban", || {
        let bans = calls_of(&state, "banChatMember");
        (!bans.is_empty()).then_some(bans)
    })
    .await;
    assert_eq!(bans[0]["user_id"], 222);
    assert!(
        bans[0].get("until_date").is_none(),
        "refused for good: {}",
        bans[0]
    );
    let mutes = calls_of(&state, "restrictChatMember");
    assert_eq!(mutes.len(), 1);
    assert_eq!(mutes[0]["permissions"]["can_send_messages"], false);
    let until_date = mutes[0]["until_date"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now + 590..=now + 610).contains(&until_date),
        "a ten-minute mute: {until_date}"
    );
    let eve = until("Eve's sign-in reply", || {
        calls_of(&state, "sendMessage")
            .into_iter()
            .find(|send| send["text"].as_str().unwrap_or_default().contains("id=444"))
    })
    .await;
    let text = eve["text"].as_str().unwrap();
    assert!(
        text.contains("&lt;b&gt;Eve&lt;/b&gt; &amp; &lt;a href=&quot;x&quot;&gt;"),
        "{text}"
    );
    assert!(!text.contains("<b>"), "{text}");
    let deletes: Vec<i64> = calls_of(&state, "deleteMessage")
        .iter()
        .map(|call| call["message_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        deletes,
        vec![20, 21, 22],
        "the administrator's message stays"
    );

    // A join reported twice — the service message and the chat_member update, a second
    // apart — is one join: one welcome, naming the newcomer once.
    let group = json!({"id": CHAT, "title": "Steward 测试群", "type": "supergroup"});
    until("the earlier updates acknowledged", || {
        calls_of(&state, "getUpdates")
            .iter()
            .any(|poll| poll["offset"] == 15)
            .then_some(())
    })
    .await;
    let events_before = database.counts().unwrap().events;
    state.lock().unwrap().updates.extend([
        json!({"update_id": 15, "message": {"message_id": 40, "from": user(555, "Newbie"),
               "date": 1_780_300_100, "chat": group, "new_chat_members": [user(555, "Newbie")]}}),
        json!({"update_id": 16, "chat_member": {"chat": group, "from": user(555, "Newbie"),
               "date": 1_780_300_101,
               "old_chat_member": {"status": "left", "user": user(555, "Newbie")},
               "new_chat_member": {"status": "member", "user": user(555, "Newbie")}}}),
    ]);
    until("both reports read", || {
        calls_of(&state, "getUpdates")
            .iter()
            .any(|poll| poll["offset"] == 17)
            .then_some(())
    })
    .await;
    until("the welcome", || {
        calls_of(&state, "sendMessage")
            .iter()
            .any(|send| send["text"].as_str().unwrap_or_default().contains("id=555"))
            .then_some(())
    })
    .await;
    assert_eq!(database.counts().unwrap().events, events_before + 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let welcomed: usize = calls_of(&state, "sendMessage")
        .iter()
        .map(|send| {
            send["text"]
                .as_str()
                .unwrap_or_default()
                .matches("id=555")
                .count()
        })
        .sum();
    assert_eq!(welcomed, 1, "{:?}", calls_of(&state, "sendMessage"));

    // The health view shows the account polling.
    let token = crate::moderation::token_for(&console, "lin", None);
    let (_, health) =
        crate::moderation::api(&console, "GET", "/api/v1/platforms", &token, None).await;
    let account = health["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|account| account["platform"] == "telegram")
        .unwrap_or_else(|| panic!("{health}"))
        .clone();
    assert_eq!(account["account"], "777000");
    assert_eq!(account["connected"], true);
    assert_eq!(account["transport"], "long polling");
    crate::stop_runner(stop, runner, 10).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_deliveries_are_checked_by_their_secret() {
    let mut console = Console::new();
    crate::onebot::serve(&mut console, None).await;
    let database = console.state.database.clone();
    let state: Shared = Arc::default();
    let base = stand_in(Arc::clone(&state), database.clone()).await;
    let bot = Bot::new(
        config(&base, Mode::Webhook),
        console.state.pipeline.clone().unwrap(),
        console.state.health.clone(),
    )
    .unwrap();
    console.state = console.state.clone().with_telegram(vec![Arc::clone(&bot)]);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(steward_adapters::telegram::run(
        Arc::clone(&bot),
        database.clone(),
        stopped,
    ));
    let hook = until("setWebhook", || calls_of(&state, "setWebhook").pop()).await;
    assert_eq!(hook["secret_token"], "hook-secret_1");
    assert_eq!(hook["url"], "https://bot.example.com/telegram/main/webhook");
    assert!(hook["allowed_updates"].to_string().contains("chat_member"));

    let post = |secret: Option<&str>, body: String| {
        let mut request = axum::http::Request::builder()
            .method("POST")
            .uri("/telegram/main/webhook")
            .header("Content-Type", "application/json");
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        request.body(axum::body::Body::from(body)).unwrap()
    };
    let sign_in = message(1, 10, user(111, "Alice"), "签到").to_string();
    // A wrong secret, or none: refused, nothing recorded.
    for secret in [Some("wrong"), None] {
        let response = console.send(post(secret, sign_in.clone())).await;
        assert_eq!(response.status(), 401);
    }
    assert!(
        database
            .group_id("telegram", &CHAT.to_string())
            .unwrap()
            .is_none()
    );
    // Truncated JSON: a clear refusal.
    let response = console
        .send(post(Some("hook-secret_1"), sign_in[..40].to_owned()))
        .await;
    assert_eq!(response.status(), 400);
    // The right secret: answered once committed, and the reply goes out.
    let response = console
        .send(post(Some("hook-secret_1"), sign_in.clone()))
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        database
            .group_id("telegram", &CHAT.to_string())
            .unwrap()
            .is_some()
    );
    // Delivered again (Telegram retries when it saw no answer): still one reply.
    let response = console.send(post(Some("hook-secret_1"), sign_in)).await;
    assert_eq!(response.status(), 200);
    until("the sign-in reply", || {
        (!calls_of(&state, "sendMessage").is_empty()).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(calls_of(&state, "sendMessage").len(), 1);
    assert!(
        calls_of(&state, "getUpdates").is_empty(),
        "no polling in webhook mode"
    );
    // An unknown account's webhook does not exist.
    let response = console
        .send(
            axum::http::Request::builder()
                .method("POST")
                .uri("/telegram/other/webhook")
                .body(axum::body::Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), 404);
    crate::stop_runner(stop, runner, 10).await;
}

/// The Bot API's photo message: sizes smallest first, each with its own file_id.
fn photo(update_id: i64, message_id: i64, from: Value, name: &str) -> Value {
    json!({"update_id": update_id, "message": {
    "message_id": message_id, "from": from, "date": 1_780_300_000 + message_id,
    "chat": {"id": CHAT, "title": "Steward 测试群", "type": "supergroup"},
    "photo": [
        {"file_id": format!("{name}-small"), "file_unique_id": "s", "width": 90,
         "height": 90, "file_size": 300},
        {"file_id": format!("{name}-big"), "file_unique_id": "b", "width": 320,
         "height": 320, "file_size": 900}
    ]}})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_members_qr_code_picture_is_read_and_deleted_an_admins_is_not_fetched() {
    let state: Shared = Arc::default();
    state.lock().unwrap().updates.extend([
        photo(1, 60, user(333, "Mod"), "qr"),
        photo(2, 61, user(666, "Spammer"), "broken"),
        photo(3, 62, user(666, "Spammer"), "qr"),
    ]);
    let (_console, database, stop, runner) = polling(&state).await;
    let deletes = until("the QR-code ad deleted", || {
        let deletes = calls_of(&state, "deleteMessage");
        (!deletes.is_empty()).then_some(deletes)
    })
    .await;
    assert_eq!(deletes[0]["message_id"], 62);
    // The largest size was asked for, and only the member's pictures.
    let asked: Vec<Value> = calls_of(&state, "getFile")
        .iter()
        .map(|call| call["file_id"].clone())
        .collect();
    assert_eq!(asked, vec![json!("broken-big"), json!("qr-big")]);
    // What the code says is in the stored message, so a backtest reads it as the live run did.
    let stored = database.counts().unwrap().events;
    assert_eq!(
        stored, 5,
        "the three picture messages recorded, and the two administrators learnt"
    );
    let audit = database.audit_page(None, 20).unwrap();
    assert!(
        audit
            .iter()
            .any(|entry| format!("{entry:?}").contains("u.wechat.com")),
        "{audit:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        calls_of(&state, "deleteMessage").len(),
        1,
        "the broken picture's message stays"
    );
    crate::stop_runner(stop, runner, 10).await;
}

/// A self-hosted Bot API server in `--local` mode names photos by their path on its disk: read
/// from there when inside `local_files`, never outside it (an absolute path elsewhere, one that
/// climbs out with `..`, a symbolic link to a file elsewhere), though a QR-code ad is waiting
/// there too.
#[tokio::test(flavor = "multi_thread")]
async fn a_local_bot_api_servers_photos_are_read_from_its_directory_only() {
    let root = std::env::temp_dir().join(format!("steward-local-files-{}", std::process::id()));
    let (dir, outside) = (root.join("bot-api"), root.join("elsewhere"));
    let qr = steward_text::testing::qr_png(QR_AD, 6, steward_text::testing::ColorType::Grayscale);
    for place in [&dir, &outside] {
        std::fs::create_dir_all(place.join("photos")).unwrap();
        std::fs::write(place.join("photos/qr-big.png"), &qr).unwrap();
    }
    // A link inside the directory to a file outside it.
    let _ = std::fs::remove_file(dir.join("photos/link-big.png"));
    std::os::unix::fs::symlink(
        outside.join("photos/qr-big.png"),
        dir.join("photos/link-big.png"),
    )
    .unwrap();
    let state: Shared = Arc::default();
    state.lock().unwrap().local = Some((dir.display().to_string(), outside.display().to_string()));
    state.lock().unwrap().updates.extend([
        photo(1, 70, user(666, "Spammer"), "outside"),
        photo(2, 71, user(666, "Spammer"), "climb"),
        photo(3, 72, user(666, "Spammer"), "link"),
        photo(4, 73, user(666, "Spammer"), "qr"),
    ]);
    let local_files = dir.clone();
    let (_console, _database, stop, runner) =
        polling_with(&state, |config| config.local_files = Some(local_files)).await;
    let deletes = until("the QR-code ad deleted", || {
        let deletes = calls_of(&state, "deleteMessage");
        (!deletes.is_empty()).then_some(deletes)
    })
    .await;
    // Photos are read one message after the other: the two before were judged without theirs.
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert_eq!(deletes[0]["message_id"], 73);
    assert_eq!(calls_of(&state, "getFile").len(), 4);
    crate::stop_runner(stop, runner, 10).await;
    let _ = std::fs::remove_dir_all(&root);
}

/// Night mode keeps what else the group allows: Telegram refuses every permission a
/// `setChatPermissions` leaves out.
#[tokio::test(flavor = "multi_thread")]
async fn night_mode_turns_sending_off_and_keeps_the_groups_other_permissions() {
    let state: Shared = Arc::default();
    let (_console, database, stop, runner) = polling(&state).await;
    schedule(&database, steward_domain::Action::MuteAll { on: true });
    let set = until("night mode set", || {
        calls_of(&state, "setChatPermissions").pop()
    })
    .await;
    let permissions = &set["permissions"];
    assert_eq!(permissions["can_send_messages"], false, "{set}");
    assert_eq!(permissions["can_send_polls"], false);
    assert_eq!(permissions["can_pin_messages"], true, "kept: {set}");
    assert_eq!(permissions["can_invite_users"], false);
    crate::stop_runner(stop, runner, 10).await;
}

/// Dawn gives back the group's own day, saved at nightfall: a group without polls stays
/// without them. A nightfall carried out again in the night (an answer lost) keeps the day
/// the first one saved, not the night's.
#[tokio::test(flavor = "multi_thread")]
async fn dawn_gives_back_the_groups_own_sending_permissions() {
    let state: Shared = Arc::default();
    state.lock().unwrap().permissions = Some(json!({
        "can_send_messages": true, "can_send_photos": true, "can_send_polls": false,
        "can_invite_users": false, "can_pin_messages": true}));
    let (_console, database, stop, runner) = polling(&state).await;
    let nth_set = |n: usize| {
        let state = Arc::clone(&state);
        async move {
            until("setChatPermissions", || {
                calls_of(&state, "setChatPermissions").get(n).cloned()
            })
            .await
        }
    };
    schedule(&database, steward_domain::Action::MuteAll { on: true });
    let night = nth_set(0).await;
    assert_eq!(night["permissions"]["can_send_messages"], false, "{night}");
    schedule(&database, steward_domain::Action::MuteAll { on: true });
    nth_set(1).await;
    schedule(&database, steward_domain::Action::MuteAll { on: false });
    let dawn = nth_set(2).await;
    let permissions = &dawn["permissions"];
    assert_eq!(permissions["can_send_messages"], true, "{dawn}");
    assert_eq!(permissions["can_send_photos"], true);
    assert_eq!(
        permissions["can_send_polls"], false,
        "the day's own: {dawn}"
    );
    assert_eq!(permissions["can_pin_messages"], true);
    assert_eq!(permissions["can_invite_users"], false);
    // The next night saves the day afresh: polls allowed by hand since come back too.
    state.lock().unwrap().permissions.as_mut().unwrap()["can_send_polls"] = json!(true);
    schedule(&database, steward_domain::Action::MuteAll { on: true });
    nth_set(3).await;
    schedule(&database, steward_domain::Action::MuteAll { on: false });
    let dawn = nth_set(4).await;
    assert_eq!(dawn["permissions"]["can_send_polls"], true, "{dawn}");
    assert_eq!(dawn["permissions"]["can_send_messages"], true, "{dawn}");
    crate::stop_runner(stop, runner, 10).await;
}

/// An ad edited into a message already read: the Bot API's `edited_message` (asked for in
/// `allowed_updates`) is judged, and the message it changed is deleted.
#[tokio::test(flavor = "multi_thread")]
async fn an_ad_edited_into_an_old_message_is_deleted() {
    let state: Shared = Arc::default();
    let mut edited = message(2, 70, user(666, "Spammer"), "加我 vx abc12345 出号");
    edited["edited_message"] = edited["message"].take();
    edited.as_object_mut().unwrap().remove("message");
    edited["edited_message"]["edit_date"] = json!(1_780_300_100);
    state
        .lock()
        .unwrap()
        .updates
        .extend([message(1, 70, user(666, "Spammer"), "大家好"), edited]);
    let (_console, _database, stop, runner) = polling(&state).await;
    let deletes = until("the edited message deleted", || {
        let deletes = calls_of(&state, "deleteMessage");
        (!deletes.is_empty()).then_some(deletes)
    })
    .await;
    assert_eq!(deletes[0]["message_id"], 70);
    let polls = calls_of(&state, "getUpdates");
    assert!(
        polls[0]["allowed_updates"]
            .to_string()
            .contains("edited_message"),
        "{polls:?}"
    );
    crate::stop_runner(stop, runner, 10).await;
}

/// A message longer than Telegram's 4,096 characters (a welcome with the group's rules, say)
/// goes as several, in order, through a 429 between them, and only once.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_message_goes_in_parts_in_order_once() {
    let state: Shared = Arc::default();
    let (_console, database, stop, runner) = polling(&state).await;
    let rules: String = (1..=400)
        .map(|n| format!("第 {n} 条：请友善交流，不发广告，不刷屏。\n"))
        .collect();
    let text = format!("欢迎！群规如下：\n{rules}");
    assert!(text.encode_utf16().count() > 2 * 4096);
    // The first attempt meets a 429: that part is sent again after the wait, and the others
    // after it, each once.
    state.lock().unwrap().too_many = 1;
    let queued = schedule(
        &database,
        steward_domain::Action::Send {
            segments: vec![steward_domain::OutSegment::Text { text: text.clone() }],
            reply_to: Some(steward_domain::MessageId("41".into())),
        },
    );
    until("the message sent", || {
        database
            .recent_actions(None, 20)
            .unwrap()
            .into_iter()
            .any(|entry| entry.id == queued && entry.status == steward_store::OutboxStatus::Sent)
            .then_some(())
    })
    .await;
    let sent: Vec<Value> = calls_of(&state, "sendMessage");
    let texts: Vec<String> = sent
        .iter()
        .map(|call| call["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sent.len(), 4, "a 429 and three parts");
    assert_eq!(texts[0], texts[1], "the part Telegram refused, then sent");
    assert!(
        sent[..2]
            .iter()
            .all(|call| call["reply_parameters"]["message_id"] == 41)
    );
    assert!(
        sent[2..]
            .iter()
            .all(|call| call.get("reply_parameters").is_none())
    );
    // Every part fits, each line whole, and the parts (the retried one once) say it all.
    assert!(texts.iter().all(|part| part.encode_utf16().count() <= 4096));
    assert!(texts.iter().all(|part| part.ends_with('\n')));
    let mut unique = texts.clone();
    unique.dedup();
    assert_eq!(unique.concat(), text);
    crate::stop_runner(stop, runner, 10).await;
}
