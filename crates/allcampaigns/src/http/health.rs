use axum::extract::State;

use crate::app::AppState;
use crate::error::{AppError, AppResult};

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers and is migrated.
pub async fn readyz(State(state): State<AppState>) -> AppResult<&'static str> {
    match state.store.ready().await {
        Ok(true) => Ok("ready"),
        Ok(false) => Err(AppError::Unavailable),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed");
            Err(AppError::Unavailable)
        }
    }
}
