"""A bounded queue that never blocks its writer: when full, the oldest item makes room for the new one."""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class DropOldest(Generic[T]):
    """FIFO of at most ``capacity`` items; :meth:`put` returns the item it had to drop, if any.

    Not thread-safe by itself: its owner guards it with a lock.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._items: deque[T] = deque()

    def put(self, item: T) -> T | None:
        """Append ``item``; when full, remove and return the oldest item first."""
        dropped = self._items.popleft() if len(self._items) >= self.capacity else None
        self._items.append(item)
        return dropped

    def pop(self) -> T | None:
        """The oldest item, or None when empty."""
        return self._items.popleft() if self._items else None

    def __len__(self) -> int:
        return len(self._items)
