"""Running c360 under an orchestrator (optional `c360[dagster]` extra); at the pipeline layer."""
