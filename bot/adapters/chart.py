"""The weekly digest's chart as PNG bytes (matplotlib, Agg backend: no display, nothing opened)."""

from __future__ import annotations

import io

from bot.core.digest import Digest

MAX_BARS = 25  # more municipalities than this do not fit one readable chart; the largest gaps are shown


def render_digest_chart(digest: Digest) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    rows = sorted(digest.chart, key=lambda c: (c.legal_task or 0) - (c.realised or 0), reverse=True)[:MAX_BARS]
    rows.reverse()  # largest gap at the top
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, max(4.0, 0.32 * len(rows) + 1.8)),
                                      gridspec_kw={"width_ratios": [3, 1]})
    if rows:
        names = [f"{c.municipality} (trede {c.step})" for c in rows]
        y = range(len(rows))
        left.barh(y, [c.legal_task or 0 for c in rows], color="#d0d4da", label="wettelijke taak")
        left.barh(y, [c.realised or 0 for c in rows], height=0.5, color="#154273", label="gerealiseerd")
        left.set_yticks(list(y), names, fontsize=8)
        left.set_xlabel("opvangplekken")
        left.legend(loc="lower right", fontsize=8)
    else:
        left.text(0.5, 0.5, "geen gemeenten op trede 2 of hoger\nmet een bekende wettelijke taak",
                  ha="center", va="center", fontsize=10, transform=left.transAxes)
        left.set_axis_off()
    left.set_title("Realisatie en wettelijke taak (trede 2 en hoger)", fontsize=10)
    steps = list(range(1, 7))
    counts = [digest.per_step.get(n, 0) for n in steps]
    right.bar([str(n) for n in steps], counts, color=["#8fcae7", "#39870c", "#ffb612", "#e17000", "#d52b1e", "#42145f"])
    right.set_title("Dossiers per trede", fontsize=10)
    right.set_xlabel("trede")
    for n, c in zip(steps, counts, strict=True):
        if c:
            right.annotate(str(c), (n - 1, c), ha="center", va="bottom", fontsize=8)
    fig.suptitle(f"Toezicht Spreidingswet — week {digest.week}", fontsize=12)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()
