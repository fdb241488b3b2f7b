"""lua_script reads a script from the folder of the module that runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.infra import presence
from shared.lua import lua_script


def test_a_script_is_read_from_its_modules_folder() -> None:
    text = lua_script("shared.infra.presence", "presence_beat.lua")
    assert text == (Path(presence.__file__).parent / "presence_beat.lua").read_text()
    assert "redis.call('zadd'" in text


def test_a_missing_script_names_the_file() -> None:
    with pytest.raises(FileNotFoundError, match=r"no_such_script\.lua"):
        lua_script("shared.infra.presence", "no_such_script.lua")
