//! Domain rules.

pub mod ids;
pub mod measures;
