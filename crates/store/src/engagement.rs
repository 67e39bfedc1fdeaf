//! Engagement's state beyond points: settings documents (see [`Documents`]), the welcome batch of
//! each group, nickname reminders, profiles from self-introductions, keyword answers' cooldowns
//! and the questions members asked. The feature writes through the [`Writer`] inside the event's
//! transaction; the console reads through [`Database`].

use chrono::{DateTime, Utc};
use steward_domain::{Action, ActionRequest};

use crate::moderation::{Documents, effective_rules};
use crate::sql::Row;
use crate::writer::{action_json, enqueue_after};
use crate::{Database, StoreError, Writer};

/// The welcome of a group: when the last one was asked for (by the join's own time) and the
/// queued message that joins arriving soon after it are added to, while it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WelcomeState {
    pub last_at: i64,
    pub outbox_id: Option<i64>,
    /// The members of the waiting batch, as the feature wrote them (JSON).
    pub members: String,
}

/// What a self-introduction said, as the feature parsed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub city: Option<String>,
    pub hours: Option<String>,
    pub occupation: Option<String>,
    pub interests: Option<String>,
    /// The introduction itself.
    pub intro: String,
    /// `(kind, tag)`: kinds are `region`, `occupation`, `interest`, `expertise`.
    pub tags: Vec<(String, String)>,
    pub updated_at: i64,
}

/// A member whose question nobody answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenQuestion {
    pub event_id: i64,
    pub group_id: i64,
    pub group_title: String,
    pub member_id: i64,
    pub member_name: String,
    pub text: String,
    pub time: i64,
}

/// A member's join screening in a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    /// `pending`, `passed` or `failed`.
    pub status: String,
    pub attempts: i64,
    /// The queued removal of a pending member.
    pub outbox_id: Option<i64>,
    /// When the pending member must have answered (the join's time plus the limit).
    pub deadline: Option<i64>,
}

/// What became of a code a member gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeUse {
    /// Accepted; its kind (`invite`, `paid`).
    Used(String),
    Unknown,
    /// Not valid in this group, or of a kind the group does not take.
    NotHere,
    Expired,
    UsedUp,
}

/// A join code as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinCode {
    pub code: String,
    pub scope: String,
    pub kind: String,
    pub max_uses: i64,
    pub uses: i64,
    pub expires_at: Option<i64>,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A member's name and nickname in a group, for the nickname rule's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nickname {
    pub member_id: i64,
    pub name: String,
    pub nickname: Option<String>,
    pub reminders: i64,
}

impl Writer {
    /// The engagement settings document in force for a group, if any is stored.
    pub fn engagement_rules(&mut self, group_id: i64) -> Result<Option<String>, StoreError> {
        effective_rules(self.conn.as_mut(), Documents::Engagement, group_id)
    }

    /// Queues an action that waits until `not_before` (a welcome collecting joins, say).
    pub fn enqueue_after(
        &mut self,
        event_id: Option<i64>,
        request: &ActionRequest,
        now: DateTime<Utc>,
        not_before: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        enqueue_after(self.conn.as_mut(), event_id, request, now, not_before)
    }

    /// Rewrites a queued action that no adapter has claimed yet; `false` when one has (or it is
    /// gone), and then the old action stands.
    pub fn amend_pending(&mut self, outbox_id: i64, action: &Action) -> Result<bool, StoreError> {
        let json = action_json(action)?;
        Ok(self.conn.execute(
            "UPDATE outbox SET action = $2 WHERE id = $1 AND status = 'pending'",
            &[outbox_id.into(), json.as_str().into()],
        )? > 0)
    }

    pub fn welcome_state(&mut self, group_id: i64) -> Result<Option<WelcomeState>, StoreError> {
        self.conn
            .query_opt(
                "SELECT last_at, outbox_id, members FROM welcome_state WHERE group_id = $1",
                &[group_id.into()],
            )?
            .map(|row| {
                Ok(WelcomeState {
                    last_at: row.int(0)?,
                    outbox_id: row.opt_int(1)?,
                    members: row.text(2)?,
                })
            })
            .transpose()
    }

    pub fn set_welcome_state(
        &mut self,
        group_id: i64,
        state: &WelcomeState,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO welcome_state (group_id, last_at, outbox_id, members) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (group_id) DO UPDATE \
             SET last_at = $2, outbox_id = $3, members = $4",
            &[
                group_id.into(),
                state.last_at.into(),
                state.outbox_id.into(),
                state.members.as_str().into(),
            ],
        )?;
        Ok(())
    }

    /// The group set a group belongs to.
    pub fn group_set_of(&mut self, group_id: i64) -> Result<Option<String>, StoreError> {
        self.conn
            .query_opt(
                "SELECT set_name FROM group_sets WHERE group_id = $1",
                &[group_id.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
    }

    /// A group's title (its chat id when it has none) and member count.
    pub fn group_facts(&mut self, group_id: i64) -> Result<(String, i64), StoreError> {
        let row = self.conn.query_opt(
            "SELECT COALESCE(title, chat), member_count FROM groups WHERE id = $1",
            &[group_id.into()],
        )?;
        match row {
            Some(row) => Ok((row.text(0)?, row.int(1)?)),
            None => Ok((String::new(), 0)),
        }
    }

    /// The name a member of a group goes by there: their nickname, else their name.
    pub fn name_in_group(
        &mut self,
        group_id: i64,
        platform: &str,
        user_id: &str,
    ) -> Result<Option<String>, StoreError> {
        self.conn
            .query_opt(
                "SELECT COALESCE(s.nickname, m.name) FROM members m LEFT JOIN memberships s \
                 ON s.member_id = m.id AND s.group_id = $1 WHERE m.platform = $2 AND m.user_id = $3",
                &[group_id.into(), platform.into(), user_id.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
    }

    /// How often a member was reminded of the nickname rule, and when last (message time).
    pub fn nickname_reminders(
        &mut self,
        group_id: i64,
        member_id: i64,
    ) -> Result<(i64, Option<i64>), StoreError> {
        let row = self.conn.query_opt(
            "SELECT count, last_at FROM nickname_reminders WHERE group_id = $1 AND member_id = $2",
            &[group_id.into(), member_id.into()],
        )?;
        match row {
            Some(row) => Ok((row.int(0)?, Some(row.int(1)?))),
            None => Ok((0, None)),
        }
    }

    pub fn note_nickname_reminder(
        &mut self,
        group_id: i64,
        member_id: i64,
        time: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO nickname_reminders (group_id, member_id, count, last_at) \
             VALUES ($1, $2, 1, $3) ON CONFLICT (group_id, member_id) DO UPDATE \
             SET count = nickname_reminders.count + 1, last_at = $3",
            &[group_id.into(), member_id.into(), time.into()],
        )?;
        Ok(())
    }

    /// Stores what a self-introduction said; a later introduction replaces an earlier one (by
    /// the messages' own time), and its tags replace the earlier tags.
    pub fn save_profile(
        &mut self,
        member_id: i64,
        profile: &Profile,
        event_id: i64,
    ) -> Result<bool, StoreError> {
        let changed = self.conn.execute(
            "INSERT INTO profiles (member_id, city, hours, occupation, interests, intro, event_id, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (member_id) DO UPDATE \
             SET city = $2, hours = $3, occupation = $4, interests = $5, intro = $6, \
             event_id = $7, updated_at = $8 WHERE profiles.updated_at <= $8",
            &[
                member_id.into(),
                profile.city.as_deref().into(),
                profile.hours.as_deref().into(),
                profile.occupation.as_deref().into(),
                profile.interests.as_deref().into(),
                profile.intro.as_str().into(),
                event_id.into(),
                profile.updated_at.into(),
            ],
        )?;
        if changed == 0 {
            return Ok(false);
        }
        self.conn.execute(
            "DELETE FROM profile_tags WHERE member_id = $1",
            &[member_id.into()],
        )?;
        for (kind, tag) in &profile.tags {
            self.conn.execute(
                "INSERT INTO profile_tags (member_id, kind, tag) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
                &[member_id.into(), kind.as_str().into(), tag.as_str().into()],
            )?;
        }
        Ok(true)
    }

    /// When a keyword answer was last given in a group (message time).
    pub fn answer_given_at(
        &mut self,
        group_id: i64,
        entry: &str,
    ) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_opt(
                "SELECT last_at FROM answer_cooldowns WHERE group_id = $1 AND entry = $2",
                &[group_id.into(), entry.into()],
            )?
            .map(|row| row.int(0))
            .transpose()
    }

    pub fn note_answer(&mut self, group_id: i64, entry: &str, time: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO answer_cooldowns (group_id, entry, last_at) VALUES ($1, $2, $3) \
             ON CONFLICT (group_id, entry) DO UPDATE SET last_at = $3",
            &[group_id.into(), entry.into(), time.into()],
        )?;
        Ok(())
    }

    /// Records a message as a question waiting for an answer.
    pub fn record_question(
        &mut self,
        event_id: i64,
        group_id: i64,
        member_id: i64,
        time: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO questions (event_id, group_id, member_id, time) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING",
            &[
                event_id.into(),
                group_id.into(),
                member_id.into(),
                time.into(),
            ],
        )?;
        Ok(())
    }

    /// Marks the open question whose message has the dedup key `question` answered by
    /// `member_id` (`None`: the bot's keyword answer), unless it is the asker's own reply.
    /// Returns the asker when a question was answered.
    pub fn answer_question(
        &mut self,
        question: &str,
        member_id: Option<i64>,
        time: i64,
    ) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_opt(
                "UPDATE questions SET answered_at = $3, answered_by = $2 \
                 WHERE event_id = (SELECT id FROM events WHERE dedup_key = $1) \
                 AND answered_at IS NULL \
                 AND (CAST($2 AS BIGINT) IS NULL OR member_id <> $2) RETURNING member_id",
                &[question.into(), member_id.into(), time.into()],
            )?
            .map(|row| row.int(0))
            .transpose()
    }
}

impl Writer {
    /// Uses one of a code's uses for a member joining a group, if the code is valid there, of
    /// one of `kinds`, unexpired at `time` and not used up.
    #[allow(clippy::too_many_arguments)]
    pub fn use_join_code(
        &mut self,
        code: &str,
        group_id: i64,
        kinds: &[&str],
        member_id: i64,
        event_id: i64,
        time: i64,
    ) -> Result<CodeUse, StoreError> {
        let Some(row) = self.conn.query_opt(
            "SELECT scope, kind, max_uses, uses, expires_at, revoked_at FROM join_codes \
             WHERE code = $1",
            &[code.into()],
        )?
        else {
            return Ok(CodeUse::Unknown);
        };
        let (scope, kind) = (row.text(0)?, row.text(1)?);
        let set = self.group_set_of(group_id)?;
        let here = scope == crate::moderation::DEFAULT_SCOPE
            || scope == crate::moderation::group_scope(group_id)
            || set.is_some_and(|set| scope == crate::moderation::set_scope(&set));
        if !here || !kinds.contains(&kind.as_str()) || row.opt_int(5)?.is_some() {
            return Ok(CodeUse::NotHere);
        }
        if row.opt_int(4)?.is_some_and(|expires| expires <= time) {
            return Ok(CodeUse::Expired);
        }
        if row.int(3)? >= row.int(2)? {
            return Ok(CodeUse::UsedUp);
        }
        let taken = self.conn.execute(
            "UPDATE join_codes SET uses = uses + 1 WHERE code = $1 AND uses < max_uses",
            &[code.into()],
        )?;
        if taken == 0 {
            return Ok(CodeUse::UsedUp);
        }
        self.conn.execute(
            "INSERT INTO join_code_uses (code, group_id, member_id, event_id, time) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                code.into(),
                group_id.into(),
                member_id.into(),
                event_id.into(),
                time.into(),
            ],
        )?;
        Ok(CodeUse::Used(kind))
    }

    pub fn screening(
        &mut self,
        group_id: i64,
        member_id: i64,
    ) -> Result<Option<Screening>, StoreError> {
        self.conn
            .query_opt(
                "SELECT status, attempts, outbox_id, deadline FROM screenings \
                 WHERE group_id = $1 AND member_id = $2",
                &[group_id.into(), member_id.into()],
            )?
            .map(|row| {
                Ok(Screening {
                    status: row.text(0)?,
                    attempts: row.int(1)?,
                    outbox_id: row.opt_int(2)?,
                    deadline: row.opt_int(3)?,
                })
            })
            .transpose()
    }

    pub fn set_screening(
        &mut self,
        group_id: i64,
        member_id: i64,
        screening: &Screening,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO screenings (group_id, member_id, status, attempts, outbox_id, deadline) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (group_id, member_id) DO UPDATE \
             SET status = $3, attempts = $4, outbox_id = $5, deadline = $6",
            &[
                group_id.into(),
                member_id.into(),
                screening.status.as_str().into(),
                screening.attempts.into(),
                screening.outbox_id.into(),
                screening.deadline.into(),
            ],
        )?;
        Ok(())
    }

    /// Withdraws a queued action no adapter has taken yet; `false` when one has.
    pub fn cancel_pending(
        &mut self,
        outbox_id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = $2, updated_at = $3 \
             WHERE id = $1 AND status = 'pending'",
            &[
                outbox_id.into(),
                reason.into(),
                now.timestamp_millis().into(),
            ],
        )? > 0)
    }
}

impl Database {
    /// Stores new join codes.
    #[allow(clippy::too_many_arguments)]
    pub fn issue_join_codes(
        &self,
        codes: &[String],
        scope: &str,
        kind: &str,
        max_uses: i64,
        expires_at: Option<i64>,
        note: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.in_transaction(|conn| {
            for code in codes {
                conn.execute(
                    "INSERT INTO join_codes (code, scope, kind, max_uses, expires_at, note, \
                     created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        code.as_str().into(),
                        scope.into(),
                        kind.into(),
                        max_uses.into(),
                        expires_at.into(),
                        note.into(),
                        by.into(),
                        now.timestamp_millis().into(),
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// Join codes, newest first.
    pub fn join_codes(&self, limit: i64) -> Result<Vec<JoinCode>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                &format!("{JOIN_CODE} ORDER BY created_at DESC, code LIMIT $1"),
                &[limit.into()],
            )?;
            rows.iter().map(join_code).collect()
        })
    }

    pub fn join_code(&self, code: &str) -> Result<Option<JoinCode>, StoreError> {
        self.with_conn(|conn| {
            conn.query_opt(&format!("{JOIN_CODE} WHERE code = $1"), &[code.into()])?
                .map(|row| join_code(&row))
                .transpose()
        })
    }

    pub fn revoke_join_code(&self, code: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            Ok(conn.execute(
                "UPDATE join_codes SET revoked_at = $2 WHERE code = $1 AND revoked_at IS NULL",
                &[code.into(), now.timestamp_millis().into()],
            )? > 0)
        })
    }

    /// A member's profile from their latest self-introduction.
    pub fn profile(&self, member_id: i64) -> Result<Option<Profile>, StoreError> {
        self.with_conn(|conn| {
            let Some(row) = conn.query_opt(
                "SELECT city, hours, occupation, interests, intro, updated_at FROM profiles \
                 WHERE member_id = $1",
                &[member_id.into()],
            )?
            else {
                return Ok(None);
            };
            let tags = conn.query(
                "SELECT kind, tag FROM profile_tags WHERE member_id = $1 ORDER BY kind, tag",
                &[member_id.into()],
            )?;
            Ok(Some(Profile {
                city: row.opt_text(0)?,
                hours: row.opt_text(1)?,
                occupation: row.opt_text(2)?,
                interests: row.opt_text(3)?,
                intro: row.text(4)?,
                updated_at: row.int(5)?,
                tags: tags
                    .iter()
                    .map(|row| Ok((row.text(0)?, row.text(1)?)))
                    .collect::<Result<_, StoreError>>()?,
            }))
        })
    }

    /// The active members of a group with their names, nicknames and reminders so far.
    pub fn nicknames(&self, group_id: i64) -> Result<Vec<Nickname>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                "SELECT m.id, m.name, s.nickname, COALESCE(r.count, 0) FROM memberships s \
                 JOIN members m ON m.id = s.member_id LEFT JOIN nickname_reminders r \
                 ON r.group_id = s.group_id AND r.member_id = s.member_id \
                 WHERE s.group_id = $1 AND s.status = 'active' AND m.is_bot = 0 ORDER BY m.id",
                &[group_id.into()],
            )?;
            rows.iter()
                .map(|row| {
                    Ok(Nickname {
                        member_id: row.int(0)?,
                        name: row.text(1)?,
                        nickname: row.opt_text(2)?,
                        reminders: row.int(3)?,
                    })
                })
                .collect()
        })
    }

    /// Questions asked before `before` (ms) that nobody answered, newest first (as recorded); of
    /// one group when `group_id` is given.
    pub fn open_questions(
        &self,
        group_id: Option<i64>,
        before: i64,
        limit: i64,
    ) -> Result<Vec<OpenQuestion>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                &match group_id {
                    // One group's: read through the messages' (group, time) index, newest first.
                    Some(_) => format!(
                        "{OPEN_QUESTION} FROM messages x JOIN questions q ON q.event_id = x.event_id \
                         {OPEN_JOINS} WHERE x.group_id = $2 AND x.time < $1 \
                         AND q.answered_at IS NULL ORDER BY x.time DESC LIMIT $3"
                    ),
                    // Every group's: the newest questions first, by their key.
                    None => format!(
                        "{OPEN_QUESTION} FROM questions q LEFT JOIN messages x \
                         ON x.event_id = q.event_id {OPEN_JOINS} WHERE q.time < $1 \
                         AND q.answered_at IS NULL AND CAST($2 AS BIGINT) IS NULL \
                         ORDER BY q.event_id DESC LIMIT $3"
                    ),
                },
                &[before.into(), group_id.into(), limit.into()],
            )?;
            rows.iter().map(open_question).collect()
        })
    }
}

const JOIN_CODE: &str = "SELECT code, scope, kind, max_uses, uses, expires_at, note, created_by, \
     created_at, revoked_at FROM join_codes";

fn join_code(row: &Row) -> Result<JoinCode, StoreError> {
    Ok(JoinCode {
        code: row.text(0)?,
        scope: row.text(1)?,
        kind: row.text(2)?,
        max_uses: row.int(3)?,
        uses: row.int(4)?,
        expires_at: row.opt_int(5)?,
        note: row.text(6)?,
        created_by: row.text(7)?,
        created_at: row.int(8)?,
        revoked_at: row.opt_int(9)?,
    })
}

const OPEN_QUESTION: &str = "SELECT q.event_id, q.group_id, COALESCE(g.title, g.chat), \
     q.member_id, m.name, COALESCE(x.text, ''), q.time";
const OPEN_JOINS: &str = "JOIN groups g ON g.id = q.group_id JOIN members m ON m.id = q.member_id";

fn open_question(row: &Row) -> Result<OpenQuestion, StoreError> {
    Ok(OpenQuestion {
        event_id: row.int(0)?,
        group_id: row.int(1)?,
        group_title: row.text(2)?,
        member_id: row.int(3)?,
        member_name: row.text(4)?,
        text: row.text(5)?,
        time: row.int(6)?,
    })
}

/// An invitation waiting for the invited member's first week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub event_id: i64,
    pub group_id: i64,
    pub member_id: i64,
    pub inviter_member_id: i64,
    pub joined_at: i64,
    pub points: i64,
    pub day: i64,
}

/// A member whose birthday it is, in a group the bot can speak in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BirthdayMember {
    pub group_id: i64,
    pub member_id: i64,
    pub user_id: String,
    pub name: String,
}

impl Writer {
    /// A member's balance, the days they signed in and the questions they answered, in a group.
    pub fn member_stats(
        &mut self,
        group_id: i64,
        member_id: i64,
    ) -> Result<(i64, i64, i64), StoreError> {
        let row = self.conn.query_opt(
            "SELECT (SELECT COALESCE(MAX(balance), 0) FROM points_balances \
              WHERE group_id = $1 AND member_id = $2), \
             (SELECT COUNT(*) FROM checkins WHERE group_id = $1 AND member_id = $2), \
             (SELECT COUNT(*) FROM points_ledger WHERE group_id = $1 AND member_id = $2 \
              AND reason = 'answer')",
            &[group_id.into(), member_id.into()],
        )?;
        match row {
            Some(row) => Ok((row.int(0)?, row.int(1)?, row.int(2)?)),
            None => Ok((0, 0, 0)),
        }
    }

    pub fn level_of(&mut self, group_id: i64, member_id: i64) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_opt(
                "SELECT level FROM levels WHERE group_id = $1 AND member_id = $2",
                &[group_id.into(), member_id.into()],
            )?
            .map(|row| row.int(0))
            .transpose()
    }

    pub fn set_level(
        &mut self,
        group_id: i64,
        member_id: i64,
        level: i64,
        title: &str,
        time: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO levels (group_id, member_id, level, title, reached_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (group_id, member_id) DO UPDATE \
             SET level = $3, title = $4, reached_at = $5",
            &[
                group_id.into(),
                member_id.into(),
                level.into(),
                title.into(),
                time.into(),
            ],
        )?;
        Ok(())
    }

    /// Gives a badge once; `true` when it is new.
    pub fn award_badge(
        &mut self,
        group_id: i64,
        member_id: i64,
        badge: &str,
        event_id: i64,
        time: i64,
    ) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "INSERT INTO badges (group_id, member_id, badge, event_id, time) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[
                group_id.into(),
                member_id.into(),
                badge.into(),
                event_id.into(),
                time.into(),
            ],
        )? > 0)
    }

    /// A platform account's member id.
    pub fn member_id_of(
        &mut self,
        platform: &str,
        user_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_opt(
                "SELECT id FROM members WHERE platform = $1 AND user_id = $2",
                &[platform.into(), user_id.into()],
            )?
            .map(|row| row.int(0))
            .transpose()
    }

    /// Remembers an invitation, paid to the inviter when the member stays a week.
    pub fn record_invite(&mut self, invite: &Invite) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO invites (event_id, group_id, member_id, inviter_member_id, joined_at, \
             points, day) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING",
            &[
                invite.event_id.into(),
                invite.group_id.into(),
                invite.member_id.into(),
                invite.inviter_member_id.into(),
                invite.joined_at.into(),
                invite.points.into(),
                invite.day.into(),
            ],
        )?;
        Ok(())
    }

    /// Stores a member's birthday (`MM-DD`).
    pub fn set_birthday(
        &mut self,
        member_id: i64,
        birthday: &str,
        event_id: i64,
        time: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO profiles (member_id, intro, event_id, updated_at, birthday) \
             VALUES ($1, '', $2, $3, $4) ON CONFLICT (member_id) DO UPDATE SET birthday = $4",
            &[
                member_id.into(),
                event_id.into(),
                time.into(),
                birthday.into(),
            ],
        )?;
        Ok(())
    }
}

impl Database {
    /// Invitations whose member joined before `cutoff`.
    pub fn due_invites(&self, cutoff: i64) -> Result<Vec<Invite>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                "SELECT event_id, group_id, member_id, inviter_member_id, joined_at, points, day \
                 FROM invites WHERE joined_at <= $1 ORDER BY event_id LIMIT 1000",
                &[cutoff.into()],
            )?;
            rows.iter()
                .map(|row| {
                    Ok(Invite {
                        event_id: row.int(0)?,
                        group_id: row.int(1)?,
                        member_id: row.int(2)?,
                        inviter_member_id: row.int(3)?,
                        joined_at: row.int(4)?,
                        points: row.int(5)?,
                        day: row.int(6)?,
                    })
                })
                .collect()
        })
    }

    /// Pays an invitation whose member is still in the group (joined then, never left since)
    /// and never paid an inviter in this group before, or drops it; either way it is settled
    /// once. Returns whether it paid.
    pub fn settle_invite(&self, invite: &Invite, day: i64, now: i64) -> Result<bool, StoreError> {
        self.in_transaction(|conn| {
            if conn.execute(
                "DELETE FROM invites WHERE event_id = $1",
                &[invite.event_id.into()],
            )? == 0
            {
                return Ok(false);
            }
            let stayed = conn
                .query_opt(
                    "SELECT 1 FROM memberships WHERE group_id = $1 AND member_id = $2 \
                     AND status = 'active' AND joined_at <= $3",
                    &[
                        invite.group_id.into(),
                        invite.member_id.into(),
                        invite.joined_at.into(),
                    ],
                )?
                .is_some();
            if !stayed {
                return Ok(false);
            }
            if conn.execute(
                "INSERT INTO invites_paid (group_id, member_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
                &[invite.group_id.into(), invite.member_id.into()],
            )? == 0
            {
                // This member paid an inviter here before.
                return Ok(false);
            }
            let credit = crate::points::Credit {
                group_id: invite.group_id,
                member_id: invite.inviter_member_id,
                amount: invite.points,
                reason: "invite",
                event_id: invite.event_id,
                day,
                time: now,
            };
            Ok(crate::points::award_on(conn, &credit)?.is_some())
        })
    }

    /// Active members whose birthday is `month_day` (`MM-DD`) and who were not greeted in
    /// `year` in that group.
    pub fn birthdays(&self, month_day: &str, year: i64) -> Result<Vec<BirthdayMember>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                "SELECT s.group_id, m.id, m.user_id, COALESCE(s.nickname, m.name) \
                 FROM profiles p JOIN memberships s ON s.member_id = p.member_id \
                 JOIN members m ON m.id = p.member_id \
                 WHERE p.birthday = $1 AND s.status = 'active' AND NOT EXISTS \
                 (SELECT 1 FROM birthday_greetings b WHERE b.group_id = s.group_id \
                  AND b.member_id = p.member_id AND b.year = $2) \
                 ORDER BY s.group_id, m.id",
                &[month_day.into(), year.into()],
            )?;
            rows.iter()
                .map(|row| {
                    Ok(BirthdayMember {
                        group_id: row.int(0)?,
                        member_id: row.int(1)?,
                        user_id: row.text(2)?,
                        name: row.text(3)?,
                    })
                })
                .collect()
        })
    }

    /// Records the greetings of `members` in a group and queues the message, once: `false` when
    /// they were greeted already (another instance, a second pass).
    pub fn greet_birthdays(
        &self,
        group_id: i64,
        members: &[i64],
        year: i64,
        request: &ActionRequest,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.in_transaction(|conn| {
            let mut new = 0;
            for member in members {
                new += conn.execute(
                    "INSERT INTO birthday_greetings (group_id, member_id, year) \
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    &[group_id.into(), (*member).into(), year.into()],
                )?;
            }
            if new == 0 {
                return Ok(false);
            }
            crate::writer::enqueue_on(conn, None, request, now)?;
            Ok(true)
        })
    }

    /// A member's level and badges in each group: `(group title, level title, badges)`.
    pub fn rewards_of(
        &self,
        member_id: i64,
    ) -> Result<Vec<(String, String, Vec<String>)>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                "SELECT COALESCE(g.title, g.chat), COALESCE(l.title, ''), \
                 (SELECT COUNT(*) FROM badges b WHERE b.group_id = g.id AND b.member_id = $1), g.id \
                 FROM groups g LEFT JOIN levels l ON l.group_id = g.id AND l.member_id = $1 \
                 WHERE l.member_id IS NOT NULL OR EXISTS \
                 (SELECT 1 FROM badges b WHERE b.group_id = g.id AND b.member_id = $1) \
                 ORDER BY g.id",
                &[member_id.into()],
            )?;
            let mut out = Vec::new();
            for row in &rows {
                let badges = conn.query(
                    "SELECT badge FROM badges WHERE group_id = $1 AND member_id = $2 ORDER BY time",
                    &[row.int(3)?.into(), member_id.into()],
                )?;
                out.push((
                    row.text(0)?,
                    row.text(1)?,
                    badges
                        .iter()
                        .map(|badge| badge.text(0))
                        .collect::<Result<_, _>>()?,
                ));
            }
            Ok(out)
        })
    }

    /// The members of a group who did something in a period: `checkin` (signed in) and `answer`
    /// (answered a question) on the ledger's days `days`; `active` (wrote a message) between the
    /// times `times` (ms).
    pub fn lottery_candidates(
        &self,
        group_id: i64,
        rule: &str,
        days: (i64, i64),
        times: (i64, i64),
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        let sql = match rule {
            "checkin" => {
                "SELECT DISTINCT m.id, m.user_id, m.name FROM checkins c JOIN members m \
                 ON m.id = c.member_id WHERE c.group_id = $1 AND c.day >= $2 AND c.day <= $3 \
                 ORDER BY m.id"
            }
            "answer" => {
                "SELECT DISTINCT m.id, m.user_id, m.name FROM points_ledger l JOIN members m \
                 ON m.id = l.member_id WHERE l.group_id = $1 AND l.reason = 'answer' \
                 AND l.day >= $2 AND l.day <= $3 ORDER BY m.id"
            }
            _ => {
                "SELECT DISTINCT m.id, m.user_id, m.name FROM messages x JOIN members m \
                 ON m.id = x.member_id WHERE x.group_id = $1 AND x.time >= $2 AND x.time <= $3 \
                 AND m.is_bot = 0 ORDER BY m.id"
            }
        };
        self.with_conn(|conn| {
            let (first, last) = if rule == "checkin" || rule == "answer" {
                days
            } else {
                times
            };
            let rows = conn.query(sql, &[group_id.into(), first.into(), last.into()])?;
            rows.iter()
                .map(|row| Ok((row.int(0)?, row.text(1)?, row.text(2)?)))
                .collect()
        })
    }

    /// Records a drawn lottery and queues its announcement, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn record_lottery(
        &self,
        group_id: i64,
        rule: &str,
        prize: &str,
        candidates: i64,
        winners: &str,
        operator: &str,
        request: Option<&ActionRequest>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.in_transaction(|conn| {
            let id = conn.query_int(
                "INSERT INTO lotteries (group_id, rule, prize, candidates, winners, operator, time) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[
                    group_id.into(),
                    rule.into(),
                    prize.into(),
                    candidates.into(),
                    winners.into(),
                    operator.into(),
                    now.timestamp_millis().into(),
                ],
            )?;
            if let Some(request) = request {
                crate::writer::enqueue_on(conn, None, request, now)?;
            }
            Ok(id)
        })
    }
}

/// A role a member claimed in a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleClaim {
    pub group_id: i64,
    pub group_title: String,
    pub member_id: i64,
    pub user_id: String,
    pub name: String,
    pub role: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub claimed_at: i64,
}

const ROLE_CLAIM: &str = "SELECT c.group_id, COALESCE(g.title, g.chat), c.member_id, m.user_id, \
     COALESCE(s.nickname, m.name), c.role, c.status, c.claimed_at FROM role_claims c \
     JOIN groups g ON g.id = c.group_id JOIN members m ON m.id = c.member_id \
     LEFT JOIN memberships s ON s.group_id = c.group_id AND s.member_id = c.member_id";

fn role_claim(row: &Row) -> Result<RoleClaim, StoreError> {
    Ok(RoleClaim {
        group_id: row.int(0)?,
        group_title: row.text(1)?,
        member_id: row.int(2)?,
        user_id: row.text(3)?,
        name: row.text(4)?,
        role: row.text(5)?,
        status: row.text(6)?,
        claimed_at: row.int(7)?,
    })
}

impl Writer {
    /// A member claims a role: pending again unless they hold it already. Returns the status
    /// the claim has now.
    pub fn claim_role(
        &mut self,
        group_id: i64,
        member_id: i64,
        role: &str,
        event_id: i64,
        time: i64,
    ) -> Result<String, StoreError> {
        self.conn
            .query_opt(
                "INSERT INTO role_claims (group_id, member_id, role, status, event_id, claimed_at) \
                 VALUES ($1, $2, $3, 'pending', $4, $5) ON CONFLICT (group_id, member_id, role) \
                 DO UPDATE SET status = CASE WHEN role_claims.status = 'approved' \
                 THEN 'approved' ELSE 'pending' END, event_id = $4, claimed_at = $5 \
                 RETURNING status",
                &[
                    group_id.into(),
                    member_id.into(),
                    role.into(),
                    event_id.into(),
                    time.into(),
                ],
            )?
            .map(|row| row.text(0))
            .transpose()
            .map(Option::unwrap_or_default)
    }
}

impl Database {
    /// Role claims, newest first: of one group, of one member, or all.
    pub fn role_claims(
        &self,
        group_id: Option<i64>,
        member_id: Option<i64>,
    ) -> Result<Vec<RoleClaim>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                &format!(
                    "{ROLE_CLAIM} WHERE (CAST($1 AS BIGINT) IS NULL OR c.group_id = $1) \
                     AND (CAST($2 AS BIGINT) IS NULL OR c.member_id = $2) \
                     ORDER BY c.claimed_at DESC LIMIT 500"
                ),
                &[group_id.into(), member_id.into()],
            )?;
            rows.iter().map(role_claim).collect()
        })
    }

    /// An operator approves or rejects a claim; `false` when there is no such claim.
    pub fn decide_role(
        &self,
        group_id: i64,
        member_id: i64,
        role: &str,
        approve: bool,
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            Ok(conn.execute(
                "UPDATE role_claims SET status = $4, decided_by = $5, decided_at = $6 \
                 WHERE group_id = $1 AND member_id = $2 AND role = $3",
                &[
                    group_id.into(),
                    member_id.into(),
                    role.into(),
                    if approve { "approved" } else { "rejected" }.into(),
                    operator.into(),
                    now.timestamp_millis().into(),
                ],
            )? > 0)
        })
    }

    /// Queues a role's reminder for day `day`, once; `false` when it went out already.
    pub fn remind_role(
        &self,
        group_id: i64,
        role: &str,
        day: i64,
        request: &ActionRequest,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.in_transaction(|conn| {
            if conn.execute(
                "INSERT INTO role_reminders (group_id, role, day) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
                &[group_id.into(), role.into(), day.into()],
            )? == 0
            {
                return Ok(false);
            }
            crate::writer::enqueue_on(conn, None, request, now)?;
            Ok(true)
        })
    }

    /// The approved holders of each role in every group: `(group id, role, user ids)`.
    pub fn role_holders(&self) -> Result<Vec<(i64, String, Vec<String>)>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.query(
                "SELECT c.group_id, c.role, m.user_id FROM role_claims c \
                 JOIN members m ON m.id = c.member_id JOIN memberships s \
                 ON s.group_id = c.group_id AND s.member_id = c.member_id \
                 WHERE c.status = 'approved' AND s.status = 'active' \
                 ORDER BY c.group_id, c.role, m.id",
                &[],
            )?;
            let mut out: Vec<(i64, String, Vec<String>)> = Vec::new();
            for row in &rows {
                let (group, role, user) = (row.int(0)?, row.text(1)?, row.text(2)?);
                match out.last_mut() {
                    Some((g, r, users)) if *g == group && *r == role => users.push(user),
                    _ => out.push((group, role, vec![user])),
                }
            }
            Ok(out)
        })
    }
}
