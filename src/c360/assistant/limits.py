"""Limits every assistant entry point shares (the CLI, the app, the planner, the LLM prompt)."""

MAX_QUESTION_CHARS = 1_000
