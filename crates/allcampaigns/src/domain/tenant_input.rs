use serde::Deserialize;
use utoipa::ToSchema;

use super::{TenantProfile, is_plain_name};
use crate::text::{NameField, Problem, TenantUrl};

/// A tenant's name and client/brand metadata as a person enters them (form or JSON).
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct TenantInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub client_name: String,
    #[serde(default)]
    pub website: String,
    /// `#rrggbb`
    #[serde(default)]
    pub accent_colour: String,
    #[serde(default)]
    pub logo_url: String,
}

impl TenantInput {
    pub fn of(profile: &TenantProfile) -> Self {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        Self {
            name: profile.name.clone(),
            client_name: text(&profile.client_name),
            website: text(&profile.website),
            accent_colour: text(&profile.accent_colour),
            logo_url: text(&profile.logo_url),
        }
    }

    /// Security review finding 10: these end up in mail subjects and bodies, and in logs.
    fn refuse_hidden_characters(&self) -> Result<(), (&'static str, Problem)> {
        let fields = [
            ("name", NameField::TenantName, &self.name),
            ("client_name", NameField::ClientName, &self.client_name),
            ("website", NameField::Website, &self.website),
            (
                "accent_colour",
                NameField::AccentColour,
                &self.accent_colour,
            ),
            ("logo_url", NameField::LogoUrl, &self.logo_url),
        ];
        match fields
            .into_iter()
            .find(|(_, _, value)| !is_plain_name(value))
        {
            Some((field, which, _)) => Err((field, Problem::HiddenCharacters { field: which })),
            None => Ok(()),
        }
    }

    /// The profile, or the field at fault and what to do about it.
    pub fn validate(&self) -> Result<TenantProfile, (&'static str, Problem)> {
        let optional = |value: &str| Some(value.trim().to_string()).filter(|v| !v.is_empty());
        self.refuse_hidden_characters()?;
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(("name", Problem::TenantName));
        }
        for (field, which, url) in [
            ("website", TenantUrl::Website, &self.website),
            ("logo_url", TenantUrl::LogoUrl, &self.logo_url),
        ] {
            if let Some(url) = optional(url) {
                let parsed = url::Url::parse(&url)
                    .map_err(|_| (field, Problem::NotAnAddress { field: which }))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err((field, Problem::NotWebScheme { field: which }));
                }
            }
        }
        if let Some(colour) = optional(&self.accent_colour) {
            let hex = colour.strip_prefix('#').unwrap_or("");
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(("accent_colour", Problem::AccentColour));
            }
        }
        Ok(TenantProfile {
            name: name.to_string(),
            client_name: optional(&self.client_name),
            website: optional(&self.website),
            accent_colour: optional(&self.accent_colour),
            logo_url: optional(&self.logo_url),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Security review finding 10.
    #[test]
    fn finding_10_validate_refuses_control_characters_and_bidi_overrides_naming_the_field() {
        for bad in ["Acme\n\nACTION NEEDED", "Acme\r", "Ac\tme", "\u{202e}emcA"] {
            let input = TenantInput {
                name: bad.into(),
                ..Default::default()
            };
            assert_eq!(
                input.validate().map_err(|(field, _)| field),
                Err("name"),
                "{bad:?}"
            );
        }
        let client = TenantInput {
            name: "Acme".into(),
            client_name: "Acme\u{2066}Corp".into(),
            ..Default::default()
        };
        let (field, problem) = client.validate().unwrap_err();
        assert_eq!(field, "client_name");
        assert_eq!(
            problem,
            Problem::HiddenCharacters {
                field: NameField::ClientName
            }
        );
        let plain = TenantInput {
            name: "Acme – Société".into(),
            ..Default::default()
        };
        assert!(plain.validate().is_ok());
    }
}
