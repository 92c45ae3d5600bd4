"""Scoring from the duty ledger: point rules (量化积分), points, the vanguard index (先锋指数),
star ratings, assessment with veto items, the annual member file and dashboards per scope."""
