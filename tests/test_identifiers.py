"""The patient-identifier guard, judged by what a GP typing feedback would notice: a pasted
CHI or NHS number is always pointed out (exactly where it is), ordinary numbers in
clinical prose are left alone, and nothing identifying reaches a log line."""
import datetime
import random
import re

import pytest

from pathway_review.identifiers import (
    Field, FieldProblem, IdentifierMatch, check_fields, describe_for_log, find_identifiers,
    is_valid_chi, is_valid_nhs_number,
)

SEEDED = random.Random(20261121)


def mod11_check(nine: str):
    check = (11 - sum(int(d) * w for d, w in zip(nine, range(10, 1, -1))) % 11) % 11
    return None if check == 10 else str(check)


def luhn_check(nine: str) -> str:
    total = 0
    for i, d in enumerate(reversed(nine)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def random_dob(rng) -> str:
    day = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(200 * 365))
    return day.strftime("%d%m%y")


def make_chi(rng, scheme: str) -> str:
    while True:
        nine = random_dob(rng) + f"{rng.randrange(1000):03d}"
        check = mod11_check(nine) if scheme == "mod11" else luhn_check(nine)
        if check is not None:
            return nine + check


def make_nhs(rng) -> str:
    while True:
        nine = f"{rng.randrange(10**9):09d}"
        check = mod11_check(nine)
        if check is not None and len(set(nine + check)) > 1:
            return nine + check


def written_forms(d: str) -> list[str]:
    forms = [d]
    for sep in " -":
        forms += [sep.join((d[:3], d[3:6], d[6:])), sep.join((d[:6], d[6:])),
                  sep.join((d[:2], d[2:4], d[4:6], d[6:]))]
    return forms


CONTEXTS = [
    "{}", "CHI {}", "{} was referred twice", "Patient ({}) waited 14 weeks.", 'I pasted "{}" by mistake',
    "NHS no: {}.", "see {}, {}", "Red flags missed in {}!", "line one\n{}\nline three", "[{}]",
    "ref:{};", "{}?", "– {} –", "21/11/2026 {} seen in clinic", "Seen {} on 02/11/16",
]


def assert_caught_exactly(text: str, written: str, kind_word: str):
    matches = find_identifiers(text)
    expected_starts = [m.start() for m in re.finditer(re.escape(written), text)]
    assert [m.start for m in matches] == expected_starts, text
    for m in matches:
        assert (m.end, m.written) == (m.start + len(written), written)
        assert text[m.start:m.end] == written
        assert kind_word in m.kind


@pytest.mark.parametrize("scheme", ["mod11", "luhn"])
def test_every_generated_chi_is_caught_in_every_format_and_context(scheme):
    rng = random.Random(f"chi-{scheme}")
    checked = 0
    for _ in range(150):
        chi = make_chi(rng, scheme)
        assert is_valid_chi(chi)
        for written in written_forms(chi):
            for context in CONTEXTS:
                assert_caught_exactly(context.replace("{}", written), written, "CHI")
                checked += 1
    assert checked == 150 * 7 * len(CONTEXTS)


def test_every_generated_nhs_number_is_caught_in_every_format_and_context():
    rng = random.Random("nhs")
    for _ in range(150):
        nhs = make_nhs(rng)
        assert is_valid_nhs_number(nhs)
        for written in written_forms(nhs):
            for context in CONTEXTS:
                assert_caught_exactly(context.replace("{}", written), written, "NHS")


def test_known_nhs_number_is_caught_and_wrong_check_digit_is_not():
    [m] = find_identifiers("Referred under 943 476 5919 last week")
    assert (m.kind, m.start, m.end, m.written) == ("NHS number", 15, 27, "943 476 5919")
    assert find_identifiers("Referred under 943 476 5918 last week") == []
    assert is_valid_nhs_number("9434765919") and not is_valid_nhs_number("9434765918")


def test_classic_chi_from_the_domain_example_is_reported_as_chi_or_nhs():
    # Every modulus-11 CHI is also a valid NHS number, so the person is told it could be either.
    [m] = find_identifiers("CHI 021116 5794")
    assert (m.kind, m.written, m.start, m.end) == ("CHI or NHS number", "021116 5794", 4, 15)


@pytest.mark.parametrize("bad_dob", ["320116", "021316", "000116", "290201", "310416"])
def test_impossible_birth_dates_are_never_called_a_chi(bad_dob):
    nine = bad_dob + "579"
    by_mod11 = nine + mod11_check(nine) if mod11_check(nine) else None
    by_luhn = nine + luhn_check(nine)
    if by_mod11:
        assert not is_valid_chi(by_mod11)
        assert [m.kind for m in find_identifiers(f"x {by_mod11} y")] == ["NHS number"]
    if by_luhn != by_mod11:
        assert not is_valid_chi(by_luhn)
        assert find_identifiers(f"x {by_luhn} y") == []


@pytest.mark.parametrize("dob,ok", [("290200", True), ("290296", True), ("290204", True),
                                    ("290201", False), ("290297", False), ("311299", True)])
def test_29_february_counts_if_either_century_was_a_leap_year(dob, ok):
    nine = dob + "123"
    assert is_valid_chi(nine + luhn_check(nine)) is ok


def test_a_prefix_whose_modulus_11_check_would_be_10_has_no_valid_nhs_number():
    rng = random.Random("ten")
    nine = next(p for p in (random_dob(rng) + f"{rng.randrange(1000):03d}" for _ in range(10**4))
                if mod11_check(p) is None)
    assert [d for d in "0123456789" if is_valid_nhs_number(nine + d)] == []
    assert [d for d in "0123456789" if is_valid_chi(nine + d)] == [luhn_check(nine)]


def test_malformed_inputs_are_not_valid():
    for bad in ["", "021116579", "02111657944", "021116 5794", "０２１１１６５７９４", "abcdefghij"]:
        assert not is_valid_chi(bad) and not is_valid_nhs_number(bad)
    assert not is_valid_nhs_number("1111111111")  # passes modulus 11, but is a placeholder


ORDINARY_TEXT = (
    "Seen on 21/11/2026 (or 2026-11-21) at 14:30 and 09:05:00. Call 0131 234 5678, 01224 555123, "
    "07700 900123, 0131-234-5678, 01312345678 or +44 131 496 0000 / +44 943 476 5919 / +449434765919. "
    "Practice code 70234 and A81001. Costs £1,234.56 and £12,000; 1.5 mg, 2.0 mg. Version 2.0 (v3.1.4). "
    "Reference 123456789012 and 12 0211165794 and 0211165794 34 and 2.0211165794 and 0211165794.5. "
    "Codes ABC0211165794 and 0211165794xyz and 9434765919_1. Up 9 to 10 appointments, 40 pathways."
)


def test_ordinary_numbers_in_clinical_prose_are_not_flagged():
    assert find_identifiers(ORDINARY_TEXT) == []


def test_a_number_next_to_a_date_is_still_caught():
    text = "Seen 21/11/2026 0211165794. DOB 02/11/16"
    assert [m.written for m in find_identifiers(text)] == ["0211165794"]


def test_about_one_in_five_date_prefixed_strings_trigger_a_warning():
    rng = random.Random(7)
    trials = 4000
    caught = sum(bool(find_identifiers(random_dob(rng) + f"{rng.randrange(10**4):04d}"))
                 for _ in range(trials))
    assert 0.05 < caught / trials < 0.35


def test_full_width_digits_and_no_break_spaces_are_caught_at_original_offsets():
    # "ﬁ" and "½" change length under NFKC; offsets must still point into what was typed.
    text = "½ dose ﬁrst: ０２１１１６ ５７９４ and 943\u00a0476\u00a05919."
    first, second = find_identifiers(text)
    assert first.written == "０２１１１６ ５７９４" and text[first.start:first.end] == first.written
    assert second.written == "943\u00a0476\u00a05919" and text[second.start:second.end] == second.written
    assert first.masked == "****** ****" and second.masked == "*** *** ****"


def test_matches_are_in_text_order_without_overlap():
    rng = random.Random("order")
    numbers = [make_chi(rng, "mod11"), make_nhs(rng), make_chi(rng, "luhn")]
    text = "; ".join(f"item {n[:3]} {n[3:6]} {n[6:]}" for n in numbers)
    matches = find_identifiers(text)
    assert [m.written.replace(" ", "") for m in matches] == numbers
    assert all(a.end <= b.start for a, b in zip(matches, matches[1:]))


def test_masked_keeps_shape_but_no_digits():
    for written in ["0211165794", "021 116 5794", "021116-5794", "02 11 16 5794"]:
        [m] = find_identifiers(written)
        assert not re.search(r"\d", m.masked)
        assert len(m.masked) == len(written) and m.masked.replace("*", "0") == re.sub(r"\d", "0", written)
        assert written not in repr(m) and "5794" not in repr(m)


def test_message_names_the_field_quotes_the_number_and_reassures():
    [problem] = check_fields(Field(name="comment", label="Comment", text="CHI 021116 5794 was in the letter"))
    assert problem.message == (
        'Comment contains what looks like a CHI or NHS number ("021116 5794"). Remove patient '
        "identifiers before you submit: what you write here is about services and pathways, not a patient. "
        "Nothing you typed has been lost.")


def test_message_quotes_three_and_counts_the_rest():
    rng = random.Random("many")
    numbers = [make_nhs(rng) for _ in range(5)]
    [problem] = check_fields(Field(name="other", label="Other comments", text=", ".join(numbers)))
    message = problem.message
    assert message.startswith("Other comments contains what look like ")
    assert all(f'"{n}"' in message for n in numbers[:3]) and numbers[3] not in message
    assert "and 2 more" in message


def test_message_says_where_in_a_long_answer():
    text = "The red flag section is clear. " * 5 + "Pt seen 0211165794 needed CT first."
    [problem] = check_fields(Field(name="comment", label="Comment", text=text))
    assert """"0211165794" near '…Pt seen'""" in problem.message
    [at_start] = check_fields(Field(name="c", label="Comment", text="0211165794 " + "x" * 200))
    assert '"0211165794" at the very start' in at_start.message


def test_check_fields_reports_only_fields_with_numbers_in_the_given_order():
    problems = check_fields(
        Field(name="summary", label="Summary", text="Clear pathway, deliverable in primary care."),
        Field(name="answers.other", label="Other tests", text="FIT test 943 476 5919"),
        Field(name="comment", label="Comment", text="CHI 0211165794 and 021116 5794"),
        Field(name="empty", label="Empty", text=""),
    )
    assert [(p.field, p.label, len(p.matches)) for p in problems] == [
        ("answers.other", "Other tests", 1), ("comment", "Comment", 2)]
    assert all(isinstance(p, FieldProblem) for p in problems)
    assert all(isinstance(m, IdentifierMatch) for p in problems for m in p.matches)
    assert "021116" not in repr(problems) and "5919" not in repr(problems)


def test_a_field_cannot_be_written_with_label_and_text_in_the_wrong_order():
    # Positional label and text were how a swapped call once let a valid CHI number through unseen.
    with pytest.raises(TypeError):
        Field("comment", "CHI 021116 5794 was in the letter", "Comment")
    with pytest.raises(TypeError, match="Field"):
        check_fields({"comment": ("CHI 021116 5794 was in the letter", "Comment")})
    with pytest.raises(TypeError, match="text must be a string"):
        Field(name="comment", label="Comment", text=("Comment", "0211165794"))
    assert "0211165794" not in repr(Field(name="comment", label="Comment", text="0211165794"))


def test_log_line_has_counts_and_field_names_but_no_identifier_digits():
    problems = check_fields(
        Field(name="comment", label="Comment", text="CHI 021116 5794 and 943 476 5919"),
        Field(name="answers.other", label="Other", text="0211165794"),
    )
    line = describe_for_log(problems)
    assert line == "identifier guard: 3 matches in fields comment, answers.other"
    assert re.findall(r"\d+", line) == ["3"]
    assert describe_for_log(problems[1:]) == "identifier guard: 1 match in field answers.other"
    assert describe_for_log([]) == "identifier guard: no matches"
