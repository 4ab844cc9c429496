"""Low-level image operations shared by the stages (ground floor: imports no stage)."""
