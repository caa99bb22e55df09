"""The dashboard heatmap's spans: what the template showed, with the article's words escaped."""

from __future__ import annotations

from app.cohort_figures.heatmap import ArticleHeat, Segment
from instructor.dashboard.heatmap_markup import heatmap_spans


def segment(start: int, text: str, count: int, label: str = "") -> Segment:
    return Segment(start, start + len(text), text, count, min(count, 8), (), False, False, False, label)


def test_flagged_segments_are_buttons_the_first_a_tab_stop_and_words_are_escaped() -> None:
    heat = ArticleHeat(
        "a",
        "A",
        [
            segment(0, 'He said "<b>', 0),
            segment(12, "5 & 6", 2, label='2 flags: “5 & 6” in “He said "<b>5 & 6”'),
            segment(17, "</b>'", 1, label="1 flag: “</b>'”"),
        ],
        2,
    )
    assert str(heatmap_spans(heat)) == (
        '<span class="heat-0">He said &#34;&lt;b&gt;</span>'
        '<span class="heat-2" data-at="12" tabindex="0" role="button" '
        'aria-label="2 flags: “5 &amp; 6” in “He said &#34;&lt;b&gt;5 &amp; 6”">5 &amp; 6</span>'
        '<span class="heat-1" data-at="17" tabindex="-1" role="button" '
        'aria-label="1 flag: “&lt;/b&gt;&#39;”">&lt;/b&gt;&#39;</span>'
    )
