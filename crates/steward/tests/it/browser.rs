//! The console in a real headless Chromium, driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`, installed by `scripts/test`): sign in from the printed demo line, write in a
//! playground group and see the bot answer, a hostile name and a script shown as text with no
//! script running, a viewer offered no form, signing out ending the session.
//!
//! The WebDriver client is the few JSON calls below over plain HTTP on loopback, rather than a
//! client crate and its TLS stack for a protocol this small.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{Scratch, free_port, signal, spawn, steward, wait_with_timeout};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// WebDriver's key for an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One HTTP/1.1 exchange with a JSON body; returns the status and the parsed JSON answer.
fn call(port: u16, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    use std::io::{Read, Write};
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // chromedriver keeps the connection open whatever the request says: read the headers, then
    // exactly Content-Length bytes.
    let mut response = Vec::new();
    let mut byte = [0_u8; 1];
    while !response.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap() == 0 {
            break;
        }
        response.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&response).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0_u8; length];
    stream.read_exact(&mut body).unwrap();
    let json = String::from_utf8_lossy(&body);
    (status, serde_json::from_str(&json).unwrap_or(Value::Null))
}

struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = std::env::temp_dir().join(format!("steward-chromium-{port}"));
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--lang=en-US",
                         format!("--user-data-dir={}", profile.display())]
            }
        } } });
        let (status, answer) = call(port, "POST", "/session", Some(&capabilities));
        assert_eq!(status, 200, "no browser session: {answer}");
        let session = answer["value"]["sessionId"].as_str().unwrap().to_owned();
        Browser {
            driver,
            port,
            session,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        call(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        )
    }

    fn open(&self, url: &str) {
        let (status, answer) = self.call("POST", "/url", Some(json!({ "url": url })));
        assert_eq!(status, 200, "{answer}");
    }

    fn source(&self) -> String {
        self.call("GET", "/source", None).1["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn url(&self) -> String {
        self.call("GET", "/url", None).1["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn find(&self, css: &str) -> String {
        let (status, answer) = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        assert_eq!(status, 200, "no element {css}: {answer}");
        answer["value"][ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("{css}: {answer}"))
            .to_owned()
    }

    fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        let (status, answer) = self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
        assert_eq!(status, 200, "{answer}");
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        let (status, answer) = self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
        assert_eq!(status, 200, "{answer}");
    }

    /// Whether a JavaScript dialog (an `alert`) is open: a script ran.
    fn alert_open(&self) -> bool {
        self.call("GET", "/alert/text", None).0 == 200
    }

    fn wait_for(&self, what: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let source = self.source();
            if source.contains(what) {
                return source;
            }
            assert!(
                Instant::now() < deadline,
                "{what:?} never appeared in {source}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn sign_in(&self, base: &str, name: &str, password: &str) {
        self.open(&format!("{base}/login"));
        self.type_into("input[name=name]", name);
        self.type_into("input[name=password]", password);
        self.click("button[type=submit]");
        self.wait_for("Groups (", Duration::from_secs(10));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = call(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn browser_available() -> bool {
    let present =
        std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    if !present {
        assert!(
            std::env::var("STEWARD_REQUIRE_BROWSER").map_or(true, |value| value != "1"),
            "STEWARD_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing"
        );
        eprintln!("skipped: no Chromium (scripts/test installs chromium and chromium-driver)");
    }
    present
}

#[test]
fn an_operator_signs_in_writes_in_the_playground_and_nothing_hostile_runs() {
    if !browser_available() {
        return;
    }
    let scratch = Scratch::new("browser");
    let port = free_port();
    let mut demo = spawn(steward().current_dir(scratch.path()).args([
        "demo",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--days",
        "2",
    ]));
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(demo.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let password = line.trim_end().rsplit('=').next().unwrap().to_owned();
    let base = format!("http://127.0.0.1:{port}");

    let browser = Browser::start();
    browser.sign_in(&base, "demo", &password);
    browser.click("table a");
    browser.wait_for("Playground", Duration::from_secs(10));
    let group_page = browser.url();

    // A member with a hostile name writes a script; then a member asks the bot.
    browser.type_into("input[name=name]", "<img src=x onerror=alert(1)>");
    browser.type_into("input[name=text]", "<script>alert(2)</script>");
    browser.click("#say button[type=submit]");
    browser.wait_for(
        "&lt;script&gt;alert(2)&lt;/script&gt;",
        Duration::from_secs(10),
    );
    browser.type_into("input[name=name]", "Tester");
    browser.type_into("input[name=text]", "/ping");
    browser.click("#say button[type=submit]");
    let answered = browser.wait_for("pong", Duration::from_secs(10));
    assert!(
        answered.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the hostile name is not shown as text"
    );
    assert!(
        !browser.alert_open(),
        "a member's script ran in the console"
    );

    // An ad with a WeChat id in full-width letters and digits: deleted, its author warned, and
    // the offence listed on the moderation page (reached from the group page).
    browser.type_into("input[name=name]", "Spammer");
    browser.type_into("input[name=text]", "加我ｖｘ：ａｂｃ１２３４５６ 优惠多多");
    browser.click("#say button[type=submit]");
    let warned = browser.wait_for("消息已删除", Duration::from_secs(10));
    assert!(
        !warned.contains("联系方式（微信号）：abc"),
        "the warning repeats the contact it deleted"
    );
    browser.click("a[href^='/moderation?group=']");
    let listed = browser.wait_for("ａｂｃ１２３４５６", Duration::from_secs(10));
    assert!(listed.contains("contact"), "the detector is shown");
    browser.open(&group_page);
    browser.wait_for("Playground", Duration::from_secs(10));

    // Engagement: a member introduces themselves and signs in; the bot says what it noted and
    // the streak.
    browser.type_into("input[name=name]", "小王");
    browser.type_into(
        "input[name=text]",
        "大家好，我是小王，坐标上海，做产品经理，平时喜欢跑步和摄影",
    );
    browser.click("#say button[type=submit]");
    let noted = browser.wait_for("谢谢介绍", Duration::from_secs(10));
    assert!(noted.contains("爱好 跑步、摄影"), "the profile is noted");
    browser.type_into("input[name=name]", "小王");
    browser.type_into("input[name=text]", "签到");
    browser.click("#say button[type=submit]");
    browser.wait_for("签到成功！连续 1 天", Duration::from_secs(10));

    // Signing out ends the session: the group page sends the browser to sign in.
    browser.click("header button[type=submit]");
    browser.wait_for("name=\"password\"", Duration::from_secs(10));
    browser.open(&group_page);
    browser.wait_for("name=\"password\"", Duration::from_secs(10));
    assert!(browser.url().ends_with("/login"), "{}", browser.url());

    // A viewer reads the group and is offered no form.
    let mut add = Command::new(env!("CARGO_BIN_EXE_steward"))
        .current_dir(scratch.path())
        .args([
            "operator",
            "--data",
            "steward-demo",
            "add",
            "amy",
            "--role",
            "viewer",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut add.stdin.take().unwrap(), b"viewer password 1\n").unwrap();
    assert!(add.wait().unwrap().success());
    browser.sign_in(&base, "amy", "viewer password 1");
    browser.open(&group_page);
    let viewed = browser.wait_for("Recent messages", Duration::from_secs(10));
    assert!(
        !viewed.contains("/say\""),
        "a viewer was offered the playground's form"
    );
    assert!(!viewed.contains("action=\"/playground\""));

    drop(browser);
    signal(&demo, "INT");
    assert_eq!(
        wait_with_timeout(&mut demo, Duration::from_secs(20)).code(),
        Some(0)
    );
}
