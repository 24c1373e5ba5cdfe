pub mod checker;
pub mod spec;
