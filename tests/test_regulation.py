"""Bufdir's regulation is written once: the demo configurations count by it, and each copy is the caller's own."""

from __future__ import annotations

from exports import regulation
from exports.config.validation import compile_document
from exports.demo.configs import hlf_config, nhf_config


def test_both_demo_configurations_count_by_the_regulation_first():
    for config in (nhf_config(), hlf_config()):
        ids = [rule["id"] for rule in config["counting_rules"]]
        assert ids[: len(regulation.REGULATION_RULES)] == [rule["id"] for rule in regulation.REGULATION_RULES]
        compile_document(config)  # the regulation's rules are valid expressions of the configuration language


def test_the_rules_carry_the_regulations_numbers():
    rules = {rule["id"]: rule for rule in regulation.REGULATION_RULES}
    assert f"{regulation.GROUP_MIN_MINUTES} <= duration_minutes" in rules["gruppe_varighet"]["require"]
    assert f">= {regulation.GROUP_MIN_PARTICIPANTS}" in rules["gruppe_deltakere"]["require"]
    assert f"{regulation.COURSE_DAY_MIN_MINUTES} <= duration_minutes" in rules["kurs_varighet"]["require"]
    assert regulation.COURSE_DAY_MIN_MINUTES == 2 * regulation.GROUP_MIN_MINUTES == 90
    assert f"'{regulation.COUNTING_COUNTRY}'" in rules["i_norge"]["require"]


def test_a_configuration_gets_its_own_copy_of_the_rules():
    copy = regulation.regulation_rules()
    copy[0]["reason"] = "endret"
    assert regulation.REGULATION_RULES[0]["reason"] == "Mangler likeperson"
    assert nhf_config()["counting_rules"][0]["reason"] == "Mangler likeperson"


def test_category_names_are_norwegian_and_unknown_codes_stay_as_they_are():
    assert regulation.category_label("kurs") == "Likepersonskurs"
    assert regulation.category_label("bowling") == "bowling"
    assert set(regulation.COUNTING_CATEGORIES) | set(regulation.REPORTED_SEPARATELY) == set(regulation.CATEGORIES)
