"""Load stage: files -> raw documents (front matter split, YAML parsed, line numbers kept)."""

from __future__ import annotations

from pathlib import Path

import pytest

from explainer.content.config import load_config
from explainer.content.load import (
    RawDocument,
    describe,
    dotted,
    load_documents,
    parse_document,
    slugify,
)
from explainer.content.model import SiteConfig
from explainer.core.errors import Collector, ContentError

ARTICLE_PATH = Path("content/articles/story.md")


def load(text: str | bytes, path: Path = ARTICLE_PATH, collection: str = "articles") -> RawDocument:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_document(data, path, collection)


def load_error(text: str | bytes) -> str:
    with pytest.raises(ContentError) as info:
        load(text)
    return str(info.value)


# --- A good file ---------------------------------------------------------------------------


def test_front_matter_and_body_are_split():
    doc = load("---\ntitle: A story\ndate: 2017-11-15\n---\nFirst line.\n\nSecond.\n")
    assert doc.meta == {"title": "A story", "date": "2017-11-15"}
    assert doc.body == "First line.\n\nSecond.\n"
    assert doc.body_line == 5
    assert (doc.slug, doc.collection, doc.src_path) == ("story", "articles", ARTICLE_PATH)


def test_key_lines_are_file_lines_including_nested_keys():
    doc = load(
        "---\n"
        "name: Theresa May\n"  # 2
        "summary: PM.\n"  # 3
        "roles:\n"  # 4
        "  - title: Home Secretary\n"  # 5
        "    from: 2010-05-12\n"  # 6
        "  - title: Prime Minister\n"  # 7
        "    from: 2016-07-13\n"  # 8
        "---\n",
        Path("content/people/theresa-may.md"),
        "people",
    )
    assert doc.line_of(("name",)) == 2
    assert doc.line_of(("roles",)) == 4
    assert doc.line_of(("roles", 0)) == 5
    assert doc.line_of(("roles", 1, "from")) == 8
    # A key that is not there falls back to its nearest enclosing key, then to line 1.
    assert doc.line_of(("roles", 1, "to")) == 7
    assert doc.line_of(("aliases",)) == 1


def test_dates_are_kept_as_text_so_bad_ones_can_be_reported():
    doc = load("---\ndate: 2017-11-15\nborn: 2016-13-01\n---\n")
    assert doc.meta == {"date": "2017-11-15", "born": "2016-13-01"}


def test_byte_order_mark_and_windows_line_endings_are_accepted():
    doc = load(b"\xef\xbb\xbf---\r\ntitle: A\r\n---\r\nBody.\r\n")
    assert doc.meta == {"title": "A"}
    assert doc.body == "Body.\n"
    assert doc.body_line == 4


def test_empty_front_matter_is_an_empty_mapping():
    doc = load("---\n---\nBody.\n")
    assert doc.meta == {}
    assert doc.body == "Body.\n"


# --- Bad files: exact message and line -----------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n  \n"], ids=["empty", "blank"])
def test_empty_file(text):
    assert load_error(text) == (
        "content/articles/story.md:1: file is empty; it needs front matter between two '---' lines"
    )


def test_file_must_open_with_front_matter():
    assert load_error("title: A story\n") == (
        "content/articles/story.md:1: the file must start with a line '---' that opens the front matter"
    )


def test_front_matter_never_closed():
    assert load_error("---\ntitle: A story\ndate: 2017-11-15\n") == (
        "content/articles/story.md:1: front matter opened here is never closed; "
        "add a line '---' after the last field"
    )


RESAVE = (
    "Re-save it as UTF-8: in VS Code, click the encoding in the status bar, then 'Save with "
    "Encoding' and 'UTF-8'; in Notepad, File > Save As with Encoding 'UTF-8'; in TextEdit, "
    "Format > Make Plain Text, then save with 'Unicode (UTF-8)'"
)
WINDOWS_1252 = (
    "file is not valid UTF-8: it looks like Windows-1252, the encoding of Word and older "
    "Windows editors (there byte {byte} is {char}, as in {word}). " + RESAVE
)


def test_not_utf8_points_at_the_line_of_the_bad_byte():
    assert load_error(b"---\ntitle: ok\nsummary: caf\xe9\n---\n") == (
        "content/articles/story.md:3: " + WINDOWS_1252.format(byte="0xe9", char="é", word="café")
    )


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        # Word's curly apostrophe and quotes, saved as Windows-1252
        (
            b"---\ntitle: ok\nsummary: Theresa May\x92s \x93plan\x94\n---\n",
            3,
            WINDOWS_1252.format(byte="0x92", char="\u2019", word="May\u2019s"),
        ),
        (
            b"---\ntitle: ok\nsummary: ok\n---\nIt cost \x80100 \x96 or more.\n",
            5,
            WINDOWS_1252.format(byte="0x80", char="\u20ac", word="\u20ac100"),
        ),
        # UTF-16, which Windows Notepad calls "Unicode"
        (
            "---\ntitle: ok\n---\n".encode("utf-16"),
            1,
            "file is not valid UTF-8: it looks like UTF-16, which Windows calls 'Unicode'. "
            + RESAVE,
        ),
        # bytes that are no text in Windows-1252 either: no guess
        (b"---\ntitle: \x81\x8d\n---\n", 2, "file is not valid UTF-8 (byte 0x81). " + RESAVE),
        (b"---\ntitle: ok\x00\xff\n---\n", 2, "file is not valid UTF-8 (byte 0xff). " + RESAVE),
    ],
)
def test_not_utf8_says_which_encoding_it_looks_like(data, line, message):
    assert load_error(data) == f"content/articles/story.md:{line}: {message}"


TAB = (
    "this line is indented with a tab, and YAML allows only spaces there; replace the tab "
    "with spaces, as many as the lines it belongs with"
)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("---\n\ttitle: A story\n---\n", 2),
        ("---\ntitle: A story\nsource:\n\tname: The Paper\n---\n", 4),
        ("---\ntitle: A story\npeople:\n\t- theresa-may\n---\n", 4),
        ("---\ntitle: A story\nsource:\n  name: The Paper\n  \turl: https://e.org/\n---\n", 5),
        ("---\ntitle: A story\nquotes:\n  -\tby: x\n    text: y\n---\n", 4),
        ("---\ntitle: A\nsummary: B\nroles:\n  - title: C\n \t from: 2016-01-01\n---\n", 6),
    ],
)
def test_a_tab_used_to_indent_is_named_in_plain_words(text, line):
    assert load_error(text) == f"content/articles/story.md:{line}: {TAB}"


def test_tabs_where_yaml_allows_them_are_no_error():
    doc = load("---\ntitle:\tA story\nsummary: Tab\tinside\n---\n\tIndented body.\n")
    assert doc.meta == {"title": "A story", "summary": "Tab\tinside"}


def apostrophe(where: str, single: str, double: str) -> str:
    return (
        f"the apostrophe {where} ends the text that the ' before it opened; inside single quotes "
        f"write an apostrophe twice ({single}), or put the text in double quotes instead ({double})"
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "---\ntitle: 'Theresa May's speech'\n---\n",
            2,
            apostrophe("in May's", "'Theresa May''s speech'", '"Theresa May\'s speech"'),
        ),
        (  # a second apostrophe, and the closing quote left off
            "---\ntitle: ok\nsummary: 'Britain's PM's view\n---\n",
            3,
            apostrophe("in Britain's", "'Britain''s PM''s view'", '"Britain\'s PM\'s view"'),
        ),
        (  # a plural's apostrophe, then a space
            "---\ntitle: 'The Joneses' house'\n---\n",
            2,
            apostrophe("after Joneses", "'The Joneses'' house'", '"The Joneses\' house"'),
        ),
        (  # in a list, deeper down
            "---\ntitle: ok\nquotes:\n  - by: x\n    text: 'we won't go'\n---\n",
            5,
            apostrophe("in won't", "'we won''t go'", '"we won\'t go"'),
        ),
        (  # in a list on one line
            "---\ntitle: ok\naliases: [Mrs May, 'May's team']\n---\n",
            3,
            apostrophe("in May's", "'May''s team'", '"May\'s team"'),
        ),
        (  # a double quote mark already inside: the double-quoted fix escapes it
            "---\ntitle: 'It's \"over\"'\n---\n",
            2,
            apostrophe("in It's", "'It''s \"over\"'", '"It\'s \\"over\\""'),
        ),
        (
            '---\ntitle: "He said "no" today"\n---\n',
            2,
            'the quote mark before no ends the text that the " before it opened; inside double '
            'quotes write a quote mark as \\" ("He said \\"no\\" today"), or put the text in '
            "single quotes instead ('He said \"no\" today')",
        ),
    ],
)
def test_a_quote_mark_that_ends_quoted_text_early_is_explained(text, line, message):
    assert load_error(text) == f"content/articles/story.md:{line}: {message}"


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: 'Theresa May''s speech'\n---\n",
        "---\ntitle: \"Theresa May's speech\"\n---\n",
        "---\ntitle: Theresa May's speech\n---\n",
        "---\ntitle: 'May' # the short name\n---\n",
        "---\naliases: ['Mrs May', \"May's\"]\n---\n",
    ],
)
def test_apostrophes_written_as_yaml_wants_are_no_error(text):
    assert "May" in str(load(text).meta)


def test_a_quote_inside_plain_text_is_not_blamed_for_another_mistake():
    assert load_error("---\nsummary: Labour - 'the party' said: no\n---\n") == (
        "content/articles/story.md:2: YAML syntax error: mapping values are not allowed in this "
        "context; put quotes around text that contains ': '"
    )


def test_yaml_syntax_error_points_at_the_offending_line():
    assert load_error("---\ntitle: A story\nsummary: Labour said: no\n---\n") == (
        "content/articles/story.md:3: YAML syntax error: mapping values are not allowed in this "
        "context; put quotes around text that contains ': '"
    )


def test_yaml_syntax_error_with_bad_indentation():
    assert load_error("---\ntitle: a\n  date: 2017-11-15\n---\n") == (
        "content/articles/story.md:3: YAML syntax error: mapping values are not allowed in this "
        "context; put quotes around text that contains ': '"
    )


@pytest.mark.parametrize(
    "front",
    [
        'title: "Jeremy Corbyn: more evidence\ndate: 2017-11-15\nsummary: x\n',
        "title: [Corbyn\ndate: 2017-11-15\nsummary: x\n",
    ],
    ids=["unclosed-quote", "unclosed-bracket"],
)
def test_unclosed_quote_or_bracket_points_at_its_own_line(front):
    assert load_error("---\n" + front + "---\n").startswith("content/articles/story.md:2: ")


@pytest.mark.parametrize(
    ("front", "shown"),
    [
        ("- a\n- b\n", "a list"),
        ("just some words\n", "'just some words'"),
        ("42\n", "a number (42)"),
    ],
    ids=["list", "text", "number"],
)
def test_front_matter_must_be_a_mapping(front, shown):
    assert load_error("---\n" + front + "---\n") == (
        f"content/articles/story.md:2: front matter must be a mapping of 'key: value' lines, got {shown}"
    )


def test_duplicate_key_is_refused_at_its_second_line():
    assert load_error("---\ntitle: a\nsummary: s\ntitle: b\n---\n") == (
        "content/articles/story.md:4: title: this key appears twice; keep one"
    )


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object:os.system x", "tag:yaml.org,2002:python/object:os.system"),
        (
            "!!python/object/apply:os.system ['true']",
            "tag:yaml.org,2002:python/object/apply:os.system",
        ),
        ("!!python/name:os.system", "tag:yaml.org,2002:python/name:os.system"),
        ("!custom x", "!custom"),
    ],
    ids=["object", "apply", "name", "local"],
)
def test_yaml_tags_are_refused(value, tag):
    # The message names the tag in YAML's expanded form, not as the author typed it.
    assert load_error(f"---\ndate: 2017-11-15\ntitle: {value}\n---\n") == (
        f"content/articles/story.md:3: YAML syntax error: YAML tags are not allowed; remove the tag '{tag}'"
    )


def test_repeated_anchors_cannot_blow_up_memory():
    bomb = (
        "---\n"
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "---\n"
    )
    assert load_error(bomb) == (
        "content/articles/story.md:1: front matter expands to too many values (YAML anchors "
        "and aliases repeated); write the values out plainly"
    )


# --- The content folder --------------------------------------------------------------------


GOOD = "---\ntitle: A\n---\n"


def lay_out(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def load_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str | bytes]
) -> tuple[list[RawDocument], list[str]]:
    monkeypatch.chdir(tmp_path)
    lay_out(tmp_path, files)
    collector = Collector()
    docs = load_documents(Path("content"), collector)
    return docs, [str(d) for d in collector.diagnostics]


def test_every_collection_is_read_in_a_stable_order(tmp_path, monkeypatch):
    docs, problems = load_folder(
        tmp_path,
        monkeypatch,
        {
            "content/topics/nato.md": GOOD,
            "content/people/theresa-may.md": GOOD,
            "content/articles/b-story.md": GOOD,
            "content/articles/a-story.md": GOOD,
            "content/articles/2017/nested.md": GOOD,
        },
    )
    assert problems == []
    assert [(d.collection, d.slug) for d in docs] == [
        ("articles", "nested"),
        ("articles", "a-story"),
        ("articles", "b-story"),
        ("people", "theresa-may"),
        ("topics", "nato"),
    ]


def test_hidden_files_and_editor_litter_are_ignored_silently(tmp_path, monkeypatch):
    docs, problems = load_folder(
        tmp_path,
        monkeypatch,
        {
            "content/articles/story.md": GOOD,
            "content/articles/.story.md.swp": "junk",
            "content/articles/.hidden.md": "junk",
            "content/articles/.drafts/old.txt": "junk",
            "content/articles/story.md~": "junk",
            "content/articles/#story.md#": "junk",
            "content/people/Thumbs.db": "junk",
            "content/.DS_Store": "junk",
        },
    )
    assert problems == []
    assert [d.slug for d in docs] == ["story"]


NOT_READ = "warning: this file is not read: only names ending in .md (in lowercase) are read; rename it to "


def test_files_with_another_ending_are_warned_about_never_read(tmp_path, monkeypatch):
    collector = Collector()
    ignored: dict[str, tuple[str, Path]] = {}
    lay_out(
        tmp_path,
        {
            "content/articles/story.md": GOOD,
            "content/articles/second.MD": GOOD,
            "content/articles/2017/third.Md": GOOD,
            "content/articles/fourth.markdown": GOOD,
            "content/articles/notes.txt": GOOD,
            "content/people/theresa-may.md.txt": GOOD,  # Windows hid the .txt
            "content/people/Boris Johnson.TXT": GOOD,
            "content/topics/nato.mkd": GOOD,
            "content/topics/brief.docx": b"PK\x03\x04",
            "content/people/may.jpg": b"\xff\xd8",
            "content/topics/data.csv": "a,b\n",
            "content/theresa-may.md": GOOD,  # outside the three folders
            "content/Topics/kremlin.md": GOOD,  # a folder named in another case
            "content/person/putin.MD": GOOD,  # ... or in the singular
            "content/drafts/old.md": GOOD,  # ... or no collection at all
        },
    )
    monkeypatch.chdir(tmp_path)
    docs = load_documents(Path("content"), collector, ignored=ignored)
    assert [d.slug for d in docs] == ["story"]
    assert [str(d) for d in sorted(collector.diagnostics)] == [
        "content/Topics: warning: folder 'Topics' is ignored; rename it to 'topics'",
        "content/articles/2017/third.Md:1: " + NOT_READ + "third.md",
        "content/articles/fourth.markdown:1: " + NOT_READ + "fourth.md",
        "content/articles/notes.txt:1: " + NOT_READ + "notes.md",
        "content/articles/second.MD:1: " + NOT_READ + "second.md",
        "content/drafts: warning: folder 'drafts' is ignored; content goes in "
        "content/articles/, content/people/, content/topics/",
        "content/people/Boris Johnson.TXT:1: " + NOT_READ + "boris-johnson.md",
        "content/people/may.jpg:1: warning: this file is not read: pictures go in static/ "
        "(a person's image: is a path inside static/)",
        "content/people/theresa-may.md.txt:1: " + NOT_READ + "theresa-may.md",
        "content/person: warning: folder 'person' is ignored; rename it to 'people'",
        "content/theresa-may.md:1: warning: this file is not read: files go in "
        "content/articles/, content/people/ or content/topics/; move it into one",
        "content/topics/brief.docx:1: warning: this file is not read: it is a word processor's "
        "document, and only plain-text Markdown files ending in .md are read; copy its text "
        "into one (python build.py new makes one for you)",
        "content/topics/data.csv:1: warning: this file is not read: only files ending in .md "
        "are read; move it out of the content folder",
        "content/topics/nato.mkd:1: " + NOT_READ + "nato.md",
    ]
    assert ignored == {
        "second": ("articles", Path("content/articles/second.MD")),
        "third": ("articles", Path("content/articles/2017/third.Md")),
        "fourth": ("articles", Path("content/articles/fourth.markdown")),
        "notes": ("articles", Path("content/articles/notes.txt")),
        "theresa-may": ("people", Path("content/people/theresa-may.md.txt")),
        "boris-johnson": ("people", Path("content/people/Boris Johnson.TXT")),
        "nato": ("topics", Path("content/topics/nato.mkd")),
        "kremlin": ("", Path("content/Topics/kremlin.md")),
        "putin": ("", Path("content/person/putin.MD")),
    }


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("My Story.md", "my-story.md"),
        ("Theresa_May.md", "theresa-may.md"),
        ("double--hyphen.md", "double-hyphen.md"),
        ("-leading.md", "leading.md"),
        ("Sinéad.md", "sinead.md"),
    ],
)
def test_invalid_file_name_for_a_slug(tmp_path, monkeypatch, name, suggestion):
    docs, problems = load_folder(tmp_path, monkeypatch, {f"content/articles/{name}": GOOD})
    assert docs == []
    assert problems == [
        f"content/articles/{name}:1: file name '{name}' is not a valid slug; rename it to "
        f"'{suggestion}' (lowercase letters, digits and single hyphens)"
    ]


def test_slug_used_twice_across_collections(tmp_path, monkeypatch):
    docs, problems = load_folder(
        tmp_path,
        monkeypatch,
        {"content/articles/theresa-may.md": GOOD, "content/people/theresa-may.md": GOOD},
    )
    assert [d.collection for d in docs] == ["articles"]
    assert problems == [
        "content/people/theresa-may.md:1: slug 'theresa-may' is already used by "
        "content/articles/theresa-may.md; slugs must be unique across articles, people and "
        "topics, so rename one file"
    ]


def test_every_bad_file_is_reported_in_one_pass(tmp_path, monkeypatch):
    docs, problems = load_folder(
        tmp_path,
        monkeypatch,
        {
            "content/articles/empty.md": "",
            "content/articles/latin1.md": b"---\ntitle: caf\xe9\n---\n",
            "content/articles/good.md": GOOD,
            "content/people/Bad Name.md": GOOD,
            "content/topics/unclosed.md": "---\nname: x\n",
        },
    )
    assert [d.slug for d in docs] == ["good"]
    assert problems == [
        "content/articles/empty.md:1: file is empty; it needs front matter between two '---' lines",
        "content/articles/latin1.md:2: "
        + WINDOWS_1252.format(byte="0xe9", char="é", word="café"),
        "content/people/Bad Name.md:1: file name 'Bad Name.md' is not a valid slug; rename it to "
        "'bad-name.md' (lowercase letters, digits and single hyphens)",
        "content/topics/unclosed.md:1: front matter opened here is never closed; add a line '---' "
        "after the last field",
    ]


def test_unknown_folder_is_a_warning(tmp_path, monkeypatch):
    docs, problems = load_folder(
        tmp_path, monkeypatch, {"content/artciles/story.md": GOOD, "content/articles/a.md": GOOD}
    )
    assert [d.slug for d in docs] == ["a"]
    assert problems == [
        "content/artciles: warning: folder 'artciles' is ignored; content goes in "
        "content/articles/, content/people/, content/topics/"
    ]


def test_missing_content_folder(tmp_path, monkeypatch):
    docs, problems = load_folder(tmp_path, monkeypatch, {})
    assert docs == []
    assert problems == ["content: content folder not found; pass --content DIR"]


# --- site.yaml -----------------------------------------------------------------------------


def config_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str | bytes | None
) -> tuple[SiteConfig | None, list[str]]:
    monkeypatch.chdir(tmp_path)
    if text is not None:
        lay_out(tmp_path, {"site.yaml": text})
    collector = Collector()
    config = load_config(Path("site.yaml"), collector)
    return config, [str(d) for d in collector.diagnostics]


def test_site_settings_with_defaults(tmp_path, monkeypatch):
    config, problems = config_of(
        tmp_path, monkeypatch, "title: News\nbase_url: https://example.org/news/\n"
    )
    assert problems == []
    assert config is not None
    assert (config.title, config.base_url, config.language) == (
        "News",
        "https://example.org/news/",
        "en",
    )
    assert (config.description, config.tagline) == ("", "")


def test_site_settings_all_fields(tmp_path, monkeypatch):
    config, problems = config_of(
        tmp_path,
        monkeypatch,
        "title: News\nbase_url: http://example.org/\nlanguage: en-GB\n"
        "description: Explainers.\ntagline: Who is who\n",
    )
    assert problems == []
    assert config is not None
    assert (config.language, config.description, config.tagline) == (
        "en-GB",
        "Explainers.",
        "Who is who",
    )


def test_site_settings_required_fields(tmp_path, monkeypatch):
    config, problems = config_of(tmp_path, monkeypatch, "language: en\n")
    assert config is None
    assert problems == [
        "site.yaml:1: missing required setting 'title'",
        "site.yaml:1: missing required setting 'base_url'",
    ]


def test_site_settings_unknown_field_suggests_the_nearest(tmp_path, monkeypatch):
    config, problems = config_of(
        tmp_path, monkeypatch, "title: News\nbase_url: https://example.org/\nbaseurl: x\n"
    )
    assert config is None
    assert problems == ["site.yaml:3: unknown setting 'baseurl' (did you mean 'base_url'?)"]


@pytest.mark.parametrize(
    "url",
    ["https://example.org", "example.org/", "/news/", "ftp://example.org/", "https:///"],
)
def test_base_url_must_be_absolute_and_end_in_a_slash(tmp_path, monkeypatch, url):
    config, problems = config_of(tmp_path, monkeypatch, f"title: News\nbase_url: '{url}'\n")
    assert config is None
    assert problems == [
        "site.yaml:2: base_url: expected an absolute http(s) URL ending in '/', like "
        f"'https://example.org/', got '{url}'"
    ]


def test_language_must_look_like_a_language_code(tmp_path, monkeypatch):
    config, problems = config_of(
        tmp_path, monkeypatch, "title: News\nbase_url: https://example.org/\nlanguage: English\n"
    )
    assert config is None
    assert problems == [
        "site.yaml:3: language: expected a language code like 'en' or 'en-GB', got 'English'"
    ]


def test_site_title_must_be_text(tmp_path, monkeypatch):
    config, problems = config_of(tmp_path, monkeypatch, "title: 2024\nbase_url: https://e.org/\n")
    assert config is None
    assert problems == ["site.yaml:1: title: expected text, got a number (2024)"]


def test_site_settings_file_missing(tmp_path, monkeypatch):
    config, problems = config_of(tmp_path, monkeypatch, None)
    assert config is None
    assert problems == ["site.yaml: site settings file not found; pass --config FILE"]


def test_site_settings_not_utf8(tmp_path, monkeypatch):
    config, problems = config_of(tmp_path, monkeypatch, b"title: caf\xe9\n")
    assert config is None
    assert problems == [
        "site.yaml:1: " + WINDOWS_1252.format(byte="0xe9", char="é", word="café")
    ]


# --- Small helpers the messages rely on ----------------------------------------------------


def test_dotted_key_paths():
    assert dotted(("roles", 0, "from")) == "roles[0].from"
    assert dotted(("people", 3)) == "people[3]"
    assert dotted(("title",)) == "title"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "nothing"),
        (True, "yes/true (a true/false value)"),
        (False, "no/false (a true/false value)"),
        (3, "a number (3)"),
        (2.5, "a number (2.5)"),
        ("text", "'text'"),
        ("x" * 70, "'" + "x" * 57 + "...'"),
        ([1], "a list"),
        ({"a": 1}, "a mapping"),
    ],
)
def test_describe_values_the_way_an_author_would(value, shown):
    assert describe(value) == shown


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Theresa May", "theresa-may"), ("Sinéad O'Neill", "sinead-o-neill"), ("  ", "")],
)
def test_slugify(text, slug):
    assert slugify(text) == slug
