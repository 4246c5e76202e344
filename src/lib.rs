//! aeo-console: the Shanghai Customs AEO Action Plan as an operator console.
//! Pure domain rules, the official working-day calendar, the SQLite store, the CLI and the TUI.

pub mod calendar;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod log;
pub mod present;
pub mod store;
pub mod text;
pub mod transfer;
pub mod tui;
