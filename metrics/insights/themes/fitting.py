"""Fitting the themes (on a schedule) and assigning a comment to one (as it arrives).

Fit: the comments of the last FIT_DAYS (at most MAX_FIT, a seeded sample beyond) are
split by language; per language, TF-IDF over stemmed terms and word beginnings
(text.features; sublinear tf, L2 rows), reduced by LSA (truncated SVD, at most 100
dimensions, rows renormalised), and k-means (k-means++, fixed seed) for each k from 2 to
min(12, √(n/2)) (the usual rule of thumb for the largest sensible k), keeping the k with
the best cosine silhouette (the smaller k on a tie). Each theme's centroid is the mean
TF-IDF row of its comments, cut to its TOP_TERMS heaviest terms and renormalised; the
label is its top stems in their most frequent written form. Every comment, old or new, is then
assigned by the same rule: the theme whose centroid is nearest in cosine, if any shares
a term with it.
"""

from __future__ import annotations

import functools
import math
import random
import uuid
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from surveys.models import Response

from ...models import CommentTheme, ResponseTheme, ThemeModel
from .text import LANGUAGES, features, language_of

FIT_DAYS = 365
MAX_FIT = 20_000
MIN_COMMENTS = 10  # per language; fewer make no themes
K_RANGE = range(2, 13)
TOP_TERMS = 300
LABEL_WORDS = 3
SEED = 0
N_INIT = 50
K_TOLERANCE = 0.01


@dataclass
class Fitted:
    vocabulary: dict[str, list]  # term -> [column, idf]
    themes: list[dict]  # {language, words, centroid: {column: weight}}


def _documents(comments: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(language, [(term, word)]) of each (comment, language hint)."""
    out = []
    for text, hint in comments:
        language = language_of(text, hint)
        out.append((language, features(text, language)))
    return out


def _clusters(matrix) -> list[int] | None:
    """k-means labels in the LSA space of the TF-IDF rows, k by silhouette."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import normalize

    n, terms = matrix.shape
    dimensions = min(100, terms - 1, n - 1)
    space = (normalize(TruncatedSVD(dimensions, random_state=SEED).fit_transform(matrix))
             if dimensions >= 2 else matrix)
    scored = []
    for k in K_RANGE:
        if k > max(2, int(math.sqrt(n / 2))) or k >= n:
            break
        with warnings.catch_warnings():  # fewer distinct comments than k: skipped below
            warnings.simplefilter("ignore", ConvergenceWarning)
            labels = KMeans(n_clusters=k, n_init=N_INIT, random_state=SEED).fit(space).labels_
        if len(set(labels)) < 2:
            continue
        scored.append((silhouette_score(space, labels, metric="cosine", sample_size=min(n, 3000),
                                        random_state=SEED), k, labels))
    if not scored:
        return None
    # The fewest themes whose silhouette is within K_TOLERANCE of the best: a split that
    # barely scores higher is as likely noise as a theme.
    top = max(score for score, _k, _labels in scored)
    best = min((item for item in scored if item[0] >= top - K_TOLERANCE), key=lambda item: item[1])
    return list(best[2])


def fit(comments: list[tuple[str, str]]) -> Fitted:
    """Themes of (comment, language hint) pairs."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = _documents(comments)
    vocabulary: dict[str, list] = {}
    themes: list[dict] = []
    for language in LANGUAGES:
        mine = [d for lang, d in docs if lang == language and d]
        if len(mine) < MIN_COMMENTS:
            continue
        surface: dict[str, Counter] = defaultdict(Counter)
        for doc in mine:
            for term, word in doc:
                surface[term][word] += 1
        vectorizer = TfidfVectorizer(analyzer=lambda doc: [t for t, _w in doc], sublinear_tf=True,
                                     min_df=2 if len(mine) >= 50 else 1, max_df=0.5,
                                     max_features=20_000)
        try:
            matrix = vectorizer.fit_transform(mine)
        except ValueError:  # no term left after the document-frequency limits
            continue
        offset = len(vocabulary)
        names = vectorizer.get_feature_names_out()
        for column, (term, idf) in enumerate(zip(names, vectorizer.idf_, strict=True)):
            vocabulary[term] = [offset + column, float(idf)]
        labels = _clusters(matrix)
        if labels is None:
            continue
        for cluster in sorted(set(labels)):
            rows = [i for i, label in enumerate(labels) if label == cluster]
            centre = matrix[rows].mean(axis=0).A1
            top = sorted(((w, c) for c, w in enumerate(centre) if w > 0), reverse=True)[:TOP_TERMS]
            norm = math.sqrt(sum(w * w for w, _c in top)) or 1.0
            stems = [c for _w, c in top if "~" not in names[c]]  # labels from whole stems
            themes.append({
                "language": language,
                "words": [surface[names[c]].most_common(1)[0][0] for c in stems[:8]],
                "centroid": {offset + c: w / norm for w, c in top},
            })
    return Fitted(vocabulary, themes)


def vector(text: str, hint: str, vocabulary: dict[str, list]) -> tuple[str, dict[int, float]]:
    """(language, unit TF-IDF vector {column: weight}) as the vectorizer computed it."""
    language = language_of(text, hint)
    counts = Counter(t for t, _w in features(text, language) if t in vocabulary)
    weights = {vocabulary[t][0]: (1 + math.log(c)) * vocabulary[t][1] for t, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return language, {c: w / norm for c, w in weights.items()}


def nearest(vec: dict[int, float], language: str, themes: list[tuple[int, str, dict]]):
    """(theme id, similarity) of the most similar centroid of the language, or None."""
    best = None
    for pk, theme_language, centroid in themes:
        if theme_language != language:
            continue
        similarity = sum(w * centroid.get(c, 0.0) for c, w in vec.items())
        if similarity > 0 and (best is None or similarity > best[1]):
            best = (pk, similarity)
    return best


# ---- the stored model -------------------------------------------------------------------

@functools.lru_cache(maxsize=2)
def _loaded(model_id: int, version: uuid.UUID):
    """The model's vocabulary and themes, read once per process and fit. Keyed on the
    fit's version as well as its id: a running worker must not keep assigning to the
    themes of an earlier fit whose id the database gives again (a restored backup, a
    rolled-back refit on SQLite, each test's rolled-back transaction)."""
    model = ThemeModel.objects.get(pk=model_id, version=version)
    themes = [(t.pk, t.language, {int(c): w for c, w in t.centroid})
              for t in CommentTheme.objects.filter(model_id=model_id)]
    return model.vocabulary, themes


def current_model() -> tuple[int, uuid.UUID] | None:
    """(id, version) of the fit that new comments are assigned to, or None before the first."""
    return ThemeModel.objects.order_by("-pk").values_list("pk", "version").first()


def assign(response: Response) -> ResponseTheme | None:
    """Give one response's comment its theme (or none); called as each answer arrives."""
    current = current_model()
    ResponseTheme.objects.filter(response_id=response.pk).delete()
    if current is None or not response.comment.strip():
        return None
    vocabulary, themes = _loaded(*current)
    language, vec = vector(response.comment, _hint(response), vocabulary)
    found = nearest(vec, language, themes)
    if found is None:
        return None
    return ResponseTheme.objects.create(response_id=response.pk, theme_id=found[0],
                                        similarity=round(found[1], 4))


def _hint(response: Response) -> str:
    invitation = getattr(response, "invitation", None) if response.invitation_id else None
    return getattr(invitation, "language", "") or ""


def _comments(since):
    return (Response.objects.filter(created_at__gte=since).exclude(comment="")
            .order_by("pk").values_list("pk", "comment", "invitation__language"))


@transaction.atomic
def recompute_themes(*, now=None) -> ThemeModel:
    """Fit new themes on recent comments and assign every comment of the period to them;
    the previous model (its themes and assignments) is replaced whole."""
    now = now or timezone.now()
    rows = list(_comments(now - timedelta(days=FIT_DAYS)))
    sample = rows if len(rows) <= MAX_FIT else random.Random(SEED).sample(rows, MAX_FIT)
    fitted = fit([(text, hint or "") for _pk, text, hint in sample])
    ThemeModel.objects.all().delete()
    model = ThemeModel.objects.create(fitted_at=now, vocabulary=fitted.vocabulary,
                                      comments=len(sample))
    created = CommentTheme.objects.bulk_create([
        CommentTheme(model=model, position=i, language=t["language"], words=t["words"],
                     label=", ".join(t["words"][:LABEL_WORDS]),
                     centroid=[[c, round(w, 6)] for c, w in t["centroid"].items()])
        for i, t in enumerate(fitted.themes)])
    themes = [(t.pk, t.language, {int(c): w for c, w in t.centroid}) for t in created]
    assignments = []
    for pk, text, hint in rows:
        language, vec = vector(text, hint or "", fitted.vocabulary)
        found = nearest(vec, language, themes)
        if found is not None:
            assignments.append(ResponseTheme(response_id=pk, theme_id=found[0],
                                             similarity=round(found[1], 4)))
    ResponseTheme.objects.bulk_create(assignments, batch_size=2000)
    return model
