//! Starting, stopping, and refusing to start.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::{
    Scratch, free_port, http_status, signal, spawn, stderr_of, steward, wait_with_timeout,
};

fn wait_for_health(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while http_status(port, "/healthz") != Some(200) {
        assert!(
            Instant::now() < deadline,
            "no healthy answer on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn serve_with_nothing_then_stop_with(signal_name: &str) {
    let scratch = Scratch::new("serve");
    let port = free_port();
    let mut child = spawn(steward().current_dir(scratch.path()).args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
    ]));
    wait_for_health(port);
    assert!(
        scratch.path().join("steward-data/steward.db").exists(),
        "no SQLite file was created"
    );
    signal(&child, signal_name);
    let status = wait_with_timeout(&mut child, Duration::from_secs(20));
    let stderr = stderr_of(&mut child);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(
        http_status(port, "/healthz"),
        None,
        "still answering after shutdown"
    );
}

#[test]
fn serve_starts_on_a_fresh_machine_and_stops_on_ctrl_c() {
    serve_with_nothing_then_stop_with("INT");
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    serve_with_nothing_then_stop_with("TERM");
}

#[test]
fn a_client_that_never_finishes_its_request_does_not_hold_the_shutdown() {
    let scratch = Scratch::new("hold");
    let port = free_port();
    let mut child = spawn(steward().current_dir(scratch.path()).args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
    ]));
    wait_for_health(port);
    // Half a request, then nothing (a stalled proxy, a client gone quiet): the connection
    // stays open.
    let mut stalled = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Long: ")
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    signal(&child, "TERM");
    let status = wait_with_timeout(&mut child, Duration::from_secs(30));
    let stderr = stderr_of(&mut child);
    assert_eq!(status.code(), Some(0), "{stderr}");
    // Within the 10 seconds' grace and the rest of the shutdown.
    assert!(
        asked.elapsed() < Duration::from_secs(25),
        "stopped after {:?}",
        asked.elapsed()
    );
    drop(stalled);
}

#[test]
fn settings_come_from_the_environment_when_no_flag_is_given() {
    let scratch = Scratch::new("env");
    let port = free_port();
    let data = scratch.path().join("elsewhere");
    let mut child = spawn(
        steward()
            .current_dir(scratch.path())
            .env("STEWARD_LISTEN", format!("127.0.0.1:{port}"))
            .env("STEWARD_DATA", &data)
            .arg("serve"),
    );
    wait_for_health(port);
    assert!(data.join("steward.db").exists());
    signal(&child, "TERM");
    assert_eq!(
        wait_with_timeout(&mut child, Duration::from_secs(20)).code(),
        Some(0)
    );
}

/// Runs `steward` to completion and returns its exit code and standard error.
fn run(scratch: &Scratch, args: &[&str]) -> (Option<i32>, String) {
    let output = steward()
        .current_dir(scratch.path())
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn refusals_say_why_and_exit_with_their_code() {
    let scratch = Scratch::new("refuse");
    std::fs::write(
        scratch.path().join("typo.toml"),
        "lisen = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_address = busy.local_addr().unwrap().to_string();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["serve", "--config", "typo.toml"],
            2,
            "unknown field `lisen`",
        ),
        (
            &["serve", "--config", "missing.toml"],
            2,
            "cannot read configuration file missing.toml",
        ),
        (
            &["serve", "--listen", "localhost"],
            2,
            "listen address `localhost` is not IP:PORT",
        ),
        (
            &["serve", "--database", "mysql://x"],
            2,
            "database URL `mysql://x` is not supported",
        ),
        (
            &[
                "serve",
                "--database",
                "postgres://steward:secret@127.0.0.1:1/steward",
            ],
            3,
            "cannot connect to PostgreSQL at postgres://steward:***@127.0.0.1:1/steward",
        ),
        (
            &["serve", "--data", "steward.db-is-a-file/x"],
            3,
            "cannot create",
        ),
        (&["serve", "--listen", &busy_address], 4, "cannot listen on"),
        (
            &["simulate", "--days", "2", "--day", "5"],
            2,
            "--day 5 is outside the 2 simulated days",
        ),
    ];
    std::fs::write(scratch.path().join("steward.db-is-a-file"), "").unwrap();
    for (args, code, message) in cases {
        let (status, stderr) = run(&scratch, args);
        assert_eq!(status, Some(*code), "{args:?}: {stderr}");
        assert!(
            stderr.contains(message),
            "{args:?}: {stderr:?} does not say {message:?}"
        );
        assert!(!stderr.contains("secret"), "a password leaked: {stderr}");
    }
    drop(busy);
}

#[test]
fn migrate_reports_the_schema_and_version_prints() {
    let scratch = Scratch::new("migrate");
    let output = steward()
        .current_dir(scratch.path())
        .arg("migrate")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("0001 core\n"), "{stdout}");
    let version = steward().arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("steward {}", env!("CARGO_PKG_VERSION"))
    );
}

const EVENT: &str = r#"{"platform":"onebot","account":"10001","chat":"20002","id":"1","time":"2026-05-01T12:00:00Z","kind":{"type":"message","sender":{"id":"30003","name":"<img src=x onerror=alert(1)>"},"segments":[{"type":"text","text":"/ping"}]}}"#;

#[test]
fn ingest_refuses_a_file_with_a_malformed_event_and_records_nothing() {
    let scratch = Scratch::new("ingest-bad");
    let broken = format!("{EVENT}\n{}\n", &EVENT[..EVENT.len() / 2]);
    std::fs::write(scratch.path().join("events.jsonl"), broken).unwrap();
    let (status, stderr) = run(&scratch, &["ingest", "events.jsonl"]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(stderr.contains("nothing was recorded"), "{stderr}");
    assert!(
        stderr.contains("events.jsonl:2: invalid event: event JSON: EOF"),
        "{stderr}"
    );
    assert!(
        !scratch.path().join("steward-data").exists(),
        "the database was touched"
    );
}

#[test]
fn ingest_records_once_and_answers_a_ping() {
    let scratch = Scratch::new("ingest");
    std::fs::write(scratch.path().join("events.jsonl"), format!("{EVENT}\n")).unwrap();
    for expected in ["1 new, 0 already recorded", "0 new, 1 already recorded"] {
        let output = steward()
            .current_dir(scratch.path())
            .args(["ingest", "events.jsonl"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains(expected));
    }
    let database =
        steward_store::Database::open_sqlite(&scratch.path().join("steward-data/steward.db"))
            .unwrap();
    let counts = database.counts().unwrap();
    assert_eq!(
        (counts.events, counts.outbox_pending),
        (1, 1),
        "one reply queued, once"
    );
}

/// Regression: the blocking PostgreSQL client panicked when the binary dropped its database at
/// the end of an async command.
#[test]
fn serve_and_migrate_run_and_stop_cleanly_on_postgresql() {
    let Some(database) = steward_store::testing::TestDatabase::postgres("cli").unwrap() else {
        return;
    };
    let scratch = Scratch::new("pg");
    let output = steward()
        .current_dir(scratch.path())
        .args(["migrate", "--database", &database.url])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let port = free_port();
    let mut child = spawn(steward().current_dir(scratch.path()).args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--database",
        &database.url,
    ]));
    wait_for_health(port);
    signal(&child, "TERM");
    let status = wait_with_timeout(&mut child, Duration::from_secs(20));
    let stderr = stderr_of(&mut child);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // So does a backtest that looks its groups up before it runs.
    let output = steward()
        .current_dir(scratch.path())
        .args([
            "backtest",
            "--from",
            "2026-01-01",
            "--groups",
            "999",
            "--database",
            &database.url,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("no group 999"), "{stderr}");
}

#[test]
fn the_environment_beats_the_steward_toml_found_in_the_working_directory() {
    let scratch = Scratch::new("precedence");
    let (file_port, env_port) = (free_port(), free_port());
    std::fs::write(
        scratch.path().join("steward.toml"),
        format!("listen = \"127.0.0.1:{file_port}\"\ndata = \"from-file\"\n"),
    )
    .unwrap();
    let mut child = spawn(
        steward()
            .current_dir(scratch.path())
            .env("STEWARD_LISTEN", format!("127.0.0.1:{env_port}"))
            .arg("serve"),
    );
    wait_for_health(env_port);
    assert_eq!(
        http_status(file_port, "/healthz"),
        None,
        "the file's address won over the environment"
    );
    assert!(
        scratch.path().join("from-file/steward.db").exists(),
        "./steward.toml was not read"
    );
    signal(&child, "TERM");
    assert_eq!(
        wait_with_timeout(&mut child, Duration::from_secs(20)).code(),
        Some(0)
    );
}

#[test]
fn the_first_owner_is_made_on_the_command_line_with_a_password_that_works() {
    let scratch = Scratch::new("operator");
    let output = steward()
        .current_dir(scratch.path())
        .args(["operator", "add", "lin"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("operator lin (owner) created\n"),
        "{stdout}"
    );
    let password = stdout
        .lines()
        .find_map(|line| line.strip_prefix("password: "))
        .unwrap()
        .to_owned();

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .current_dir(scratch.path())
        .args([
            "operator",
            "add",
            "amy",
            "--role",
            "viewer",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough secret\n")
        .unwrap();
    let added = child.wait_with_output().unwrap();
    assert!(added.status.success());
    assert_eq!(
        String::from_utf8_lossy(&added.stdout),
        "operator amy (viewer) created\n"
    );

    let database =
        steward_store::Database::open_sqlite(&scratch.path().join("steward-data/steward.db"))
            .unwrap();
    let lin = database.operator_by_name("lin").unwrap().unwrap();
    assert!(steward_web::passwords::verify(
        &password,
        &lin.password_hash
    ));
    let amy = database.operator_by_name("amy").unwrap().unwrap();
    assert!(steward_web::passwords::verify(
        "a long enough secret",
        &amy.password_hash
    ));
    assert!(!steward_web::passwords::verify(
        &password,
        &amy.password_hash
    ));
    let audit = database.audit_page(None, 10).unwrap();
    let created: Vec<(&str, Option<&str>)> = audit
        .iter()
        .map(|entry| (entry.action.as_str(), entry.target.as_deref()))
        .collect();
    assert_eq!(
        created,
        [
            ("operator_created", Some("amy")),
            ("operator_created", Some("lin"))
        ]
    );

    // `--data` after the subcommand, as before it (here the default, named).
    let token_output = steward()
        .current_dir(scratch.path())
        .args(["operator", "token", "lin", "--data", "./steward-data"])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&token_output.stdout).into_owned();
    let token = printed.trim_end().rsplit(' ').next().unwrap();
    assert!(
        printed.starts_with("API token for lin (shown once): "),
        "{printed}"
    );
    let owner = database
        .api_token_operator(&steward_web::session::token_hash(token))
        .unwrap();
    assert_eq!(owner.map(|operator| operator.name), Some("lin".to_owned()));

    let list = steward()
        .current_dir(scratch.path())
        .args(["operator", "list"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&list.stdout),
        "amy\tviewer\nlin\towner\n"
    );
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["operator", "add", "lin"],
            1,
            "an operator named `lin` exists already",
        ),
        (
            &["operator", "add", "x", "--role", "admin"],
            2,
            "unknown role `admin`",
        ),
        (&["operator", "add", " padded "], 2, "no spaces at its ends"),
        (
            &["operator", "passwd", "nobody"],
            1,
            "there is no operator named `nobody`",
        ),
    ];
    for (args, code, message) in cases {
        let (status, stderr) = run(&scratch, args);
        assert_eq!(status, Some(*code), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// Sends a raw HTTP/1.1 request and returns the whole response as text.
fn http_exchange(port: u16, request: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
    response
}

#[test]
fn demo_prints_a_login_that_opens_the_console_on_a_simulated_community() {
    let scratch = Scratch::new("demo");
    let port = free_port();
    let start = |port: u16| {
        let mut child = spawn(steward().current_dir(scratch.path()).args([
            "demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--days",
            "3",
        ]));
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).unwrap();
        (child, line)
    };
    let (mut child, line) = start(port);
    let expected_start = format!("login: http://127.0.0.1:{port} user=demo password=");
    assert!(line.starts_with(&expected_start), "{line:?}");
    let password = line.trim_end().rsplit('=').next().unwrap().to_owned();
    assert!(scratch.path().join("steward-demo/steward.db").exists());

    let body = format!("name=demo&password={password}");
    let signed_in = http_exchange(
        port,
        &format!(
            "POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(signed_in.starts_with("HTTP/1.1 303"), "{signed_in}");
    let cookie = signed_in
        .lines()
        .find_map(|line| line.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let overview = http_exchange(
        port,
        &format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\nAccept-Language: en\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!(overview.starts_with("HTTP/1.1 200"), "{overview}");
    assert!(overview.contains("Groups (6)"), "{overview}");
    assert!(overview.contains(">playground<"), "{overview}");
    signal(&child, "INT");
    assert_eq!(
        wait_with_timeout(&mut child, Duration::from_secs(20)).code(),
        Some(0)
    );
    let first_run = stderr_of(&mut child);
    assert!(first_run.contains("demo: simulating"), "{first_run}");
    let database =
        steward_store::Database::open_sqlite(&scratch.path().join("steward-demo/steward.db"))
            .unwrap();
    let (groups, _) = database.groups_page(0, 10).unwrap();
    assert!(
        groups.iter().all(|group| group.title.is_some()),
        "a demo group has no name"
    );
    assert!(
        groups
            .iter()
            .all(|group| overview.contains(group.title.as_deref().unwrap_or("?")))
    );
    drop(database);

    // Again on the same data: no second simulation, a new password.
    let (mut again, line) = start(free_port());
    assert!(!line.ends_with(&format!("password={password}\n")), "{line}");
    signal(&again, "INT");
    assert_eq!(
        wait_with_timeout(&mut again, Duration::from_secs(20)).code(),
        Some(0)
    );
    assert!(
        !stderr_of(&mut again).contains("demo: simulating"),
        "the demo simulated twice"
    );
}
