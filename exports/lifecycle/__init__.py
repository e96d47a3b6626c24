"""An export's life from the click to its end: the state machine, the pipeline, progress, reaping, shutdown."""
