//! The reverse WebSocket as a OneBot implementation meets it: a real listener on loopback and a
//! WebSocket client sending the specification's payloads (the test stands in for NapCat or
//! Lagrange, which cannot run here).

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use steward_store::OutboxStatus;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::console::Console;

/// Serves the console's router on a loopback port with a running pipeline; returns the port.
pub(crate) async fn serve(console: &mut Console, token: Option<&str>) -> u16 {
    serve_limited(console, token, 0).await
}

/// The same, with at most `group_per_minute` calls a minute into one group.
async fn serve_limited(console: &mut Console, token: Option<&str>, group_per_minute: u32) -> u16 {
    let pipeline = Arc::new(
        steward_engine::Pipeline::start(
            console.state.database.clone(),
            steward_engine::features::registry(
                &steward_engine::features::FeaturesConfig::default(),
                &Default::default(),
            ),
            &steward_engine::PipelineConfig::default(),
        )
        .await
        .unwrap(),
    );
    let config = steward_web::onebot::OneBotConfig {
        access_token: token.map(str::to_owned),
        forward: Vec::new(),
        secret: Some("hmac-secret".to_owned()),
        group_calls_per_minute: group_per_minute,
        account_calls_per_minute: 0,
    };
    let state = console
        .state
        .clone()
        .with_pipeline(pipeline)
        .with_onebot(config, tokio::sync::watch::channel(false).1);
    console.state = state.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let service =
        steward_web::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, service).await;
    });
    port
}

/// The implementation of bot account 10001000 connected with the usual token.
async fn connect(
    port: u16,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let (socket, _) =
        tokio_tungstenite::connect_async(request(port, Some("10001000"), Some("s3cret")))
            .await
            .unwrap();
    socket
}

fn request(
    port: u16,
    self_id: Option<&str>,
    token: Option<&str>,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = format!("ws://127.0.0.1:{port}/onebot/v11/ws")
        .into_client_request()
        .unwrap();
    if let Some(id) = self_id {
        request
            .headers_mut()
            .insert("X-Self-ID", id.parse().unwrap());
    }
    request
        .headers_mut()
        .insert("X-Client-Role", "Universal".parse().unwrap());
    if let Some(token) = token {
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    }
    request
}

/// The next call Steward makes, after answering its member-list reads (an empty list: these
/// tests are about other calls). `None` for a frame that is not a call.
async fn next_call<S>(socket: &mut S) -> Option<Value>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + futures_util::Sink<Message>
        + Unpin,
{
    let Some(Ok(Message::Text(text))) = socket.next().await else {
        return None;
    };
    let call: Value = serde_json::from_str(&text).ok()?;
    if matches!(
        call["action"].as_str(),
        Some("get_group_list" | "get_group_member_list")
    ) {
        let answer = json!({"status": "ok", "retcode": 0, "data": [], "echo": call["echo"]});
        let _ = socket.send(Message::text(answer.to_string())).await;
        return None;
    }
    Some(call)
}

/// Answers the next `n` calls as done; when each arrived, from the start.
async fn answer_calls<S>(socket: &mut S, n: usize) -> Vec<Duration>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + futures_util::Sink<Message>
        + Unpin,
{
    let started = std::time::Instant::now();
    let mut arrived = Vec::new();
    while arrived.len() < n {
        let call = tokio::time::timeout(Duration::from_secs(15), async {
            loop {
                if let Some(call) = next_call(socket).await {
                    break call;
                }
            }
        })
        .await
        .expect("a call");
        arrived.push(started.elapsed());
        let answer =
            json!({"status": "ok", "retcode": 0, "data": {"message_id": 1}, "echo": call["echo"]});
        let _ = socket.send(Message::text(answer.to_string())).await;
    }
    arrived
}

/// event/message.md's group message.
fn group_message(id: i64, user: i64, text: &str) -> String {
    json!({
        "time": 1_780_300_000 + id, "self_id": 10001000, "post_type": "message",
        "message_type": "group", "sub_type": "normal", "message_id": id, "group_id": 123456,
        "user_id": user, "anonymous": null, "message": [{"type": "text", "data": {"text": text}}],
        "raw_message": text, "font": 0,
        "sender": {"user_id": user, "nickname": "小王", "card": "", "sex": "unknown", "age": 0,
                   "area": "", "level": "", "role": "member", "title": ""}
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_onebot_implementation_connects_signs_in_and_has_an_ad_kicked_on_the_third_offence() {
    let mut console = Console::new();
    let port = serve(&mut console, Some("s3cret")).await;

    // Refused: a wrong token, no token, no X-Self-ID.
    for (self_id, token, status) in [
        (Some("10001000"), Some("wrong"), 403),
        (Some("10001000"), None, 401),
        (None, Some("s3cret"), 400),
    ] {
        let refused = tokio_tungstenite::connect_async(request(port, self_id, token)).await;
        match refused {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status().as_u16(), status);
            }
            other => panic!("{self_id:?} {token:?}: {:?}", other.map(|_| ())),
        }
    }

    let mut socket = connect(port).await;
    // A lifecycle meta event, then a member signs in.
    socket
        .send(Message::text(
            json!({"time": 1_780_300_000, "self_id": 10001000, "post_type": "meta_event",
                   "meta_event_type": "lifecycle", "sub_type": "connect"})
            .to_string(),
        ))
        .await
        .unwrap();
    socket
        .send(Message::text(group_message(1, 12345678, "签到")))
        .await
        .unwrap();
    let call = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(call) = next_call(&mut socket).await {
                break call;
            }
        }
    })
    .await
    .expect("a call within ten seconds");
    assert_eq!(call["action"], "send_group_msg");
    assert_eq!(call["params"]["group_id"], 123456);
    let message = call["params"]["message"].to_string();
    assert!(
        message.contains("签到成功") && message.contains("12345678"),
        "{message}"
    );
    let echo = call["echo"].clone();
    socket
        .send(Message::text(
            json!({"status": "ok", "retcode": 0, "data": {"message_id": 99}, "echo": echo})
                .to_string(),
        ))
        .await
        .unwrap();
    // The outbox records the platform's answer.
    let database = console.state.database.clone();
    let recorded = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let actions = database.recent_actions(None, 10).unwrap();
            if let Some(sent) = actions
                .iter()
                .find(|entry| entry.status == OutboxStatus::Sent)
            {
                break sent.answer.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("recorded as sent");
    assert_eq!(recorded.as_deref(), Some("99"));
    assert!(database.group_id("onebot", "123456").unwrap().is_some());

    // An ad three times: deleted and warned, deleted and muted, deleted and kicked with its
    // author refused from rejoining — each call answered by echo.
    let mut calls = Vec::new();
    for (n, id) in [(1, 11), (2, 12), (3, 13)] {
        socket
            .send(Message::text(group_message(
                id,
                87654321,
                &format!("加我ｖｘ：ａｂｃ１２３４５６ 优惠多多 {n}"),
            )))
            .await
            .unwrap();
        // Take the calls this message brings (a delete and a notice, then a mute or a kick).
        let wanted = 2 + usize::from(n > 1);
        let mut got = 0;
        while got < wanted {
            let call = tokio::time::timeout(Duration::from_secs(10), async {
                loop {
                    if let Some(call) = next_call(&mut socket).await {
                        break call;
                    }
                }
            })
            .await
            .expect("a call within ten seconds");
            socket
                .send(Message::text(
                    json!({"status": "ok", "retcode": 0, "data": null, "echo": call["echo"]})
                        .to_string(),
                ))
                .await
                .unwrap();
            calls.push(call);
            got += 1;
        }
    }
    let actions: Vec<&str> = calls
        .iter()
        .map(|call| call["action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "delete_msg").count(),
        3,
        "{actions:?}"
    );
    let mute = calls
        .iter()
        .find(|call| call["action"] == "set_group_ban")
        .unwrap();
    assert_eq!(mute["params"]["user_id"], 87654321);
    assert_eq!(mute["params"]["duration"], 600);
    let kick = calls
        .iter()
        .find(|call| call["action"] == "set_group_kick")
        .unwrap();
    assert_eq!(
        kick["params"],
        json!({"group_id": 123456, "user_id": 87654321, "reject_add_request": true})
    );
    let echoes: std::collections::HashSet<String> =
        calls.iter().map(|call| call["echo"].to_string()).collect();
    assert_eq!(echoes.len(), calls.len(), "every call has its own echo");

    // The console's health view: the account is connected, with what it received and did.
    let token = crate::moderation::token_for(&console, "lin", None);
    // The last answers are taken by the delivery loop a moment after they were sent.
    let mut health = Value::Null;
    for _ in 0..100 {
        health = crate::moderation::api(&console, "GET", "/api/v1/platforms", &token, None)
            .await
            .1;
        if health["accounts"][0]["sent"].as_u64() >= Some(9) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let account = &health["accounts"][0];
    assert_eq!(account["account"], "10001000");
    assert_eq!(account["connected"], true);
    assert_eq!(account["transport"], "reverse WebSocket");
    assert!(account["events"].as_u64().unwrap() >= 4, "{health}");
    assert!(account["sent"].as_u64().unwrap() >= 9, "{health}");
    socket.close(None).await.unwrap();
    let disconnected = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let (_, health) =
                crate::moderation::api(&console, "GET", "/api/v1/platforms", &token, None).await;
            if health["accounts"][0]["connected"] == false {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(
        disconnected.is_ok(),
        "the view shows the account disconnected"
    );
}

/// The forward WebSocket: Steward connects to the implementation's server (here a stand-in on
/// loopback), learns the account from its first event, answers a sign-in, and connects again
/// after the implementation drops the connection.
#[allow(clippy::result_large_err)] // the handshake callback's type is tungstenite's
#[tokio::test(flavor = "multi_thread")]
async fn steward_connects_forward_and_reconnects() {
    let mut console = Console::new();
    serve(&mut console, None).await;
    let pipeline = console.state.pipeline.clone().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(steward_adapters::onebot::forward::run(
        console.state.database.clone(),
        pipeline,
        console.state.health.clone(),
        Arc::new(steward_adapters::limits::Limits::new(Default::default())),
        url,
        Some("their-token".to_owned()),
        stopped,
    ));
    for round in 0..2 {
        let (tcp, _) = tokio::time::timeout(Duration::from_secs(10), listener.accept())
            .await
            .expect("Steward connects")
            .unwrap();
        let mut authorization = String::new();
        let mut socket = tokio_tungstenite::accept_hdr_async(
            tcp,
            |request: &tokio_tungstenite::tungstenite::handshake::server::Request, response| {
                authorization = request
                    .headers()
                    .get("Authorization")
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                Ok(response)
            },
        )
        .await
        .unwrap();
        assert_eq!(authorization, "Bearer their-token");
        socket
            .send(Message::text(
                json!({"time": 1_780_300_000, "self_id": 10001000, "post_type": "meta_event",
                       "meta_event_type": "lifecycle", "sub_type": "connect"})
                .to_string(),
            ))
            .await
            .unwrap();
        socket
            .send(Message::text(group_message(100 + round, 12345678, "签到")))
            .await
            .unwrap();
        let call = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let Some(call) = next_call(&mut socket).await {
                    break call;
                }
            }
        })
        .await
        .expect("a call within ten seconds");
        assert_eq!(call["action"], "send_group_msg");
        let expected = if round == 0 {
            "签到成功"
        } else {
            "已经签到"
        };
        assert!(
            call["params"]["message"].to_string().contains(expected),
            "{call}"
        );
        // The first round's reply is delivered; the second's fails in the implementation
        // (retcode 200): a message is never sent again, it is recorded as failed.
        let answer = if round == 0 {
            json!({"status": "ok", "retcode": 0, "data": {"message_id": 5}, "echo": call["echo"]})
        } else {
            json!({"status": "failed", "retcode": 200, "data": null, "wording": "timeout",
                   "echo": call["echo"]})
        };
        socket
            .send(Message::text(answer.to_string()))
            .await
            .unwrap();
        if round == 1 {
            let database = console.state.database.clone();
            let failed = tokio::time::timeout(Duration::from_secs(10), async {
                loop {
                    let actions = database.recent_actions(None, 5).unwrap();
                    if let Some(entry) = actions
                        .first()
                        .filter(|entry| entry.status != OutboxStatus::Claimed)
                    {
                        break entry.clone();
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
            .await
            .unwrap();
            assert_eq!(failed.status, OutboxStatus::Failed, "{failed:?}");
            assert_eq!(failed.last_error.as_deref(), Some("retcode 200: timeout"));
        }
        // The implementation goes away; Steward comes back.
        socket.close(None).await.unwrap();
    }
    crate::stop_runner(stop, runner, 10).await;
}

/// HTTP POST events: signed with `X-Signature: sha1=<hmac>`; unsigned and wrongly signed ones
/// are refused and change nothing; a signed sign-in is recorded and its reply queued.
#[tokio::test(flavor = "multi_thread")]
async fn http_post_events_are_checked_by_their_signature() {
    use hmac::{KeyInit, Mac};
    let mut console = Console::new();
    serve(&mut console, Some("s3cret")).await;
    let body = group_message(7, 12345678, "签到");
    let sign = |key: &str| {
        let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(body.as_bytes());
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("sha1={hex}")
    };
    let post = |signature: Option<String>| {
        let mut request = axum::http::Request::builder()
            .method("POST")
            .uri("/onebot/v11/http")
            .header("Content-Type", "application/json")
            .header("X-Self-ID", "10001000");
        if let Some(signature) = signature {
            request = request.header("X-Signature", signature);
        }
        request.body(axum::body::Body::from(body.clone())).unwrap()
    };
    assert_eq!(console.send(post(None)).await.status(), 401);
    assert_eq!(console.send(post(Some(sign("wrong")))).await.status(), 403);
    assert_eq!(
        console.state.database.counts().unwrap().events,
        0,
        "nothing recorded"
    );
    assert_eq!(
        console.send(post(Some(sign("hmac-secret")))).await.status(),
        204
    );
    let queued = console.state.database.recent_actions(None, 5).unwrap();
    assert!(
        queued.iter().any(|entry| matches!(&entry.action,
            steward_domain::Action::Send { segments, .. }
                if segments.iter().any(|segment| matches!(segment,
                    steward_domain::OutSegment::Text { text } if text.contains("签到成功"))))),
        "{queued:?}"
    );
}

/// The per-group rate limit: a burst of three seconds' worth, then one call a second.
#[tokio::test(flavor = "multi_thread")]
async fn calls_into_a_group_keep_to_its_rate_limit() {
    let mut console = Console::new();
    let port = serve_limited(&mut console, Some("s3cret"), 60).await;
    let mut socket = connect(port).await;
    // Five members sign in at once in one group.
    for member in 0..5 {
        socket
            .send(Message::text(group_message(
                200 + member,
                70_000_000 + member,
                "签到",
            )))
            .await
            .unwrap();
    }
    let arrived = answer_calls(&mut socket, 5).await;
    // Three at once, then about one a second.
    assert!(arrived[2] < Duration::from_millis(900), "{arrived:?}");
    assert!(arrived[4] >= Duration::from_millis(1500), "{arrived:?}");
}

/// A connection whose heartbeats stop (a half-open connection that TCP has not noticed) is
/// closed after three intervals of silence.
#[tokio::test(flavor = "multi_thread")]
async fn a_connection_whose_heartbeats_stop_is_closed() {
    let mut console = Console::new();
    let port = serve(&mut console, Some("s3cret")).await;
    let mut socket = connect(port).await;
    socket
        .send(Message::text(
            json!({"time": 1_780_300_000, "self_id": 10001000, "post_type": "meta_event",
                   "meta_event_type": "heartbeat", "status": {"online": true, "good": true},
                   "interval": 100})
            .to_string(),
        ))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "closed within five seconds");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

/// On connecting, Steward reads the account's groups and their members: members who never spoke
/// are known, with their group nicknames and roles, and nobody is welcomed for it.
#[tokio::test(flavor = "multi_thread")]
async fn the_member_lists_are_read_on_connecting() {
    let mut console = Console::new();
    let port = serve(&mut console, Some("s3cret")).await;
    let mut socket = connect(port).await;
    let mut answered = 0;
    while answered < 2 {
        let Some(Ok(Message::Text(text))) = socket.next().await else {
            continue;
        };
        let call: Value = serde_json::from_str(&text).unwrap();
        let data = match call["action"].as_str() {
            Some("get_group_list") => {
                json!([{"group_id": 555, "group_name": "跑团", "member_count": 3}])
            }
            Some("get_group_member_list") => {
                assert_eq!(call["params"]["group_id"], 555);
                json!([
                    {"group_id": 555, "user_id": 1001, "nickname": "阿杰", "card": "上海-设计-阿杰", "role": "admin"},
                    {"group_id": 555, "user_id": 1002, "nickname": "小美", "card": "", "role": "member"},
                    {"group_id": 555, "user_id": 10001000, "nickname": "bot", "card": "", "role": "owner"}
                ])
            }
            other => panic!("{other:?}"),
        };
        socket
            .send(Message::text(
                json!({"status": "ok", "retcode": 0, "data": data, "echo": call["echo"]})
                    .to_string(),
            ))
            .await
            .unwrap();
        answered += 1;
    }
    let database = console.state.database.clone();
    let group = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(group) = database.group_id("onebot", "555").unwrap()
                && database
                    .group(group)
                    .unwrap()
                    .is_some_and(|g| g.member_count == 3)
            {
                break group;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the members are known");
    let nicknames = database.nicknames(group).unwrap();
    assert!(
        nicknames
            .iter()
            .any(|m| m.nickname.as_deref() == Some("上海-设计-阿杰")),
        "{nicknames:?}"
    );
    // Known, not joined: nothing was said to anyone.
    assert!(database.recent_actions(None, 10).unwrap().is_empty());
    socket.close(None).await.unwrap();
}

/// HTTP POST mode end to end: the implementation posts a signed sign-in to Steward, and Steward
/// calls its HTTP API (a stand-in on loopback) — first `get_login_info` to learn the account,
/// then `send_group_msg` with the reply, its answer recorded.
#[tokio::test(flavor = "multi_thread")]
async fn http_mode_events_in_and_calls_out() {
    use hmac::{KeyInit, Mac};
    let mut console = Console::new();
    serve(&mut console, None).await;
    let calls: Arc<std::sync::Mutex<Vec<(String, Value)>>> = Arc::default();
    let recorded = Arc::clone(&calls);
    let api = axum::Router::new().route(
        "/{action}",
        axum::routing::post(
            move |axum::extract::Path(action): axum::extract::Path<String>,
                  headers: axum::http::HeaderMap,
                  body: String| {
                let recorded = Arc::clone(&recorded);
                async move {
                    assert_eq!(
                        headers.get("Authorization").and_then(|v| v.to_str().ok()),
                        Some("Bearer api-token")
                    );
                    let params: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    recorded.lock().unwrap().push((action.clone(), params));
                    let data = match action.as_str() {
                        "get_login_info" => json!({"user_id": 10001000, "nickname": "bot"}),
                        _ => json!({"message_id": 42}),
                    };
                    axum::Json(json!({"status": "ok", "retcode": 0, "data": data}))
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, api).await;
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(steward_adapters::onebot::http::run(
        console.state.database.clone(),
        console.state.pipeline.clone().unwrap(),
        console.state.health.clone(),
        Arc::new(steward_adapters::limits::Limits::new(Default::default())),
        Arc::new(steward_adapters::onebot::http::HttpApi::new(
            &base,
            Some("api-token".to_owned()),
        )),
        stopped,
    ));
    let body = group_message(300, 12345678, "签到");
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(b"hmac-secret").unwrap();
    mac.update(body.as_bytes());
    let signature: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/onebot/v11/http")
        .header("X-Self-ID", "10001000")
        .header("X-Signature", format!("sha1={signature}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    assert_eq!(console.send(request).await.status(), 204);
    let sent = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let found = calls
                .lock()
                .unwrap()
                .iter()
                .find(|(action, _)| action == "send_group_msg")
                .cloned();
            if let Some(found) = found {
                break found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the reply goes out through the HTTP API");
    assert_eq!(sent.1["group_id"], 123456);
    assert!(
        sent.1["message"].to_string().contains("签到成功"),
        "{}",
        sent.1
    );
    assert_eq!(calls.lock().unwrap()[0].0, "get_login_info");
    let database = console.state.database.clone();
    let answer = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(entry) = database
                .recent_actions(None, 5)
                .unwrap()
                .into_iter()
                .find(|entry| entry.status == OutboxStatus::Sent)
            {
                break entry.answer;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(answer.as_deref(), Some("42"));
    crate::stop_runner(stop, runner, 10).await;
}

/// The connection dropped fifty times while sign-ins come in and replies go out, some of their
/// answers lost with it: every event sent is recorded once, and no member's reply is sent twice
/// (a send whose answer was lost is never made again).
#[tokio::test(flavor = "multi_thread")]
async fn fifty_dropped_connections_lose_no_event_and_send_no_reply_twice() {
    let mut console = Console::new();
    let port = serve(&mut console, Some("s3cret")).await;
    let mut replies: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    let mut take = |call: &Value| -> Option<i64> {
        let user = call["params"]["message"]
            .as_array()?
            .iter()
            .find(|segment| segment["type"] == "at")?["data"]["qq"]
            .as_str()?
            .parse::<i64>()
            .ok()?;
        *replies.entry(user).or_default() += 1;
        Some(user)
    };
    const CYCLES: i64 = 50;
    const PER_CYCLE: i64 = 4;
    for cycle in 0..=CYCLES {
        let mut socket = connect(port).await;
        if cycle < CYCLES {
            for k in 0..PER_CYCLE {
                let n = cycle * PER_CYCLE + k;
                socket
                    .send(Message::text(group_message(1000 + n, 50_000 + n, "签到")))
                    .await
                    .unwrap();
            }
        }
        // Calls for a moment (the last connection: until all is quiet), every other one
        // answered; then the connection drops with the rest unanswered.
        let window = if cycle < CYCLES { 150 } else { 3_000 };
        let deadline = tokio::time::Instant::now() + Duration::from_millis(window);
        let mut answered = 0;
        while let Ok(call) = tokio::time::timeout_at(deadline, next_call(&mut socket)).await {
            let Some(call) = call else { continue };
            if call["action"] == "send_group_msg" {
                take(&call);
            }
            answered += 1;
            if cycle == CYCLES || answered % 2 == 0 {
                let answer = json!({"status": "ok", "retcode": 0,
                                    "data": {"message_id": answered}, "echo": call["echo"]});
                let _ = socket.send(Message::text(answer.to_string())).await;
            }
        }
        let _ = socket.close(None).await;
    }
    let database = console.state.database.clone();
    let recorded = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let events = database.counts().unwrap().events;
            if events >= CYCLES * PER_CYCLE {
                break events;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("every event recorded");
    assert_eq!(recorded, CYCLES * PER_CYCLE, "each event once");
    assert!(
        replies.values().all(|count| *count == 1),
        "a reply sent twice: {:?}",
        replies
            .iter()
            .filter(|(_, count)| **count > 1)
            .collect::<Vec<_>>()
    );
    assert!(
        replies.len() as i64 > CYCLES,
        "most sign-ins were answered: {}",
        replies.len()
    );
}

/// A member's picture that is a WeChat QR code: Steward fetches it from the `url` the image
/// segment carries (message/segment.md's `image`: `file` and `url`), reads the code and deletes
/// the message. The picture server here is a local one (QQ's picture servers cannot be reached).
#[tokio::test(flavor = "multi_thread")]
async fn a_qr_code_picture_is_fetched_read_and_deleted() {
    let picture = steward_text::testing::qr_png(
        "https://u.wechat.com/EFx-ad-2026",
        6,
        steward_text::testing::ColorType::Grayscale,
    );
    let pictures = axum::Router::new().route(
        "/download",
        axum::routing::get(move || {
            let picture = picture.clone();
            async move { picture }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/download?appid=1407&fileid=abc",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, pictures).await;
    });
    let mut console = Console::new();
    let port = serve(&mut console, Some("s3cret")).await;
    let mut socket = connect(port).await;
    let mut message: Value = serde_json::from_str(&group_message(71, 424242, "")).unwrap();
    message["message"] = json!([{"type": "image", "data": {"file": "abc.image", "url": url}}]);
    message["raw_message"] = json!(format!("[CQ:image,file=abc.image,url={url}]"));
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
    let deleted = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(call) = next_call(&mut socket).await
                && call["action"] == "delete_msg"
            {
                break call;
            }
        }
    })
    .await
    .expect("the picture's message deleted");
    assert_eq!(deleted["params"]["message_id"], 71);
}

/// A message longer than QQ takes well (a welcome with a 4,000-character rules text) goes as
/// parts of at most 1,500 characters, in order, cut at line ends, the reply on the first only.
/// A part refused after others went ends the action: recorded as failed, the rest not sent,
/// nothing sent twice.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_message_goes_in_parts_in_order_once() {
    let mut console = Console::new();
    let port = serve(&mut console, Some("s3cret")).await;
    let database = console.state.database.clone();
    let mut socket = connect(port).await;
    let rules: String = (1..=250)
        .map(|n| format!("第 {n} 条：请友善交流。\n"))
        .collect();
    let text = format!("欢迎！群规如下：\n{rules}");
    assert!(text.chars().count() > 2 * 1500);
    let schedule = |database: &steward_store::Database| {
        let request = steward_domain::ActionRequest {
            platform: steward_domain::Platform::OneBot,
            account: steward_domain::AccountId("10001000".into()),
            chat: steward_domain::ChatId("123456".into()),
            action: steward_domain::Action::Send {
                segments: vec![steward_domain::OutSegment::Text { text: text.clone() }],
                reply_to: Some(steward_domain::MessageId("41".into())),
            },
        };
        let now = chrono::Utc::now();
        database.schedule_action(&request, now, now).unwrap()
    };
    let next_send = async |socket: &mut _, seconds| {
        tokio::time::timeout(Duration::from_secs(seconds), async {
            loop {
                if let Some(call) = next_call(socket).await
                    && call["action"] == "send_group_msg"
                {
                    break call;
                }
            }
        })
        .await
    };
    let answer = |call: &Value, ok: bool| {
        let answer = if ok {
            json!({"status": "ok", "retcode": 0, "data": {"message_id": 900}, "echo": call["echo"]})
        } else {
            json!({"status": "failed", "retcode": 1200, "data": null, "message": "risk control",
                   "echo": call["echo"]})
        };
        Message::text(answer.to_string())
    };
    let status_of = |id: i64| {
        database
            .recent_actions(None, 20)
            .unwrap()
            .into_iter()
            .find(|entry| entry.id == id)
            .map(|entry| (entry.status, entry.last_error))
    };
    let queued = schedule(&database);
    let mut texts = Vec::new();
    for part in 0..3 {
        let call = next_send(&mut socket, 10).await.expect("a part");
        let message = call["params"]["message"].as_array().unwrap().clone();
        assert_eq!(message[0]["type"] == "reply", part == 0, "{message:?}");
        texts.push(
            message
                .iter()
                .filter_map(|segment| segment["data"]["text"].as_str())
                .collect::<String>(),
        );
        socket.send(answer(&call, true)).await.unwrap();
    }
    assert!(texts.iter().all(|part| part.chars().count() <= 1500));
    assert!(texts.iter().all(|part| part.ends_with('\n')));
    assert_eq!(texts.concat(), text);
    tokio::time::timeout(Duration::from_secs(10), async {
        while status_of(queued).is_none_or(|(status, _)| status != OutboxStatus::Sent) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the message recorded as sent");

    // The second part refused: the third never goes, and the first is not sent again.
    let queued = schedule(&database);
    let first = next_send(&mut socket, 10).await.expect("the first part");
    socket.send(answer(&first, true)).await.unwrap();
    let second = next_send(&mut socket, 10).await.expect("the second part");
    socket.send(answer(&second, false)).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while status_of(queued).is_none_or(|(status, _)| status != OutboxStatus::Failed) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the message recorded as failed");
    let (_, error) = status_of(queued).unwrap();
    assert!(
        error
            .as_deref()
            .is_some_and(|error| error.contains("1 of 3 parts sent")),
        "{error:?}"
    );
    assert!(
        next_send(&mut socket, 2).await.is_err(),
        "nothing more is sent for it"
    );
}

/// Each part of a long message counts against the group's rate limit: after a message of three
/// parts has used the burst, the next message waits its turn.
#[tokio::test(flavor = "multi_thread")]
async fn a_message_in_parts_counts_each_part_against_the_rate_limit() {
    let mut console = Console::new();
    // One a second, a burst of three.
    let port = serve_limited(&mut console, Some("s3cret"), 60).await;
    let database = console.state.database.clone();
    let mut socket = connect(port).await;
    let now = chrono::Utc::now();
    for text in ["第 1 条：请友善交流。\n".repeat(250), "签到成功".to_owned()] {
        let request = steward_domain::ActionRequest {
            platform: steward_domain::Platform::OneBot,
            account: steward_domain::AccountId("10001000".into()),
            chat: steward_domain::ChatId("123456".into()),
            action: steward_domain::Action::Send {
                segments: vec![steward_domain::OutSegment::Text { text }],
                reply_to: None,
            },
        };
        database.schedule_action(&request, now, now).unwrap();
    }
    let arrived = answer_calls(&mut socket, 4).await;
    // The three parts together (whenever delivery picked them up), then the next message
    // about a second later.
    assert!(
        arrived[2] - arrived[0] < Duration::from_millis(500),
        "{arrived:?}"
    );
    assert!(
        arrived[3] - arrived[2] >= Duration::from_millis(600),
        "{arrived:?}"
    );
}
