"""`build.py new`: slugs, the generated front matter, refusals, and files that build at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import MAY, Project

from explainer.content.load import SLUG_RE, parse_document
from explainer.content.parse import (
    ARTICLE_FIELDS,
    PERSON_FIELDS,
    TOPIC_FIELDS,
    TOPIC_KINDS,
    parse_article,
    parse_person,
    parse_topic,
)
from explainer.core.errors import Collector
from explainer.scaffold import ScaffoldError, create_page, slug_for, yaml_text

MakeProject = Callable[[Mapping[str, str | bytes]], Project]
TODAY = date(2024, 3, 5)
SPECS = {"article": ARTICLE_FIELDS, "person": PERSON_FIELDS, "topic": TOPIC_FIELDS}
COLLECTIONS = {"article": "articles", "person": "people", "topic": "topics"}
PARSERS = {"article": parse_article, "person": parse_person, "topic": parse_topic}


def front_matter(path: Path) -> dict[str, object]:
    """Return a file's front matter as the build reads it."""
    doc = parse_document(path.read_bytes(), path, "x")
    return dict(doc.meta)


def uncommented(text: str) -> str:
    """Return text with every commented-out example field turned back on."""
    return re.sub(r"(?m)^# ((?:[a-z_]+:|  ).*)$", r"\1", text)


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path / "content"


# --- Slugs ---


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Recep Tayyip Erdoğan", "recep-tayyip-erdogan"),
        ("Emmanuel Macron", "emmanuel-macron"),
        ("José Luis Rodríguez Zapatero", "jose-luis-rodriguez-zapatero"),
        ("François Hollande", "francois-hollande"),
        ("Angela Merkel's Ämter", "angela-merkels-amter"),
        ("Müller & Søren's Plan", "muller-sorens-plan"),
        ("Lars Løkke Rasmussen", "lars-lokke-rasmussen"),
        ("ØRSTED", "orsted"),
        ("Æbeltoft", "aebeltoft"),
        ("Straße", "strasse"),
        ("Đinđić", "dindic"),
        ("Lech Wałęsa", "lech-walesa"),
        ("Þórður Guðmundsson", "thordur-gudmundsson"),
        ("Istanbul Kadıköy", "istanbul-kadikoy"),
        ("İzmir", "izmir"),
        ("Œuvre", "oeuvre"),
        ("Martin O’Neill", "martin-oneill"),
        (
            "Jeremy Corbyn: We need to see more evidence!",
            "jeremy-corbyn-we-need-to-see-more-evidence",
        ),
        ("  --G7 summit, 2017 (Taormina)--  ", "g7-summit-2017-taormina"),
        ("“Brexit” #1 — what now?", "brexit-1-what-now"),
    ],
)
def test_slug_transliterates(text: str, slug: str) -> None:
    assert slug_for(text) == slug
    assert SLUG_RE.match(slug)


def test_long_titles_give_a_slug_cut_at_a_word() -> None:
    slug = slug_for("word " * 40)
    assert SLUG_RE.match(slug)
    assert len(slug) <= 80
    assert slug.endswith("word")


@pytest.mark.parametrize("text", ["Путин", "習近平", "!!! ???", "   "])
def test_no_latin_letters_is_refused_with_advice(content: Path, text: str) -> None:
    with pytest.raises(ScaffoldError) as caught:
        create_page("person", text, content)
    message = str(caught.value)
    assert 'python build.py new person "Theresa May"' in message
    assert not content.exists()


# --- What the file holds ---


def test_article_has_the_required_fields_and_the_given_date(content: Path) -> None:
    path = create_page("article", "Corbyn asks for more evidence", content, today=TODAY)
    assert path == content / "articles" / "corbyn-asks-for-more-evidence.md"
    meta = front_matter(path)
    assert meta == {
        "title": "Corbyn asks for more evidence",
        "date": "2024-03-05",
        "summary": "One sentence: what this story is about.",
        "draft": True,
    }


def test_article_date_defaults_to_today(content: Path) -> None:
    before = date.today()
    path = create_page("article", "Today's story", content)
    assert front_matter(path)["date"] in {before.isoformat(), date.today().isoformat()}


def test_person_has_the_required_fields(content: Path) -> None:
    path = create_page("person", "Recep Tayyip Erdoğan", content)
    assert path == content / "people" / "recep-tayyip-erdogan.md"
    assert front_matter(path) == {
        "name": "Recep Tayyip Erdoğan",
        "summary": "One line: who this person is.",
    }
    # A plain name stays plain, as an author would write it.
    assert "\nname: Recep Tayyip Erdoğan\n" in path.read_text(encoding="utf-8")


def test_topic_has_the_required_fields_and_lists_the_kinds(content: Path) -> None:
    path = create_page("topic", "NATO", content)
    assert front_matter(path) == {
        "name": "NATO",
        "summary": "One line: what this is.",
        "kind": "organisation",
    }
    kind_line = next(
        line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("kind:")
    )
    for kind in TOPIC_KINDS:
        assert kind in kind_line


@pytest.mark.parametrize("kind", ["article", "person", "topic"])
def test_every_optional_field_is_a_comment_with_an_explanation(content: Path, kind: str) -> None:
    path = create_page(kind, "Some Name", content, today=TODAY)
    text = path.read_text(encoding="utf-8")
    written = {"draft"} if kind == "article" else set()  # a new article is a draft
    optional = [key for key, required in SPECS[kind].items() if not required and key not in written]
    for key in optional:
        lines = [line for line in text.splitlines() if line.startswith(f"# {key}:")]
        assert len(lines) == 1, key
    assert set(front_matter(path)) == {k for k, required in SPECS[kind].items() if required} | written
    # Each optional field's first line carries a note after its example.
    noted = {m[1] for m in re.finditer(r"(?m)^# ([a-z_]+):.*?\s# \S", text)}
    assert noted == set(optional)


@pytest.mark.parametrize("kind", ["article", "person", "topic"])
def test_the_commented_examples_are_valid_when_turned_on(content: Path, kind: str) -> None:
    path = create_page(kind, "Some Name", content, today=TODAY)
    text = uncommented(path.read_text(encoding="utf-8"))
    doc = parse_document(text.encode(), path, COLLECTIONS[kind])
    assert set(doc.meta) == set(SPECS[kind])
    collector = Collector()
    assert PARSERS[kind](doc, collector) is not None
    assert collector.diagnostics == []


def test_the_body_hint_is_a_comment_and_the_body_starts_empty(content: Path) -> None:
    path = create_page("article", "A story", content, today=TODAY)
    doc = parse_document(path.read_bytes(), path, "articles")
    assert doc.body.strip() == ""
    assert "[[theresa-may|" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "title",
    [
        "Jeremy Corbyn: We need to see more evidence of Russian interference",
        'Corbyn: "We need more evidence"',
        "'Meddled in Brexit vote': the fake accounts",
        "Brexit #1: it's 'complicated' \\ \"very\"",
        "#MeToo at Westminster",
        "No",
        "1984",
        "2017-11-15",
        "- a list? [no] {no} & *no* !no @no %no |no >no",
        "Ends with a colon:",
        "Tab\u0007bell",
    ],
)
def test_title_round_trips_through_yaml(content: Path, title: str) -> None:
    path = create_page("article", title, content, today=TODAY)
    assert front_matter(path)["title"] == title
    title_lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if "title:" in line
    ]
    assert title_lines[0].startswith("title: ")  # on one line


def test_whitespace_in_a_title_is_collapsed(content: Path) -> None:
    path = create_page("person", "  Theresa \n  May\t", content)
    assert path.name == "theresa-may.md"
    assert front_matter(path)["name"] == "Theresa May"


@pytest.mark.parametrize("text", ["Theresa May", "Recep Tayyip Erdoğan", "O'Neill"])
def test_plain_text_stays_unquoted(text: str) -> None:
    assert yaml_text(text) == text
    assert yaml.safe_load(f"k: {yaml_text(text)}") == {"k": text}


# --- Refusals ---


def test_refuses_to_overwrite_and_leaves_the_file_alone(content: Path) -> None:
    path = create_page("person", "Theresa May", content)
    path.write_text(MAY, encoding="utf-8")
    with pytest.raises(ScaffoldError) as caught:
        create_page("person", "Theresa May", content)
    assert str(caught.value).startswith("content/people/theresa-may.md already exists")
    assert path.read_text(encoding="utf-8") == MAY


def test_refuses_a_slug_used_in_another_collection(content: Path) -> None:
    person = create_page("person", "Theresa May", content)
    with pytest.raises(ScaffoldError) as caught:
        create_page("topic", "Theresa May", content)
    assert "slug 'theresa-may' is already used by content/people/theresa-may.md" in str(
        caught.value
    )
    assert not (content / "topics" / "theresa-may.md").exists()
    assert person.is_file()


def test_refuses_a_slug_used_in_a_sub_folder(content: Path) -> None:
    old = content / "articles" / "2017" / "a-story.md"
    old.parent.mkdir(parents=True)
    old.write_text("---\ntitle: A story\n---\n", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="content/articles/2017/a-story.md"):
        create_page("article", "A story", content)
    assert not (content / "articles" / "a-story.md").exists()


def test_refuses_an_unknown_kind(content: Path) -> None:
    with pytest.raises(ScaffoldError, match="unknown kind 'people'; choose one of article"):
        create_page("people", "Theresa May", content)


def test_creates_missing_folders(tmp_path: Path) -> None:
    content = tmp_path / "new" / "content"
    path = create_page("topic", "Kremlin", content)
    assert path == content / "topics" / "kremlin.md"
    assert path.is_file()


# --- The command line and the real build ---


def test_cli_new_person_end_to_end(make_project: MakeProject) -> None:
    project = make_project({})
    first = project.build("new", "person", "Recep Tayyip Erdoğan")
    assert (first.returncode, first.stdout, first.stderr) == (
        0,
        "content/people/recep-tayyip-erdogan.md\n",
        "",
    )
    path = project.root / "content" / "people" / "recep-tayyip-erdogan.md"
    before = path.read_bytes()
    second = project.build("new", "person", "Recep Tayyip Erdoğan")
    assert second.returncode == 1
    assert second.stdout == ""
    assert "content/people/recep-tayyip-erdogan.md already exists" in second.stderr
    assert path.read_bytes() == before
    unknown = project.build("new", "party", "Labour")
    assert unknown.returncode == 2
    assert "invalid choice: 'party'" in unknown.stderr
    assert not (project.root / "content" / "parties").exists()


def test_cli_new_honours_content(make_project: MakeProject) -> None:
    project = make_project({})
    done = project.build("new", "topic", "NATO", "--content", "elsewhere")
    assert (done.returncode, done.stdout) == (0, "elsewhere/topics/nato.md\n")


def test_generated_files_build_once_the_placeholders_are_replaced(make_project: MakeProject) -> None:
    project = make_project({})
    content = project.root / "content"
    made = {
        kind: create_page(kind, title, content, today=TODAY)
        for kind, title in [
            ("article", 'Jeremy Corbyn: "We need to see more evidence" #Russia'),
            ("person", "Recep Tayyip Erdoğan"),
            ("topic", "Müller & Søren's Plan"),
        ]
    }
    checked = project.build("check")
    assert checked.returncode == 1
    # The new article is a draft, so only the person and the topic would publish theirs.
    assert [line for line in checked.stderr.splitlines() if ": warning: " not in line] == [
        "content/people/recep-tayyip-erdogan.md:3: " + PLACEHOLDER,
        "content/topics/muller-sorens-plan.md:3: " + PLACEHOLDER,
        "Build failed: 2 errors.",
    ]
    for kind in ("person", "topic"):
        text = made[kind].read_text(encoding="utf-8")
        made[kind].write_text(re.sub(r'(?m)^summary: .*$', "summary: Written.", text), encoding="utf-8")
    checked = project.build("check")
    assert checked.returncode == 0, checked.stderr
    # A new article names nobody yet and a new person is in no article yet: the build
    # says so as advice, never as an error.
    assert all(": warning: " in line for line in checked.stderr.splitlines()), checked.stderr
    assert "no errors" in checked.stdout
    built = project.build("--no-search")
    assert built.returncode == 0, built.stderr
    person = project.page("people/recep-tayyip-erdogan/")
    assert "Recep Tayyip Erdoğan" in person
    assert "Biography" not in person  # an empty body adds no empty section
    assert not (project.root / "_site/articles/jeremy-corbyn-we-need-to-see-more-evidence-russia").exists()
    for page in (project.root / "_site").rglob("*.*"):
        if page.suffix in (".html", ".xml", ".json"):
            text = page.read_text(encoding="utf-8")
            assert "Optional fields" not in text, page
            assert "goes below the closing" not in text, page
            assert "One sentence" not in text and "Jeremy Corbyn" not in text, page
    # With drafts included it is on the site, and the build reminds of the example text.
    drafts = project.build("--drafts", "--no-search")
    assert drafts.returncode == 0, drafts.stderr
    assert (
        "content/articles/jeremy-corbyn-we-need-to-see-more-evidence-russia.md:4: warning: "
        "summary: this is still the example text that build.py new wrote; replace it before "
        "you remove draft: true"
    ) in drafts.stderr.splitlines()
    article = project.page("articles/jeremy-corbyn-we-need-to-see-more-evidence-russia/")
    assert '<h1>Jeremy Corbyn: &#34;We need to see more evidence&#34; #Russia</h1>' in article
    assert "draft-banner" in article


PLACEHOLDER = (
    "summary: this is the example text that build.py new wrote; replace it with your own "
    "before publishing"
)


def test_a_new_article_published_with_its_placeholder_is_refused(make_project: MakeProject) -> None:
    project = make_project({})
    path = create_page("article", "A story", project.root / "content", today=TODAY)
    text = path.read_text(encoding="utf-8").replace("draft: true", "draft: false")
    path.write_text(text, encoding="utf-8")
    built = project.build("--no-search")
    assert built.returncode == 1
    assert built.stderr.splitlines()[-2:] == [
        "content/articles/a-story.md:4: " + PLACEHOLDER,
        "Build failed: 1 error; _site was left as it was.",
    ]
    assert not (project.root / "_site").exists()


def test_every_example_that_is_no_real_value_is_refused_when_published(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "content/people/jeremy-corbyn.md": "---\nname: Jeremy Corbyn\nsummary: Leader.\n---\n",
            "content/people/theresa-may.md": "---\nname: Theresa May\nsummary: PM.\n---\n",
            "content/topics/nato.md": "---\nname: NATO\nsummary: Alliance.\nkind: organisation\n---\n",
        }
    )
    path = create_page("article", "A story", project.root / "content", today=TODAY)
    text = uncommented(path.read_text(encoding="utf-8")).replace("draft: true", "draft: false")
    quote = "we need to see more evidence … of Russian interference"
    path.write_text(text + f"Jeremy Corbyn said {quote.replace('…', 'and more')}.\n", encoding="utf-8")
    built = project.build("check")
    lines = text.splitlines()

    def at(start: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if line.startswith(start))

    found = [
        ("summary", 'summary: "One sentence: what this story is about."'),
        ("source.name", "  name: The Example Times"),
        ("source.url", "  url: https://example.org/news/story"),
        ("related_headlines[0].url", "    url: https://example.org/news/fake-accounts"),
        ("claims[0].evidence[0].url", "        url: https://example.org/study"),
        ("image.alt", "  alt: What the picture shows "),
        ("image.credit", "  credit: Who made it "),
    ]
    expected = [
        f"content/articles/a-story.md:{at(line)}: {field}: this is the example text that build.py "
        "new wrote; replace it with your own before publishing"
        for field, line in sorted(found, key=lambda item: at(item[1]))
    ]
    assert [line for line in built.stderr.splitlines() if "example text" in line] == expected


# --- Files under another name, and names other pages have ---


def test_refuses_a_page_that_exists_under_a_name_the_build_skips(make_project: MakeProject) -> None:
    project = make_project({"content/people/Theresa-May.MD": MAY, "content/topics/nato.txt": "x"})
    for args, shown in [
        (("person", "Theresa May"), "content/people/Theresa-May.MD"),
        (("topic", "NATO"), "content/topics/nato.txt"),
        (("article", "Nato"), "content/topics/nato.txt"),
    ]:
        done = project.build("new", *args)
        collection = COLLECTIONS[args[0]]
        slug = "theresa-may" if shown.startswith("content/people") else "nato"
        assert (done.returncode, done.stdout, done.stderr) == (
            1,
            "",
            f"error: {shown} is already this page, under a name the build does not read; "
            f"rename it to {slug}.md (in content/{collection}/) instead of starting another\n",
        ), args
    assert sorted(p.name for p in (project.root / "content").rglob("*")) == [
        "Theresa-May.MD", "nato.txt", "people", "topics",
    ]


CLASH = (
    "; two pages with one name make every mention of it ambiguous. If they are the same, "
    "delete this file and edit that one; if not, tell them apart in the name or aliases"
)


def test_new_person_or_topic_warns_of_a_name_another_page_has(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/people/pm.md": MAY,  # named Theresa May, under another slug
            "content/topics/nato.md": (
                "---\nname: North Atlantic Treaty Organization\nsummary: An alliance.\n"
                "kind: organisation\naliases: [NATO, Nato]\n---\n"
            ),
            "content/articles/story.md": "---\ntitle: Brexit\ndate: 2017-11-15\nsummary: S\n---\n",
        }
    )
    for kind, title, made, clash in [
        ("person", "Theresa May", "people/theresa-may", "the name of Theresa May (content/people/pm.md:2)"),
        ("person", "mrs  may", "people/mrs-may", "an alias of Theresa May (content/people/pm.md:4)"),
        ("topic", "The Prime Minister", "topics/the-prime-minister", "a role alias of Theresa May (content/people/pm.md:14)"),
        ("topic", "nato", "topics/nato", None),
    ]:
        if clash is None:  # the same slug as a page: refused, as before
            assert project.build("new", kind, title).returncode == 1
            continue
        done = project.build("new", kind, title)
        shown = " ".join(title.split())
        assert (done.returncode, done.stdout, done.stderr) == (
            0,
            f"content/{made}.md\n",
            f"content/{made}.md:2: warning: '{shown}' is already {clash}{CLASH}\n",
        ), title
    # No clash, no warning; an article's title is no name to clash with.
    for kind, title in [("person", "Boris Johnson"), ("topic", "Brexit"), ("article", "Nato summit")]:
        done = project.build("new", kind, title)
        assert (done.returncode, done.stderr) == (0, ""), title
