//! Validated newtypes and the rules that belong to them.

mod attachment;
mod email;
mod ids;
mod person_text;
mod return_date;
mod role;
mod stream;
mod tenant_input;
mod tenant_profile;

pub use attachment::Attachment;
pub use email::Email;
pub use ids::{TenantId, UserId};
pub use person_text::{is_allowed_in_name, is_plain_name};
pub use return_date::return_date;
pub use role::Role;
pub use stream::{Stream, UnknownStream};
pub use tenant_input::TenantInput;
pub use tenant_profile::TenantProfile;
