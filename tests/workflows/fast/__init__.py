"""The fast tier: every branch of OrderWorkflow (and the intake's failure
path) on the time-skipping server, with the activities replaced by doubles
registered under the real activity names. Seconds for the whole folder:

    .venv/bin/pytest -q tests/workflows/fast

The sandbox-backed tests beside it (and tests/integration, tests/drills)
stay the integration tier: real activities, the bol sandbox, SQLite."""
