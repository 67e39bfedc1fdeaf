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
async fn serve(console: &mut Console, token: Option<&str>) -> u16 {
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
async fn a_onebot_implementation_connects_signs_in_and_answers_the_calls() {
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

    let (mut socket, _) =
        tokio_tungstenite::connect_async(request(port, Some("10001000"), Some("s3cret")))
            .await
            .unwrap();
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
            if let Some(Ok(Message::Text(text))) = socket.next().await {
                break serde_json::from_str::<Value>(&text).unwrap();
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
    socket.close(None).await.unwrap();
}
