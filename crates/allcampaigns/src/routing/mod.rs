//! Lead routing (issue 14): connections that deliver lead events to other systems, each run
//! recorded. Signed deliveries follow Standard Webhooks ([`signature`]).

pub mod model;
pub mod signature;
