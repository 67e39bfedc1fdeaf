//! Sign-in, sign-out, the overview, and that nothing else is reachable anonymously.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use chrono::{TimeZone, Utc};
use steward_domain::{
    Event, EventKind, LeaveReason, MemberProfile, MemberRole, OperatorRole, Platform, Segment,
};
use steward_store::testing::TestDatabase;
use steward_store::{Database, PreparedEvent};
use steward_web::{AppState, PUBLIC_ROUTES, passwords, route_list, router};
use tower::ServiceExt;

pub(crate) const PASSWORD: &str = "a long enough secret";

pub(crate) struct Console {
    _test: TestDatabase,
    pub(crate) state: AppState,
}

impl Console {
    pub(crate) fn new() -> Console {
        let test = TestDatabase::sqlite("console").unwrap();
        let database = Arc::new(test.open().unwrap());
        let hash = passwords::hash(PASSWORD).unwrap();
        database
            .create_operator("lin", &hash, OperatorRole::Owner, Utc::now())
            .unwrap();
        Console {
            state: AppState::new(database, &steward_web::ConsoleConfig::default()),
            _test: test,
        }
    }

    pub(crate) fn database(&self) -> &Database {
        &self.state.database
    }

    pub(crate) async fn send(&self, request: Request<Body>) -> Response {
        router(self.state.clone()).oneshot(request).await.unwrap()
    }

    pub(crate) async fn get(&self, path: &str, cookie: Option<&str>, language: &str) -> Response {
        let mut request = Request::get(path).header(header::ACCEPT_LANGUAGE, language);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub(crate) async fn post(&self, path: &str, cookie: Option<&str>, form: &str) -> Response {
        let mut request = Request::post(path)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    /// Signs in and returns the `name=value` of the session cookie.
    async fn sign_in(&self) -> String {
        let response = self
            .post(
                "/login",
                None,
                &format!("name=lin&password={}", PASSWORD.replace(' ', "+")),
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_owned();
        for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        cookie.split(';').next().unwrap().to_owned()
    }
}

/// A member's message as a platform would report it, `second` seconds after noon on 1 May 2026.
pub(crate) fn message(
    chat: &str,
    id: &str,
    user: &str,
    name: &str,
    text: &str,
    second: u32,
) -> Event {
    Event {
        platform: Platform::Playground,
        account: "playground".into(),
        chat: chat.into(),
        id: Some(id.into()),
        time: Utc
            .with_ymd_and_hms(2026, 5, 1, 12, second / 60, second % 60)
            .unwrap(),
        kind: EventKind::Message {
            sender: MemberProfile {
                id: user.into(),
                name: name.into(),
                nickname: None,
                role: MemberRole::Member,
                is_bot: false,
            },
            segments: vec![Segment::text(text)],
            reply_to: None,
        },
    }
}

impl Console {
    /// Records the events in one transaction; where each new one landed.
    pub(crate) fn record(&self, events: Vec<Event>) -> Vec<steward_store::StoredEvent> {
        let mut writer = self.database().writer().unwrap();
        writer.begin().unwrap();
        let stored = events
            .into_iter()
            .filter_map(|event| {
                match writer
                    .record(&PreparedEvent::new(event).unwrap(), Utc::now())
                    .unwrap()
                {
                    steward_store::Recorded::New(stored) => Some(stored),
                    steward_store::Recorded::Duplicate => None,
                }
            })
            .collect();
        writer.commit().unwrap();
        stored
    }

    /// Queues an action of the bot in a playground group.
    fn queue(&self, chat: &str, action: steward_domain::Action, event_id: Option<i64>) {
        let request = steward_domain::ActionRequest {
            platform: Platform::Playground,
            account: "playground".into(),
            chat: chat.into(),
            action,
        };
        let mut writer = self.database().writer().unwrap();
        writer.begin().unwrap();
        writer.enqueue(event_id, &request, Utc::now()).unwrap();
        writer.commit().unwrap();
    }
}

pub(crate) async fn text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

pub(crate) fn location(response: &Response) -> &str {
    response.headers()[header::LOCATION].to_str().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn anonymous_visitors_reach_only_the_public_routes() {
    let console = Console::new();
    for (method, path) in route_list() {
        let request = Request::builder()
            .method(method)
            .uri(path.replace("{id}", "1"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("csrf=x&name=nobody&password=nothing+at+all"))
            .unwrap();
        let response = console.send(request).await;
        let public = PUBLIC_ROUTES.contains(&(method, path));
        if path.starts_with("/api/") {
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            continue;
        }
        let sent_to_sign_in = response.status() == StatusCode::SEE_OTHER
            && response
                .headers()
                .get(header::LOCATION)
                .and_then(|value| value.to_str().ok())
                == Some("/login");
        assert!(
            public || sent_to_sign_in,
            "{method} {path} answered {} to an anonymous request",
            response.status()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_signs_in_sees_the_groups_and_signs_out() {
    let console = Console::new();
    let anonymous = console.get("/", None, "zh-CN").await;
    assert_eq!(
        (anonymous.status(), location(&anonymous)),
        (StatusCode::SEE_OTHER, "/login")
    );
    let page = text(console.get("/login", None, "en-US,en").await).await;
    assert!(
        page.contains("<html lang=\"en\">") && page.contains("Sign in"),
        "{page}"
    );

    let wrong = console
        .post("/login", None, "name=lin&password=wrong+password")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(text(wrong).await.contains("用户名或密码不对"));

    // A group whose name a member chose: hostile text is shown as text.
    console.record(vec![message(
        "<img src=x onerror=alert(1)>",
        "1",
        "u1",
        "<script>alert(1)</script>",
        "hi",
        0,
    )]);

    let cookie = console.sign_in().await;
    let overview = text(console.get("/", Some(&cookie), "en").await).await;
    assert!(overview.contains("Groups (1)"), "{overview}");
    assert!(
        overview.contains("&#60;img src=x onerror=alert(1)&#62;") || overview.contains("&lt;img"),
        "{overview}"
    );
    assert!(
        !overview.contains("<img src=x"),
        "hostile group name rendered as HTML"
    );
    let csrf = overview
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    let forged = console.post("/logout", Some(&cookie), "csrf=forged").await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        console.get("/", Some(&cookie), "en").await.status(),
        StatusCode::OK,
        "a forged form ended the session"
    );

    let out = console
        .post("/logout", Some(&cookie), &format!("csrf={csrf}"))
        .await;
    assert_eq!(
        (out.status(), location(&out)),
        (StatusCode::SEE_OTHER, "/login")
    );
    let after = console.get("/", Some(&cookie), "en").await;
    assert_eq!(
        (after.status(), location(&after)),
        (StatusCode::SEE_OTHER, "/login"),
        "the session outlived sign-out"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn guessing_a_password_is_stopped_after_ten_tries() {
    let console = Console::new();
    for _ in 0..steward_web::session::MAX_FAILURES {
        let response = console
            .post("/login", None, "name=lin&password=guess+number+n")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let right = console
        .post(
            "/login",
            None,
            &format!("name=lin&password={}", PASSWORD.replace(' ', "+")),
        )
        .await;
    assert_eq!(
        right.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the brake let a guess through"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_posted_from_another_site_or_from_nowhere_is_refused() {
    let console = Console::new();
    let form = format!("name=lin&password={}", PASSWORD.replace(' ', "+"));
    let post = |extra: Option<(&'static str, &'static str)>| {
        let mut request = Request::post("/login")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some((name, value)) = extra {
            request = request.header(name, value);
        }
        request.body(Body::from(form.clone())).unwrap()
    };
    for (extra, expected) in [
        (
            Some(("origin", "https://evil.example")),
            StatusCode::FORBIDDEN,
        ),
        (
            Some(("referer", "https://evil.example/login")),
            StatusCode::FORBIDDEN,
        ),
        (
            Some(("origin", "http://127.0.0.1:8080.evil.example")),
            StatusCode::FORBIDDEN,
        ),
        (None, StatusCode::FORBIDDEN),
        (
            Some(("sec-fetch-site", "same-origin")),
            StatusCode::SEE_OTHER,
        ),
        (
            Some(("referer", "http://127.0.0.1:8080/login")),
            StatusCode::SEE_OTHER,
        ),
    ] {
        assert_eq!(
            console.send(post(extra)).await.status(),
            expected,
            "{extra:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_are_not_cached_or_framed_and_odd_paging_is_harmless() {
    let console = Console::new();
    let cookie = console.sign_in().await;
    for path in [
        "/?page=9223372036854775807",
        "/?page=-5",
        "/groups/1?members=9223372036854775807&q=%00",
        "/audit?entries=-1",
    ] {
        let response = console.get(path, Some(&cookie), "en").await;
        assert!(
            response.status() == StatusCode::OK || response.status() == StatusCode::NOT_FOUND,
            "{path}: {}",
            response.status()
        );
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert!(
            response.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_no_operator_can_have_costs_nothing() {
    let console = Console::new();
    let long = "x".repeat(10_000);
    for name in [long.as_str(), "lin%00"] {
        let response = console
            .post("/login", None, &format!("name={name}&password=whatever"))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{}",
            &name[..10.min(name.len())]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn health_follows_readiness() {
    let console = Console::new();
    assert_eq!(
        console.get("/healthz", None, "en").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    console
        .state
        .ready
        .store(true, std::sync::atomic::Ordering::Release);
    assert_eq!(
        console.get("/healthz", None, "en").await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_group_page_shows_messages_members_and_the_bots_actions_as_text() {
    let console = Console::new();
    let stored = console.record(vec![
        message(
            "room",
            "0",
            "u1",
            "<img src=x onerror=alert(1)>",
            "<script>alert('x')</script>",
            0,
        ),
        message("room", "1", "u2", "小林", "大家好", 1),
        message("room", "2", "u2", "小林", "/ping", 2),
    ]);
    console.queue(
        "room",
        steward_domain::Action::say("pong"),
        stored.last().map(|last| last.id),
    );
    let group = console.database().groups_page(0, 1).unwrap().0[0].id;

    let cookie = console.sign_in().await;
    let response = console
        .get(&format!("/groups/{group}"), Some(&cookie), "zh-CN")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = text(response).await;
    assert!(page.contains("最近的消息"), "{page}");
    assert!(
        !page.contains("<script>alert"),
        "a member's message ran as a script"
    );
    assert!(
        !page.contains("<img src=x"),
        "a member's name rendered as HTML"
    );
    assert!(page.contains("大家好") && page.contains("小林"));
    assert!(
        page.contains("<td>发消息</td><td>待发送</td>"),
        "the bot's reply is not listed: {page}"
    );

    let searched = text(
        console
            .get(&format!("/groups/{group}?q=%E5%B0%8F"), Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(searched.contains("Members (1)"), "{searched}");
    let missing = console.get("/groups/999999", Some(&cookie), "en").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let anonymous = console.get(&format!("/groups/{group}"), None, "en").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_that_removed_the_bot_says_so_until_it_is_back() {
    let console = Console::new();
    let bot = |kind: EventKind, second: u32| Event {
        id: None,
        kind,
        ..message("room", "x", "u1", "小林", "", second)
    };
    let profile = MemberProfile {
        id: "playground".into(),
        name: "Steward".into(),
        nickname: None,
        role: MemberRole::Member,
        is_bot: true,
    };
    console.record(vec![
        message("room", "0", "u1", "小林", "大家好", 0),
        bot(
            EventKind::MemberLeft {
                member: "playground".into(),
                reason: LeaveReason::Kicked {
                    by: Some("u1".into()),
                },
            },
            1,
        ),
    ]);
    let group = console.database().groups_page(0, 1).unwrap().0[0].id;
    let cookie = console.sign_in().await;
    let overview = text(console.get("/", Some(&cookie), "zh-CN").await).await;
    assert!(overview.contains("机器人已不在群内"), "{overview}");
    let page = text(
        console
            .get(&format!("/groups/{group}"), Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(
        page.contains("The bot left this group or was removed"),
        "{page}"
    );

    console.record(vec![bot(
        EventKind::MemberJoined {
            member: profile,
            inviter: None,
            invite_link: None,
        },
        2,
    )]);
    let overview = text(console.get("/", Some(&cookie), "zh-CN").await).await;
    assert!(!overview.contains("机器人已不在群内"), "{overview}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_shows_who_signed_in_and_out_and_what_the_bot_did() {
    let console = Console::new();
    let kick = steward_domain::Action::Kick {
        member: "30003".into(),
        refuse_rejoin: true,
    };
    console.queue("20002", kick, None);
    // A group Steward has seen, with a title: named by it, with a link to its page.
    let stored = console.record(vec![message("room", "0", "u1", "小林", "hi", 0)]);
    console
        .database()
        .set_group_title("playground", "room", "读书会 <b>")
        .unwrap();
    console.queue(
        "room",
        steward_domain::Action::Mute {
            member: "u1".into(),
            seconds: 600,
        },
        None,
    );

    // An operator's change to a group's rules, and a night switch: named by the group's title.
    let group = stored[0].group_id;
    for (action, target) in [
        ("rules.save", format!("group:{group}")),
        ("night.on", format!("group {group}")),
        ("rules.save", "set:vip".to_owned()),
    ] {
        console
            .database()
            .record_audit("lin", action, Some(&target), None, Utc::now())
            .unwrap();
    }

    let first = console.sign_in().await;
    let overview = text(console.get("/", Some(&first), "en").await).await;
    let csrf = overview
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    console
        .post("/logout", Some(&first), &format!("csrf={csrf}"))
        .await;
    let second = console.sign_in().await;
    let audit = text(console.get("/audit", Some(&second), "en").await).await;
    let rows: Vec<&str> = audit
        .lines()
        .filter(|line| line.contains("<td>lin</td><td>signed"))
        .collect();
    assert_eq!(rows.len(), 3, "{audit}");
    assert!(
        rows[0].contains("<td>signed in</td>")
            && rows[1].contains("<td>signed out</td>")
            && rows[2].contains("<td>signed in</td>"),
        "{rows:?}"
    );
    // What the bot did, in the operator's words; a group Steward does not know by its id.
    assert!(
        audit.contains(
            "<td>playground 20002</td><td>removed, refused to rejoin</td><td>pending</td>"
        ),
        "{audit}"
    );
    assert!(
        audit.contains(&format!(
            "<td><a href=\"/groups/{group}\">读书会 &#60;b&#62;</a></td><td>muted for 10 minutes</td>"
        )),
        "{audit}"
    );
    let audit = text(console.get("/audit", Some(&second), "zh-CN").await).await;
    assert!(
        audit.contains("<td>playground 20002</td><td>移出并拒绝再加入</td><td>待发送</td>"),
        "{audit}"
    );
    assert!(audit.contains("</a></td><td>禁言 10 分钟</td>"), "{audit}");
    assert!(audit.contains("<td>lin</td><td>退出登录</td>"), "{audit}");
    assert!(
        audit.contains(&format!(
            "<td>lin</td><td>保存群管规则</td><td>群「读书会 &#60;b&#62;」(#{group})</td>"
        )),
        "{audit}"
    );
    assert!(
        audit.contains(&format!(
            "<td>夜间全员禁言开始</td><td>群「读书会 &#60;b&#62;」(#{group})</td>"
        )),
        "{audit}"
    );
    assert!(audit.contains("<td>群组集「vip」</td>"), "{audit}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_member_page_shows_their_groups_and_timeline_as_text() {
    let console = Console::new();
    let stored = console.record(vec![
        message(
            "room-a",
            "0",
            "u1",
            "<b onmouseover=alert(1)>Lin</b>",
            "hello from room-a",
            0,
        ),
        message(
            "room-b",
            "1",
            "u1",
            "<b onmouseover=alert(1)>Lin</b>",
            "hello from room-b",
            60,
        ),
    ]);
    let member = stored[0].member_id;
    let cookie = console.sign_in().await;
    let response = console
        .get(&format!("/members/{member}"), Some(&cookie), "en")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = text(response).await;
    assert!(
        !page.contains("<b onmouseover"),
        "a member's name rendered as HTML"
    );
    assert!(
        page.contains("hello from room-a") && page.contains("hello from room-b"),
        "{page}"
    );
    assert!(
        page.contains(">room-a</a>") && page.contains(">room-b</a>"),
        "{page}"
    );
    let missing = console.get("/members/999999", Some(&cookie), "en").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_answers_an_operators_token_and_nobody_else() {
    let console = Console::new();
    let lin = console.database().operator_by_name("lin").unwrap().unwrap();
    let token = steward_web::session::new_token().unwrap();
    console
        .database()
        .create_api_token(
            &steward_web::session::token_hash(&token),
            lin.id,
            "test",
            Utc::now(),
        )
        .unwrap();
    let get = |path: &str, authorization: Option<String>| {
        let mut request = Request::get(path);
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        request.body(Body::empty()).unwrap()
    };
    let bearer = || Some(format!("Bearer {token}"));
    let groups = console.send(get("/api/v1/groups", bearer())).await;
    assert_eq!(groups.status(), StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&text(groups).await).unwrap();
    assert_eq!(json["total"], 0);
    let spec = console.send(get("/api/v1/openapi.json", bearer())).await;
    let spec: serde_json::Value = serde_json::from_str(&text(spec).await).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["paths"]["/groups/{id}"]["get"].is_object());
    assert_eq!(
        console
            .send(get("/api/v1/groups/42", bearer()))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    for authorization in [
        None,
        Some("Bearer nope".to_owned()),
        Some(format!("Basic {token}")),
    ] {
        let refused = console
            .send(get("/api/v1/groups", authorization.clone()))
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::UNAUTHORIZED,
            "{authorization:?}"
        );
    }
    console.database().revoke_api_tokens(lin.id).unwrap();
    assert_eq!(
        console.send(get("/api/v1/groups", bearer())).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Signs in as `name` (whose password is PASSWORD) and returns the cookie and the CSRF token.
pub(crate) async fn sign_in_as(console: &Console, name: &str) -> (String, String) {
    let response = console
        .post(
            "/login",
            None,
            &format!("name={name}&password={}", PASSWORD.replace(' ', "+")),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let overview = text(console.get("/", Some(&cookie), "en").await).await;
    let csrf = overview
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (cookie, csrf)
}

#[tokio::test(flavor = "multi_thread")]
async fn in_the_playground_an_operator_writes_as_a_member_and_sees_the_bot_answer() {
    let mut console = Console::new();
    let pipeline = Arc::new(
        steward_engine::Pipeline::start(
            console.state.database.clone(),
            steward_engine::features::registry(
                &steward_engine::features::FeaturesConfig::default(),
                &steward_engine::features::Shared {
                    moderation: console.state.moderation.clone(),
                    engagement: console.state.engagement.clone(),
                },
            ),
            &steward_engine::PipelineConfig::default(),
        )
        .await
        .unwrap(),
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let adapter = tokio::spawn(steward_adapters::playground::run(
        console.state.database.clone(),
        pipeline.clone(),
        stopped,
    ));
    console.state = console.state.clone().with_pipeline(pipeline.clone());

    let (cookie, csrf) = sign_in_as(&console, "lin").await;
    let created = console
        .post(
            "/playground",
            Some(&cookie),
            &format!("csrf={csrf}&title=%E6%BC%94%E7%BB%83"),
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let group_page = location(&created).to_owned();
    assert!(group_page.starts_with("/groups/"), "{group_page}");
    let page = text(console.get(&group_page, Some(&cookie), "en").await).await;
    assert!(
        page.contains("<h1>演练</h1>") && page.contains("action=\"") && page.contains("/say\""),
        "{page}"
    );

    let said = console
        .post(
            &format!("{group_page}/say"),
            Some(&cookie),
            &format!("csrf={csrf}&member=&name=%E5%B0%8F%E6%9E%97&text=%2Fping"),
        )
        .await;
    assert_eq!(
        (said.status(), location(&said)),
        (StatusCode::SEE_OTHER, group_page.as_str())
    );
    // The bot's reply goes pipeline → outbox → playground adapter → the group's history.
    let mut answered = false;
    for _ in 0..60 {
        let page = text(console.get(&group_page, Some(&cookie), "en").await).await;
        if page.contains("pong") {
            assert!(page.contains("/ping") && page.contains("小林"), "{page}");
            answered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(answered, "the bot's answer never appeared");

    // A viewer reads the group but cannot write in it.
    let hash = passwords::hash(PASSWORD).unwrap();
    console
        .database()
        .create_operator("amy", &hash, OperatorRole::Viewer, Utc::now())
        .unwrap();
    let (viewer, viewer_csrf) = sign_in_as(&console, "amy").await;
    let viewed = text(console.get(&group_page, Some(&viewer), "en").await).await;
    assert!(!viewed.contains("/say\""), "a viewer was offered the form");
    let refused = console
        .post(
            &format!("{group_page}/say"),
            Some(&viewer),
            &format!("csrf={viewer_csrf}&member=&name=Amy&text=hi"),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let forged = console
        .post(
            &format!("{group_page}/say"),
            Some(&cookie),
            "csrf=forged&member=&name=X&text=hi",
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // An operator acts only on the groups an owner gave them.
    console
        .database()
        .create_operator("op", &hash, OperatorRole::Operator, Utc::now())
        .unwrap();
    let op_id = console
        .database()
        .operator_by_name("op")
        .unwrap()
        .unwrap()
        .id;
    let (operator, operator_csrf) = sign_in_as(&console, "op").await;
    let not_theirs = text(console.get(&group_page, Some(&operator), "en").await).await;
    assert!(
        !not_theirs.contains("/say\""),
        "an unassigned operator was offered the form"
    );
    let say = |cookie: String, csrf: String| {
        let path = format!("{group_page}/say");
        let console = &console;
        async move {
            console
                .post(
                    &path,
                    Some(&cookie),
                    &format!("csrf={csrf}&member=&name=Op&text=hi"),
                )
                .await
                .status()
        }
    };
    assert_eq!(
        say(operator.clone(), operator_csrf.clone()).await,
        StatusCode::FORBIDDEN
    );
    let refused = console
        .post(
            &format!("{group_page}/operators"),
            Some(&operator),
            &format!("csrf={operator_csrf}&operator={op_id}&assign=true"),
        )
        .await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "an operator assigned a group to themselves"
    );
    let assigned = console
        .post(
            &format!("{group_page}/operators"),
            Some(&cookie),
            &format!("csrf={csrf}&operator={op_id}&assign=true"),
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::SEE_OTHER);
    assert_eq!(say(operator, operator_csrf).await, StatusCode::SEE_OTHER);

    let _ = stop.send(true);
    adapter.await.unwrap();
    pipeline.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_live_feed_sends_new_messages_as_server_sent_events() {
    use futures_util::StreamExt;
    let console = Console::new();
    console.record(vec![message("room", "1", "u1", "小林", "<b>live</b>", 0)]);
    let group = console.database().groups_page(0, 1).unwrap().0[0].id;
    let cookie = console.sign_in().await;

    let page = text(
        console
            .get(&format!("/groups/{group}"), Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(
        page.contains(&format!("data-live=\"/groups/{group}/live?after=")),
        "{page}"
    );
    assert!(page.contains("<script src=\"/static/live.js\" defer></script>"));
    let script = console.get("/static/live.js", None, "en").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(text(script).await.contains("textContent"));

    let response = console
        .get(
            &format!("/groups/{group}/live?after=0"),
            Some(&cookie),
            "en",
        )
        .await;
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    let mut body = response.into_body().into_data_stream();
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), body.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let first = String::from_utf8(first.to_vec()).unwrap();
    assert!(
        first.starts_with("event: messages\nid: 1.0\ndata: [{"),
        "{first}"
    );
    assert!(
        first.contains("\"text\":\"<b>live</b>\"") && first.contains("小林"),
        "{first}"
    );

    // The bot kicks somebody: the action follows on the same stream.
    let kick = steward_domain::Action::Kick {
        member: "u1".into(),
        refuse_rejoin: false,
    };
    console.queue("room", kick, None);
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), body.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let next = String::from_utf8(next.to_vec()).unwrap();
    assert!(
        next.starts_with("event: actions\nid: 1.")
            && next.contains("data: [{\"kind\":\"removed\",\"status\":\"pending\""),
        "{next}"
    );

    // A browser that reconnects (after a restart, a dropped connection) says where it got to:
    // the feed goes on from there, not from the page's first address.
    let last_id = next
        .lines()
        .find_map(|line| line.strip_prefix("id:"))
        .map(|id| id.trim().to_owned())
        .unwrap_or_else(|| panic!("events carry an id: {next}"));
    console.record(vec![message(
        "room",
        "2",
        "u1",
        "小林",
        "after the restart",
        9,
    )]);
    let request = axum::http::Request::get(format!("/groups/{group}/live?after=0"))
        .header(header::COOKIE, &cookie)
        .header(header::ACCEPT_LANGUAGE, "en")
        .header("last-event-id", &last_id)
        .body(axum::body::Body::empty())
        .unwrap();
    let mut body = console.send(request).await.into_body().into_data_stream();
    let resumed = tokio::time::timeout(std::time::Duration::from_secs(5), body.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let resumed = String::from_utf8(resumed.to_vec()).unwrap();
    assert!(
        resumed.contains("after the restart") && !resumed.contains("<b>live</b>"),
        "{resumed}"
    );
    assert!(
        !resumed.contains("\"kind\""),
        "the kick is not sent again: {resumed}"
    );

    // The process stops: the feed ends, so that an open tab does not hold the shutdown.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut console = console;
    console.state.stop = stopping;
    let response = console
        .get(
            &format!("/groups/{group}/live?after=0"),
            Some(&cookie),
            "en",
        )
        .await;
    let mut body = response.into_body().into_data_stream();
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), body.next()).await;
    assert!(matches!(first, Ok(Some(Ok(_)))), "the feed starts");
    stop.send(true).unwrap();
    let mut ended = false;
    for _ in 0..3 {
        match tokio::time::timeout(std::time::Duration::from_secs(5), body.next()).await {
            Ok(None) => {
                ended = true;
                break;
            }
            Ok(Some(_)) => {}
            Err(_) => panic!("the feed went on after the stop"),
        }
    }
    assert!(ended);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operators_language_setting_beats_the_browser() {
    let console = Console::new();
    let (cookie, csrf) = sign_in_as(&console, "lin").await;
    assert!(
        text(console.get("/", Some(&cookie), "en-US").await)
            .await
            .contains("<html lang=\"en\">")
    );
    let set = console
        .post(
            "/language",
            Some(&cookie),
            &format!("csrf={csrf}&language=zh"),
        )
        .await;
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    let page = text(console.get("/", Some(&cookie), "en-US").await).await;
    assert!(
        page.contains("<html lang=\"zh\">") && page.contains("退出"),
        "{page}"
    );
    let forged = console
        .post("/language", Some(&cookie), "csrf=forged&language=en")
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    console
        .post(
            "/language",
            Some(&cookie),
            &format!("csrf={csrf}&language=browser"),
        )
        .await;
    assert!(
        text(console.get("/", Some(&cookie), "en-US").await)
            .await
            .contains("<html lang=\"en\">")
    );
}
