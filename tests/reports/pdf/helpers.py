"""Reading generated PDFs back: text per page (pypdf), NFKC-normalised so that shaped Arabic
(presentation forms) compares equal to the name as typed; validity through qpdf."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

from pypdf import PdfReader


def pages_text(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [unicodedata.normalize("NFKC", page.extract_text() or "") for page in reader.pages]


def flat(text: str) -> str:
    """Whitespace collapsed, so that table rows read as ``label 12 10 +2``."""
    return re.sub(r"\s+", " ", text)


def metadata(content: bytes) -> dict[str, str]:
    info = PdfReader(io.BytesIO(content)).metadata or {}
    return {key.lstrip("/"): str(value) for key, value in info.items()}


def qpdf_check(content: bytes, tmp_path: Path) -> None:
    """Fails unless qpdf finds the file valid (pypdf parses it where qpdf is missing)."""
    path = tmp_path / "check.pdf"
    path.write_bytes(content)
    if shutil.which("qpdf") is None:
        PdfReader(path, strict=True)
        return
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout
