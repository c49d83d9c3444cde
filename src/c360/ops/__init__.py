"""Running c360 unattended: `c360 daily` and its alerts (above the stages, below the CLI)."""
