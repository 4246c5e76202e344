//! Domain rules of the AEO Action Plan: pure types and functions (no I/O, no clock, no terminal).

pub mod approval;
pub mod call;
pub mod clearance;
pub mod credit;
pub mod duty;
pub mod enterprise;
pub mod ids;
pub mod inspection;
pub mod localize;
pub mod measures;
pub mod message;
pub mod narrow;
pub mod ownership;
pub mod problem;
pub mod queue;
pub mod search;
pub mod verification;
