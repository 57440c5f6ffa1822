"""The research rules, as pure functions over models: predictions and their checks, trust,
calibration, competing beliefs, red-teaming, coverage, mode balance and comparisons."""
