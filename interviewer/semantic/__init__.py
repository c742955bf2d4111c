"""Meaning: the packaged sentence encoder and the judgments made with it."""
