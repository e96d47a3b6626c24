"""seed_demo, bufdir_export, fail_stale_exports."""
