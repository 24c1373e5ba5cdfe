//! SQL of the pipeline (`leads::stages`), one text for both backends.

/// A tenant's stages in pipeline order (its primary key's range: a pipeline is small).
pub const STAGES: &str = "SELECT stage_id, name, position, colour, sentiment, \
     instantly_status, archived_at, created_at FROM pipeline_stages WHERE tenant_id = $1 \
     ORDER BY position, stage_id";

/// A stage, or nothing when its Instantly status (or id) is taken: the lazy seed.
pub const SEED_STAGE: &str = "INSERT INTO pipeline_stages (tenant_id, stage_id, name, \
     position, colour, sentiment, instantly_status, archived_at, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING";

pub const INSERT_STAGE: &str = "INSERT INTO pipeline_stages (tenant_id, stage_id, name, \
     position, colour, sentiment, instantly_status, archived_at, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

pub const UPDATE_STAGE: &str = "UPDATE pipeline_stages SET name = $3, position = $4, \
     colour = $5, sentiment = $6, archived_at = $7 WHERE tenant_id = $1 AND stage_id = $2";
