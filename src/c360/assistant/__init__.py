"""AI Assistant: plain-English questions answered by guarded SQL over the gold layer.

`service.Assistant` is the entry point (`Assistant.open(warehouse).ask(question)`); see
docs/assistant.md for the semantic model, both engines, the guard and the evaluation.
"""
