"""Bookkeeping of value evaluation in one process: the budget, cycle detection, and side effects of memo entries.

Every memoized evaluation is one *step*; a file's analysis may take FILE_STEPS steps and a process RUN_STEPS.
Past either, BudgetExceeded is raised and the loader call being analyzed becomes an unresolved reference
("analysis budget exceeded in <file>"): a hostile or pathological file costs a bounded amount of time.

Cycles: an evaluation that reaches itself (``x = x + 1`` in a loop) is detected with an in-progress marker.
Every evaluation in such a cycle (a strongly connected set, found as in Tarjan's algorithm) gets the same
unresolved value, whichever member the analysis entered first, so the result does not depend on the order.

Effects: an evaluation can record facts outside its value (a function parameter read without a caller, a
project file consulted). They are stored with its memo entry and replayed when the entry is reused.
"""

from __future__ import annotations

FILE_STEPS = 400_000
RUN_STEPS = 40_000_000
_NONE = 1 << 60


class BudgetExceeded(Exception):
    """The analysis of ``rel`` used up its budget (the message is the reason shown to the user)."""

    def __init__(self, rel: str) -> None:
        super().__init__(f"analysis budget exceeded in {rel}")
        self.rel = rel


class Active:
    """An evaluation in progress (also the memo's in-progress marker)."""

    __slots__ = ("index", "low", "effects", "shallow")

    def __init__(self, index: int) -> None:
        self.index = index
        self.low = _NONE  # lowest stack index of an in-progress evaluation this one reached
        self.effects: set | None = None
        self.shallow = False  # cut short by the depth limit: valid only from where it was asked


CLEAN, CYCLE, SHALLOW = 0, 1, 2


class Tracker:
    """Shared by the evaluators of one project index (one per process)."""

    def __init__(self) -> None:
        self.stack: list[Active] = []
        self.run_left = RUN_STEPS
        self.file_left = FILE_STEPS
        self.rel = ""
        self.steps = 0

    # -- budget
    def begin_file(self, rel: str) -> tuple[str, int]:
        saved = (self.rel, self.file_left)
        self.rel, self.file_left = rel, FILE_STEPS
        return saved

    def end_file(self, saved: tuple[str, int]) -> None:
        self.rel, self.file_left = saved

    def step(self, n: int = 1) -> None:
        """Charge ``n`` steps (a literal of n items costs n)."""
        self.steps += n
        self.file_left -= n
        self.run_left -= n
        if self.file_left < 0 or self.run_left < 0:
            raise BudgetExceeded(self.rel or "the project")

    # -- evaluation stack
    def enter(self) -> Active:
        self.step()
        active = Active(len(self.stack))
        self.stack.append(active)
        return active

    def leave(self, active: Active) -> int:
        """Pop ``active``; CYCLE when it belongs to a cycle, SHALLOW when its value must not be memoized."""
        self.stack.pop()
        in_cycle = active.low <= active.index
        if self.stack:
            parent = self.stack[-1]
            if active.low < active.index and active.low < parent.low:
                parent.low = active.low
            if active.shallow:
                parent.shallow = True
            if active.effects:
                if parent.effects is None:
                    parent.effects = set()
                parent.effects |= active.effects
        if in_cycle:
            return CYCLE
        return SHALLOW if active.shallow else CLEAN

    def abandon(self, active: Active) -> None:
        """Pop ``active`` after an exception (the budget): nothing is memoized or propagated."""
        while self.stack and self.stack[-1] is not active:
            self.stack.pop()
        if self.stack:
            self.stack.pop()

    def cycle(self, active: Active) -> None:
        """The evaluation on top reached ``active``, still in progress."""
        if self.stack and active.index < self.stack[-1].low:
            self.stack[-1].low = active.index

    def cut(self) -> None:
        """The depth limit cut the evaluation on top short."""
        if self.stack:
            self.stack[-1].shallow = True

    # -- effects
    def note(self, effect: tuple) -> None:
        if self.stack:
            top = self.stack[-1]
            if top.effects is None:
                top.effects = set()
            top.effects.add(effect)

    def replay(self, effects: set) -> None:
        """Apply the effects of a reused memo entry (each is ``(function, *arguments)``), and pass them up."""
        for effect in effects:
            effect[0](*effect[1:])
        if self.stack:
            top = self.stack[-1]
            if top.effects is None:
                top.effects = set()
            top.effects |= effects
