"""Two functions timed in turns, slice by slice, in CPU seconds.

``bench/evaluator.py`` and ``bench/two_stage.py`` compare the runtime's path
with the best hand-written code on the same slices.  On a shared machine
short slices that take turns are interrupted less and alike; each side goes
first on every other repeat, so that what one leaves behind (memory just
freed, caches) favours neither; a result is freed after the clock stops, as
the runtime keeps its results.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

Part = TypeVar("Part")


def time_in_turns(
    slices: Sequence[Part],
    compiled: Callable[[Part], object],
    hand: Callable[[Part], object],
    repeats: int,
) -> tuple[list[float], list[float]]:
    """For each side, the seconds of every pass over all the slices and,
    last, the best pass (each slice at its fastest)."""
    times: tuple[list[list[float]], list[list[float]]] = (
        [[] for _ in slices],
        [[] for _ in slices],
    )
    for repeat in range(repeats):
        for index, part in enumerate(slices):
            pair = ((compiled, times[0][index]), (hand, times[1][index]))
            for run, taken in pair if repeat % 2 == 0 else pair[::-1]:
                start = time.process_time()
                kept = run(part)
                taken.append(time.process_time() - start)
                del kept

    def passes(timings: list[list[float]]) -> list[float]:
        whole = [sum(t[r] for t in timings) for r in range(repeats)]
        return [*whole, sum(min(t) for t in timings)]

    return passes(times[0]), passes(times[1])
