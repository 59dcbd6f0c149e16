"""Raw HTML and unsafe addresses: sanitised out of every page, each removal reported."""

from __future__ import annotations

import functools
import re
import shutil
import string
from collections.abc import Iterator

import nh3
import pytest
from conftest import (
    MAY,
    ROOT,
    SITE_YAML,
    Project,
    article,
    assert_no_inline_script,
    html_pages,
    parse_html,
)
from core_helpers import run_cli
from figures import record, scaled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainer.content.config import load_config
from explainer.content.load import load_documents
from explainer.content.parse import parse_site
from explainer.core.errors import Collector
from explainer.link.convert import Converter
from explainer.link.linking import link_site
from explainer.link.markup import ConvertContext
from explainer.link.sanitize import ALLOWED_TAGS, Sanitizer

PAYLOAD_LINE = 8  # article() front matter is lines 1-5; the body is intro, blank, payload
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
FORBIDDEN_TAGS = frozenset(
    [
        "iframe",
        "object",
        "embed",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "base",
        "style",
        "svg",
        "math",
        "noscript",
    ]
)

# id -> (payload, the warning it must give, or None when only "some warning" is promised)
CASES: dict[str, tuple[str, str | None]] = {
    "script-block": (
        "<script>alert(1)</script>",
        "removed <script> and everything in it: scripts are not allowed in content",
    ),
    "script-inline": (
        "Some <script>alert(document.cookie)</script> text.",
        "removed <script> and everything in it: scripts are not allowed in content",
    ),
    "script-upper-case": (
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "removed <script> and everything in it: scripts are not allowed in content",
    ),
    "style-element": (
        "<style>body { display: none }</style>",
        "removed <style> and everything in it: style sheets are not allowed in content; "
        "the site's stylesheet styles pages",
    ),
    "meta-refresh": (
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        "removed <meta>: page settings cannot be changed from content",
    ),
    "base-element": (
        '<base href="https://evil.example/">',
        "removed <base>: page settings cannot be changed from content",
    ),
    "onclick-raw": (
        '<p onclick="alert(1)">Hello</p>',
        'removed onclick="alert(1)" from <p>: event handler attributes run scripts',
    ),
    "onerror-image": (
        '<img src="photo.png" alt="A photo" onerror="alert(1)">',
        'removed onerror="alert(1)" from <img>: event handler attributes run scripts',
    ),
    "javascript-link-markdown": (
        "[click me](javascript:alert(1))",
        'removed href="javascript:alert(1)" from <a>: a javascript: address runs scripts; '
        "addresses here must be http(s), mailto or relative",
    ),
    "javascript-link-raw": (
        '<a href="javascript:alert(1)">click</a>',
        'removed href="javascript:alert(1)" from <a>: a javascript: address runs scripts; '
        "addresses here must be http(s), mailto or relative",
    ),
    "javascript-link-tab-entity": (
        '<a href="jav&#x09;ascript:alert(1)">click</a>',
        'removed href="jav ascript:alert(1)" from <a>: a javascript: address runs scripts; '
        "addresses here must be http(s), mailto or relative",
    ),
    "javascript-link-leading-space": (
        '<a href="  JavaScript:alert(1)">click</a>',
        'removed href="JavaScript:alert(1)" from <a>: a javascript: address runs scripts; '
        "addresses here must be http(s), mailto or relative",
    ),
    "vbscript-link": (
        '<a href="vbscript:msgbox(1)">click</a>',
        'removed href="vbscript:msgbox(1)" from <a>: a vbscript: address runs scripts; '
        "addresses here must be http(s), mailto or relative",
    ),
    "data-image-markdown": (
        "![pixel](data:image/svg+xml;base64,PHN2Zz4=)",
        'removed src="data:image/svg+xml;base64,PHN2Zz4=" from <img>: a data: address is not '
        "allowed; addresses here must be http(s) or relative",
    ),
    "data-link-raw": (
        '<a href="data:text/html,hello">click</a>',
        'removed href="data:text/html,hello" from <a>: a data: address is not allowed; '
        "addresses here must be http(s), mailto or relative",
    ),
    "attribute-list-onclick": (
        '## Heading {: onclick="alert(1)" }',
        'removed onclick="alert(1)" from <h2>: event handler attributes run scripts',
    ),
    "attribute-list-breakout": ('## Head {: title="<b a="x" onmouseover=alert(1)>" }', None),
    "fenced-code-attribute": (
        '``` { .py onclick="alert(1)" }\ncode\n```',
        'removed onclick="alert(1)" from <code>: event handler attributes run scripts',
    ),
    "object-element": (
        '<object data="movie.swf"><embed src="movie.swf"></object>',
        "removed <object> and everything in it: plugins are not allowed in content",
    ),
    "embed-element": (
        '<embed src="https://evil.example/x.swf">',
        "removed <embed> and everything in it: plugins are not allowed in content",
    ),
    "form-element": (
        '<form action="https://evil.example/"><input name="q"></form>',
        "removed the <form> tag (its text is kept): forms are not allowed in content",
    ),
    "iframe-without-embed-hosts": (
        '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>',
        'removed <iframe src="https://www.youtube-nocookie.com/embed/x"> and everything in it: '
        "embedding is off; to allow it, list the host "
        "(like www.youtube-nocookie.com) under embed_hosts in site.yaml",
    ),
    "svg-onload": (
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        "removed <svg> and everything in it: inline SVG is not allowed; put the SVG in a "
        "file and show it with <img>",
    ),
    "reserved-id": (
        '<span id="explainer-cards">{"x": 1}</span>',
        'removed id="explainer-cards" from <span>: the page itself uses that id',
    ),
    "style-attribute": (
        '<p style="position: fixed; top: 0">Overlay</p>',
        'removed style="position: fixed; top: 0" from <p>: inline styles are not allowed; '
        "the site's stylesheet styles pages",
    ),
    "target-blank": (
        '<a href="https://example.org/" target="_blank">out</a>',
        'removed target="_blank" from <a>: target is not an allowed attribute of <a>',
    ),
    "noscript-mutation": (
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
        None,
    ),
    "comment-mutation": ("<!--><img src=x onerror=alert(1)>-->", None),
}


def case_slug(case_id: str) -> str:
    return "case-" + case_id


def case_file(case_id: str) -> str:
    payload = CASES[case_id][0]
    return article(f"Intro line.\n\n{payload}\n\nAfter.\n", title=f"Case {case_id}")


def inert(url_path: str, html: str, whole_page: bool = True) -> None:
    """Fail unless nothing in the page can run a script or leave through a plugin."""
    assert_no_inline_script(url_path, html)
    page = parse_html(html)
    head_meta = 0
    for el in page.iter():
        in_main = any(a.tag == "main" for a in el.ancestors()) or not whole_page
        # The site's own charts are inline SVG drawn by the build, never from a body.
        chart = el.tag == "svg" and "chart" in el.classes and not el.inside(cls="prose")
        assert not in_main or chart or el.tag not in FORBIDDEN_TAGS, (url_path, el)
        if el.tag == "meta" and el.get("http-equiv") is not None:
            head_meta += 1
            assert el.get("http-equiv") == "Content-Security-Policy", (url_path, el)
        for name, value in el.attrs.items():
            assert not name.startswith("on"), (url_path, el)
            if name in ("href", "src", "action", "formaction", "data", "poster"):
                cleaned = re.sub(r"[\t\n\r]", "", value).strip("\x00 \t\n\f\r").lower()
                assert not cleaned.startswith(UNSAFE_SCHEMES), (url_path, el)
    if whole_page:
        assert head_meta == 1, f"{url_path}: expected one CSP meta, found {head_meta}"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, str]]:
    """A project with one article per hostile case, built once with the real command line."""
    root = tmp_path_factory.mktemp("hostile") / "project"
    root.mkdir()
    for folder in ("templates", "static"):
        shutil.copytree(ROOT / folder, root / folder)
    project = Project(root)
    project.write("site.yaml", SITE_YAML)
    project.write("content/people/theresa-may.md", MAY)
    for case_id in CASES:
        project.write(f"content/articles/{case_slug(case_id)}.md", case_file(case_id))
    project.write(
        "content/articles/headline-case.md",
        article(
            "Body.\n",
            title="Headline case",
            related_headlines=['"<script>alert(1)</script>Army of <b onclick=x>fake</b> accounts"'],
        ),
    )
    done = project.build("--no-search")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    yield project, done.stderr


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_hostile_html_is_removed_with_a_warning(hostile, case_id):
    project, stderr = hostile
    expected = CASES[case_id][1]
    path = f"content/articles/{case_slug(case_id)}.md"
    ours = [line for line in stderr.splitlines() if line.startswith(path + ":")]
    assert ours, f"no warning for {case_id}:\n{stderr}"
    if expected is not None:
        assert f"{path}:{PAYLOAD_LINE}: warning: {expected}" in ours
    html = project.page(f"articles/{case_slug(case_id)}/")
    inert(f"articles/{case_slug(case_id)}/", html)
    prose = parse_html(html).one("div", cls="prose")
    assert "Intro line." in prose.text and "After." in prose.text
    assert "alert(" not in "".join(value for el in prose.iter() for value in el.attrs.values()), (
        case_id
    )


def test_every_page_of_the_hostile_site_is_inert(hostile):
    project, stderr = hostile
    pages = list(html_pages(project))
    for url_path, html in pages:
        inert(url_path, html)
    reported = {line.split(":", 1)[0] for line in stderr.splitlines() if ": warning: " in line}
    passed = sum(1 for c in CASES if f"content/articles/{case_slug(c)}.md" in reported)
    record(
        "hostile-html",
        cases_tried=len(CASES) + 1,
        cases_passed=passed + ("content/articles/headline-case.md" in reported),
        pages_checked=len(pages),
    )
    assert passed == len(CASES)


def test_headline_titles_are_sanitised(hostile):
    project, stderr = hostile
    assert (
        "content/articles/headline-case.md:5: warning: removed <script> and everything in it: "
        "scripts are not allowed in content"
    ) in stderr
    assert (
        'content/articles/headline-case.md:5: warning: removed onclick="x" from <b>: '
        "event handler attributes run scripts"
    ) in stderr
    page = parse_html(project.page("articles/headline-case/"))
    item = page.one("aside", cls="related-headlines").one("li")
    assert item.text == "Army of fake accounts"
    assert item.one("b").attrs == {}


def test_person_bodies_are_sanitised(make_project):
    person = MAY.replace(
        "Theresa May led the government.\n",
        "Theresa May led the government.\n\n[Profile](javascript:alert(1))\n",
    )
    project = make_project({"content/people/theresa-may.md": person})
    done = project.build("--no-search")
    assert done.returncode == 0, done.stderr
    assert (
        'content/people/theresa-may.md:18: warning: removed href="javascript:alert(1)" from '
        "<a>: a javascript: address runs scripts; addresses here must be http(s), mailto or "
        "relative"
    ) in done.stderr
    html = project.page("people/theresa-may/")
    inert("people/theresa-may/", html)
    link = [a for a in parse_html(html).find_all("a") if a.text == "Profile"]
    assert len(link) == 1 and link[0].attrs == {}


def test_removals_fail_a_strict_build(make_project):
    project = make_project(
        {"content/articles/story.md": article("Hi <script>alert(1)</script>.\n")}
    )
    done = run_cli(project, "--strict", "--no-search")
    assert done.returncode == 1
    assert (
        "content/articles/story.md:6: warning: removed <script> and everything in it: "
        "scripts are not allowed in content"
    ) in done.stderr
    assert not (project.root / "_site").exists()


@functools.cache
def converters() -> tuple[Converter, Converter, Sanitizer]:
    """A converter, the same without its sanitiser, and a sanitiser (made once)."""
    plain = Converter()
    plain.md.postprocessors.deregister("explainer-sanitize")
    return Converter(), plain, Sanitizer()


@functools.cache
def permissive() -> nh3.Cleaner:
    """nh3 keeping every attribute, address and comment: only the parse itself is left."""
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS | {"iframe"}),
        clean_content_tags=set(),
        attributes={},
        generic_attribute_prefixes=set(string.ascii_lowercase),
        strip_comments=False,
        link_rel=None,
        url_schemes={"http", "https", "mailto", "javascript", "vbscript", "data"},
        filter_style_properties={"text-align", "color", "position", "top", "display"},
    )


def test_allowed_html_and_markdown_are_kept_byte_for_byte():
    body = (
        "Intro with a [link](https://example.org/a?b=1&c=2) and [[theresa-may|May]].\n\n"
        '<figure class="photo">\n<p class="photo-alt">Photo: A</p>\n'
        '<figcaption>Caption <abbr title="North Atlantic Treaty Organization">Nato</abbr>'
        "</figcaption>\n</figure>\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        "Note.[^1]\n\n[^1]: A footnote &mdash; with <cite>a source</cite>.\n\n"
        "```python\nx = '<b>'\n```\n\n"
        "<details><summary>More</summary><p>Hidden <mark>text</mark>.</p></details>\n"
    )
    converter, plain, sanitizer = converters()
    for text in (body, MAY.split("---\n")[2]):
        ctx = ConvertContext(resolve=lambda slug: None)
        out = converter.convert(text, ctx)
        assert out == plain.convert(text, ConvertContext(resolve=lambda slug: None))
        assert sanitizer.safe_document.fullmatch(out), out
        assert not [p for p in ctx.problems if p.message.startswith("removed")]


@pytest.mark.parametrize(
    "html",
    [
        "<P CLASS='note'>Shouting tags, single quotes</P>",
        "<p title=unquoted>x</p>",
        "<details open><summary>More</summary>x</details>",
        "<!-- a note -- with dashes -->\n<p>x</p>",
        '<ol reversed start="3"><li>x</li></ol>',
    ],
)
def test_html_that_is_only_spelt_differently_gives_no_warning(html):
    sanitizer = Sanitizer()
    assert not sanitizer.safe_document.fullmatch(html)  # so nh3 cleans it
    cleaned, removals = sanitizer.clean(html)
    assert removals == []
    assert [el.tag for el in parse_html(cleaned).iter()][1:] == [
        el.tag for el in parse_html(html).iter()
    ][1:]


def test_embeds_from_listed_hosts_give_no_warning():
    sanitizer = Sanitizer(("www.youtube-nocookie.com",))
    html = '<iframe src="https://www.youtube-nocookie.com/embed/x" allowfullscreen></iframe>'
    cleaned, removals = sanitizer.clean(html)
    assert removals == []
    assert parse_html(cleaned).one("iframe").attrs == {
        "src": "https://www.youtube-nocookie.com/embed/x",
        "allowfullscreen": "",
    }


def test_seed_content_passes_untouched():
    """Every converted body of the project's own content needs no change at all."""
    collector = Collector()
    config = load_config(ROOT / "site.yaml", collector)
    assert config is not None
    site = parse_site(config, load_documents(ROOT / "content", collector), collector)
    linked = link_site(site, collector)
    sanitizer = Sanitizer(config.embed_hosts)
    bodies = [a.body_html for a in linked.articles] + list(linked.bodies.values())
    bodies += [h for a in linked.articles for h in a.headlines_html]
    assert len(bodies) > 20
    for body in bodies:
        assert sanitizer.safe_document.fullmatch(body), body[:200]
        assert sanitizer.clean(body) == (body, [])
    assert not [d for d in collector.diagnostics if "removed" in d.message]


def test_external_links_keep_noopener_and_the_external_hint(make_project):
    project = make_project(
        {
            "content/articles/story.md": article(
                'See [the report](https://example.org/report) and <a href="https://example.org/raw">'
                "this</a>.\n"
            )
        }
    )
    done = project.build("--no-search")
    assert done.returncode == 0, done.stderr
    prose = parse_html(project.page("articles/story/")).one("div", cls="prose")
    report = [a for a in prose.find_all("a") if a.get("href") == "https://example.org/report"]
    assert len(report) == 1
    assert report[0].get("rel") == "noopener"
    assert "external" in report[0].classes
    assert report[0].one("span", cls="visually-hidden").text == "(external)"


# --- Embeds ----------------------------------------------------------------------------------

EMBED = '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Interview" width="560" height="315" allowfullscreen></iframe>'
OTHER = '<iframe src="https://evil.example/embed/abc" title="Other"></iframe>'
SNEAKY = '<iframe src="https://evil.example\\@www.youtube-nocookie.com/embed/abc"></iframe>'
PLAIN_HTTP = '<iframe src="http://www.youtube-nocookie.com/embed/abc"></iframe>'


def embed_project(make_project, hosts: str | None) -> Project:
    site = SITE_YAML + (f"embed_hosts: {hosts}\n" if hosts is not None else "")
    body = f"Intro.\n\n{EMBED}\n\n{OTHER}\n\n{SNEAKY}\n\n{PLAIN_HTTP}\n\nAfter.\n"
    return make_project({"site.yaml": site, "content/articles/story.md": article(body)})


def csp_of(html: str) -> str:
    metas = [
        m
        for m in parse_html(html).find_all("meta")
        if m.get("http-equiv") == "Content-Security-Policy"
    ]
    assert len(metas) == 1
    return metas[0].get("content") or ""


def test_iframes_from_listed_hosts_are_kept_and_allowed_by_the_csp(make_project):
    project = embed_project(make_project, "[www.youtube-nocookie.com]")
    done = project.build("--no-search")
    assert done.returncode == 0, done.stderr
    frames = parse_html(project.page("articles/story/")).find_all("iframe")
    assert [f.attrs for f in frames] == [
        {
            "src": "https://www.youtube-nocookie.com/embed/abc",
            "title": "Interview",
            "width": "560",
            "height": "315",
            "allowfullscreen": "",
        }
    ]
    reason = (
        "and everything in it: only https pages on the hosts in embed_hosts in site.yaml "
        "(www.youtube-nocookie.com) may be embedded"
    )
    assert (
        f'content/articles/story.md:10: warning: removed <iframe src="https://evil.example/embed/abc"> {reason}'
        in done.stderr
    )
    assert (
        'content/articles/story.md:12: warning: removed <iframe src="https://evil.example'
        f'\\@www.youtube-nocookie.com/embed/abc"> {reason}'
    ) in done.stderr
    assert (
        f'content/articles/story.md:14: warning: removed <iframe src="http://www.youtube-nocookie.com/embed/abc"> {reason}'
        in done.stderr
    )
    for url_path, html in html_pages(project):
        policy = csp_of(html)
        assert "; frame-src https://www.youtube-nocookie.com;" in policy, url_path
        assert policy.count("frame-src") == 1, url_path


def test_without_embed_hosts_no_iframe_survives_and_the_csp_has_no_frame_src(make_project):
    project = embed_project(make_project, None)
    done = project.build("--no-search")
    assert done.returncode == 0, done.stderr
    assert parse_html(project.page("articles/story/")).find_all("iframe") == []
    assert done.stderr.count("warning: removed <iframe src=") == 4
    assert (
        'content/articles/story.md:8: warning: removed <iframe src="https://www.youtube-nocookie'
        '.com/embed/abc"> and everything in it: embedding is off; to allow it, list the host '
        "(like www.youtube-nocookie.com) under embed_hosts in site.yaml"
    ) in done.stderr.splitlines()
    for url_path, html in html_pages(project):
        assert "frame-src" not in csp_of(html), url_path


def test_adding_an_embed_host_takes_effect_on_the_next_build(make_project):
    project = embed_project(make_project, None)
    assert project.build("--no-search").returncode == 0
    assert parse_html(project.page("articles/story/")).find_all("iframe") == []
    project.write("site.yaml", SITE_YAML + "embed_hosts: [www.youtube-nocookie.com]\n")
    done = project.build("--no-search")
    assert done.returncode == 0, done.stderr
    assert len(parse_html(project.page("articles/story/")).find_all("iframe")) == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "www.youtube-nocookie.com",
            "site.yaml:3: embed_hosts: expected a list of host names like "
            "[www.youtube-nocookie.com], got 'www.youtube-nocookie.com'",
        ),
        (
            "[https://www.youtube-nocookie.com/embed/]",
            "site.yaml:3: embed_hosts[0]: expected a host name like 'www.youtube-nocookie.com', "
            "got 'https://www.youtube-nocookie.com/embed/'; write the host name alone: "
            "'www.youtube-nocookie.com'",
        ),
        (
            "['*.example.org']",
            "site.yaml:3: embed_hosts[0]: expected a host name like 'www.youtube-nocookie.com', "
            "got '*.example.org'",
        ),
        (
            "[player.vimeo.com, Player.Vimeo.com]",
            "site.yaml:3: embed_hosts[1]: 'player.vimeo.com' is listed twice",
        ),
    ],
)
def test_bad_embed_hosts_are_refused(make_project, value, message):
    project = make_project({"site.yaml": SITE_YAML + f"embed_hosts: {value}\n"})
    done = run_cli(project, "check")
    assert done.returncode == 1
    assert message in done.lines


# --- The fast path is exact ---------------------------------------------------------------

FRAGMENTS = [
    "Plain words & more.",
    "[a link](https://example.org/x?y=1&z=2)",
    "[relative](../people/x/index.html#bio)",
    "[mail](mailto:desk@example.org)",
    "[query](?page=2:3)",
    "[weird](javascript:alert(1))",
    "[spaced]( javascript:alert(1) )",
    "![img](pic.png)",
    "![img](data:image/png;base64,AA)",
    "<b>bold</b>",
    "<b onclick='x'>bold</b>",
    '<span id="main">x</span>',
    '<span id="intro">x</span>',
    '<a href="HTTPS://EXAMPLE.ORG/">x</a>',
    '<a href="&#106;avascript:x">x</a>',
    '<abbr title="a &quot;b&quot; &lt;c&gt;">ab</abbr>',
    "<!-- a comment -->",
    "<script>x</script>",
    "<style>p{}</style>",
    "x[^1]\n\n[^1]: note",
    "| a | b |\n|:-:|--|\n| 1 | 2 |",
    "## Title {: #latest }",
    "## Title {: .wide }",
    '## Title {: style="color: red" }',
    "```\n<b>code</b>\n```",
    "`<i>` inline",
    "&mdash; &#65; &nbsp;",
    "<div>\n<p>Block</p>\n</div>",
    "<p title='single'>q</p>",
    '<a href="x"title="y">glued</a>',
    "<table><tr><td>cell</td></tr></table>",
    "<img src=x onerror=alert(1)>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]


@settings(
    max_examples=scaled(150, 3000),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6), st.sampled_from(["\n\n", " "]))
def test_skipping_the_sanitiser_only_when_it_would_change_nothing(parts, joiner):
    converter, plain, sanitizer = converters()
    text = joiner.join(parts)
    html = plain.convert(text, ConvertContext(resolve=lambda slug: None))
    out = converter.convert(text, ConvertContext(resolve=lambda slug: None))
    if sanitizer.safe_document.fullmatch(html):
        # The policy removes nothing a parser would keep: skipping it is exact.
        assert sanitizer.cleaner.clean(html) == permissive().clean(html), html
        assert out == html
    else:
        assert out != html or not sanitizer.safe_document.fullmatch(out)
    inert("articles/x/", out, whole_page=False)


def test_a_clean_body_is_returned_as_it_is_by_the_fast_path():
    """A body the policy would not change skips nh3, and the full clean would agree."""
    body = (
        "<p>" + 'Words and a <a href="../x/index.html" class="mention">link</a>. ' * 5 + "</p>\n"
    ) * 3
    sanitizer = Sanitizer()
    assert sanitizer.safe_document.fullmatch(body)
    assert sanitizer.clean(body) == (body, [])
    assert sanitizer.cleaner.clean(body) == body
    cleaned, removed = sanitizer.clean(body + "<script>x</script>")
    assert cleaned == body
    assert [r.message for r in removed] == [
        "removed <script> and everything in it: scripts are not allowed in content"
    ]


# Pieces of markup, joined at random: most joins are nonsense, which is the point.
TOKENS = [
    "<",
    ">",
    "</",
    "/>",
    '"',
    "'",
    "=",
    " ",
    "\t",
    "\n",
    "&",
    "&#",
    "x3a;",
    "58;",
    "&amp;",
    "&colon;",
    "a",
    "p",
    "b",
    "img",
    "abbr",
    "td",
    "iframe",
    "script",
    "style",
    "!--",
    "-->",
    " href=",
    " src=",
    " id=",
    " title=",
    " class=",
    " style=",
    " onclick=",
    " data-ref=",
    '"main"',
    '"intro"',
    '"javascript:x"',
    '"java\tscript:x"',
    '"JAVASCRIPT:x"',
    '"data:x"',
    '"https://e.org/"',
    '"//e.org"',
    '"x.png"',
    '"#top"',
    '"?q=a:b"',
    '"text-align: left;"',
    '"color: red"',
    "javascript:",
    "text",
    "<a",
    "<img",
    "<p",
    "<td",
    "</a>",
    "</p>",
    "\x00",
]


@settings(
    max_examples=scaled(400, 5000),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14))
def test_the_safe_document_test_never_passes_what_nh3_would_change(tokens):
    html = "".join(tokens)
    sanitizer = converters()[2]
    cleaned, removals = sanitizer.clean(html)
    if sanitizer.safe_document.fullmatch(html):
        assert sanitizer.cleaner.clean(html) == permissive().clean(html), html
        assert (cleaned, removals) == (html, [])
    inert("x", cleaned, whole_page=False)
