//! Moderation: group rules, the detector chain, the escalation ladder, the fleet blacklist,
//! backtesting and night mode. See `rules` for the document operators edit and `judge` for the
//! decision both the live feature and the backtest make.

pub mod backtest;
mod judge;
mod live;
pub mod night;
mod rules;
mod windows;

pub use backtest::{BacktestReport, BacktestSpec, Example, Progress, Tally};
pub use judge::{Decision, History, Standing, Subject, judge, rewarm};
pub use live::{Moderation, ModerationShared};
pub use night::{is_night, night_pass};
pub use rules::{
    Compiled, Flood, NewMember, Night, Repeat, Rules, RulesError, Step, duration, parse_clock,
    spoken,
};
pub use windows::Windows;
