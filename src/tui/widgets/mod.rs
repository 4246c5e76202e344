//! Widgets of our own.

pub mod filter_box;
pub mod line_edit;
pub mod month_grid;
pub mod selection;
