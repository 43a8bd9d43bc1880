"""The web app's build and publication helpers: the page's Content-Security-Policy, the build's inputs, and
which saved files `make watch` treats as the web app's."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from infra import webapp
from infra.watch import web_sources

PAGE = '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; connect-src \'self\' __CONNECT_SRC__">'


def test_given_the_stack_urls_when_the_page_is_published_then_its_policy_names_exactly_their_origins() -> None:
    page = webapp.page_with_policy(PAGE, "https://abc.execute-api.us-east-1.amazonaws.com/dev",
                                   "wss://def.execute-api.us-east-1.amazonaws.com/dev")

    assert "__CONNECT_SRC__" not in page
    assert ("connect-src 'self' https://abc.execute-api.us-east-1.amazonaws.com "
            "wss://def.execute-api.us-east-1.amazonaws.com\"") in page


def test_given_a_saved_web_source_or_generated_types_then_only_the_source_rebuilds_the_app() -> None:
    source = webapp.WEB / "src" / "screens" / "today.tsx"
    generated = webapp.WEB / "src" / "api" / "schema.d.ts"
    handler = webapp.ROOT / "functions" / "gateway" / "deepiri_gateway" / "handlers" / "api.py"

    assert web_sources({source, generated, handler}) == {source}


def test_given_a_change_to_the_openapi_document_then_the_build_inputs_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "web" / "src").mkdir(parents=True)
    (tmp_path / "web" / "src" / "main.tsx").write_text("render()")
    (tmp_path / "web" / "node_modules").mkdir()
    (tmp_path / "web" / "node_modules" / "ignored.js").write_text("not an input")
    document = tmp_path / "openapi.json"
    document.write_text('{"paths": {}}')
    monkeypatch.setattr(webapp, "WEB", tmp_path / "web")
    monkeypatch.setattr(webapp, "OPENAPI", document)
    monkeypatch.setattr(webapp, "ROOT", tmp_path)
    before = webapp.inputs_digest()
    (tmp_path / "web" / "node_modules" / "ignored.js").write_text("still not an input")
    assert webapp.inputs_digest() == before
    document.write_text('{"paths": {"/api/tasks": {}}}')

    assert webapp.inputs_digest() != before


def test_given_a_built_page_then_the_initial_javascript_is_what_it_loads_gzipped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-1.js").write_bytes(b"console.log('app');" * 200)
    (tmp_path / "assets" / "lazy-2.js").write_bytes(b"never loaded first" * 500)
    (tmp_path / "index.html").write_text('<script type="module" crossorigin src="./assets/index-1.js"></script>')
    monkeypatch.setattr(webapp, "DIST", tmp_path)

    assert webapp.initial_js_gzip_bytes() == len(gzip.compress(b"console.log('app');" * 200, 9))
