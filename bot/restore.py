"""Put diacritics back on a question typed without them, from the corpus's own words.

"quy trinh nhan su co may buoc" embeds poorly: the model saw accented
Vietnamese.  Each folded syllable is replaced by its most frequent accented
form in the indexed passages, choosing between close candidates by which
adjacent pair actually occurs as a phrase.  Only the dense query uses this;
lexical matching works on folded text anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .textnorm import fold

# Question words rarely occur in documents, so the corpus cannot restore them.
QUESTION_WORDS = {
    "may": "mấy",
    "nao": "nào",
    "gi": "gì",
    "nhieu": "nhiêu",
    "khong": "không",
    "duoc": "được",
    "ai": "ai",
    "nhung": "những",
    "cua": "của",
    "la": "là",
    "co": "có",
    "dau": "đâu",
    "bao": "bao",
    "the": "thế",
}
# Asking phrases, restored whole: the corpus holds "thẻ" (thẻ đảng viên) far more often than "thế", so a
# syllable at a time "xu ly the nao" would read "xử lý thẻ nào".
QUESTION_PHRASES = {
    "the nao": "thế nào",
    "bao lau": "bao lâu",
    "bao nhieu": "bao nhiêu",
    "khi nao": "khi nào",
    "o dau": "ở đâu",
    "co duoc": "có được",
    "co phai": "có phải",
    "co can": "có cần",
    "bat buoc": "bắt buộc",
    "hay khong": "hay không",
    "duoc khong": "được không",
}


class DiacriticRestorer:
    def __init__(self, vocab: list[tuple[str, int]], phrase_count: Callable[[str], int] | None = None) -> None:
        self.candidates: dict[str, list[tuple[str, int]]] = {}
        for term, count in vocab:
            f = fold(term)
            if f != term or f.isalpha():
                self.candidates.setdefault(f, []).append((term, count))
        for forms in self.candidates.values():
            forms.sort(key=lambda x: -x[1])
        self.phrase_count = phrase_count

    def restore(self, text: str) -> str:
        tokens = re.findall(r"\w+|\W+", text)
        words = [i for i, t in enumerate(tokens) if re.match(r"\w", t)]
        out = list(tokens)
        fixed: set[int] = set()
        for n in range(len(words) - 1):
            i, j = words[n], words[n + 1]
            pair = f"{tokens[i]} {tokens[j]}"
            if pair in QUESTION_PHRASES and tokens[i + 1 : j] == [" "] and not fixed & {i, j}:
                out[i], out[j] = QUESTION_PHRASES[pair].split()
                fixed |= {i, j}
        for n, i in enumerate(words):
            token = tokens[i].lower()
            if fold(token) != token or i in fixed:  # already accented: the user's choice stands
                continue
            forms = self.candidates.get(token, [])
            options = [form for form, _ in forms[:4]]
            if token in QUESTION_WORDS and QUESTION_WORDS[token] not in options:
                options.append(QUESTION_WORDS[token])
            if not options:
                continue
            best = options[0]
            dominant = len(forms) <= 1 or forms[0][1] >= 20 * forms[1][1]
            if len(options) > 1 and self.phrase_count and not (dominant and token not in QUESTION_WORDS):
                prev = out[words[n - 1]].lower() if n > 0 else None
                following = (
                    [f for f, _ in self.candidates.get(tokens[words[n + 1]].lower(), [])[:3]]
                    if n + 1 < len(words)
                    else []
                )
                scored = []
                for form in options:
                    score = self.phrase_count(f"{prev} {form}") if prev else 0
                    score += sum(self.phrase_count(f"{form} {nxt}") for nxt in following)
                    scored.append((score, form))
                top_score, top_form = max(scored, key=lambda x: x[0])
                if top_score > 0:
                    best = top_form
                elif token in QUESTION_WORDS:
                    best = QUESTION_WORDS[token]
            out[i] = best if tokens[i].islower() else best.capitalize()
        return "".join(out)
