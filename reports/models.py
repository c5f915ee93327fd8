"""Reports keep no tables: every figure is aggregated from the apps' own rows when it is asked for."""
