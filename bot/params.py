"""The tunables of searching and answering, each with the reason for its value.

They are measured on the eval sets (``congress-bot eval tests/eval/real.jsonl`` and ``qa.jsonl``, see README
"Quality"); change one only with those figures before and after.  :class:`~bot.engine.Engine` takes both
(``Engine(settings, search=..., answer=...)``) and passes them down, so an experiment needs no module patching::

    Engine(settings, answer=dataclasses.replace(DEFAULT_ANSWER, min_cosine=0.82))
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchParams:
    """Hybrid search (FTS5 BM25 + FAISS, fused with reciprocal rank fusion) and how many hits answering reads."""

    # RRF's k: the usual 60 (Cormack et al.); it flattens the difference between neighbouring ranks.
    rrf_k: int = 60
    # Candidates each of the lexical and the dense list contributes to the fusion.
    candidates: int = 40
    # BM25 weights of the FTS5 columns (title, body, title_f, body_f, extra): a title word counts double,
    # the expansions of abbreviations a passage uses count half (they are not its own words).
    bm25_weights: tuple[float, ...] = (2.0, 1.0, 2.0, 1.0, 0.5)
    # Postings one lexical query may read (see query.fts_match); small corpora never reach it...
    lexical_postings_budget: int = 20_000
    # ...on a large index the budget grows to this fraction of its passages (n // divisor).
    lexical_postings_corpus_divisor: int = 10
    # The rarest terms kept whatever the budget: a query of fewer words finds too little.
    lexical_min_terms: int = 3
    # Boosts, in ranks at the top of one list (boost = ranks / (rrf_k + 1)):
    # a passage citing the document number the question names,
    ref_boost_ranks: float = 2.0
    # a passage of the very document the question names by number (above passages that cite it),
    named_doc_boost_ranks: float = 3.0
    # A question naming several documents searches each of them for this many passages too.
    named_doc_candidates: int = 5
    # A passage citing the question's number with the question's year ("Chỉ thị 35 năm 2019") is about that
    # very document: its citation boost counts this many times.
    same_year_ref_factor: float = 2.0
    # the question's words in the document's title (times their IDF-weighted share),
    title_boost_ranks: float = 0.5
    # the place the question names in the passage.
    place_boost_ranks: float = 0.5
    # Word sets of this many passages are kept between questions (about 1 KB each), and so are the document
    # numbers they cite: the passages that questions keep meeting are not re-tokenised; past it each cache
    # starts over.
    token_cache_passages: int = 50_000
    # Rows of this many passages (their text and their document's details, about 2 KB each) are kept between
    # questions: a search loads some 70 candidates, and reading them from SQLite was a fifth of the time an
    # ask spends besides embedding the question.  Past it the cache starts over.
    row_cache_passages: int = 5_000
    # Hits one search returns: every filter after it (places, terms, answering) reads only these.
    search_hits: int = 30
    # Diacritic restoration asks how often a phrase occurs; counting stops here (enough to compare readings)...
    phrase_count_cap: int = 50
    # ...and the counts are cached up to this many phrases per index version.
    phrase_cache_size: int = 50_000

    def boost(self, ranks: float) -> float:
        """A boost of ``ranks`` ranks at the top of one list, in RRF score."""
        return ranks / (self.rrf_k + 1)


@dataclass(frozen=True)
class AnswerParams:
    """Relevance gate, sentence and clause scoring, and how much an answer shows."""

    # -- relevance gate (measured on tests/eval/qa.jsonl) --
    # Share of the question's IDF-weighted words the best passage must hold...
    min_coverage: float = 0.5
    # ...and the cosine the embedding model must give it (both must agree)...
    min_cosine: float = 0.80
    # ...unless it is this close: a paraphrase then needs less word overlap...
    strong_cosine: float = 0.88
    # ...only this share of min_coverage.
    strong_cosine_coverage_share: float = 0.6
    # A long question (past gate_reference_words) is asked a smaller share of its words in the best
    # passage: gate_scale to this power.  The case an officer tells before asking ("Bố em nghỉ hưu rồi
    # nhưng vẫn ký hợp đồng…") spreads the words, and the clause gates below still judge the answer.  On
    # the 659 development questions, against no scaling: 0.5 gains 4 facts, 0.75 gains 5, and 1 gains 6
    # but answers 2 traps.
    relevance_scale_power: float = 0.75
    # The best sentence of a sentence answer must hold this share of the question's words.
    min_sentence_coverage: float = 0.15
    # A quoted clause, with its headings, must hold this share of the question's (IDF-weighted) words...
    min_clause_coverage: float = 0.5
    # ...and one of its lines (with the headings) this share: a clause that only holds the question's
    # words scattered over unrelated items is a neighbouring clause, not the answer.  (0.55 before an answer
    # had to name the body its question asks about: the traps 0.5 let through then are refused by that now;
    # on the 498 development questions 0.5 gains 3 facts and loses none, 0.45 loses 2 traps.)
    min_line_coverage: float = 0.5
    # Both shares are asked of a question of up to this many topic words (a sentence's worth).  A question
    # that tells the officer's case in twenty ("con trai tôi vừa tốt nghiệp…, chưa xin được việc…") cannot
    # be held by one clause the way a six-word question can: past this, the shares fall in proportion.
    gate_reference_words: int = 10
    # A refusal lists this many of the nearest documents' titles.
    nearest_titles: int = 3

    # -- the meaning check of answers from official documents --
    # An answer quoting a passage the model finds at least this close to the question stands...
    meaning_check_below: float = 0.88
    # ...else the text shown (at most meaning_check_chars of it) is embedded and must be this close.  The
    # words-based gates above let through a neighbouring clause that shares the question's words but not
    # its meaning ("thời hạn đình chỉ tối đa" answered with the deadline to move one's Party membership).
    # On the 839 development questions (0.88 / 0.875): 6 of the 32 traps answered are refused, 4 wrong
    # answers become refusals, and no right answer is lost; about 1 answer in 11 is embedded a second time.
    min_meaning_cosine: float = 0.875
    meaning_check_chars: int = 1500

    # -- which passages are read --
    # Hits answering reads (of the search's search_hits; the place filter keeps this many too)...
    answer_hits: int = 8
    # ...and for a comparison across units, where several documents must be heard.
    compare_hits: int = 20
    # A passage is read when it holds this share of min_coverage (a quarter of the question's words).
    pool_coverage_share: float = 0.5
    # Passages read for a sentence answer...
    max_passages: int = 4
    # ...each scoring at least this share of the best passage's fused score.
    pool_score_share: float = 0.6
    # A comparison reads up to this many passages (of compare_hits)...
    compare_passages: int = 6
    # ...at most this many from one document, so every unit is heard.
    compare_passages_per_doc: int = 2
    # "How many" questions read this many hits for other documents' figures of the same count.
    count_hits: int = 8
    # Passages read for clause answers (clauses are scored whole, so more than for sentences).
    clause_hits: int = 8

    # -- sentence scoring --
    # How much the question's word pairs found in the sentence add (word order matters in Vietnamese).
    phrase_weight: float = 0.5
    # How much the full forms of the question's abbreviations found in the sentence add.
    expansion_weight: float = 0.3
    # How much the passage's retrieval rank (its score over the best) adds.
    prior_weight: float = 0.3
    # A sentence holding the kind of answer asked for gets a little ahead: a number,
    count_bonus: float = 0.15
    # a date,
    date_bonus: float = 0.15
    # a person's name.
    name_bonus: float = 0.1
    # A sentence of fewer words than this says too little on its own...
    short_sentence_words: int = 5
    # ...and loses this much.
    short_sentence_penalty: float = 0.1
    # A sentence saying the opposite of the question's case ("chưa có tổ chức đảng" to "có tổ chức đảng")
    # loses this much: its words match, its case does not.
    negation_penalty: float = 0.3
    # A sentence whose bounds admit the amount the question tells ("dưới 80 tuổi" to "năm nay 78 tuổi") gains
    # this much; one whose bounds on that amount all exclude it ("từ 80 tuổi trở lên") loses it: the rule for
    # another case (bot/cases.py).  0.15 / 0.3 / 0.5 (clause weight 0.1 / 0.1 / 0.2): +1 / +2 / +3 −2.
    case_fit_weight: float = 0.3
    # How much a document's rank adds to a sentence's or clause's score: enough to put the rule before a
    # news item quoting it when both match about equally, not enough to answer from an unrelated clause...
    authority_weight: float = 0.15
    # ...out of the highest rank (the Điều lệ).
    max_authority: int = 6
    # A replaced or expired document still answers, marked, but the text in force comes first when it answers too.
    out_of_force_penalty: float = 0.2
    # A form to fill in (a "maket", a blank certificate: "ĐẢNG ỦY….", "ngày… tháng… năm…") holds the
    # question's words without saying anything about them: it loses this much, unless a form is asked for.
    blank_form_penalty: float = 0.5

    # -- choosing sentences --
    # Sentences holding the kind of answer asked for come first when the best of them scores this share of the best.
    typed_share: float = 0.4
    # An answer shows at most this many sentences...
    max_sentences: int = 3
    # ...each scoring at least this share of the best...
    sentence_share: float = 0.7
    # ...at most this many from one document.
    sentences_per_doc: int = 2
    # A comparison first takes one sentence from each document scoring this share of the best.
    compare_share: float = 0.4
    # A different figure from another document is added when its sentence scores this share of the best...
    other_figure_share: float = 0.4
    # ...up to this many sentences beyond max_sentences.
    other_figure_sentences: int = 1

    # -- whole clauses of official documents --
    # A clause from a document of another rank is shown beside the best one when it scores this share of the best.
    related_clause_share: float = 0.8
    # A question that does not ask for a list is answered by a subsection rather than the section holding it
    # when the subsection covers the question as well and scores within this much of it: the smallest unit
    # that answers ("4.1. Thời hạn tổ chức lễ kết nạp", not all of "4. Điều 5: Về thời hạn …"). On the
    # development sets (378 questions) 0.1 and 0.2 lose nothing, 0.2 gains one fact.
    narrower_clause_margin: float = 0.2
    # A list question naming a part of the chosen section by its title ("Bản tự kiểm điểm của đảng viên dự
    # bị … nêu những nội dung gì?") is answered by that part, when its title has at least this many words
    # that are not stopwords: a shorter title ("Chi bộ") is named by many questions that ask for the whole.
    titled_part_min_words: int = 4
    # How much the question's word pairs found in the clause add.
    clause_phrase_weight: float = 0.5
    # How much the passage's retrieval rank adds.
    clause_prior_weight: float = 0.3
    # How much a clause loses per budget-length it runs over the answer budget (it will be cut)...
    clause_length_penalty: float = 0.1
    # ...counted up to this many budget-lengths.
    clause_overrun_cap: float = 3.0
    # A question word found only in a clause's headings counts this much of one found in its text.
    heading_word_share: float = 0.5
    # How much the clause's first line (its heading or lead-in) covering the question adds...
    lead_line_weight: float = 0.3
    # ...that first line being the first of more words than this.
    lead_line_min_words: int = 3
    # The refusal gate (min_line_coverage) reads the question's words in windows of this many words of a line,
    # a sentence's length, not a whole paragraph that lists five unrelated cases...
    line_window_words: int = 30
    # ...moved by this many words.
    line_window_step: int = 5
    # How much a clause's best window (the question's words close together in one line, as the gate reads
    # them) adds to its score: the clause that says what is asked, not a long one whose lines each hold a
    # few of its words. On the 558 development questions 0.55 to 0.85 all gain 4 to 6 facts net (0.7: +6 -1).
    clause_window_weight: float = 0.7
    # A section the question names by its place ("Điều 4 Điều lệ", "mục 3.2 Quy định 999") in a named document.
    place_named_bonus: float = 0.5
    # The charter's clause a section implements (or the section implementing the chosen charter clause) is
    # shown after the rule, within the second clause's budget, when its best line scores this share of the
    # chosen clause's best line: the detail that says it too, not every rule's whole implementation (on the
    # development sets: always 25 answers longer, 2 facts more; 0.65: 9 longer, 1 more; 0.8: 2, none).
    linked_clause_share: float = 0.65
    # A question naming several documents gets a clause from each, up to this many clauses in all.
    max_named_clauses: int = 3
    # ...each chosen by its score plus this much times how much of the words asked after the question names
    # that document it holds ("Điều lệ … ai đồng ý, và theo Quy định 294 thì chi bộ … do ai quyết định?").
    named_segment_weight: float = 2.0
    # A message asking several questions ("… thông báo trước mấy ngày, và sau khi bế mạc thì có mấy ngày để
    # báo cáo?") hears each: a question whose words the chosen clauses hold less than this share of gets the
    # clause holding most of them, when it holds at least this share...
    part_held_share: float = 0.6
    # ...and scores at least this share of the best clause (a clause about the question, not a stray line).
    part_score_share: float = 0.5
    # Only a question whose own words (those no other question of the message has) weigh this share of the
    # words all its questions ask is heard apart: "…, bao lâu một lần?" is asked of what the message names before.
    part_min_share: float = 0.25
    # A list split by sub-headings ("Đối với các tỉnh, …", "(2) Yêu cầu") is answered with the group whose heading
    # holds words of the question no other heading holds, weighing at least this share of the
    # question's words: "tỉnh tôi … những tiêu chí nào?" asks the provinces' criteria, not every group's.
    group_heading_share: float = 0.05
    # A list question prefers a clause that is a list, by how much of the question the list's lead-in
    # ("… trong các trường hợp sau:", or the clause's heading) holds: the list about what is asked, not a
    # list beside it (0.15 flat before: 0.708 of real.jsonl's lists complete; 0.3 × lead-in share: 0.750;
    # 0.45 to 1.0 all give real.jsonl 0.792 and real_fresh.jsonl 0.7, 0.3 gives real_fresh 0.6).
    list_lead_bonus: float = 0.6
    # a lead-in that says what a list question asks, as a statement: it holds every word pair of the question
    # without its asking words ("Đảng viên có nhiệm vụ:" for "Đảng viên có những nhiệm vụ gì?").  Only the
    # whole statement counts: a share of its pairs, weighed 0.3 or more, lost 2 to 5 answers; whole, 0.2 to
    # 1.0 give the same answers.
    stated_lead_bonus: float = 0.5
    # "Ban cán sự đảng có những nhiệm vụ gì?": a clause that never names the holder whose duties, rights or
    # responsibilities are asked ("Đảng viên có nhiệm vụ:") loses this much times the share of the holder's
    # word pairs it lacks (with its headings).  On the 1259 development questions (26 name a holder): 0.3
    # +1 −0, 0.5 and 0.8 +2 −0.
    holder_missing_penalty: float = 0.5
    # Sections of a document titled alike (a first line of at least this many words) under different parents
    # gain this much times the share of the question the words of their parents held by no other of them hold.
    # On the 1499 development questions: 1.0 and 2.0 +2 −0 (3 answers changed), 0.5 +1 −0; titles of 3 words
    # as 4.
    parallel_title_min_words: int = 4
    parallel_heading_weight: float = 1.0
    # A section headed like another of its document plus words the question does not say is a special case
    # of it and loses this much (headings of at least special_case_min_words words).
    special_case_penalty: float = 0.3
    special_case_min_words: int = 3
    # A clause with a line for the question's case (its amount within the line's bounds) gains this much; a
    # clause bounding that amount only for other cases loses it (bot/cases.py).  With case_fit_weight 0.3, on
    # the 779 development questions: 0 → +1 −0, 0.1 → +2 −0, 0.2 → +3 −2.
    case_clause_weight: float = 0.1
    # A clause with a line for the period of the year the question's date falls in ("từ ngày 01/3 đến hết
    # tháng 5" for "đủ tuổi đảng vào tháng 4") gains this much; one whose periods all exclude it loses it.
    # A date is exact where a count is not ("hơn 40 đảng viên"), so it weighs more than case_clause_weight
    # (which at 0.2 loses 2 answers).  On the 1259 development questions: 0.1 → +1 −0, 0.2 and 0.3 → +5 −0.
    period_clause_weight: float = 0.3
    # A question the chosen list's lead-in holds this much of asks for the list, list word or not
    # (real.jsonl: 0.6–0.8 all give 0.742 facts, 0.792 lists; off, 0.725 and 0.750).
    intro_asks_list: float = 0.7
    # Clause scores equal to this many decimals count as a tie (the larger clause wins).
    clause_score_digits: int = 3
    # An answer quotes a clause whole up to this many characters (a phone screen; median answer within 600
    # characters on the tuning set)...
    clause_budget_chars: int = 520
    # ...or, when the question asks for a list, up to this many: every item is wanted...
    list_budget_chars: int = 1500
    # ...and a second, related clause (the rule's detailed implementation) up to this many (320 before: 200
    # changes no fact of the 378 development questions and cuts the median answer by up to 50 characters).
    second_clause_budget_chars: int = 200
    # A list cut off where its passage ends is read on into the next passage while this much budget is left.
    min_read_on_chars: int = 120
    # A list question's best sentence that announces a list is followed by the next sentence of its paragraph
    # when that one enumerates: at least this many comma- or semicolon-separated parts.
    enumeration_min_parts: int = 4
    # A clause of one paragraph is shown whole up to this factor of its budget (past it, cut at a sentence).
    clause_overflow: float = 1.5
    # Past the budget, an item is kept when it scores at least this share of the best item.
    item_keep_share: float = 0.6
    # ...and shown past the budget, within the clause's overflow, when it scores at least this share of the best.
    # On the 1139 development questions: 0.6 gains 5 facts and loses 1 (median answer +14 characters), 0.8
    # gains 4 and loses 1 (+6), 0.9 gains 3 and loses 2 (+3).
    item_overflow_share: float = 0.8
    # Past the budget, an item holding at least this share of the question's words that no line shown holds
    # is shown too, within the clause's overflow ("… bao lâu? … chuyển đi thì xử lý sao?": an item for each).
    # On the 1019 development questions 0.02 to 0.08 all gain 6 facts and lose none (median answer +3 to +10
    # characters); 0.1 gains 2; 0.2 none.
    second_part_share: float = 0.06
    # An item holding the kind of answer asked for (the number of "bao lâu", the date of "ngày nào") gains
    # this much when a long clause's items are chosen: the item that answers is never the one left out.
    typed_line_bonus: float = 0.3


DEFAULT_SEARCH = SearchParams()
DEFAULT_ANSWER = AnswerParams()
