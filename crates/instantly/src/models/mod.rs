//! Typed models of the Instantly API v2 objects the product reads.
//!
//! Unknown fields are ignored, optional or nullable fields are `Option`, and numeric enums stay
//! numbers (see [`enums`]) so that a value added by Instantly tomorrow still decodes.

mod account;
mod analytics;
mod campaign;
mod email;
pub mod enums;
mod lead;
mod webhook;
mod workspace;

pub use account::*;
pub use analytics::*;
pub use campaign::*;
pub use email::*;
pub use lead::*;
pub use webhook::*;
pub use workspace::*;
