//! Domain rules.
