//! Official working-day calendar.
