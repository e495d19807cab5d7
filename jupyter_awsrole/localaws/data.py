"""Deterministic sample data for the seeded buckets, so demos and tests see the same numbers."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

CAMPAIGN_ROWS = 3000
CHANNELS = {  # channel: (click-through rate, conversion rate, cost per 1000 impressions)
    "search": (0.045, 0.060, 9.0),
    "social": (0.012, 0.025, 6.5),
    "display": (0.004, 0.015, 2.8),
    "email": (0.030, 0.040, 0.9),
    "video": (0.008, 0.020, 11.0),
}
REGIONS = ["NA", "EMEA", "APAC", "LATAM"]


def campaigns(rows: int = CAMPAIGN_ROWS, seed: int = 2026) -> pd.DataFrame:
    """Daily campaign performance: one row per campaign, day, channel and region."""
    rng = np.random.default_rng(seed)
    channel = rng.choice(list(CHANNELS), size=rows)
    ctr, cvr, cpm = (np.array([CHANNELS[c][i] for c in channel]) for i in range(3))
    impressions = rng.lognormal(mean=9.0, sigma=0.8, size=rows).astype(np.int64) + 100
    clicks = rng.binomial(impressions, ctr)
    frame = pd.DataFrame(
        {
            "campaign_id": [f"CMP-{n:04d}" for n in rng.integers(1, 151, size=rows)],
            "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, size=rows), unit="D"),
            "channel": channel,
            "region": rng.choice(REGIONS, size=rows, p=[0.4, 0.3, 0.2, 0.1]),
            "impressions": impressions,
            "clicks": clicks,
            "spend": np.round(impressions / 1000 * cpm * rng.uniform(0.8, 1.2, size=rows), 2),
            "conversions": rng.binomial(clicks, cvr),
        }
    )
    return frame.sort_values(["date", "campaign_id"], kind="stable").reset_index(drop=True)


def sessions(rows: int = 200, seed: int = 7) -> pd.DataFrame:
    """Web analytics sessions, small enough to eyeball."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "session_id": [f"S{n:05d}" for n in range(1, rows + 1)],
            "user_id": [f"U{n:04d}" for n in rng.integers(1, 60, size=rows)],
            "started_at": pd.Timestamp("2025-06-01")
            + pd.to_timedelta(np.sort(rng.integers(0, 30 * 86400, size=rows)), unit="s"),
            "device": rng.choice(["desktop", "mobile", "tablet"], size=rows, p=[0.5, 0.4, 0.1]),
            "pages": rng.integers(1, 15, size=rows),
            "duration_s": rng.integers(5, 1800, size=rows),
        }
    )


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes as a spreadsheet user would export them."""
    return frame.to_csv(index=False).encode()


def to_parquet(frame: pd.DataFrame) -> bytes:
    """Parquet bytes of the same frame."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
