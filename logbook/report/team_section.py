"""The report's Team section: in a team project, every author's hypotheses with their predictions, open
surprises, latest experiments and remarks."""

from __future__ import annotations

from pathlib import Path

from logbook.replies import TeamRemark, TeamView
from logbook.report.anchors import target
from logbook.report.markdown_text import md_code_span, md_text
from logbook.team.view import team_view


def _remark(r: TeamRemark) -> str:
    made = f" ({r.made})" if r.made else ""
    return f"  - {md_text(r.label)} {r.kind}: {md_text(r.text)}{md_text(made)}"


def team_lines(view: TeamView) -> list[str]:
    """The Team section as Markdown lines ([] outside a team project or with one author)."""
    if not view.team or len(view.authors) < 2:
        return []
    lines = [
        f"## {target('team')}Team",
        "",
        f"Every author's record in this project, as read when this report was written "
        f"({len(view.authors)} authors). Ids name their author; a remark is kept in its writer's logbook.",
        "",
    ]
    for author in view.authors:
        lines += [f"### {md_text(author.author)}{' (this logbook)' if author.mine else ''}", ""]
        if author.state != "ok":
            lines += [f"*{md_text(author.state_words)}*: {md_text(author.problem)}", ""]
            continue
        hypotheses = [h for h in view.hypotheses if h.author == author.author]
        surprises = [s for s in view.surprises if s.author == author.author]
        experiments = [e for e in view.experiments if e.author == author.author]
        lines.append(
            f"{author.hypotheses} hypotheses, {author.experiments} experiments, "
            f"{author.open_surprises} open surprises."
        )
        lines.append("")
        for h in hypotheses:
            answers = f" (answers {md_text(h.answers)})" if h.answers else ""
            lines.append(
                f"- **{md_text(h.label)}** {h.credence:.2f}, {h.status}: {md_text(h.statement)}{answers}"
            )
            lines += [
                f"  - {md_text(p.label)} {p.state}, {p.credence:.2f}: {md_code_span(p.expression)}"
                for p in h.predictions
            ]
            lines += [_remark(r) for r in h.remarks]
        for s in surprises:
            lines.append(f"- **{md_text(s.label)}** open: {md_text(s.what)}")
            lines += [_remark(r) for r in s.remarks]
        if experiments:
            lines += ["", f"Latest experiments ({len(experiments)} of {author.experiments}):", ""]
            for e in experiments:
                where = f" in {md_text(e.notebook)}" if e.notebook else ""
                outcome = "ok" if e.ok else "failed"
                lines.append(f"- {md_text(e.label)} {outcome}{where}: {md_code_span(e.summary)}")
        lines.append("")
    return lines


def team_section(logbook: Path) -> list[str]:
    """The Team section of the report of the logbook at ``logbook``."""
    return team_lines(team_view(logbook))
