//! Matrix against a real Synapse homeserver, which `scripts/test` installs from PyPI and starts on
//! loopback (`scripts/synapse.sh`; `STEWARD_TEST_SYNAPSE_URL`). Without one the test says so and
//! passes, unless `STEWARD_REQUIRE_SYNAPSE` is set (as `scripts/test` sets it).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use steward_adapters::matrix::protocol::encode;
use steward_adapters::matrix::{Client, MatrixConfig};

use crate::console::Console;

fn homeserver() -> Option<String> {
    match std::env::var("STEWARD_TEST_SYNAPSE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("STEWARD_REQUIRE_SYNAPSE").is_none(),
                "STEWARD_REQUIRE_SYNAPSE is set but STEWARD_TEST_SYNAPSE_URL is not"
            );
            eprintln!("no Synapse (STEWARD_TEST_SYNAPSE_URL): the Matrix story is skipped");
            None
        }
    }
}

const WITHIN: Duration = Duration::from_secs(30);

struct User {
    id: String,
    token: String,
    client: Client,
}

async fn register(url: &str, name: &str) -> User {
    let anonymous = Client::new(url, "").unwrap();
    let answer = anonymous
        .call(
            "POST",
            "/register",
            Some(&json!({"auth": {"type": "m.login.dummy"}, "username": name,
                          "password": "a long password 1", "inhibit_login": false})),
            WITHIN,
        )
        .await
        .unwrap_or_else(|err| panic!("register {name}: {err}"));
    User {
        id: answer["user_id"].as_str().unwrap().to_owned(),
        token: answer["access_token"].as_str().unwrap().to_owned(),
        client: Client::new(url, answer["access_token"].as_str().unwrap()).unwrap(),
    }
}

impl User {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.client
            .call(method, path, body.as_ref(), WITHIN)
            .await
            .map_err(|err| err.to_string())
    }

    async fn say(&self, room: &str, text: &str) -> Result<String, String> {
        let txn = format!("t{}", rand_suffix());
        let answer = self
            .call(
                "PUT",
                &format!("/rooms/{}/send/m.room.message/{txn}", encode(room)),
                Some(json!({"msgtype": "m.text", "body": text})),
            )
            .await?;
        Ok(answer["event_id"].as_str().unwrap_or_default().to_owned())
    }

    /// The room's latest messages, newest first.
    async fn messages(&self, room: &str) -> Vec<Value> {
        self.call(
            "GET",
            &format!("/rooms/{}/messages?dir=b&limit=100", encode(room)),
            None,
        )
        .await
        .map(|answer| answer["chunk"].as_array().cloned().unwrap_or_default())
        .unwrap_or_default()
    }

    async fn event(&self, room: &str, id: &str) -> Value {
        self.call(
            "GET",
            &format!("/rooms/{}/event/{}", encode(room), encode(id)),
            None,
        )
        .await
        .unwrap_or(Value::Null)
    }

    async fn set_power(&self, room: &str, power: Value) {
        self.call(
            "PUT",
            &format!("/rooms/{}/state/m.room.power_levels/", encode(room)),
            Some(power),
        )
        .await
        .unwrap();
    }

    async fn power(&self, room: &str) -> Value {
        self.call(
            "GET",
            &format!("/rooms/{}/state/m.room.power_levels/", encode(room)),
            None,
        )
        .await
        .unwrap()
    }
}

/// Uploads a PNG (`POST /_matrix/media/v3/upload`, a raw body: the test's JSON client cannot
/// send one) and returns its `mxc://` address.
async fn upload(url: &str, token: &str, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /_matrix/media/v3/upload?filename=qr.png HTTP/1.1\r\nHost: {host}\r\n\
         Authorization: Bearer {token}\r\nContent-Type: image/png\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        bytes.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let body = &answer[answer.find('{').unwrap_or(0)..=answer.rfind('}').unwrap_or(0)];
    let json: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{answer}"));
    json["content_uri"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_owned()
}

/// Sends an edit (`m.replace`) of `message` that turns it into an ad; the edit's event id.
async fn edit_into_ad(editor: &User, room: &str, message: &str) -> String {
    let txn = format!("t{}", rand_suffix());
    let content = json!({"msgtype": "m.text", "body": "* 加我 vx abc12345 出号",
        "m.new_content": {"msgtype": "m.text", "body": "加我 vx abc12345 出号"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": message}});
    let path = format!("/rooms/{}/send/m.room.message/{txn}", encode(room));
    let answer = editor.call("PUT", &path, Some(content)).await.unwrap();
    answer["event_id"].as_str().unwrap().to_owned()
}

fn rand_suffix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn until<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Some(found) = check().await {
                break found;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} within 60 s"))
}

/// Bot messages in the room whose body contains `needle`.
async fn bot_says(reader: &User, room: &str, bot: &str, needle: &str) -> Vec<Value> {
    reader
        .messages(room)
        .await
        .into_iter()
        .filter(|event| {
            event["sender"] == bot
                && event["content"]["body"]
                    .as_str()
                    .is_some_and(|body| body.contains(needle))
        })
        .collect()
}

/// Whether the store has the bot in the room (`Database::bot_in_group`).
async fn bot_present(database: &Arc<steward_store::Database>, group: i64, bot: &str) -> bool {
    let (database, bot) = (Arc::clone(database), bot.to_owned());
    tokio::task::spawn_blocking(move || database.bot_in_group(group, "matrix", &bot))
        .await
        .unwrap()
        .unwrap()
}

fn redacted(event: &Value) -> bool {
    event["unsigned"].get("redacted_because").is_some()
        || event["content"]
            .as_object()
            .is_some_and(|content| content.is_empty())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bot_on_synapse_answers_a_sign_in_and_moderates_an_ad() {
    let Some(url) = homeserver() else { return };
    let suffix = rand_suffix();
    let bot = register(&url, &format!("steward{suffix}")).await;
    let alice = register(&url, &format!("alice{suffix}")).await;
    let spammer = register(&url, &format!("spam{suffix}")).await;
    let moderator = register(&url, &format!("mod{suffix}")).await;
    let member = register(&url, &format!("member{suffix}")).await;
    let latecomer = register(&url, &format!("late{suffix}")).await;
    // Alice's room: the bot may moderate (100), the moderator is one (50), Alice created it.
    let room = alice
        .call(
            "POST",
            "/createRoom",
            Some(json!({
                "name": "Steward 测试", "preset": "private_chat",
                "invite": [bot.id, spammer.id, moderator.id, member.id, latecomer.id],
                // Room version 12: the creator's power is above every level, never listed.
                // The latecomer may still send once the room's sending level is 10 (below).
                "power_level_content_override": {"users": {
                    bot.id.clone(): 100, moderator.id.clone(): 50, latecomer.id.clone(): 10}},
            })),
        )
        .await
        .unwrap()["room_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for joining in [&spammer, &moderator, &member, &latecomer] {
        joining
            .call("POST", &format!("/join/{}", encode(&room)), Some(json!({})))
            .await
            .unwrap();
    }
    moderator
        .call(
            "PUT",
            &format!("/profile/{}/displayname", encode(&moderator.id)),
            Some(json!({"displayname": "<b>Mod</b> & co"})),
        )
        .await
        .unwrap();

    let mut console = Console::new();
    crate::onebot::serve(&mut console, None).await;
    let database = console.state.database.clone();
    let pipeline = console.state.pipeline.clone().unwrap();
    let config = MatrixConfig {
        homeserver: url.clone(),
        user: bot.id.clone(),
        access_token: Some(bot.token.clone()),
        password: None,
        auto_join: true,
        group_calls_per_minute: 0,
        account_calls_per_minute: 0,
    };
    let start = |stopped| {
        tokio::spawn(steward_adapters::matrix::run(
            config.clone(),
            database.clone(),
            Arc::clone(&pipeline),
            console.state.health.clone(),
            stopped,
        ))
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = start(stopped);
    // The bot accepts the invite.
    until("the bot joins", || async {
        let members = alice
            .call(
                "GET",
                &format!("/rooms/{}/joined_members", encode(&room)),
                None,
            )
            .await
            .ok()?;
        members["joined"].get(&bot.id).map(|_| ())
    })
    .await;

    // A sign-in is answered in the room.
    alice.say(&room, "签到").await.unwrap();
    let reply = until("the sign-in reply", || async {
        bot_says(&alice, &room, &bot.id, "签到成功").await.pop()
    })
    .await;
    assert!(
        reply["content"]["formatted_body"]
            .as_str()
            .unwrap()
            .contains(&format!("https://matrix.to/#/{}", alice.id)),
        "{reply}"
    );

    // An ad: redacted and warned; a second: redacted and muted (a power level below sending,
    // its end queued); the member cannot post while muted.
    let ad = |n: u32| format!("加我ｖｘ：ａｂｃ１２３４５６ 优惠多多 {n}");
    let first = spammer.say(&room, &ad(1)).await.unwrap();
    until("the first ad redacted", || async {
        redacted(&alice.event(&room, &first).await).then_some(())
    })
    .await;
    let second = spammer.say(&room, &ad(2)).await.unwrap();
    until("the second ad redacted and its author muted", || async {
        let power = alice.power(&room).await;
        (redacted(&alice.event(&room, &second).await)
            && power["users"][&spammer.id].as_i64() == Some(-1))
        .then_some(())
    })
    .await;
    assert!(
        spammer.say(&room, "still here?").await.is_err(),
        "a muted member cannot send"
    );
    let lift = database
        .recent_actions(None, 50)
        .unwrap()
        .into_iter()
        .find(|entry| matches!(entry.action, steward_domain::Action::Unmute { .. }));
    assert!(lift.is_some(), "the mute's end is queued");

    // An admin lifts the mute early; the third ad bans the author for good.
    let mut power = alice.power(&room).await;
    power["users"].as_object_mut().unwrap().remove(&spammer.id);
    alice.set_power(&room, power).await;
    let third = spammer.say(&room, &ad(3)).await.unwrap();
    until("the author banned", || async {
        let member = alice
            .call(
                "GET",
                &format!(
                    "/rooms/{}/state/m.room.member/{}",
                    encode(&room),
                    encode(&spammer.id)
                ),
                None,
            )
            .await
            .ok()?;
        (member["membership"] == "ban").then_some(())
    })
    .await;
    assert!(redacted(&alice.event(&room, &third).await));

    // The moderator's link stays; their hostile display name is escaped in the reply's HTML.
    let link = moderator
        .say(&room, "官网 https://example.com 加我vx abc123456")
        .await
        .unwrap();
    moderator.say(&room, "签到").await.unwrap();
    let reply = until("the moderator's sign-in reply", || async {
        bot_says(&alice, &room, &bot.id, "签到成功")
            .await
            .into_iter()
            .find(|event| {
                event["content"]["formatted_body"]
                    .as_str()
                    .is_some_and(|html| html.contains(&moderator.id))
            })
    })
    .await;
    let html = reply["content"]["formatted_body"].as_str().unwrap();
    assert!(html.contains("&lt;b&gt;Mod&lt;/b&gt; &amp; co"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(
        !redacted(&alice.event(&room, &link).await),
        "a moderator's link stays"
    );
    // So does the creator's (room version 12: not in the power levels, an owner all the same).
    let own = alice.say(&room, &ad(4)).await.unwrap();
    moderator.say(&room, "签到").await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !redacted(&alice.event(&room, &own).await),
        "the creator's ad stays"
    );

    // An ad edited into a message already read (an `m.replace` event, its new content in
    // `m.new_content`): the message it changed is redacted, and the edit too (clients without
    // edits show its `* ...` fallback).
    let greeting = member.say(&room, "大家好").await.unwrap();
    let edit = edit_into_ad(&member, &room, &greeting).await;
    until("the edited message and the edit redacted", || async {
        (redacted(&alice.event(&room, &greeting).await)
            && redacted(&alice.event(&room, &edit).await))
        .then_some(())
    })
    .await;
    // An "edit" of somebody else's message (clients ignore it): only the edit goes.
    let notice = alice.say(&room, "周末活动报名开始").await.unwrap();
    let forged = edit_into_ad(&latecomer, &room, &notice).await;
    until("the forged edit redacted", || async {
        redacted(&alice.event(&room, &forged).await).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !redacted(&alice.event(&room, &notice).await),
        "the message another member named stays"
    );

    // A member's picture of a WeChat QR code: fetched through the authenticated media API,
    // read, and the message redacted.
    let picture = steward_text::testing::qr_png(
        "https://u.wechat.com/EFx-ad-2026",
        6,
        steward_text::testing::ColorType::Grayscale,
    );
    let mxc = upload(&url, &member.token, &picture).await;
    let txn = format!("t{}", rand_suffix());
    let image = member
        .call(
            "PUT",
            &format!("/rooms/{}/send/m.room.message/{txn}", encode(&room)),
            Some(json!({"msgtype": "m.image", "body": "qr.png", "url": mxc,
                        "info": {"mimetype": "image/png", "size": picture.len()}})),
        )
        .await
        .unwrap()["event_id"]
        .as_str()
        .unwrap()
        .to_owned();
    until("the QR-code picture redacted", || async {
        redacted(&alice.event(&room, &image).await).then_some(())
    })
    .await;

    // The picture was its sender's second offence: muted. That mute rewrites the room's power
    // levels (read, changed, written back: Matrix has no finer write), so the admin's change
    // below waits for it, or the bot's write, read before it, puts the old level back (seen on
    // a loaded machine: dawn then restored 0, the level the night had found).
    until("the picture's sender muted", || async {
        (alice.power(&room).await["users"][&member.id]
            .as_i64()
            .is_some_and(|level| level < 0))
        .then_some(())
    })
    .await;

    // Night mode on a room whose own sending level is 10: 50 at night, 10 again at dawn. Then
    // an admin sets 50 by hand: the next night keeps 50, and so does the next dawn. Then 10.
    let mut power = alice.power(&room).await;
    power["events_default"] = json!(10);
    alice.set_power(&room, power).await;
    for (on, expected, by_hand) in [
        (true, 50, None),
        (false, 10, Some(50)),
        (true, 50, None),
        (false, 50, Some(10)),
    ] {
        let now = chrono::Utc::now();
        let queued = database
            .schedule_action(
                &steward_domain::ActionRequest {
                    platform: steward_domain::Platform::Matrix,
                    account: steward_domain::AccountId(bot.id.clone()),
                    chat: steward_domain::ChatId(room.clone()),
                    action: steward_domain::Action::MuteAll { on },
                },
                now,
                now,
            )
            .unwrap();
        // What was last seen, for a failure to say where it stopped.
        let seen = std::sync::Mutex::new(String::new());
        let waited = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                let entry = database
                    .recent_actions(None, 200)
                    .unwrap_or_default()
                    .into_iter()
                    .find(|entry| entry.id == queued);
                let level = alice.power(&room).await["events_default"].clone();
                let sent = entry
                    .as_ref()
                    .is_some_and(|entry| entry.status == steward_store::OutboxStatus::Sent);
                *seen.lock().unwrap() = format!(
                    "night {on}: level {level} (expected {expected}); action {:?}",
                    entry.map(|entry| (entry.status, entry.attempts, entry.last_error))
                );
                if sent && level == expected {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
        .await;
        assert!(
            waited.is_ok(),
            "night mode not switched within 60 s: {}",
            seen.lock().unwrap()
        );
        if let Some(level) = by_hand {
            let mut power = alice.power(&room).await;
            power["events_default"] = json!(level);
            alice.set_power(&room, power).await;
        }
    }

    // Stopped, messages arrive: an ad, its author made a moderator after it, then more chat than
    // one batch's timeline holds (100), then a question. Started again, Steward carries on from
    // the saved position, reads back the part the server left out, and answers: nothing said
    // while it was away is lost, and the ad is judged with the power levels of its time.
    crate::stop_runner(stop, runner, 60).await;
    // Synapse answers the stopped bot's long poll with the next event all the same, and keeps
    // that answer for the same request from the restarted bot: a first message for it.
    alice.say(&room, "大家早").await.unwrap();
    let missed_ad = latecomer.say(&room, &ad(5)).await.unwrap();
    let mut power = alice.power(&room).await;
    power["users"][&latecomer.id] = json!(50);
    alice.set_power(&room, power).await;
    for n in 0..120 {
        alice.say(&room, &format!("聊天 {n}")).await.unwrap();
    }
    // Counted in the room's latest 100 events, as `bot_says` reads them.
    let replies_before = bot_says(&alice, &room, &bot.id, "").await.len();
    moderator.say(&room, "/top").await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = start(stopped);
    until("the leaderboard asked while away is answered", || async {
        (bot_says(&alice, &room, &bot.id, "").await.len() > replies_before).then_some(())
    })
    .await;
    until(
        "the ad said while away, before the last 100 events, redacted",
        || async { redacted(&alice.event(&room, &missed_ad).await).then_some(()) },
    )
    .await;

    // Removed from the room, the bot records its own leave (sync's `rooms.leave`): night mode
    // does not switch the room; invited back, it joins, and the room is switched again.
    let group = database.group_id("matrix", &room).unwrap().unwrap();
    assert!(bot_present(&database, group, &bot.id).await);
    alice
        .call(
            "POST",
            &format!("/rooms/{}/kick", encode(&room)),
            Some(json!({"user_id": bot.id, "reason": "test"})),
        )
        .await
        .unwrap();
    until("the bot's own leave recorded", || async {
        (!bot_present(&database, group, &bot.id).await).then_some(())
    })
    .await;
    alice
        .call(
            "POST",
            &format!("/rooms/{}/invite", encode(&room)),
            Some(json!({"user_id": bot.id})),
        )
        .await
        .unwrap();
    until("the bot back in the room", || async {
        bot_present(&database, group, &bot.id).await.then_some(())
    })
    .await;
    crate::stop_runner(stop, runner, 60).await;
}
