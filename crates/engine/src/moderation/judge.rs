//! What moderation decides about one event, written once for the live feature and the backtest:
//! the detectors in order, then the ladder step for the member's offence count. The state it
//! needs (offence history, the blacklist, join times, the time windows) is behind [`History`],
//! which the live feature answers from the store and the backtest from memory.

use std::sync::{Arc, Mutex};

use steward_domain::{Event, EventKind, MemberRole};
use steward_text::{Analysis, Detector, Verdict};

use super::rules::{Compiled, Step};
use super::windows::Windows;

/// The state a judgement reads and updates.
pub trait History {
    type Error;
    /// Whether the member is blacklisted, and when they joined this group (if Steward saw it):
    /// one question, since the live store answers both in one statement.
    fn standing(&mut self, group_id: i64, member_id: i64) -> Result<Standing, Self::Error>;
    /// Offences of the member with message times in `(from, to]`.
    fn offences_between(
        &mut self,
        member_id: i64,
        from: i64,
        to: i64,
    ) -> Result<usize, Self::Error>;
    /// Whether the group's platform message `message` already brought the member an offence.
    fn message_caught(
        &mut self,
        group_id: i64,
        member_id: i64,
        message: &str,
    ) -> Result<bool, Self::Error>;
}

/// The platform message what a member wrote belongs to: a message's own id, or the message an
/// edit changed. One message brings its member one offence at most, however often it is edited
/// (edits that arrive together, after a restart, would otherwise climb the whole ladder at
/// once); a Matrix "edit" of somebody else's message counts for its sender only, so it cannot
/// shield the message from its author's own edits.
pub fn message_of(event: &Event) -> Option<&str> {
    match &event.kind {
        EventKind::Message { .. } => event.id.as_deref(),
        EventKind::MessageEdited { message, .. } => Some(message.as_str()),
        _ => None,
    }
}

/// What the history knows of a member before judging them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    pub blacklisted: bool,
    pub joined_at: Option<i64>,
}

/// A judgement.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// A blacklisted member joins, asks to join, or speaks: refused, not counted again.
    Refuse,
    /// An offence: the detector's verdict and the step it brings (the member's `count`th
    /// offence in the window).
    Offence {
        verdict: Verdict,
        step: Step,
        count: usize,
    },
}

/// Who the event is about, as the store knows them.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub group_id: i64,
    pub member_id: i64,
}

/// Puts a message into the flood and repeat windows: every message judged, flagged or not, so
/// that live and backtest agree. The windows are shared by the pipeline's writers: the lock is
/// held for these two updates only. An edit is not a new message: it counts in neither window
/// (its new content still meets every other detector).
fn observe(
    compiled: &Compiled,
    windows: &Mutex<Windows>,
    event: &Event,
    normalized: &str,
    subject: Subject,
) -> (bool, bool) {
    if !matches!(event.kind, EventKind::Message { .. }) {
        return (false, false);
    }
    let rules = &compiled.rules;
    let time = event.time.timestamp_millis();
    let mut windows = match windows.lock() {
        Ok(windows) => windows,
        Err(poisoned) => poisoned.into_inner(),
    };
    let message = event.id.as_deref().unwrap_or_default();
    let flood = rules.flood.enabled
        && windows.flood(
            (subject.group_id, subject.member_id),
            message,
            time,
            rules.flood.messages,
            rules.flood.seconds,
        );
    let repeat = rules.repeat.enabled
        && normalized.chars().filter(|c| !c.is_whitespace()).count()
            >= rules.repeat.min_chars as usize
        && windows.repeat(
            normalized,
            subject.group_id,
            time,
            rules.repeat.groups,
            rules.repeat.minutes,
        );
    (flood, repeat)
}

/// The sender of a message moderation judges: not a bot, not exempt, not refused already.
fn judged_sender<'e, H: History>(
    compiled: &Compiled,
    history: &mut H,
    event: &'e Event,
    subject: Subject,
) -> Result<Option<(&'e steward_domain::MemberProfile, Standing)>, H::Error> {
    let Some((sender, _)) = event.kind.written() else {
        return Ok(None);
    };
    let rules = &compiled.rules;
    if sender.is_bot
        || (rules.exempt_admins && sender.role != MemberRole::Member)
        || compiled.whitelist.contains(sender.id.as_str())
    {
        return Ok(None);
    }
    let standing = history.standing(subject.group_id, subject.member_id)?;
    Ok(Some((sender, standing)))
}

/// Replays a stored message into the windows only, as [`judge`] would have (after a start): no
/// detector runs, nothing is decided.
pub fn rewarm<H: History>(
    compiled: &Compiled,
    windows: &Mutex<Windows>,
    history: &mut H,
    event: &Event,
    text: &str,
    subject: Subject,
) -> Result<(), H::Error> {
    if !compiled.rules.enabled {
        return Ok(());
    }
    let Some((_, standing)) = judged_sender(compiled, history, event, subject)? else {
        return Ok(());
    };
    if standing.blacklisted {
        return Ok(());
    }
    observe(
        compiled,
        windows,
        event,
        &steward_text::normalize(text),
        subject,
    );
    Ok(())
}

/// Judges one new event under the group's rules.
pub fn judge<H: History>(
    compiled: &Compiled,
    windows: &Mutex<Windows>,
    history: &mut H,
    event: &Event,
    text: &str,
    analysis: Option<&Analysis>,
    subject: Subject,
) -> Result<Option<Decision>, H::Error> {
    let rules = &compiled.rules;
    if !rules.enabled {
        return Ok(None);
    }
    let time = event.time.timestamp_millis();
    match &event.kind {
        EventKind::MemberJoined { member, .. }
        | EventKind::MemberSeen { member }
        | EventKind::JoinRequest {
            applicant: member, ..
        } => {
            // The group's admins and owner (a member list shows them) and its whitelist are
            // left alone, as when they write.
            if member.is_bot
                || (compiled.rules.exempt_admins && member.role != MemberRole::Member)
                || compiled.whitelist.contains(member.id.as_str())
            {
                return Ok(None);
            }
            let standing = history.standing(subject.group_id, subject.member_id)?;
            // The fleet's blacklist holds in every group where moderation is on, whatever its
            // own ladder: a ladder without the step only never blacklists for what is said there.
            return Ok(standing.blacklisted.then_some(Decision::Refuse));
        }
        _ => {}
    };
    let Some((_, standing)) = judged_sender(compiled, history, event, subject)? else {
        return Ok(None);
    };
    if standing.blacklisted {
        return Ok(Some(Decision::Refuse));
    }
    if let EventKind::MessageEdited { message, .. } = &event.kind
        && history.message_caught(subject.group_id, subject.member_id, message.as_str())?
    {
        return Ok(None);
    }
    let analysed;
    let analysis = match analysis {
        Some(analysis) => analysis,
        None => {
            analysed = Analysis::new(
                text,
                compiled
                    .chain
                    .classifier
                    .as_ref()
                    .map(|(m, _)| Arc::clone(m)),
            );
            &analysed
        }
    };
    let normalized = &analysis.normalized;
    let found = compiled.chain.check_analysed(analysis, false);
    let strict = rules.new_member.enabled
        && standing.joined_at.is_some_and(|joined| {
            time >= joined && time - joined < i64::from(rules.new_member.minutes) * 60_000
        });
    // New members meet a stricter chain (computed only for them).
    let found = if strict {
        compiled.chain.check_analysed(analysis, true)
    } else {
        found
    };
    let (flood, repeat) = observe(compiled, windows, event, normalized, subject);
    let verdict = found.or_else(|| {
        if repeat {
            Some(Verdict::new(
                Detector::Repeat,
                format!("同一内容在 {} 个以上群内刷屏", rules.repeat.groups),
                format!(
                    "the same text posted in {} or more groups within {} minutes",
                    rules.repeat.groups, rules.repeat.minutes
                ),
            ))
        } else if flood {
            Some(Verdict::new(
                Detector::Flood,
                format!(
                    "{} 秒内发了 {} 条消息",
                    rules.flood.seconds, rules.flood.messages
                ),
                format!(
                    "{} messages in {} seconds",
                    rules.flood.messages, rules.flood.seconds
                ),
            ))
        } else {
            None
        }
    });
    let Some(verdict) = verdict else {
        return Ok(None);
    };
    let window = i64::from(rules.window_days) * 86_400_000;
    let count = history.offences_between(subject.member_id, time - window, time)? + 1;
    Ok(Some(Decision::Offence {
        verdict,
        step: compiled.step(count),
        count,
    }))
}
