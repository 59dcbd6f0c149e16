"""Read content files into raw documents: front matter split, YAML parsed, lines kept."""

from __future__ import annotations

import bisect
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import Collector, ContentError, Diagnostic, display_path
from ..core.processes import run_indexed
from .model import Limits

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

COLLECTIONS = ("articles", "people", "topics")
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
DEFAULT_LIMITS = Limits()

KeyPath = tuple[str | int, ...]


class _Loader(_BaseLoader):
    """Safe YAML loader that leaves dates as text, so we can report bad ones clearly."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A tagged value its tag cannot read (`!!float nope`, `!!timestamp x`) fails with a
        # plain Python error; give it the node's place like any other YAML error.
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, LookupError, OverflowError):
            tag = str(node.tag).rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{describe(node.value)} is not a valid !!{tag} value; remove the tag",
                node.start_mark,
            ) from None


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One content file: its front matter as plain data, its body, and key line numbers."""

    src_path: Path
    collection: str
    slug: str
    meta: Mapping[str, Any]
    lines: Mapping[KeyPath, int]
    body: str
    body_line: int

    def line_of(self, path: KeyPath) -> int:
        """Return the line of a front matter key, or of its nearest enclosing key."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line:
                return line
        return 1


def slugify(text: str) -> str:
    """Return a slug made from text (lowercase ASCII words joined by hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


# Endings of files that were meant to be read: Markdown and plain text, in any case.
TEXT_SUFFIXES = frozenset(
    {".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".txt", ".text"}
)
DOCUMENT_SUFFIXES = frozenset({".doc", ".docx", ".odt", ".rtf", ".pages"})
PICTURE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif", ".heic"})
# Folder names meant as a collection: another case, or the singular.
FOLDER_NAMES = {
    **{c: c for c in COLLECTIONS},
    "article": "articles",
    "person": "people",
    "persons": "people",
    "topic": "topics",
}
# What editors and file browsers leave beside files; never meant as content.
LITTER_RE = re.compile(r"(?i)(?:.*~|#.*#|thumbs\.db|desktop\.ini)\Z")


def iter_content_files(
    content_dir: Path,
    collector: Collector,
    ignored: dict[str, tuple[str, Path]] | None = None,
) -> Iterator[tuple[str, Path]]:
    """Yield (collection, path) for every Markdown file, sorted for a stable order.

    Every other file is a warning, and `ignored` maps the slug each would have to
    (its collection, or '' outside them, and its path): a reference to that slug then
    says to rename the file, never to create one.
    """
    if not content_dir.is_dir():
        collector.error(content_dir, 0, "content folder not found; pass --content DIR")
        return
    folders = ", ".join(f"{content_dir.name}/{c}/" for c in COLLECTIONS[:-1])
    folders += f" or {content_dir.name}/{COLLECTIONS[-1]}/"
    loose: list[Path] = []  # files beside the folders, not in one
    for child in sorted(content_dir.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir() and child.name not in COLLECTIONS:
            meant = FOLDER_NAMES.get(child.name.casefold())
            if meant is not None and _same_folder(child, content_dir / meant):
                continue  # a file system that ignores case reads it as that folder
            if meant is None:
                collector.warn(
                    child,
                    0,
                    f"folder '{child.name}' is ignored; content goes in "
                    + ", ".join(f"{content_dir.name}/{c}/" for c in COLLECTIONS),
                )
                continue
            collector.warn(
                child, 0, f"folder '{child.name}' is ignored; rename it to '{meant}'"
            )
            for path in sorted(child.rglob("*")):  # what it holds is not there for the build
                if path.is_file() and ignored is not None and meant_slug(path):
                    ignored.setdefault(meant_slug(path), ("", path))
        elif child.is_file() and not LITTER_RE.match(child.name):
            loose.append(child)
            collector.warn(
                child, 1, f"this file is not read: files go in {folders}; move it into one"
            )
    for collection in COLLECTIONS:
        folder = content_dir / collection
        if not folder.is_dir():
            continue
        for path in _files_under(folder):
            if path.suffix == ".md":
                yield collection, path
            elif not LITTER_RE.match(path.name):
                _warn_unread(collection, path, collector, ignored)
    for path in loose:  # after the folders: a file in the right folder is the better lead
        slug = meant_slug(path)
        if ignored is not None and slug and path.suffix.lower() in TEXT_SUFFIXES:
            ignored.setdefault(slug, ("", path))


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def meant_slug(path: Path) -> str:
    """Return the slug a file's name was meant to give: its text endings and capitals gone."""
    name = path.name
    while Path(name).suffix.lower() in TEXT_SUFFIXES:
        name = name[: -len(Path(name).suffix)]
    return slugify(name)


def _warn_unread(
    collection: str,
    path: Path,
    collector: Collector,
    ignored: dict[str, tuple[str, Path]] | None,
) -> None:
    suffix = path.suffix.lower()
    slug = meant_slug(path)
    if suffix in TEXT_SUFFIXES and slug:
        if ignored is not None:
            ignored.setdefault(slug, (collection, path))
        why = f"only names ending in .md (in lowercase) are read; rename it to {slug}.md"
    elif suffix in DOCUMENT_SUFFIXES:
        why = (
            "it is a word processor's document, and only plain-text Markdown files ending in "
            ".md are read; copy its text into one (python build.py new makes one for you)"
        )
    elif suffix in PICTURE_SUFFIXES:
        why = "pictures go in static/ (a person's image: is a path inside static/)"
    else:
        why = "only files ending in .md are read; move it out of the content folder"
    collector.warn(path, 1, f"this file is not read: {why}")


def _files_under(folder: Path) -> list[Path]:
    """Return the files under folder, hidden ones and hidden folders aside, in path order.

    Linked folders are not followed; linked files are returned (and checked later).
    """
    found: list[tuple[tuple[str, ...], str]] = []
    stack: list[tuple[str, tuple[str, ...]]] = [(os.fspath(folder), ())]
    while stack:
        dirpath, parts = stack.pop()
        try:
            with os.scandir(dirpath) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, (*parts, name)))
                elif entry.is_file():
                    found.append(((*parts, name), entry.path))
            except OSError:
                continue
    found.sort()
    return [Path(path) for _, path in found]


def check_project_files(
    root: Path, content_dir: Path, templates_dir: Path, static_dir: Path, collector: Collector
) -> None:
    """Refuse links that lead out of the project, and names that differ only by case.

    The content folder is checked for linked folders (load_documents checks each linked
    file); templates and static for every link. Names are compared folder by folder, as
    macOS and Windows would: letter case and accent encoding ignored. Hidden names are
    skipped where the build skips them (content, static); templates can include any.
    """
    project = root.resolve()
    for folder, hidden in ((content_dir, False), (templates_dir, True), (static_dir, False)):
        if not folder.is_dir():
            continue
        allowed = (project, folder.resolve())
        stack = [folder]
        while stack:
            current = stack.pop()
            try:
                entries = sorted(os.scandir(current), key=lambda e: e.name)
            except OSError:
                continue
            names: dict[str, list[str]] = {}
            for entry in entries:
                if entry.name.startswith(".") and not hidden:
                    continue
                key = unicodedata.normalize("NFC", entry.name).casefold()
                names.setdefault(key, []).append(entry.name)
                path = current / entry.name
                if entry.is_symlink():
                    if folder == content_dir and not entry.is_dir():
                        continue
                    _check_link(path, allowed, collector)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(path)
            for same in names.values():
                if len(same) > 1:
                    others_shown = " and ".join(_show(current / n) for n in same[1:])
                    collector.error(
                        current / same[0],
                        1,
                        f"this name differs only in letter case from {others_shown}; on macOS "
                        "and Windows they are one file, so rename or remove one of them",
                    )


def _check_link(path: Path, allowed: tuple[Path, ...], collector: Collector) -> None:
    kind = "folder" if path.is_dir() else "file"
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a loop of links
        collector.error(path, 0, "this link cannot be followed; replace it with the file itself")
        return
    if not any(target.is_relative_to(place) for place in allowed):
        collector.error(
            path,
            0,
            f"this is a link to a {kind} outside the project; copy the {kind} in instead",
        )


@dataclass(frozen=True, slots=True)
class ContentFile:
    """A file found in the content folder, before it is read."""

    collection: str
    path: Path
    stat: os.stat_result | None  # None when a problem was found before reading
    problem: Diagnostic | None = None
    misnamed: bool = False  # the problem is with the file's name, not with what is in it

    @property
    def identity(self) -> tuple[int, int, int, int] | None:
        """What tells whether the file changed: its size, times of writing and of any
        change (which no program can set back), and inode."""
        st = self.stat
        return None if st is None else (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def scan_content(
    content_dir: Path,
    collector: Collector,
    limits: Limits = DEFAULT_LIMITS,
    ignored: dict[str, tuple[str, Path]] | None = None,
) -> list[ContentFile]:
    """Find every content file, checking names, links and sizes, without reading any.

    `ignored` gets the files not read for their names (see iter_content_files).
    """
    found: list[ContentFile] = []
    seen: dict[str, Path] = {}
    content_real = os.path.realpath(content_dir)
    real_folders: dict[Path, str] = {}

    def problem(collection: str, path: Path, line: int, message: str, misnamed: bool = False) -> None:
        diagnostic = Diagnostic(display_path(path), line, message)
        found.append(ContentFile(collection, path, None, diagnostic, misnamed))

    for collection, path in iter_content_files(content_dir, collector, ignored):
        slug = path.stem
        if not SLUG_RE.match(slug):
            suggestion = slugify(slug) or "my-page"
            if ignored is not None and slugify(slug):
                ignored.setdefault(suggestion, (collection, path))
            problem(
                collection,
                path,
                1,
                f"file name '{path.name}' is not a valid slug; rename it to "
                f"'{suggestion}.md' (lowercase letters, digits and single hyphens)",
                misnamed=True,
            )
            continue
        if slug in seen:
            problem(
                collection,
                path,
                1,
                f"slug '{slug}' is already used by {_show(seen[slug])}; "
                "slugs must be unique across articles, people and topics, so rename one file",
                misnamed=True,
            )
            continue
        seen[slug] = path
        try:
            st = path.lstat()
            linked = stat.S_ISLNK(st.st_mode)
            if linked:
                real = os.path.realpath(path)
            else:  # only its folder can be a link: resolve each folder once
                folder = real_folders.get(path.parent)
                if folder is None:
                    folder = real_folders[path.parent] = os.path.realpath(path.parent)
                real = os.path.join(folder, path.name)
            if not _inside(real, content_real):
                problem(
                    collection,
                    path,
                    0,
                    "this is a link to a file outside the content folder; copy the file in instead",
                )
                continue
            if linked:
                st = path.stat()
        except OSError as err:
            problem(collection, path, 0, f"cannot read the file: {err.strerror}")
            continue
        if st.st_size > limits.max_file_bytes:
            problem(
                collection,
                path,
                1,
                f"file is {st.st_size / 1024 / 1024:.1f} MB; the limit is "
                f"{limits.max_file_mb:g} MB, so split it into several articles "
                "(or raise limits.max_file_mb in site.yaml)",
            )
            continue
        found.append(ContentFile(collection, path, st))
    return found


def read_content_file(entry: ContentFile, limits: Limits = DEFAULT_LIMITS) -> RawDocument | Diagnostic:
    """Read one scanned file: its document, or the problem that stops it."""
    if entry.problem is not None:
        return entry.problem
    try:
        return read_document(entry.path, entry.collection, limits)
    except ContentError as err:
        return err.diagnostic
    except OSError as err:
        return Diagnostic(display_path(entry.path), 0, f"cannot read the file: {err.strerror}")


def gather_documents(
    files: list[ContentFile],
    results: list[RawDocument | Diagnostic],
    collector: Collector,
    unreadable: dict[str, str] | None = None,
) -> list[RawDocument]:
    """Keep the documents read; report the problems, noting the slugs of unreadable files."""
    docs: list[RawDocument] = []
    for entry, result in zip(files, results, strict=True):
        if isinstance(result, Diagnostic):
            collector.add(result)
            if unreadable is not None and not entry.misnamed:
                unreadable[entry.path.stem] = entry.collection
            continue
        docs.append(result)
    return docs


def load_documents(
    content_dir: Path,
    collector: Collector,
    unreadable: dict[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    jobs: int = 1,
    ignored: dict[str, tuple[str, Path]] | None = None,
) -> list[RawDocument]:
    """Read every content file; record problems in collector and skip broken files.

    Files are read in up to `jobs` processes. `ignored` gets the files not read for
    their names (see iter_content_files).
    """
    files = scan_content(content_dir, collector, limits, ignored)
    results = run_indexed(lambda i: read_content_file(files[i], limits), len(files), jobs)
    return gather_documents(files, results, collector, unreadable)


def _inside(real: str, folder: str) -> bool:
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def _show(path: Path) -> str:
    from ..core.errors import display_path

    return display_path(path)


def read_document(path: Path, collection: str, limits: Limits = DEFAULT_LIMITS) -> RawDocument:
    """Read one file and split it into front matter and body."""
    data = path.read_bytes()
    return parse_document(data, path, collection, limits)


def parse_document(
    data: bytes, path: Path, collection: str, limits: Limits = DEFAULT_LIMITS
) -> RawDocument:
    """Split raw bytes into front matter and body; raise ContentError on a bad file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise ContentError(path, line, not_utf8(data, err.start)) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ContentError(path, 1, "file is empty; it needs front matter between two '---' lines")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise ContentError(
            path, 1, "the file must start with a line '---' that opens the front matter"
        )
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if close is None:
        raise ContentError(
            path,
            1,
            "front matter opened here is never closed; add a line '---' after the last field",
        )
    yaml_text = "\n".join(lines[1:close])
    meta, key_lines = parse_front_matter(yaml_text, path, first_line=2, limits=limits)
    body = "\n".join(lines[close + 1 :])
    return RawDocument(
        src_path=path,
        collection=collection,
        slug=path.stem,
        meta=meta,
        lines=key_lines,
        body=body,
        body_line=close + 2,
    )


RESAVE = (
    "Re-save it as UTF-8: in VS Code, click the encoding in the status bar, then 'Save with "
    "Encoding' and 'UTF-8'; in Notepad, File > Save As with Encoding 'UTF-8'; in TextEdit, "
    "Format > Make Plain Text, then save with 'Unicode (UTF-8)'"
)


def not_utf8(data: bytes, at: int) -> str:
    """Say that data is not UTF-8, which encoding it seems to be in, and how to re-save it."""
    byte = f"byte 0x{data[at]:02x}"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 10:
        return f"file is not valid UTF-8: it looks like UTF-16, which Windows calls 'Unicode'. {RESAVE}"
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    if text and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        start = data.rfind(b"\n", 0, at) + 1
        column = len(data[start:at].decode("cp1252"))
        end = data.find(b"\n", at)
        line = data[start : end if end >= 0 else len(data)].decode("cp1252")
        before = re.search(r"\S*\Z", line[:column]).group()  # type: ignore[union-attr]
        after = re.match(r"\S*", line[column:]).group()  # type: ignore[union-attr]
        return (
            f"file is not valid UTF-8: it looks like Windows-1252, the encoding of Word and "
            f"older Windows editors (there {byte} is {line[column]}, as in {before}{after}). "
            f"{RESAVE}"
        )
    return f"file is not valid UTF-8 ({byte}). {RESAVE}"


def parse_front_matter(
    yaml_text: str, path: Path, first_line: int, limits: Limits = DEFAULT_LIMITS
) -> tuple[dict[str, Any], dict[KeyPath, int]]:
    """Parse YAML text into a mapping and a map of key paths to file lines."""
    offset = first_line - 1
    # YAML also ends lines at U+0085, U+2028 and U+2029; count only the file's own lines.
    breaks = [m.start() for m in re.finditer("\n", yaml_text)]

    def line_at(mark: yaml.Mark) -> int:
        return bisect.bisect_left(breaks, mark.index) + first_line

    try:
        loader = _Loader(yaml_text)
        try:
            node = loader.get_single_node()
            if node is None:
                return {}, {}
            key_lines: dict[KeyPath, int] = {}
            _check_nodes(node, (), key_lines, offset, path, limits, line_at)
            value = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        opened = err.context or ""
        if err.context_mark is not None and opened.startswith(
            ("while scanning a quoted scalar", "while parsing a flow")
        ):
            mark = err.context_mark  # where the unclosed quote or bracket was opened
        line = line_at(mark) if mark else first_line - 1
        marks = [m for m in (err.context_mark, err.problem_mark) if m is not None]
        plain = _plain_problem(yaml_text, [line_at(m) - first_line for m in marks])
        if plain is not None:
            raise ContentError(path, plain[0] + first_line, plain[1]) from None
        raise ContentError(path, line, f"YAML syntax error: {_yaml_problem(err)}") from None
    except yaml.YAMLError as err:
        raise ContentError(path, first_line - 1, f"YAML error: {err}") from None
    except RecursionError:
        raise ContentError(path, first_line - 1, "front matter is nested too deeply") from None
    if not isinstance(value, dict):
        raise ContentError(
            path,
            first_line,
            f"front matter must be a mapping of 'key: value' lines, got {describe(value)}",
        )
    return value, key_lines


def _plain_problem(yaml_text: str, near: list[int]) -> tuple[int, str] | None:
    """Explain the two YAML mistakes authors make most, on the lines YAML stopped at.

    Returns (line index, message) for a tab used to indent, or for a quote mark inside
    quoted text that ends the text early (May's inside '...'); None for anything else.
    """
    lines = yaml_text.split("\n")
    span = range(max(min(near, default=0), 0), min(max(near, default=0), len(lines) - 1) + 1)
    for i in span:
        indent = re.match(r"[ \t]*(?:-[ \t]+)*", lines[i])
        if indent and "\t" in indent.group():
            return i, (
                "this line is indented with a tab, and YAML allows only spaces there; "
                "replace the tab with spaces, as many as the lines it belongs with"
            )
    for i in span:
        found = _quote_closed_early(lines[i])
        if found is not None:
            return i, found
    return None


# The start of a line's value: after list dashes and a key's ': ', if any.
_VALUE_RE = re.compile(r"""[ \t]*(?:-[ \t]+)*(?:[^'"\s#\[{][^:#]*:[ \t]+)?(?:-[ \t]+)*""")
# Inside a list or mapping written on one line, a value starts after '[', '{', ',' or ': '.
_FLOW_VALUE_RE = re.compile(r"""(?:[\[{,]|:[ \t])[ \t]*(['"])""")
_AFTER_VALUE_RE = re.compile(r"[ \t]*(?:$|[,\]}:]|#)")


def _quote_closed_early(line: str) -> str | None:
    """Explain a quoted value that a quote mark inside it ends before the value does."""
    at = _VALUE_RE.match(line).end()  # type: ignore[union-attr]
    if line[at : at + 1] in ("'", '"'):
        starts = [at + 1]
    elif line[at : at + 1] in ("[", "{"):
        starts = [m.end(1) for m in _FLOW_VALUE_RE.finditer(line, at)]
    else:
        return None
    for opened in starts:
        mark = line[opened - 1]
        close = _closing(line, opened, mark)
        if close is None or _AFTER_VALUE_RE.match(line, close + 1):
            continue  # closed where the value ends (or not at all: YAML says more)
        end = next(
            (
                j
                for j in range(close + 1, len(line))
                if line[j] == mark and _AFTER_VALUE_RE.match(line, j + 1)
            ),
            None,
        )
        inner = line[opened:end] if end is not None else line[opened:].rstrip()
        text = inner.replace("''", "'") if mark == "'" else inner.replace('\\"', '"')
        left = re.search(r"\w*\Z", line[:close]).group()  # type: ignore[union-attr]
        right = re.match(r"\w*", line[close + 1 :]).group()  # type: ignore[union-attr]
        where = (
            f"in {left}{mark}{right}" if left and right
            else f"after {left}" if left
            else f"before {right}" if right
            else f"at column {close + 1}"
        )
        double = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        single = "'" + text.replace("'", "''") + "'"
        if mark == "'":
            return (
                f"the apostrophe {where} ends the text that the ' before it opened; inside "
                f"single quotes write an apostrophe twice ({single}), or put the text in "
                f"double quotes instead ({double})"
            )
        return (
            f'the quote mark {where} ends the text that the " before it opened; inside '
            f'double quotes write a quote mark as \\" ({double}), or put the text in single '
            f"quotes instead ({single})"
        )
    return None


def _closing(line: str, opened: int, mark: str) -> int | None:
    """Return where the quoted text opened just before `opened` closes, as YAML reads it."""
    j = opened
    while j < len(line):
        if mark == '"' and line[j] == "\\":
            j += 2
            continue
        if line[j] == mark:
            if mark == "'" and line[j + 1 : j + 2] == "'":
                j += 2  # '' is an apostrophe inside single quotes
                continue
            return j
        j += 1
    return None


def _yaml_problem(err: yaml.MarkedYAMLError) -> str:
    problem = err.problem or "invalid YAML"
    if err.context and "could not determine a constructor" not in problem:
        problem = f"{problem} ({err.context})"
    if "could not determine a constructor" in problem:
        problem = problem.replace(
            "could not determine a constructor for the tag",
            "YAML tags are not allowed; remove the tag",
        )
    if "mapping values are not allowed" in problem:
        problem += "; put quotes around text that contains ': '"
    return problem


def _check_nodes(
    node: yaml.Node,
    path: KeyPath,
    key_lines: dict[KeyPath, int],
    offset: int,
    src: Path,
    limits: Limits,
    line_at: Callable[[yaml.Mark], int],
) -> None:
    """Record key lines, refuse duplicate keys and alias bombs."""
    sizes: dict[int, int] = {}

    def expanded(n: yaml.Node) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1  # guards against recursive aliases
        total = 1
        if isinstance(n, yaml.MappingNode):
            total += sum(expanded(k) + expanded(v) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total += sum(expanded(item) for item in n.value)
        sizes[key] = total
        return total

    if expanded(node) > limits.max_yaml_values:
        raise ContentError(
            src,
            offset,
            "front matter expands to too many values (YAML anchors and aliases repeated); "
            "write the values out plainly",
        )
    visited: set[int] = set()

    def walk(n: yaml.Node, at: KeyPath) -> None:
        if id(n) in visited:
            return
        visited.add(id(n))
        if len(at) > limits.max_nesting:
            raise ContentError(
                src,
                line_at(n.start_mark),
                f"{dotted(at)}: front matter is nested more than {limits.max_nesting} levels "
                "deep; flatten it (or raise limits.max_nesting in site.yaml)",
            )
        if isinstance(n, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in n.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else repr(k.value)
                line = line_at(k.start_mark)
                if key in seen:
                    raise ContentError(
                        src, line, f"{dotted(at + (key,))}: this key appears twice; keep one"
                    )
                seen.add(key)
                key_lines[at + (key,)] = line
                walk(v, at + (key,))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                key_lines[at + (i,)] = line_at(item.start_mark)
                walk(item, at + (i,))

    walk(node, path)


def dotted(path: KeyPath) -> str:
    """Return 'roles[0].from' for ('roles', 0, 'from')."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def describe(value: object) -> str:
    """Name a YAML value's type the way an author would."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{'yes/true' if value else 'no/false'} (a true/false value)"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
