"""Words of a comment: its language, tokens without stop words, Snowball stems.

Everything here is local: snowballstemmer ships the Finnish and English algorithms,
scikit-learn the English stop words; the Finnish stop words are below.
"""

from __future__ import annotations

import functools
import re

import snowballstemmer

# Finnish function words (after the Snowball project's Finnish stop list, with the
# inflected pronouns and particles that carry no topic in a support comment).
FINNISH_STOP_WORDS = frozenset(["olla", "olen", "olet", "on", "olemme", "olette", "ovat", "ole", "oli", "olisi", "olisin", "olisit", "olisimme", "olisitte", "olisivat", "olit", "olin", "olimme", "olitte", "olivat", "ollut", "olleet", "en", "et", "ei", "emme", "ette", "eivät", "minä", "minun", "minut", "minua", "minussa", "minusta", "minuun", "minulla", "minulta", "minulle", "sinä", "sinun", "sinut", "sinua", "sinussa", "sinusta", "sinuun", "sinulla", "sinulta", "sinulle", "hän", "hänen", "hänet", "häntä", "hänessä", "hänestä", "häneen", "hänellä", "häneltä", "hänelle", "me", "meidän", "meidät", "meitä", "meissä", "meistä", "meihin", "meillä", "meiltä", "meille", "te", "teidän", "teidät", "teitä", "teissä", "teistä", "teihin", "teillä", "teiltä", "teille", "he", "heidän", "heidät", "heitä", "heissä", "heistä", "heihin", "heillä", "heiltä", "heille", "tämä", "tämän", "tätä", "tässä", "tästä", "tähän", "tällä", "tältä", "tälle", "tänä", "täksi", "tuo", "tuon", "tuota", "tuossa", "tuosta", "tuohon", "tuolla", "tuolta", "tuolle", "tuona", "se", "sen", "sitä", "siinä", "siitä", "siihen", "sillä", "siltä", "sille", "sinä", "siksi", "nämä", "näiden", "näitä", "näissä", "näistä", "näihin", "näillä", "näiltä", "näille", "näinä", "näiksi", "nuo", "noiden", "noita", "noissa", "noista", "noihin", "noilla", "noilta", "noille", "noina", "ne", "niiden", "niitä", "niissä", "niistä", "niihin", "niillä", "niiltä", "niille", "niinä", "niiksi", "kuka", "kenen", "kenet", "ketä", "kenessä", "kenestä", "keneen", "kenellä", "keneltä", "kenelle", "kenenä", "keneksi", "ketkä", "keiden", "ketkä", "keitä", "keissä", "keistä", "keihin", "keillä", "keiltä", "keille", "keinä", "keiksi", "mikä", "minkä", "mitä", "missä", "mistä", "mihin", "millä", "miltä", "mille", "minä", "miksi", "mitkä", "joka", "jonka", "jota", "jossa", "josta", "johon", "jolla", "jolta", "jolle", "jona", "joksi", "jotka", "joiden", "joita", "joissa", "joista", "joihin", "joilla", "joilta", "joille", "joina", "joiksi", "että", "ja", "jos", "koska", "kuin", "mutta", "niin", "sekä", "sillä", "tai", "vaan", "vai", "vaikka", "kanssa", "mukaan", "noin", "poikki", "yli", "kun", "niin", "nyt", "itse", "myös", "vielä", "jo", "aina", "vain", "ihan", "tosi", "kyllä", "sitten", "siis", "kaikki", "mitään", "mitään", "jotain", "paljon", "hyvin", "liian", "ole", "olisi", "oikein", "kiitos", "kiitokset"])

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_ANY_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Finnish case endings (inessive, elative, adessive, ablative, translative, genitive
# plural; -minen, -nen, -uksen, imperative -kaa): frequent in Finnish text, rare at the end of English words.
_FINNISH_ENDING = re.compile(r"(ssa|ssä|sta|stä|lla|llä|lta|ltä|ksi|iden|jen|ista|istä|minen|kaa|kää|nen|uksen|uksia)$")
PREFIX = 5
_FINNISH_LETTERS = re.compile(r"[äöå]")
LANGUAGES = ("fi", "en")


@functools.cache
def _english_stop_words() -> frozenset[str]:
    """scikit-learn's list, imported at the first comment rather than when Django starts:
    importing scikit-learn (and SciPy) costs over a second of CPU in every process
    (web, worker, each manage.py command) that otherwise never fits a theme."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


@functools.cache
def _stemmer(language: str):
    return snowballstemmer.stemmer("finnish" if language == "fi" else "english")


def language_of(text: str, hint: str = "") -> str:
    """'fi' or 'en': by stop words and Finnish letters; ``hint`` (the invitation's
    language) decides a comment without either."""
    lowered = text.lower()
    words = _ANY_WORD.findall(lowered)
    finnish = (sum(w in FINNISH_STOP_WORDS or bool(_FINNISH_ENDING.search(w)) for w in words)
               + 2 * len(_FINNISH_LETTERS.findall(lowered)))
    english_stop = _english_stop_words()
    english = sum(w in english_stop for w in words)
    if finnish == english:
        return hint if hint in LANGUAGES else "en"
    return "fi" if finnish > english else "en"


def words(text: str, language: str) -> list[tuple[str, str]]:
    """(term, surface word) pairs: the term is the stem prefixed with the language, so
    Finnish and English never share a column."""
    stop = FINNISH_STOP_WORDS if language == "fi" else _english_stop_words()
    surface = [w for w in _WORD.findall(text.lower()) if w not in stop]
    stems = _stemmer(language).stemWords(surface)
    return [(f"{language}:{stem}", word) for stem, word in zip(stems, surface, strict=True)
            if len(stem) >= 2]


def features(text: str, language: str) -> list[tuple[str, str]]:
    """The terms of words(), plus each long word's first PREFIX letters: Finnish builds
    words by compounding and derivation the stemmer leaves apart (lasku, laskutus,
    laskutusosoite; asiakaspalvelu, asiakaspalvelija), which share their beginning."""
    out = []
    for term, word in words(text, language):
        out.append((term, word))
        if len(word) > PREFIX:
            out.append((f"{language}~{word[:PREFIX]}", word))
    return out
