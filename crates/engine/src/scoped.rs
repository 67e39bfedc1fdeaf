//! Settings documents per scope (a group's, its set's, the deployment's), cached for the
//! features: a group's compiled settings are trusted for one settings generation (the console
//! bumps it on every change it makes) and at most [`TTL`] (bounding changes made by another
//! process; plus up to ten seconds, spread by group), and groups that share a document share one
//! compiled value.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use steward_store::StoreError;

pub(crate) const TTL: Duration = Duration::from_secs(10);

/// Something read from the store, trusted for one generation and at most [`TTL`].
pub(crate) struct Cached<T> {
    pub generation: u64,
    pub loaded: Instant,
    pub value: Arc<T>,
}

impl<T> Cached<T> {
    pub fn fresh(&self, generation: u64) -> bool {
        self.generation == generation && self.loaded.elapsed() < TTL
    }
}

/// Compiled values by document text (`None`: no document stored), for one generation.
type Documents<T> = (u64, HashMap<Option<String>, Arc<T>>);

/// Compiled documents by group, and by document text.
pub(crate) struct ScopedCache<T> {
    groups: Mutex<HashMap<i64, Cached<T>>>,
    documents: Mutex<Documents<T>>,
}

impl<T> Default for ScopedCache<T> {
    fn default() -> Self {
        ScopedCache {
            groups: Mutex::new(HashMap::new()),
            documents: Mutex::new((0, HashMap::new())),
        }
    }
}

impl<T> ScopedCache<T> {
    /// The group's compiled document: cached, or loaded and compiled.
    pub fn get(
        &self,
        generation: u64,
        group_id: i64,
        load: impl FnOnce() -> Result<Option<String>, StoreError>,
        compile: impl FnOnce(Option<&str>) -> T,
    ) -> Result<Arc<T>, StoreError> {
        // Spread over the next ten seconds: groups loaded together (at start) would otherwise
        // all expire together, and a thousand reloads in one batch stall the writer.
        let spread = Duration::from_millis(group_id.rem_euclid(100).unsigned_abs() * 100);
        if let Ok(groups) = self.groups.lock()
            && let Some(cached) = groups.get(&group_id)
            && cached.generation == generation
            && cached.loaded.elapsed() < TTL + spread
        {
            return Ok(Arc::clone(&cached.value));
        }
        let document = load()?;
        let compiled = {
            let mut documents = self.documents.lock().map_err(poisoned)?;
            if documents.0 != generation {
                *documents = (generation, HashMap::new());
            }
            Arc::clone(
                documents
                    .1
                    .entry(document.clone())
                    .or_insert_with(|| Arc::new(compile(document.as_deref()))),
            )
        };
        if let Ok(mut groups) = self.groups.lock() {
            groups.insert(
                group_id,
                Cached {
                    generation,
                    loaded: Instant::now(),
                    value: Arc::clone(&compiled),
                },
            );
        }
        Ok(compiled)
    }
}

pub(crate) fn poisoned<T>(_: T) -> StoreError {
    StoreError::Corrupt("a feature's state lock was poisoned".to_owned())
}
