"""How a model call spends its time: tries, backoff, and the deadline that bounds both."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

from interviewer.llm.errors import Failure, LLMError, timeout_text
from interviewer.llm.usage import Usage


@dataclass
class RetryPolicy:
    """How often and how patiently a failed call is retried (always within its deadline)."""

    attempts: int = 3
    """Tries in total, the first included."""
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Return the wait before retry number ``attempt`` (1-based), honouring Retry-After."""
        if retry_after is not None:
            return min(retry_after, self.max_delay_s)
        backoff = self.base_delay_s * 2 ** (attempt - 1)
        # up to a quarter of jitter, so that many clients do not retry in step
        return float(min(self.max_delay_s, backoff * (1 + random.random() / 4)))


@dataclass
class CallBudget:
    """One model call's deadline, failed tries and usage, across all its requests."""

    deadline: float
    budget_s: float
    policy: RetryPolicy
    usage: Usage = field(default_factory=Usage)
    failures: int = 0

    def remaining(self) -> float:
        """Return the seconds left until the deadline (negative once it has passed)."""
        return self.deadline - time.monotonic()

    def give_up(self, text: str, cause: BaseException) -> NoReturn:
        """Raise the call's LLMError, with what the call has cost so far."""
        raise LLMError(text, usage=self.usage) from cause

    def back_off(self, failure: Failure, cause: BaseException) -> None:
        """Sleep before the next try, or raise LLMError when no try or no time is left."""
        self.failures += 1
        if self.remaining() < 0.05:
            self.give_up(timeout_text(self.budget_s), cause)
        if self.failures >= self.policy.attempts:
            tries = f", after {self.failures} tries" if self.failures > 1 else ""
            self.give_up(failure.text + tries, cause)
        delay = self.policy.delay(self.failures, failure.retry_after)
        if delay >= self.remaining():
            self.give_up(f"{failure.text}; no time was left for another try", cause)
        self.policy.sleep(delay)
