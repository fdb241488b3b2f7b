"""Argument types for the benchmarks' knobs: a wrong value is refused by name before anything
starts, as argparse refuses an unknown option."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def whole(low: int) -> Callable[[str], int]:
    """An argument type: a whole number of at least ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, not {text}")
        return value

    return parse


def number(low: float, high: float = math.inf, *, above: bool = False) -> Callable[[str], float]:
    """An argument type: a number from ``low`` (or ``above`` it) to ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
        if (value <= low if above else value < low) or value > high:
            bound = f"above {low:g}" if above else f"at least {low:g}"
            upper = "" if high == math.inf else f" and at most {high:g}"
            raise argparse.ArgumentTypeError(f"must be {bound}{upper}, not {text}")
        return value

    return parse


POSITIVE = number(0, above=True)  # seconds, rates, windows
SHARE = number(0, 1, above=True)  # a share of Okta's budget
