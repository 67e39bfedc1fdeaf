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
                "SELECT code, scope, kind, max_uses, uses, expires_at, note, created_by, \
                 created_at, revoked_at FROM join_codes ORDER BY created_at DESC, code LIMIT $1",
                &[limit.into()],
            )?;
            rows.iter()
                .map(|row| {
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
                })
                .collect()
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
                "SELECT q.event_id, q.group_id, COALESCE(g.title, g.chat), q.member_id, m.name, \
                 COALESCE(x.text, ''), q.time FROM questions q JOIN groups g ON g.id = q.group_id \
                 JOIN members m ON m.id = q.member_id LEFT JOIN messages x ON x.event_id = q.event_id \
                 WHERE q.answered_at IS NULL AND q.time < $1 \
                 AND (CAST($2 AS BIGINT) IS NULL OR q.group_id = $2) \
                 ORDER BY q.event_id DESC LIMIT $3",
                &[before.into(), group_id.into(), limit.into()],
            )?;
            rows.iter().map(open_question).collect()
        })
    }
}

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
