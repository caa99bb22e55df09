"""Crosscheck's scoring engine: trainee flags checked against an instructor key.

A pure library (standard library only). Inputs are frozen dataclasses from `scoring.types`: the
key's `KeyItem`s, the trainee's `Flag`s and a `Policy`; the output is a `Report` of frozen
dataclasses, which `report_to_dict` turns into JSON-safe data and `report_from_dict` turns back.
Offsets are code-point indices into an article's text as stored, end exclusive.

    report = score(key, flags, policy, categories=package.categories)
    report.score                     # 0-100
    for submission_id, report in rescore(key, stored_submissions, policy): ...

The rules
---------
Words. Each key item has a *core*, the words that carry the problem (``core_start``–``core_end``),
inside its *extent* (``start``–``end``), the widest selection that still counts fully. Given the
article texts (``texts=``), a flag that cuts a word is widened to the whole word first.

Matching. A flag can match a key item of the same article when it covers at least one word of the
item's core (function words such as "to" or "the" do not count on their own) and its boundary
factor is at least ``min_boundary_factor``. Matching is one to one: each item is credited to at
most one flag and each flag to at most one item, chosen to give the trainee the highest score
(credit earned plus penalties avoided); equal choices are settled by the larger total boundary
factor, then by a fixed order of flags and items, never by submission order. Decoys are matched
by the same rule.

Credit. A matched item earns points × category factor × boundary factor. The category factor is 1
for the key's category, ``alternative_credit`` for a category the key accepts (``also``) and
``other_category_credit`` for any other. The boundary factor (`scoring.matching.boundary_factor`)
is 1 for a flag that covers the whole core and stays within the extent; covering part of the core
costs up to 35% (half the core keeps 91%), and running past the extent falls off smoothly (one word
keeps 91%, three 53%, six 22%). So no item earns more than its points.

Conflict groups. Items sharing a ``group`` are figures stating one quantity. Two figures of a group
conflict unless one lists the other in ``agrees_with``. A figure matched while none of the figures
it conflicts with is matched is a lone figure: it earns ``lone_figure_credit`` of its credit, and
its reason names the figures it conflicts with. A flag links to other flags by id. A pair of linked
flags (counted once, whichever way it was linked) that matched two conflicting figures is correct,
and earns ``link_bonus`` when it connects figures not yet connected by the pairs before it: a
group whose n figures all conflict earns at most n − 1 bonuses, whether its figures are linked as
a chain, a star or every pair with every other. A link between figures that agree earns nothing
and its reason says why they agree. A link across groups, to a flag that matched no figure, to an
unknown flag id or to itself earns nothing and is reported as wrong.

Source ratings. The key may rate each article's source on the Admiralty (NATO) scale
(`RatingKey`: reliability A–F, credibility 1–6, each with an accepted range). A trainee's rating
(`SourceRating`) earns half of ``rating_points`` for a reliability within range and half for a
credibility within it.

Penalties. A flag that matches no item is a false positive: it costs ``decoy_penalty`` when it
matches a decoy (each such flag pays), otherwise ``false_positive_penalty`` (also when it only
repeats an item another flag was credited for, and when it is a near miss: it touches an item's
extent but none of its core, or runs too far past it).

Score. possible = the points of every non-decoy item + ``link_bonus`` × the links that can earn
a bonus (`scoring.credit.possible_links`) + ``rating_points`` × the articles the key rates;
earned = max(0, item credit + link bonus + rating credit − penalties);
score = 100 · earned / possible. The key itself, submitted as flags with every figure of a group
linked to every other, scores exactly 100 (so does the key with each group's conflicting figures
linked in a chain). A key with nothing to earn scores 100 with no penalty, else 0.

Measures for comparison (they ignore boundaries, groups and links; decoys are not key spans):
precision, recall and F1 of flags matched with the item's category, overall and per category;
the SemEval-2020 Task 11 span metric on merged spans, category-blind and counting same-category
pairs only (`span_metric`); and the COR/INC/PAR/MIS/SPU counts of the strict, exact, partial and
type schemes (`nervaluate_schemes`). These counts equal nervaluate 1.2.1's at its default
settings, run per article (a span [start, end) given as its inclusive (start, end − 1)) and
added up, with flags and key items given in canonical order: sorted by (article, start, end,
category, id). nervaluate pairs predictions in the order given, so ties between flags are
settled by that order, never by submission order. Precision and recall follow nervaluate's
formulas, except that with nothing on either side they are 1 (nervaluate gives 0), as for the
other measures. Spans meet only within one article: a flag on an article the key has no span
on is spurious in every scheme and lowers span precision, never recall; a key span on an article
nobody flagged is missed.

Invalid input (duplicate ids, start ≥ end, negative offsets, unknown categories when the
exercise's categories are passed, policy values out of range) raises ValueError naming the value;
`span_metric` likewise refuses an empty, inverted or negative span, naming it.
"""

from scoring.engine import RULES, RULES_CHANGES, PreparedKey, score
from scoring.metrics import merge_spans, nervaluate_schemes, span_metric
from scoring.report import (
    Detection,
    FlagOutcome,
    FlagResult,
    ItemResult,
    ItemStatus,
    LinkResult,
    LinkStatus,
    RatingResult,
    Report,
    SchemeCounts,
    Schemes,
    SpanMetrics,
    SpanScore,
    Totals,
    report_from_dict,
    report_to_dict,
)
from scoring.rescoring import rescore
from scoring.types import Agreement, Flag, KeyItem, Policy, RatingKey, SourceRating

__all__ = [
    "RULES",
    "RULES_CHANGES",
    "Agreement",
    "Detection",
    "Flag",
    "FlagOutcome",
    "FlagResult",
    "ItemResult",
    "ItemStatus",
    "KeyItem",
    "LinkResult",
    "LinkStatus",
    "Policy",
    "PreparedKey",
    "RatingKey",
    "RatingResult",
    "Report",
    "SchemeCounts",
    "Schemes",
    "SourceRating",
    "SpanMetrics",
    "SpanScore",
    "Totals",
    "merge_spans",
    "nervaluate_schemes",
    "report_from_dict",
    "report_to_dict",
    "rescore",
    "score",
    "span_metric",
]
