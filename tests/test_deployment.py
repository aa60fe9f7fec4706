"""docker-compose.yml, Dockerfile and .env.example agree with the code; production passes
`manage.py check --deploy`."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from celery import Celery
from django.core.management import get_commands

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
# ${VAR}, ${VAR:-default}, ${VAR:?message}, ${VAR-default} …
COMPOSE_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:]?[-?+][^}]*)?\}")
# env_str("X", …) & co. (portal.env), os.environ["X"], os.environ.get("X"), os.getenv("X")
CODE_VARIABLE = re.compile(
    r"""(?:env_(?:str|bool|int|list)\(|os\.environ(?:\.get)?[\[(]|os\.getenv\()\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def _compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _env_example_keys() -> set[str]:
    keys = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        # Commented-out assignments ("# KEY=value") document optional variables too.
        match = re.match(r"^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=", line)
        if match:
            keys.add(match.group(1))
    return keys


def _split_command(command: str | list[str]) -> list[list[str]]:
    """One argv per simple command; `sh -c "a && b"` becomes [a, b]."""
    argv = shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
    if len(argv) >= 3 and argv[0] in {"sh", "bash", "/bin/sh", "/bin/bash"} and argv[1] == "-c":
        commands = []
        for part in re.split(r"&&|\|\||;", argv[2]):
            sub = shlex.split(part)
            if sub and sub[0] == "exec":
                sub = sub[1:]
            if sub:
                commands.append(sub)
        return commands
    return [argv]


def _check_gunicorn(argv: list[str]) -> None:
    targets = [arg for arg in argv[1:] if re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", arg)]
    assert targets, f"no module:attribute WSGI target in {argv}"
    module_name, attribute = targets[0].split(":")
    spec = importlib.util.find_spec(module_name)
    assert spec is not None and spec.origin, f"{module_name} is not importable"
    assert Path(spec.origin).is_file()
    assert Path(spec.origin).resolve().is_relative_to(REPO_ROOT)
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute, None)), f"{targets[0]} is not a WSGI callable"


def _check_celery(argv: list[str]) -> None:
    app_name = None
    positional = []
    args = iter(argv[1:])
    for arg in args:
        if arg in {"-A", "--app"}:
            app_name = next(args)
        elif arg.startswith("--app="):
            app_name = arg.split("=", 1)[1]
        elif not arg.startswith("-"):
            positional.append(arg)
    assert app_name, f"celery command without -A: {argv}"
    assert positional and positional[0] in {"worker", "beat"}, f"unexpected celery command {argv}"
    module_name = app_name.split(":")[0]
    assert importlib.util.find_spec(f"{module_name}.celery") is not None
    assert (REPO_ROOT / module_name.replace(".", "/") / "celery.py").is_file()
    module = importlib.import_module(f"{module_name}.celery")
    assert isinstance(getattr(module, "app", None), Celery), f"{module_name}.celery has no app"


def _check_manage_py(argv: list[str]) -> None:
    assert argv[1] == "manage.py", argv
    assert (REPO_ROOT / "manage.py").is_file()
    assert len(argv) > 2, f"manage.py without a command: {argv}"
    assert argv[2] in get_commands(), f"no management command {argv[2]!r}"


def _check_command(argv: list[str]) -> None:
    program = Path(argv[0]).name
    if program == "gunicorn":
        _check_gunicorn(argv)
    elif program == "celery":
        _check_celery(argv)
    elif re.fullmatch(r"python(3(\.\d+)?)?", program):
        _check_manage_py(argv)
    else:
        pytest.fail(f"unknown program in compose command: {argv}")


def test_compose_has_the_expected_services() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)


def test_every_compose_command_refers_to_something_that_exists() -> None:
    checked = 0
    for name, service in _compose()["services"].items():
        if "build" not in service:
            continue  # third-party images (postgres, redis) run their own binaries
        command = service.get("command")
        assert command, f"service {name} builds the project image but has no command"
        for argv in _split_command(command):
            _check_command(argv)
            checked += 1
    assert checked >= 3


def test_web_worker_and_beat_run_the_right_programs() -> None:
    services = _compose()["services"]
    web = [argv[0] for argv in _split_command(services["web"]["command"])]
    assert "gunicorn" in web
    for name, subcommand in (("worker", "worker"), ("beat", "beat")):
        (argv,) = _split_command(services[name]["command"])
        assert argv[0] == "celery" and subcommand in argv


def test_every_compose_variable_is_documented_in_env_example() -> None:
    used = set(COMPOSE_VARIABLE.findall(COMPOSE_FILE.read_text(encoding="utf-8")))
    assert used, "expected ${VAR} substitutions in docker-compose.yml"
    missing = used - _env_example_keys()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_every_variable_the_code_reads_is_documented_in_env_example() -> None:
    skip_dirs = {".venv", "var", "tests", "bench", "node_modules", "migrations", "static"}
    used: set[str] = set()
    for path in REPO_ROOT.rglob("*.py"):
        relative = path.relative_to(REPO_ROOT)
        if set(relative.parts) & skip_dirs or relative.parts[0].startswith("."):
            continue
        if path.name == "conftest.py" or path.name.startswith("test_"):
            continue
        used |= set(CODE_VARIABLE.findall(path.read_text(encoding="utf-8")))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= used
    missing = used - _env_example_keys()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_dockerfile_builds_from_the_lock_file() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", dockerfile, re.MULTILINE)
    assert "pip install -r requirements.lock" in dockerfile
    for package in ("fonts-noto-cjk", "fonts-hanazono", "libharfbuzz-subset0", "libpango-1.0-0"):
        assert package in dockerfile


def _dockerfile_steps() -> list[tuple[dict[str, str], list[str]]]:
    """Each ``manage.py`` command the image build runs, with the variables set for it."""
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    steps = []
    for line in dockerfile.splitlines():
        if not line.startswith("RUN "):
            continue
        for part in line.removeprefix("RUN ").split("&&"):
            words = shlex.split(part)
            if "manage.py" not in words:
                continue
            env = dict(w.split("=", 1) for w in words if "=" in w and w.split("=")[0].isupper())
            steps.append((env, words[words.index("manage.py") + 1 :]))
    return steps


def test_the_image_builds_settings_load_with_the_variables_the_dockerfile_gives() -> None:
    """``collectstatic`` runs at build time without the production secrets: every variable
    production requires must be given a build-time value there (the build broke on
    ``CERTIFICATE_SIGNING_KEY`` once)."""
    steps = _dockerfile_steps()
    assert [command[0] for _env, command in steps] == ["collectstatic", "certificate_fonts"]
    for env, _command in steps:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CERT"))}
        loaded = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env={**clean, **env},
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert loaded.returncode == 0, (env, loaded.stderr[-2000:])


def _signing_key_env() -> dict[str, str]:
    """The certificate-signing files production requires (the throwaway development ones)."""
    from certificates.signing import key_paths, keys_init

    paths = key_paths()
    keys_init(paths)
    return {
        "CERTIFICATE_SIGNING_KEY": str(paths.key),
        "CERTIFICATE_SIGNING_CERT": str(paths.cert),
        "CERTIFICATE_SIGNING_CHAIN": str(paths.chain),
    }


def test_production_refuses_to_start_without_the_certificate_signing_key(tmp_path: Path) -> None:
    base = {key: value for key, value in os.environ.items() if not key.startswith("CERTIFICATE_")}
    base.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="example.gov.cn",
    )
    command = [sys.executable, "manage.py", "check"]
    run = {"cwd": REPO_ROOT, "capture_output": True, "text": True, "timeout": 180}
    missing = subprocess.run(command, env=base, check=False, **run)  # type: ignore[call-overload]
    assert missing.returncode != 0 and "CERTIFICATE_SIGNING_KEY" in missing.stderr
    absent = {
        **base,
        **{k: str(tmp_path / "absent.pem") for k in _signing_key_env()},
    }
    wrong = subprocess.run(command, env=absent, check=False, **run)  # type: ignore[call-overload]
    assert wrong.returncode != 0 and "certificates.E001" in wrong.stderr + wrong.stdout


def test_production_settings_pass_check_deploy() -> None:
    # The browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for this process (async.E001 here).
    dropped = {"DJANGO_DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}
    dropped.add("DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="example.gov.cn",
        **_signing_key_env(),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def test_production_settings_keep_the_content_security_policy() -> None:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_DEBUG"}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="example.gov.cn",
        **_signing_key_env(),
    )
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.MIDDLEWARE, s.CONTENT_SECURITY_POLICY['DIRECTIVES']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    import json

    middleware, directives = json.loads(result.stdout.strip().splitlines()[-1])
    assert "csp.middleware.CSPMiddleware" in middleware
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
