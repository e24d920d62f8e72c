from charter.expectations import markdown
from charter.expectations.diff import compare, word_diff


def test_markdown_renders_emphasis_and_links():
    html = markdown.render("We **always** follow up. See [the guide](https://example.com/g).")
    assert "<strong>always</strong>" in html
    assert 'href="https://example.com/g"' in html


def test_markdown_neutralises_scripts_handlers_and_javascript_links():
    source = (
        "<script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3))\n\n"
        '<a href="#" onclick="alert(4)">x</a>'
    )
    html = markdown.render(source)
    # Raw HTML is shown as text, never as elements, and the javascript: link loses its href.
    assert "<script" not in html
    assert "<img" not in html
    assert '<a href="#"' not in html
    assert "javascript:" not in html.split("click")[0]
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_markdown_to_text_drops_markup():
    assert markdown.to_text("We **always** follow up.") == "We always follow up."


def test_word_diff_marks_only_the_changed_words():
    ops = word_diff("Call every lead within two days.", "Call every lead within one day.")
    inserted = "".join(op.text for op in ops if op.op == "insert")
    deleted = "".join(op.text for op in ops if op.op == "delete")
    kept = "".join(op.text for op in ops if op.op == "equal")
    assert "one" in inserted
    assert "day." in inserted
    assert "two" in deleted
    assert "days." in deleted
    assert kept.startswith("Call every lead within")


def _content(*items):
    return {
        "sections": [
            {
                "key": "s1",
                "title": "Process",
                "intro_text": "",
                "expectations": [
                    {
                        "key": key,
                        "title": title,
                        "text_plain": text,
                        "values_label": "Ownership",
                        "measure_label": "",
                    }
                    for key, title, text in items
                ],
            }
        ]
    }


def test_compare_finds_added_changed_and_removed_expectations():
    old = _content(("a", "Follow up", "Within two days"), ("b", "Log calls", "Every call"))
    new = _content(("a", "Follow up", "Within one day"), ("c", "Demo", "Every qualified lead"))
    diff = compare(old, new)
    kinds = {(c.kind, c.title) for c in diff.expectations}
    assert kinds == {("changed", "Follow up"), ("removed", "Log calls"), ("added", "Demo")}
    assert diff.counts == {"added": 1, "changed": 1, "removed": 1}
    changed = next(c for c in diff.expectations if c.kind == "changed")
    assert set(changed.fields) == {"text_plain"}


def test_compare_of_identical_content_is_empty():
    content = _content(("a", "Follow up", "Within two days"))
    assert compare(content, content).is_empty
