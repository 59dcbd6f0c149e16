"""A first end-to-end check on a tiny site."""

from conftest import JOHNSON, MAY, article, links_in, prose_of


def test_tiny_site_links_both_ways(make_project):
    project = make_project({
        "content/people/theresa-may.md": MAY,
        "content/people/boris-johnson.md": JOHNSON,
        "content/articles/story.md": article(
            "The Prime Minister spoke. Later the Foreign Secretary replied to Mrs May.\n",
            people=["theresa-may", "boris-johnson"],
        ),
    })
    result = project.build()
    assert result.returncode == 0, result.stderr
    body = prose_of(project.page("articles/story/"))
    refs = {a["data-ref"]: a["_text"] for a in links_in(body) if "data-ref" in a}
    assert refs == {"theresa-may": "The Prime Minister", "boris-johnson": "the Foreign Secretary"}
    person = project.page("people/theresa-may/")
    assert 'id="appears-in"' in person
    assert "The Prime Minister spoke." in person
