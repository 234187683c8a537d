"""Step definitions, one module per group of features; the plugin registers them all."""
