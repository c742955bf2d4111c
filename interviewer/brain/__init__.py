"""Brains: what reads the candidate and judges answers. All implement :class:`interviewer.brain.base.Brain`."""
