//! Night mode keeps the group's own day: what the group allowed before nightfall is saved (in the
//! database, so that a restart in the night forgets nothing) and is what dawn gives back. The
//! platforms differ in what they save (Matrix a power level, Telegram the sending permissions);
//! the save's life is the same.

use std::sync::Arc;

use steward_domain::{AccountId, ChatId, Platform};
use steward_store::{Database, StoreError};

fn key(account: &AccountId, chat: &ChatId) -> String {
    format!("{} night {}", account.as_str(), chat.as_str())
}

/// At nightfall (`on`), saves `now`, the group's settings as they are, unless the group is
/// already as a night left it (`is_night`, given the save: a nightfall carried out twice, an
/// answer lost, keeps what the first one saved). At dawn, the saved day, if there is one: a dawn
/// carried out twice, or failed, gives back the same. Once the group has its day again,
/// [`day_restored`] marks the save; the next nightfall after that saves afresh, even settings an
/// admin made by hand to look like the night's. Saved: `<day>` during a night, `<day> restored`
/// after it (`<day>` has no space).
pub async fn keep_the_day(
    database: &Arc<Database>,
    platform: Platform,
    account: &AccountId,
    chat: &ChatId,
    on: bool,
    now: Option<String>,
    is_night: impl FnOnce(&str) -> bool + Send + 'static,
) -> Result<Option<String>, String> {
    let key = key(account, chat);
    let database = Arc::clone(database);
    tokio::task::spawn_blocking(move || {
        let saved = database.cursor(platform, &key)?;
        let (day, restored) = match saved.as_deref().map(|saved| saved.split_once(' ')) {
            Some(Some((day, _))) => (Some(day.to_owned()), true),
            Some(None) => (saved, false),
            None => (None, false),
        };
        if !on {
            return Ok(day);
        }
        let already_night = !restored && day.as_deref().is_some_and(is_night);
        if let Some(now) = now
            && !already_night
        {
            database.set_cursor(platform, &key, &now)?;
        }
        Ok(None)
    })
    .await
    .map_err(|err| err.to_string())?
    .map_err(|err: StoreError| err.to_string())
}

/// Marks the group's saved day restored, once dawn gave it back (see [`keep_the_day`]). Not
/// marked, the next nightfall keeps the old save: the group gets that day back at the next dawn,
/// as it should have at this one.
pub async fn day_restored(
    database: &Arc<Database>,
    platform: Platform,
    account: &AccountId,
    chat: &ChatId,
    day: String,
) {
    let key = key(account, chat);
    let database = Arc::clone(database);
    let marked = tokio::task::spawn_blocking(move || {
        database.set_cursor(platform, &key, &format!("{day} restored"))
    })
    .await;
    if !matches!(marked, Ok(Ok(()))) {
        tracing::warn!(chat = %chat, "night mode: the group's day could not be marked restored");
    }
}
