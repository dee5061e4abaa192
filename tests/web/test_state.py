"""The URL state of a page: read from the query, kept by every link."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from salesmetrics.errors import UserError
from salesmetrics.web.state import ViewState


def request(query: str) -> Request:
    return Request({"type": "http", "query_string": query.encode(), "headers": []})


def test_the_state_reads_back_from_its_link() -> None:
    state = ViewState.of(request("period=2025-Q4&grain=month&where=team%3DEast&lang=id"))
    assert state == ViewState("2025-Q4", "month", ("team=East",), "id")
    link = state.link("/metrics/win_rate", by="rep")
    assert link.startswith("/metrics/win_rate?period=2025-Q4&grain=month&where=team%3DEast")
    assert link.endswith("&lang=id&by=rep")
    again = ViewState.of(request(link.partition("?")[2]))
    assert again == state
    assert state.link("/", lang="en") == "/?period=2025-Q4&grain=month&where=team%3DEast"


def test_several_filters_in_one_field() -> None:
    state = ViewState.of(request("where=team%3DEMEA+SMB+1%3B+region%3DEMEA"))
    assert state.filters() == {"team": "EMEA SMB 1", "region": "EMEA"}


@pytest.mark.parametrize(
    ("query", "message"), [("lang=fr", "use en or id"), ("grain=decade", "grain='decade'")]
)
def test_bad_values_are_one_line(query: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        ViewState.of(request(query))
