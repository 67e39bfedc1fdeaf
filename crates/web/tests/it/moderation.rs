//! Moderation in the console and the API: editing rules (and who may), offences with the
//! operators' marks, the blacklist, backtests with progress.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use serde_json::{Value, json};
use steward_domain::OperatorRole;
use steward_engine::moderation::Rules;
use steward_store::{Offence, Reason};
use steward_web::passwords;

use crate::console::{Console, PASSWORD, location, message, sign_in_as, text};

/// An API token for a new operator with this role (or for `lin`, the owner).
pub(crate) fn token_for(console: &Console, name: &str, role: Option<OperatorRole>) -> String {
    let database = console.database();
    if let Some(role) = role {
        let hash = passwords::hash(PASSWORD).unwrap();
        database
            .create_operator(name, &hash, role, Utc::now())
            .unwrap();
    }
    let operator = database.operator_by_name(name).unwrap().unwrap();
    let token = steward_web::session::new_token().unwrap();
    database
        .create_api_token(
            &steward_web::session::token_hash(&token),
            operator.id,
            "test",
            Utc::now(),
        )
        .unwrap();
    token
}

pub(crate) async fn api(
    console: &Console,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(match body {
            Some(body) => Body::from(body.to_string()),
            None => Body::empty(),
        })
        .unwrap();
    let response = console.send(request).await;
    let status = response.status();
    let body = text(response).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

/// The rules form as the editor posts it, with the defaults, then `changes`.
fn rules_form(csrf: &str, scope: &str, changes: &[(&str, &str)]) -> String {
    let mut fields: Vec<(String, String)> = [
        ("csrf", csrf),
        ("scope", scope),
        ("enabled", "on"),
        ("contacts", "on"),
        ("links", "suspicious"),
        ("classifier", "on"),
        ("classifier_margin", "0"),
        ("flood", "on"),
        ("flood_messages", "12"),
        ("flood_seconds", "10"),
        ("repeat", "on"),
        ("repeat_groups", "3"),
        ("repeat_minutes", "10"),
        ("repeat_chars", "12"),
        ("new_member", "on"),
        ("new_member_minutes", "60"),
        ("ladder", "warn, mute 10m, blacklist"),
        ("window_days", "30"),
        ("delete", "on"),
        ("tell_member", "on"),
        ("exempt_admins", "on"),
        ("language", "zh"),
        ("night_start", "23:00"),
        ("night_end", "07:00"),
        ("night_offset", "480"),
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

pub(crate) fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scope_without_rules_of_its_own_shows_those_in_force_and_where_from() {
    let console = Console::new();
    console.record(vec![message("g1", "1", "u1", "Ann", "hello", 0)]);
    let (cookie, _) = sign_in_as(&console, "lin").await;
    let database = console.database();
    let page = |scope: &'static str, lang: &'static str| {
        let console = &console;
        let cookie = cookie.clone();
        async move {
            text(
                console
                    .get(
                        &format!("/moderation/rules?scope={scope}"),
                        Some(&cookie),
                        lang,
                    )
                    .await,
            )
            .await
        }
    };
    database
        .set_rules(
            "default",
            r#"{"keywords": ["DEFAULTKW"]}"#,
            "lin",
            Utc::now(),
        )
        .unwrap();
    // A set with no rules: its groups follow the default's, and so does its editor.
    let set = page("set%3Agaming", "en").await;
    assert!(
        set.contains("in force, from the default (every group);"),
        "{set}"
    );
    assert!(set.contains("· group set “gaming”</h1>"), "{set}");
    assert!(set.contains("DEFAULTKW"), "{set}");
    database.set_group_set(1, Some("gaming")).unwrap();
    database
        .set_rules(
            "set:gaming",
            r#"{"keywords": ["SETKW"], "ladder": ["warn", "kick"]}"#,
            "lin",
            Utc::now(),
        )
        .unwrap();
    // A group of the set: the set's rules, named, are what its editor starts from.
    let group = page("group%3A1", "en").await;
    // Scopes are named as the operator knows them: the set by its name, the group by its title.
    assert!(
        group.contains("in force, from group set “gaming”;"),
        "{group}"
    );
    assert!(group.contains("· group “g1” (#1)</h1>"), "{group}");
    assert!(
        group.contains("SETKW") && group.contains("warn, kick"),
        "{group}"
    );
    assert!(!group.contains("DEFAULTKW"), "{group}");
    let group = page("group%3A1", "zh-CN").await;
    assert!(group.contains("来自 群组集「gaming」"), "{group}");
    assert!(group.contains("· 群「g1」(#1)</h1>"), "{group}");
    let tried = page("group%3A1&sample=%E6%9C%89%E4%BA%BASETKW", "en").await;
    assert!(tried.contains("Caught: a forbidden word"), "{tried}");
    // In Chinese, with Chinese punctuation, and the link policies said in words.
    // The set's editor lists its groups; a message tried as a new member's keeps the box ticked.
    let set = page("set%3Agaming", "en").await;
    assert!(
        set.contains(r#"<li><a href="/moderation/rules?scope=group%3A1">group “g1” (#1)</a></li>"#),
        "{set}"
    );
    let tried = page("group%3A1&sample=x&new_member=on", "en").await;
    assert!(
        tried.contains(r#"name="new_member" value="on" checked>"#),
        "{tried}"
    );
    let tried = page("group%3A1&sample=%E6%9C%89%E4%BA%BASETKW", "zh-CN").await;
    assert!(
        tried.contains("会被拦截：违禁词：setkw（违禁词）"),
        "{tried}"
    );
    assert!(tried.contains(">可疑的链接（suspicious"), "{tried}");
    // The API names the same source.
    let owner = token_for(&console, "lin", None);
    let (_, body) = api(&console, "GET", "/api/v1/groups/1/rules", &owner, None).await;
    assert_eq!(body["source"], "set:gaming", "{body}");
    assert_eq!(body["rules"]["keywords"], json!(["SETKW"]), "{body}");
    // Its own rules, once saved, are shown as its own.
    database
        .set_rules("group:1", r#"{"keywords": ["OWNKW"]}"#, "lin", Utc::now())
        .unwrap();
    let own = page("group%3A1", "en").await;
    assert!(!own.contains("in force, from"), "{own}");
    assert!(own.contains("OWNKW"), "{own}");
    // Deleting them asks for the "I am sure" box (the engagement test posts without it).
    assert!(
        own.contains(r#"name="confirm" value="yes" required> I am sure"#),
        "{own}"
    );
    // The overview lists the stored rules by the same names.
    let overview = text(console.get("/moderation", Some(&cookie), "en").await).await;
    assert!(overview.contains(">group “g1” (#1)</a>"), "{overview}");
    assert!(overview.contains(">group set “gaming”</a>"), "{overview}");
    assert!(!overview.contains(">group:1<"), "{overview}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_owner_edits_a_groups_rules_and_a_bad_value_is_explained() {
    let console = Console::new();
    console.record(vec![message("g1", "1", "u1", "Ann", "hello", 0)]);
    let (cookie, csrf) = sign_in_as(&console, "lin").await;

    let overview = text(console.get("/moderation", Some(&cookie), "zh-CN").await).await;
    assert!(overview.contains("群管与反广告"), "{overview}");
    let editor = console
        .get("/moderation/rules?scope=group%3A1", Some(&cookie), "en")
        .await;
    assert_eq!(editor.status(), StatusCode::OK);
    let editor = text(editor).await;
    assert!(
        editor.contains("shown are the rules in force, from the built-in defaults"),
        "{editor}"
    );

    let bad = console
        .post(
            "/moderation/rules",
            Some(&cookie),
            &rules_form(
                &csrf,
                "group:1",
                &[
                    ("ladder", "warn, mute forever"),
                    ("keywords", "代练\n<b>刷单</b>"),
                    ("flood_messages", "many"),
                ],
            ),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    // The form again, as typed (escaped), with what was wrong above it, in the operator's
    // language; a box that held no number shows the built-in value.
    let again = text(bad).await;
    assert!(
        again.contains("未保存：刷屏：`many` 不是 0 或更大的整数"),
        "{again}"
    );
    assert!(again.contains("warn, mute forever"), "{again}");
    assert!(
        again.contains("代练\n&#60;b&#62;刷单&#60;/b&#62;"),
        "{again}"
    );
    assert!(
        again.contains(r#"name="flood_messages" value="12""#),
        "{again}"
    );
    // Each said in Chinese, the console's language here.
    let refused: [(&[(&str, &str)], &str); 8] = [
        (
            &[("ladder", "warn, mute forever")],
            "处理步骤：`mute forever` 不是",
        ),
        (&[("flood_messages", "many")], "刷屏"),
        (&[("flood_seconds", "-5")], "刷屏：`-5` 不是 0 或更大的整数"),
        (
            &[("night", "on"), ("night_time_zone", "Europe/Atlantis")],
            "Europe/Atlantis",
        ),
        // Checked with night mode off too: switched on later, it would fail far from here.
        (&[("night_start", "25:99")], "夜间模式开始：须为 时:分"),
        (&[("repeat_chars", "0")], "跨群重复：至少 1 个字"),
        (
            &[("allowed_domains", "docs.rs\nhttps://example.com/path")],
            "不要 https://",
        ),
        (&[("allowed_domains", "com")], "只写顶级域名"),
    ];
    for (changes, said) in refused {
        let bad = console
            .post(
                "/moderation/rules",
                Some(&cookie),
                &rules_form(&csrf, "group:1", changes),
            )
            .await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST, "{changes:?}");
        let body = text(bad).await;
        assert!(body.contains(said), "{changes:?}: {body}");
    }
    assert!(
        console.database().rules("group:1").unwrap().is_none(),
        "nothing stored"
    );

    let saved = console
        .post(
            "/moderation/rules",
            Some(&cookie),
            &rules_form(
                &csrf,
                "group:1",
                &[
                    ("keywords", "代练\n<script>alert(1)</script>"),
                    ("ladder", "warn, kick"),
                    ("language", "en"),
                    ("night", "on"),
                    ("night_time_zone", " Europe/Berlin "),
                    // Not read when a zone is named: a cleared box is no error.
                    ("night_offset", ""),
                ],
            ),
        )
        .await;
    assert_eq!(
        (saved.status(), location(&saved)),
        (
            StatusCode::SEE_OTHER,
            "/moderation/rules?scope=group%3A1&saved=1"
        ),
    );
    // The editor it returns to says so.
    let back = text(
        console
            .get(
                "/moderation/rules?scope=group%3A1&saved=1",
                Some(&cookie),
                "en",
            )
            .await,
    )
    .await;
    assert!(back.contains(r#"<p role="status">Saved</p>"#), "{back}");
    let stored = console.database().rules("group:1").unwrap().unwrap();
    let rules = Rules::from_json(&stored.rules).unwrap();
    assert_eq!(rules.keywords, ["代练", "<script>alert(1)</script>"]);
    assert_eq!(rules.ladder, ["warn", "kick"]);
    assert_eq!(rules.night.time_zone, "Europe/Berlin");
    assert_eq!(stored.updated_by, "lin");

    // The editor shows the stored words, escaped.
    let editor = text(
        console
            .get("/moderation/rules?scope=group%3A1", Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(editor.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!editor.contains("<script>alert"));
    let audit = console.database().audit_page(None, 10).unwrap();
    assert!(audit.iter().any(|entry| entry.action == "rules.save"));

    // "Try a message" answers with these rules' verdict, the sample shown as text.
    let tried = text(
        console
            .get(
                &format!(
                    "/moderation/rules?scope=group%3A1&sample={}",
                    urlencode("专业代练上分")
                ),
                Some(&cookie),
                "en",
            )
            .await,
    )
    .await;
    assert!(
        tried.contains("Caught: a forbidden word: 代练 (keyword)"),
        "{tried}"
    );
    let tried = text(
        console
            .get(
                &format!(
                    "/moderation/rules?scope=default&sample={}",
                    urlencode("<script>x</script> 今天天气不错")
                ),
                Some(&cookie),
                "en",
            )
            .await,
    )
    .await;
    assert!(tried.contains("Not caught"), "{tried}");
    assert!(!tried.contains("<script>x"));
    let as_new = text(
        console
            .get(
                &format!(
                    "/moderation/rules?scope=default&new_member=on&sample={}",
                    urlencode("看看 https://www.youtube.com/watch?v=x")
                ),
                Some(&cookie),
                "en",
            )
            .await,
    )
    .await;
    assert!(
        as_new.contains("Caught: a new member posted a link"),
        "{as_new}"
    );

    // A stored document a newer Steward wrote: its known fields are in force and shown, and
    // the editor names the fields this version skips, which saving there would drop.
    console
        .database()
        .set_document(
            steward_store::moderation::Documents::Moderation,
            "set:vip",
            r#"{"whitelist": ["10001"], "links_v2": {"mode": 3}, "night": {"<i>x</i>": 1}}"#,
            "lin",
            Utc::now(),
        )
        .unwrap();
    for (lang, notice) in [
        ("en", "a newer Steward wrote them"),
        ("zh-CN", "由较新版本的 Steward 写入"),
    ] {
        let newer = text(
            console
                .get("/moderation/rules?scope=set%3Avip", Some(&cookie), lang)
                .await,
        )
        .await;
        assert!(newer.contains(notice), "{newer}");
        assert!(newer.contains("links_v2, night.&#60;i&#62;x"), "{newer}");
        assert!(!newer.contains("<i>x</i>"), "{newer}");
        assert!(newer.contains("10001"), "{newer}");
    }

    // A scope that does not exist is not found; a forged form is refused.
    let missing = console
        .get("/moderation/rules?scope=group%3A99", Some(&cookie), "en")
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let forged = console
        .post(
            "/moderation/rules",
            Some(&cookie),
            &rules_form("not-the-token", "default", &[]),
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_through_the_api_with_sets_and_roles() {
    let console = Console::new();
    console.record(vec![message("g1", "1", "u1", "Ann", "hello", 0)]);
    let owner = token_for(&console, "lin", None);
    let operator = token_for(&console, "ops", Some(OperatorRole::Operator));
    let viewer = token_for(&console, "see", Some(OperatorRole::Viewer));

    let (status, body) = api(&console, "GET", "/api/v1/rules/default", &owner, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["stored"], false);
    assert_eq!(
        body["rules"]["ladder"],
        json!(["warn", "mute 10m", "blacklist"])
    );

    let (status, body) = api(
        &console,
        "PUT",
        "/api/v1/rules/default",
        &owner,
        Some(json!({"ladder": ["warn", "mute 1h", "kick"], "allowed_domains": ["example.com"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = api(
        &console,
        "PUT",
        "/api/v1/rules/default",
        &owner,
        Some(json!({"links": "sometimes"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("links"), "{body}");

    let (_, body) = api(&console, "GET", "/api/v1/groups/1/rules", &viewer, None).await;
    assert_eq!(body["source"], "default");
    assert_eq!(body["rules"]["ladder"][1], "mute 1h");

    // Owners put groups in sets; a set's rules then win over the default.
    let (status, _) = api(
        &console,
        "PUT",
        "/api/v1/groups/1/set",
        &operator,
        Some(json!({"set": "vip"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A body of the wrong shape is answered as every API error is: JSON naming the field.
    // A field misspelt or left out is refused too, and changes nothing: `{"sett": …}` or `{}`
    // would otherwise take the group out of its set, and a backtest's `group` run every group.
    console.database().set_group_set(1, Some("vip")).unwrap();
    for (path, method, body) in [
        ("/api/v1/groups/1/set", "PUT", json!({"set": 123})),
        ("/api/v1/groups/1/set", "PUT", json!({"sett": "x"})),
        ("/api/v1/groups/1/set", "PUT", json!({})),
        ("/api/v1/samples", "POST", json!({"event_id": 1})),
        (
            "/api/v1/samples",
            "POST",
            json!({"event_id": 1, "is_ad": true, "why": "x"}),
        ),
        (
            "/api/v1/backtests",
            "POST",
            json!({"from": "2026-01-01", "to": "2026-02-01", "group": [1]}),
        ),
    ] {
        let (status, answer) = api(&console, method, path, &owner, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(
            ["set", "is_ad", "why", "group"]
                .iter()
                .any(|field| error.contains(field)),
            "{path}: {answer}"
        );
    }
    assert_eq!(
        console.database().group_set(1).unwrap().as_deref(),
        Some("vip")
    );
    let (status, answer) = api(
        &console,
        "POST",
        "/api/v1/backtests",
        &owner,
        Some(json!({"from": "2026-01-01", "to": "2026-02-01", "scope": "default", "rules": {}})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("not both"),
        "{answer}"
    );
    let (status, _) = api(
        &console,
        "PUT",
        "/api/v1/groups/1/set",
        &owner,
        Some(json!({"set": "vip"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api(
        &console,
        "PUT",
        "/api/v1/rules/set:vip",
        &owner,
        Some(json!({"classifier": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = api(&console, "GET", "/api/v1/groups/1/rules", &owner, None).await;
    assert_eq!(
        (body["set"].clone(), body["source"].clone()),
        (json!("vip"), json!("set:vip"))
    );
    assert_eq!(body["rules"]["classifier"], false);
    // A set's name typed in another case is the set already in use: its rules stay in force.
    // A name in use nowhere is kept as typed.
    for (typed, stored) in [
        ("Gold", "Gold"),
        ("ＧＯＬＤ", "Gold"),
        ("Ärger", "Ärger"),
        ("äRGER", "Ärger"),
        ("VIP", "vip"),
    ] {
        let (status, body) = api(
            &console,
            "PUT",
            "/api/v1/groups/1/set",
            &owner,
            Some(json!({"set": typed})),
        )
        .await;
        assert_eq!(
            (status, body["set"].clone()),
            (StatusCode::OK, json!(stored))
        );
        assert_eq!(
            console.database().group_set(1).unwrap().as_deref(),
            Some(stored)
        );
    }
    let (_, body) = api(&console, "GET", "/api/v1/groups/1/rules", &owner, None).await;
    assert_eq!(body["source"], "set:vip", "{body}");

    // An operator edits only the groups they look after; a viewer nothing.
    let group_rules = Some(json!({"keywords": ["代练"]}));
    let (status, _) = api(
        &console,
        "PUT",
        "/api/v1/rules/default",
        &operator,
        group_rules.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api(
        &console,
        "PUT",
        "/api/v1/rules/group:1",
        &operator,
        group_rules.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let ops = console.database().operator_by_name("ops").unwrap().unwrap();
    console
        .database()
        .set_operator_group(ops.id, 1, true)
        .unwrap();
    let (status, _) = api(
        &console,
        "PUT",
        "/api/v1/rules/group:1",
        &operator,
        group_rules.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api(
        &console,
        "PUT",
        "/api/v1/rules/group:1",
        &viewer,
        group_rules,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, body) = api(&console, "GET", "/api/v1/groups/1/rules", &owner, None).await;
    assert_eq!(body["source"], "group:1");
    let (status, body) = api(&console, "DELETE", "/api/v1/rules/group:1", &operator, None).await;
    assert_eq!(
        (status, body["deleted"].clone()),
        (StatusCode::OK, json!(true))
    );
    let (status, _) = api(&console, "GET", "/api/v1/rules/nonsense", &owner, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, spec) = api(&console, "GET", "/api/v1/openapi.json", &viewer, None).await;
    for (path, method) in [
        ("/rules/{scope}", "put"),
        ("/backtests", "post"),
        ("/blacklist/{member}", "delete"),
    ] {
        assert!(
            spec["paths"][path][method].is_object(),
            "{path} {method} is described"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn offences_are_listed_marked_and_the_blacklist_lifted() {
    let console = Console::new();
    let stored = console.record(vec![message(
        "g1",
        "1",
        "u1",
        "<b>Mallory</b>",
        "加ｖｘ abc123456 =HYPERLINK(\"x\")",
        0,
    )]);
    let (event, group, member) = (stored[0].id, stored[0].group_id, stored[0].member_id);
    {
        let mut writer = console.database().writer().unwrap();
        writer.begin().unwrap();
        writer
            .record_offence(&Offence {
                member_id: member,
                group_id: group,
                event_id: event,
                time: 0,
                detector: "contact".into(),
                reason: Reason::new(
                    "联系方式（QQ 号）：12345678",
                    "contact details (a QQ number): 12345678",
                ),
                step: "blacklist".into(),
                message: None,
            })
            .unwrap();
        writer
            .blacklist(
                member,
                group,
                &Reason::new("联系方式（QQ 号）", "contact details (a QQ number)"),
                0,
            )
            .unwrap();
        writer.commit().unwrap();
    }
    let (cookie, csrf) = sign_in_as(&console, "lin").await;
    // The member's page says they are blacklisted and lists the offence.
    let member_page = text(
        console
            .get(&format!("/members/{member}"), Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(
        member_page.contains("On the fleet blacklist"),
        "{member_page}"
    );
    // Each reads the detector, the reason and the step in the operator's language.
    assert!(
        member_page.contains("<td>contact details (a QQ number): 12345678</td>"),
        "{member_page}"
    );
    assert!(member_page.contains("removed and blacklisted"));
    assert!(!member_page.contains("联系方式"));
    let member_page = text(
        console
            .get(&format!("/members/{member}"), Some(&cookie), "zh")
            .await,
    )
    .await;
    assert!(
        member_page.contains("<td>联系方式（QQ 号）：12345678</td>"),
        "{member_page}"
    );
    assert!(member_page.contains("移出并列入黑名单"));
    // Their role and whether they are in the group, in words too.
    assert!(
        member_page.contains("<td class=\"wide\">成员</td><td>在群</td>"),
        "{member_page}"
    );
    assert!(!member_page.contains("contact details"));
    let page = text(console.get("/moderation", Some(&cookie), "zh").await).await;
    assert!(page.contains("联系方式（QQ 号）</td>"), "{page}");
    assert!(!page.contains("contact details"), "{page}");
    let page = text(console.get("/moderation", Some(&cookie), "en").await).await;
    assert!(
        page.contains("contact details (a QQ number)</td>"),
        "{page}"
    );
    assert!(page.contains("removed and blacklisted"), "{page}");
    assert!(!page.contains("联系方式"), "{page}");
    // The API gives both.
    let owner = token_for(&console, "lin", None);
    let (_, body) = api(&console, "GET", "/api/v1/offences", &owner, None).await;
    assert_eq!(
        body["offences"][0]["reason_zh"],
        "联系方式（QQ 号）：12345678"
    );
    assert_eq!(
        body["offences"][0]["reason_en"],
        "contact details (a QQ number): 12345678"
    );
    assert_eq!(body["offences"][0]["step"], "blacklist");
    let (_, body) = api(&console, "GET", "/api/v1/blacklist", &owner, None).await;
    assert_eq!(body["blacklist"][0]["reason_zh"], "联系方式（QQ 号）");
    assert_eq!(
        body["blacklist"][0]["reason_en"],
        "contact details (a QQ number)"
    );
    assert!(page.contains("&#60;b&#62;Mallory&#60;/b&#62;"), "{page}");
    assert!(!page.contains("<b>Mallory"));
    // A contact detail caught it: no *Not an ad* (the mark cannot let it pass), the rules.
    assert!(!page.contains("Not an ad (mistake)"), "{page}");
    assert!(
        page.contains(&format!(
            "<a href=\"/moderation/rules?scope=group%3A{group}\">A mistake? Not the ad classifier&#39;s"
        )),
        "{page}"
    );

    // An operator who does not look after the group may neither mark nor lift.
    let hash = passwords::hash(PASSWORD).unwrap();
    console
        .database()
        .create_operator("ops", &hash, OperatorRole::Operator, Utc::now())
        .unwrap();
    let (ops_cookie, ops_csrf) = sign_in_as(&console, "ops").await;
    let refused = console
        .post(
            "/moderation/samples",
            Some(&ops_cookie),
            &format!("csrf={ops_csrf}&event={event}&is_ad=false"),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = console
        .post(
            "/moderation/blacklist/lift",
            Some(&ops_cookie),
            &format!("csrf={ops_csrf}&member={member}"),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(console.database().ad_samples().unwrap().is_empty());
    assert_eq!(console.database().blacklisted().unwrap().len(), 1);

    let marked_text = steward_text::normalize("加ｖｘ abc123456 =HYPERLINK(\"x\")");
    let before = console.state.moderation.model().score(&marked_text);
    // From a page of one group's older offences: back to that page.
    let marked = console
        .post(
            "/moderation/samples",
            Some(&cookie),
            &format!(
                "csrf={csrf}&event={event}&is_ad=false&back=%2Fmoderation%3Fgroup%3D{group}%26before%3D5.7"
            ),
        )
        .await;
    assert_eq!(
        (marked.status(), location(&marked)),
        (
            StatusCode::SEE_OTHER,
            format!("/moderation?group={group}&before=5.7").as_str()
        )
    );
    assert_eq!(console.database().ad_samples().unwrap().len(), 1);
    // The model already read it as no ad (a contact detail caught it): nothing to learn.
    let after = console.state.moderation.model().score(&marked_text);
    assert_eq!(after, before, "nothing to learn");
    let model = console.state.moderation.model();
    assert_eq!(model.mark_of(&marked_text), Some(false));
    // Marking the same message again replaces the mark instead of adding a sample: as an ad,
    // the model in force holds that mark at once, and its weights take a step toward it.
    let again = console
        .post(
            "/moderation/samples",
            Some(&cookie),
            &format!("csrf={csrf}&event={event}&is_ad=true"),
        )
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(console.database().ad_samples().unwrap().len(), 1);
    let after = console.state.moderation.model().score(&marked_text);
    assert!(
        after > before,
        "the mark put a tuned model in force: {before} → {after}"
    );
    let model = console.state.moderation.model();
    assert_eq!(model.mark_of(&marked_text), Some(true));

    // The pages carry where to return: the moderation page's forms, and the member page's.
    let page = text(
        console
            .get("/moderation?before=99.1", Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(
        page.contains(r#"<input type="hidden" name="back" value="/moderation?before=99.1">"#),
        "{page}"
    );
    let page = text(
        console
            .get(&format!("/members/{member}"), Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(
        page.contains(&format!(r#"name="back" value="/members/{member}""#)),
        "{page}"
    );
    // Only this console's moderation and member pages: elsewhere goes to the moderation page.
    let lifted = console
        .post(
            "/moderation/blacklist/lift",
            Some(&cookie),
            &format!("csrf={csrf}&member={member}&back=%2F%2Fevil.example"),
        )
        .await;
    assert_eq!(
        (lifted.status(), location(&lifted)),
        (StatusCode::SEE_OTHER, "/moderation")
    );
    assert!(console.database().blacklisted().unwrap().is_empty());
    // Lifted twice (a second tab, a double click): said as what it is.
    let twice = console
        .post(
            "/moderation/blacklist/lift",
            Some(&cookie),
            &format!("csrf={csrf}&member={member}"),
        )
        .await;
    assert_eq!(twice.status(), StatusCode::NOT_FOUND);
    assert!(text(twice).await.contains("不在黑名单"));
    let missing = console
        .post(
            "/moderation/samples",
            Some(&cookie),
            &format!("csrf={csrf}&event=999999&is_ad=true"),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(text(missing).await.contains("没有这条消息"));
    let actions: Vec<String> = console
        .database()
        .audit_page(None, 10)
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert!(actions.contains(&"sample.not_ad".to_owned()));
    assert!(actions.contains(&"blacklist.lift".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backtest_runs_with_progress_from_the_console_and_the_api() {
    let console = Console::new();
    let mut events = vec![
        message("g1", "1", "u1", "Ann", "大家好", 0),
        message(
            "g1",
            "2",
            "u2",
            "Bob",
            "加我ｖｘ：ａｂｃ１２３４５６ 优惠多多",
            5,
        ),
    ];
    // More ads than a report shows as examples, caught by both rule sets: the difference
    // after them is shown all the same.
    for n in 0..60u32 {
        events.push(message(
            "g1",
            &format!("ad{n}"),
            &format!("s{n}"),
            "Spam",
            &format!("加我vx：spam{n}x{} 优惠", n * 7 + 13),
            6 + n,
        ));
    }
    events.push(message("g1", "3", "u3", "Cat", "今天天气不错", 90));
    console.record(events);
    let owner = token_for(&console, "lin", None);
    let (status, body) = api(
        &console,
        "POST",
        "/api/v1/backtests",
        &owner,
        Some(json!({"from": "2026-05-01", "to": "2026-05-02", "rules": {"keywords": ["天气"]}})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["id"].as_u64().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let report = loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the backtest never finished"
        );
        let (_, body) = api(
            &console,
            "GET",
            &format!("/api/v1/backtests/{id}"),
            &owner,
            None,
        )
        .await;
        if body["done"] == true {
            break body["report"].clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(report["in_force"]["messages"], 63);
    assert_eq!(report["in_force"]["offences"], 61);
    assert_eq!(report["in_force"]["by_detector"]["contact"], 61);
    assert_eq!(report["candidate"]["offences"], 62);
    assert_eq!(report["only_candidate_count"], 1);
    assert_eq!(report["only_candidate"][0]["text"], "今天天气不错");
    assert_eq!(report["only_in_force"], json!([]));

    let (status, body) = api(
        &console,
        "POST",
        "/api/v1/backtests",
        &owner,
        Some(json!({"from": "2026-05-02", "to": "2026-05-01"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // A candidate scope with nothing stored is refused, not compared as the defaults.
    let (status, body) = api(
        &console,
        "POST",
        "/api/v1/backtests",
        &owner,
        Some(json!({"from": "2026-05-01", "to": "2026-05-02", "scope": "set:nope"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("group set “nope”"), "{body}");

    let (cookie, csrf) = sign_in_as(&console, "lin").await;
    // The console's form says what is wrong on the form, in the operator's language.
    for (form, said) in [
        (
            "from=2026-05-02&to=2026-05-01&groups=&scope=",
            "开始日期须早于结束日期",
        ),
        (
            "from=2026-05-01&to=2026-05-02&groups=a,b&scope=",
            "以逗号分隔的编号",
        ),
        (
            "from=2026-05-01&to=2026-05-02&groups=&scope=set:nope",
            "没有保存的规则",
        ),
        (
            "from=2026-05-01&to=2026-05-02&groups=999&scope=",
            "没有编号为 999 的群",
        ),
    ] {
        let refused = console
            .post(
                "/moderation/backtest",
                Some(&cookie),
                &format!("csrf={csrf}&{form}"),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{form}");
        let page = text(refused).await;
        assert!(page.contains(said), "{form}: {page}");
        assert!(page.contains("role=\"alert\""), "{page}");
    }
    let started = console
        .post(
            "/moderation/backtest",
            Some(&cookie),
            &format!("csrf={csrf}&from=2026-05-01&to=2026-05-02&groups=&scope="),
        )
        .await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let path = location(&started).to_owned();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let page = loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the backtest page never finished"
        );
        let page = text(console.get(&path, Some(&cookie), "en").await).await;
        if !page.contains("Backtest running") {
            break page;
        }
        assert!(page.contains("<progress"), "{page}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(page.contains("Rules in force"), "{page}");
    assert!(page.contains("class=\"offences\">61<"), "{page}");
    // What it ran, said in the operator's language.
    assert!(
        page.contains("2026-05-01 – 2026-05-02 · the rules in force</h2>"),
        "{page}"
    );
    let page = text(console.get(&path, Some(&cookie), "zh-CN").await).await;
    assert!(page.contains(" · 现行规则</h2>"), "{page}");
    // The form offers the stored scopes by name.
    console
        .database()
        .set_rules("group:1", "{}", "lin", Utc::now())
        .unwrap();
    let form = text(
        console
            .get("/moderation/backtest", Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(
        form.contains(r#"<option value="group:1">group “"#),
        "{form}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_offence_list_pages_back_through_every_offence() {
    let console = Console::new();
    let stored = console.record(vec![message("g1", "1", "u1", "Ann", "加v abc12345", 0)]);
    let (event, group, member) = (stored[0].id, stored[0].group_id, stored[0].member_id);
    {
        let mut writer = console.database().writer().unwrap();
        writer.begin().unwrap();
        // 151 offences, two at each moment but one: the first page (100) ends inside a tie, and
        // the moments are shuffled against the order stored, so that neither the time nor the
        // id alone pages right.
        for n in 0..151 {
            writer
                .record_offence(&Offence {
                    member_id: member,
                    group_id: group,
                    event_id: event,
                    time: (n * 37 % 151) / 2,
                    detector: "contact".into(),
                    reason: Reason::new(format!("第{n}条"), format!("offence no{n}")),
                    step: "warn".into(),
                    message: None,
                })
                .unwrap();
        }
        writer.commit().unwrap();
    }
    let (cookie, _) = sign_in_as(&console, "lin").await;
    let read_all = || async {
        let (mut seen, mut pages) = (Vec::new(), 0);
        let mut next = Some(format!("/moderation?group={group}"));
        while let Some(path) = next.take() {
            let page = text(console.get(&path, Some(&cookie), "en").await).await;
            pages += 1;
            seen.extend(
                page.split("offence no")
                    .skip(1)
                    .map(|rest| rest.split('<').next().unwrap().parse::<u32>().unwrap()),
            );
            next = page
                .split("<nav class=\"pages\"><a href=\"")
                .nth(1)
                .map(|rest| rest.split('"').next().unwrap().replace("&#38;", "&"));
            assert!(pages <= 3, "the pages end");
        }
        (seen, pages)
    };
    let (seen, pages) = read_all().await;
    assert_eq!(pages, 2);
    // Every offence once, newest first (the latest stored first among equals), on two pages:
    // the second says it is the last (no link to an empty third).
    let mut expected: Vec<u32> = (0..151).collect();
    expected.sort_by_key(|n| std::cmp::Reverse(((n * 37 % 151) / 2, *n)));
    assert_eq!(seen, expected);
    // Exactly two pages' worth: the second ends it too.
    {
        let mut writer = console.database().writer().unwrap();
        writer.begin().unwrap();
        for n in 151..200 {
            writer
                .record_offence(&Offence {
                    member_id: member,
                    group_id: group,
                    event_id: event,
                    time: 1000,
                    detector: "contact".into(),
                    reason: Reason::new(format!("第{n}条"), format!("offence no{n}")),
                    step: "warn".into(),
                    message: None,
                })
                .unwrap();
        }
        writer.commit().unwrap();
    }
    let (seen, pages) = read_all().await;
    assert_eq!((seen.len(), pages), (200, 2));
    // The API pages the same way, with its `next`.
    let owner = token_for(&console, "lin", None);
    let (mut through_api, mut calls) = (Vec::new(), 0);
    let mut path = format!("/api/v1/offences?group={group}&limit=60");
    loop {
        let (status, body) = api(&console, "GET", &path, &owner, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        calls += 1;
        through_api.extend(
            body["offences"]
                .as_array()
                .unwrap()
                .iter()
                .map(|offence| offence["reason_en"].as_str().unwrap().to_owned()),
        );
        match body["next"].as_str() {
            Some(next) => path = format!("/api/v1/offences?group={group}&limit=60&before={next}"),
            None => break,
        }
        assert!(calls <= 4, "the pages end");
    }
    assert_eq!(calls, 4);
    assert_eq!(
        through_api,
        seen.iter()
            .map(|n| format!("offence no{n}"))
            .collect::<Vec<_>>()
    );
    let (status, body) = api(
        &console,
        "GET",
        "/api/v1/offences?before=yesterday",
        &owner,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // The list says which group it is of, and leads back to every group's.
    let page = text(
        console
            .get(&format!("/moderation?group={group}"), Some(&cookie), "en")
            .await,
    )
    .await;
    assert!(
        page.contains("Offences · group “g1” (#1)</h2>") && page.contains("← every group</a>"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn offences_download_as_csv_with_formulas_defused() {
    let console = Console::new();
    let stored = console.record(vec![
        message(
            "g1",
            "1",
            "u1",
            "=HYPERLINK(\"http://evil.example\",\"点我\")",
            "-2+3 \"引号\" 看这里",
            0,
        ),
        message("g2", "1", "u2", "Ann", "hello", 1),
    ]);
    {
        let mut writer = console.database().writer().unwrap();
        writer.begin().unwrap();
        for line in &stored {
            writer
                .record_offence(&Offence {
                    member_id: line.member_id,
                    group_id: line.group_id,
                    event_id: line.id,
                    time: 60_000,
                    detector: "keyword".into(),
                    reason: Reason::new("违禁词：看这里", "a forbidden word: 看这里"),
                    step: "mute 10m".into(),
                    message: None,
                })
                .unwrap();
        }
        writer.commit().unwrap();
    }
    let (cookie, _) = sign_in_as(&console, "lin").await;
    let page = text(console.get("/moderation", Some(&cookie), "en").await).await;
    assert!(page.contains("href=\"/moderation/offences.csv\""), "{page}");

    let response = console
        .get(
            &format!("/moderation/offences.csv?group={}", stored[0].group_id),
            Some(&cookie),
            "zh-CN",
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let csv = text(response).await;
    let lines: Vec<&str> = csv.split("\r\n").collect();
    // A header in the operator's language after Excel's byte-order mark, one offence (the
    // group's), and the end.
    assert_eq!(lines.len(), 3, "{csv}");
    assert_eq!(
        lines[0],
        "\u{feff}\"时间\",\"成员\",\"用户 ID\",\"群\",\"检测器\",\"原因\",\"处理\",\"消息\",\"计入违规次数\",\"消息未删除\""
    );
    // The name and the message would run as formulas: they start with `'`; quotes are doubled.
    assert_eq!(
        lines[1],
        "\"1970-01-01 00:01 UTC\",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点我\"\")\",\"u1\",\"g1\",\"违禁词\",\"违禁词：看这里\",\"禁言 10 分钟\",\"'-2+3 \"\"引号\"\" 看这里\",\"是\",\"\""
    );
    assert_eq!(lines[2], "");
    // Every group's, in English; one marked a mistake says it is not counted.
    console
        .database()
        .forgive_offences(stored[1].id, true, "lin", Utc::now())
        .unwrap();
    let csv = text(
        console
            .get("/moderation/offences.csv", Some(&cookie), "en")
            .await,
    )
    .await;
    assert_eq!(csv.split("\r\n").count(), 4, "{csv}");
    assert!(csv.contains("\"keyword\",\"a forbidden word: 看这里\",\"muted for 10 minutes\""));
    assert!(
        csv.contains("\"hello\",\"no (marked a mistake)\",\"\"\r\n"),
        "{csv}"
    );
    // More than a page of the reading (1,000): every offence once, newest first.
    {
        let mut writer = console.database().writer().unwrap();
        writer.begin().unwrap();
        for n in 0..2100 {
            writer
                .record_offence(&Offence {
                    member_id: stored[1].member_id,
                    group_id: stored[1].group_id,
                    event_id: stored[1].id,
                    time: 100_000 + n / 3,
                    detector: "link".into(),
                    reason: Reason::new(format!("第{n}"), format!("offence-{n}")),
                    step: "warn".into(),
                    message: None,
                })
                .unwrap();
        }
        writer.commit().unwrap();
    }
    let csv = text(
        console
            .get(
                &format!("/moderation/offences.csv?group={}", stored[1].group_id),
                Some(&cookie),
                "en",
            )
            .await,
    )
    .await;
    let numbers: Vec<i64> = csv
        .split("\r\n")
        .filter_map(|line| line.split("\"offence-").nth(1))
        .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
        .collect();
    let mut expected: Vec<i64> = (0..2100).collect();
    expected.sort_by_key(|n| std::cmp::Reverse((n / 3, *n)));
    assert_eq!(numbers, expected);
    assert_eq!(
        csv.split("\r\n").count(),
        1 + 2101 + 1,
        "header, offences, end"
    );
    // Signed out: no file.
    let anonymous = console.get("/moderation/offences.csv", None, "en").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread")]
async fn not_an_ad_is_offered_where_the_classifier_decided() {
    let console = Console::new();
    let stored = console.record(vec![
        message("g1", "1", "u1", "Ann", "躺赚日结，私聊", 0),
        message("g1", "2", "u1", "Ann", "https://spam.top", 1),
    ]);
    {
        let mut writer = console.database().writer().unwrap();
        writer.begin().unwrap();
        for (line, detector) in stored.iter().zip(["classifier", "link"]) {
            writer
                .record_offence(&Offence {
                    member_id: line.member_id,
                    group_id: line.group_id,
                    event_id: line.id,
                    time: 0,
                    detector: detector.into(),
                    reason: Reason::new("原因", "why"),
                    step: "warn".into(),
                    message: None,
                })
                .unwrap();
        }
        writer.commit().unwrap();
    }
    let (cookie, _) = sign_in_as(&console, "lin").await;
    let page = text(console.get("/moderation", Some(&cookie), "zh-CN").await).await;
    assert_eq!(page.matches("确认是广告").count(), 2, "{page}");
    assert_eq!(page.matches("不是广告（误判）").count(), 1, "{page}");
    assert_eq!(page.matches("不是广告分类器判的").count(), 1, "{page}");
    let classifier_row = page
        .split("<tr class=\"offence\">")
        .find(|row| row.contains("<td>广告分类器<br>"))
        .unwrap();
    assert!(
        classifier_row.contains("不是广告（误判）"),
        "{classifier_row}"
    );
    // Marked a mistake: said so on its row, no longer counted on the member's ladder.
    let (cookie, csrf) = sign_in_as(&console, "lin").await;
    let marked = console
        .post(
            "/moderation/samples",
            Some(&cookie),
            &format!("csrf={csrf}&event={}&is_ad=false", stored[0].id),
        )
        .await;
    assert_eq!(marked.status(), StatusCode::SEE_OTHER);
    let page = text(console.get("/moderation", Some(&cookie), "zh-CN").await).await;
    let classifier_row = page
        .split("<tr class=\"offence\">")
        .find(|row| row.contains("<td>广告分类器<br>"))
        .unwrap();
    assert!(
        classifier_row.contains("已标记为误判：不计入违规次数")
            && !classifier_row.contains("不是广告（误判）"),
        "{classifier_row}"
    );
    let mut writer = console.database().writer().unwrap();
    writer.begin().unwrap();
    assert_eq!(
        writer
            .offences_between(stored[0].member_id, -1, 1_000_000)
            .unwrap(),
        1,
        "the link's offence only"
    );
    writer.commit().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_is_told_why_the_default_is_not_theirs_and_a_delete_must_say_yes() {
    let console = Console::new();
    console.record(vec![message("g1", "1", "u1", "Ann", "hello", 0)]);
    console
        .database()
        .set_rules("default", r#"{"keywords": ["KW"]}"#, "lin", Utc::now())
        .unwrap();
    let hash = passwords::hash(PASSWORD).unwrap();
    console
        .database()
        .create_operator("ops", &hash, OperatorRole::Operator, Utc::now())
        .unwrap();
    let (cookie, csrf) = sign_in_as(&console, "ops").await;
    let refused = console
        .post(
            "/moderation/rules",
            Some(&cookie),
            &rules_form(&csrf, "default", &[]),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(text(refused).await.contains("默认和群组集的设置只有管理员"));
    let refused = console
        .post(
            "/moderation/rules",
            Some(&cookie),
            &rules_form(&csrf, "group:1", &[]),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(text(refused).await.contains("这个群没有分配给你"));
    // An owner's delete says yes, or nothing is deleted.
    let (cookie, csrf) = sign_in_as(&console, "lin").await;
    for confirm in ["", "&confirm=no", "&confirm="] {
        let unsure = console
            .post(
                "/moderation/rules/delete",
                Some(&cookie),
                &format!("csrf={csrf}&scope=default{confirm}"),
            )
            .await;
        assert_eq!(unsure.status(), StatusCode::BAD_REQUEST, "{confirm}");
    }
    assert!(console.database().rules("default").unwrap().is_some());
    let deleted = console
        .post(
            "/moderation/rules/delete",
            Some(&cookie),
            &format!("csrf={csrf}&scope=default&confirm=yes"),
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert!(console.database().rules("default").unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_api_error_is_json() {
    let console = Console::new();
    console.record(vec![message("g1", "1", "u1", "Ann", "hello", 0)]);
    let owner = token_for(&console, "lin", None);
    for (method, path, status) in [
        ("GET", "/api/v1/offences?limit=abc", StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/groups/abc", StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/backtests/abc", StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/nothing-here", StatusCode::NOT_FOUND),
    ] {
        let (answered, body) = api(&console, method, path, &owner, None).await;
        assert_eq!(answered, status, "{path}: {body}");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|error| !error.is_empty()),
            "{path}: {body}"
        );
    }
    // The console's own pages are left as they are.
    let (cookie, _) = sign_in_as(&console, "lin").await;
    let page = console.get("/groups/abc", Some(&cookie), "en").await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(!text(page).await.starts_with('{'));
}
