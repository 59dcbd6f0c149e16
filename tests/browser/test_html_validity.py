"""The Nu HTML checker finds no errors in any page of the built site."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .conftest import VNU_JAR, BuiltSite, require_tool


@pytest.mark.browser
def test_nu_html_checker_finds_no_errors(built_site: BuiltSite) -> None:
    jar = require_tool(VNU_JAR, "The Nu HTML checker (npm package vnu-jar)")
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is not on PATH; the Nu HTML checker needs Java 17 or newer", pytrace=False)
    pages = built_site.html_files()
    assert pages, "the build produced no HTML pages"
    # One JVM for every page: starting Java is most of the cost.
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "gnu", *map(str, pages)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = (result.stdout + result.stderr).replace(f"file:{built_site.out}/", "")
    clean = result.returncode == 0 and not messages.strip()
    if not clean:
        print(messages)
    assert clean, f"Nu HTML checker errors in {len(pages)} pages:\n{messages}"
