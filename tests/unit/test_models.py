"""The pydantic models: what a valid record is."""

import pytest
from pydantic import ValidationError

from logbook.models import CredenceChange, Hypothesis, LogbookExport, Prediction, ResearchMode


def test_credence_must_be_a_probability():
    with pytest.raises(ValidationError):
        Hypothesis(id="H1", statement="x", credence=1.5)
    with pytest.raises(ValidationError):
        CredenceChange(credence=-0.1)
    assert Prediction(id="H1.P1", hypothesis_id="H1", expression="a", credence=1.0).credence == 1.0


def test_a_hypothesis_needs_a_statement():
    with pytest.raises(ValidationError):
        Hypothesis(id="H1", statement="")


def test_modes_are_the_three_research_modes():
    assert [m.value for m in ResearchMode] == ["confirm", "red-team", "explore"]


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        Hypothesis(id="H1", statement="x", confidence=0.3)


def test_export_schema_lists_the_top_level_sections():
    properties = LogbookExport.model_json_schema()["properties"]
    for section in ("hypotheses", "brainstorms", "experiments", "surprises", "evidence", "notes"):
        assert section in properties
    surprise = LogbookExport.model_json_schema()["$defs"]["Surprise"]["properties"]
    for field in (
        "hypothesis_id",
        "prediction",
        "observed",
        "surprisal_bits",
        "experiment_id",
        "created_at",
        "manual",
    ):
        assert field in surprise
