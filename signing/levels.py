"""PAdES baseline levels (a module of its own so that the CLI can list them without
importing pyHanko)."""

from typing import Literal, get_args

PadesLevel = Literal["B-B", "B-T", "B-LT", "B-LTA"]
LEVELS: tuple[str, ...] = get_args(PadesLevel)
