"""处置评估: the evaluation a grade I/II incident carries when it closes (the Anhui rules: responses
must be timely, targeted and effective, and evaluated).

The figures are computed from the record — each deadline's outcome, each response's measured
effect (complete windows only) — and the officer adds what only a person can judge: whether the
responses answered the main claims, and the lessons. Closing records the figures even when nobody
filled in the rest, so no serious incident closes unevaluated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.clock import as_utc, local_iso
from yuqing.store.models import Deadline, Incident
from yuqing.vocab import (
    SERIOUS_GRADES,
    ActionKind,
    ClaimsAddressed,
    DeadlineKind,
    EvaluationStatus,
    Grade,
    Outcome,
    TimelineKind,
)

from .compliance import outcome
from .effect import incident_effect
from .errors import InvalidTransition, NotFound
from .timeline import record_event

EVALUATED_GRADES = SERIOUS_GRADES
OUTCOME_NAMES = Outcome.labels()


def _outcome(deadline: Deadline, now: datetime) -> str:
    """As the assessment counts it; a window already past is missed even before the engine's tick."""
    result = outcome(deadline)
    return Outcome.MISSED if result == Outcome.OPEN and as_utc(deadline.due_at) <= as_utc(now) else result


def figures(session: Session, incident: Incident, now: datetime) -> dict[str, Any]:
    """Timeliness per deadline and the effect of each response whose after-window has run out."""
    deadlines = session.scalars(select(Deadline).where(Deadline.incident_id == incident.id)
                                .order_by(Deadline.due_at, Deadline.id))
    timeliness = [{"deadline_id": d.id, "kind": d.kind,
                   "kind_label": DeadlineKind.label_of(d.kind, empty="回应时限"),
                   "due_at": local_iso(d.due_at), "met_at": local_iso(d.met_at), "outcome": _outcome(d, now),
                   "outcome_label": Outcome.label_of(_outcome(d, now))} for d in deadlines]
    measured = incident_effect(session, incident_id=incident.id, now=as_utc(now))
    effects = [r for r in measured if not r["after_window"]["observing"]]
    judged = [t for t in timeliness if t["outcome"] in (Outcome.ON_TIME, Outcome.LATE, Outcome.MISSED)]
    return {
        "timeliness": timeliness,
        "on_time": sum(t["outcome"] == "on_time" for t in judged),
        "judged": len(judged),
        "effects": [{"action_id": r["action_id"], "kind": r["kind"], "at": r["at"], "before": r["before"],
                     "after": r["after"], "change": r["change"]} for r in effects],
        "observing_responses": len(measured) - len(effects),
    }


def evaluate(
    session: Session, *, incident_id: int, actor: str, now: datetime, addressed_claims: bool | None = None,
    lessons: str | None = None,
) -> Incident:
    """Record (or update) the evaluation: computed figures plus the officer's judgement."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"事件 {incident_id} 不存在")
    if lessons is not None and len(lessons) > 4000:
        raise InvalidTransition("经验教训不超过 4000 字")
    before = dict(incident.evaluation or {})
    evaluation = {
        **figures(session, incident, now),
        "addressed_claims": before.get("addressed_claims") if addressed_claims is None else addressed_claims,
        "lessons": lessons if lessons is not None else before.get("lessons"),
        "evaluated_by": actor, "evaluated_at": local_iso(as_utc(now)),
    }
    incident.evaluation = evaluation
    summary = f"处置评估：时限按时 {evaluation['on_time']}/{evaluation['judged']}"
    if evaluation["addressed_claims"] is not None:
        summary += "，回应" + ("已" if evaluation["addressed_claims"] else "未") + "针对主要关切"
    record_event(session, kind=TimelineKind.EVALUATED, actor=actor, now=now, incident_id=incident.id,
                 message=summary,
                 details={"on_time": evaluation["on_time"], "judged": evaluation["judged"]})
    return incident


def on_close(session: Session, incident: Incident, *, actor: str, now: datetime) -> None:
    """Closing a grade I/II incident records the figures if no evaluation was made before."""
    if incident.grade in EVALUATED_GRADES:
        evaluate(session, incident_id=incident.id, actor=actor, now=now)


def effect_text(effects: list[dict[str, Any]], observing: int = 0) -> str:
    """The measured effect in one line: mentions and negative share before → after each response."""
    parts = []
    for e in effects:
        before, after = e["before"], e["after"]
        line = f"{ActionKind.label_of(e['kind'])}：前 {before['mentions']} 条→后 {after['mentions']} 条"
        if before.get("negative_share") is not None and after.get("negative_share") is not None:
            line += f"，负面占比 {before['negative_share']:.0%}→{after['negative_share']:.0%}"
        parts.append(line)
    if observing:
        parts.append(f"{observing} 项回应观察中")
    return "；".join(parts) if parts else "无已完成观察期的回应"


def conclusion(evaluation: dict[str, Any]) -> dict[str, Any]:
    """An evaluation's conclusion as the 考核 shows it: timeliness, whether the claims were
    addressed (code and label), measured effect, lessons."""
    timeliness = "，".join(f"{t['kind_label']}{t['outcome_label']}" for t in evaluation.get("timeliness", []))
    addressed = ClaimsAddressed.of(evaluation.get("addressed_claims"))
    return {
        "on_time": evaluation.get("on_time", 0), "judged": evaluation.get("judged", 0),
        "timeliness": f"按时 {evaluation.get('on_time', 0)}/{evaluation.get('judged', 0)}"
                      + (f"（{timeliness}）" if timeliness else ""),
        "addressed_claims": addressed.value, "addressed_label": addressed.label,
        "effect": effect_text(evaluation.get("effects", []), evaluation.get("observing_responses", 0)),
        "lessons": evaluation.get("lessons") or "",
        "evaluated_by": evaluation.get("evaluated_by"), "evaluated_at": evaluation.get("evaluated_at"),
    }


def evaluations_in(session: Session, *, start: datetime, end: datetime) -> dict[str, Any]:
    """Incidents closed in [start, end) that are grade I/II (应评估) or carry an evaluation, with its
    conclusion; `evaluated` counts the grade I/II ones that carry one (已评估 / 应评估)."""
    closed = session.scalars(select(Incident).where(Incident.closed_at >= start, Incident.closed_at < end)
                             .order_by(Incident.closed_at, Incident.id))
    rows = []
    for incident in closed:
        due = incident.grade in EVALUATED_GRADES
        if not due and not incident.evaluation:
            continue
        status = EvaluationStatus.EVALUATED if incident.evaluation else EvaluationStatus.MISSING
        rows.append({
            "incident_id": incident.id, "title": incident.title, "grade": incident.grade,
            "grade_label": Grade.label_of(incident.grade), "owner": incident.owner,
            "closed_at": local_iso(incident.closed_at), "due": due,
            "status": status.value, "status_label": status.label,
            **(conclusion(incident.evaluation) if incident.evaluation else {}),
        })
    due = sum(r["due"] for r in rows)
    evaluated = sum(r["due"] and r["status"] == EvaluationStatus.EVALUATED for r in rows)
    return {"due": due, "evaluated": evaluated, "rows": rows,
            "summary": f"{EvaluationStatus.EVALUATED.label} {evaluated} / {EvaluationStatus.DUE.label} {due}"}
