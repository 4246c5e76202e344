//! Widgets of our own.

pub mod line_edit;
pub mod month_grid;
