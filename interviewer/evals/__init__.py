"""Evals of interviewer quality: datasets, metrics, suites and reports (run with `interviewer eval`)."""
