//! `eval-detector`, `train-detector` and `backtest` on the command line, with fixtures written
//! here (the public sets live outside the repository).

use crate::{Scratch, steward};

/// Ads and chat in the forms public sets use; the ads carry contact details and links the
/// shipped chain catches whatever the model says.
const LABELLED: &str = "加我ｖｘ：ａｂｃ１２３４５６ 优惠多多==1\r\n\
今天天气不错==0\r\n\
进群领福利 https://qm.qq.com/q/abcdef==1\r\n\
大家晚上好==0\r\n\
有人一起打游戏吗==0\r\n";

const TABBED: &str = "spam\tWIN a prize, call 13812345678 now\n\
ham\tsee you at the station at six\n\
1\t加v信 wxid_cheap001 代理招商\n\
0\tthanks, that helped\n";

fn output(scratch: &Scratch, args: &[&str]) -> (bool, String, String) {
    let output = steward()
        .current_dir(scratch.path())
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn figure(stdout: &str, name: &str) -> f64 {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no `{name}:` line in {stdout}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn eval_detector_scores_every_file_form() {
    let scratch = Scratch::new("eval");
    std::fs::write(scratch.path().join("labelled.txt"), LABELLED).unwrap();
    std::fs::write(scratch.path().join("tabbed.txt"), TABBED).unwrap();
    std::fs::write(
        scratch.path().join("spam.txt"),
        "加ｖｘ：ａｂｃ１２３４５６\n",
    )
    .unwrap();
    std::fs::write(scratch.path().join("ham.txt"), "下午开会\n晚饭吃什么\n").unwrap();

    let (ok, stdout, stderr) = output(&scratch, &["eval-detector", "labelled.txt"]);
    assert!(ok, "{stderr}");
    assert_eq!(figure(&stdout, "precision"), 1.0, "{stdout}");
    assert_eq!(figure(&stdout, "recall"), 1.0);
    assert_eq!(figure(&stdout, "f1"), 1.0);
    assert_eq!(figure(&stdout, "false-positive rate"), 0.0);

    let (ok, stdout, _) = output(&scratch, &["eval-detector", "tabbed.txt", "--json"]);
    assert!(ok);
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        (json["messages"].clone(), json["spam"].clone()),
        (4.into(), 2.into())
    );
    assert_eq!(json["true_positives"], 2, "{json}");
    assert_eq!(json["false_positives"], 0, "{json}");

    let (ok, stdout, _) = output(
        &scratch,
        &["eval-detector", "--spam", "spam.txt", "--ham", "ham.txt"],
    );
    assert!(ok);
    assert_eq!(figure(&stdout, "recall"), 1.0);

    // The keyword baseline misses what has no listed word.
    let (ok, stdout, _) = output(
        &scratch,
        &["eval-detector", "labelled.txt", "--detector", "keywords"],
    );
    assert!(ok);
    assert!(figure(&stdout, "recall") < 1.0, "{stdout}");

    // What went wrong, listed: the chat line with a link in disguise is a false positive here
    // (the file says chat), the ad without a contact or a listed word is missed; a hostile
    // line's escape sequence is shown, not sent to the terminal.
    std::fs::write(
        scratch.path().join("mixed.txt"),
        "官网 www点abc123点com==0\n午饭吃了吗==0\n今晚8点开黑==1\n\u{1b}[2J快来==1\n",
    )
    .unwrap();
    let (ok, stdout, stderr) = output(
        &scratch,
        &[
            "eval-detector",
            "mixed.txt",
            "--detector",
            "keywords",
            "--mistakes",
            "1",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(!stdout.contains("false positive:"), "{stdout}");
    assert_eq!(stdout.matches("missed: ").count(), 1, "{stdout}");
    assert!(stdout.contains("missed: 今晚8点开黑"), "{stdout}");
    // Nothing flagged: no precision to speak of (not 0), and an F1 of 0 with ads missed.
    assert!(
        stdout.contains("precision: n/a (nothing was flagged)\nrecall: 0.000\nf1: 0.000\n"),
        "{stdout}"
    );
    let (ok, stdout, _) = output(
        &scratch,
        &[
            "eval-detector",
            "mixed.txt",
            "--detector",
            "keywords",
            "--json",
        ],
    );
    assert!(ok);
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(json["precision"].is_null(), "{json}");
    assert_eq!(json["f1"], 0.0, "{json}");
    // Cross-validating four messages in five folds: said to be saying little.
    let (ok, _, stderr) = output(&scratch, &["eval-detector", "mixed.txt", "--folds", "5"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("warning: 2 ads and 2 ordinary messages (duplicates removed) for 5 folds"),
        "{stderr}"
    );
    let (ok, _, stderr) = output(&scratch, &["eval-detector", "mixed.txt", "--folds", "2"]);
    assert!(ok && !stderr.contains("warning"), "{stderr}");
    let (ok, stdout, _) = output(&scratch, &["eval-detector", "mixed.txt", "--mistakes", "5"]);
    assert!(ok);
    assert!(
        stdout.contains("false positive: [a disguised link: www.abc123.com] 官网 www点abc123点com"),
        "{stdout}"
    );
    assert!(stdout.contains(r"missed: \u{1b}[2J快来"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "{stdout}");
    let (ok, stdout, _) = output(
        &scratch,
        &["eval-detector", "mixed.txt", "--mistakes", "5", "--json"],
    );
    assert!(ok);
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        json["false_positive_examples"].as_array().map(Vec::len),
        Some(1),
        "{json}"
    );
}

#[test]
fn eval_detector_scores_a_simulated_community() {
    let scratch = Scratch::new("eval-sim");
    let (ok, stdout, stderr) = output(&scratch, &["eval-detector", "--simulated", "3000"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("messages: 3000"), "{stdout}");
    assert!(figure(&stdout, "false-positive rate") < 0.01, "{stdout}");
}

#[test]
fn eval_detector_refuses_a_broken_file_and_names_the_line() {
    let scratch = Scratch::new("eval-bad");
    std::fs::write(
        scratch.path().join("bad.txt"),
        "ok==1\nno label on this line\n",
    )
    .unwrap();
    let (ok, _, stderr) = output(&scratch, &["eval-detector", "bad.txt"]);
    assert!(!ok);
    assert!(stderr.contains("line 2"), "{stderr}");
    let (ok, _, stderr) = output(&scratch, &["eval-detector", "missing.txt"]);
    assert!(!ok);
    assert!(stderr.contains("missing.txt"), "{stderr}");
    // A file that is not text: the line where it stops being so.
    std::fs::write(
        scratch.path().join("binary.txt"),
        b"ok==1\nfine==0\n\xff\xfe\x00==1\n",
    )
    .unwrap();
    let (ok, _, stderr) = output(&scratch, &["eval-detector", "binary.txt"]);
    assert!(!ok);
    assert!(
        stderr.contains("binary.txt: line 3 is not UTF-8 text"),
        "{stderr}"
    );
}

#[test]
fn a_model_trained_on_the_command_line_is_cross_validated_and_used() {
    let scratch = Scratch::new("train");
    // A small set with a pattern the shipped model has never seen.
    let mut set = String::new();
    for i in 0..40 {
        set.push_str(&format!("量子护符第{i}批特价==1\n"));
        set.push_str(&format!("今天第{i}次练习的感想==0\n"));
    }
    std::fs::write(scratch.path().join("set.txt"), &set).unwrap();
    let (ok, stdout, stderr) = output(&scratch, &["eval-detector", "set.txt", "--folds", "4"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("4-fold, 0 duplicates removed"), "{stdout}");
    assert!(figure(&stdout, "f1") > 0.9, "{stdout}");

    let (ok, stdout, stderr) = output(
        &scratch,
        &["train-detector", "--out", "model.bin", "set.txt"],
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("trained on 80 messages (40 spam"),
        "{stdout}"
    );
    let (ok, stdout, _) = output(
        &scratch,
        &[
            "eval-detector",
            "set.txt",
            "--detector",
            "classifier",
            "--model",
            "model.bin",
        ],
    );
    assert!(ok);
    assert!(figure(&stdout, "f1") > 0.9, "{stdout}");
    let (ok, _, stderr) = output(&scratch, &["eval-detector", "set.txt", "--folds", "1"]);
    assert!(!ok && stderr.contains("--folds"), "{stderr}");
    // Repeated over shuffles, with simulated talk added to every fold's training (never scored:
    // the message count stays the set's own).
    let (ok, stdout, stderr) = output(
        &scratch,
        &[
            "eval-detector",
            "set.txt",
            "--folds",
            "4",
            "--shuffles",
            "2",
            "--train-simulated",
            "300",
            "--json",
        ],
    );
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["messages"], 80);
    let scored = [
        "true_positives",
        "false_positives",
        "false_negatives",
        "true_negatives",
    ]
    .iter()
    .map(|key| report[key].as_u64().unwrap())
    .sum::<u64>();
    assert_eq!(
        scored, 160,
        "each message scored once per shuffle: {stdout}"
    );
    let (ok, _, stderr) = output(
        &scratch,
        &[
            "eval-detector",
            "set.txt",
            "--folds",
            "4",
            "--detector",
            "keywords",
        ],
    );
    assert!(!ok && stderr.contains("--folds trains a model"), "{stderr}");

    // What the held-out folds got wrong: a chat line written like the ads, an ad written like
    // the chat, each in both shuffles.
    set.push_str("量子护符第99批特价==0\n今天第99次练习的感想==1\n");
    std::fs::write(scratch.path().join("set2.txt"), set).unwrap();
    let (ok, stdout, stderr) = output(
        &scratch,
        &[
            "eval-detector",
            "set2.txt",
            "--folds",
            "4",
            "--shuffles",
            "2",
            "--mistakes",
            "10",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("] 量子护符第99批特价 (2 of 2 shuffles)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("missed: 今天第99次练习的感想 (2 of 2 shuffles)\n"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("false positive: [").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("missed: ").count(), 1, "{stdout}");
}

#[test]
fn backtest_reports_the_rules_in_force_and_a_candidate() {
    let scratch = Scratch::new("backtest");
    let events = [
        ("1", "u1", "大家好"),
        ("2", "u2", "加我ｖｘ：ａｂｃ１２３４５６ 优惠多多"),
        ("3", "u3", "今天天气不错\u{1b}[2J"),
    ]
    .iter()
    .enumerate()
    .map(|(n, (id, user, text))| {
        serde_json::json!({
            "platform": "telegram", "account": "bot", "chat": "-100", "id": id,
            "time": format!("2026-05-01T12:00:0{n}Z"),
            "kind": {"type": "message", "sender": {"id": user, "name": user},
                     "segments": [{"type": "text", "text": text}]}
        })
        .to_string()
    })
    .collect::<Vec<_>>()
    .join("\n");
    std::fs::write(scratch.path().join("events.jsonl"), events).unwrap();
    let (ok, _, stderr) = output(&scratch, &["ingest", "events.jsonl"]);
    assert!(ok, "{stderr}");
    std::fs::write(
        scratch.path().join("rules.json"),
        r#"{"keywords": ["天气"]}"#,
    )
    .unwrap();
    let (ok, stdout, stderr) = output(
        &scratch,
        &[
            "backtest",
            "--from",
            "2026-05-01",
            "--to",
            "2026-05-02",
            "--rules",
            "rules.json",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(stderr.contains("100%"), "progress is shown: {stderr}");
    assert!(
        stdout.contains("rules in force: 3 messages, 1 offences"),
        "{stdout}"
    );
    assert!(
        stdout.contains("candidate rules: 3 messages, 2 offences"),
        "{stdout}"
    );
    assert!(stdout.contains("only the candidate catches 1"), "{stdout}");
    // What it catches, named and said in words; a member's control characters written out.
    assert!(
        stdout.contains("only the candidate: [keyword, warned] u3 (#"),
        "{stdout}"
    );
    assert!(stdout.contains(r"今天天气不错\u{1b}[2J"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "{stdout}");
    assert!(
        stdout.contains("by detector: contact details 1"),
        "{stdout}"
    );
    // The live run agrees with the backtest of the rules in force.
    let database =
        steward_store::Database::open_sqlite(&scratch.path().join("steward-data/steward.db"))
            .unwrap();
    assert_eq!(database.offences(None, None, 10).unwrap().len(), 1);

    std::fs::write(scratch.path().join("bad.json"), r#"{"ladder": ["maybe"]}"#).unwrap();
    let (ok, _, stderr) = output(
        &scratch,
        &["backtest", "--from", "2026-05-01", "--rules", "bad.json"],
    );
    assert!(!ok);
    assert!(stderr.contains("maybe"), "{stderr}");
    // A period the log goes on after (here: before any event) still ends at 100%.
    let (ok, _, stderr) = output(
        &scratch,
        &["backtest", "--from", "2026-04-01", "--to", "2026-04-02"],
    );
    assert!(ok, "{stderr}");
    assert!(stderr.contains("100% (0 events read)"), "{stderr}");
    std::fs::write(scratch.path().join("array.json"), "[false]").unwrap();
    let (ok, _, stderr) = output(
        &scratch,
        &["backtest", "--from", "2026-05-01", "--rules", "array.json"],
    );
    assert!(!ok);
    assert!(stderr.contains("JSON object"), "{stderr}");
    // The one group is id 1: a mistyped id is named, not reported as nothing caught.
    let (ok, stdout, stderr) = output(
        &scratch,
        &["backtest", "--from", "2026-05-01", "--groups", "1"],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("rules in force: 3 messages"), "{stdout}");
    let (ok, _, stderr) = output(
        &scratch,
        &["backtest", "--from", "2026-05-01", "--groups", "1,999"],
    );
    assert!(!ok);
    assert!(stderr.contains("no group 999"), "{stderr}");

    // A mistyped data directory is an error, and no database is made there.
    let (ok, _, stderr) = output(
        &scratch,
        &["backtest", "--from", "2026-05-01", "--data", "no-such-data"],
    );
    assert!(!ok);
    assert!(stderr.contains("no database at"), "{stderr}");
    assert!(!scratch.path().join("no-such-data").exists());
    let (ok, _, stderr) = output(&scratch, &["verify", "--data", "no-such-data"]);
    assert!(!ok);
    assert!(stderr.contains("no database at"), "{stderr}");
}
