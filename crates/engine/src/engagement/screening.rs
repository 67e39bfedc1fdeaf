//! Join screening: none, a question, an invite code or a paid code (codes are issued in the
//! console, each good for N uses until it expires). A join request is approved or rejected with
//! the reason. A member who joined without one (a platform without requests, an invitation) is
//! asked in the group and must answer within the limit: the removal is queued when they join,
//! not before the deadline, and withdrawn when they answer right, so that it happens exactly once
//! whatever restarts in between; too many wrong answers remove them at once. Every decision is
//! in the audit log.

use chrono::Duration;
use steward_domain::{Action, ActionRequest, MemberProfile, MessageId, OutSegment};
use steward_store::StoreError;
use steward_store::engagement::{CodeUse, Screening};

use super::settings::{Compiled, fold_answer};
use crate::Context;

const PENDING: &str = "pending";
const PASSED: &str = "passed";
const FAILED: &str = "failed";

/// Why an answer was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    WrongAnswer,
    NoCode,
    UnknownCode,
    CodeNotHere,
    Expired,
    UsedUp,
}

impl Refusal {
    fn text(self, en: bool) -> &'static str {
        match (self, en) {
            (Refusal::WrongAnswer, false) => "答案不对",
            (Refusal::WrongAnswer, true) => "wrong answer",
            (Refusal::NoCode, false) => "没有提供邀请码",
            (Refusal::NoCode, true) => "no invite code given",
            (Refusal::UnknownCode, false) => "邀请码无效",
            (Refusal::UnknownCode, true) => "unknown invite code",
            (Refusal::CodeNotHere, false) => "这个邀请码不能用于本群",
            (Refusal::CodeNotHere, true) => "this code is not valid for this group",
            (Refusal::Expired, false) => "邀请码已过期",
            (Refusal::Expired, true) => "the code has expired",
            (Refusal::UsedUp, false) => "邀请码已用完",
            (Refusal::UsedUp, true) => "the code is used up",
        }
    }
}

/// Words that look like codes: 6 to 16 letters and digits (dashes inside ignored), upper case.
fn code_candidates(text: &str) -> Vec<String> {
    let folded = steward_text::normalize(text).to_uppercase();
    folded
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .map(|word| word.replace('-', ""))
        .filter(|word| (6..=16).contains(&word.len()))
        .take(5)
        .collect()
}

/// The answer part of a request's comment: QQ writes `问题：...\n答案：...`.
fn answer_part(text: &str) -> &str {
    ["答案：", "答案:", "Answer:", "answer:"]
        .iter()
        .find_map(|label| text.rfind(label).map(|at| &text[at + label.len()..]))
        .unwrap_or(text)
}

/// Checks an answer (a request's comment, or a message in the group) and uses a code it holds.
/// `Ok(how)` when accepted.
fn check(
    compiled: &Compiled,
    context: &mut Context<'_>,
    text: &str,
) -> Result<Result<String, Refusal>, StoreError> {
    let screening = &compiled.settings.screening;
    match screening.mode.as_str() {
        "question" => {
            let given = fold_answer(answer_part(text));
            let right = screening
                .answers
                .iter()
                .map(|a| fold_answer(a))
                .any(|answer| {
                    !answer.is_empty()
                        && (given == answer
                            || answer.chars().count() >= 2 && given.contains(&answer))
                });
            Ok(if right {
                Ok("question".to_owned())
            } else {
                Err(Refusal::WrongAnswer)
            })
        }
        mode @ ("invite" | "paid") => {
            let kinds: &[&str] = if mode == "paid" {
                &["paid"]
            } else {
                &["invite", "paid"]
            };
            let (group, member, event_id) = (
                context.stored.group_id,
                context.stored.member_id,
                context.stored.id,
            );
            let time = context.event.time.timestamp_millis();
            let mut refusal = Refusal::NoCode;
            for code in code_candidates(text) {
                match context
                    .store
                    .use_join_code(&code, group, kinds, member, event_id, time)?
                {
                    CodeUse::Used(kind) => return Ok(Ok(format!("{kind} code {code}"))),
                    CodeUse::Unknown => refusal = refusal.max_with(Refusal::UnknownCode),
                    CodeUse::NotHere => refusal = refusal.max_with(Refusal::CodeNotHere),
                    CodeUse::Expired => refusal = refusal.max_with(Refusal::Expired),
                    CodeUse::UsedUp => refusal = refusal.max_with(Refusal::UsedUp),
                }
            }
            Ok(Err(refusal))
        }
        _ => Ok(Ok("none".to_owned())),
    }
}

impl Refusal {
    /// The more telling of two refusals (a real code that expired says more than a stray word).
    fn max_with(self, other: Refusal) -> Refusal {
        let rank = |refusal: Refusal| match refusal {
            Refusal::NoCode | Refusal::WrongAnswer => 0,
            Refusal::UnknownCode => 1,
            Refusal::CodeNotHere => 2,
            Refusal::Expired => 3,
            Refusal::UsedUp => 4,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

fn target(context: &mut Context<'_>, name: &str, user: &str) -> Result<String, StoreError> {
    let group = context.store.group_label(context.stored.group_id)?;
    Ok(format!("{name} ({user}) · {group}"))
}

/// A join request under screening: approved or rejected with the reason.
pub(super) fn on_request(
    compiled: &Compiled,
    context: &mut Context<'_>,
    applicant: &MemberProfile,
    answer: Option<&str>,
) -> Result<(), StoreError> {
    if compiled.settings.screening.mode == "none" {
        return Ok(());
    }
    let Some(request) = context.event.id.clone() else {
        return Ok(());
    };
    let en = compiled.settings.en();
    let answer = answer.unwrap_or_default();
    let verdict = check(compiled, context, answer)?;
    let (group, member) = (context.stored.group_id, context.stored.member_id);
    let time = context.event.time.timestamp_millis();
    let target = target(context, &applicant.name, &applicant.id.0)?;
    let quoted: String = answer.chars().take(200).collect();
    match verdict {
        Ok(how) => {
            context.store.set_screening(
                group,
                member,
                &Screening {
                    status: PASSED.to_owned(),
                    attempts: 0,
                    outbox_id: None,
                    deadline: None,
                },
            )?;
            context.store.audit(
                time,
                "steward",
                "screening.approve",
                &target,
                &format!("by: {how}; answer: «{quoted}»"),
            )?;
            context.act(Action::ApproveJoin { request });
        }
        Err(refusal) => {
            context.store.audit(
                time,
                "steward",
                "screening.reject",
                &target,
                &format!("reason: {}; answer: «{quoted}»", refusal.text(true)),
            )?;
            context.act(Action::RejectJoin {
                request,
                reason: Some(refusal.text(en).to_owned()),
            });
        }
    }
    Ok(())
}

/// A member joined. Returns whether they still have to answer (their welcome waits for it).
pub(super) fn on_join(
    compiled: &Compiled,
    context: &mut Context<'_>,
    member: &MemberProfile,
) -> Result<bool, StoreError> {
    let settings = &compiled.settings;
    if settings.screening.mode == "none" {
        return Ok(false);
    }
    let (group, member_id) = (context.stored.group_id, context.stored.member_id);
    match context.store.screening(group, member_id)? {
        // Approved on request, or passed before.
        Some(screening) if screening.status == PASSED => return Ok(false),
        // Joined again while still asked: the earlier removal gives way to the new one, so
        // that a right answer withdraws every removal queued for the member.
        Some(Screening {
            outbox_id: Some(earlier),
            ..
        }) => {
            context.store.cancel_pending(
                earlier,
                "withdrawn: the member joined again and is asked again",
                context.now,
            )?;
        }
        _ => {}
    }
    let minutes = settings.screening.minutes;
    let time = context.event.time.timestamp_millis();
    let deadline = time + i64::from(minutes) * 60_000;
    let removal = ActionRequest {
        platform: context.event.platform,
        account: context.event.account.clone(),
        chat: context.event.chat.clone(),
        action: Action::Kick {
            member: member.id.clone(),
            refuse_rejoin: false,
        },
    };
    let not_before = context.now + Duration::minutes(i64::from(minutes));
    let outbox_id =
        context
            .store
            .enqueue_after(Some(context.stored.id), &removal, context.now, not_before)?;
    context.store.set_screening(
        group,
        member_id,
        &Screening {
            status: PENDING.to_owned(),
            attempts: 0,
            outbox_id: Some(outbox_id),
            deadline: Some(deadline),
        },
    )?;
    let target = target(context, &member.name, &member.id.0)?;
    context.store.audit(
        time,
        "steward",
        "screening.ask",
        &target,
        &format!(
            "mode: {}; removal queued for {minutes} minutes later",
            settings.screening.mode
        ),
    )?;
    let ask = match (settings.screening.mode.as_str(), settings.en()) {
        ("question", false) => format!(
            " 欢迎！请在 {minutes} 分钟内在群里回答：{}",
            settings.screening.question
        ),
        ("question", true) => format!(
            " welcome! Please answer within {minutes} minutes, here in the group: {}",
            settings.screening.question
        ),
        (_, false) => {
            format!(" 欢迎！请在 {minutes} 分钟内在群里发送你的邀请码，否则会被移出本群。")
        }
        (_, true) => format!(
            " welcome! Please send your invite code here within {minutes} minutes, or you \
             will be removed."
        ),
    };
    context.act(Action::Send {
        segments: vec![
            OutSegment::Mention {
                user: member.id.clone(),
            },
            OutSegment::Text { text: ask },
        ],
        reply_to: None,
    });
    Ok(true)
}

/// What a message of a member under screening came to.
pub(super) enum Outcome {
    /// Not under screening: the message goes on to the rest of the feature.
    NotScreened,
    /// The member passed: welcome them.
    Passed,
    /// Handled here (a wrong answer, a removal): nothing else happens with the message.
    Handled,
}

/// A message from a member who may still have to answer.
pub(super) fn on_message(
    compiled: &Compiled,
    context: &mut Context<'_>,
    sender: &MemberProfile,
) -> Result<Outcome, StoreError> {
    let settings = &compiled.settings;
    if settings.screening.mode == "none" {
        return Ok(Outcome::NotScreened);
    }
    let (group, member) = (context.stored.group_id, context.stored.member_id);
    let Some(mut screening) = context.store.screening(group, member)? else {
        return Ok(Outcome::NotScreened);
    };
    if screening.status != PENDING {
        return Ok(Outcome::NotScreened);
    }
    let en = settings.en();
    let time = context.event.time.timestamp_millis();
    let target = target(context, &sender.name, &sender.id.0)?;
    let quoted: String = context.text.chars().take(200).collect();
    let text = context.text.to_owned();
    let verdict = check(compiled, context, &text)?;
    let reply_to = context.event.id.clone().map(MessageId);
    let mention = OutSegment::Mention {
        user: sender.id.clone(),
    };
    match verdict {
        Ok(how) => {
            // Too late when an adapter already took the removal.
            let withdrawn = match screening.outbox_id {
                Some(id) => context.store.cancel_pending(
                    id,
                    "withdrawn: the member answered the screening",
                    context.now,
                )?,
                None => true,
            };
            if !withdrawn {
                screening.status = FAILED.to_owned();
                context.store.set_screening(group, member, &screening)?;
                return Ok(Outcome::Handled);
            }
            screening.status = PASSED.to_owned();
            screening.outbox_id = None;
            context.store.set_screening(group, member, &screening)?;
            context.store.audit(
                time,
                "steward",
                "screening.pass",
                &target,
                &format!("by: {how}; answer: «{quoted}»"),
            )?;
            Ok(Outcome::Passed)
        }
        Err(refusal) => {
            screening.attempts += 1;
            let left = i64::from(settings.screening.attempts) - screening.attempts;
            if left > 0 {
                context.store.set_screening(group, member, &screening)?;
                context.store.audit(
                    time,
                    "steward",
                    "screening.wrong",
                    &target,
                    &format!("reason: {}; answer: «{quoted}»", refusal.text(true)),
                )?;
                let text = if en {
                    format!(" {}: {left} tries left.", refusal.text(true))
                } else {
                    format!(" {}，还可以再试 {left} 次。", refusal.text(false))
                };
                context.act(Action::Send {
                    segments: vec![mention, OutSegment::Text { text }],
                    reply_to,
                });
                return Ok(Outcome::Handled);
            }
            // Out of tries: removed now, and the queued removal withdrawn (it would repeat it).
            if let Some(id) = screening.outbox_id {
                context.store.cancel_pending(
                    id,
                    "withdrawn: removed after too many wrong answers",
                    context.now,
                )?;
            }
            screening.status = FAILED.to_owned();
            screening.outbox_id = None;
            context.store.set_screening(group, member, &screening)?;
            context.store.audit(
                time,
                "steward",
                "screening.remove",
                &target,
                &format!(
                    "reason: {}; {} wrong answers; answer: «{quoted}»",
                    refusal.text(true),
                    screening.attempts
                ),
            )?;
            context.act(Action::Kick {
                member: sender.id.clone(),
                refuse_rejoin: false,
            });
            Ok(Outcome::Handled)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_found_in_what_members_write() {
        assert_eq!(
            code_candidates("我的邀请码是 k7qz-m2px，谢谢"),
            ["K7QZM2PX"]
        );
        assert_eq!(code_candidates("ＫＱ７ＺＭ２ＰＸ"), ["KQ7ZM2PX"]);
        assert!(code_candidates("你好，我想进群").is_empty());
    }

    #[test]
    fn the_answer_part_of_a_qq_request() {
        assert_eq!(answer_part("问题：暗号？\n答案：芝麻开门"), "芝麻开门");
        assert_eq!(answer_part("芝麻开门"), "芝麻开门");
    }
}
