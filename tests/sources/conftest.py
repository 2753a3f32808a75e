from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_file():
    def read(name: str) -> bytes:
        return (DATA / name).read_bytes()

    return read
