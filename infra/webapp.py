"""Build the web app (web/, Vite) and publish it to the stack's web bucket with the config.json it reads.

    python -m infra.webapp            build (cached) and publish to the default target

The build is skipped when nothing it reads changed (web/'s sources, its lock file and the OpenAPI
document its typed client is generated from). The app learns where the API and the WebSocket are from
config.json, written here beside it on every deploy: the local REST API's id changes with its routes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import re
import shutil
from urllib.parse import urlsplit

import boto3

from infra.cli import ToolError
from infra.cli import run as run_tool
from infra.config import LOCAL, REGION, ROOT, Target, activate, default_target
from infra.steps import run
from infra.urls import discover

WEB = ROOT / "web"
DIST = WEB / "dist"
OPENAPI = ROOT / "functions" / "gateway" / "deepiri_gateway" / "openapi.json"
BUILD_STAMP = LOCAL / "web-build.sha256"
INSTALL_STAMP = WEB / "node_modules" / ".installed.sha256"
SKIPPED = {"node_modules", "dist"}
GENERATED = WEB / "src" / "api" / "schema.d.ts"  # the build's own output (from OPENAPI), not an input
CSP_PLACEHOLDER = "__CONNECT_SRC__"
# Hashed assets never change under their name; the page and its config are read fresh every time.
IMMUTABLE = "public, max-age=31536000, immutable"
FRESH = "no-cache"


def inputs_digest() -> str:
    """A digest of everything the build reads: web/'s own files and the OpenAPI document."""
    digest = hashlib.sha256()
    files = sorted(p for p in WEB.rglob("*")
                   if p.is_file() and p != GENERATED and not SKIPPED & set(p.relative_to(WEB).parts))
    for path in [*files, OPENAPI]:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise ToolError("npm was not found on PATH: the web app is built with Node.js 20.19 or later",
                        "install Node.js 20 (with npm) and run the same make target again")
    return npm


def install() -> str:
    """``npm ci`` from the lock file, once per lock file."""
    lock = hashlib.sha256((WEB / "package-lock.json").read_bytes()).hexdigest()
    if INSTALL_STAMP.exists() and INSTALL_STAMP.read_text() == lock:
        return "packages unchanged since the last npm ci"
    run([_npm(), "ci", "--prefix", str(WEB), "--no-audit", "--no-fund"], log=LOCAL / "logs" / "web-npm-ci.log")
    INSTALL_STAMP.write_text(lock)
    return "npm ci from package-lock.json"


def build() -> str:
    """Generate the typed client, type-check and bundle; skipped when no input changed. Says which it did."""
    installed = install()
    digest = inputs_digest()
    if (DIST / "index.html").exists() and BUILD_STAMP.exists() and BUILD_STAMP.read_text() == digest:
        return f"{installed}; sources unchanged since the last build: nothing rebuilt"
    BUILD_STAMP.unlink(missing_ok=True)
    run([_npm(), "run", "--prefix", str(WEB), "build"], log=LOCAL / "logs" / "web-build.log")
    LOCAL.mkdir(exist_ok=True)
    BUILD_STAMP.write_text(digest)
    return f"{installed}; built ({initial_js_gzip_bytes() // 1024} KB of initial JavaScript gzipped)"


def initial_js_gzip_bytes() -> int:
    """The gzipped size of the JavaScript index.html loads before the first screen."""
    page = (DIST / "index.html").read_text()
    scripts = re.findall(r'<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\./([^"]+\.js)"', page)
    return sum(len(gzip.compress((DIST / script).read_bytes(), 9)) for script in scripts)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def page_with_policy(page: str, rest: str, websocket: str) -> str:
    """index.html with its Content-Security-Policy allowing connections to exactly the API and WebSocket."""
    return page.replace(CSP_PLACEHOLDER, f"{origin(rest)} {origin(websocket)}")


def publish(target: Target, bucket: str, rest: str, websocket: str) -> int:
    """Upload the built app and its config.json to ``bucket``; returns how many files were written."""
    if not (DIST / "index.html").exists():
        raise ToolError("web/dist has no build to publish", "run make up (it builds the web app first)")
    s3 = boto3.client("s3", endpoint_url=target.endpoint or None, region_name=REGION)
    written = 0
    for path in sorted(p for p in DIST.rglob("*") if p.is_file()):
        key = path.relative_to(DIST).as_posix()
        body = path.read_bytes()
        if key == "index.html":
            body = page_with_policy(body.decode(), rest, websocket).encode()
        kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=_with_charset(kind),
                      CacheControl=IMMUTABLE if key.startswith("assets/") else FRESH)
        written += 1
    config = {"apiUrl": rest, "websocketUrl": websocket, "stage": target.stage}
    s3.put_object(Bucket=bucket, Key="config.json", Body=json.dumps(config).encode(),
                  ContentType="application/json", CacheControl=FRESH)
    return written + 1


def _with_charset(kind: str) -> str:
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith("javascript") else kind


def main() -> None:
    target = activate(default_target())
    print(f"    {build()}", flush=True)
    found = discover(target)
    print(f"    {publish(target, found.web_bucket, found.rest, found.websocket)} files published: {found.app}")


if __name__ == "__main__":
    run_tool(main)
