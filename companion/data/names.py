"""How canonical ids are said (names.toml), and joining words and numbers for sentences."""

from __future__ import annotations

from companion.data import load_data


def display(group: str, item_id: str) -> str:
    """How an emotion, urge or skill id is said aloud ('dear_man' -> 'DEAR MAN')."""
    names = load_data("names.toml").get(group, {})
    return names.get(item_id, item_id.replace("_", " "))


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def format_number(value: float) -> str:
    """8.0 -> '8', 9.5 -> '9.5'."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
