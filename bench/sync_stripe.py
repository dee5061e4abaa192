"""A full Stripe sync of N customers, N subscriptions and N one-line invoices, replayed by a
loopback server in pages of 100, then an incremental sync with nothing new.

``python -m bench.sync_stripe [--records 10000]`` prints the seconds and requests of each. Not
part of ``make bench`` (no quality bar names it): it shows what a sync costs besides the
vendor's own answer times, which a loopback server leaves out.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from salesmetrics.workspace import init_workspace

START = 1704067200  # 2024-01-01


def records(n: int) -> dict[str, list[dict[str, Any]]]:
    """N customers, subscriptions and invoices shaped like Stripe's."""
    monthly = {"interval": "month", "interval_count": 1}
    return {
        "/v1/customers": [
            {"id": f"cus_{i:07d}", "object": "customer", "created": START + i, "name": f"C{i}"}
            for i in range(n)
        ],
        "/v1/subscriptions": [
            {
                "id": f"sub_{i:07d}",
                "object": "subscription",
                "customer": f"cus_{i:07d}",
                "status": "active",
                "currency": "usd",
                "start_date": START + i,
                "discounts": [],
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": f"si_{i:07d}",
                            "quantity": 1 + i % 5,
                            "price": {
                                "id": "p",
                                "currency": "usd",
                                "recurring": monthly,
                                "unit_amount": 5000,
                            },
                        }
                    ],
                },
            }
            for i in range(n)
        ],
        "/v1/invoices": [
            {
                "id": f"in_{i:07d}",
                "object": "invoice",
                "customer": f"cus_{i:07d}",
                "currency": "usd",
                "status": "paid",
                "created": START + i,
                "lines": {
                    "object": "list",
                    "has_more": False,
                    "data": [
                        {
                            "id": f"il_{i:07d}",
                            "amount": 5000,
                            "currency": "usd",
                            "period": {"start": START, "end": START + 31 * 86400},
                        }
                    ],
                },
            }
            for i in range(n)
        ],
    }


def main() -> None:
    """Time the two syncs and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()
    lists = records(args.records)
    positions = {path: {x["id"]: i for i, x in enumerate(xs)} for path, xs in lists.items()}

    def answer(request: Request) -> Response:
        if request.path == "/v1/events":
            data = [] if "created[gte]" in request.args else [{"id": "evt_1", "created": START}]
            page: dict[str, Any] = {"object": "list", "data": data, "has_more": False}
        else:
            items, after = lists[request.path], request.args.get("starting_after")
            first = 0 if after is None else positions[request.path][after] + 1
            data = items[first : first + int(request.args["limit"])]
            page = {"object": "list", "data": data, "has_more": first + len(data) < len(items)}
        return Response(json.dumps(page), content_type="application/json")

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = HTTPServer()
    server.expect_request("").respond_with_handler(answer)
    server.start()
    os.environ["BENCH_STRIPE_TOKEN"] = "sk_test_bench"
    url = server.url_for("/").rstrip("/")
    try:
        with init_workspace(tempfile.mkdtemp() + "/ws") as ws:
            for kind in ("full", "incremental"):
                clock = time.perf_counter()
                result = ws.sync("stripe", token_env="BENCH_STRIPE_TOKEN", base_url=url)
                seconds = time.perf_counter() - clock
                print(
                    f"{kind} sync of {args.records:,} records each: {seconds:.2f} s,"
                    f" {result.requests} requests, {result.rows_loaded:,} rows loaded"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
