"""`gwanje user add` and `gwanje audit verify` against a real SQLite store in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from gwanje.cli.main import main
from gwanje.config import AppConfig
from gwanje.config.store import StoreConfig
from gwanje.store import Store
from gwanje.store.models import AuditRow


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "gwanje.yaml"
    path.write_text(f"store: {{data_dir: {tmp_path / 'data'}}}\n", encoding="utf-8")
    return path


def test_user_add_takes_the_password_from_the_environment_and_never_prints_it(
    config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GWANJE_PASSWORD", "a long enough secret")
    assert main(["user", "add", "kim", "--role", "operator", "--config", str(config_file)]) == 0
    out = capsys.readouterr()
    assert "added operator 'kim'" in out.out
    assert "a long enough secret" not in out.out + out.err
    assert main(["user", "add", "kim", "--role", "viewer", "--config", str(config_file)]) == 2
    assert "exists already" in capsys.readouterr().err

    store = Store.open(StoreConfig(data_dir=config_file.parent / "data"))
    try:
        user = store.accounts.get_user("kim")
        assert user is not None and user.role == "operator"
        assert user.password_hash.startswith("$argon2id$")
        entry = store.list_audit(action="user_add")[0]
        assert (entry.target, entry.detail) == ("user:kim", "role=operator")
        assert entry.actor.startswith("cli")
    finally:
        store.close()


def test_user_add_explains_a_weak_password_or_a_missing_terminal(
    config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GWANJE_PASSWORD", "short")
    assert main(["user", "add", "kim", "--role", "viewer", "--config", str(config_file)]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.delenv("GWANJE_PASSWORD")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["user", "add", "kim", "--role", "viewer", "--config", str(config_file)]) == 2
    assert "set GWANJE_PASSWORD" in capsys.readouterr().err


def test_audit_verify_passes_then_finds_an_edit(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(AppConfig(store=StoreConfig(data_dir=config_file.parent / "data")).store)
    store.audit("alice", "login", "user:alice", "10.0.0.1")
    store.audit("alice", "view_clip", "event:e1:clip", "10.0.0.1")
    assert main(["audit", "verify", "--config", str(config_file)]) == 0
    assert "audit log intact: 2 entries" in capsys.readouterr().out
    with store.session() as s:
        s.execute(update(AuditRow).where(AuditRow.id == 1).values(client="10.9.9.9"))
    store.close()
    assert main(["audit", "verify", "--config", str(config_file)]) == 1
    out = capsys.readouterr().out
    assert "TAMPERED" in out and "entry 1 (login by alice)" in out


def test_user_group_saves_lists_and_deletes_camera_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "groups.yaml"
    config.write_text(
        f"store: {{data_dir: {tmp_path / 'data'}}}\ncameras: [{{id: gate, source: {{url: 'demo:'}}}}]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GWANJE_PASSWORD", "a long enough secret")
    assert main(["user", "add", "kim", "--role", "viewer", "--config", str(config)]) == 0
    assert main(["user", "groups", "--config", str(config)]) == 0
    assert "every user sees every camera" in capsys.readouterr().out
    assert main(["user", "group", "front", "--cameras", "gate", "--members", "kim", "--config", str(config)]) == 0
    assert main(["user", "group", "x", "--cameras", "nope", "--config", str(config)]) == 2
    assert "no such camera(s) in the configuration: nope" in capsys.readouterr().err
    assert main(["user", "groups", "--config", str(config)]) == 0
    assert "front: cameras gate; members kim" in capsys.readouterr().out
    assert main(["user", "group", "front", "--delete", "--config", str(config)]) == 0
    store = Store.open(StoreConfig(data_dir=tmp_path / "data"))
    try:
        assert store.groups.list_groups() == []
        assert [e.action for e in store.list_audit(action="group_save")] == ["group_save"]
    finally:
        store.close()
