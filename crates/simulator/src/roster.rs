//! The cast of a run: the groups, the people, who is in which group from when to when, and the
//! spammers' plans. It is built once from the seed; the events of any day are then derived from it
//! and from that day's own random stream, so that generating day 17 needs no replay of days 0-16
//! and never holds more than one day of events.

use steward_domain::{ChatId, MemberRole, UserId};

use crate::clock::{Clock, DAY, HOUR, MINUTE, NEVER, SECOND};
use crate::rng::Rng;
use crate::text::{self, Portrait};
use crate::words::{self, THEMES, Theme};
use crate::{GroupInfo, GroupTrend, Language, SimConfig};

/// Random-stream purposes, so that each part of the run draws from its own sequence.
pub(crate) mod stream {
    pub const ROSTER: u64 = 1;
    pub const MESSAGES: u64 = 2;
    pub const SIGN_INS: u64 = 3;
    pub const INTRODUCTION: u64 = 4;
    pub const NICKNAME: u64 = 5;
    pub const JOIN_ANSWER: u64 = 6;
    pub const CAMPAIGN: u64 = 7;
}

/// Share of the people present from the first day on (the rest join over the run).
const INITIAL_SHARE: f64 = 0.68;
/// Share of ordinary people who never write.
const SILENT_SHARE: f64 = 0.42;
/// Pareto shape of the writers' activity: about 1.2 gives the classic 80/20.
const ACTIVITY_SHAPE: f64 = 1.2;
const MAX_ACTIVITY: f64 = 500.0;
/// Activity of owners and admins is at least this (they are the group's core).
const STAFF_ACTIVITY: f64 = 3.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignInHabit {
    Never,
    /// Signs in nearly every day, in streaks.
    Daily,
    Sometimes,
}

pub(crate) struct Group {
    pub info: GroupInfo,
    pub theme: &'static Theme,
    /// Daily change of the log of the group's activity: negative for dying groups.
    pub decay_per_day: f64,
    pub liveliness: f64,
    /// Owner first, then admins (person indices). Never empty.
    pub staff: Vec<u32>,
    /// Memberships that write, with the running sum of their weights for weighted draws.
    pub writers: Vec<u32>,
    pub writer_cumulative: Vec<f64>,
    pub signers: Vec<u32>,
    /// Invite links, one per channel, with the running sum of their weights.
    pub invite_links: Vec<String>,
    link_cumulative: Vec<f64>,
    /// Index of the "friend" channel in `invite_links`.
    friend_link: usize,
    popularity: f64,
    late_popularity: f64,
    early_leave: f64,
    daily_leave: f64,
    kick_share: f64,
}

impl Group {
    pub(crate) fn total_weight(&self) -> f64 {
        self.writer_cumulative.last().copied().unwrap_or(0.0)
    }

    /// A writing membership, drawn by weight.
    pub(crate) fn draw_writer(&self, rng: &mut Rng) -> Option<u32> {
        let target = rng.unit() * self.total_weight();
        let position = self.writer_cumulative.partition_point(|&sum| sum <= target);
        self.writers
            .get(position.min(self.writers.len().saturating_sub(1)))
            .copied()
    }

    fn staff_member(&self, rng: &mut Rng) -> u32 {
        self.staff
            .get(rng.index(self.staff.len()))
            .copied()
            .unwrap_or(0)
    }

    fn draw_link(&self, rng: &mut Rng) -> usize {
        let total = self.link_cumulative.last().copied().unwrap_or(0.0);
        let target = rng.unit() * total;
        self.link_cumulative
            .partition_point(|&sum| sum <= target)
            .min(self.invite_links.len().saturating_sub(1))
    }
}

pub(crate) struct Person {
    pub id: UserId,
    pub name: String,
    pub short_name: String,
    pub portrait: Portrait,
    /// Mean messages a day relative to the average person (0 for the silent and for spammers).
    pub weight: f64,
}

pub(crate) struct Membership {
    pub person: u32,
    pub group: u32,
    pub role: MemberRole,
    /// Part of the population the store learns on the first day rather than a new arrival.
    pub initial: bool,
    pub join_at: i64,
    /// `NEVER` when the member stays to the end.
    pub leave_at: i64,
    /// Person index of the admin who kicked the member out, when they did not leave by themselves.
    pub kicked_by: Option<u32>,
    pub inviter: Option<u32>,
    /// Index into the group's invite links.
    pub link: Option<u8>,
    /// When the member asked to join and the request's number.
    pub request: Option<(i64, u32)>,
    pub nickname_before: Option<String>,
    pub nickname_after: Option<String>,
    pub nickname_at: i64,
    pub introduction_at: i64,
    pub sign_in: SignInHabit,
    /// China time of day the member likes to sign in at.
    pub sign_in_local: i64,
    pub weight: f64,
    pub spammer: bool,
}

impl Membership {
    /// Whether the member is in the group at `at` (joined before, not yet gone).
    pub(crate) fn is_present(&self, at: i64) -> bool {
        self.join_at < at && at < self.leave_at
    }

    pub(crate) fn nickname_as_of(&self, at: i64) -> Option<&str> {
        if at >= self.nickname_at {
            self.nickname_after.as_deref()
        } else {
            self.nickname_before.as_deref()
        }
    }
}

/// One post of a spammer in one group.
pub(crate) struct AdPost {
    pub at: i64,
    pub membership: u32,
    /// Index into the roster's campaigns.
    pub campaign: u32,
    /// 0: the campaign's exact text; others: a near copy.
    pub variant: u8,
    /// An admin recalling the ad: when, and which person.
    pub recall: Option<(i64, u32)>,
}

/// A join request that was refused: no membership follows it.
pub(crate) struct DeniedRequest {
    pub at: i64,
    pub person: u32,
    pub group: u32,
    pub number: u32,
}

pub(crate) struct Roster {
    pub groups: Vec<Group>,
    pub persons: Vec<Person>,
    pub memberships: Vec<Membership>,
    /// One per spammer.
    pub campaigns: Vec<text::Campaign>,
    /// Sorted by time.
    pub ad_posts: Vec<AdPost>,
    /// Sorted by time.
    pub denied_requests: Vec<DeniedRequest>,
}

/// How many of the people have which role; the rest are ordinary members.
struct Cast {
    groups: u32,
    admins: u32,
    spammers: u32,
    members: u32,
}

impl Cast {
    fn new(config: &SimConfig) -> Cast {
        let groups = config.groups;
        let members = config.members;
        let admins = (2 * groups).min((members - groups) / 20);
        let ordinary = members - groups - admins;
        let spammers = if ordinary >= 100 {
            (members / 200).clamp(1, ordinary / 20)
        } else {
            0
        };
        Cast {
            groups,
            admins,
            spammers,
            members,
        }
    }

    fn is_spammer(&self, person: u32) -> bool {
        person >= self.members - self.spammers
    }
}

pub(crate) fn build(config: &SimConfig, clock: &Clock) -> Roster {
    let mut rng = Rng::stream(config.seed, &[stream::ROSTER]);
    let cast = Cast::new(config);
    let mut groups = build_groups(&mut rng, config);
    let persons = build_persons(&mut rng, config, &cast, &groups);
    let mut planner = Planner {
        rng,
        clock,
        days: config.days,
        seed: config.seed,
        memberships: Vec::with_capacity(config.members as usize * 3 / 2),
        ad_posts: Vec::new(),
        campaigns: Vec::new(),
        denied_requests: Vec::new(),
        next_request: 1,
        popularity_cumulative: running_sum(groups.iter().map(|group| group.popularity)),
        late_popularity_cumulative: running_sum(groups.iter().map(|group| group.late_popularity)),
    };
    for (index, person) in persons.iter().enumerate() {
        let index = index as u32;
        if index < cast.groups {
            planner.staff(&groups, &persons, index, index, MemberRole::Owner);
            groups[index as usize].staff.push(index);
        } else if index < cast.groups + cast.admins {
            let group = (index - cast.groups) % cast.groups;
            planner.staff(&groups, &persons, index, group, MemberRole::Admin);
            groups[group as usize].staff.push(index);
        } else if !cast.is_spammer(index) {
            planner.ordinary(&groups, &persons, index, person);
        }
    }
    for index in cast.members - cast.spammers..cast.members {
        planner.spammer(&groups, index);
    }
    let Planner {
        mut memberships,
        mut ad_posts,
        campaigns,
        mut denied_requests,
        mut rng,
        ..
    } = planner;
    assign_inviters(&mut rng, &groups, &persons, &mut memberships);
    index_groups(&mut groups, &memberships);
    ad_posts.sort_by_key(|post| (post.at, post.membership));
    denied_requests.sort_by_key(|request| (request.at, request.number));
    Roster {
        groups,
        persons,
        memberships,
        campaigns,
        ad_posts,
        denied_requests,
    }
}

fn running_sum(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut total = 0.0;
    values
        .map(|value| {
            total += value;
            total
        })
        .collect()
}

fn build_groups(rng: &mut Rng, config: &SimConfig) -> Vec<Group> {
    let stride = 900_000_000 / u64::from(config.groups);
    let mut names = std::collections::BTreeSet::new();
    (0..config.groups)
        .map(|index| {
            let language = if rng.chance(0.8) {
                Language::Chinese
            } else {
                Language::English
            };
            let theme = &THEMES[rng.index(THEMES.len())];
            let mut name = text::group_name(rng, language, theme);
            if !names.insert(name.clone()) {
                // Real operators number their groups when a name is taken.
                let suffix = match language {
                    Language::Chinese => format!(" {}群", index + 1),
                    Language::English => format!(" #{}", index + 1),
                };
                name.push_str(&suffix);
                names.insert(name.clone());
            }
            let chat = ChatId::new(
                (100_000_000 + u64::from(index) * stride + rng.below(stride)).to_string(),
            );
            let roll = rng.unit();
            let (trend, decay_per_day, late_popularity) = if roll < 0.2 {
                (GroupTrend::Dying, -(0.03 + 0.09 * rng.unit()), 0.25)
            } else if roll < 0.45 {
                (GroupTrend::Growing, 0.0, 3.0)
            } else {
                (GroupTrend::Stable, 0.0, 1.0)
            };
            let popularity = (0.9 * rng.normal()).exp();
            let channels = match language {
                Language::Chinese => words::ZH_CHANNELS,
                Language::English => words::EN_CHANNELS,
            };
            let mut invite_links = Vec::new();
            let mut link_cumulative = Vec::new();
            let mut total = 0.0;
            for channel in channels {
                if *channel == "friend" || rng.chance(0.55) {
                    invite_links.push(format!("https://t.example/join/{chat}-{channel}"));
                    total += 0.2 + rng.unit();
                    link_cumulative.push(total);
                }
            }
            let friend_link = invite_links
                .iter()
                .position(|link| link.ends_with("-friend"))
                .unwrap_or(0);
            let dying = trend == GroupTrend::Dying;
            Group {
                info: GroupInfo {
                    chat,
                    name,
                    language,
                    theme: theme.key,
                    trend,
                    requires_approval: rng.chance(0.3),
                },
                theme,
                decay_per_day,
                liveliness: 0.6 + 0.9 * rng.unit(),
                staff: Vec::new(),
                writers: Vec::new(),
                writer_cumulative: Vec::new(),
                signers: Vec::new(),
                invite_links,
                link_cumulative,
                friend_link,
                popularity,
                late_popularity: popularity * late_popularity,
                early_leave: if dying { 0.3 } else { 0.1 + 0.08 * rng.unit() },
                daily_leave: if dying {
                    0.012
                } else {
                    0.001 + 0.002 * rng.unit()
                },
                kick_share: 0.04 + 0.1 * rng.unit(),
            }
        })
        .collect()
}

/// QQ-like numeric ids, unique, spread over the whole range and unrelated to a person's role.
fn user_ids(rng: &mut Rng, count: u32) -> Vec<UserId> {
    let mut slots: Vec<u32> = (0..count).collect();
    for i in (1..slots.len()).rev() {
        slots.swap(i, rng.index(i + 1));
    }
    let stride = 3_900_000_000 / u64::from(count.max(1));
    slots
        .into_iter()
        .map(|slot| {
            UserId::new((100_000 + u64::from(slot) * stride + rng.below(stride)).to_string())
        })
        .collect()
}

fn build_persons(rng: &mut Rng, config: &SimConfig, cast: &Cast, groups: &[Group]) -> Vec<Person> {
    let ids = user_ids(rng, config.members);
    let mut persons: Vec<Person> = ids
        .into_iter()
        .enumerate()
        .map(|(index, id)| {
            let index = index as u32;
            let staff = index < cast.groups + cast.admins;
            let spammer = cast.is_spammer(index);
            let english = rng.chance(0.2);
            let (mut name, short_name) = text::person_name(rng, english);
            if spammer {
                let language = groups[rng.index(groups.len())].info.language;
                if rng.chance(0.6) {
                    name = text::spammer_name(rng, language);
                }
            }
            let pareto = (1.0 - rng.unit())
                .powf(-1.0 / ACTIVITY_SHAPE)
                .min(MAX_ACTIVITY);
            let weight = if spammer {
                0.0
            } else if staff {
                pareto.max(STAFF_ACTIVITY)
            } else if rng.chance(SILENT_SHARE) {
                0.0
            } else {
                pareto
            };
            Person {
                id,
                name,
                short_name,
                portrait: Portrait::random(rng, english),
                weight,
            }
        })
        .collect();
    // Normalise so that the average person writes `messages_per_member_day`.
    let total: f64 = persons.iter().map(|person| person.weight).sum();
    if total > 0.0 {
        let scale = f64::from(config.members) / total;
        for person in &mut persons {
            person.weight *= scale;
        }
    }
    persons
}

/// An ordinary member's arrival in one group.
struct Arrival {
    person: u32,
    group: u32,
    day: u32,
    /// Part of the population present from the start.
    initial: bool,
    /// The person's activity share in this group.
    weight: f64,
}

/// Plans memberships one person at a time.
struct Planner<'a> {
    rng: Rng,
    clock: &'a Clock,
    days: u32,
    seed: u64,
    memberships: Vec<Membership>,
    ad_posts: Vec<AdPost>,
    campaigns: Vec<text::Campaign>,
    denied_requests: Vec<DeniedRequest>,
    next_request: u32,
    /// Running sums of the groups' popularity for people present from the start and for new
    /// arrivals.
    popularity_cumulative: Vec<f64>,
    late_popularity_cumulative: Vec<f64>,
}

impl Planner<'_> {
    fn end(&self) -> i64 {
        Clock::day_start(self.days)
    }

    fn blank(&self, person: u32, group: u32, join_at: i64) -> Membership {
        Membership {
            person,
            group,
            role: MemberRole::Member,
            initial: false,
            join_at,
            leave_at: NEVER,
            kicked_by: None,
            inviter: None,
            link: None,
            request: None,
            nickname_before: None,
            nickname_after: None,
            nickname_at: NEVER,
            introduction_at: NEVER,
            sign_in: SignInHabit::Never,
            sign_in_local: 0,
            weight: 0.0,
            spammer: false,
        }
    }

    /// Owners and admins are there from the first minutes and never leave.
    fn staff(
        &mut self,
        groups: &[Group],
        persons: &[Person],
        person: u32,
        group: u32,
        role: MemberRole,
    ) {
        let join_at = match role {
            MemberRole::Owner => SECOND + self.rng.between(0, MINUTE),
            _ => MINUTE + self.rng.between(SECOND, 2 * MINUTE),
        };
        let mut membership = self.blank(person, group, join_at);
        membership.role = role;
        membership.initial = true;
        membership.weight = persons[person as usize].weight;
        let language = groups[group as usize].info.language;
        let details = &persons[person as usize];
        let mut nick_rng = Rng::stream(
            self.seed,
            &[stream::NICKNAME, u64::from(person), u64::from(group)],
        );
        membership.nickname_before = Some(match role {
            MemberRole::Owner => match language {
                Language::Chinese => format!("群主-{}", details.short_name),
                Language::English => format!("{} (owner)", details.short_name),
            },
            _ => text::nickname(
                &mut nick_rng,
                language,
                details.portrait,
                &details.short_name,
                true,
            ),
        });
        self.sign_in_habit(&mut membership, details.weight);
        self.memberships.push(membership);
    }

    fn ordinary(&mut self, groups: &[Group], persons: &[Person], index: u32, person: &Person) {
        let initial = self.days == 1 || self.rng.chance(INITIAL_SHARE);
        let arrival = if initial {
            0
        } else {
            1 + self.rng.below(u64::from(self.days - 1)) as u32
        };
        let probabilities: [f64; 2] = if person.weight >= 3.0 {
            [0.45, 0.8]
        } else if person.weight > 0.0 {
            [0.78, 0.95]
        } else {
            [0.88, 0.98]
        };
        let roll = self.rng.unit();
        let wanted = if roll < probabilities[0] {
            1
        } else if roll < probabilities[1] {
            2
        } else {
            3
        };
        let chosen = self.choose_groups(wanted.min(groups.len()), initial);
        let shares: Vec<f64> = (0..chosen.len())
            .map(|i| if i == 0 { 2.0 } else { 1.0 } * (0.3 + 0.7 * self.rng.unit()))
            .collect();
        let share_total: f64 = shares.iter().sum();
        for (position, &group) in chosen.iter().enumerate() {
            let (day, member_initial) = if position == 0 {
                (arrival, initial)
            } else if initial {
                if self.days == 1 || self.rng.chance(0.7) {
                    (0, true)
                } else {
                    (1 + self.rng.below(u64::from(self.days - 1)) as u32, false)
                }
            } else {
                (
                    arrival.saturating_add(self.rng.geometric(0.35) as u32),
                    false,
                )
            };
            if day >= self.days {
                continue;
            }
            let arrival = Arrival {
                person: index,
                group,
                day,
                initial: member_initial,
                weight: person.weight * shares[position] / share_total,
            };
            self.ordinary_membership(groups, persons, arrival);
        }
    }

    /// Distinct groups, drawn by popularity (new arrivals favour growing groups).
    fn choose_groups(&mut self, wanted: usize, initial: bool) -> Vec<u32> {
        let cumulative = if initial {
            &self.popularity_cumulative
        } else {
            &self.late_popularity_cumulative
        };
        let total = cumulative.last().copied().unwrap_or(0.0);
        let last = cumulative.len().saturating_sub(1);
        let mut chosen: Vec<u32> = Vec::with_capacity(wanted);
        for _ in 0..wanted * 8 {
            if chosen.len() == wanted {
                break;
            }
            let target = self.rng.unit() * total;
            let pick = cumulative.partition_point(|&sum| sum <= target).min(last) as u32;
            if !chosen.contains(&pick) {
                chosen.push(pick);
            }
        }
        chosen
    }

    fn ordinary_membership(&mut self, groups: &[Group], persons: &[Person], arrival: Arrival) {
        let Arrival {
            person,
            group: group_index,
            day,
            initial,
            weight,
        } = arrival;
        let group = &groups[group_index as usize];
        let language = group.info.language;
        let day_start = Clock::day_start(day);
        let join_at = if initial {
            // The existing population is announced over the first hours of the first day.
            self.rng.between(3 * MINUTE, 6 * HOUR)
        } else {
            let weekend = self.clock.is_weekend(day);
            self.clock
                .sample_in_day(&mut self.rng, day, weekend)
                .clamp(day_start + MINUTE, day_start + DAY - MINUTE)
        };
        let mut membership = self.blank(person, group_index, join_at);
        membership.initial = initial;
        membership.weight = weight;
        let details = &persons[person as usize];

        if group.info.requires_approval && !initial {
            let asked = (join_at - self.rng.between(30 * SECOND, 30 * MINUTE)).max(day_start + 1);
            membership.request = Some((asked.min(join_at - 1), self.next_request));
            self.next_request += 1;
        }

        // Leaving: new members are most likely to go in their first week, dying groups lose more.
        let first_day = if initial { 1 } else { day };
        let leave_day = if !initial && self.rng.chance(group.early_leave) {
            day + self.rng.exponential(2.0).min(6.0) as u32
        } else {
            first_day.saturating_add(self.rng.geometric(group.daily_leave) as u32)
        };
        if leave_day < self.days {
            let earliest = join_at + 10 * MINUTE;
            let leave_at = if leave_day == day {
                self.rng.between(earliest, day_start + DAY)
            } else {
                let weekend = self.clock.is_weekend(leave_day);
                self.clock.sample_in_day(&mut self.rng, leave_day, weekend)
            };
            if leave_at > join_at && leave_at < self.end() {
                membership.leave_at = Clock::off_midnight(leave_at);
                if self.rng.chance(group.kick_share) {
                    membership.kicked_by = Some(group.staff_member(&mut self.rng));
                }
            }
        }

        // Group nicknames: some of the existing population have one, new members are asked to set
        // one (often to the group's `城市-行业-名字` pattern).
        let mut nick_rng = Rng::stream(
            self.seed,
            &[stream::NICKNAME, u64::from(person), u64::from(group_index)],
        );
        let nick = |rng: &mut Rng, patterned: bool| {
            text::nickname(
                rng,
                language,
                details.portrait,
                &details.short_name,
                patterned,
            )
        };
        let mut change_at = NEVER;
        if initial {
            if self.rng.chance(0.35) {
                let patterned = nick_rng.chance(0.6);
                membership.nickname_before = Some(nick(&mut nick_rng, patterned));
            }
            if self.days > 1 && self.rng.chance(0.06) {
                let change_day = 1 + self.rng.below(u64::from(self.days - 1)) as u32;
                let weekend = self.clock.is_weekend(change_day);
                change_at = self.clock.sample_in_day(&mut self.rng, change_day, weekend);
            }
        } else if self.rng.chance(0.5) {
            change_at = Clock::off_midnight(join_at + self.rng.between(2 * MINUTE, 3 * HOUR));
        }
        if change_at < membership.leave_at && change_at < self.end() {
            let patterned = nick_rng.chance(0.7);
            let new = nick(&mut nick_rng, patterned);
            if membership.nickname_before.as_deref() != Some(new.as_str()) {
                membership.nickname_after = Some(new);
                membership.nickname_at = change_at;
            }
        }

        if !initial && self.rng.chance(0.35) {
            let at = Clock::off_midnight(join_at + self.rng.between(MINUTE, 45 * MINUTE));
            if at < membership.leave_at && at < self.end() {
                membership.introduction_at = at;
            }
        }
        self.sign_in_habit(&mut membership, details.weight);
        self.memberships.push(membership);
    }

    /// Heavier writers are likelier to sign in every day.
    fn sign_in_habit(&mut self, membership: &mut Membership, person_weight: f64) {
        if person_weight <= 0.0 {
            return;
        }
        let daily = 0.03 + 0.2 * (person_weight / 8.0).min(1.0);
        let roll = self.rng.unit();
        membership.sign_in = if roll < daily {
            SignInHabit::Daily
        } else if roll < daily + 0.12 {
            SignInHabit::Sometimes
        } else {
            return;
        };
        membership.sign_in_local = if self.rng.chance(0.6) {
            self.rng.between(7 * HOUR, 9 * HOUR + 30 * MINUTE)
        } else {
            self.rng.between(20 * HOUR, 23 * HOUR + 30 * MINUTE)
        };
    }

    /// A spammer joins several groups within minutes, posts the same ad in each, is often kicked
    /// soon after, and comes back on a later day to the groups that kept them.
    fn spammer(&mut self, groups: &[Group], person: u32) {
        let mut campaign_rng = Rng::stream(self.seed, &[stream::CAMPAIGN, u64::from(person)]);
        let language = groups[campaign_rng.index(groups.len())].info.language;
        let campaign = self.campaigns.len() as u32;
        self.campaigns
            .push(text::campaign(&mut campaign_rng, language));
        let mut candidates: Vec<u32> = (0..groups.len() as u32)
            .filter(|&group| groups[group as usize].info.language == language)
            .collect();
        if candidates.len() < 2 {
            candidates = (0..groups.len() as u32).collect();
        }
        let first_day = self.rng.below(u64::from(self.days)) as u32;
        let wanted = (2 + self.rng.index(5)).min(candidates.len());
        let mut targets = Vec::with_capacity(wanted);
        for _ in 0..wanted * 8 {
            if targets.len() == wanted {
                break;
            }
            let pick = candidates[self.rng.index(candidates.len())];
            if !targets.contains(&pick) {
                targets.push(pick);
            }
        }

        let spree_start = self.rng.between(9 * HOUR, 21 * HOUR + 30 * MINUTE);
        let mut at = self.clock.at_local(first_day, spree_start);
        let mut joined: Vec<u32> = Vec::new();
        for (position, &group_index) in targets.iter().enumerate() {
            let group = &groups[group_index as usize];
            at += self.rng.between(10 * SECOND, MINUTE);
            let join_at = Clock::off_midnight(at);
            if join_at >= self.end() {
                break;
            }
            let mut request = None;
            if group.info.requires_approval {
                let asked =
                    Clock::off_midnight(join_at - self.rng.between(30 * SECOND, 5 * MINUTE));
                let number = self.next_request;
                self.next_request += 1;
                // Some requests are refused, but the spree keeps at least two groups.
                let still_possible = joined.len() + targets.len() - position - 1;
                if still_possible >= 2 && self.rng.chance(0.4) {
                    let refused = DeniedRequest {
                        at: asked,
                        person,
                        group: group_index,
                        number,
                    };
                    self.denied_requests.push(refused);
                    continue;
                }
                request = Some((asked, number));
            }
            let index = self.memberships.len() as u32;
            let mut membership = self.blank(person, group_index, join_at);
            membership.spammer = true;
            membership.request = request;
            if self.rng.chance(0.5) {
                membership.link = Some(group.draw_link(&mut self.rng) as u8);
            }
            self.memberships.push(membership);
            let post_at = join_at + self.rng.between(30 * SECOND, 3 * MINUTE);
            // The first two posts of a spree are the exact same text; later ones may vary.
            let variant = if joined.len() < 2 {
                0
            } else {
                self.rng.below(4) as u8
            };
            self.post(groups, (index, campaign), post_at, variant, 0.75);
            joined.push(index);
        }

        // Later sprees in the groups that did not kick the spammer out.
        let mut day = first_day;
        for _ in 0..self.rng.below(3) {
            day += 1 + self.rng.below(5) as u32;
            if day >= self.days {
                break;
            }
            let spree_start = self.rng.between(9 * HOUR, 21 * HOUR + 30 * MINUTE);
            let mut at = self.clock.at_local(day, spree_start);
            for &index in &joined {
                at += self.rng.between(20 * SECOND, 90 * SECOND);
                if self.memberships[index as usize].is_present(at) {
                    let variant = self.rng.below(4) as u8;
                    self.post(groups, (index, campaign), at, variant, 0.6);
                }
            }
        }
    }

    /// One ad, perhaps recalled by an admin, perhaps followed by a kick.
    fn post(
        &mut self,
        groups: &[Group],
        (membership, campaign): (u32, u32),
        at: i64,
        variant: u8,
        kick_chance: f64,
    ) {
        let at = Clock::off_midnight(at);
        let Some(current) = self.memberships.get(membership as usize) else {
            return;
        };
        if at >= self.end() || !current.is_present(at) {
            return;
        }
        let group = &groups[current.group as usize];
        let leave_at = current.leave_at;
        let mut recall = None;
        let mut settled = at;
        if self.rng.chance(0.25) {
            let recall_at = Clock::off_midnight(at + self.rng.between(30 * SECOND, 4 * MINUTE));
            // A recall refers to its ad within the same day's batch of events.
            if Clock::day_of(recall_at) == Clock::day_of(at) && recall_at < leave_at {
                recall = Some((recall_at, group.staff_member(&mut self.rng)));
                settled = recall_at;
            }
        }
        self.ad_posts.push(AdPost {
            at,
            membership,
            campaign,
            variant,
            recall,
        });
        if self.rng.chance(kick_chance) {
            let kick_at = Clock::off_midnight(settled + self.rng.between(2 * MINUTE, 60 * MINUTE));
            if kick_at < self.end() && kick_at < leave_at {
                let kicker = group.staff_member(&mut self.rng);
                if let Some(kicked) = self.memberships.get_mut(membership as usize) {
                    kicked.leave_at = kick_at;
                    kicked.kicked_by = Some(kicker);
                }
            }
        }
    }
}

/// New members often come through an existing one (a referral), otherwise through a channel's
/// invite link. Decided once everyone's join time is known.
fn assign_inviters(
    rng: &mut Rng,
    groups: &[Group],
    persons: &[Person],
    memberships: &mut [Membership],
) {
    let mut by_group: Vec<Vec<u32>> = vec![Vec::new(); groups.len()];
    for (index, membership) in memberships.iter().enumerate() {
        by_group[membership.group as usize].push(index as u32);
    }
    for members in &mut by_group {
        members.sort_by_key(|&index| (memberships[index as usize].join_at, index));
    }
    let mut decisions = Vec::new();
    for (index, membership) in memberships.iter().enumerate() {
        if membership.initial || membership.spammer {
            continue;
        }
        let group = &groups[membership.group as usize];
        let members = &by_group[membership.group as usize];
        let earlier = members
            .partition_point(|&other| memberships[other as usize].join_at < membership.join_at);
        let mut inviter: Option<u32> = None;
        if earlier > 0 && rng.chance(0.35) {
            // Two tries, keeping the more active candidate: core members invite more people.
            for _ in 0..2 {
                let candidate = &memberships[members[rng.index(earlier)] as usize];
                let valid = candidate.leave_at > membership.join_at
                    && !candidate.spammer
                    && candidate.person != membership.person;
                let better = inviter.is_none_or(|current| {
                    persons[candidate.person as usize].weight > persons[current as usize].weight
                });
                if valid && better {
                    inviter = Some(candidate.person);
                }
            }
        }
        let link = match inviter {
            Some(_) => rng.chance(0.8).then_some(group.friend_link),
            None => rng.chance(0.8).then(|| group.draw_link(rng)),
        };
        decisions.push((index, inviter, link));
    }
    for (index, inviter, link) in decisions {
        memberships[index].inviter = inviter;
        memberships[index].link = link.map(|link| link as u8);
    }
}

/// The per-group lists that the daily generation draws from.
fn index_groups(groups: &mut [Group], memberships: &[Membership]) {
    for (index, membership) in memberships.iter().enumerate() {
        let group = &mut groups[membership.group as usize];
        if membership.weight > 0.0 {
            let total = group.total_weight() + membership.weight;
            group.writers.push(index as u32);
            group.writer_cumulative.push(total);
        }
        if membership.sign_in != SignInHabit::Never {
            group.signers.push(index as u32);
        }
    }
}
