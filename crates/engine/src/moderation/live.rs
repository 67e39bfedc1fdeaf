//! The moderation feature: first in the pipeline, it judges each message, join and join request
//! under the group's rules and turns a decision into actions — delete, warn, mute, kick, the
//! fleet blacklist — with the offence and an audit line written in the event's transaction.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use steward_domain::{
    AccountId, Action, ActionRequest, ChatId, EventKind, MessageId, OutSegment, Platform, UserId,
};
use steward_store::{Offence, Reason, StoreError, Writer};
use steward_text::{Analysis, Classifier, Verdict};

use super::judge::{Decision, History, Standing, Subject, judge, message_of, rewarm};
use super::rules::{Compiled, Rules, Step, spoken};
use super::windows::Windows;
use crate::scoped::{Cached, ScopedCache, poisoned};
use crate::{Context, Feature, FeatureError, Prepared};

/// What the console shares with the running feature: a generation number bumped whenever rules
/// change, and the ad model in force (replaced when operators' corrections fine-tune it).
#[derive(Debug)]
pub struct ModerationShared {
    generation: AtomicU64,
    model: RwLock<Arc<Classifier>>,
}

impl Default for ModerationShared {
    fn default() -> ModerationShared {
        ModerationShared {
            generation: AtomicU64::new(0),
            model: RwLock::new(Arc::new(Classifier::shipped())),
        }
    }
}

impl ModerationShared {
    /// Tells the feature that stored rules changed.
    pub fn rules_changed(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    pub fn model(&self) -> Arc<Classifier> {
        match self.model.read() {
            Ok(model) => Arc::clone(&model),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Puts a (fine-tuned) model in force.
    pub fn set_model(&self, model: Classifier) {
        match self.model.write() {
            Ok(mut slot) => *slot = Arc::new(model),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(model),
        }
        self.rules_changed();
    }

    /// A group's rules compiled from their stored document (`None`: the defaults).
    pub fn compile(&self, document: Option<&str>) -> Compiled {
        Self::rules(document).compile(self.model())
    }

    /// A stored rule document read without compiling its detectors (night mode needs only
    /// its clock); the defaults when there is none or it is invalid.
    pub fn rules(document: Option<&str>) -> Rules {
        crate::document::in_force("moderation rules", document, Rules::from_stored)
    }
}

pub struct Moderation {
    shared: Arc<ModerationShared>,
    /// One compiled set per distinct document, so that a thousand groups on the default rules
    /// share one keyword automaton.
    rules: ScopedCache<Compiled>,
    windows: Mutex<Windows>,
    /// The fleet blacklist, read from the store when rules change (a lift bumps the generation)
    /// and at most [`TTL`](crate::scoped::TTL) old; the feature adds its own blacklistings at once.
    blacklist: Mutex<Option<Cached<HashSet<i64>>>>,
    /// Whether the windows were refilled from the log since this process started.
    warmed: Mutex<bool>,
}

impl Moderation {
    pub fn new(shared: Arc<ModerationShared>) -> Moderation {
        Moderation {
            shared,
            rules: ScopedCache::default(),
            windows: Mutex::new(Windows::default()),
            blacklist: Mutex::new(None),
            warmed: Mutex::new(false),
        }
    }

    /// Refills the flood and repeat windows from the messages recorded in the last window before
    /// `event` (the longest window any rules ask for), once per process, so that a restart does
    /// not forget them. The writer threads wait for it (they would judge on empty windows
    /// otherwise); a failed refill is tried again with the next event. The log is read backwards
    /// by id, at most [`WARM_UP_MAX`] rows, until a whole page is older than the window.
    fn warm_up(&self, store: &mut Writer, event_id: i64, time: i64) -> Result<(), StoreError> {
        let mut warmed = self.warmed.lock().map_err(poisoned)?;
        if *warmed {
            return Ok(());
        }
        let window = store
            .rule_documents()?
            .iter()
            .filter_map(|json| Rules::from_stored(json).ok().map(|(rules, _)| rules))
            .chain([Rules::default()])
            .map(|rules| {
                i64::from(rules.repeat.minutes * 60).max(i64::from(rules.flood.seconds)) * 1000
            })
            .max()
            .unwrap_or(0);
        let from = time - window;
        let mut events = Vec::new();
        let (mut before, mut read) = (event_id, 0);
        while read < WARM_UP_MAX {
            let page = store.events_before(before, 2_000)?;
            let Some(last) = page.last() else { break };
            before = last.id;
            read += page.len();
            let all_older = page.iter().all(|stored| stored.time < from);
            events.extend(
                page.into_iter()
                    .filter(|stored| stored.time >= from && stored.time <= time),
            );
            if all_older {
                break;
            }
        }
        events.reverse();
        let blacklist = self.blacklist(store)?;
        for stored in events {
            let (Some(member_id), Ok(event)) = (
                stored.member_id,
                serde_json::from_str::<steward_domain::Event>(&stored.payload),
            ) else {
                continue;
            };
            let compiled = self.rules_for(store, stored.group_id)?;
            let Ok(()) = rewarm(
                &compiled,
                &self.windows,
                &mut WarmHistory(&blacklist),
                &event,
                &event.plain_text(),
                Subject {
                    group_id: stored.group_id,
                    member_id,
                },
            );
        }
        *warmed = true;
        Ok(())
    }

    fn blacklist(&self, store: &mut Writer) -> Result<Arc<HashSet<i64>>, StoreError> {
        let generation = self.shared.generation.load(Ordering::Relaxed);
        let mut cached = self.blacklist.lock().map_err(poisoned)?;
        if let Some(cached) = cached.as_ref()
            && cached.fresh(generation)
        {
            return Ok(Arc::clone(&cached.value));
        }
        let members = Arc::new(store.blacklisted_members()?);
        *cached = Some(Cached {
            generation,
            loaded: Instant::now(),
            value: Arc::clone(&members),
        });
        Ok(members)
    }

    /// A member this feature just blacklisted: refused from now on, before the next reload.
    fn remember_blacklisted(&self, member_id: i64) {
        if let Ok(mut cached) = self.blacklist.lock()
            && let Some(cached) = cached.as_mut()
        {
            let mut members = (*cached.value).clone();
            members.insert(member_id);
            cached.value = Arc::new(members);
        }
    }

    fn rules_for(&self, store: &mut Writer, group_id: i64) -> Result<Arc<Compiled>, StoreError> {
        let generation = self.shared.generation.load(Ordering::Relaxed);
        self.rules.get(
            generation,
            group_id,
            || store.moderation_rules(group_id),
            |document| self.shared.compile(document),
        )
    }
}

/// Rows of the log read to refill the windows after a start, at most.
const WARM_UP_MAX: usize = 200_000;

/// The history a warm-up judges with: only the blacklist matters (a blacklisted member's
/// messages never reach the windows); the decisions are discarded.
struct WarmHistory<'a>(&'a HashSet<i64>);

impl History for WarmHistory<'_> {
    type Error = std::convert::Infallible;

    fn standing(&mut self, _: i64, member_id: i64) -> Result<Standing, Self::Error> {
        Ok(Standing {
            blacklisted: self.0.contains(&member_id),
            joined_at: None,
        })
    }

    fn offences_between(&mut self, _: i64, _: i64, _: i64) -> Result<usize, Self::Error> {
        Ok(0)
    }

    fn message_caught(&mut self, _: i64, _: i64, _: &str) -> Result<bool, Self::Error> {
        Ok(false)
    }
}

/// The live history: the store, inside the event's transaction, with the event's join time
/// (read while the writer updated the membership) and the blacklist held in memory.
struct StoreHistory<'a> {
    store: &'a mut Writer,
    joined_at: Option<i64>,
    blacklist: &'a HashSet<i64>,
}

impl History for StoreHistory<'_> {
    type Error = StoreError;

    fn standing(&mut self, _group_id: i64, member_id: i64) -> Result<Standing, StoreError> {
        Ok(Standing {
            blacklisted: self.blacklist.contains(&member_id),
            joined_at: self.joined_at,
        })
    }

    fn offences_between(
        &mut self,
        member_id: i64,
        from: i64,
        to: i64,
    ) -> Result<usize, StoreError> {
        Ok(self.store.offences_between(member_id, from, to)? as usize)
    }

    fn message_caught(
        &mut self,
        group_id: i64,
        member_id: i64,
        message: &str,
    ) -> Result<bool, StoreError> {
        self.store.message_caught(group_id, member_id, message)
    }
}

impl Feature for Moderation {
    fn name(&self) -> &'static str {
        "moderation"
    }

    /// Moderation writes only when it acts (rarely): it takes its own savepoint then, instead of
    /// the pipeline's savepoint around every event, which costs a third of the throughput.
    fn writes_state(&self) -> bool {
        false
    }

    /// Normalisation, contact details and the classifier's score need no rules: they are worked
    /// out on the submitter's thread, and the writer thread only applies the group's rules.
    fn prepare(&self, event: &steward_domain::Event, text: &str) -> Option<Prepared> {
        if event.kind.written().is_none() || text.is_empty() {
            return None;
        }
        Some(Box::new(Analysis::new(text, Some(self.shared.model()))))
    }

    fn handle(&self, context: &mut Context<'_>) -> Result<(), FeatureError> {
        if !matches!(
            context.event.kind,
            EventKind::Message { .. }
                | EventKind::MessageEdited { .. }
                | EventKind::MemberJoined { .. }
                | EventKind::MemberSeen { .. }
                | EventKind::JoinRequest { .. }
        ) {
            return Ok(());
        }
        let subject = Subject {
            group_id: context.stored.group_id,
            member_id: context.stored.member_id,
        };
        self.warm_up(
            context.store,
            context.stored.id,
            context.event.time.timestamp_millis(),
        )?;
        let compiled = self.rules_for(context.store, subject.group_id)?;
        if let (EventKind::Message { .. }, Some(reply)) = (
            &context.event.kind,
            rules_command(&compiled.rules, context.text),
        ) {
            let reply_to = context.event.id.clone().map(MessageId);
            context.act(Action::Send {
                segments: vec![OutSegment::Text { text: reply }],
                reply_to,
            });
            return Ok(());
        }
        let blacklist = self.blacklist(context.store)?;
        let decision = judge(
            &compiled,
            &self.windows,
            &mut StoreHistory {
                store: context.store,
                joined_at: context.stored.joined_at,
                blacklist: &blacklist,
            },
            context.event,
            context.text,
            context
                .prepared
                .and_then(|prepared| prepared.downcast_ref::<Analysis>()),
            subject,
        )?;
        let Some(decision) = decision else {
            return Ok(());
        };
        context.store.savepoint("steward_moderation")?;
        match carry_out(self, context, &compiled, subject, decision) {
            Ok(()) => {
                context.store.release("steward_moderation")?;
                Ok(())
            }
            Err(err) => {
                // Undo the offence and audit lines; the pipeline drops this feature's actions.
                context.store.rollback_to("steward_moderation")?;
                Err(err.into())
            }
        }
    }
}

/// `/rules` or `群规` (the whole message, optionally `/rules@BotName`): the group's written rules.
fn rules_command(rules: &Rules, text: &str) -> Option<String> {
    let text = text.trim();
    let asked = text == "群规"
        || text == "/rules"
        || text
            .strip_prefix("/rules@")
            .is_some_and(|bot| !bot.is_empty() && !bot.contains(' '));
    (asked && !rules.rules_text.trim().is_empty()).then(|| rules.rules_text.trim().to_owned())
}

/// What the member is told the next offence brings.
fn next_step(step: Step, en: bool) -> String {
    match (step, en) {
        (Step::Warn, false) => "再次违规将再次警告".to_owned(),
        (Step::Warn, true) => "next time you will be warned again".to_owned(),
        (Step::Mute { seconds }, false) => format!("再次违规将被禁言 {}", spoken(seconds, en)),
        (Step::Mute { seconds }, true) => {
            format!("next time you will be muted for {}", spoken(seconds, en))
        }
        (Step::Kick | Step::Blacklist, false) => "再次违规将被移出本群".to_owned(),
        (Step::Kick | Step::Blacklist, true) => {
            "next time you will be removed from the group".to_owned()
        }
    }
}

/// The audit log's note on a message the platform no longer lets the bot delete.
const NOT_DELETED: &str = "; not deleted: older than the platform lets a bot delete";

/// What became of the offending message, as the member is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Removal {
    Removed,
    /// The rules delete, but the platform no longer lets the bot (an ad edited into an old
    /// Telegram message).
    TooOld,
    /// The rules do not delete.
    Kept,
}

/// The bot's notice to the member, in the group's language. It names the kind of finding, never
/// what the member wrote (the contact details it just deleted stay deleted), and says the
/// message was removed only when it is.
fn notice(rules: &Rules, step: Step, next: Step, verdict: &Verdict, removal: Removal) -> String {
    let en = rules.language == "en";
    let (zh_reason, en_reason) = (&verdict.public_zh, &verdict.public_en);
    let then = next_step(next, en);
    let opening = match (removal, en) {
        (Removal::Removed, false) => format!("消息已删除：{zh_reason}。"),
        (Removal::Removed, true) => format!("your message was removed: {en_reason}."),
        (Removal::TooOld, false) => {
            format!("消息违规：{zh_reason}。消息发出太久，机器人无法删除，请自行删除。")
        }
        (Removal::TooOld, true) => format!(
            "your message breaks the rules: {en_reason}. It is too old for the bot to remove, so please delete it yourself."
        ),
        (Removal::Kept, false) => format!("消息违规：{zh_reason}。"),
        (Removal::Kept, true) => format!("your message breaks the rules: {en_reason}."),
    };
    match (step, en) {
        (Step::Warn, false) => format!(" {opening}请遵守群规，{then}。"),
        (Step::Warn, true) => format!(" {opening} Please keep to the group's rules; {then}."),
        (Step::Mute { seconds }, false) => {
            format!(" {opening}已禁言 {}，{then}。", spoken(seconds, en))
        }
        (Step::Mute { seconds }, true) => {
            format!(" {opening} Muted for {}; {then}.", spoken(seconds, en))
        }
        // The member is gone and cannot delete it: the admins are asked to.
        (Step::Kick | Step::Blacklist, false) if removal == Removal::TooOld => format!(
            " 多次违规（{zh_reason}），已被移出本群。该消息发出太久，机器人无法删除，请管理员删除。"
        ),
        (Step::Kick | Step::Blacklist, true) if removal == Removal::TooOld => format!(
            " was removed from the group after repeated offences ({en_reason}). The message is too old for the bot to remove: admins, please delete it."
        ),
        (Step::Kick | Step::Blacklist, false) => {
            format!(" 多次违规（{zh_reason}），已被移出本群。")
        }
        (Step::Kick | Step::Blacklist, true) => {
            format!(" was removed from the group after repeated offences ({en_reason}).")
        }
    }
}

fn carry_out(
    moderation: &Moderation,
    context: &mut Context<'_>,
    compiled: &Compiled,
    subject: Subject,
    decision: Decision,
) -> Result<(), StoreError> {
    let event = context.event;
    let rules = &compiled.rules;
    let time = event.time.timestamp_millis();
    let (member, name) = match &event.kind {
        EventKind::Message { sender, .. } | EventKind::MessageEdited { sender, .. } => {
            (sender.id.clone(), sender.name.clone())
        }
        EventKind::MemberJoined { member, .. } | EventKind::MemberSeen { member } => {
            (member.id.clone(), member.name.clone())
        }
        EventKind::JoinRequest { applicant, .. } => (applicant.id.clone(), applicant.name.clone()),
        _ => return Ok(()),
    };
    let group = context.store.group_label(subject.group_id)?;
    let target = format!("{name} ({}) · {group}", member.as_str());
    let quoted: String = context.text.chars().take(200).collect();
    match decision {
        Decision::Refuse => {
            match &event.kind {
                EventKind::JoinRequest { .. } => {
                    if let Some(request) = event.id.clone() {
                        context.act(Action::RejectJoin {
                            request,
                            reason: Some("blacklisted / 已列入黑名单".to_owned()),
                        });
                    }
                }
                _ => {
                    for message in to_delete(context.store, event, subject.member_id)? {
                        context.act(Action::DeleteMessage { message });
                    }
                    context.act(Action::Kick {
                        member: member.clone(),
                        refuse_rejoin: true,
                    });
                }
            }
            context.store.audit(
                time,
                "steward",
                "moderation.refused",
                &target,
                &format!(
                    "detector: blacklist; event: {}{}",
                    event.kind_name(),
                    if event.beyond_delete_window() {
                        NOT_DELETED
                    } else {
                        ""
                    }
                ),
            )?;
        }
        Decision::Offence {
            verdict,
            step,
            count,
        } => {
            let reason = Reason::new(verdict.zh.clone(), verdict.en.clone());
            let removal = match (rules.delete, event.beyond_delete_window()) {
                (false, _) => Removal::Kept,
                (true, true) => Removal::TooOld,
                (true, false) => Removal::Removed,
            };
            context.store.record_offence(&Offence {
                member_id: subject.member_id,
                group_id: subject.group_id,
                event_id: context.stored.id,
                time,
                detector: verdict.detector.name().to_owned(),
                reason: reason.clone(),
                step: step.name(),
                message: message_of(event).map(str::to_owned),
            })?;
            context.store.audit(
                time,
                "steward",
                &format!("moderation.{}", step.name().split(' ').next().unwrap_or("warn")),
                &target,
                &format!(
                    "detector: {}; reason: {} / {}; offence {count} in {} days; step: {}{}; message: «{quoted}»",
                    verdict.detector.name(),
                    reason.zh,
                    reason.en,
                    rules.window_days,
                    step.name(),
                    if removal == Removal::TooOld { NOT_DELETED } else { "" }
                ),
            )?;
            if rules.delete {
                for message in to_delete(context.store, event, subject.member_id)? {
                    context.act(Action::DeleteMessage { message });
                }
            }
            if rules.tell_member {
                context.act(Action::Send {
                    segments: vec![
                        OutSegment::Mention {
                            user: member.clone(),
                        },
                        OutSegment::Text {
                            text: notice(rules, step, compiled.step(count + 1), &verdict, removal),
                        },
                    ],
                    // A message left in place: the notice answers it, so whoever is asked to
                    // delete it finds it.
                    reply_to: (removal == Removal::TooOld)
                        .then(|| message_of(event).map(|id| MessageId(id.to_owned())))
                        .flatten(),
                });
            }
            match step {
                Step::Warn => {}
                Step::Mute { seconds } => context.act(Action::Mute {
                    member: member.clone(),
                    seconds,
                }),
                Step::Kick => context.act(Action::Kick {
                    member: member.clone(),
                    refuse_rejoin: false,
                }),
                Step::Blacklist => {
                    context.act(Action::Kick {
                        member: member.clone(),
                        refuse_rejoin: true,
                    });
                    context
                        .store
                        .blacklist(subject.member_id, subject.group_id, &reason, time)?;
                    moderation.remember_blacklisted(subject.member_id);
                    kick_everywhere(moderation, context, subject, &member)?;
                }
            }
        }
    }
    Ok(())
}

/// What to delete for what a member wrote: the message itself, or for an edit the message it
/// changed (an ad edited into an old message takes the message with it). Where edits are events
/// of their own ([`Platform::edits_are_events`]), clients without edits show one as it is
/// (`* ...`): it is deleted too, and the message it names only when the edit's sender wrote it
/// (clients ignore an edit by anyone else; deleting the message would let any member remove
/// anybody's).
fn to_delete(
    store: &mut Writer,
    event: &steward_domain::Event,
    member_id: i64,
) -> Result<Vec<MessageId>, StoreError> {
    Ok(match &event.kind {
        EventKind::Message { .. } => event.id.clone().map(MessageId).into_iter().collect(),
        EventKind::MessageEdited { message, .. } if event.platform.edits_are_events() => {
            let mut targets: Vec<MessageId> = event.id.clone().map(MessageId).into_iter().collect();
            if store.message_author(&event.key_of_message(message))? == Some(member_id) {
                targets.push(message.clone());
            }
            targets
        }
        EventKind::MessageEdited { .. } if event.beyond_delete_window() => Vec::new(),
        EventKind::MessageEdited { message, .. } => vec![message.clone()],
        _ => Vec::new(),
    })
}

/// A blacklisted member leaves every other group of the fleet they are in where moderation is
/// on and the member is not exempt, whatever that group's own ladder.
fn kick_everywhere(
    moderation: &Moderation,
    context: &mut Context<'_>,
    subject: Subject,
    member: &UserId,
) -> Result<(), StoreError> {
    for group in context
        .store
        .active_groups_of(subject.member_id, subject.group_id)?
    {
        let rules = moderation.rules_for(context.store, group.group_id)?;
        let exempt = rules.whitelist.contains(member.as_str())
            || (rules.rules.exempt_admins && group.role != "member");
        if !rules.rules.enabled || exempt {
            continue;
        }
        let Ok(platform) = group.platform.parse::<Platform>() else {
            continue;
        };
        let account = match group.account {
            Some(account) => AccountId(account),
            None if platform == context.event.platform => context.event.account.clone(),
            None => continue,
        };
        context.act_in(ActionRequest {
            platform,
            account,
            chat: ChatId(group.chat),
            action: Action::Kick {
                member: member.clone(),
                refuse_rejoin: true,
            },
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_text::Detector;

    /// Each step, each fate of the message, each next step, both languages: the public reason
    /// in the group's language (never the private one, which holds what the member wrote),
    /// "removed" only when it was, and somebody asked to delete it when the bot could not: the
    /// member, or at a kick the admins.
    #[test]
    fn the_notice_says_removed_only_when_it_was() {
        let verdict = Verdict::new(Detector::Contact, "微信号 wxid_abc", "WeChat id wxid_abc")
            .told("微信号", "a WeChat id");
        let steps = [
            Step::Warn,
            Step::Mute { seconds: 600 },
            Step::Kick,
            Step::Blacklist,
        ];
        for language in ["zh", "en"] {
            let rules = Rules {
                language: language.to_owned(),
                ..Rules::default()
            };
            let en = language == "en";
            let (reason, other) = match en {
                true => (&verdict.public_en, &verdict.public_zh),
                false => (&verdict.public_zh, &verdict.public_en),
            };
            let (removed, member_asked, admins_asked) = match en {
                true => ("removed:", "delete it yourself", "admins, please delete it"),
                false => ("已删除", "请自行删除", "请管理员删除"),
            };
            for (step, next) in steps
                .iter()
                .flat_map(|step| steps.map(|next| (*step, next)))
            {
                let kicked = matches!(step, Step::Kick | Step::Blacklist);
                let say = |removal| notice(&rules, step, next, &verdict, removal);
                let (gone, old, kept) = (
                    say(Removal::Removed),
                    say(Removal::TooOld),
                    say(Removal::Kept),
                );
                for text in [&gone, &old, &kept] {
                    assert!(text.contains(reason.as_str()), "{text}");
                    assert!(!text.contains(other.as_str()), "{text}");
                    assert!(!text.contains("wxid"), "{text}");
                }
                assert_eq!(gone.contains(removed), !kicked, "{gone}");
                assert!(
                    !old.contains(removed) && !kept.contains(removed),
                    "{old} / {kept}"
                );
                assert_eq!(old.contains(member_asked), !kicked, "{old}");
                assert_eq!(old.contains(admins_asked), kicked, "{old}");
                for text in [&gone, &kept] {
                    assert!(
                        !text.contains(member_asked) && !text.contains(admins_asked),
                        "{text}"
                    );
                }
            }
        }
    }
}
