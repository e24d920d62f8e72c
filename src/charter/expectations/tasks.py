"""Background jobs of the expectations app: load by id, then call the real code."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from charter.accounts.emails import wants
from charter.core.jobs import LONG_QUEUE, job_finish, job_progress, job_start
from charter.expectations import emails, render
from charter.expectations.access import question_recipients
from charter.expectations.models import Answer, Delivery, Distribution, Question, SignatureRequest


# One mail per person of the audience, a whole organization over SMTP: minutes, so the long
# lane, where it keeps no one's password-reset mail waiting.
@task(queue_name=LONG_QUEUE)
def send_distribution(*, distribution_id: int) -> dict[str, int]:
    distribution = Distribution.objects.select_related("version__document", "job").get(
        pk=distribution_id
    )
    version = distribution.version
    job = distribution.job
    pending = list(
        distribution.deliveries.filter(status=Delivery.Status.PENDING).select_related("person")
    )
    if job is not None:
        job_start(job)
    pdf = render.document_pdf(version)
    counts = {"sent": 0, "failed": 0}
    for done, delivery in enumerate(pending, start=1):
        try:
            emails.document_published(person=delivery.person, version=version, pdf=pdf)
        except Exception as exc:  # one bad address must not stop the others
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, error=str(exc)[:1000]
            )
            counts["failed"] += 1
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT, sent_at=timezone.now()
            )
            counts["sent"] += 1
        if job is not None:
            job_progress(job, done=done)
    if job is not None:
        job_finish(
            job,
            ok=counts["failed"] == 0,
            message=f"{counts['sent']} sent, {counts['failed']} failed",
        )
    return counts


@task()
def send_signature_reminder(*, request_id: int, kind: str) -> None:
    request = SignatureRequest.objects.select_related(
        "person__user__notification_prefs", "person__manager__user", "version__document"
    ).get(pk=request_id)
    if request.signed_at or request.superseded_at:
        return
    if kind == "escalation":
        manager = request.person.manager
        if manager is not None and manager.email and wants(manager.user, "team_alerts"):
            emails.signature_escalation(request=request, manager=manager)
        return
    if request.person.email and wants(request.person.user, "reminders"):
        emails.signature_reminder(request=request, kind=kind)


@task()
def notify_question_asked(*, question_id: int) -> int:
    question = Question.objects.select_related("asked_by__manager", "document").get(pk=question_id)
    sent = 0
    for person in question_recipients(question):
        if wants(person.user, "team_alerts"):
            emails.question_asked(question=question, to=person)
            sent += 1
    return sent


@task()
def notify_question_answered(*, answer_id: int) -> None:
    answer = Answer.objects.select_related("question__asked_by__user", "author").get(pk=answer_id)
    asker = answer.question.asked_by
    if asker.email and wants(asker.user, "answers"):
        emails.question_answered(answer=answer)
