"""Results of a survey, read through the anonymity rule (`anonymity.py`).

Everything here is counted in a fixed number of queries, whatever the number of
units or responses: respondents per unit, answers per unit × question × value,
sums of number answers; the roll-up to areas and the department is done in
memory along the org tree. Only groups the rule lets through leave this module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qualityplan.access import Access, OrgTree
from qualityplan.models import OrgUnit

from . import permissions
from .anonymity import GroupTree, shown_groups, tree_for
from .models import Answer, Question, Survey, SurveyResponse

SCALE_KEYS = ["1", "2", "3", "4", "5"]
CACHE_SECONDS = 6 * 3600
YES_NO_KEYS = ["1", "0"]


def scale_labels() -> dict[str, str]:
    return {
        "1": _("1 – Strongly disagree"),
        "2": _("2 – Disagree"),
        "3": _("3 – Neither agree nor disagree"),
        "4": _("4 – Agree"),
        "5": _("5 – Strongly agree"),
    }


def yes_no_labels() -> dict[str, str]:
    return {"1": pgettext("answer", "Yes"), "0": pgettext("answer", "No")}


@dataclass
class Group:
    unit_id: int
    name: str
    kind: str
    depth: int
    respondents: int
    parent_id: int | None = None

    @property
    def indent(self) -> str:
        return "– " * self.depth


@dataclass
class QuestionFigures:
    question: Question
    # group id → value key ("1".."5", "0"/"1", option id) → answers
    counts: dict[int, dict[str, int]] = field(default_factory=dict)
    # group id → (sum, answers) for number questions
    sums: dict[int, tuple[Decimal, int]] = field(default_factory=dict)

    def answered(self, group_id: int) -> int:
        if self.question.kind == Question.Kind.NUMBER:
            return self.sums.get(group_id, (0, 0))[1]
        return sum(self.counts.get(group_id, {}).values())

    def share(self, group_id: int) -> Decimal | None:
        """Percent answering 4 or 5 (scale) or yes (yes/no), of those who answered."""
        counts = self.counts.get(group_id, {})
        if self.question.kind == Question.Kind.SCALE:
            good, total = counts.get("4", 0) + counts.get("5", 0), sum(counts.values())
        elif self.question.kind == Question.Kind.YES_NO:
            good, total = counts.get("1", 0), sum(counts.values())
        else:
            return None
        if not total:
            return None
        return (Decimal(100) * good / total).quantize(Decimal("0.1"))

    def mean(self, group_id: int) -> Decimal | None:
        total, answers = self.sums.get(group_id, (Decimal(0), 0))
        return (Decimal(total) / answers).quantize(Decimal("0.1")) if answers else None

    def answer_keys(self) -> list[tuple[str, str]]:
        if self.question.kind == Question.Kind.SCALE:
            return list(scale_labels().items())
        if self.question.kind == Question.Kind.YES_NO:
            return list(yes_no_labels().items())
        return [(str(option.pk), option.text) for option in self.question.options.all()]


@dataclass
class SurveyResults:
    survey: Survey
    minimum: int
    groups: list[Group]  # shown groups in tree order (the root first)
    by_id: dict[int, Group]
    questions: list[QuestionFigures]
    held_back: int  # units with answers that are not shown on their own
    respondents: int
    tree: GroupTree
    shown: set[int]

    def question(self, question_id: int) -> QuestionFigures | None:
        return next((q for q in self.questions if q.question.pk == question_id), None)

    def children_of(self, group_id: int) -> list[Group]:
        """The nearest shown groups below a group (in tree order)."""
        return [g for g in self.groups if self._nearest_shown_ancestor(g.unit_id) == group_id]

    def _nearest_shown_ancestor(self, unit_id: int) -> int | None:
        for ancestor in self.tree.ancestors(unit_id):
            if ancestor in self.shown:
                return ancestor
        return None


def _parents() -> dict[int, int | None]:
    return dict(OrgTree.load().parent)


def survey_results(
    *, survey: Survey, parents: dict[int, int | None] | None = None
) -> SurveyResults:
    """The whole survey's shown groups and their figures (7 queries)."""
    parents = parents if parents is not None else _parents()
    unit_ids = getattr(survey, "link_unit_ids", None)
    if unit_ids is None:
        unit_ids = list(survey.links.values_list("org_unit_id", flat=True))
    per_unit = list(
        SurveyResponse.objects.filter(survey=survey)
        .values_list("org_unit_id")
        .annotate(n=Count("id"), last=Max("id"))
        .values_list("org_unit_id", "n", "last")
    )
    own = {unit: n for unit, n, _last in per_unit}
    # Responses are never changed, only added (or removed with an import batch), so the
    # count and the last id name the answers' state: the counts are cached under them.
    state = (sum(own.values()), max((last for *_u, last in per_unit), default=0))
    tree = tree_for(unit_ids=set(unit_ids) | set(own), parents=parents, root=survey.owner_id)
    tree.own = own
    shown = shown_groups(tree, survey.min_group_size)
    groups = _groups(tree, shown)
    questions = _figures(survey, tree, shown, state)
    held_back = sum(1 for unit, count in own.items() if count and unit not in shown)
    return SurveyResults(
        survey=survey,
        minimum=survey.min_group_size,
        groups=groups,
        by_id={g.unit_id: g for g in groups},
        questions=questions,
        held_back=held_back,
        respondents=sum(own.values()),
        tree=tree,
        shown=shown,
    )


def _groups(tree: GroupTree, shown: set[int]) -> list[Group]:
    names = {
        unit.pk: unit
        for unit in OrgUnit.objects.filter(pk__in=list(tree.parent)).only("name", "kind")
    }
    totals = tree.totals()
    children = tree.children()
    ordered: list[Group] = []

    def walk(unit: int, depth: int) -> None:
        if unit in shown:
            ordered.append(
                Group(
                    unit, names[unit].name, names[unit].kind, depth, totals[unit], tree.parent[unit]
                )
            )
        for child in sorted(children[unit], key=lambda c: names[c].name):
            walk(child, depth + (1 if unit in shown else 0))

    for root in sorted(
        (u for u, p in tree.parent.items() if p is None), key=lambda u: names[u].name
    ):
        walk(root, 0)
    return ordered


def _cached(key: str, rows) -> list:
    found = cache.get(key)
    if found is None:
        found = list(rows)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _figures(survey: Survey, tree: GroupTree, shown: set[int], state) -> list[QuestionFigures]:
    questions = list(
        survey.questions.select_related("section", "indicator")
        .prefetch_related("options")
        .order_by("section__position", "position")
    )
    figures = {q.pk: QuestionFigures(q) for q in questions}
    # The shown groups each unit's answers count in: itself (if shown) and those above it.
    reach = {unit: [g for g in (unit, *tree.ancestors(unit)) if g in shown] for unit in tree.own}
    cache_key = f"surveys:counts:{survey.pk}:{state[0]}:{state[1]}"
    counted = _cached(
        f"{cache_key}:choices",
        Answer.objects.filter(response__survey=survey)
        .exclude(question__kind__in=[Question.Kind.TEXT, Question.Kind.NUMBER])
        .values_list("response__org_unit_id", "question_id", "number", "option_id")
        .annotate(n=Count("id")),
    )
    for unit, question_id, number, option_id, n in counted:
        key = str(option_id) if option_id else str(int(number))
        counts = figures[question_id].counts
        for group in reach.get(unit, ()):
            per = counts.get(group)
            if per is None:
                per = counts[group] = defaultdict(int)
            per[key] += n
    sums = _cached(
        f"{cache_key}:numbers",
        Answer.objects.filter(response__survey=survey, question__kind=Question.Kind.NUMBER)
        .values_list("response__org_unit_id", "question_id")
        .annotate(total=Sum("number"), n=Count("id")),
    )
    for unit, question_id, total, n in sums:
        for group in reach.get(unit, ()):
            old_total, old_n = figures[question_id].sums.get(group, (Decimal(0), 0))
            figures[question_id].sums[group] = (old_total + total, old_n + n)
    return [figures[q.pk] for q in questions]


# --- What one person sees --------------------------------------------------------


@dataclass
class View:
    """The shown groups a person may look at, and the free text they may read."""

    results: SurveyResults
    groups: list[Group]
    text_groups: set[int]
    scope: Group | None

    @property
    def scope_groups(self) -> list[Group]:
        """The scope and the shown groups right below it: the rows of the tables."""
        if self.scope is None:
            return []
        visible = {g.unit_id for g in self.groups}
        below = [g for g in self.results.children_of(self.scope.unit_id) if g.unit_id in visible]
        return [self.scope, *below]


def visible_groups(*, results: SurveyResults, access: Access) -> list[Group]:
    """Shown groups the person reads, and the shown groups above them (for comparison)."""
    survey = results.survey
    if permissions.can_manage(access, survey):
        return list(results.groups)
    readable = {g.unit_id for g in results.groups if access.can_read_unit(g.unit_id)}
    above = {a for unit in readable for a in results.tree.ancestors(unit)}
    return [g for g in results.groups if g.unit_id in readable | above]


def result_view(*, results: SurveyResults, access: Access, scope_id: int | None) -> View:
    groups = visible_groups(results=results, access=access)
    by_id = {g.unit_id: g for g in groups}
    readable = [
        g
        for g in groups
        if permissions.can_manage(access, results.survey) or access.can_read_unit(g.unit_id)
    ]
    scope = by_id.get(scope_id) if scope_id else None
    if scope is None and readable:
        scope = readable[0]
    text_groups = {
        g.unit_id
        for g in groups
        if g.kind != OrgUnit.Kind.DEPARTMENT
        and g.unit_id in results.tree.own
        and permissions.can_read_free_text(access, results.survey, g.unit_id)
    }
    return View(results=results, groups=groups, text_groups=text_groups, scope=scope)


def free_texts(
    *, results: SurveyResults, unit_ids: set[int]
) -> dict[int, list[tuple[Question, str]]]:
    """Free-text answers of shown units (the caller passes only shown, permitted units)."""
    survey = results.survey
    found: dict[int, list] = defaultdict(list)
    if not unit_ids:
        return found
    rows = (
        Answer.objects.filter(response__survey=survey, response__org_unit_id__in=unit_ids)
        .exclude(text="")
        .order_by("question__section__position", "question__position", "id")
        .values_list("response__org_unit_id", "question_id", "text")
    )
    questions = {figures.question.pk: figures.question for figures in results.questions}
    for unit, question_id, text in rows:
        found[unit].append((questions[question_id], text))
    return found


def previous_shares(*, results: SurveyResults, previous: SurveyResults | None) -> dict:
    """(question id, group id) → last time's share, for questions copied from last time's
    and groups shown both times."""
    if previous is None:
        return {}
    found = {}
    by_question = {q.question.pk: q for q in previous.questions}
    for figures in results.questions:
        before = by_question.get(figures.question.copied_from_id or 0)
        if before is None:
            continue
        for group in results.groups:
            if group.unit_id in previous.shown:
                found[(figures.question.pk, group.unit_id)] = before.share(group.unit_id)
    return found
