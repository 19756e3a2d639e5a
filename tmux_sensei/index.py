"""The search index: built once from the knowledge pages, cached, queried in a few milliseconds.

One index per language. Each topic is a bag of weighted tokens (title and questions weigh most),
scored with BM25; the best-matching topics are then compared question by question, because a
user's question usually resembles one of the ways the page lists.

The cache is a marshal file in the user's cache directory (marshal loads several times faster
than JSON and is built in). Its name is a hash of the index format, the package version, the
Python version (marshal's format is Python's own) and the size and modification time of every
knowledge, synonym and locale file; the content hash of those files is stored inside. A stale or
unreadable cache is simply rebuilt; an unwritable cache directory only means no cache.
"""

from __future__ import annotations

import marshal
import math
import os
import stat  # already loaded by os: free
import sys

from tmux_sensei import __version__
from tmux_sensei.tokens import Synonyms, fold, stem, tokenize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

INDEX_FORMAT = 8
FIELD_WEIGHTS = {"title": 3.0, "question": 2.0, "heading": 1.5, "body": 1.0, "code": 1.0}
# The usual BM25 values: with B = 0.5, pages that grew long (hub lists) drew questions away
K1, B = 1.2, 0.75
# How a page's rank is made: its closest listed question, how much of the query it covers, and
# its BM25 score relative to the best page. Weights tuned on tests/eval/questions.jsonl; a sweep
# on the real-question dev split found them flat (within a question or two).
W_QUESTION, W_COVERAGE, W_BM25 = 0.35, 0.25, 0.4
INTENT_GROUPS = frozenset({"~howto", "~why", "~whatis"})  # say what is asked, not what it is about
INTENT_BONUS = 0.02  # a page whose title asks the way the question asks
UNKNOWN_WEIGHT = 0.9
SCOPE_DOUBT = 0.95
STORY_WEIGHT = 0.3  # "yesterday", "昨日": when it happened, rarely what (synonyms.toml [story])
CONF_W, CONF_MASS = (0.35, 0.3, 0.35), 5.0  # a word no page has, against the rarest word a page has


class Hit:
    __slots__ = ("confidence", "coverage", "question_match", "score", "topic")

    def __init__(
        self, topic: str, score: float, confidence: float, coverage: float, question_match: float
    ) -> None:
        self.topic = topic
        self.score = score
        self.confidence = confidence
        self.coverage = coverage
        self.question_match = question_match

    def __repr__(self) -> str:
        return f"Hit({self.topic!r}, score={self.score:.3f}, confidence={self.confidence:.2f})"


class Index:
    """A loaded index for one language: data built by `build_data`, read from the cache by
    `loader.open_index`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.lang: str = data["lang"]
        self.ids: list[str] = data["ids"]
        self.topics: dict[str, dict[str, Any]] = data["topics"]
        # token -> packed bytes: the weights (uint32, thousandths), then the page numbers
        # (uint16); unpacked only for the tokens a question has (see `_post`)
        self.postings: dict[str, bytes] = data["postings"]
        self._posts: dict[str, tuple[memoryview, memoryview]] = {}
        self.doclen: list[float] = data["doclen"]
        self.avgdl: float = data["avgdl"]
        self._qsets: list[bytes] = data["qsets"]  # per page, marshal bytes (see `qset`)
        self._qset_cache: dict[int, list[tuple[str, ...]]] = {}
        self.strings: dict[str, str] = data["strings"]
        self.synonyms = Synonyms.from_data(data["synonyms"])
        self.content_hash: str = data.get("content_hash", "")
        self.other_programs: frozenset[str] = frozenset(data.get("other_programs", ()))
        self.scopes: frozenset[str] = frozenset(data.get("scopes", ()))
        self.domain: frozenset[str] = frozenset(data.get("domain", ()))
        # what tells a question is about tmux (decision.py): its names, words only tmux uses,
        # and its messages, each message with the one page that explains it
        self.errors: dict[str, str] = dict(data.get("errors", {}))
        # the decision's word lists (VOCABULARIES), each as (words, phrases): see `mentions`
        self.vocabulary: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
            name: (frozenset(words), tuple(phrases))
            for name, (words, phrases) in dict(data.get("vocabulary", {})).items()
        }
        self.not_tmux: tuple[tuple[str, ...], tuple[str, ...]] = data.get("not_tmux", ((), ()))
        self.story: frozenset[str] = frozenset(data.get("story", ()))
        n = len(self.ids)
        self._idf_cache: dict[str, float] = {}
        self._latin_vocab: list[str] | None = None  # built on the first typo
        # An unknown word weighs more than the rarest known one: it is what the question is
        # about, and the knowledge base does not know it.
        self._unknown_idf = UNKNOWN_WEIGHT * math.log(1 + (n + 0.5) / 0.5) if n else 1.0

    def mentions(self, name: str, folded: str, tokens: set[str]) -> bool:
        """Whether a text names a word of the vocabulary `name`: a word as one of its (stemmed)
        tokens or a synonym group's token ("~pane"), a phrase or Japanese in its folded text."""
        words, phrases = self.vocabulary.get(name, (frozenset(), ()))
        return not words.isdisjoint(tokens) or any(p in folded for p in phrases)

    def _post(self, token: str) -> tuple[memoryview, memoryview] | None:
        """(page numbers, weights in thousandths) of a token, or None."""
        post = self._posts.get(token)
        if post is None:
            raw = self.postings.get(token)
            if raw is None:
                return None
            n = len(raw) // 6
            view = memoryview(raw)
            post = (view[4 * n :].cast("H"), view[: 4 * n].cast("I"))
            self._posts[token] = post
        return post

    def qset(self, d: int) -> list[tuple[str, ...]]:
        """The token sets of page d's title (first) and listed questions."""
        found = self._qset_cache.get(d)
        if found is None:
            found = marshal.loads(self._qsets[d])
            self._qset_cache[d] = found
        return found

    def idf(self, token: str) -> float:
        value = self._idf_cache.get(token)
        if value is None:
            post = self.postings.get(token)
            if post is None:
                # Japanese bigrams the pages lack are often just other ways of saying it
                if not token.isascii():
                    value = 0.5 * self._unknown_idf
                elif len(token) <= 3:  # "cof", "wtf", "foo": fragments more than subjects
                    value = 0.3 * self._unknown_idf
                else:
                    value = self._unknown_idf
            else:
                df = len(post) // 6
                n = len(self.ids)
                value = math.log(1 + (n - df + 0.5) / (df + 0.5))
            self._idf_cache[token] = value
        return value

    def query_tokens(self, text: str) -> dict[str, float]:
        """Unique query tokens with a weight; unknown Latin words are matched as typos."""
        weights: dict[str, float] = {}
        for tok in tokenize(text, self.synonyms):
            # "start at 1" counts; "5 minutes" less; "yesterday" least
            weights[tok] = STORY_WEIGHT if tok in self.story else 0.5 if tok.isdigit() else 1.0
        unknown = [
            t
            for t in weights
            if t not in self.postings and len(t) >= 4 and t.isascii() and not t.startswith("~")
        ]
        if unknown:
            for tok, fixed in correct_typos(unknown, self.latin_vocabulary(), self.df).items():
                del weights[tok]
                for t in [fixed, *self.synonyms.latin.get(fixed, ())]:
                    weights.setdefault(t, 0.8)
        return weights

    def _docs_with(self, token: str) -> Sequence[int]:
        post = self._post(token)
        return post[0] if post else ()

    def df(self, token: str) -> int:
        return len(self.postings.get(token, b"")) // 6

    def latin_vocabulary(self) -> list[str]:
        vocab = self._latin_vocab
        if vocab is None:
            vocab = [t for t in self.postings if t.isascii() and len(t) >= 3 and t[0] != "~"]
            self._latin_vocab = vocab
        return vocab

    def search(
        self, text: str, limit: int = 5, tokens: dict[str, float] | None = None
    ) -> list[Hit]:
        q = self.query_tokens(text) if tokens is None else tokens
        if not q:
            return []
        scores: dict[int, float] = {}
        matched: dict[int, float] = {}
        on_topic: set[int] = set()  # pages that share a tmux word with the question
        total_idf = 0.0
        avgdl = self.avgdl or 1.0
        for tok, w in q.items():
            idf = self.idf(tok)
            total_idf += idf * w
            post = self._post(tok)
            if post is None:
                continue
            docs, weights = post
            doclen = self.doclen
            if tok in self.domain:
                on_topic.update(docs)
            for d, milli in zip(docs, weights, strict=True):
                tf = milli / 1000
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * doclen[d] / avgdl))
                scores[d] = scores.get(d, 0.0) + w * idf * norm
                matched[d] = matched.get(d, 0.0) + w * idf
        if not scores or total_idf <= 0:
            return []
        ranked = sorted(scores, key=scores.__getitem__, reverse=True)[: max(limit, 10)]
        # A question that names another program ("zellij plugins", "exit nano") is most often
        # about that program: a page that never names it is a weaker answer.
        others = [t for t in q if t in self.other_programs]
        hits: list[Hit] = []
        best_bm = scores[ranked[0]]
        intents = INTENT_GROUPS.intersection(q)
        for d in ranked:
            coverage = matched[d] / total_idf
            qm = self._question_match(d, q)
            bm = scores[d] / best_bm  # relative: how this page's body compares with the best
            combined = W_QUESTION * qm + W_COVERAGE * coverage + W_BM25 * bm
            title = self.qset(d)[0]
            if intents and intents.intersection(title):
                combined += INTENT_BONUS  # "how do I split" is the how-to page, not the error's
            # a page whose title names a platform ("… on WSL", "… in Termux") answers a question
            # that names it; asked without it, the general page comes first
            scope = self.scopes.intersection(title)
            if scope and not scope.intersection(q):
                combined *= SCOPE_DOUBT
            doubt = 1.0
            if others and not all(d in self._docs_with(t) for t in others):
                doubt = 0.75 if "tmux" in q else 0.55
            if d not in on_topic:  # only everyday words in common ("starter", "from scratch")
                doubt *= 0.6
            confidence = round(_confidence(coverage, qm, matched[d]) * doubt, 3)
            hits.append(Hit(self.ids[d], combined, confidence, coverage, qm))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:limit]

    def _question_match(self, d: int, qset: dict[str, float]) -> float:
        """Weighted overlap between the query and the page's closest listed question.

        Words the knowledge base has never seen count on the query's side: a question about
        "zellij plugins" is not a question about tmux plugins.
        """
        if not qset:
            return 0.0
        best = 0.0
        q_idf = {t: self.idf(t) * w for t, w in qset.items()}
        q_total = sum(q_idf.values())
        for question in self.qset(d):
            inter = sum(q_idf[t] for t in question if t in q_idf)
            if inter == 0:
                continue
            other = sum(self.idf(t) for t in question if t not in q_idf)
            # Dice-like: how much of each side the other explains
            score = 2 * inter / (q_total + inter + other)
            if score > best:
                best = score
        return best

    def topic(self, topic_id: str) -> dict[str, Any]:
        topic = self.topics[topic_id]
        blocks = topic.get("blocks")
        if isinstance(blocks, bytes):  # unpacked on first use: an answer reads one or two pages
            topic = dict(topic, blocks=marshal.loads(blocks))
            self.topics[topic_id] = topic
        return topic


def _confidence(coverage: float, question_match: float, matched_idf: float) -> float:
    """0..1 from three views of one match: the share of the question the page explains, how
    much it explains in absolute terms (long questions carry filler words no page has), and
    how close the page's nearest listed question is."""
    absolute = 1.0 - math.exp(-matched_idf / CONF_MASS)
    return min(
        1.0,
        CONF_W[0] * coverage + CONF_W[1] * absolute + CONF_W[2] * min(1.0, question_match * 1.6),
    )


def correct_typos(
    words: list[str], vocabulary: list[str], frequency: Callable[[str], int]
) -> dict[str, str]:
    """Map misspelt words to the closest known word. rapidfuzz loads only when a word is unknown."""
    from rapidfuzz import fuzz, process

    fixed: dict[str, str] = {}
    for word in words:
        for candidate in (word, stem(word)):
            # Typos keep the first letter and the length; short words need a closer match.
            cutoff = 84 if len(candidate) >= 6 else 88
            pool = [
                v for v in vocabulary if v[0] == candidate[0] and abs(len(v) - len(candidate)) <= 2
            ]
            found = process.extract(
                candidate, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8
            )
            if found:
                # Among near-equal matches prefer the common word: pages list typos in their
                # questions ("sesion"), and a typo must not win over the word it misspells.
                top = found[0][1]
                close = [f for f in found if f[1] >= top - 8]
                fixed[word] = max(close, key=lambda f: (frequency(f[0]), f[1]))[0]
                break
    return fixed


# ---------------------------------------------------------------- building


def page_fields(page: Any) -> list[tuple[str, str]]:
    """(field, text) pairs of a page, in the order they are indexed."""
    fields: list[tuple[str, str]] = [("title", page.title)]
    fields += [("question", q) for q in page.questions]
    for block in page.blocks:
        kind = block[0]
        if kind == "h":
            fields.append(("heading", block[2]))
        elif kind == "p":
            fields.append(("body", block[1]))
        elif kind in ("ul", "ol"):
            fields += [("body", item) for item in block[1]]
        elif kind == "code":
            fields.append(("code", block[2]))
    return fields


def build_data(
    pages: list[Any],
    lang: str,
    synonyms: Synonyms,
    strings: dict[str, str],
    other_programs: list[str] | None = None,
    vocabulary: dict[str, list[str]] | None = None,
    not_tmux: tuple[list[str], list[str]] | None = None,
    scopes: list[str] | None = None,
) -> dict[str, Any]:
    """Everything a query needs, as plain data for marshal."""
    ids = [p.id for p in pages]
    postings: dict[str, dict[int, float]] = {}
    doclen: list[float] = []
    qsets: list[list[tuple[str, ...]]] = []
    topics: dict[str, dict[str, Any]] = {}
    for d, page in enumerate(pages):
        weights: dict[str, float] = {}
        for field, text in page_fields(page):
            fw = FIELD_WEIGHTS[field]
            for tok in tokenize(text, synonyms):
                weights[tok] = weights.get(tok, 0.0) + fw
        for tok, w in weights.items():
            postings.setdefault(tok, {})[d] = w
        doclen.append(sum(weights.values()))
        qsets.append(
            [tuple(sorted(set(tokenize(q, synonyms)))) for q in [page.title, *page.questions]]
        )
        front = page.front
        topics[page.id] = {
            "title": page.title,
            "questions": page.questions,
            "tags": [str(t) for t in front.get("tags", [])],
            "related": [str(t) for t in front.get("related", [])],
            "probes": [str(t) for t in front.get("probes", [])],
            "needs": {str(k): str(v) for k, v in dict(front.get("needs", {})).items()},
            "older": str(front.get("older", "")),
            # the page's text as marshal bytes inside the cache: loading 140 pages' blocks as
            # objects on every start cost half of the index load; a bytes value costs a copy
            "blocks": marshal.dumps(page.blocks),
        }
    # tmux's own vocabulary: the synonym groups, "tmux", and every word of the pages' code
    domain = {"tmux"} | {t for t in postings if t.startswith("~") and t not in INTENT_GROUPS}
    for page in pages:
        for field, text in page_fields(page):
            if field == "code":  # tmux's hyphenated names; not a socket called "scratch"
                domain.update(t for t in tokenize(text) if t.isascii() and "-" in t)
    errors: dict[str, str] = {}
    for page in pages:
        for message in page.front.get("errors", []) or []:
            if isinstance(message, str) and message.strip():
                errors[fold(message).strip()] = page.id
    from array import array

    packed = {  # see Index.postings: weights first (4-byte aligned), then page numbers
        tok: array("I", [round(w * 1000) for w in docs.values()]).tobytes()
        + array("H", list(docs)).tobytes()
        for tok, docs in postings.items()
    }
    return {
        "format": INDEX_FORMAT,
        "lang": lang,
        "ids": ids,
        "topics": topics,
        "postings": packed,
        "doclen": doclen,
        "avgdl": (sum(doclen) / len(doclen)) if doclen else 1.0,
        "qsets": [marshal.dumps(q) for q in qsets],
        "strings": strings,
        "synonyms": synonyms.to_data(),
        "other_programs": sorted({fold(p) for p in other_programs or []}),
        "scopes": sorted({t for w in scopes or [] for t in tokenize(w, synonyms)}),
        "domain": sorted(domain),
        "errors": errors,
        "vocabulary": {
            name: tuple(sorted(part) for part in _words_and_phrases(terms))
            for name, terms in (vocabulary or {}).items()
        },
        "not_tmux": tuple(tuple(fold(w) for w in side) for side in (not_tmux or ([], []))),
        # tokens as a question yields them: stemmed words, Japanese bigrams ("数時間": 数時, 時間)
        "story": sorted({t for w in (vocabulary or {}).get("story", []) for t in tokenize(w)}),
    }


def _words_and_phrases(terms: list[str]) -> tuple[set[str], set[str]]:
    """Single Latin words and synonym groups ("~pane"), matched as tokens; phrases (with a
    space or a sign, or Japanese), matched in the folded text."""
    words: set[str] = set()
    phrases: set[str] = set()
    for term in terms:
        f = fold(term).strip()
        if f.startswith("~"):
            words.add(f)
        elif f and (
            " " in f or not f.isascii() or not f.replace("-", "").replace("_", "").isalnum()
        ):
            phrases.add(f)
        elif f:
            words.update((f, stem(f)))  # tokens are stemmed: "emacs" is searched as "emac"
    return words, phrases


# ---------------------------------------------------------------- cache


# Folders of the knowledge base the index never reads (kb claims and explain do): walking and
# stat'ing their files on every start cost a third of the fingerprint.
NOT_INDEXED = ("claims", "glossary")


def source_files(knowledge_root: str, locales_root: str) -> list[str]:
    files: list[str] = []
    for root in (knowledge_root, locales_root):
        for base, dirs, names in os.walk(root):
            if base == knowledge_root:
                dirs[:] = [d for d in dirs if d not in NOT_INDEXED]
            files += [os.path.join(base, n) for n in names if n.endswith((".md", ".toml"))]
    return sorted(files)


def stat_key(files: list[str]) -> str:
    """A cheap fingerprint of the sources: names, sizes and modification times.

    zlib's checksums, not hashlib: this runs on every start and hashlib's import alone costs
    more than the whole fingerprint. Collisions only cost a rebuild.
    """
    from zlib import adler32, crc32

    parts = [f"{INDEX_FORMAT}|{__version__}|{sys.version_info[:2]}"]
    for f in files:
        try:
            st = os.stat(f)
        except OSError:
            continue
        parts.append(f"{f}|{st.st_size}|{st.st_mtime_ns}")
    raw = "\n".join(parts).encode("utf-8", "replace")
    return f"{crc32(raw):08x}{adler32(raw):08x}"


def content_hash(files: list[str]) -> str:
    import hashlib

    h = hashlib.sha256(usedforsecurity=False)
    for f in files:
        h.update(os.path.basename(f).encode("utf-8", "replace"))
        try:
            with open(f, "rb") as fh:
                h.update(fh.read())
        except OSError:
            h.update(b"<unreadable>")
    return h.hexdigest()[:20]


def cache_path(cache_dir: str, lang: str, key: str) -> str:
    return os.path.join(cache_dir, f"index-{lang}-{key}.marshal")


CACHE_LIMIT = 256 << 20  # far above any real index; a bigger file is not ours


def read_cache(path: str) -> dict[str, Any] | None:
    """The cache's data, or None. A symlink, FIFO or device planted at the path is not
    followed or waited on (O_NOFOLLOW, O_NONBLOCK, a regular-file check), a huge file not read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > CACHE_LIMIT:
                return None
            os.set_blocking(fd, True)
            with os.fdopen(fd, "rb", closefd=False) as f:
                raw = f.read()
        finally:
            os.close(fd)
        data = marshal.loads(raw)  # marshal.load(f) reads in small pieces: 5x slower
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
        return None
    return data


def write_cache(path: str, data: dict[str, Any]) -> bool:
    """Write atomically (temp file + rename) so that two popups never read half a file.

    The temp file is created new (O_EXCL, a random name, never following a symlink planted
    there); temp files a killed writer left behind are removed.
    """
    from tmux_sensei.safefile import remove_stale_temps, write_atomic

    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        write_atomic(path, marshal.dumps(data))
    except (OSError, ValueError):
        return False
    _remove_stale(directory, os.path.basename(path))
    remove_stale_temps(directory, "index-")
    return True


def _remove_stale(directory: str, keep: str) -> None:
    lang_prefix = keep.rsplit("-", 1)[0] + "-"
    try:
        for name in os.listdir(directory):
            if name.startswith(lang_prefix) and name != keep and name.endswith(".marshal"):
                os.unlink(os.path.join(directory, name))
    except OSError:
        pass
