//! What a feature is: a named handler that sees each new event once, inside the event's
//! transaction, and decides actions.

use chrono::{DateTime, Utc};
use steward_domain::{Action, ActionRequest, Event};
use steward_store::{StoredEvent, Writer};

pub type FeatureError = Box<dyn std::error::Error + Send + Sync>;

/// What a feature worked out about an event before it reached the writer (see
/// [`Feature::prepare`]).
pub type Prepared = Box<dyn std::any::Any + Send + Sync>;

/// A capability of the bot (moderation, sign-in, games...). Features never call each other and
/// never see a platform's types: they read the event, read and write their own state through the
/// store, and ask for actions.
pub trait Feature: Send + Sync {
    /// A short stable name, used in logs and the audit trail.
    fn name(&self) -> &'static str;

    /// Whether [`Feature::handle`] writes to the store. Such a feature runs inside a savepoint, so
    /// that when it fails its writes are undone while the event and the other features' work stay.
    fn writes_state(&self) -> bool {
        false
    }

    /// Work on the event that needs neither the store nor the group's state (reading its text,
    /// say), done when it is submitted, on the submitter's thread: the one writer thread is what
    /// bounds the pipeline. What it returns comes back in [`Context::prepared`]. Runs for
    /// redelivered events too, whose result is then dropped.
    fn prepare(&self, _event: &Event, _text: &str) -> Option<Prepared> {
        None
    }

    /// Handles one new event (never a redelivered one). An error is logged and the feature's
    /// actions are dropped; the pipeline goes on.
    fn handle(&self, context: &mut Context<'_>) -> Result<(), FeatureError>;
}

/// What a feature sees of one event.
pub struct Context<'a> {
    pub event: &'a Event,
    /// The message's readable text (empty for other kinds).
    pub text: &'a str,
    pub stored: StoredEvent,
    /// The transaction the event is recorded in.
    pub store: &'a mut Writer,
    /// The pipeline's clock for this batch. Rules about the event's own time use `event.time`.
    pub now: DateTime<Utc>,
    /// What this feature's [`Feature::prepare`] returned for the event.
    pub prepared: Option<&'a (dyn std::any::Any + Send + Sync)>,
    /// Whether an earlier feature (moderation) asked to delete this message, or to kick the
    /// member who joined: later features treat it as never said (no points for an ad, no
    /// welcome for a blacklisted member).
    pub removed: bool,
    pub(crate) actions: Vec<ActionRequest>,
}

impl Context<'_> {
    /// Asks for an action in the event's group, through the account that saw the event.
    pub fn act(&mut self, action: Action) {
        self.actions.push(ActionRequest {
            platform: self.event.platform,
            account: self.event.account.clone(),
            chat: self.event.chat.clone(),
            action,
        });
    }

    /// Asks for an action anywhere (another group of the fleet, say).
    pub fn act_in(&mut self, request: ActionRequest) {
        self.actions.push(request);
    }

    /// The actions asked for so far by this feature.
    pub fn actions(&self) -> &[ActionRequest] {
        &self.actions
    }
}
