//! The pipeline's side of the store: record an event and the state it changes, and queue actions,
//! inside transactions the pipeline controls. One `Writer` per writer thread.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use steward_domain::{
    ActionRequest, Event, EventKind, InvalidEvent, LeaveReason, MemberProfile, Platform, UserId,
};

use crate::sql::Conn;
use crate::sqlite::CheckpointProgress;
use crate::{Dialect, StoreError};

/// An event checked and serialised ahead of the writer, so that the one writer thread spends its
/// time on the database only.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    pub event: Event,
    pub dedup_key: String,
    pub payload: String,
    /// The message's readable text (empty for other kinds).
    pub text: String,
}

impl PreparedEvent {
    pub fn new(event: Event) -> Result<PreparedEvent, InvalidEvent> {
        event.validate()?;
        let payload =
            serde_json::to_string(&event).map_err(|err| InvalidEvent::Json(err.to_string()))?;
        Ok(PreparedEvent {
            dedup_key: event.dedup_key(),
            text: event.plain_text(),
            payload,
            event,
        })
    }
}

/// Where a newly recorded event landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub group_id: i64,
    pub member_id: i64,
    /// For a message or a join: when the member last joined the group (`None`: before Steward
    /// was there). Read while the membership is updated anyway, so features need not ask.
    pub joined_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New(StoredEvent),
    /// Seen before: nothing was changed.
    Duplicate,
}

pub struct Writer {
    pub(crate) conn: Box<dyn Conn>,
    /// Where groups, persons and members are created and renamed. On PostgreSQL a second
    /// connection in autocommit mode: these identity rows are shared by all writers, and creating
    /// them inside the batch transactions would make writers wait on each other's uncommitted
    /// rows (and deadlock). They are harmless to keep when a batch rolls back, and a rename is
    /// "the newest name". On SQLite, with its one writer, `None`: the batch's own connection.
    identity: Option<Box<dyn Conn>>,
    /// SQLite only: the background checkpointer's progress, see `sqlite::Checkpointer`.
    checkpoints: Option<Arc<CheckpointProgress>>,
    checkpoint_passes_seen: u64,
    dialect: Dialect,
    in_transaction: bool,
    // Ids of rows that are never deleted, so that the hot path skips the lookups. They are
    // forgotten whenever a transaction or savepoint rolls back, since the rows may be gone.
    groups: HashMap<(Platform, String), i64>,
    members: HashMap<(Platform, String), (i64, String)>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("in_transaction", &self.in_transaction)
            .finish()
    }
}

impl Writer {
    pub(crate) fn new(
        conn: Box<dyn Conn>,
        identity: Option<Box<dyn Conn>>,
        checkpoints: Option<Arc<CheckpointProgress>>,
        dialect: Dialect,
    ) -> Writer {
        Writer {
            conn,
            identity,
            checkpoints,
            checkpoint_passes_seen: 0,
            dialect,
            in_transaction: false,
            groups: HashMap::new(),
            members: HashMap::new(),
        }
    }

    pub fn begin(&mut self) -> Result<(), StoreError> {
        self.conn.batch(self.dialect.begin)?;
        self.in_transaction = true;
        Ok(())
    }

    pub fn commit(&mut self) -> Result<(), StoreError> {
        self.in_transaction = false;
        let result = self.conn.batch("COMMIT");
        if result.is_err() {
            self.forget();
            let _ = self.conn.batch("ROLLBACK");
        }
        result
    }

    /// Housekeeping between two batches, outside any transaction. On SQLite: after each pass of
    /// the background checkpointer, finish its checkpoint here so that the write-ahead log starts
    /// again from the beginning (see `sqlite::Checkpointer`). Cheap: only the frames written since
    /// the pass are left to copy.
    pub fn after_commit(&mut self) -> Result<(), StoreError> {
        let Some(progress) = &self.checkpoints else {
            return Ok(());
        };
        let passes = progress.passes.load(Ordering::Acquire);
        if passes == self.checkpoint_passes_seen
            || progress.log_frames.load(Ordering::Acquire) < crate::sqlite::FINISH_AT_FRAMES
        {
            return Ok(());
        }
        self.checkpoint_passes_seen = passes;
        if progress.finish_without_sync {
            // The background thread, woken right away, fsyncs the database file.
            self.conn.batch("PRAGMA synchronous = OFF")?;
            let finished = self.conn.query("PRAGMA wal_checkpoint(PASSIVE)", &[]);
            self.conn.batch("PRAGMA synchronous = NORMAL")?;
            progress.request_sync();
            finished?;
        } else {
            self.conn.query("PRAGMA wal_checkpoint(PASSIVE)", &[])?;
        }
        Ok(())
    }

    pub fn rollback(&mut self) -> Result<(), StoreError> {
        self.in_transaction = false;
        self.forget();
        self.conn.batch("ROLLBACK")
    }

    /// Marks a point that [`Writer::rollback_to`] returns to, so that one event or one feature can
    /// fail without undoing the rest of the batch.
    pub fn savepoint(&mut self, name: &'static str) -> Result<(), StoreError> {
        self.conn.batch(&format!("SAVEPOINT {name}"))
    }

    pub fn release(&mut self, name: &'static str) -> Result<(), StoreError> {
        self.conn.batch(&format!("RELEASE SAVEPOINT {name}"))
    }

    pub fn rollback_to(&mut self, name: &'static str) -> Result<(), StoreError> {
        self.forget();
        self.conn.batch(&format!("ROLLBACK TO SAVEPOINT {name}"))?;
        self.release(name)
    }

    /// Past this many cached members (or groups) the caches start over, so that a deployment with
    /// millions of members does not keep them all in memory; a miss costs one indexed lookup.
    const CACHE_LIMIT: usize = 250_000;

    fn trim_caches(&mut self) {
        if self.members.len() > Self::CACHE_LIMIT {
            self.members.clear();
        }
        if self.groups.len() > Self::CACHE_LIMIT {
            self.groups.clear();
        }
    }

    fn forget(&mut self) {
        self.groups.clear();
        self.members.clear();
    }

    /// Records the event and applies the state it changes: the group, the member, the
    /// membership, the message. A redelivered event changes nothing.
    pub fn record(
        &mut self,
        prepared: &PreparedEvent,
        received_at: DateTime<Utc>,
    ) -> Result<Recorded, StoreError> {
        let event = &prepared.event;
        let time = event.time.timestamp_millis();
        self.trim_caches();
        let group_id = self.group_id(event.platform, event.chat.as_str(), time)?;
        let member_id = match &event.kind {
            EventKind::Message {
                sender: profile, ..
            }
            | EventKind::MessageEdited {
                sender: profile, ..
            }
            | EventKind::MemberJoined {
                member: profile, ..
            }
            | EventKind::JoinRequest {
                applicant: profile, ..
            }
            | EventKind::MemberSeen { member: profile } => {
                self.member_id(event.platform, profile, time)?
            }
            _ => self.member_id_by_user(event.platform, event.subject(), time)?,
        };
        let inserted = self.conn.query_opt(
            "INSERT INTO events (dedup_key, group_id, member_id, kind, account, platform_id, time, \
             received_at, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            &[
                prepared.dedup_key.as_str().into(),
                group_id.into(),
                member_id.into(),
                event.kind_name().into(),
                event.account.as_str().into(),
                event.id.as_deref().into(),
                time.into(),
                received_at.timestamp_millis().into(),
                prepared.payload.as_str().into(),
            ],
        )?;
        let Some(row) = inserted else {
            return Ok(Recorded::Duplicate);
        };
        let stored = StoredEvent {
            id: row.int(0)?,
            group_id,
            member_id,
            joined_at: None,
        };
        let joined_at = self.apply(prepared, stored, time)?;
        Ok(Recorded::New(StoredEvent {
            joined_at,
            ..stored
        }))
    }

    /// Applies the event's state; returns when the member joined (for messages and joins).
    fn apply(
        &mut self,
        prepared: &PreparedEvent,
        stored: StoredEvent,
        time: i64,
    ) -> Result<Option<i64>, StoreError> {
        let event = &prepared.event;
        let StoredEvent {
            id: event_id,
            group_id,
            member_id,
            ..
        } = stored;
        let mut joined_at = None;
        let new_messages: i64 = i64::from(matches!(event.kind, EventKind::Message { .. }));
        if let EventKind::Message {
            sender: profile, ..
        }
        | EventKind::MessageEdited {
            sender: profile, ..
        }
        | EventKind::MemberJoined {
            member: profile, ..
        }
        | EventKind::JoinRequest {
            applicant: profile, ..
        }
        | EventKind::MemberSeen { member: profile } = &event.kind
        {
            self.keep_name_current(event.platform, profile, member_id, time)?;
        }
        self.conn.execute(
            "UPDATE groups SET message_count = message_count + $2, \
             last_event_at = CASE WHEN $3 > last_event_at THEN $3 ELSE last_event_at END \
             WHERE id = $1",
            &[group_id.into(), new_messages.into(), time.into()],
        )?;
        match &event.kind {
            EventKind::Message {
                sender, reply_to, ..
            } => {
                let updated = self.conn.query_opt(
                    "UPDATE memberships SET message_count = message_count + 1, \
                     first_message_at = CASE WHEN first_message_at IS NULL OR $3 < first_message_at \
                        THEN $3 ELSE first_message_at END, \
                     last_message_at = CASE WHEN last_message_at IS NULL OR $3 > last_message_at \
                        THEN $3 ELSE last_message_at END, \
                     nickname = COALESCE($4, nickname), role = $5 \
                     WHERE group_id = $1 AND member_id = $2 RETURNING joined_at",
                    &[
                        group_id.into(),
                        member_id.into(),
                        time.into(),
                        sender.nickname.as_deref().into(),
                        sender.role.as_str().into(),
                    ],
                )?;
                if let Some(row) = updated {
                    joined_at = row.opt_int(0)?;
                } else {
                    // A member Steward never saw join: they were there before the bot.
                    self.conn.execute(
                        "INSERT INTO memberships (group_id, member_id, status, nickname, role, \
                         message_count, first_message_at, last_message_at) \
                         VALUES ($1, $2, 'active', $3, $4, 1, $5, $5)",
                        &[
                            group_id.into(),
                            member_id.into(),
                            sender.nickname.as_deref().into(),
                            sender.role.as_str().into(),
                            time.into(),
                        ],
                    )?;
                    self.change_member_count(group_id, 1)?;
                }
                let message_id = event.id.as_deref().unwrap_or_default();
                self.conn.execute(
                    "INSERT INTO messages (event_id, group_id, member_id, platform_message_id, time, \
                     text, reply_to) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        event_id.into(),
                        group_id.into(),
                        member_id.into(),
                        message_id.into(),
                        time.into(),
                        prepared.text.as_str().into(),
                        reply_to.as_ref().map(|id| id.as_str()).into(),
                    ],
                )?;
            }
            EventKind::MemberJoined {
                member,
                inviter,
                invite_link,
            } => {
                joined_at = Some(time);
                let inviter_id = match inviter {
                    Some(inviter) => Some(self.member_id_by_user(event.platform, inviter, time)?),
                    None => None,
                };
                let status = self.membership_status(group_id, member_id)?;
                if status.is_none() {
                    self.conn.execute(
                        "INSERT INTO memberships (group_id, member_id, status, nickname, role, \
                         joined_at, inviter_member_id, invite_link) \
                         VALUES ($1, $2, 'active', $3, $4, $5, $6, $7)",
                        &[
                            group_id.into(),
                            member_id.into(),
                            member.nickname.as_deref().into(),
                            member.role.as_str().into(),
                            time.into(),
                            inviter_id.into(),
                            invite_link.as_deref().into(),
                        ],
                    )?;
                } else {
                    self.conn.execute(
                        "UPDATE memberships SET status = 'active', joined_at = $3, left_at = NULL, \
                         nickname = COALESCE($4, nickname), role = $5, \
                         inviter_member_id = COALESCE($6, inviter_member_id), \
                         invite_link = COALESCE($7, invite_link) \
                         WHERE group_id = $1 AND member_id = $2",
                        &[
                            group_id.into(),
                            member_id.into(),
                            time.into(),
                            member.nickname.as_deref().into(),
                            member.role.as_str().into(),
                            inviter_id.into(),
                            invite_link.as_deref().into(),
                        ],
                    )?;
                }
                if status.as_deref() != Some("active") {
                    self.change_member_count(group_id, 1)?;
                }
            }
            EventKind::MemberSeen { member } => {
                // Listed by the platform: a member (again), without a join time of our own.
                let status = self.membership_status(group_id, member_id)?;
                if status.is_none() {
                    self.add_membership(group_id, member_id, member)?;
                } else {
                    self.conn.execute(
                        "UPDATE memberships SET status = 'active', left_at = NULL, \
                         nickname = COALESCE($3, nickname), role = $4 \
                         WHERE group_id = $1 AND member_id = $2",
                        &[
                            group_id.into(),
                            member_id.into(),
                            member.nickname.as_deref().into(),
                            member.role.as_str().into(),
                        ],
                    )?;
                }
                if status.as_deref() != Some("active") {
                    self.change_member_count(group_id, 1)?;
                }
            }
            EventKind::MemberLeft { reason, .. } => {
                let new_status = match reason {
                    LeaveReason::Left => "left",
                    LeaveReason::Kicked { .. } => "kicked",
                };
                let status = self.membership_status(group_id, member_id)?;
                if status.is_none() {
                    self.conn.execute(
                        "INSERT INTO memberships (group_id, member_id, status, left_at) \
                         VALUES ($1, $2, $3, $4)",
                        &[
                            group_id.into(),
                            member_id.into(),
                            new_status.into(),
                            time.into(),
                        ],
                    )?;
                } else {
                    self.conn.execute(
                        "UPDATE memberships SET status = $3, left_at = $4 \
                         WHERE group_id = $1 AND member_id = $2",
                        &[
                            group_id.into(),
                            member_id.into(),
                            new_status.into(),
                            time.into(),
                        ],
                    )?;
                }
                if status.as_deref() == Some("active") {
                    self.change_member_count(group_id, -1)?;
                }
            }
            EventKind::JoinRequest { answer, .. } => {
                self.conn.execute(
                    "INSERT INTO join_requests (event_id, group_id, member_id, request_id, answer, \
                     time) VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        event_id.into(),
                        group_id.into(),
                        member_id.into(),
                        event.id.as_deref().unwrap_or_default().into(),
                        answer.as_deref().into(),
                        time.into(),
                    ],
                )?;
            }
            EventKind::NicknameChanged { new, .. } => {
                let updated = self.conn.execute(
                    "UPDATE memberships SET nickname = $3 WHERE group_id = $1 AND member_id = $2",
                    &[group_id.into(), member_id.into(), new.as_str().into()],
                )?;
                if updated == 0 {
                    self.conn.execute(
                        "INSERT INTO memberships (group_id, member_id, status, nickname) \
                         VALUES ($1, $2, 'active', $3)",
                        &[group_id.into(), member_id.into(), new.as_str().into()],
                    )?;
                    self.change_member_count(group_id, 1)?;
                }
            }
            EventKind::MessageEdited {
                sender, message, ..
            } => {
                // The message reads as edited from now on (if Steward saw it, and the edit is its
                // author's: clients ignore anyone else's); the edit is not a message of its own.
                // Moderation needs when the author joined, as for a message.
                self.conn.execute(
                    "UPDATE messages SET text = $2, edited_at = $4 WHERE event_id = \
                     (SELECT id FROM events WHERE dedup_key = $1) AND member_id = $3",
                    &[
                        event.key_of_message(message).as_str().into(),
                        prepared.text.as_str().into(),
                        member_id.into(),
                        time.into(),
                    ],
                )?;
                let updated = self.conn.query_opt(
                    "UPDATE memberships SET nickname = COALESCE($3, nickname), role = $4 \
                     WHERE group_id = $1 AND member_id = $2 RETURNING joined_at",
                    &[
                        group_id.into(),
                        member_id.into(),
                        sender.nickname.as_deref().into(),
                        sender.role.as_str().into(),
                    ],
                )?;
                match updated {
                    Some(row) => joined_at = row.opt_int(0)?,
                    None => {
                        self.add_membership(group_id, member_id, sender)?;
                        self.change_member_count(group_id, 1)?;
                    }
                }
            }
            EventKind::MessageRecalled { message, .. } => {
                // The recalled message is found by its own dedup key, whose index every event
                // needs anyway: one index fewer to write for every message.
                self.conn.execute(
                    "UPDATE messages SET recalled_at = $2 WHERE recalled_at IS NULL AND event_id = \
                     (SELECT id FROM events WHERE dedup_key = $1)",
                    &[event.key_of_message(message).as_str().into(), time.into()],
                )?;
            }
        }
        Ok(joined_at)
    }

    /// Queues an action for the platform's adapter; it is sent only once the transaction commits.
    pub fn enqueue(
        &mut self,
        event_id: Option<i64>,
        request: &ActionRequest,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        enqueue_on(self.conn.as_mut(), event_id, request, now)
    }

    /// A membership Steward learns of without a join: active, with the member's nickname and role.
    fn add_membership(
        &mut self,
        group_id: i64,
        member_id: i64,
        profile: &MemberProfile,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO memberships (group_id, member_id, status, nickname, role) \
             VALUES ($1, $2, 'active', $3, $4)",
            &[
                group_id.into(),
                member_id.into(),
                profile.nickname.as_deref().into(),
                profile.role.as_str().into(),
            ],
        )?;
        Ok(())
    }

    fn change_member_count(&mut self, group_id: i64, delta: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE groups SET member_count = member_count + $2 WHERE id = $1",
            &[group_id.into(), delta.into()],
        )?;
        Ok(())
    }

    fn membership_status(
        &mut self,
        group_id: i64,
        member_id: i64,
    ) -> Result<Option<String>, StoreError> {
        self.conn
            .query_opt(
                "SELECT status FROM memberships WHERE group_id = $1 AND member_id = $2",
                &[group_id.into(), member_id.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
    }

    fn identity_conn(&mut self) -> &mut dyn Conn {
        match &mut self.identity {
            Some(identity) => identity.as_mut(),
            None => self.conn.as_mut(),
        }
    }

    fn group_id(&mut self, platform: Platform, chat: &str, time: i64) -> Result<i64, StoreError> {
        if let Some(id) = self.groups.get(&(platform, chat.to_owned())) {
            return Ok(*id);
        }
        let platform_name = platform.as_str();
        let conn = self.identity_conn();
        let select = "SELECT id FROM groups WHERE platform = $1 AND chat = $2";
        let id = match conn.query_opt(select, &[platform_name.into(), chat.into()])? {
            Some(row) => row.int(0)?,
            None => {
                // Another writer (or instance) may create it at the same moment: whoever loses
                // the race reads the winner's row.
                let inserted = conn.query_opt(
                    "INSERT INTO groups (platform, chat, first_seen_at, last_event_at) \
                     VALUES ($1, $2, $3, $3) ON CONFLICT (platform, chat) DO NOTHING RETURNING id",
                    &[platform_name.into(), chat.into(), time.into()],
                )?;
                match inserted {
                    Some(row) => row.int(0)?,
                    None => conn.query_int(select, &[platform_name.into(), chat.into()])?,
                }
            }
        };
        self.groups.insert((platform, chat.to_owned()), id);
        Ok(id)
    }

    /// The member's id, creating the member (and a person for them) on first sight. Names are
    /// brought up to date only after the event proved new (see [`Writer::keep_name_current`]), so
    /// that a redelivered old event cannot rename anybody.
    fn member_id(
        &mut self,
        platform: Platform,
        profile: &MemberProfile,
        time: i64,
    ) -> Result<i64, StoreError> {
        self.member_id_with(platform, &profile.id, &profile.name, profile.is_bot, time)
    }

    /// For events that name a member without a profile: an unknown member is created with their
    /// id as the name, to be filled in when they next speak.
    fn member_id_by_user(
        &mut self,
        platform: Platform,
        user: &UserId,
        time: i64,
    ) -> Result<i64, StoreError> {
        self.member_id_with(platform, user, user.as_str(), false, time)
    }

    fn member_id_with(
        &mut self,
        platform: Platform,
        user: &UserId,
        name_if_new: &str,
        is_bot: bool,
        time: i64,
    ) -> Result<i64, StoreError> {
        let key = (platform, user.as_str().to_owned());
        if let Some((id, _)) = self.members.get(&key) {
            return Ok(*id);
        }
        let platform_name = platform.as_str();
        let conn = self.identity_conn();
        let select = "SELECT id, name FROM members WHERE platform = $1 AND user_id = $2";
        let existing = conn.query_opt(select, &[platform_name.into(), user.as_str().into()])?;
        let (id, name) = match existing {
            Some(row) => (row.int(0)?, row.text(1)?),
            None => {
                let person = conn.query_int(
                    "INSERT INTO persons (display_name, created_at) VALUES ($1, $2) RETURNING id",
                    &[name_if_new.into(), time.into()],
                )?;
                let inserted = conn.query_opt(
                    "INSERT INTO members (platform, user_id, person_id, name, is_bot, first_seen_at, \
                     name_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
                     ON CONFLICT (platform, user_id) DO NOTHING RETURNING id",
                    &[
                        platform_name.into(),
                        user.as_str().into(),
                        person.into(),
                        name_if_new.into(),
                        i64::from(is_bot).into(),
                        time.into(),
                    ],
                )?;
                match inserted {
                    Some(row) => (row.int(0)?, name_if_new.to_owned()),
                    None => {
                        // Another writer created the member first; this person is not needed.
                        conn.execute("DELETE FROM persons WHERE id = $1", &[person.into()])?;
                        let row = conn
                            .query_opt(select, &[platform_name.into(), user.as_str().into()])?
                            .ok_or_else(|| {
                                StoreError::Corrupt(format!("member {user} vanished"))
                            })?;
                        (row.int(0)?, row.text(1)?)
                    }
                }
            }
        };
        self.members.insert(key, (id, name));
        Ok(id)
    }

    /// Renames the member when the event shows a new display name.
    fn keep_name_current(
        &mut self,
        platform: Platform,
        profile: &MemberProfile,
        member_id: i64,
        time: i64,
    ) -> Result<(), StoreError> {
        let key = (platform, profile.id.as_str().to_owned());
        let known = self.members.get(&key).map(|(_, name)| name.as_str());
        if known != Some(profile.name.as_str()) {
            self.rename_member(member_id, &profile.name, time)?;
            self.members.insert(key, (member_id, profile.name.clone()));
        }
        Ok(())
    }

    /// Renames on the identity connection (see the field's comment), and only from an event at
    /// least as new as the one the current name came from: history fed late, or a redelivery,
    /// never renames anybody back.
    fn rename_member(&mut self, id: i64, name: &str, time: i64) -> Result<(), StoreError> {
        self.identity_conn().execute(
            "UPDATE members SET name = $2, name_seen_at = $3 \
             WHERE id = $1 AND name_seen_at <= $3 AND name <> $2",
            &[id.into(), name.into(), time.into()],
        )?;
        Ok(())
    }
}

/// Queues an action on any connection (the pipeline's writer, or a console transaction).
pub(crate) fn enqueue_on(
    conn: &mut dyn Conn,
    event_id: Option<i64>,
    request: &ActionRequest,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    enqueue_after(conn, event_id, request, now, now)
}

/// Queues an action that no adapter claims before `not_before`.
pub(crate) fn enqueue_after(
    conn: &mut dyn Conn,
    event_id: Option<i64>,
    request: &ActionRequest,
    now: DateTime<Utc>,
    not_before: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let action = action_json(&request.action)?;
    conn.query_int(
        "INSERT INTO outbox (event_id, platform, account, chat, kind, action, \
             repeat_is_harmless, not_before, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        &[
            event_id.into(),
            request.platform.as_str().into(),
            request.account.as_str().into(),
            request.chat.as_str().into(),
            request.action.name().into(),
            action.as_str().into(),
            i64::from(request.action.repeat_is_harmless()).into(),
            not_before.timestamp_millis().into(),
            now.timestamp_millis().into(),
        ],
    )
}

pub(crate) fn action_json(action: &steward_domain::Action) -> Result<String, StoreError> {
    serde_json::to_string(action)
        .map_err(|err| StoreError::Corrupt(format!("action does not serialise: {err}")))
}
