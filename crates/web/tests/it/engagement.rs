//! Engagement in the console and the API: settings per scope (and who may change them),
//! leaderboards by period, open questions, nickname offenders, a member's profile.

use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use steward_domain::OperatorRole;
use steward_engine::engagement::Settings;
use steward_store::engagement::Profile;
use steward_store::moderation::Documents;

use crate::console::{Console, location, message, sign_in_as, text};
use crate::moderation::{api, token_for, urlencode};

/// The settings form as the editor posts it, with the defaults, then `changes`.
fn settings_form(csrf: &str, scope: &str, changes: &[(&str, &str)]) -> String {
    let mut fields: Vec<(String, String)> = [
        ("csrf", csrf),
        ("scope", scope),
        ("enabled", "on"),
        ("language", "zh"),
        ("time_zone", "Asia/Shanghai"),
        ("screening_mode", "none"),
        ("screening_minutes", "5"),
        ("screening_attempts", "3"),
        ("welcome", "on"),
        ("welcome_template", ""),
        ("batch_seconds", "10"),
        ("nickname_pattern", ""),
        ("nickname_reminders", "3"),
        ("nickname_interval", "60"),
        ("intro", "on"),
        ("intro_template", ""),
        ("intro_reply", "on"),
        ("checkin", "on"),
        ("checkin_words", "签到, /checkin"),
        ("checkin_points", "10"),
        ("streak_bonus", "2"),
        ("streak_bonus_max", "20"),
        ("makeup_days", "3"),
        ("makeup_cost", "30"),
        ("message_points", "0"),
        ("message_min_chars", "5"),
        ("message_interval", "60"),
        ("message_daily_cap", "20"),
        ("questions", "on"),
        ("questions_minutes", "30"),
        ("answer_points", "5"),
        ("answers", ""),
        ("answers_cooldown", "60"),
        ("levels", "on"),
        ("ladder", ""),
        ("set_title", "on"),
        ("announce", "on"),
        ("badges", "on"),
        ("invite_points", "20"),
        ("birthdays", "on"),
        ("birthday_time", "09:00"),
        ("roles", "on"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (key, value) in changes {
        fields.retain(|(k, _)| k != key);
        fields.push(((*key).to_owned(), (*value).to_owned()));
    }
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn stored(console: &Console, scope: &str) -> Option<Settings> {
    console
        .database()
        .document(Documents::Engagement, scope)
        .unwrap()
        .map(|record| Settings::from_json(&record.rules).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_owner_edits_settings_and_a_bad_value_changes_nothing() {
    let console = Console::new();
    console.record(vec![message("g1", "1", "u1", "Ann", "hello", 0)]);
    let (cookie, csrf) = sign_in_as(&console, "lin").await;

    let page = console
        .get("/engagement?scope=group%3A1", Some(&cookie), "en")
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = text(page).await;
    assert!(
        page.contains("Nothing is stored here yet: these are the settings in force, from the built-in defaults."),
        "{page}"
    );
    assert!(
        page.contains("{intro_template}"),
        "the variables are listed: {page}"
    );

    for (field, value, said) in [
        ("time_zone", "Mars/Olympus", "time_zone"),
        ("welcome_template", "欢迎 {nmae}", "{nmae}"),
        ("checkin_points", "lots", "checkin.points"),
        ("answers", "no arrow", "answers, line 1"),
        ("nickname_pattern", "regex:([", "nickname.pattern"),
    ] {
        let bad = console
            .post(
                "/engagement",
                Some(&cookie),
                &settings_form(&csrf, "group:1", &[(field, value)]),
            )
            .await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST, "{field}");
        assert!(text(bad).await.contains(said), "{field}");
    }
    assert!(stored(&console, "group:1").is_none(), "nothing stored");

    let saved = console
        .post(
            "/engagement",
            Some(&cookie),
            &settings_form(
                &csrf,
                "group:1",
                &[
                    ("language", "en"),
                    ("welcome_template", "Hi {mention}! <b>{group}</b>"),
                    ("nickname_pattern", "City-Job-Name"),
                    ("checkin_words", "打卡, /checkin"),
                    (
                        "answers",
                        "open, hours => 9 to 9\\nevery day\n/where/ => Main St",
                    ),
                    ("answers_cooldown", "120"),
                    ("message_points", "1"),
                ],
            ),
        )
        .await;
    assert_eq!(
        (saved.status(), location(&saved)),
        (StatusCode::SEE_OTHER, "/engagement?scope=group%3A1&saved=1"),
    );
    let back = text(
        console
            .get(
                "/engagement?scope=group%3A1&saved=1",
                Some(&cookie),
                "zh-CN",
            )
            .await,
    )
    .await;
    assert!(back.contains(r#"<p role="status">已保存</p>"#), "{back}");
    let settings = stored(&console, "group:1").unwrap();
    assert_eq!(settings.language, "en");
    assert_eq!(settings.checkin.words, ["打卡", "/checkin"]);
    assert_eq!(settings.nickname.pattern, "City-Job-Name");
    assert_eq!(settings.answers.len(), 2);
    assert_eq!(settings.answers[0].reply, "9 to 9\nevery day");
    assert_eq!(settings.answers[1].pattern, "where");
    assert_eq!(settings.answers[1].cooldown_seconds, 120);
    assert_eq!(settings.messages.points, 1);

    // The editor shows what is stored, escaped.
    let page = text(
        console
            .get("/engagement?scope=group%3A1", Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(page.contains("&#60;b&#62;{group}&#60;/b&#62;"), "{page}");
    assert!(!page.contains("<b>{group}"));
    assert!(
        page.contains("open, hours =&#62; 9 to 9\\nevery day"),
        "{page}"
    );
    let audit = console.database().audit_page(None, 10).unwrap();
    assert!(audit.iter().any(|entry| entry.action == "engagement.save"));

    // Settings a newer Steward stored: the known fields are shown, the skipped ones named.
    console
        .database()
        .set_document(
            Documents::Engagement,
            "set:vip",
            r#"{"language": "en", "streaks": {"freeze": 2}}"#,
            "lin",
            Utc::now(),
        )
        .unwrap();
    let newer = text(
        console
            .get("/engagement?scope=set%3Avip", Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(newer.contains("a newer Steward wrote them"), "{newer}");
    assert!(newer.contains(": streaks</p>"), "{newer}");
    // The stored scopes are listed by name: the set's, and the group's title.
    assert!(newer.contains(">group set “vip”</a>"), "{newer}");
    assert!(newer.contains("(#1)</a>"), "{newer}");
    assert!(!newer.contains(">group:1<"), "{newer}");

    // Deleting asks for the "I am sure" box: without it, nothing is deleted.
    assert!(
        page.contains(r#"name="confirm" value="yes" required"#),
        "{page}"
    );
    let unsure = console
        .post(
            "/engagement/delete",
            Some(&cookie),
            &format!("csrf={}&scope=group%3A1", urlencode(&csrf)),
        )
        .await;
    assert_eq!(unsure.status(), StatusCode::BAD_REQUEST);
    assert!(text(unsure).await.contains("请先勾选“确认删除”"));
    assert!(stored(&console, "group:1").is_some());
    // With it, the group's own settings go: the group inherits again.
    let deleted = console
        .post(
            "/engagement/delete",
            Some(&cookie),
            &format!("csrf={}&scope=group%3A1&confirm=yes", urlencode(&csrf)),
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert!(stored(&console, "group:1").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_reads_and_writes_settings_by_role() {
    let console = Console::new();
    console.record(vec![message("g1", "1", "u1", "Ann", "hello", 0)]);
    let owner = token_for(&console, "lin", None);
    let viewer = token_for(&console, "vic", Some(OperatorRole::Viewer));
    let operator = token_for(&console, "oli", Some(OperatorRole::Operator));

    let (status, body) = api(
        &console,
        "GET",
        "/api/v1/engagement/settings/default",
        &owner,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["stored"], false);
    assert_eq!(body["settings"]["time_zone"], "Asia/Shanghai");

    let wanted = json!({"language": "en", "messages": {"points": 2, "daily_cap": 5}});
    for (token, expected) in [
        (&viewer, StatusCode::FORBIDDEN),
        (&operator, StatusCode::FORBIDDEN),
    ] {
        let (status, _) = api(
            &console,
            "PUT",
            "/api/v1/engagement/settings/default",
            token,
            Some(wanted.clone()),
        )
        .await;
        assert_eq!(status, expected);
    }
    let (status, body) = api(
        &console,
        "PUT",
        "/api/v1/engagement/settings/set:runners",
        &owner,
        Some(json!({"time_zone": "Europe/Paris"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = api(
        &console,
        "PUT",
        "/api/v1/engagement/settings/default",
        &owner,
        Some(json!({"welcome": {"template": "{nope}"}})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("{nope}"), "{body}");
    let (status, body) = api(
        &console,
        "PUT",
        "/api/v1/engagement/settings/default",
        &owner,
        Some(wanted),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["settings"]["messages"]["daily_cap"], 5);
    assert_eq!(
        body["settings"]["messages"]["min_chars"], 5,
        "absent fields take the defaults"
    );

    let group = console
        .database()
        .group_id("playground", "g1")
        .unwrap()
        .unwrap();
    let (status, body) = api(
        &console,
        "GET",
        &format!("/api/v1/groups/{group}/engagement"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["source"], "default");
    assert_eq!(body["settings"]["language"], "en");
    let (status, body) = api(
        &console,
        "GET",
        "/api/v1/engagement/settings",
        &viewer,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let scopes: Vec<_> = body["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scope"].clone())
        .collect();
    assert_eq!(scopes, [json!("default"), json!("set:runners")]);
    let (status, _) = api(
        &console,
        "DELETE",
        "/api/v1/engagement/settings/set:runners",
        &viewer,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = api(
        &console,
        "DELETE",
        "/api/v1/engagement/settings/set:runners",
        &owner,
        None,
    )
    .await;
    assert_eq!(
        (status, body["deleted"].clone()),
        (StatusCode::OK, json!(true))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn leaderboards_questions_nicknames_and_profiles() {
    let console = Console::new();
    let stored = console.record(vec![
        message("g1", "1", "u1", "Ann", "明天几点集合？", 0),
        message("g1", "2", "u2", "Bob<script>", "好", 1),
    ]);
    let group = stored[0].group_id;
    let (ann, bob) = (stored[0].member_id, stored[1].member_id);
    let database = console.database();
    database
        .set_document(
            Documents::Engagement,
            "default",
            r#"{"nickname": {"pattern": "城市-行业-姓名"}}"#,
            "lin",
            Utc::now(),
        )
        .unwrap();
    let today = Settings::default().today(Utc::now());
    let day = steward_engine::engagement::day_number(today);
    let mut writer = database.writer().unwrap();
    writer.begin().unwrap();
    let now = Utc::now().timestamp_millis();
    // Ann: 30 points long ago; Bob: 12 today.
    writer
        .award_points(group, ann, 30, "checkin", stored[0].id, day - 100, now)
        .unwrap();
    writer
        .award_points(group, bob, 12, "checkin", stored[1].id, day, now)
        .unwrap();
    writer
        .record_question(stored[0].id, group, ann, now - 3_600_000)
        .unwrap();
    writer
        .save_profile(
            ann,
            &Profile {
                city: Some("上海".into()),
                interests: Some("跑步、摄影".into()),
                intro: "大家好，我是 Ann，坐标上海，喜欢跑步和摄影".into(),
                tags: vec![
                    ("interest".into(), "跑步".into()),
                    ("region".into(), "上海".into()),
                ],
                updated_at: now,
                ..Profile::default()
            },
            stored[0].id,
        )
        .unwrap();
    writer.commit().unwrap();
    let (cookie, _) = sign_in_as(&console, "lin").await;

    let all = text(
        console
            .get(
                &format!("/engagement/board?group={group}"),
                Some(&cookie),
                "zh-CN",
            )
            .await,
    )
    .await;
    let (first, second) = (
        all.find("Ann").unwrap(),
        all.find("Bob&#60;script&#62;").unwrap(),
    );
    assert!(first < second, "all time: Ann first");
    assert!(!all.contains("Bob<script>"));
    assert!(
        all.contains("明天几点集合？"),
        "the open question is listed: {all}"
    );
    assert!(all.contains("群名片不合规"), "{all}");
    let today_board = text(
        console
            .get(
                &format!("/engagement/board?group={group}&period=today"),
                Some(&cookie),
                "en",
            )
            .await,
    )
    .await;
    let standings = &today_board[..today_board.find("<h2>").unwrap()];
    assert!(
        standings.contains("Bob&#60;script&#62;") && !standings.contains(">Ann<"),
        "{standings}"
    );

    let viewer = token_for(&console, "vic", Some(OperatorRole::Viewer));
    let (status, body) = api(
        &console,
        "GET",
        &format!("/api/v1/leaderboard?group={group}&period=week"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["standings"],
        json!([{"rank": 1, "member": bob, "name": "Bob<script>", "points": 12}])
    );
    let (status, _) = api(
        &console,
        "GET",
        &format!("/api/v1/leaderboard?group={group}&period=year"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, body) = api(&console, "GET", "/api/v1/questions", &viewer, None).await;
    assert_eq!(body["questions"][0]["text"], "明天几点集合？");
    let (_, body) = api(
        &console,
        "GET",
        &format!("/api/v1/groups/{group}/nicknames"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(body["members"][0]["complies"], false);
    let (_, body) = api(
        &console,
        "GET",
        &format!("/api/v1/members/{ann}/profile"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(body["profile"]["city"], "上海");

    let member = text(
        console
            .get(&format!("/members/{ann}"), Some(&cookie), "zh-CN")
            .await,
    )
    .await;
    assert!(
        member.contains("上海")
            && member.contains("跑步、摄影")
            && member.contains("interest: 跑步"),
        "{member}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_api_route_is_described() {
    let console = Console::new();
    let viewer = token_for(&console, "vic", Some(OperatorRole::Viewer));
    let (_, spec) = api(&console, "GET", "/api/v1/openapi.json", &viewer, None).await;
    for (method, path) in steward_web::route_list() {
        let Some(path) = path.strip_prefix("/api/v1") else {
            continue;
        };
        assert!(
            spec["paths"][&path][method.to_lowercase()].is_object(),
            "{method} {path} is not in openapi.json"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn join_codes_are_issued_listed_and_revoked() {
    let console = Console::new();
    console.record(vec![message("g1", "1", "u1", "Ann", "hello", 0)]);
    let owner = token_for(&console, "lin", None);
    let operator = token_for(&console, "oli", Some(OperatorRole::Operator));
    let body = json!({"scope": "default", "kind": "paid", "uses": 3, "days": 7, "count": 2, "note": "<i>双十一</i>"});
    let (status, _) = api(
        &console,
        "POST",
        "/api/v1/join-codes",
        &operator,
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "operators issue codes for their groups only"
    );
    let (status, bad) = api(
        &console,
        "POST",
        "/api/v1/join-codes",
        &owner,
        Some(json!({"scope": "default", "kind": "gift", "uses": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.to_string().contains("kind"), "{bad}");
    let (status, issued) = api(&console, "POST", "/api/v1/join-codes", &owner, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let codes: Vec<String> = issued["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 2);
    assert!(
        codes
            .iter()
            .all(|code| code.len() == 9 && code.as_bytes()[4] == b'-'),
        "{codes:?}"
    );
    let (_, listed) = api(&console, "GET", "/api/v1/join-codes", &operator, None).await;
    assert!(
        listed["codes"].as_array().unwrap().is_empty(),
        "codes are credentials: the deployment's are the owners'"
    );
    let (_, listed) = api(&console, "GET", "/api/v1/join-codes", &owner, None).await;
    assert_eq!(listed["codes"].as_array().unwrap().len(), 2);
    assert_eq!(listed["codes"][0]["max_uses"], 3);

    let (cookie, _) = sign_in_as(&console, "lin").await;
    let page = text(
        console
            .get("/engagement/codes", Some(&cookie), "zh-CN")
            .await,
    )
    .await;
    assert!(
        page.contains(&codes[0]) && page.contains("&#60;i&#62;双十一"),
        "{page}"
    );
    let (status, revoked) = api(
        &console,
        "DELETE",
        &format!("/api/v1/join-codes/{}", codes[0]),
        &owner,
        None,
    )
    .await;
    assert_eq!(
        (status, revoked["revoked"].clone()),
        (StatusCode::OK, json!(true))
    );
    let (_, listed) = api(&console, "GET", "/api/v1/join-codes", &owner, None).await;
    assert!(
        listed["codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|code| code["code"] == codes[0].as_str() && !code["revoked_at"].is_null())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn operators_award_and_deduct_points_and_draw_lotteries() {
    let console = Console::new();
    let stored = console.record(vec![
        message("g1", "1", "u1", "Ann", "hello", 0),
        message("g1", "2", "u2", "Bob", "hi", 1),
        message("g1", "3", "u3", "Cy", "hey", 2),
    ]);
    let (group, ann) = (stored[0].group_id, stored[0].member_id);
    let owner = token_for(&console, "lin", None);
    let viewer = token_for(&console, "vic", Some(OperatorRole::Viewer));
    let path = format!("/api/v1/members/{ann}/points");

    let (status, _) = api(
        &console,
        "POST",
        &path,
        &viewer,
        Some(json!({"group": group, "amount": 50})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = api(
        &console,
        "POST",
        &path,
        &owner,
        Some(json!({"group": group, "amount": 50, "note": "晒单"})),
    )
    .await;
    assert_eq!(
        (status, body["balance"].clone()),
        (StatusCode::OK, json!(50)),
        "{body}"
    );
    let (status, body) = api(
        &console,
        "POST",
        &path,
        &owner,
        Some(json!({"group": group, "amount": -80, "note": "奖品"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = api(
        &console,
        "POST",
        &path,
        &owner,
        Some(json!({"group": group, "amount": -30, "note": "奖品"})),
    )
    .await;
    assert_eq!(
        (status, body["balance"].clone()),
        (StatusCode::OK, json!(20))
    );
    assert_eq!(console.database().points_of(group, ann).unwrap(), (20, 20));
    assert_eq!(console.database().verify().unwrap(), Vec::<String>::new());
    let audit = console.database().audit_page(None, 20).unwrap();
    assert!(audit.iter().any(|entry| entry.action == "points.deduct"));

    // The console's form on the member's page does the same.
    let (cookie, csrf) = sign_in_as(&console, "lin").await;
    let page = text(
        console
            .get(&format!("/members/{ann}"), Some(&cookie), "zh-CN")
            .await,
    )
    .await;
    assert!(page.contains("id=\"adjust\""), "{page}");
    let posted = console
        .post(
            &format!("/members/{ann}/points"),
            Some(&cookie),
            &format!(
                "csrf={}&group={group}&amount=5&note=review",
                urlencode(&csrf)
            ),
        )
        .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    assert_eq!(console.database().points_of(group, ann).unwrap(), (25, 25));

    // A lottery among the members who wrote this month: all three.
    let draw =
        json!({"group": group, "rule": "active", "period": "month", "winners": 2, "prize": "T恤"});
    let (status, _) = api(
        &console,
        "POST",
        "/api/v1/lotteries",
        &viewer,
        Some(draw.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api(
        &console,
        "POST",
        "/api/v1/lotteries",
        &owner,
        Some(json!({"group": group, "rule": "luck", "period": "week", "winners": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = api(&console, "POST", "/api/v1/lotteries", &owner, Some(draw)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The test's messages are from May 2026; "this month" is now, so nobody wrote in it.
    assert_eq!(body["candidates"], 0, "{body}");
    let today = Settings::default().today(Utc::now());
    let day = steward_engine::engagement::day_number(today);
    let mut writer = console.database().writer().unwrap();
    writer.begin().unwrap();
    for (stored, streak) in stored.iter().zip(1..) {
        writer
            .record_checkin(group, stored.member_id, day, streak, stored.id)
            .unwrap();
    }
    writer.commit().unwrap();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..30 {
        let (_, body) = api(&console, "POST", "/api/v1/lotteries", &owner, Some(json!({"group": group, "rule": "checkin", "period": "today", "winners": 2, "announce": false}))).await;
        assert_eq!(body["candidates"], 3);
        let winners: Vec<i64> = body["winners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["member"].as_i64().unwrap())
            .collect();
        assert_eq!(winners.len(), 2);
        assert_ne!(winners[0], winners[1], "two different winners");
        seen.extend(winners);
    }
    assert_eq!(
        seen.len(),
        3,
        "over thirty draws every candidate won at least once"
    );
    let (_, body) = api(&console, "POST", "/api/v1/lotteries", &owner, Some(json!({"group": group, "rule": "checkin", "period": "week", "winners": 10, "prize": "<b>咖啡</b>"}))).await;
    assert_eq!(
        body["winners"].as_array().unwrap().len(),
        3,
        "never more winners than candidates"
    );
    let announced = console.database().recent_actions(None, 10).unwrap();
    assert!(announced.iter().any(|entry| matches!(&entry.action, steward_domain::Action::Send { segments, .. } if segments.iter().any(|segment| matches!(segment, steward_domain::OutSegment::Text { text } if text.contains("<b>咖啡</b>"))))), "{announced:?}");
    let audit = console.database().audit_page(None, 50).unwrap();
    assert!(
        audit
            .iter()
            .filter(|entry| entry.action == "lottery.draw")
            .count()
            >= 31
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn role_claims_are_decided_in_the_console_and_the_api() {
    let console = Console::new();
    let stored = console.record(vec![
        message("g1", "1", "u1", "Ann", "hello", 0),
        message("g1", "2", "u2", "Bob", "hi", 1),
    ]);
    let (group, ann, bob) = (stored[0].group_id, stored[0].member_id, stored[1].member_id);
    let mut writer = console.database().writer().unwrap();
    writer.begin().unwrap();
    writer
        .claim_role(group, ann, "运动委员", stored[0].id, 0)
        .unwrap();
    writer
        .claim_role(group, bob, "<b>宣传</b>", stored[1].id, 0)
        .unwrap();
    writer.commit().unwrap();

    let (cookie, csrf) = sign_in_as(&console, "lin").await;
    let board = text(
        console
            .get(
                &format!("/engagement/board?group={group}"),
                Some(&cookie),
                "zh-CN",
            )
            .await,
    )
    .await;
    assert!(
        board.contains("运动委员") && board.contains("&#60;b&#62;宣传"),
        "{board}"
    );
    let decided = console
        .post(
            "/engagement/roles",
            Some(&cookie),
            &format!(
                "csrf={}&group={group}&member={ann}&role={}&decision=approve",
                urlencode(&csrf),
                urlencode("运动委员")
            ),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::SEE_OTHER);
    let member = text(
        console
            .get(&format!("/members/{ann}"), Some(&cookie), "zh-CN")
            .await,
    )
    .await;
    assert!(
        member.contains("<strong>运动委员</strong> (approved)"),
        "{member}"
    );

    let viewer = token_for(&console, "vic", Some(OperatorRole::Viewer));
    let owner = token_for(&console, "lin", None);
    let body = json!({"group": group, "member": bob, "role": "<b>宣传</b>", "approve": false});
    let (status, _) = api(
        &console,
        "POST",
        "/api/v1/roles/decide",
        &viewer,
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, decided) = api(&console, "POST", "/api/v1/roles/decide", &owner, Some(body)).await;
    assert_eq!(
        (status, decided["status"].clone()),
        (StatusCode::OK, json!("rejected"))
    );
    let (_, claims) = api(
        &console,
        "GET",
        &format!("/api/v1/roles?group={group}"),
        &viewer,
        None,
    )
    .await;
    let statuses: Vec<_> = claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.contains(&json!("approved")) && statuses.contains(&json!("rejected")));
    let (status, _) = api(
        &console,
        "POST",
        "/api/v1/roles/decide",
        &owner,
        Some(json!({"group": group, "member": bob, "role": "nobody", "approve": true})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
