//! Widgets of our own.

pub mod month_grid;
