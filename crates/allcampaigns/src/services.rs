//! The calling convention of the use-case layer (`tenants`): every rule takes
//! `(&Services, who acts, the input)`. `Services` holds what a rule may touch, borrowed, so the
//! web tier lends its `AppState` and the command line lends what it opened itself.

use url::Url;

use crate::app::{AppState, InviteLimits};
use crate::auth::RateLimiter;
use crate::config::Config;
use crate::crypto::Keyring;
use crate::live::Live;
use crate::mail::Mailer;
use crate::store::DynStore;

#[derive(Clone, Copy)]
pub struct Services<'a> {
    pub store: &'a DynStore,
    pub keyring: &'a Keyring,
    pub mailer: &'a Mailer,
    /// Where users reach the product, for links in mails.
    pub public_url: &'a Url,
    pub invite_limits: &'a InviteLimits,
    /// Instantly key checks per tenant (security review finding 23).
    pub key_checks: &'a RateLimiter,
    /// Where a rule tells open pages what it changed, once committed.
    pub live: &'a Live,
}

impl<'a> Services<'a> {
    pub fn of(state: &'a AppState) -> Self {
        Self {
            store: &state.store,
            keyring: &state.keyring,
            mailer: &state.mailer,
            public_url: &state.config.public_url,
            invite_limits: &state.invite_limits,
            key_checks: &state.key_checks,
            live: &state.live,
        }
    }
}

/// What a process without a web tier (the command line, the demo) owns to lend as
/// [`Services`]; its limits start empty, as a fresh process's do.
pub struct OwnedServices {
    pub store: DynStore,
    pub keyring: Keyring,
    pub mailer: Mailer,
    pub public_url: Url,
    pub invite_limits: InviteLimits,
    pub key_checks: RateLimiter,
    /// Changes made here reach the pages open on serving nodes (PostgreSQL `NOTIFY`).
    pub live: Live,
}

impl OwnedServices {
    /// Opens (and migrates) the store and loads the master keys. The mailer is the caller's
    /// choice: a command that sends no mail need not warn about a missing SMTP server.
    pub async fn open(config: &Config, mailer: Mailer) -> anyhow::Result<Self> {
        let store = crate::store::open(config, true).await?;
        let keyring = crate::keys::load_keyring(config, &store).await?;
        let live = Live::new(store.clone(), tokio_util::sync::CancellationToken::new());
        Ok(Self {
            store,
            keyring,
            mailer,
            public_url: config.public_url.clone(),
            invite_limits: InviteLimits::default(),
            key_checks: RateLimiter::new(
                crate::app::KEY_CHECKS_PER_WINDOW,
                crate::app::KEY_CHECK_WINDOW,
            ),
            live,
        })
    }

    pub fn services(&self) -> Services<'_> {
        Services {
            store: &self.store,
            keyring: &self.keyring,
            mailer: &self.mailer,
            public_url: &self.public_url,
            invite_limits: &self.invite_limits,
            key_checks: &self.key_checks,
            live: &self.live,
        }
    }
}
