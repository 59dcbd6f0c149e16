"""Build the Pagefind search index over a freshly written site folder."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from ..core.processes import run_tied_child

TIMEOUT_SECONDS = 300


def index_site(folder: Path) -> str | None:
    """Index folder with Pagefind; return None on success or why it could not run."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(folder),
        "--output-subdir",
        "pagefind",
        "--keep-index-url",
        "--silent",
    ]
    try:
        # Pagefind dies with the build: left running, it would write into the temporary
        # folder after the next build removed it, bringing back a folder no build removes.
        indexer = run_tied_child(command, TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"Pagefind could not run ({err})"
    if indexer.returncode != 0:
        detail = (indexer.stderr or indexer.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit status {indexer.returncode}"
        return f"Pagefind failed: {reason}"
    try:
        make_filters_stable(folder / "pagefind")
    except (OSError, ValueError, KeyError, TypeError) as err:
        return f"Pagefind wrote an index this version cannot read ({err})"
    return None


# Pagefind writes the values of a filter in hash-map order, which changes from run to
# run. To keep builds byte-identical, sort them and rename the files that depend on them.
SIGNATURE = b"pagefind_dcd"
CborValue = int | str | bytes | list["CborValue"] | dict["CborValue", "CborValue"]


def _cbor_decode(data: bytes, pos: int = 0) -> tuple[CborValue, int]:
    head = data[pos]
    major, info = head >> 5, head & 0x1F
    pos += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise ValueError(f"unsupported CBOR item 0x{head:02x}")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major in (2, 3):
        raw = data[pos : pos + arg]
        return (raw if major == 2 else raw.decode("utf-8")), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _cbor_decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping: dict[CborValue, CborValue] = {}
        for _ in range(arg):
            key, pos = _cbor_decode(data, pos)
            mapping[key], pos = _cbor_decode(data, pos)
        return mapping, pos
    raise ValueError(f"unsupported CBOR major type {major}")


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("CBOR integer too large")


def _cbor_encode(value: CborValue) -> bytes:
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    return _cbor_head(5, len(value)) + b"".join(
        _cbor_encode(k) + _cbor_encode(v) for k, v in value.items()
    )


def _read_pf(path: Path) -> CborValue:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name}: not a Pagefind file")
    value, _ = _cbor_decode(data, len(SIGNATURE))
    return value


def _pf_bytes(value: CborValue) -> bytes:
    return gzip.compress(SIGNATURE + _cbor_encode(value), compresslevel=9, mtime=0)


def _sorted_filter(value: CborValue) -> CborValue:
    """Sort a filter file's values by name: [name, [[value, [pages]], ...]]."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], list):
        return [value[0], sorted(value[1], key=lambda v: str(v[0]) if isinstance(v, list) else "")]
    return value


def _replace(value: CborValue, names: dict[str, str]) -> CborValue:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_replace(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, names) for k, v in value.items()}
    return value


def make_filters_stable(bundle: Path) -> None:
    """Rewrite Pagefind's filter files (and the files naming them) in a stable order."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry.get("languages", {}).items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_pf(meta_path)
        names: dict[str, str] = {}
        for filter_path in sorted((bundle / "filter").glob(f"{language}_*.pf_filter")):
            data = _pf_bytes(_sorted_filter(_read_pf(filter_path)))
            new_name = f"{language}_{hashlib.sha256(data).hexdigest()[:7]}"
            names[filter_path.name.removesuffix(".pf_filter")] = new_name
            filter_path.unlink()
            (bundle / "filter" / f"{new_name}.pf_filter").write_bytes(data)
        if not names:
            continue
        data = _pf_bytes(_replace(meta, names))
        new_hash = f"{language}_{hashlib.sha256(data).hexdigest()[:13]}"
        meta_path.unlink()
        (bundle / f"pagefind.{new_hash}.pf_meta").write_bytes(data)
        info["hash"] = new_hash
    entry_path.write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
