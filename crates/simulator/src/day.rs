//! One day of events. The roster's notices that fall on the day (joins, leaves, nicknames, join
//! requests, introductions), the spammers' posts, sign-ins and the day's chat with its questions
//! and answers are first drafted per group, then put in time order, numbered per chat, and turned
//! into [`Event`]s one at a time as the caller asks for them, so that only compact drafts of one
//! day are ever held.

use steward_domain::{Event, EventKind, LeaveReason, MemberProfile, MessageId, Segment};

use crate::clock::{Clock, DAY, HOUR, MINUTE, SECOND};
use crate::rng::Rng;
use crate::roster::{Group, Membership, Roster, SignInHabit, stream};
use crate::text;
use crate::{Language, Simulation, Truth};

/// Share of the configured activity that is ordinary talk; sign-ins, answers and introductions
/// make up the rest.
const TALK_SHARE: f64 = 0.85;
/// Share of questions that get an answer.
const ANSWERED_SHARE: f64 = 0.72;
/// Share of ordinary messages their author recalls.
const RECALLED_SHARE: f64 = 0.006;

/// An event of the day before it has a message number and its strings.
struct Draft {
    at: i64,
    /// The message's number within its chat and day, given once the day is in time order.
    number: u32,
    body: Body,
}

enum Body {
    Joined {
        membership: u32,
    },
    Left {
        membership: u32,
    },
    Nickname {
        membership: u32,
    },
    Request {
        person: u32,
        number: u32,
        answer: String,
    },
    Message {
        membership: u32,
        truth: Truth,
        segments: Vec<Segment>,
        reply_to: Option<u32>,
    },
    Recall {
        membership: u32,
        target: u32,
        by: u32,
    },
    /// A draft already turned into an event.
    Spent,
}

/// The drafts of one day, in time order.
pub(crate) struct DayBatch {
    day: u32,
    groups: Vec<Vec<Draft>>,
    /// (time, group, draft index), sorted: ties are broken by group, then by drafting order.
    order: Vec<(i64, u32, u32)>,
    position: usize,
}

impl DayBatch {
    pub(crate) fn empty() -> DayBatch {
        DayBatch {
            day: 0,
            groups: Vec::new(),
            order: Vec::new(),
            position: 0,
        }
    }

    pub(crate) fn generate(simulation: &Simulation, day: u32) -> DayBatch {
        let mut batch = DayBatch::empty();
        batch.refill(simulation, day);
        batch
    }

    /// Replaces the batch with day `day`, reusing its buffers: a run of many days then allocates
    /// its large vectors once rather than once a day.
    pub(crate) fn refill(&mut self, simulation: &Simulation, day: u32) {
        let roster = &simulation.roster;
        self.day = day;
        self.position = 0;
        self.groups.resize_with(roster.groups.len(), Vec::new);
        for drafts in &mut self.groups {
            drafts.clear();
        }
        let groups = &mut self.groups;
        if day < simulation.config.days {
            draft_notices(simulation, day, groups);
            draft_ads(roster, day, groups);
            let weekend = simulation.clock.is_weekend(day);
            for (index, drafts) in groups.iter_mut().enumerate() {
                let mut writer = GroupDay {
                    simulation,
                    group: &roster.groups[index],
                    day,
                    weekend,
                    drafts,
                };
                writer.sign_ins(index as u32);
                writer.talk(index as u32);
            }
        }
        let order = &mut self.order;
        order.clear();
        order.reserve(groups.iter().map(Vec::len).sum());
        for (group, drafts) in groups.iter().enumerate() {
            for (index, draft) in drafts.iter().enumerate() {
                order.push((draft.at, group as u32, index as u32));
            }
        }
        order.sort_unstable();
        let mut counters = vec![0u32; groups.len()];
        for &(_, group, index) in order.iter() {
            let draft = &mut groups[group as usize][index as usize];
            if let Body::Message { .. } = draft.body {
                counters[group as usize] += 1;
                draft.number = counters[group as usize];
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    pub(crate) fn next_event(&mut self, simulation: &Simulation) -> Option<(Event, Truth)> {
        let &(at, group, index) = self.order.get(self.position)?;
        self.position += 1;
        let drafts = &mut self.groups[group as usize];
        let referenced = match &drafts[index as usize].body {
            Body::Message {
                reply_to: Some(target),
                ..
            }
            | Body::Recall { target, .. } => drafts
                .get(*target as usize)
                .map(|target| message_id(self.day, target.number)),
            _ => None,
        };
        let body = std::mem::replace(&mut drafts[index as usize].body, Body::Spent);
        let number = drafts[index as usize].number;
        let roster = &simulation.roster;
        let membership = |index: u32| &roster.memberships[index as usize];
        let person_id = |index: u32| roster.persons[index as usize].id.clone();
        let (id, kind, truth) = match body {
            Body::Joined { membership: index } => {
                let member = membership(index);
                let group = &roster.groups[member.group as usize];
                let kind = EventKind::MemberJoined {
                    member: profile(roster, member, at),
                    inviter: member.inviter.map(person_id),
                    invite_link: member
                        .link
                        .and_then(|link| group.invite_links.get(usize::from(link)).cloned()),
                };
                (None, kind, Truth::Join)
            }
            Body::Left { membership: index } => {
                let member = membership(index);
                let reason = match member.kicked_by {
                    Some(admin) => LeaveReason::Kicked {
                        by: Some(person_id(admin)),
                    },
                    None => LeaveReason::Left,
                };
                let kind = EventKind::MemberLeft {
                    member: person_id(member.person),
                    reason,
                };
                (None, kind, Truth::Leave)
            }
            Body::Nickname { membership: index } => {
                let member = membership(index);
                let kind = EventKind::NicknameChanged {
                    member: person_id(member.person),
                    old: member.nickname_before.clone(),
                    new: member.nickname_after.clone().unwrap_or_default(),
                };
                (None, kind, Truth::NicknameChange)
            }
            Body::Request {
                person,
                number,
                answer,
            } => {
                let details = &roster.persons[person as usize];
                let applicant = MemberProfile {
                    id: details.id.clone(),
                    name: details.name.clone(),
                    nickname: None,
                    role: steward_domain::MemberRole::Member,
                    is_bot: false,
                };
                let kind = EventKind::JoinRequest {
                    applicant,
                    answer: Some(answer),
                };
                (Some(format!("req-{number}")), kind, Truth::JoinRequest)
            }
            Body::Message {
                membership: index,
                truth,
                segments,
                ..
            } => {
                let kind = EventKind::Message {
                    sender: profile(roster, membership(index), at),
                    segments,
                    reply_to: referenced.map(MessageId::new),
                };
                (Some(message_id(self.day, number)), kind, truth)
            }
            Body::Recall {
                membership: index,
                by,
                ..
            } => {
                let kind = EventKind::MessageRecalled {
                    message: MessageId::new(referenced.unwrap_or_default()),
                    author: person_id(membership(index).person),
                    by: person_id(by),
                };
                (None, kind, Truth::Recall)
            }
            Body::Spent => return self.next_event(simulation),
        };
        let event = Event {
            platform: simulation.config.platform,
            account: simulation.config.account.clone(),
            chat: roster.groups[group as usize].info.chat.clone(),
            id,
            time: simulation.clock.time(at),
            kind,
        };
        Some((event, truth))
    }
}

/// Message ids are numbers, unique within a chat over the run: the day, then the message's rank
/// in the chat that day (the configuration's limits keep the rank below a billion).
fn message_id(day: u32, number: u32) -> String {
    format!("{}{:09}", u64::from(day) + 1, number)
}

fn profile(roster: &Roster, membership: &Membership, at: i64) -> MemberProfile {
    let person = &roster.persons[membership.person as usize];
    MemberProfile {
        id: person.id.clone(),
        name: person.name.clone(),
        nickname: membership.nickname_as_of(at).map(str::to_owned),
        role: membership.role,
        is_bot: false,
    }
}

fn push(drafts: &mut Vec<Draft>, at: i64, body: Body) -> u32 {
    drafts.push(Draft {
        at,
        number: 0,
        body,
    });
    (drafts.len() - 1) as u32
}

/// What the roster planned for this day: joins and their requests, leaves, nickname changes and
/// self-introductions.
fn draft_notices(simulation: &Simulation, day: u32, groups: &mut [Vec<Draft>]) {
    let roster = &simulation.roster;
    let seed = simulation.config.seed;
    let inside = |at: i64| Clock::is_inside_day(at, day);
    for (index, member) in roster.memberships.iter().enumerate() {
        let membership = index as u32;
        let drafts = &mut groups[member.group as usize];
        let group = &roster.groups[member.group as usize];
        if let Some((asked, number)) = member.request
            && inside(asked)
        {
            let mut rng = Rng::stream(seed, &[stream::JOIN_ANSWER, u64::from(number)]);
            let answer = text::join_answer(&mut rng, group.info.language, group.theme);
            push(
                drafts,
                asked,
                Body::Request {
                    person: member.person,
                    number,
                    answer,
                },
            );
        }
        if inside(member.join_at) {
            push(drafts, member.join_at, Body::Joined { membership });
        }
        if inside(member.nickname_at) {
            push(drafts, member.nickname_at, Body::Nickname { membership });
        }
        if inside(member.introduction_at) {
            let person = &roster.persons[member.person as usize];
            let mut rng = Rng::stream(seed, &[stream::INTRODUCTION, u64::from(membership)]);
            let language = group.info.language;
            let name = &person.short_name;
            let intro = text::introduction(&mut rng, language, person.portrait, name);
            let body = Body::Message {
                membership,
                truth: Truth::Introduction,
                segments: vec![Segment::Text { text: intro }],
                reply_to: None,
            };
            push(drafts, member.introduction_at, body);
        }
        if inside(member.leave_at) {
            push(drafts, member.leave_at, Body::Left { membership });
        }
    }
    let start = Clock::day_start(day);
    let requests = &roster.denied_requests;
    let first = requests.partition_point(|request| request.at < start);
    for request in requests[first..]
        .iter()
        .take_while(|request| request.at < start + DAY)
    {
        let group = &roster.groups[request.group as usize];
        let mut rng = Rng::stream(seed, &[stream::JOIN_ANSWER, u64::from(request.number)]);
        let answer = text::join_answer(&mut rng, group.info.language, group.theme);
        let body = Body::Request {
            person: request.person,
            number: request.number,
            answer,
        };
        push(&mut groups[request.group as usize], request.at, body);
    }
}

/// The spammers' posts of the day, and the admins' recalls of some of them.
fn draft_ads(roster: &Roster, day: u32, groups: &mut [Vec<Draft>]) {
    let start = Clock::day_start(day);
    let first = roster.ad_posts.partition_point(|post| post.at < start);
    for post in roster.ad_posts[first..]
        .iter()
        .take_while(|post| post.at < start + DAY)
    {
        let Some(campaign) = roster.campaigns.get(post.campaign as usize) else {
            continue;
        };
        let member = &roster.memberships[post.membership as usize];
        let drafts = &mut groups[member.group as usize];
        let mut segments = vec![Segment::Text {
            text: text::ad_text(campaign, post.variant),
        }];
        if let Some(url) = &campaign.link {
            segments.push(Segment::Link { url: url.clone() });
        }
        if let Some((url, file)) = &campaign.image {
            segments.push(Segment::Image {
                url: Some(url.clone()),
                file: Some(file.clone()),
                qr: Vec::new(),
            });
        }
        let body = Body::Message {
            membership: post.membership,
            truth: Truth::Ad,
            segments,
            reply_to: None,
        };
        let target = push(drafts, post.at, body);
        if let Some((at, by)) = post.recall {
            push(
                drafts,
                at,
                Body::Recall {
                    membership: post.membership,
                    target,
                    by,
                },
            );
        }
    }
}

/// Drafts one group's sign-ins and talk for one day.
struct GroupDay<'a> {
    simulation: &'a Simulation,
    group: &'a Group,
    day: u32,
    weekend: bool,
    drafts: &'a mut Vec<Draft>,
}

impl GroupDay<'_> {
    fn language(&self) -> Language {
        self.group.info.language
    }

    fn member(&self, index: u32) -> &Membership {
        &self.simulation.roster.memberships[index as usize]
    }

    fn text_message(&mut self, at: i64, membership: u32, truth: Truth, text: String) -> u32 {
        let segments = vec![Segment::Text { text }];
        push(
            self.drafts,
            at,
            Body::Message {
                membership,
                truth,
                segments,
                reply_to: None,
            },
        )
    }

    fn sign_ins(&mut self, group: u32) {
        let seed = self.simulation.config.seed;
        let mut rng = Rng::stream(
            seed,
            &[stream::SIGN_INS, u64::from(self.day), u64::from(group)],
        );
        let text = text::sign_in(self.language());
        for &membership in &self.group.signers {
            let member = self.member(membership);
            let probability = match member.sign_in {
                SignInHabit::Daily => 0.92,
                SignInHabit::Sometimes => 0.2,
                SignInHabit::Never => 0.0,
            };
            let jitter = rng.between(-20 * MINUTE, 20 * MINUTE);
            if !rng.chance(probability) {
                continue;
            }
            let local = (member.sign_in_local + jitter).rem_euclid(DAY);
            let at = self.simulation.clock.at_local(self.day, local);
            if member.is_present(at) {
                self.text_message(at, membership, Truth::SignIn, text.to_owned());
            }
        }
    }

    fn talk(&mut self, group: u32) {
        let config = &self.simulation.config;
        let mut rng = Rng::stream(
            config.seed,
            &[stream::MESSAGES, u64::from(self.day), u64::from(group)],
        );
        let weekend_factor = if self.weekend {
            self.group.theme.weekend
        } else {
            1.0
        };
        let decay = (self.group.decay_per_day * f64::from(self.day)).exp();
        let noise = (0.2 * rng.normal() - 0.02).exp();
        let expected = config.messages_per_member_day
            * TALK_SHARE
            * self.group.total_weight()
            * self.group.liveliness
            * decay
            * weekend_factor
            * noise;
        let count = rng.poisson(expected);
        self.drafts.reserve(count.min(1 << 24) as usize);
        for _ in 0..count {
            let at = self
                .simulation
                .clock
                .sample_in_day(&mut rng, self.day, self.weekend);
            let Some(membership) = self.group.draw_writer(&mut rng) else {
                break;
            };
            if self.member(membership).is_present(at) {
                self.message(&mut rng, membership, at);
            }
        }
    }

    /// One message of ordinary talk, and what follows from it (answers, a recall).
    fn message(&mut self, rng: &mut Rng, membership: u32, at: i64) {
        let language = self.language();
        let theme = self.group.theme;
        let hour = self.simulation.clock.local_hour(at);
        let is_staff = self.member(membership).role != steward_domain::MemberRole::Member;
        let greeting_share = if matches!(hour, 6..=9 | 22..=23 | 0) {
            0.10
        } else {
            0.03
        };
        let mut roll = rng.unit();
        let mut next = |share: f64| {
            roll -= share;
            roll < 0.0
        };
        if is_staff && next(0.03) {
            let mut segments = vec![Segment::MentionAll];
            segments.push(Segment::Text {
                text: text::announcement(rng, language, theme),
            });
            push(
                self.drafts,
                at,
                Body::Message {
                    membership,
                    truth: Truth::Chat,
                    segments,
                    reply_to: None,
                },
            );
        } else if next(0.09) {
            let question = self.text_message(
                at,
                membership,
                Truth::Question,
                text::question(rng, language, theme),
            );
            self.answers(rng, membership, question, at);
        } else if next(greeting_share) {
            self.text_message(
                at,
                membership,
                Truth::Greeting,
                text::greeting(rng, language, hour),
            );
        } else if next(theme.commerce) {
            let text = text::purchase_intent(rng, language, theme);
            self.text_message(at, membership, Truth::PurchaseIntent, text);
        } else if next(0.05) {
            let caption = text::image_caption(rng, language, theme);
            let (url, file) = text::image(rng, "jpg");
            let mut segments = Vec::with_capacity(2);
            if !caption.is_empty() {
                segments.push(Segment::Text { text: caption });
            }
            segments.push(Segment::Image {
                url: Some(url),
                file: Some(file),
                qr: Vec::new(),
            });
            let message = push(
                self.drafts,
                at,
                Body::Message {
                    membership,
                    truth: Truth::Chat,
                    segments,
                    reply_to: None,
                },
            );
            self.maybe_recall(rng, membership, message, at);
        } else if next(0.02) {
            let mut segments = Vec::with_capacity(2);
            let caption = text::link_caption(rng, language, theme);
            if !caption.is_empty() {
                segments.push(Segment::Text { text: caption });
            }
            segments.push(Segment::Link {
                url: text::shared_url(rng, theme),
            });
            push(
                self.drafts,
                at,
                Body::Message {
                    membership,
                    truth: Truth::Chat,
                    segments,
                    reply_to: None,
                },
            );
        } else if next(0.005) {
            let (name, url, caption) = text::file(rng, language, theme);
            let size = 20_000 + rng.below(20_000_000);
            let segments = vec![
                Segment::Text { text: caption },
                Segment::File {
                    name,
                    url: Some(url),
                    size: Some(size),
                },
            ];
            push(
                self.drafts,
                at,
                Body::Message {
                    membership,
                    truth: Truth::Chat,
                    segments,
                    reply_to: None,
                },
            );
        } else if next(0.04)
            && let Some(target) = self.present_other(rng, membership, at)
        {
            let user = self.simulation.roster.persons[target as usize].id.clone();
            let segments = vec![
                Segment::Mention { user },
                Segment::Text {
                    text: text::mention_line(rng, language, theme),
                },
            ];
            let message = push(
                self.drafts,
                at,
                Body::Message {
                    membership,
                    truth: Truth::Chat,
                    segments,
                    reply_to: None,
                },
            );
            self.maybe_recall(rng, membership, message, at);
        } else {
            let message = self.text_message(
                at,
                membership,
                Truth::Chat,
                text::chat(rng, language, theme),
            );
            self.maybe_recall(rng, membership, message, at);
        }
    }

    /// Another person present at `at`, drawn by activity.
    fn present_other(&self, rng: &mut Rng, membership: u32, at: i64) -> Option<u32> {
        let me = self.member(membership).person;
        (0..4).find_map(|_| {
            let other = self.member(self.group.draw_writer(rng)?);
            (other.person != me && other.is_present(at)).then_some(other.person)
        })
    }

    /// Answers come minutes later from other members, most often from the core (the heavier of
    /// two draws); some questions stay unanswered.
    fn answers(&mut self, rng: &mut Rng, asker: u32, question: u32, asked_at: i64) {
        if !rng.chance(ANSWERED_SHARE) {
            return;
        }
        let asker_person = self.member(asker).person;
        let asker_id = self.simulation.roster.persons[asker_person as usize]
            .id
            .clone();
        let count = if rng.chance(0.25) { 2 } else { 1 };
        let mut at = asked_at;
        let mut previous = None;
        for _ in 0..count {
            at += 20 * SECOND + (rng.exponential(6.0 * MINUTE as f64) as i64).min(4 * HOUR);
            if !Clock::is_inside_day(at, self.day) {
                return;
            }
            let mut best: Option<u32> = None;
            for _ in 0..6 {
                let Some(candidate) = self.group.draw_writer(rng) else {
                    return;
                };
                let member = self.member(candidate);
                if member.person == asker_person
                    || Some(candidate) == previous
                    || !member.is_present(at)
                {
                    continue;
                }
                let heavier = best.is_none_or(|best| member.weight > self.member(best).weight);
                if heavier {
                    best = Some(candidate);
                }
                if best.is_some() && rng.chance(0.5) {
                    break;
                }
            }
            let Some(answerer) = best else { continue };
            let segments = vec![
                Segment::Mention {
                    user: asker_id.clone(),
                },
                Segment::Text {
                    text: text::answer(rng, self.language(), self.group.theme),
                },
            ];
            let body = Body::Message {
                membership: answerer,
                truth: Truth::Answer,
                segments,
                reply_to: Some(question),
            };
            push(self.drafts, at, body);
            previous = Some(answerer);
        }
    }

    /// Now and then an author takes a message back within the platforms' two minutes.
    fn maybe_recall(&mut self, rng: &mut Rng, membership: u32, message: u32, at: i64) {
        if !rng.chance(RECALLED_SHARE) {
            return;
        }
        let recall_at = at + rng.between(5 * SECOND, 110 * SECOND);
        let member = self.member(membership);
        if Clock::is_inside_day(recall_at, self.day) && member.is_present(recall_at) {
            let by = member.person;
            push(
                self.drafts,
                recall_at,
                Body::Recall {
                    membership,
                    target: message,
                    by,
                },
            );
        }
    }
}
