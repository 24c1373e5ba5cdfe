//! The editable part of a tenant, once validated.

/// The editable part of a tenant: its name and client/brand metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantProfile {
    pub name: String,
    pub client_name: Option<String>,
    pub website: Option<String>,
    pub accent_colour: Option<String>,
    pub logo_url: Option<String>,
}
