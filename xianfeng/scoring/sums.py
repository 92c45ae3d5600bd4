"""The one way scoring sums points: ``PointsSum("points")`` instead of ``Sum("points")``.

PostgreSQL sums ``numeric`` exactly. SQLite keeps decimals as floats and sums them as floats,
which Django hands back with 15 significant digits (``12.340000000000002``): a total that is
not cents, a cap compared with it off by a hair, a leaderboard showing long decimals. On SQLite
this aggregate sums whole cents instead (``SUM(CAST(ROUND(points * 100) AS INTEGER))``: every
stored value has two decimal places, so rounding each one is exact and the integer sum is too)
and turns the cents back into a ``Decimal`` with two places."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Sum

#: Wide enough for a district's year of points.
TOTAL_FIELD_DIGITS = 18


class PointsSum(Sum):
    """``Sum`` of a column with two decimal places, exact in cents on every database. Takes
    ``filter=`` like ``Sum``; without rows it answers ``None``, as ``Sum`` does."""

    def __init__(self, expression: Any = "points", **extra: Any) -> None:
        extra.setdefault(
            "output_field", DecimalField(max_digits=TOTAL_FIELD_DIGITS, decimal_places=2)
        )
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="%(function)s(CAST(ROUND(%(distinct)s%(expressions)s * 100) AS INTEGER))",
            **extra_context,
        )

    def convert_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # Runs after the backend's own converter (a Decimal of the integer cents on SQLite).
        if value is None:
            return None
        if connection.vendor == "sqlite":
            return Decimal(int(value)).scaleb(-2)
        return Decimal(value).quantize(Decimal("0.01"))
