"""The officer's case told with numbers against the cases a rule is for (bot/cases.py): model-free."""

import pytest

from bot.answer import _passage_line_scores, _topic_weights
from bot.cases import DAY_OF_YEAR, Amount, Bound, bounds_in, case_amounts, case_fit, number_value
from bot.glossary import Glossary
from bot.params import DEFAULT_ANSWER
from bot.query import analyze
from bot.retrieve import Hit
from bot.textnorm import fold


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("40", 40),
        ("1.500", 1500),
        ("2,5", 2.5),
        ("chin", 9),
        ("muoi", 10),
        ("muoi lam", 15),
        ("hai muoi", 20),
        ("hai muoi tu", 24),
        ("ba muoi mot", 31),
        ("mot tram", 100),
        ("mot tram linh nam", 105),
        ("bang", None),
    ],
)
def test_numbers_are_read_in_digits_and_in_words(written, value):
    assert number_value(written) == value


@pytest.mark.parametrize(
    ("question", "amounts"),
    [
        ("Bố tôi năm nay 78 tuổi, sức khỏe yếu", [Amount(78, "tuoi")]),
        ("Chi bộ thôn có hơn 40 đảng viên thì", [Amount(40.5, "dang vien")]),  # more than 40, never 40
        ("chi bo chi co chin dang vien", [Amount(9, "dang vien")]),  # no diacritics, in words
        ("đảng viên dự bị mới được 10 tháng", [Amount(10, "thang")]),
        ("hết hạn 30 ngày làm việc", [Amount(30, "ngay")]),
        # A date counts nothing: it tells the day of the year (a month alone, its middle).
        ("ngày 15/10 năm 2025", [Amount(1015, DAY_OF_YEAR)]),
        ("đủ tuổi đảng vào ngày 20/12/2025", [Amount(1220, DAY_OF_YEAR)]),
        ("tháng 6 năm 2025", [Amount(615, DAY_OF_YEAR)]),
        ("dự bị được 12 tháng", [Amount(12, "thang")]),
        ("một đảng viên trong chi bộ tôi", []),  # somebody, not a count
    ],
)
def test_the_amounts_a_question_tells(question, amounts):
    assert list(case_amounts(fold(question))) == amounts


def test_a_rule_tells_its_cases_by_bounds_and_a_requirement_is_not_a_case():
    assert bounds_in(fold("Trường hợp đảng viên có tuổi đời từ 80 tuổi trở lên")) == (Bound("tuoi", low=80),)
    assert bounds_in(fold("Trường hợp đảng viên có tuổi đời dưới 80 tuổi")) == (Bound("tuoi", high=80, high_in=False),)
    assert bounds_in(fold("chi bộ có từ 10 đến dưới 30 đảng viên")) == (Bound("dang vien", 10, 30, True, False),)
    assert bounds_in(fold("Quá 60 tháng kể từ ngày được cấp giấy chứng nhận")) == (Bound("thang", 60, None, False),)
    # What the case must meet, not which case the rule is for: the question may ask whether it is met.
    assert bounds_in(fold("phải còn thời gian công tác ít nhất từ 48 tháng trở lên")) == ()
    assert bounds_in(fold("người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi")) == ()
    assert bounds_in(fold("nhưng không được quá hai năm")) == ()


def test_a_line_fits_the_case_it_admits_and_not_the_others():
    aged_78 = case_amounts(fold("Bố tôi năm nay 78 tuổi"))
    assert case_fit(aged_78, fold("Trường hợp đảng viên có tuổi đời dưới 80 tuổi: tự làm đơn")) == 1
    assert case_fit(aged_78, fold("Trường hợp đảng viên có tuổi đời từ 80 tuổi trở lên: tự làm đơn")) == -1
    assert case_fit(aged_78, fold("Chi bộ có từ 30 đảng viên trở lên chia thành nhiều tổ đảng")) == 0  # other amount
    assert case_fit((), fold("dưới 80 tuổi")) == 0


def test_a_period_of_the_year_fits_the_dates_inside_it_even_over_the_new_year():
    winter = fold("+ Đợt 3/2: đảng viên có đủ tuổi đảng từ ngày 01/12 của năm trước đến hết tháng 02 trong năm.")
    spring = fold("+ Đợt 19/5: đảng viên có đủ tuổi đảng từ ngày 01/3 đến hết tháng 5 trong năm.")
    assert bounds_in(spring) == (Bound(DAY_OF_YEAR, 301, 531),)
    # A clause's folded words write "01/3" as "01 3".
    assert bounds_in(" ".join(spring.replace("/", " ").split())) == (Bound(DAY_OF_YEAR, 301, 531),)
    assert bounds_in(fold("từ ngày 01/01 đến ngày 30/6")) == (Bound(DAY_OF_YEAR, 101, 630),)
    april = case_amounts(fold("đảng viên đủ 50 năm tuổi đảng vào tháng 4 thì được trao đợt nào?"))
    december = case_amounts(fold("sẽ đủ 50 năm tuổi đảng vào ngày 20/12/2025"))
    assert (case_fit(april, spring), case_fit(april, winter)) == (1, -1)
    assert (case_fit(december, spring), case_fit(december, winter)) == (-1, 1)


def test_the_item_for_the_officers_case_scores_above_its_neighbour_for_another_case():
    text = (
        "2.1. Xem xét việc miễn sinh hoạt đảng minh họa\n"
        "- Trường hợp đảng viên có tuổi đời từ 80 tuổi trở lên: đảng viên tự làm đơn, chi bộ xem xét, quyết định.\n"
        "- Trường hợp đảng viên có tuổi đời dưới 80 tuổi: đảng viên tự làm đơn, chi bộ xem xét, quyết định.\n"
    )
    hit = Hit(1, "hd", 0, 0, len(text), text, "Hướng dẫn minh họa", None, "", "huong-dan")
    q = analyze("Bố tôi năm nay 78 tuổi xin miễn sinh hoạt đảng thì chi bộ xem xét thế nào?", Glossary({}))
    weights = _topic_weights(q, {t: 1.0 for t in q.terms})
    scores = _passage_line_scores(q, hit, weights, DEFAULT_ANSWER)
    above, below = (
        text.index("- Trường hợp đảng viên có tuổi đời từ"),
        text.index("- Trường hợp đảng viên có tuổi đời dưới"),
    )
    assert scores[below] > scores[above]
