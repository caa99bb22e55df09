"""The dashboard heatmap's spans as HTML, written in Python rather than in the template.

A 50-article exercise's heatmap has some 17,000 segments: Jinja's loop, attribute lookups and
escapes over them were most of the dashboard's rendering (338 ms of CPU for 500 trainees; 95–135
ms with the same bytes written here).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from app.cohort_figures.heatmap import ArticleHeat


def heatmap_spans(heat: ArticleHeat) -> Markup:
    """One article's segments as spans; the flagged ones are buttons, the first of them a tab stop."""
    spans = []
    first = True
    # The classes are names the code writes (heat-3 key-item …): only the words need escaping.
    for segment in heat.segments:
        if segment.count:
            spans.append(
                f'<span class="{segment.classes}" data-at="{segment.start}" tabindex="{0 if first else -1}" '
                f'role="button" aria-label="{escape(segment.label)}">{escape(segment.text)}</span>'
            )
            first = False
        else:
            spans.append(f'<span class="{segment.classes}">{escape(segment.text)}</span>')
    return Markup("".join(spans))
