//! Domain rules.

pub mod ids;
