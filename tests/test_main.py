from pathlib import Path

from app.main import create_app
from app.settings import load_settings


def test_create_app_does_no_io(tmp_path: Path) -> None:
    data_dir = tmp_path / "never-created"
    app = create_app(load_settings(data_dir=data_dir, redis_url=None))
    assert not data_dir.exists()
    assert app.title == "Crossfade"
    assert {"/api/v1/health", "/api/v1/jobs"} <= set(app.openapi()["paths"])
    assert not data_dir.exists()
