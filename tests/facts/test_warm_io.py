"""A warm reader reads no files: every vocabulary, scope list and place table is loaded once
(cached) and a repeated question touches only memory. A loader that lost its cache re-read a
vocabulary file for each place mention (+0.9 ms a question on average, round 19)."""

from __future__ import annotations

import builtins
import datetime as dt
import pathlib

import pytest

from advisor.facts import extract_facts

QUESTIONS = (
    "Our client, a retailer in Lyon, wants Azure AI Face at the entrance;"
    " the processing would be in the US.",
    "Die Polizei in Echt (Limburg) will Aufnahmen vom Vortag mit Azure OpenAI auswerten.",
    "La Policía Local de Mora (Toledo) quiere cámaras fijas en la plaza para las fiestas.",
    "Il cliente è a Lugano, ma l'impianto sarebbe nel loro outlet a Fondi (Latina).",
    "Firma kurierska z Łodzi chce, żeby Azure OpenAI oceniał kierowców przed trasą.",
    "De gemeente Utrecht wil bezoekers tellen op het Vredenburgplein.",
    "Une société de transport de Nantes veut analyser l'humeur de ses chauffeurs.",
)


def test_a_warm_question_opens_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    today = dt.date(2026, 11, 26)
    first = [extract_facts(q, today=today).model_dump() for q in QUESTIONS]

    opened: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        opened.append(str(args[:1]))
        raise AssertionError("a warm reader opened a file")

    again: list[dict[str, object]] = []
    with monkeypatch.context() as patched:
        patched.setattr(builtins, "open", refuse)
        patched.setattr(pathlib.Path, "exists", refuse)
        patched.setattr(pathlib.Path, "read_text", refuse)
        try:
            again = [extract_facts(q, today=today).model_dump() for q in QUESTIONS]
        except AssertionError:
            pass
    assert opened == []
    assert again == first
