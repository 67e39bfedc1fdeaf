//! Platform adapters: the only place that knows a platform. Each turns what its platform sends
//! into `steward_domain::Event`s for the pipeline and carries out the outbox's actions there.
//!
//! The playground (Steward's own built-in groups, for trying every feature without a platform),
//! OneBot v11 (QQ and WeChat bridges) and Telegram's Bot API; `delivery` is the outbox loop they
//! share, `split` cuts long messages in parts, `https` the client of the web APIs, `limits` the
//! outbound rate limits, `health` what the console's Platforms page shows.

pub mod backoff;
pub mod delivery;
pub mod health;
pub mod https;
pub mod images;
pub mod limits;
pub mod matrix;
mod night;
pub mod onebot;
pub mod playground;
mod split;
pub mod telegram;

/// Submits the events in order and waits until each is committed. A malformed event is logged
/// and skipped; anything else (the database, shutting down) is an error.
pub(crate) async fn record(
    pipeline: &steward_engine::Pipeline,
    events: Vec<steward_domain::Event>,
) -> Result<(), String> {
    let mut tickets = Vec::with_capacity(events.len());
    for event in events {
        match pipeline.submit(event).await {
            Ok(ticket) => tickets.push(ticket),
            Err(steward_engine::PipelineError::Invalid(err)) => {
                tracing::warn!(error = %err, "an event refused");
            }
            Err(err) => return Err(err.to_string()),
        }
    }
    for ticket in tickets {
        match ticket.outcome().await {
            Ok(_) => {}
            Err(steward_engine::PipelineError::Invalid(err)) => {
                tracing::warn!(error = %err, "an event refused")
            }
            Err(err) => return Err(err.to_string()),
        }
    }
    Ok(())
}

/// Text for an HTML message (Telegram's HTML parse mode, Matrix's `formatted_body`): `&`, `<`,
/// `>` and `"` escaped, so that member-written text is shown as written and can never open a tag
/// or a link.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}
