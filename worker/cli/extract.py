"""`worker extract`: one page's article (with its statements) as JSON, or a batch of pages as JSON
lines (worker/extract/jsonl.py); touches no database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from worker.cli.arguments import UsageError, settings_for
from worker.extract import detect_language, extract_article
from worker.extract.jsonl import run_jsonl
from worker.fetch import Fetcher, FetchError
from worker.locations import local_path
from worker.output import to_json
from worker.parse.urls import is_file_url
from worker.pipeline.charset import decode_html
from worker.pool import CpuPool
from worker.settings import Settings
from worker.statements.languages import statements_in


def extract(args: argparse.Namespace) -> int:
    if args.jsonl:
        if args.target:
            raise UsageError("--jsonl reads stdin; give no URL or path with it")
        with CpuPool.from_settings(settings_for(args)) as pool:
            run_jsonl(sys.stdin, sys.stdout, pool, statements=args.statements)
        return 0
    if args.statements:
        raise UsageError("--statements goes with --jsonl (a single page's statements are always shown)")
    if not args.target:
        raise UsageError("give a URL or a path, or --jsonl")
    settings = settings_for(args)
    target = args.target
    if urlsplit_scheme(target) in ("http", "https"):
        try:
            response = asyncio.run(_fetch_page(settings, target))
        except FetchError as exc:
            raise UsageError(str(exc)) from None
        html = decode_html(response.body, response.headers.get("content-type"))
        url = response.url
    else:
        path = local_path(target) if is_file_url(target) else Path(target)
        if path is None or not path.is_file():
            raise UsageError(f"{target!r}: no such file")
        html = decode_html(path.read_bytes(), None)
        url = path.resolve().as_uri()
    page = extract_article(html, url)
    statements = statements_in(page.text, page.language or detect_language(page.text))
    result: dict[str, Any] = {"url": url, **page.__dict__, "statements": [s.to_dict() for s in statements]}
    print(to_json(result))
    return 0


def urlsplit_scheme(text: str) -> str:
    head, sep, _ = text.partition(":")
    return head.lower() if sep else ""


async def _fetch_page(settings: Settings, url: str) -> Any:
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, kind="page")
