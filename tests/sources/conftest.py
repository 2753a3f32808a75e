from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_file():
    def read(name: str) -> bytes:
        return (DATA / name).read_bytes()

    return read


class FakeSource:
    """Serves saved responses by URL prefix, records every URL asked for; never the network."""

    def __init__(self):
        self.routes: list[tuple[str, object]] = []
        self.urls: list[str] = []

    def serve(self, prefix: str, answer) -> None:
        self.routes.insert(0, (prefix, answer))

    def __call__(self, url: str, timeout: float) -> bytes:
        self.urls.append(url)
        for prefix, answer in self.routes:
            if url.startswith(prefix):
                if isinstance(answer, Exception):
                    raise answer
                return answer
        raise AssertionError(f"No saved response for {url}")


@pytest.fixture
def fake_source(monkeypatch, settings):
    from sources import fetch

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    fake = FakeSource()
    monkeypatch.setattr(fetch, "transport", fake)
    return fake


@pytest.fixture
def linked(plan):
    from measures.models import Indicator
    from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory

    goal = GoalFactory(plan=plan, position=1, title="Trygge tjenester")
    measure = MeasureFactory(goal=goal, title="Hjemmetjenester for de eldste")
    return IndicatorFactory(
        measure=measure,
        name="Andel 80+ med hjemmetjenester",
        kind=Indicator.Kind.PERCENTAGE,
        source=Indicator.Source.MANUAL,
    )
