"""Keep a built site in memory and bring it up to date with what changed on disk.

One `update` runs the ordinary stages again, but only on what changed:

- files whose size, change time or inode moved are read and parsed again; the others
  keep their documents and model objects (the very same objects);
- an article is converted again when it changed, when a link target its body used
  changed (a title, a summary, a draft), or when its text contains a name, alias or
  surname whose meaning changed (a pre-scan of the text for the changed forms);
- the maps over all articles (backlinks, quotes...) are recomputed: they are cheap,
  except related articles and co-mentions, recomputed only when what they read changed;
- a page is drawn again when a fact it read while it was last drawn changed (see
  view.py), when a template it uses changed, or when it is new.

Every page notes what it read while it is drawn, so nothing here lists what a
template shows. A change of settings, code or package versions starts afresh.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from ..content.config import load_config
from ..content.images import Probe, SourceImage, check_images, found_images
from ..content.load import (
    DEFAULT_LIMITS,
    ContentFile,
    RawDocument,
    check_project_files,
    gather_documents,
    read_content_file,
    scan_content,
)
from ..content.model import Article, Person, Site, SiteConfig, Topic
from ..content.parse import check_site, parse_page
from ..core.errors import BuildFailed, Collector, Diagnostic
from ..core.processes import iter_indexed, run_indexed
from ..core.progress import Stopwatch
from ..core.rendered import RenderedPage
from ..link.advice import advise
from ..link.linking import (
    ArticleLinks,
    BodyLinks,
    LinkContext,
    LinkedArticle,
    LinkedSite,
    backlink_rows,
    check_quotes,
    claim_rows,
    compute_backlinks,
    compute_claims,
    compute_co_mentions,
    compute_quotes,
    compute_related,
    convert_article,
    convert_body,
    draft_slugs,
    entity_bodies,
    link_context,
    linked_article,
    mention_inputs,
    quote_rows,
    report_problems,
)
from ..pages.images import Recipe, page_files
from ..pages.render import PageError, Renderer
from ..pages.view import MISSING, SINGLES, TABLES, Fact, PageData, PageJob, fact_value, page_data

Page = Article | Person | Topic


@dataclass(frozen=True, slots=True)
class Settings:
    """What a build depends on besides the files: any change starts afresh."""

    config_path: Path
    content: Path
    templates: Path
    static: Path
    root: Path
    drafts: bool
    strict: bool
    jobs: int = field(compare=False)  # how many processes do the work changes nothing
    salt: str = ""  # code, package versions


@dataclass(frozen=True, slots=True)
class Loaded:
    """What reading one content file gave, and the file's identity when it was read."""

    identity: tuple[int, int, int, int] | None  # size, times and inode (ContentFile.identity)
    document: RawDocument | Diagnostic


@dataclass(frozen=True, slots=True)
class Parsed:
    """A document and what parsing it gave."""

    doc: RawDocument
    page: Page | None
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class Conversion:
    """A published article's conversion, the article it was made from, and its linked form."""

    article: Article
    links: ArticleLinks
    linked: LinkedArticle
    quote_problems: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class BodyConversion:
    """A person's, topic's or draft's conversion and the page it was made from."""

    page: Page
    links: BodyLinks


@dataclass
class State:
    """Everything one successful build left, for the next to compare against."""

    settings: Settings
    config: SiteConfig
    config_text: bytes
    files: list[ContentFile]
    scan_problems: tuple[Diagnostic, ...]  # what looking at the names and links found
    ignored: dict[str, tuple[str, Path]]  # slug -> a file not read for its name
    documents: dict[str, Loaded]  # by path
    parsed: dict[str, Parsed]  # by path
    context: LinkContext
    conversions: dict[str, Conversion]  # by slug
    bodies: dict[str, BodyConversion]  # by slug
    mention_key: tuple[object, ...]
    related: Mapping[str, tuple[str, ...]]
    co_mentions: Mapping[str, tuple[tuple[str, int], ...]]
    data: PageData
    templates: dict[str, bytes]  # template name -> source
    uses: dict[str, frozenset[str]]  # template -> every template it loads, itself included
    reads: dict[str, frozenset[Fact]]  # url path -> what drawing it read
    readers: Readers = field(default_factory=dict)  # the inverse of reads
    diagnostics: tuple[Diagnostic, ...] = ()
    probes: dict[str, Probe] = field(default_factory=dict)  # what each image's file held, by src
    page_files: dict[str, PageFiles] = field(default_factory=dict)  # by slug
    pictures: dict[str, Recipe] = field(default_factory=dict)  # every picture file, by output path


@dataclass(frozen=True, slots=True)
class PageFiles:
    """The picture files of one article or person, and what they were worked out from."""

    page: Page
    site_title: str
    source: SourceImage | None
    files: tuple[Recipe, ...]


@dataclass(frozen=True, slots=True)
class Update:
    """What one update did."""

    rendered: Mapping[str, bytes]  # output path -> bytes: pages drawn (again) this time
    removed: tuple[str, ...]  # output paths that are no longer part of the site
    changed: tuple[str, ...]  # output paths drawn again or added (static files too, in a Session)
    pages: tuple[str, ...]  # every output path of the site's pages, static files aside
    diagnostics: tuple[Diagnostic, ...]
    fresh: bool  # everything was built from scratch
    seconds: float
    stages: Mapping[str, float] = field(default_factory=dict)  # seconds by stage
    files: Mapping[str, Recipe] = field(default_factory=dict)  # every picture file of the site


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


def _template_sources(folder: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    if not folder.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            try:
                found[rel] = path.read_bytes()
            except OSError:
                continue
    return found


def template_uses(sources: Mapping[str, bytes]) -> dict[str, frozenset[str]]:
    """For each template, every template it may load (itself included).

    A template that loads another by a name worked out at run time may load any.
    """
    env = jinja2.Environment()
    direct: dict[str, set[str] | None] = {}
    for name, source in sources.items():
        try:
            found = jinja2.meta.find_referenced_templates(env.parse(source.decode("utf-8")))
            names: set[str] | None = set()
            for ref in found:
                if ref is None:
                    names = None
                    break
                assert names is not None
                try:  # as the loader will look it up: "./partials/x.html" is partials/x.html
                    names.add("/".join(jinja2.loaders.split_template_path(ref)))
                except jinja2.TemplateNotFound:
                    names.add(ref)
            direct[name] = names
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
            direct[name] = set()  # drawing it fails and says why
    everything = frozenset(sources)
    closure: dict[str, frozenset[str]] = {}
    for name in sources:
        seen: set[str] = {name}
        todo = [name]
        while todo:
            refs = direct.get(todo.pop(), set())
            if refs is None:
                seen = set(everything)
                break
            for ref in refs - seen:
                seen.add(ref)
                todo.append(ref)
        closure[name] = frozenset(seen)
    return closure


class FormScan:
    """Tell whether a text may name any of some names: it holds every word of one of them.

    Texts and names are compared case-folded, so a name at a sentence start, in lower
    case house style or with another apostrophe is found; a text that holds all of a
    name's words might name it, one that lacks any of them cannot.
    """

    def __init__(self, forms: Iterable[str]) -> None:
        self.words = [
            words for form in forms if (words := tuple(set(re.findall(r"\w+", _comparable(form)))))
        ]

    def __bool__(self) -> bool:
        return bool(self.words)

    def found_in(self, *texts: str) -> bool:
        text = _comparable("\n".join(texts))
        return any(all(word in text for word in words) for words in self.words)


def _comparable(text: str) -> str:
    return text.casefold()


def changed_forms(old: LinkContext, new: LinkContext) -> set[str]:
    """The names, aliases and surnames whose meaning differs between two builds."""
    forms = {
        key
        for key in old.names.uses.keys() | new.names.uses.keys()
        if old.names.uses.get(key) != new.names.uses.get(key)
    }
    return forms | (old.surnames ^ new.surnames)


class Engine:
    """A site kept in memory between builds: the preview's state, and the build cache's."""

    def __init__(
        self,
        settings: Settings,
        state: State | None = None,
        pack: Callable[[bytes], bytes] | None = None,
    ) -> None:
        self.settings = settings
        self.pack = pack  # what is done to each page's bytes as it comes (the preview packs them)
        self.state = state if state is not None and state.settings == settings else None
        self.renderer: Renderer | None = None
        if self.state is not None and self.state.reads and not self.state.readers:
            self.state = replace(self.state, readers=readers_of(self.state.reads))

    def update(
        self, redraw: Iterable[str] = (), touched: Collection[Path] | None = None
    ) -> Update:
        """Bring the site up to date with the files; raise BuildFailed on content errors.

        On failure the session keeps its last good state. `redraw` names url paths to
        draw again whatever changed (their output was lost). `touched`, when given, says
        that nothing changed in the content folder but the contents of these known files
        (as a file watcher saw it); a file that is not known makes it look at everything.
        """
        # The state holds millions of objects; a collection in the middle of an update
        # would scan them all for nothing (they are trees, freed by reference counting).
        # So none runs meanwhile, and what the update leaves is set aside from later
        # ones; `collect_garbage` looks at all of it, for callers with time to spare.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._update(set(redraw), touched)
        finally:
            gc.freeze()
            if enabled:
                gc.enable()

    def warm(self) -> None:
        """Compile every template now, while nobody waits (pages drawn in worker
        processes left this process's templates uncompiled)."""
        if self.state is None:
            return
        if self.renderer is None:
            self.renderer = Renderer(self.settings.templates)
        for name in self.state.templates:
            try:
                self.renderer.env.get_template(name)
            except Exception:  # noqa: BLE001 - drawing a page with it reports the problem
                continue

    @staticmethod
    def collect_garbage() -> None:
        """Free what earlier updates left in reference cycles (slow with a large site)."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def _update(self, redraw: set[str], touched: Collection[Path] | None) -> Update:
        started = time.perf_counter()
        stages = Stopwatch()
        collector = Collector()
        settings = self.settings
        old = self.state
        config_text = _read(settings.config_path)
        config = load_config(settings.config_path, collector)
        if old is not None and (config != old.config or config_text != old.config_text):
            old = None  # other settings: every stage may give something else
        limits = config.limits if config else DEFAULT_LIMITS
        files = self._rescan(old, touched, limits)
        if files is None:
            scanned = Collector()
            check_project_files(
                settings.root, settings.content, settings.templates, settings.static, scanned
            )
            ignored: dict[str, tuple[str, Path]] = {}
            files = scan_content(settings.content, scanned, limits, ignored)
            scan_problems = tuple(scanned.diagnostics)
        else:
            assert old is not None
            scan_problems, ignored = old.scan_problems, old.ignored
        collector.diagnostics.extend(scan_problems)
        documents, docs, unreadable = self._load(old, files, collector, limits)
        stages.lap("load")
        if config is None:
            collector.raise_if_errors()
        assert config is not None
        parsed = self._parse(old, docs, collector)
        pages = [parsed[str(d.src_path)].page for d in docs]
        site = check_site(config, docs, pages, collector, unreadable, ignored)
        # Only content changed (touched): no picture file can have; else each is looked at.
        probes = check_images(
            site,
            settings.static,
            collector,
            old.probes if old is not None else None,
            look_again=touched is None,
        )
        collector.raise_if_errors()
        stages.lap("parse")
        context = _same_context(old, site) or link_context(site, settings.drafts)
        conversions, bodies = self._convert(old, site, context)
        all_slugs = sorted(site.by_slug())
        linked_items = []
        for article in site.articles:
            conversion = conversions.get(article.slug)
            if conversion is not None:
                report_problems(conversion.links.problems, article, collector, all_slugs)
                collector.diagnostics.extend(conversion.quote_problems)
                linked_items.append(conversion.linked)
        every: tuple[Page, ...] = (*site.articles, *site.people, *site.topics)
        for page in every:
            if page.slug in bodies:
                report_problems(bodies[page.slug].links.problems, page, collector, all_slugs)
        items = tuple(linked_items)
        mention_key = mention_inputs(site, items)
        if old is not None and old.mention_key == mention_key:
            related, co_mentions = old.related, old.co_mentions
        else:
            related = compute_related(items, frozenset(p.slug for p in site.people))
            co_mentions = compute_co_mentions(items, site)
        if old is None:
            backlinks = compute_backlinks(items)
            quotes_by = compute_quotes(items)
            claims_of = compute_claims(items)
        else:
            # Only the articles whose linked form is another object can have changed what
            # they add to these maps: patch their entries, keep the rest as they were.
            before = old.data.linked
            now = {item.article.slug: item for item in items}
            moved = {
                slug
                for slug in before.by_slug.keys() | now.keys()
                if before.by_slug.get(slug) is not now.get(slug)
            }
            order = {item.article.slug: item.article.sort_key for item in items}
            backlinks = patch_rows(before.backlinks, before.by_slug, now, moved, backlink_rows, order)
            quotes_by = patch_rows(before.quotes_by, before.by_slug, now, moved, quote_rows, order)
            claims_of = patch_rows(before.claims_of, before.by_slug, now, moved, claim_rows, order)
        shown = entity_bodies(site, {s: b.links for s, b in bodies.items()})
        linked = LinkedSite(
            site=site,
            articles=items,
            bodies={slug: b.body_html for slug, b in shown.items()},
            body_refs={slug: b.card_refs for slug, b in shown.items()},
            backlinks=backlinks,
            co_mentions=co_mentions,
            related=related,
            quotes_by=quotes_by,
            claims_of=claims_of,
        )
        advise(linked, collector, strict=settings.strict)
        if collector.errors or (settings.strict and collector.warnings):
            raise BuildFailed(collector.diagnostics)
        stages.lap("link")
        same_dates = (
            old is not None
            and old.mention_key == mention_key
            and _same_items(old.data.linked.site.people, site.people)
            and _same_items(old.data.linked.site.topics, site.topics)
        )
        # The timeline is made of the articles' dates, titles and entities (all in
        # mention_key) and of the people's offices and the topics' dates.
        images: Mapping[str, SourceImage] = found_images(probes)
        if old is not None and old.data.images == images:
            images = old.data.images  # the very same mapping: compared at once next time
        data = page_data(
            linked, old.data.timeline if same_dates and old is not None else None, images
        )
        page_files_now, pictures = _picture_files(old, items, site, images)
        templates = _template_sources(settings.templates)
        uses = (
            old.uses
            if old is not None and old.templates == templates
            else template_uses(templates)
        )
        todo, removed = self._affected(old, data, templates, uses, redraw)
        stages.lap("compare")
        if self.renderer is None or old is None or old.templates != templates:
            self.renderer = Renderer(settings.templates)
        rendered, reads = self._render(data, todo)
        stages.lap("render")
        kept = dict(old.reads) if old is not None else {}
        # The last state stays as it was (the build cache tells what changed from it):
        # what is changed here is copied first.
        readers = ReadersEdit(old.readers if old is not None else None)
        for url in (*removed, *reads):
            readers.drop(url, kept.pop(url, ()))
        for url, facts in reads.items():
            kept[url] = facts
            readers.add(url, facts)
        self.state = State(
            settings=settings,
            config=config,
            config_text=config_text,
            files=files,
            scan_problems=scan_problems,
            ignored=ignored,
            documents=documents,
            parsed=parsed,
            context=context,
            conversions=conversions,
            bodies=bodies,
            mention_key=mention_key,
            related=related,
            co_mentions=co_mentions,
            data=data,
            templates=templates,
            uses=uses,
            reads=kept,
            readers=readers.done(),
            diagnostics=tuple(collector.diagnostics),
            probes=probes,
            page_files=page_files_now,
            pictures=pictures,
        )
        jobs_by_url = {job.url_path: job for job in data.jobs}
        return Update(
            rendered=rendered,
            removed=tuple(sorted(_out(url) for url in removed if url not in jobs_by_url)),
            changed=tuple(sorted(rendered)),
            pages=tuple(_out(job.url_path) for job in data.jobs),
            diagnostics=tuple(collector.diagnostics),
            fresh=old is None,
            seconds=time.perf_counter() - started,
            stages=dict(stages.seconds),
            files=pictures,
        )

    # -- the stages, redone where something changed -------------------------------------

    def _rescan(
        self, old: State | None, touched: Collection[Path] | None, limits: Any
    ) -> list[ContentFile] | None:
        """The content files, when only the contents of known files changed; else None.

        Then no name, link or folder can have changed, so the last scan holds but for
        the touched files' sizes and times.
        """
        if old is None or touched is None:
            return None
        # Each touched file under both the names it may be known by here (thousands of
        # entries are looked up by their plain text: no path is worked out for each).
        where: dict[str, str] = {}
        for path in touched:
            full = os.path.abspath(path)
            where[full] = where[os.path.relpath(full)] = full
        files = list(old.files)
        seen: set[str] = set()
        for i, entry in enumerate(files):
            known = where.get(str(entry.path))
            if known is None:
                continue
            seen.add(known)
            if entry.problem is not None:
                return None
            try:
                st = entry.path.stat()
            except OSError:
                return None
            if st.st_size > limits.max_file_bytes:
                return None
            files[i] = replace(entry, stat=st)
        return files if len(seen) == len(set(where.values())) else None

    def _load(
        self, old: State | None, files: list[ContentFile], collector: Collector, limits: Any
    ) -> tuple[dict[str, Loaded], list[RawDocument], dict[str, str]]:
        known = old.documents if old is not None else {}
        results: list[RawDocument | Diagnostic | None] = []
        for entry in files:
            before = known.get(str(entry.path))
            reuse = entry.problem is None and before is not None and before.identity == entry.identity
            results.append(before.document if reuse and before is not None else None)
        todo = [i for i, r in enumerate(results) if r is None]
        fresh = run_indexed(
            lambda n: read_content_file(files[todo[n]], limits), len(todo), self.settings.jobs
        )
        for i, result in zip(todo, fresh, strict=True):
            results[i] = result
        done: list[RawDocument | Diagnostic] = [r for r in results if r is not None]
        documents = {
            str(entry.path): Loaded(entry.identity, result)
            for entry, result in zip(files, done, strict=True)
            if entry.problem is None
        }
        unreadable: dict[str, str] = {}
        docs = gather_documents(files, done, collector, unreadable)
        return documents, docs, unreadable

    def _parse(
        self, old: State | None, docs: list[RawDocument], collector: Collector
    ) -> dict[str, Parsed]:
        known = old.parsed if old is not None else {}
        parsed: dict[str, Parsed] = {}
        for doc in docs:
            key = str(doc.src_path)
            before = known.get(key)
            if before is None or before.doc is not doc:
                own = Collector()
                page = parse_page(doc, own)
                before = Parsed(doc, page, tuple(own.diagnostics))
            collector.diagnostics.extend(before.diagnostics)
            parsed[key] = before
        return parsed

    def _convert(
        self, old: State | None, site: Any, context: LinkContext
    ) -> tuple[dict[str, Conversion], dict[str, BodyConversion]]:
        hidden = draft_slugs(site, self.settings.drafts)
        forms = changed_forms(old.context, context) if old is not None else set()
        scan = FormScan(forms)
        moved = (
            {
                slug
                for slug in old.context.targets.keys() | context.targets.keys()
                if old.context.targets.get(slug) != context.targets.get(slug)
            }
            if old is not None
            else set()
        )

        def still_good(page: Page, before_page: Page, used: Iterable[str]) -> bool:
            if before_page is not page and before_page != page:
                return False
            if moved and not moved.isdisjoint(used):
                return False
            if not scan:
                return True
            # headlines and claims are converted with the body, against the same names
            texts = [page.body]
            if isinstance(page, Article):
                texts += [h.title for h in page.related_headlines]
                texts += [c.claim for c in page.claims]
            return not scan.found_in(*texts)

        conversions: dict[str, Conversion] = {}
        todo: list[Article] = []
        for article in site.articles:
            if article.slug in hidden:
                continue
            before = old.conversions.get(article.slug) if old is not None else None
            if (
                before is not None
                and still_good(article, before.article, before.links.used)
                and _same_lines(before.article, article)
            ):
                if before.article is not article:
                    before = Conversion(
                        article,
                        before.links,
                        linked_article(article, before.links),
                        tuple(check_quotes(article, before.links.body_html)),
                    )
                conversions[article.slug] = before
            else:
                todo.append(article)
        converter = context.converter()
        fresh = run_indexed(
            lambda i: convert_article(context, converter, todo[i]), len(todo), self.settings.jobs
        )
        for article, links in zip(todo, fresh, strict=True):
            conversions[article.slug] = Conversion(
                article,
                links,
                linked_article(article, links),
                tuple(check_quotes(article, links.body_html)),
            )
        if todo:  # in the articles' order, whatever was converted again
            conversions = {a.slug: conversions[a.slug] for a in site.articles if a.slug in conversions}
        bodies: dict[str, BodyConversion] = {}
        others: list[Page] = [
            *(a for a in site.articles if a.slug in hidden),
            *site.people,
            *site.topics,
        ]
        for page in others:
            prior = old.bodies.get(page.slug) if old is not None else None
            if prior is not None and type(prior.page) is type(page) and still_good(page, prior.page, prior.links.used):
                bodies[page.slug] = prior if prior.page is page else BodyConversion(page, prior.links)
            else:
                bodies[page.slug] = BodyConversion(page, convert_body(context, converter, page))
        return conversions, bodies

    def _affected(
        self,
        old: State | None,
        data: PageData,
        templates: Mapping[str, bytes],
        uses: Mapping[str, frozenset[str]],
        redraw: set[str],
    ) -> tuple[list[PageJob], list[str]]:
        """The pages to draw, and the url paths of pages that are gone or to be redrawn."""
        if old is None:
            return list(data.jobs), []
        before = {job.url_path: job for job in old.data.jobs}
        now = {job.url_path for job in data.jobs}
        changed_templates = {
            name
            for name in templates.keys() | old.templates.keys()
            if templates.get(name) != old.templates.get(name)
        }
        dirty = set(redraw)
        for _, holders in changed_facts(old.data, data, old.readers):
            dirty |= holders
        todo = []
        for job in data.jobs:
            if (
                job.url_path in dirty
                or before.get(job.url_path) != job
                or (changed_templates and job.template and changed_templates & uses.get(job.template, frozenset({job.template})))
                or job.url_path not in old.reads
            ):
                todo.append(job)
        removed = [url for url in before if url not in now]
        return todo, removed

    def _render(
        self, data: PageData, todo: list[PageJob]
    ) -> tuple[dict[str, bytes], dict[str, frozenset[Fact]]]:
        renderer = self.renderer
        assert renderer is not None

        def draw(i: int) -> tuple[RenderedPage, frozenset[Fact]] | Diagnostic:
            reads: set[Fact] = set()
            try:
                page = renderer.render(data, todo[i], reads)
            except PageError as err:
                return err.diagnostic
            return page, frozenset(reads)

        pages: dict[str, bytes] = {}
        reads: dict[str, frozenset[Fact]] = {}
        same: dict[Fact, Fact] = {}  # one tuple per fact, however many pages read it
        pack = self.pack
        results = iter_indexed(draw, len(todo), self.settings.jobs)
        for job, result in zip(todo, results, strict=True):
            if isinstance(result, Diagnostic):
                results.close()
                raise BuildFailed([result])
            page = result[0]
            pages[page.out_path] = pack(page.content) if pack is not None else page.content
            reads[job.url_path] = frozenset(same.setdefault(fact, fact) for fact in result[1])
        return pages, reads


def _picture_files(
    old: State | None,
    items: tuple[LinkedArticle, ...],
    site: Site,
    images: Mapping[str, SourceImage],
) -> tuple[dict[str, PageFiles], dict[str, Recipe]]:
    """The picture files of each published article and person, and of the whole site:
    worked out again only for a page, site title or picture file that changed."""
    known = old.page_files if old is not None else {}
    title = site.config.title
    found: dict[str, PageFiles] = {}
    same = old is not None and len(known) == len(items) + len(site.people)
    pages: list[Article | Person] = [item.article for item in items]
    pages += site.people
    for page in pages:
        source = images.get(page.image.src) if page.image is not None else None
        before = known.get(page.slug)
        if (
            before is None
            or before.page is not page
            or before.site_title != title
            or before.source is not source
        ):
            before = PageFiles(page, title, source, page_files(page, title, source))
            same = False
        found[page.slug] = before
    if same and old is not None:
        return found, old.pictures
    files: dict[str, Recipe] = {}
    for entry in found.values():
        for recipe in entry.files:
            files[recipe.out_path] = recipe
    return found, files


def _same_context(old: State | None, site: Site) -> LinkContext | None:
    """The last build's link context, when nothing it is made of changed; else None.

    It is made of the people and topics (names, aliases, summaries) and of each
    article's slug, title, summary and draft flag.
    """
    if old is None:
        return None
    before = old.data.linked.site
    if not (_same_items(before.people, site.people) and _same_items(before.topics, site.topics)):
        return None
    if len(before.articles) != len(site.articles):
        return None
    for a, b in zip(before.articles, site.articles, strict=True):
        if a is not b and (a.slug, a.title, a.summary, a.draft) != (b.slug, b.title, b.summary, b.draft):
            return None
    return old.context


def _same_items(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def patch_rows(
    before: Mapping[str, tuple[Any, ...]],
    old_items: Mapping[str, LinkedArticle],
    new_items: Mapping[str, LinkedArticle],
    moved: set[str],
    rows: Callable[[LinkedArticle], list[tuple[str, Any]]],
    order: Mapping[str, tuple[int, str, str]],
) -> dict[str, tuple[Any, ...]]:
    """Redo group_rows(new items, rows) from its result for the old items.

    `moved` holds the slugs of the articles added, removed or changed since; the rows of
    each key start with the article's slug, and a second item that is a number orders
    rows of one article (a quote's or claim's index).
    """
    if not moved:
        return dict(before)
    keys: set[str] = set()
    fresh: dict[str, list[Any]] = {}
    for slug in moved:
        old_item = old_items.get(slug)
        if old_item is not None:
            keys.update(key for key, _ in rows(old_item))
        new_item = new_items.get(slug)
        if new_item is not None:
            for key, row in rows(new_item):
                keys.add(key)
                fresh.setdefault(key, []).append(row)
    patched = dict(before)
    for key in keys:
        found = [row for row in before.get(key, ()) if row[0] not in moved]
        found += fresh.get(key, [])
        found.sort(key=lambda row: (order[row[0]], row[1] if isinstance(row[1], int) else 0))
        if found:
            patched[key] = tuple(found)
        else:
            patched.pop(key, None)
    return patched


def _same_lines(old: Article, new: Article) -> bool:
    """Problems found in related headlines carry their line: it must not have moved."""
    return old is new or [h.line for h in old.related_headlines] == [
        h.line for h in new.related_headlines
    ]


Readers = dict[tuple[str, str], dict[Fact, set[str]]]  # (kind, slug) -> fact -> url paths


class ReadersEdit:
    """Make a new Readers from another, sharing its groups and sets but those changed.

    The other is left as it was: what is changed is copied first (the build cache tells
    one build's state from the next by what they share).
    """

    def __init__(self, base: Readers | None = None) -> None:
        self.readers: Readers = dict(base) if base else {}
        self.own: set[int] = set()  # ids of the groups and sets made here
        self.emptied: set[tuple[str, str]] = set()  # groups that may hold facts no page reads

    def _group(self, key: tuple[str, str]) -> dict[Fact, set[str]]:
        group = self.readers.get(key)
        if group is None:
            group = self.readers[key] = {}
        elif id(group) in self.own:
            return group
        else:
            group = self.readers[key] = dict(group)
        self.own.add(id(group))
        return group

    def add(self, url: str, facts: Iterable[Fact]) -> None:
        for fact in facts:
            group = self._group(_group(fact))
            holders = group.get(fact)
            if holders is None or id(holders) not in self.own:
                holders = group[fact] = {url, *(holders or ())}
                self.own.add(id(holders))
            else:
                holders.add(url)

    def drop(self, url: str, facts: Iterable[Fact]) -> None:
        for fact in facts:
            key = _group(fact)
            if fact not in self.readers.get(key, {}):
                continue
            group = self._group(key)
            holders = group[fact]
            if id(holders) not in self.own:
                holders = group[fact] = set(holders)
                self.own.add(id(holders))
            holders.discard(url)
            self.emptied.add(key)

    def done(self) -> Readers:
        """The new Readers, without the facts no page reads any more.

        They are removed only now, so a page drawn again keeps its facts where they were.
        """
        for key in self.emptied:
            group = self.readers.get(key)
            if group is None:
                continue
            for fact in [fact for fact, holders in group.items() if not holders]:
                del group[fact]
            if not group:
                del self.readers[key]
        return self.readers


def _group(fact: Fact) -> tuple[str, str]:
    """Where a fact is filed in Readers: its kind, and the slug it is about ('' if none)."""
    return (fact[0], fact[1] if len(fact) > 1 and fact[0] != "config" else "")


def readers_of(reads: Mapping[str, frozenset[Fact]]) -> Readers:
    """Invert url path -> facts read into (kind, slug) -> fact -> url paths that read it."""
    edit = ReadersEdit()
    for url, facts in reads.items():
        edit.add(url, facts)
    return edit.done()


def changed_facts(old: PageData, new: PageData, readers: Readers) -> Iterator[tuple[Fact, set[str]]]:
    """Yield every fact some page read whose value differs between two builds, with its readers."""

    def differing(old_map: Mapping[str, Any], new_map: Mapping[str, Any]) -> list[str]:
        if old_map is new_map:
            return []
        return [
            key
            for key in old_map.keys() | new_map.keys()
            if old_map.get(key, MISSING) is not new_map.get(key, MISSING)
        ]

    groups: list[tuple[str, str]] = []
    groups += [("field", slug) for slug in differing(old.pages, new.pages)]
    groups += [("linked", slug) for slug in differing(old.linked.by_slug, new.linked.by_slug)]
    if old.linked.site.config != new.linked.site.config:
        groups.append(("config", ""))
    for name, table in TABLES.items():
        old_table, new_table = table(old), table(new)
        if old_table == new_table:
            continue
        groups += [
            (name, slug)
            for slug in old_table.keys() | new_table.keys()
            if old_table.get(slug, MISSING) != new_table.get(slug, MISSING)
        ]
    groups += [
        (name, "")
        for name, single in SINGLES.items()
        if (name, "") in readers and single(old) != single(new)
    ]
    for group in groups:
        for fact, holders in readers.get(group, {}).items():
            # Tables and singles were compared whole above; they hold no numbers or maps
            # whose equality could hide a change, unlike the model's fields (`extra`).
            whole = group[0] in TABLES or group[0] in SINGLES
            if whole or not same_value(fact_value(old, fact), fact_value(new, fact)):
                yield fact, holders


def same_value(a: Any, b: Any) -> bool:
    """Whether two values would show the same: equal, of the same types, in the same order.

    Plain equality is not enough: 1 == True == 1.0, and mappings equal in another order
    are listed in another order.
    """
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, Mapping):
        return len(a) == len(b) and all(
            ka == kb and type(ka) is type(kb) and same_value(va, vb)
            for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True)
        )
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(
            same_value(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    return bool(a == b)


def _out(url_path: str) -> str:
    return url_path + "index.html" if (url_path.endswith("/") or not url_path) else url_path


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
