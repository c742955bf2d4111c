"""The seven steps of the ML system design framework, in interview order."""

from typing import Literal, get_args

StepId = Literal["requirements", "framing", "data", "model", "evaluation", "serving", "monitoring"]
"""Identifier of one step; the same strings are used in code, knowledge files and JSON."""

STEP_IDS: tuple[StepId, ...] = get_args(StepId)
"""All step ids in the order the interview walks them."""

Level = Literal["mid", "senior", "staff"]
"""Target level of a candidate."""

LEVELS: tuple[Level, ...] = get_args(Level)
