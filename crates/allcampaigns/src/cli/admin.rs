//! `allcampaigns admin create-user` and `allcampaigns admin token`.

use crate::audit::AuditAction;
use crate::config::Config;
use crate::domain::Email;
use crate::{auth, keys, store};

pub async fn create_user(
    config: Config,
    email: &str,
    name: &str,
    install_admin: bool,
) -> anyhow::Result<()> {
    let email = Email::parse(email)?;
    let store = store::open(&config, true).await?;
    keys::load_keyring(&config, &store).await?;
    let user = find_or_create_user(&store, email.as_str(), name).await?;
    if install_admin && store.grant_install_admin(user, None).await? {
        let details = serde_json::json!({"user_id": user, "by": null, "via": "command_line"});
        crate::audit::record_user(&store, user, AuditAction::InstallAdminGranted, details).await;
        println!("{email} is now an install admin (may create clients)");
    }
    let link = auth::links::issue_link(&store, &config.public_url, &email, None).await?;
    println!("Sign-in link for {email} (valid for 15 minutes, one use):\n{link}");
    Ok(())
}

/// `admin token`: the token alone on stdout, so scripts can capture it.
pub async fn issue_token(
    config: Config,
    email: &str,
    mut request: auth::tokens::NewToken,
    tenant: Option<&str>,
) -> anyhow::Result<()> {
    let address = Email::parse(email)?;
    if let Some(tenant) = tenant {
        let id = tenant
            .parse()
            .map_err(|_| anyhow::anyhow!("`{tenant}` is not a tenant id"))?;
        request.tenant_scope = Some(id);
    }
    let store = store::open(&config, true).await?;
    let user = store.user_by_email(&address).await?.ok_or_else(|| {
        anyhow::anyhow!(
            "no user has the address {address}; create one with `allcampaigns admin create-user`"
        )
    })?;
    if let Some(tenant) = request.tenant_scope
        && store.member_role(tenant, user.id).await?.is_none()
    {
        anyhow::bail!("{address} is not a member of tenant {tenant}");
    }
    let (token, value) = auth::tokens::issue(&store, user.id, &request, chrono::Utc::now())
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    crate::audit::record_user(
        &store,
        user.id,
        AuditAction::ApiTokenCreated,
        serde_json::json!({"days": request.days, "read_only": token.read_only,
            "tenant": token.tenant_scope, "by": "command line"}),
    )
    .await;
    eprintln!(
        "token \"{}\" for {address}, expires {}",
        token.name,
        token.expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    println!("{value}");
    Ok(())
}

/// The account with this address, made (with this display name) if there is none.
pub async fn find_or_create_user(
    store: &store::DynStore,
    email: &str,
    display_name: &str,
) -> anyhow::Result<crate::domain::UserId> {
    let email = Email::parse(email)?;
    Ok(match store.user_by_email(&email).await? {
        Some(user) => user.id,
        None => store.create_user(&email, display_name).await?.id,
    })
}
