//! aeo-console: the Shanghai Customs AEO Action Plan as an operator console.
//! Pure domain rules, the official working-day calendar, the SQLite store, the CLI and the TUI.

pub mod calendar;
pub mod domain;
