//! SQL of saved views (`inbox::views`), one text for both backends.

pub const INSERT_SHARED: &str = "INSERT INTO saved_views (tenant_id, view_id, name, filter, \
     created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";
pub const INSERT_PERSONAL: &str = "INSERT INTO personal_views (user_id, view_id, name, filter, \
     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)";

pub const UPDATE_SHARED: &str = "UPDATE saved_views SET name = $3, filter = $4, updated_at = $5 \
     WHERE tenant_id = $1 AND view_id = $2";
pub const UPDATE_PERSONAL: &str = "UPDATE personal_views SET name = $3, filter = $4, \
     updated_at = $5 WHERE user_id = $1 AND view_id = $2";

pub const DELETE_SHARED: &str = "DELETE FROM saved_views WHERE tenant_id = $1 AND view_id = $2";
pub const DELETE_PERSONAL: &str = "DELETE FROM personal_views WHERE user_id = $1 AND view_id = $2";

pub const SHARED_VIEWS: &str = "SELECT tenant_id, view_id, name, filter, created_by, \
     created_at, updated_at FROM saved_views WHERE tenant_id = $1 ORDER BY name, view_id";
pub const PERSONAL_VIEWS: &str = "SELECT user_id, view_id, name, filter, created_at, \
     updated_at FROM personal_views WHERE user_id = $1 ORDER BY name, view_id";
