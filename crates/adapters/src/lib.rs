//! Platform adapters: the only place that knows a platform. Each turns what its platform sends
//! into `steward_domain::Event`s for the pipeline and carries out the outbox's actions there.
//!
//! The playground (Steward's own built-in groups, for trying every feature without a platform),
//! OneBot v11 (QQ and WeChat bridges) and Telegram's Bot API; `delivery` is the outbox loop they
//! share, `https` the client of the web APIs, `limits` the outbound rate limits, `health` what the
//! console's Platforms page shows.

pub mod delivery;
pub mod health;
pub mod https;
pub mod limits;
pub mod matrix;
pub mod onebot;
pub mod playground;
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

/// A cheap, deterministic cousin of `fuzz/` for the payload parsers: every truncation of
/// `sample` and thousands of byte mutations of it are handed to `check`, which must not panic.
#[cfg(test)]
pub(crate) fn mangled(sample: &str, check: impl Fn(&str)) {
    for (cut, _) in sample.char_indices() {
        check(&sample[..cut]);
    }
    let interesting = b"\"{}[]:,0-9e\\ \x00\xff\xe5-";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..5_000 {
        let mut bytes = sample.as_bytes().to_vec();
        for _ in 0..1 + next() % 4 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] = interesting[(next() % interesting.len() as u64) as usize];
        }
        check(&String::from_utf8_lossy(&bytes));
    }
}
