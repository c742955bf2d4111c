"""Brains: what reads the candidate and judges answers. All implement :class:`Brain`."""

from interviewer.brain.base import Brain, MessageKind, SignalJudgment, StepJudgment
from interviewer.brain.offline import OfflineBrain

__all__ = ["Brain", "MessageKind", "OfflineBrain", "SignalJudgment", "StepJudgment"]
